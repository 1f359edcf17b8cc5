// views/lobby.js — the lobby (#/lobby): a welcome, the fair's numbers, "Recommended for
// you" (buyers), booth search with filters and paginated results, and "Online now". The
// `lobby` room feeds presence (join/leave), each booth's live state (booth_live: visitors
// and staff on duty, applied to its card in place) and edits (booth_updated: the page of
// results holding that booth is fetched again). The search lives in the address
// (#/lobby?q=kimchi&page=2), so coming back from a booth restores it. The search bar and
// its filters are lobby-search.js. "On stage" (stage-parts.js) lists each stage's live and
// next show; the lobby room's show_live and show_ended events refresh it.

import { api } from '../api.js';
import { h, replaceChildren, tr } from '../dom.js';
import { COMMANDS, EVENTS, ROOMS } from '../gen/protocol.js';
import { countryName, formatNumber, formatTime, getLang, onLangChange, t } from '../i18n.js';
import { Presence } from '../presence.js';
import {
  applyLiveToCards, boothCard, debounce, initials, pageError, recommendationReason, roleBadge,
} from './common.js';
import { showError } from './forms.js';
import { filtersFromParams, rememberFilters, searchBar } from './lobby-search.js';
import { stagePanel } from './stage-parts.js';
import { wantsToMeetSection } from './match-parts.js';

/** How many people the lobby's "online now" panel lists; the rest are counted. */
const ONLINE_SHOWN = 100;

export { initials, roleBadge };

const PER_PAGE = 12;

const STATS = [
  ['halls', 'stats.halls'],
  ['companies', 'stats.companies'],
  ['products', 'stats.products'],
  ['buyers', 'stats.buyers'],
  ['interpreters', 'stats.interpreters'],
  ['buyer_countries', 'stats.countries'],
];

