// views/matchmaking.js — the organizer's matchmaking page (#/matchmaking, issue 13): the
// match review table of accepted pairs (buyer with firm and country, company, priority, mode,
// the published meeting; remove), "Suggest pairs" (the best few per buyer), a pair added by
// hand from one buyer's suggestions (score, reason line, both sides' marks), and below it the
// scheduler run (views/match-run.js: quality, pairs left out, the grids, hand moves, publish).
// #/matchmaking?run={id} reopens a stored run; the last run is also remembered in this tab.

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { ERROR_CODES } from '../gen/protocol.js';
import { getLang, onLangChange, t } from '../i18n.js';
import { forbiddenPage, pageError, recommendationReason } from './common.js';
import { errorBox, showError } from './forms.js';
import { countryLabel, markBadge } from './match-parts.js';
import { mountRunPanel } from './match-run.js';

const RUN_KEY = 'expo.match.run';

function rememberRun(runId) {
  try {
    if (runId) sessionStorage.setItem(RUN_KEY, String(runId));
    else sessionStorage.removeItem(RUN_KEY);
  } catch {
    // Not remembered: the page opens without a run.
  }
}

function rememberedRun(params) {
  const fromUrl = Number(params?.get('run'));
  if (Number.isSafeInteger(fromUrl) && fromUrl > 0) return fromUrl;
  try {
    const kept = Number(sessionStorage.getItem(RUN_KEY));
    return Number.isSafeInteger(kept) && kept > 0 ? kept : null;
  } catch {
    return null;
  }
}

