// views/stage-qa.js — a show's questions and polls (issue 14, docs/stage.md), under the player.
// Viewers ask the host (POST /shows/{id}/questions) and upvote questions once each; the list
// is most upvoted first, answered ones marked. Moderators (organizers, the host company's
// staff) mark a question answered or hide it, open polls of 2 to 6 options and close them;
// viewers vote once, and a second vote changes it. The list and polls come from REST, then
// follow the show room's events: show_question (new), show_question_update (votes, answered,
// hidden; votes at most once a second per node) and show_poll (opened, results, closed).
//
//   const qa = showQa(ctx, showId, () => moderator);
//   parent.append(qa.el); qa.onEvent(event); qa.dispose();

import { h, replaceChildren } from '../dom.js';
import { EVENTS } from '../gen/protocol.js';
import { formatNumber, onLangChange } from '../i18n.js';
import { errorBox, showError } from './forms.js';
import { stageApi } from './stage-parts.js';

const MAX_QUESTION = 500;

export function showQa(ctx, showId, isModerator) {
  let disposed = false;
  let questions = []; // ShowQuestion, most upvoted first
  let polls = []; // ShowPoll, newest first

  // ------------------------------------------------------------ questions
  const qError = errorBox('show-qa-error');
  const qInput = h('input', {
    type: 'text', class: 'show-qa-input', testid: 'show-qa-input', maxLength: MAX_QUESTION,
    i18nAttr: { placeholder: 'stage.qa.placeholder', 'aria-label': 'stage.qa.placeholder' },
  });
  const qForm = h('form', { class: 'show-qa-form', testid: 'show-qa-form', attrs: { novalidate: true }, on: { submit: ask } },
    qInput, h('button', { type: 'submit', class: 'btn btn-primary btn-small', testid: 'show-qa-ask', i18n: 'stage.qa.ask' }));
  const qList = h('ol', { class: 'show-qa-list', testid: 'show-qa-list' });

  function sortQuestions() {
    questions.sort((a, b) => b.votes - a.votes || a.created_ms - b.created_ms || a.id - b.id);
  }

  function questionEl(q) {
    const moderator = isModerator();
    return h('li', {
      class: ['show-qa-item', q.answered && 'is-answered'], testid: 'show-question',
      dataset: { questionId: String(q.id), votes: String(q.votes), answered: String(q.answered) },
    },
    h('button', {
      type: 'button', class: ['btn', 'btn-ghost', 'btn-small', 'show-qa-vote', q.voted && 'is-voted'], testid: 'show-question-vote',
      disabled: q.voted, attrs: { 'aria-pressed': String(Boolean(q.voted)) },
      on: { click: () => upvote(q) },
    }, h('span', { attrs: { 'aria-hidden': 'true' }, text: '▲' }), ' ', h('span', { testid: 'show-question-votes', text: formatNumber(q.votes) }),
    // The name says what the button does; the visible count stays part of it.
    h('span', { class: 'sr-only', i18n: 'stage.qa.upvote' })),
    h('div', { class: 'show-qa-body' },
      h('p', { testid: 'show-question-body', text: q.body }),
      h('p', { class: 'muted small' }, h('span', { text: q.asker?.name || '' }),
        q.answered ? [' · ', h('span', { class: 'badge show-qa-answered', testid: 'show-question-answered', i18n: 'stage.qa.answered' })] : null)),
    moderator
      ? h('div', { class: 'show-qa-mod' },
        q.answered ? null : h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'show-question-answer', i18n: 'stage.qa.markAnswered', on: { click: () => moderate(q, 'answer') } }),
        h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'show-question-hide', i18n: 'stage.qa.hide', on: { click: () => moderate(q, 'hide') } }))
      : null);
  }

  function renderQuestions() {
    sortQuestions();
    replaceChildren(qList, questions.length
      ? questions.map(questionEl)
      : h('li', { class: 'muted small', testid: 'show-qa-empty', i18n: 'stage.qa.empty' }));
  }

  function upsertQuestion(q) {
    const at = questions.findIndex((x) => x.id === q.id);
    if (at >= 0) questions[at] = { ...questions[at], ...q, voted: questions[at].voted || q.voted };
    else questions.push(q);
    renderQuestions();
  }

  async function ask(event) {
    event.preventDefault();
    const body = qInput.value.trim();
    if (!body) return;
    showError(qError, null);
    try {
      const q = await stageApi.ask(showId, body);
      if (disposed) return;
      qInput.value = '';
      upsertQuestion(q);
    } catch (error) {
      if (disposed || ctx.handleAuthError(error)) return;
      showError(qError, error);
    }
  }

  async function upvote(q) {
    showError(qError, null);
    try {
      const next = await stageApi.upvote(q.id);
      if (!disposed) upsertQuestion(next);
    } catch (error) {
      if (disposed || ctx.handleAuthError(error)) return;
      showError(qError, error);
    }
  }

  async function moderate(q, what) {
    showError(qError, null);
    try {
      if (what === 'hide') {
        await stageApi.hideQuestion(q.id);
        questions = questions.filter((x) => x.id !== q.id);
        renderQuestions();
      } else {
        upsertQuestion(await stageApi.answerQuestion(q.id));
      }
    } catch (error) {
      if (disposed || ctx.handleAuthError(error)) return;
      showError(qError, error);
    }
  }

  // ------------------------------------------------------------ polls
  const pError = errorBox('show-poll-error');
  const pList = h('div', { class: 'show-polls', testid: 'show-polls' });
  const pQuestion = h('input', { type: 'text', testid: 'show-poll-question', maxLength: 200, i18nAttr: { 'aria-label': 'stage.poll.question', placeholder: 'stage.poll.question' } });
  const pOptions = h('textarea', { rows: 3, testid: 'show-poll-options', i18nAttr: { 'aria-label': 'stage.poll.options', placeholder: 'stage.poll.options' } });
  const pForm = h('form', {
    class: 'show-poll-form', testid: 'show-poll-form', hidden: true, attrs: { novalidate: true },
    on: { submit: openPoll },
  }, h('p', { class: 'small', i18n: 'stage.poll.new' }), pQuestion, pOptions,
  h('button', { type: 'submit', class: 'btn btn-primary btn-small', testid: 'show-poll-start', i18n: 'stage.poll.start' }));

  function pollEl(p) {
    const total = p.counts.reduce((a, b) => a + b, 0);
    const moderator = isModerator();
    return h('section', { class: ['show-poll', p.closed && 'is-closed'], testid: 'show-poll', dataset: { pollId: String(p.id), closed: String(p.closed), total: String(total) } },
      h('p', { class: 'show-poll-question', text: p.question }),
      h('ul', { class: 'show-poll-options' }, p.options.map((option, i) => {
        const share = total ? Math.round((p.counts[i] / total) * 100) : 0;
        const mine = p.my_vote === i;
        // A width set through the CSSOM (the policy admits no style attributes).
        const fill = h('span');
        fill.style.width = `${share}%`;
        return h('li', { class: ['show-poll-option', mine && 'is-mine'], dataset: { count: String(p.counts[i]) } },
          h('button', {
            type: 'button', class: 'btn btn-ghost btn-small show-poll-choose', testid: `show-poll-option-${i}`,
            disabled: p.closed, attrs: { 'aria-pressed': String(mine) }, on: { click: () => vote(p, i) },
          }, h('span', { text: option })),
          h('span', { class: 'show-poll-bar', attrs: { 'aria-hidden': 'true' } }, fill),
          h('span', { class: 'small', testid: `show-poll-count-${i}`, text: formatNumber(p.counts[i]) }));
      })),
      h('p', { class: 'muted small' },
        h('span', { i18n: 'stage.poll.votes', i18nArgs: { count: total } }),
        p.closed ? [' · ', h('span', { class: 'badge', i18n: 'stage.poll.closed' })] : null,
        moderator && !p.closed
          ? [' ', h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'show-poll-close', i18n: 'stage.poll.close', on: { click: () => closePoll(p) } })]
          : null));
  }

  function renderPolls() {
    pForm.hidden = !isModerator();
    replaceChildren(pList, polls.map(pollEl));
  }

  function upsertPoll(p) {
    const at = polls.findIndex((x) => x.id === p.id);
    // Events leave out the reader's own vote: keep the one we know.
    if (at >= 0) polls[at] = { ...polls[at], ...p, my_vote: p.my_vote ?? polls[at].my_vote };
    else polls.unshift(p);
    renderPolls();
  }

  async function openPoll(event) {
    event.preventDefault();
    showError(pError, null);
    const options = pOptions.value.split('\n').map((o) => o.trim()).filter(Boolean);
    try {
      const p = await stageApi.openPoll(showId, pQuestion.value.trim(), options);
      if (disposed) return;
      pQuestion.value = '';
      pOptions.value = '';
      upsertPoll(p);
    } catch (error) {
      if (disposed || ctx.handleAuthError(error)) return;
      showError(pError, error);
    }
  }

  async function vote(p, option) {
    showError(pError, null);
    try {
      const next = await stageApi.vote(p.id, option);
      if (!disposed) upsertPoll(next);
    } catch (error) {
      if (disposed || ctx.handleAuthError(error)) return;
      showError(pError, error);
    }
  }

  async function closePoll(p) {
    showError(pError, null);
    try {
      const next = await stageApi.closePoll(p.id);
      if (!disposed) upsertPoll(next);
    } catch (error) {
      if (disposed || ctx.handleAuthError(error)) return;
      showError(pError, error);
    }
  }

  // ------------------------------------------------------------ loading and events
  async function load() {
    try {
      const [q, p] = await Promise.all([stageApi.questions(showId), stageApi.polls(showId)]);
      if (disposed) return;
      questions = q.questions || [];
      polls = p.polls || [];
      renderQuestions();
      renderPolls();
      el.dataset.loaded = 'true';
    } catch (error) {
      if (disposed || ctx.handleAuthError(error)) return;
      showError(qError, error);
    }
  }

  const el = h('section', { class: 'show-qa card', testid: 'show-qa' },
    h('h2', { i18n: 'stage.qa.title' }),
    qForm, qError, qList,
    h('h2', { class: 'show-poll-title', i18n: 'stage.poll.title' }),
    pForm, pError, pList);

  const offLang = onLangChange(() => { renderQuestions(); renderPolls(); });
  load();

  return {
    el,
    /** Moderation may have changed (the show's host is known): draw again. */
    refresh() {
      renderQuestions();
      renderPolls();
    },
    /** Fetches again (after a reconnect: events may have been missed). */
    reload: load,
    onEvent(event) {
      if (Number(event?.show_id ?? event?.question?.show_id ?? event?.poll?.show_id) !== showId) return;
      if (event.kind === EVENTS.SHOW_QUESTION) upsertQuestion({ ...event.question, voted: false });
      else if (event.kind === EVENTS.SHOW_QUESTION_UPDATE) {
        if (event.hidden) {
          questions = questions.filter((x) => x.id !== event.question_id);
          renderQuestions();
        } else if (questions.some((x) => x.id === event.question_id)) {
          upsertQuestion({ id: event.question_id, votes: event.votes, answered: event.answered });
        }
      } else if (event.kind === EVENTS.SHOW_POLL) upsertPoll({ ...event.poll, my_vote: undefined });
    },
    dispose() {
      disposed = true;
      offLang();
    },
  };
}
