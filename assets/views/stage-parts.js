// views/stage-parts.js — the live stage's shared parts (issue 14, docs/stage.md): its REST
// calls, the LIVE badge and a show's state, and the lobby's "On stage" panel: each stage
// with the show live on it now (title in the viewer's language, host, LIVE, viewers) and the
// next one (its start in the viewer's own time zone), and its latest show with a replay. The
// panel is fetched again when the lobby room says a show went live, ended or has its replay
// (show_live / show_ended / show_replay), now and then for the
// viewer counts, and on a language switch; a click opens the show (#/show/{id}).

import { query, request } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { EVENTS } from '../gen/protocol.js';
import { getLang, t } from '../i18n.js';
import { debounce, formatDateTime } from './common.js';

const id = encodeURIComponent;

/** The stage's REST calls (GET /api/v1/stages, /shows/{id}, /shows/{id}/chat, a quote request). */
export const stageApi = {
  stages: (lang) => request('GET', `/api/v1/stages${query({ lang })}`),
  show: (showId, lang) => request('GET', `/api/v1/shows/${id(showId)}${query({ lang })}`),
  /** Every pin of a show in order, the products' names in lang (the replay's timeline). */
  showPins: (showId, lang) => request('GET', `/api/v1/shows/${id(showId)}/pins${query({ lang })}`),
  /** Questions (most upvoted first) and polls (newest first) of a show, and acting on them. */
  questions: (showId) => request('GET', `/api/v1/shows/${id(showId)}/questions`),
  ask: (showId, body) => request('POST', `/api/v1/shows/${id(showId)}/questions`, { body }),
  upvote: (questionId) => request('POST', `/api/v1/questions/${id(questionId)}/vote`),
  answerQuestion: (questionId) => request('POST', `/api/v1/questions/${id(questionId)}/answered`),
  hideQuestion: (questionId) => request('POST', `/api/v1/questions/${id(questionId)}/hide`),
  polls: (showId) => request('GET', `/api/v1/shows/${id(showId)}/polls`),
  openPoll: (showId, question, options) => request('POST', `/api/v1/shows/${id(showId)}/polls`, { question, options }),
  vote: (pollId, option) => request('POST', `/api/v1/polls/${id(pollId)}/vote`, { option }),
  closePoll: (pollId) => request('POST', `/api/v1/polls/${id(pollId)}/close`),
  /** The show's chat room ({show_id, room_id, slow_mode_s}), made on first use. */
  showChat: (showId) => request('GET', `/api/v1/shows/${id(showId)}/chat`),
  /** Sets the show's slow mode (organizers, the host's staff): seconds, 0 for off. */
  setSlowMode: (showId, seconds) => request('PUT', `/api/v1/shows/${id(showId)}/chat`, { slow_mode_s: seconds }),
  /** A buyer's quote or sample request for a product ({kind, quantity, message, show_id, consent}). */
  requestQuote: (productId, body) => request('POST', `/api/v1/products/${id(productId)}/quote-requests`, body),
};

/** The red LIVE badge. */
export function liveBadge(testid = 'live-badge') {
  return h('span', { class: 'badge live-badge', testid, i18n: 'stage.live' });
}

/** A show's state as a badge: LIVE, scheduled or ended. */
export function stateBadge(state, testid = 'show-state') {
  if (state === 'live') return liveBadge(testid);
  return h('span', {
    class: ['badge', 'show-state', `is-${state}`], testid, dataset: { state },
    i18n: state === 'ended' ? 'stage.state.ended' : 'stage.state.scheduled',
  });
}

/** "{count} watching", kept translated. */
export function viewersLabel(count, testid = 'show-viewers') {
  return h('span', {
    class: 'show-viewers', testid, dataset: { count: String(count ?? 0) },
    i18n: 'stage.viewers', i18nArgs: { count: Number(count) || 0 },
  });
}

/** A show's start in the viewer's own zone and language. */
export function startsText(show) {
  return t('stage.startsAt', { time: formatDateTime(show.starts_ms) });
}

/** A link to a show, for the lobby's panel. */
function showLink(show, kind) {
  return h('a', {
    class: ['stage-show', `is-${kind}`], href: `#/show/${show.id}`, testid: `stage-${kind}`,
    dataset: { showId: String(show.id), state: show.state },
  },
  h('span', { class: 'stage-show-when' },
    kind === 'live'
      ? [liveBadge(), viewersLabel(show.viewers, 'stage-live-viewers')]
      : kind === 'replay'
        ? [h('span', { class: 'badge show-state is-ended', i18n: 'stage.replayBadge' }),
          h('span', { class: 'stage-show-time', text: startsText(show) })]
        : [h('span', { class: 'badge show-state is-scheduled', i18n: 'stage.next' }),
          h('span', { class: 'stage-show-time', testid: 'stage-next-time', text: startsText(show) })]),
  h('span', { class: 'stage-show-title', testid: `stage-${kind}-title`, text: show.title }),
  show.host_company_name
    ? h('span', { class: 'stage-show-host muted small', i18n: 'stage.hostedBy', i18nArgs: { company: show.host_company_name } })
    : null);
}

/**
 * The lobby's "On stage" panel. Returns { el, onEvent(event) (feed it the lobby room's
 * events), refresh(), dispose() }; the panel stays hidden while the fair has no stage.
 */
export function stagePanel(ctx) {
  const list = h('ul', { class: 'stage-list', testid: 'stage-list', attrs: { 'aria-live': 'polite' } });
  const el = h('section', { class: 'card stage-panel', testid: 'stage-panel', hidden: true },
    h('div', { class: 'panel-head' },
      h('h2', {}, h('span', { class: 'live-dot stage-dot', attrs: { 'aria-hidden': 'true' } }), h('span', { i18n: 'stage.panelTitle' }))),
    list);
  let seq = 0;
  let disposed = false;
  let timer = null;

  function render(stages) {
    el.hidden = stages.length === 0;
    replaceChildren(list, stages.map(({ stage, live, next, replay }) =>
      h('li', { class: 'stage-item', testid: 'stage-item', dataset: { stageId: String(stage.id), live: live ? String(live.id) : '' } },
        h('h3', { class: 'stage-name', text: stage.name }),
        live ? showLink(live, 'live') : null,
        next ? showLink(next, 'next') : null,
        replay ? showLink(replay, 'replay') : null,
        !live && !next && !replay ? h('p', { class: 'muted small', i18n: 'stage.nothing' }) : null)));
  }

  async function refresh() {
    const mine = ++seq;
    clearTimeout(timer);
    try {
      const data = await stageApi.stages(getLang());
      if (disposed || mine !== seq) return;
      render(data?.stages || []);
    } catch (error) {
      if (disposed || ctx.handleAuthError(error)) return;
      // The panel is a bonus on the lobby: it keeps what it showed and tries again later.
    } finally {
      // Viewer counts move without events: now and then (spread, so viewers do not ask at once).
      if (!disposed && mine === seq) timer = setTimeout(refresh, 30_000 + Math.random() * 30_000);
    }
  }
  const soon = debounce(refresh, 300);

  refresh();
  return {
    el,
    refresh,
    onEvent(event) {
      if ([EVENTS.SHOW_LIVE, EVENTS.SHOW_ENDED, EVENTS.SHOW_REPLAY].includes(event?.kind)) soon();
    },
    dispose() {
      disposed = true;
      soon.cancel();
      clearTimeout(timer);
    },
  };
}
