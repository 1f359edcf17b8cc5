// views/buyers.js — the buyer directory for exhibitors (#/buyers, issue 13): "who wants to
// meet you" (buyers that marked our company) at the top, then every approved buyer with firm,
// country, languages, interests (taxonomy labels in the UI language), e-mail
// only when the buyer agreed to show it, the buyer's mark on us and our own mark control
// (must meet / would meet / no thanks). From GET /api/v1/match/buyers and PUT /match/marks.
// Organizers see the same directory, read-only.

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { formatList, getLang, onLangChange, t } from '../i18n.js';
import { forbiddenPage, pageError } from './common.js';
import { conceptLabels, countryLabel, interestLabel, languagesList, markBadge, markControl, wantsToMeetSection } from './match-parts.js';

export function mountBuyers(root, ctx) {
  const me = ctx.session.user;
  if (me.role !== 'exhibitor' && me.role !== 'organizer') {
    forbiddenPage(root, 'match.onlyExhibitors');
    return null;
  }
  const canMark = me.role === 'exhibitor' && Boolean(me.company_id);
  let buyers = [];
  let concepts = new Map();
  let filter = '';
  let disposed = false;

  const error = pageError('buyers-error', () => load());
  const wants = canMark ? wantsToMeetSection(ctx, { forBuyer: false }) : null;
  const search = h('input', { type: 'search', testid: 'buyers-filter', i18nAttr: { placeholder: 'match.dir.filter', 'aria-label': 'match.dir.filter' },
    on: { input: () => { filter = search.value.trim().toLocaleLowerCase(); renderList(); } } });
  const count = h('p', { class: 'muted small', testid: 'buyers-count', attrs: { 'aria-live': 'polite' } });
  const list = h('div', { class: 'buyer-grid', testid: 'buyers-list' }, h('p', { class: 'muted', i18n: 'common.loading' }));

  const page = h('main', { class: 'page buyers-page', testid: 'buyers-page' },
    h('div', { class: 'page-top' },
      h('div', {}, h('h1', { i18n: 'match.dir.title' }), h('p', { class: 'muted', i18n: 'match.dir.intro' }))),
    error.el,
    wants?.el,
    h('section', { class: 'buyers-section' },
      h('div', { class: 'section-head' }, h('h2', { i18n: 'match.dir.all' }), search),
      count, list));
  root.append(page);

  function matches(b) {
    if (!filter) return true;
    return [b.name, b.buyer_company, b.country, ...(b.interests || []).map((tag) => interestLabel(tag, concepts))]
      .filter(Boolean).some((text) => String(text).toLocaleLowerCase().includes(filter));
  }

  function buyerCard(b) {
    const interests = (b.interests || []).map((tag) => interestLabel(tag, concepts));
    return h('article', { class: ['card', 'buyer-card', b.buyer_mark && 'is-wanted'], testid: 'buyer-card', dataset: { buyerId: String(b.id) } },
      h('div', { class: 'buyer-card-head' },
        h('h3', { class: 'buyer-name', testid: 'buyer-name', text: b.name }),
        b.buyer_company ? h('p', { class: 'muted small', testid: 'buyer-firm', text: b.buyer_company }) : null,
        b.buyer_mark ? markBadge(b.buyer_mark, 'buyer-wants', 'match.wantsYou') : null),
      h('dl', { class: 'buyer-facts' },
        b.country ? [h('dt', { i18n: 'match.dir.country' }), h('dd', { testid: 'buyer-country', text: countryLabel(b.country) })] : null,
        (b.languages || []).length ? [h('dt', { i18n: 'match.dir.languages' }), h('dd', { testid: 'buyer-languages', text: languagesList(b.languages) })] : null,
        interests.length ? [h('dt', { i18n: 'match.dir.interests' }), h('dd', { testid: 'buyer-interests', text: formatList(interests) })] : null,
        b.email ? [h('dt', { i18n: 'match.dir.email' }), h('dd', {}, h('a', { href: `mailto:${b.email}`, testid: 'buyer-email', text: b.email }))] : null),
      canMark
        ? markControl({
          current: b.company_mark || null,
          testid: 'buyer-mark',
          labelKey: 'match.mark.buyerLabel',
          save: async (level) => {
            await api.setMatchMark({ buyer_id: b.id, level });
            b.company_mark = level;
          },
        }).el
        : (b.company_mark ? markBadge(b.company_mark, 'buyer-company-mark', 'match.companyMarked') : null));
  }

  function renderList() {
    const shown = buyers.filter(matches);
    count.textContent = t('match.dir.count', { count: shown.length });
    count.dataset.count = String(shown.length);
    replaceChildren(list, shown.length
      ? shown.map(buyerCard)
      : h('p', { class: 'muted', testid: 'buyers-empty', i18n: 'match.dir.empty' }));
  }

  async function load() {
    error.hide();
    try {
      const [directory, labels] = await Promise.all([api.matchBuyers(), conceptLabels(getLang())]);
      if (disposed) return;
      // Buyers who want to meet us first, then by name.
      const rank = { must_meet: 0, would_meet: 1 };
      buyers = (directory.buyers || []).sort((a, b) => (rank[a.buyer_mark] ?? 2) - (rank[b.buyer_mark] ?? 2)
        || a.name.localeCompare(b.name, getLang()));
      concepts = labels;
      renderList();
      page.dataset.loaded = String(Number(page.dataset.loaded || 0) + 1);
    } catch (e) {
      if (disposed || ctx.handleAuthError(e)) return;
      error.show(e);
      replaceChildren(list);
    }
  }

  load();
  const offLang = onLangChange(async () => {
    concepts = await conceptLabels(getLang());
    if (!disposed) renderList();
  });
  return () => {
    disposed = true;
    offLang();
  };
}