export function mountLobby(root, ctx, params) {
  const { session } = ctx;
  const me = session.user;
  const presence = new Presence();
  let fair = session.fair;
  let halls = [];
  let filters = filtersFromParams(params);
  let results = null; // the last BoothPage
  let searchSeq = 0;
  let recsSeq = 0;
  let snapshotSeen = false;
  let shownUsers = new Set(); // user ids in the list now, so only newcomers animate in
  let disposed = false;

  // ------------------------------------------------------------ the page's frame
  const statsEl = h('section', { class: 'stats', testid: 'fair-stats', i18nAttr: { 'aria-label': 'stats.label' } });
  const loadError = pageError('lobby-error', () => load());

  const recsStrip = h('div', { class: 'rec-strip', testid: 'rec-list' });
  const recsSection = h('section', { class: 'recs', testid: 'recommendations', hidden: true },
    h('div', { class: 'section-head' },
      h('h2', { class: 'section-title', i18n: 'recs.title' }),
      h('span', { class: 'muted small', i18n: 'recs.hint' })),
    recsStrip);

  const onlineCount = h('span', { class: 'count-pill', testid: 'online-count', text: '–' });
  const onlineList = h('ul', { class: 'online-list', testid: 'online-list', attrs: { 'aria-live': 'polite' } });
  const onlineError = h('div', { class: 'alert alert-error small', testid: 'online-error', hidden: true });
  // The live stage: each stage's show on now and the next one.
  const stage = stagePanel(ctx);
  const onlinePanel = h('aside', { class: 'card online-panel', testid: 'online-panel' },
    h('div', { class: 'panel-head' },
      h('h2', {}, h('span', { class: 'live-dot', attrs: { 'aria-hidden': 'true' } }), tr('online.title')),
      onlineCount),
    onlineError,
    onlineList);

  // ------------------------------------------------------------ search and filters
  const bar = searchBar({ filters: () => filters, halls: () => halls, onApply: (next) => { filters = next; search(); } });
  const { searchForm, filtersEl } = bar;

  const resultsCount = h('p', { class: 'results-count muted', testid: 'results-count', attrs: { 'aria-live': 'polite' } });
  const resultsGrid = h('div', { class: 'results-grid', testid: 'booth-results', attrs: { 'aria-busy': 'true' } },
    h('p', { class: 'muted', i18n: 'common.loading' }));
  const searchError = pageError('search-error', () => search());
  const pager = h('nav', { class: 'pager', testid: 'pager', hidden: true, i18nAttr: { 'aria-label': 'pager.label' } });

  // Browser notifications (meeting news, talk requests, messages while the tab is hidden):
  // asked for with a click, as browsers require; offered until answered.
  const notifyButton = h('button', {
    type: 'button', class: 'btn btn-ghost btn-small notify-enable', testid: 'notify-enable', i18n: 'notify.enable',
    hidden: ctx.notificationsState() !== 'default',
    on: {
      click: async () => {
        notifyButton.disabled = true;
        await ctx.enableNotifications();
        notifyButton.hidden = ctx.notificationsState() !== 'default';
        notifyButton.disabled = false;
      },
    },
  });
  const welcome = h('section', { class: 'welcome' },
    h('div', {},
      h('h1', { testid: 'lobby-welcome', i18n: 'lobby.welcome', i18nArgs: { name: me.name } }),
      h('p', { class: 'muted lobby-intro', i18n: 'lobby.intro' })),
    notifyButton);
  const booths = h('section', { class: 'booths-section', testid: 'booths' },
    h('h2', { class: 'section-title', i18n: 'booths.title' }),
    searchForm,
    filtersEl,
    searchError.el,
    resultsCount,
    resultsGrid,
    pager);
  // On a phone the search comes first (in the first screen), then the stage, what is
  // recommended, who is online and the fair's figures; the order on the page is the order
  // read and tabbed.
  // Matchmaking (buyers): the companies that want to meet this buyer.
  const wantsEl = me.role === 'buyer' ? wantsToMeetSection(ctx, { forBuyer: true, testid: 'lobby-wants' }).el : null;
  const phone = window.matchMedia('(max-width: 560px)').matches;
  root.append(h('main', { class: ['lobby', phone && 'is-phone'], testid: 'lobby' },
    phone
      ? [welcome, loadError.el, h('div', { class: 'lobby-grid' }, booths), stage.el, wantsEl, recsSection, onlinePanel, statsEl]
      : [welcome, statsEl, loadError.el, stage.el, wantsEl, recsSection, h('div', { class: 'lobby-grid' }, onlinePanel, booths)]));

  // ------------------------------------------------------------ results
  async function search() {
    const seq = ++searchSeq;
    rememberFilters(filters);
    resultsGrid.setAttribute('aria-busy', 'true');
    resultsGrid.classList.add('is-loading');
    try {
      const page = await api.booths({ ...filters, per_page: PER_PAGE, lang: getLang() });
      if (seq !== searchSeq || disposed) return;
      searchError.hide();
      results = page;
      // A page past the end (the results shrank): go to the last one that exists.
      const pages = Math.max(1, Math.ceil((page.total || 0) / (page.per_page || PER_PAGE)));
      if ((page.booths || []).length === 0 && page.total > 0 && filters.page > pages) {
        filters.page = pages;
        search();
        return;
      }
      renderResults();
    } catch (error) {
      if (seq !== searchSeq || disposed) return;
      if (ctx.handleAuthError(error)) return;
      searchError.show(error);
      replaceChildren(resultsGrid);
      resultsCount.textContent = '';
      pager.hidden = true;
    } finally {
      if (seq === searchSeq) {
        resultsGrid.setAttribute('aria-busy', 'false');
        resultsGrid.classList.remove('is-loading');
      }
    }
  }

  function renderResults() {
    if (!results) return;
    const booths = results.booths || [];
    const total = results.total ?? booths.length;
    resultsCount.dataset.total = String(total);
    resultsCount.dataset.i18n = 'booths.count';
    resultsCount.dataset.i18nArgs = JSON.stringify({ count: total });
    resultsCount.textContent = t('booths.count', { count: total });
    if (!booths.length) {
      replaceChildren(resultsGrid, h('div', { class: 'empty-state', testid: 'booths-empty' },
        h('p', { i18n: 'booths.empty' }),
        h('button', { type: 'button', class: 'btn btn-ghost btn-small', i18n: 'filter.clear', on: { click: () => bar.clear() } })));
    } else {
      replaceChildren(resultsGrid, booths.map((booth) => boothCard(booth)));
      bar.fillTags(booths.flatMap((b) => b.company.tags || []));
    }
    renderPager(total);
  }

  function renderPager(total) {
    const perPage = results.per_page || PER_PAGE;
    const pages = Math.max(1, Math.ceil(total / perPage));
    const page = Math.min(results.page || filters.page || 1, pages);
    pager.hidden = pages <= 1;
    const go = (n) => () => {
      filters = { ...filters, page: n };
      search();
      resultsGrid.closest('.booths-section')?.scrollIntoView({ block: 'start', behavior: 'smooth' });
    };
    replaceChildren(pager,
      h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'pager-prev', disabled: page <= 1, i18n: 'pager.prev', on: { click: go(page - 1) } }),
      h('span', { class: 'pager-pos', testid: 'pager-pos', dataset: { page: String(page), pages: String(pages) }, i18n: 'pager.pos', i18nArgs: { page, pages } }),
      h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'pager-next', disabled: page >= pages, i18n: 'pager.next', on: { click: go(page + 1) } }));
  }

  // ------------------------------------------------------------ recommendations (buyers)
  async function loadRecommendations() {
    if (me.role !== 'buyer') return;
    const seq = ++recsSeq;
    try {
      const data = await api.recommendations(getLang());
      if (seq !== recsSeq || disposed) return;
      const recs = data?.recommendations || [];
      recsSection.hidden = recs.length === 0;
      replaceChildren(recsStrip, recs.map((rec) => boothCard(rec.booth, { reason: recommendationReason(rec.reason), testid: 'rec-card' })));
    } catch (error) {
      if (ctx.handleAuthError(error)) return;
      // 403 (not a buyer) or anything else: the strip is a bonus, so it just stays away.
      recsSection.hidden = true;
    }
  }

  // ------------------------------------------------------------ fair numbers and halls
  function renderStats() {
    if (!fair) return;
    replaceChildren(statsEl, STATS.map(([field, key]) =>
      h('div', { class: 'stat', testid: `stat-${field}` },
        h('span', { class: 'stat-value', text: formatNumber(fair[field] ?? 0) }),
        h('span', { class: 'stat-label', i18n: key }))));
  }

  async function load() {
    loadError.hide();
    try {
      const [fairData, hallData] = await Promise.all([api.fair(), api.halls()]);
      if (disposed) return;
      fair = fairData;
      ctx.setFair(fairData);
      halls = hallData.halls || [];
      renderStats();
      bar.fillHalls();
    } catch (error) {
      if (ctx.handleAuthError(error)) return;
      loadError.show(error);
    }
  }

  // ------------------------------------------------------------ online now
  function renderOnline() {
    const users = presence.users();
    const count = presence.count;
    onlineCount.textContent = String(count);
    onlineCount.dataset.count = String(count);
    if (!users.length) {
      replaceChildren(onlineList, h('li', { class: 'muted small empty', i18n: 'online.empty' }));
      return;
    }
    const before = shownUsers;
    // A crowded fair lists its first hundred (staff and organizers first) and counts the rest.
    const shown = users.slice(0, ONLINE_SHOWN);
    shownUsers = new Set(shown.map(({ user }) => user.id));
    const more = count - shown.length;
    replaceChildren(onlineList, shown.map(({ user, connections, since_ms: since }) => {
      const self = user.id === me.id;
      return h('li', {
        class: ['online-item', self && 'is-self', snapshotSeen && before.size && !before.has(user.id) && 'is-new'],
        testid: 'online-user',
        dataset: { userId: String(user.id), role: user.role, connections: String(connections) },
        title: t('online.since', { time: formatTime(since) }),
      },
      h('span', { class: `avatar role-${user.role}`, text: initials(user.name), attrs: { 'aria-hidden': 'true' } }),
      h('div', { class: 'online-main' },
        h('div', { class: 'online-name' },
          user.anonymous
            ? h('span', { class: 'name', testid: 'online-user-name', i18n: 'presence.visitor' })
            : h('span', { class: 'name', testid: 'online-user-name', text: user.name }),
          self ? h('span', { class: 'you', text: `(${t('online.you')})` }) : null),
        h('div', { class: 'online-meta' },
          roleBadge(user.role),
          user.company_id && user.role === 'exhibitor' && user.company_name
            ? h('a', { class: 'online-company', href: `#/booth/${user.company_id}`, text: user.company_name })
            : user.company_name ? h('span', { class: 'online-company', text: user.company_name }) : null,
          user.country ? h('span', { class: 'country', text: user.country, title: countryName(user.country) }) : null,
          connections > 1 ? h('span', { class: 'muted small', text: t('online.tabs', { count: connections }) }) : null)));
    }).concat(more > 0
      ? [h('li', { class: 'muted small online-more', testid: 'online-more', text: t('online.more', { count: more }) })]
      : []));
  }

  // ------------------------------------------------------------ live updates
  const refetchResults = debounce(() => search(), 400);
  const refetchRecs = debounce(() => loadRecommendations(), 400);

  // A crowded lobby announces counts, not names: now and then (spread over a while, so that
  // thousands of viewers do not ask at once) a fresh sample replaces names that have left.
  let resampling = null;
  function resample() {
    if (resampling) return;
    resampling = setTimeout(() => {
      session.hub.request(COMMANDS.PRESENCE, { room: ROOMS.LOBBY }).then((data) => {
        resampling = null;
        if (disposed) return;
        presence.reset(data.members || [], data.total);
        renderOnline();
      }, () => { resampling = null; });
    }, 5_000 + Math.random() * 25_000);
  }

  function onLobbyEvent(event) {
    switch (event?.kind) {
      case EVENTS.JOIN:
      case EVENTS.LEAVE:
      case EVENTS.PRESENCE_DIFF:
      case EVENTS.PRESENCE_COUNT:
        if (presence.apply(event)) renderOnline();
        if (presence.stale) resample();
        break;
      case EVENTS.BOOTH_LIVE:
        applyLiveToCards(root, event.live);
        break;
      case EVENTS.SHOW_LIVE:
      case EVENTS.SHOW_ENDED:
        stage.onEvent(event);
        break;
      case EVENTS.BOOTH_UPDATED: {
        const id = String(event.company_id);
        if (resultsGrid.querySelector(`[data-company-id="${CSS.escape(id)}"]`)) refetchResults();
        if (recsStrip.querySelector(`[data-company-id="${CSS.escape(id)}"]`)) refetchRecs();
        break;
      }
      default:
        break;
    }
  }

  renderStats();
  load();
  search();
  loadRecommendations();

  const unsubscribe = session.hub.subscribe(ROOMS.LOBBY, {
    onSnapshot(members, total) {
      onlineError.hidden = true;
      // A snapshot after a reconnect: events were missed, so the cards may be stale.
      if (snapshotSeen && results) refetchResults();
      if (snapshotSeen) stage.refresh();
      snapshotSeen = true;
      presence.reset(members, total);
      renderOnline();
    },
    onEvent: onLobbyEvent,
    onError(error) {
      showError(onlineError, error);
    },
  });

  // While the hub reconnects, the list may be out of date: show it dimmed.
  const markStale = (status) => onlinePanel.classList.toggle('is-stale', status !== 'connected');
  markStale(session.hub.status);
  const offStatus = session.hub.on('status', markStale);

  const offLang = onLangChange(() => {
    if (snapshotSeen) renderOnline();
    if (fair) renderStats();
    bar.relabel();
    // Booth texts come in the viewer's language where the booth has them.
    search();
    loadRecommendations();
    stage.refresh();
  });

  return () => {
    disposed = true;
    bar.cancel();
    refetchResults.cancel();
    refetchRecs.cancel();
    clearTimeout(resampling);
    stage.dispose();
    unsubscribe();
    offStatus();
    offLang();
  };
}