export function mountMatchmaking(root, ctx, params) {
  const me = ctx.session.user;
  if (me.role !== 'organizer') {
    forbiddenPage(root, 'match.onlyOrganizers');
    return null;
  }
  let pairs = [];
  let buyers = new Map(); // id → BuyerCard
  let disposed = false;
  let chosenBuyer = '';
  let suggestions = null;

  const error = pageError('match-error', () => load());
  const pairsBody = h('tbody', { testid: 'match-pairs-body' });
  const pairsCount = h('p', { class: 'muted small', testid: 'match-pairs-count', attrs: { 'aria-live': 'polite' } });
  const perBuyer = h('input', { type: 'number', min: '1', max: '20', value: '3', testid: 'match-auto-per-buyer', class: 'input-narrow' });
  const autoBtn = h('button', { type: 'submit', class: 'btn btn-primary btn-small', testid: 'match-auto', i18n: 'match.auto' });
  const autoResult = h('p', { class: 'small', testid: 'match-auto-result', attrs: { role: 'status' } });
  const autoError = errorBox('match-auto-error');
  const autoForm = h('form', { class: 'match-auto-form', testid: 'match-auto-form', on: { submit: (e) => { e.preventDefault(); autoPairs(); } } },
    h('label', { class: 'inline-field' }, h('span', { class: 'small', i18n: 'match.perBuyer' }), perBuyer),
    autoBtn);

  const buyerSelect = h('select', { testid: 'match-buyer-select', on: { change: () => pickBuyer(buyerSelect.value) } });
  const suggestionsEl = h('ul', { class: 'suggestion-list', testid: 'match-suggestions' });
  const addError = errorBox('match-add-error');

  const runPanel = mountRunPanel(ctx, {
    runId: rememberedRun(params),
    onRun(runId) {
      rememberRun(runId);
      try {
        history.replaceState(null, '', runId ? `#/matchmaking?run=${runId}` : '#/matchmaking');
      } catch {
        // The address keeps its old run; the tab remembers the new one.
      }
    },
    onPublished: () => load(),
  });

  const page = h('main', { class: 'page matchmaking-page', testid: 'matchmaking' },
    h('div', { class: 'page-top' },
      h('div', {}, h('h1', { i18n: 'match.title' }), h('p', { class: 'muted', i18n: 'match.intro' }))),
    error.el,
    h('section', { class: 'card', testid: 'match-pairs' },
      h('div', { class: 'section-head' }, h('h2', { i18n: 'match.pairsTitle' }), autoForm),
      autoResult, autoError, pairsCount,
      h('div', { class: 'table-wrap table-scroll', attrs: { tabindex: '0' } },
        h('table', { class: 'data-table match-pairs-table' },
          h('thead', {}, h('tr', {},
            ['match.col.buyer', 'match.col.company', 'match.col.priority', 'match.col.mode', 'match.col.meeting', 'match.col.actions']
              .map((key) => h('th', { i18n: key, attrs: { scope: 'col' } })))),
          pairsBody))),
    h('section', { class: 'card', testid: 'match-add' },
      h('h2', { i18n: 'match.addTitle' }),
      h('p', { class: 'muted small', i18n: 'match.addHint' }),
      h('label', { class: 'field' }, h('span', { class: 'field-label', i18n: 'match.pickBuyer' }), buyerSelect),
      addError,
      suggestionsEl),
    runPanel.el);
  root.append(page);

  function buyerLine(buyerId, name) {
    const card = buyers.get(buyerId);
    const extra = [card?.buyer_company, countryLabel(card?.country)].filter(Boolean).join(' · ');
    return h('span', { class: 'match-buyer' }, h('strong', { text: name || card?.name || '' }),
      extra ? h('span', { class: 'muted small', text: extra }) : null);
  }

  function renderPairs() {
    pairsCount.dataset.count = String(pairs.length);
    pairsCount.textContent = t('match.pairsCount', { count: pairs.length });
    if (!pairs.length) {
      replaceChildren(pairsBody, h('tr', {}, h('td', { attrs: { colspan: '6' }, class: 'muted', i18n: 'match.noPairs' })));
      return;
    }
    replaceChildren(pairsBody, pairs.map((p) => h('tr', { testid: 'match-pair-row', dataset: { pairId: String(p.id), buyerId: String(p.buyer_id), companyId: String(p.company_id) } },
      h('td', {}, buyerLine(p.buyer_id, p.buyer_name)),
      h('td', {}, h('a', { href: `#/booth/${p.company_id}`, text: p.company_name })),
      h('td', {}, h('span', { class: ['badge', `mark-${p.priority}`], testid: 'match-pair-priority', dataset: { priority: p.priority }, i18n: `match.mark.${p.priority}` })),
      h('td', { i18n: `match.mode.${p.mode}` }),
      h('td', {}, p.meeting_id
        ? h('a', { href: '#/meetings', testid: 'match-pair-meeting', dataset: { meetingId: String(p.meeting_id) }, i18n: 'match.meetingNo', i18nArgs: { id: p.meeting_id } })
        : h('span', { class: 'muted', i18n: 'match.notPublished' })),
      h('td', {}, h('button', {
        type: 'button', class: 'btn btn-ghost btn-small', testid: 'match-pair-remove', i18n: 'match.remove',
        i18nAttr: { 'aria-label': 'match.removeLabel' }, i18nArgs: { buyer: p.buyer_name, company: p.company_name },
        on: { click: (e) => removePair(p, e.currentTarget) },
      })))));
  }

  function renderBuyerSelect() {
    const list = [...buyers.values()].sort((a, b) => a.name.localeCompare(b.name, getLang()));
    replaceChildren(buyerSelect,
      h('option', { value: '', text: t('match.pickBuyerNone') }),
      list.map((b) => h('option', { value: String(b.id), text: [b.name, b.buyer_company, countryLabel(b.country)].filter(Boolean).join(' · ') })));
    buyerSelect.value = chosenBuyer;
  }

  function renderSuggestions() {
    if (!chosenBuyer) {
      replaceChildren(suggestionsEl);
      return;
    }
    if (!suggestions) {
      replaceChildren(suggestionsEl, h('li', { class: 'muted', i18n: 'common.loading' }));
      return;
    }
    if (!suggestions.length) {
      replaceChildren(suggestionsEl, h('li', { class: 'muted', testid: 'match-no-suggestions', i18n: 'match.noSuggestions' }));
      return;
    }
    replaceChildren(suggestionsEl, suggestions.map((s) => {
      const company = s.booth.company;
      const reason = recommendationReason(s.reason);
      return h('li', { class: 'suggestion-row', testid: 'match-suggestion', dataset: { companyId: String(company.id), score: String(s.score) } },
        h('div', { class: 'suggestion-main' },
          h('div', { class: 'suggestion-head' },
            h('a', { href: `#/booth/${company.id}`, class: 'suggestion-name', text: company.name }),
            h('span', { class: 'badge badge-soft', testid: 'match-suggestion-score', i18n: 'match.score', i18nArgs: { score: s.score } }),
            markBadge(s.buyer_mark, 'match-buyer-mark', 'match.buyerMarked'),
            markBadge(s.company_mark, 'match-company-mark', 'match.companyMarked'),
            s.exports_to_buyer_country ? h('span', { class: 'badge', i18n: 'match.exportsThere' }) : null,
            s.hs_matches?.length
              ? h('span', { class: 'badge', testid: 'match-hs', i18n: 'match.hsMatch', i18nArgs: { codes: s.hs_matches.join(', ') } })
              : null),
          reason ? h('p', { class: 'rec-reason small', testid: 'match-suggestion-reason', text: reason }) : null),
        s.pair_id
          ? h('span', { class: 'badge badge-soft', testid: 'match-suggestion-accepted', i18n: 'match.accepted' })
          : h('span', { class: 'suggestion-actions' },
            h('button', { type: 'button', class: 'btn btn-primary btn-small', testid: 'match-accept-must', i18n: 'match.acceptMust',
              on: { click: (e) => accept(company.id, 'must_meet', e.currentTarget) } }),
            h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'match-accept-would', i18n: 'match.acceptWould',
              on: { click: (e) => accept(company.id, 'would_meet', e.currentTarget) } })));
    }));
  }

  function render() {
    renderPairs();
    renderBuyerSelect();
    renderSuggestions();
  }

  async function loadPairs() {
    const data = await api.matchPairs();
    if (disposed) return;
    pairs = data.pairs || [];
    renderPairs();
  }

  async function load() {
    error.hide();
    try {
      const [pairData, directory] = await Promise.all([api.matchPairs(), api.matchBuyers()]);
      if (disposed) return;
      pairs = pairData.pairs || [];
      buyers = new Map((directory.buyers || []).map((b) => [b.id, b]));
      render();
      page.dataset.loaded = String(Number(page.dataset.loaded || 0) + 1);
    } catch (e) {
      if (disposed || ctx.handleAuthError(e)) return;
      error.show(e);
    }
  }

  async function pickBuyer(value) {
    chosenBuyer = value;
    suggestions = null;
    showError(addError, null);
    renderSuggestions();
    if (!value) return;
    try {
      const data = await api.matchSuggestions(Number(value), getLang());
      if (disposed || chosenBuyer !== value) return;
      suggestions = data.suggestions || [];
      renderSuggestions();
    } catch (e) {
      if (disposed || ctx.handleAuthError(e)) return;
      showError(addError, e);
      replaceChildren(suggestionsEl);
    }
  }

  async function accept(companyId, priority, button) {
    button.disabled = true;
    showError(addError, null);
    try {
      await api.addMatchPair({ buyer_id: Number(chosenBuyer), company_id: companyId, priority, mode: 'either' });
      await loadPairs();
      await pickBuyer(chosenBuyer);
    } catch (e) {
      if (ctx.handleAuthError(e)) return;
      button.disabled = false;
      showError(addError, e, { [ERROR_CODES.CONFLICT]: 'match.pairDeclined' });
    }
  }

  async function removePair(pair, button) {
    button.disabled = true;
    showError(autoError, null);
    try {
      await api.removeMatchPair(pair.id);
      await loadPairs();
      if (chosenBuyer) pickBuyer(chosenBuyer);
    } catch (e) {
      if (ctx.handleAuthError(e)) return;
      button.disabled = false;
      showError(autoError, e);
    }
  }

  async function autoPairs() {
    const n = Math.max(1, Math.min(20, Number(perBuyer.value) || 3));
    autoBtn.disabled = true;
    showError(autoError, null);
    autoResult.textContent = '';
    try {
      const result = await api.autoMatchPairs(n);
      if (disposed) return;
      await loadPairs();
      autoResult.dataset.added = String(result.added);
      autoResult.dataset.i18n = 'match.autoAdded';
      autoResult.dataset.i18nArgs = JSON.stringify({ count: result.added });
      autoResult.textContent = t('match.autoAdded', { count: result.added });
      if (chosenBuyer) pickBuyer(chosenBuyer);
    } catch (e) {
      if (ctx.handleAuthError(e)) return;
      showError(autoError, e);
    } finally {
      autoBtn.disabled = false;
    }
  }

  load();
  const offLang = onLangChange(() => {
    render();
    if (chosenBuyer) pickBuyer(chosenBuyer); // the reason lines come in the language asked
  });
  return () => {
    disposed = true;
    offLang();
    runPanel.destroy();
  };
}
