// views/lobby.js — the lobby (#/lobby): a welcome, the fair's numbers, every hall as a card
// listing its exhibitors (a click opens the company's booth panel), and "Online now", fed
// live by the websocket's `lobby` room.

import { api } from '../api.js';
import { h, replaceChildren, tr } from '../dom.js';
import { countryName, formatNumber, formatTime, onLangChange, t } from '../i18n.js';
import { Presence } from '../presence.js';
import { showError } from './forms.js';

const STATS = [
  ['halls', 'stats.halls'],
  ['companies', 'stats.companies'],
  ['products', 'stats.products'],
  ['buyers', 'stats.buyers'],
  ['interpreters', 'stats.interpreters'],
  ['buyer_countries', 'stats.countries'],
];

/** Initials for an avatar: first letters of the first two words. */
export function initials(name) {
  return String(name || '?').trim().split(/\s+/).slice(0, 2)
    .map((word) => Array.from(word)[0] || '').join('').toUpperCase() || '?';
}

/** A role badge, translated. */
export function roleBadge(role, testid) {
  return h('span', { class: `badge role-${role}`, testid, i18n: `role.${role}` });
}

/** A URL safe to link to (http or https only), or null. */
function safeUrl(value) {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

export function mountLobby(root, ctx) {
  const { session } = ctx;
  const me = session.user;
  const presence = new Presence();
  let halls = [];
  let companies = [];
  let fair = session.fair;

  const statsEl = h('section', { class: 'stats', testid: 'fair-stats', attrs: { 'aria-label': 'Fair' } });
  const hallsEl = h('div', { class: 'halls-grid', testid: 'halls' },
    h('p', { class: 'muted', i18n: 'common.loading' }));
  const loadMessage = h('span', {});
  const loadError = h('div', { class: 'alert alert-error alert-row', testid: 'lobby-error', attrs: { role: 'alert' }, hidden: true },
    h('span', {}, h('strong', { i18n: 'lobby.loadError' }), ' ', loadMessage),
    h('button', { type: 'button', class: 'btn btn-ghost', i18n: 'common.retry', on: { click: () => load() } }));
  let snapshotSeen = false;
  let onlinePanel = null;
  let shownUsers = new Set(); // user ids in the list now, so only newcomers animate in

  const onlineCount = h('span', { class: 'count-pill', testid: 'online-count', text: '–' });
  const onlineList = h('ul', { class: 'online-list', testid: 'online-list', attrs: { 'aria-live': 'polite' } });
  const onlineError = h('div', { class: 'alert alert-error small', testid: 'online-error', hidden: true });

  const dialog = h('dialog', { class: 'drawer', testid: 'company-detail' });
  dialog.addEventListener('click', (event) => {
    if (event.target === dialog) dialog.close(); // a click on the backdrop
  });

  root.append(h('main', { class: 'lobby', testid: 'lobby' },
    h('section', { class: 'welcome' },
      h('div', {},
        h('h1', { testid: 'lobby-welcome', i18n: 'lobby.welcome', i18nArgs: { name: me.name } }),
        h('p', { class: 'muted', i18n: 'lobby.intro' }))),
    statsEl,
    loadError,
    h('div', { class: 'lobby-grid' },
      onlinePanel = h('aside', { class: 'card online-panel', testid: 'online-panel' },
        h('div', { class: 'panel-head' },
          h('h2', {}, h('span', { class: 'live-dot', attrs: { 'aria-hidden': 'true' } }), tr('online.title')),
          onlineCount),
        onlineError,
        onlineList),
      h('section', { class: 'halls-section' },
        h('h2', { class: 'section-title', i18n: 'halls.title' }),
        hallsEl)),
    dialog));

  function renderStats() {
    if (!fair) return;
    replaceChildren(statsEl, STATS.map(([field, key]) =>
      h('div', { class: 'stat', testid: `stat-${field}` },
        h('span', { class: 'stat-value', text: formatNumber(fair[field] ?? 0) }),
        h('span', { class: 'stat-label', i18n: key }))));
  }

  function companyRow(company) {
    return h('li', {},
      h('button', {
        type: 'button', class: 'company-row', testid: 'company-row',
        dataset: { companyId: String(company.id) },
        on: { click: () => openCompany(company.id) },
      },
      h('span', { class: 'company-name', text: company.name }),
      h('span', { class: 'company-region', text: company.region || countryName(company.country) }),
      company.tagline ? h('span', { class: 'company-tagline', text: company.tagline }) : null,
      h('span', { class: 'tags' }, (company.tags || []).map((tag) => h('span', { class: 'tag', text: tag })))));
  }

  function renderHalls() {
    const byHall = new Map(halls.map((hall) => [hall.id, []]));
    for (const company of companies) byHall.get(company.hall_id)?.push(company);
    replaceChildren(hallsEl, halls.map((hall) => {
      const list = (byHall.get(hall.id) || []).sort((a, b) => a.name.localeCompare(b.name));
      const industryKey = `interest.${hall.industry}`;
      return h('article', { class: 'card hall-card', testid: 'hall-card', dataset: { hallId: String(hall.id) } },
        h('header', { class: 'hall-head' },
          h('div', {},
            h('h3', { class: 'hall-name', text: hall.name }),
            t(industryKey) !== industryKey
              ? h('span', { class: 'hall-industry', i18n: industryKey })
              : h('span', { class: 'hall-industry', text: hall.industry })),
          h('span', { class: 'count-pill muted-pill', i18n: 'hall.companies', i18nArgs: { count: hall.company_count ?? list.length } })),
        list.length
          ? h('ul', { class: 'company-list' }, list.map(companyRow))
          : h('p', { class: 'muted small', i18n: 'hall.empty' }));
    }));
  }

  function renderOnline() {
    const users = presence.users();
    onlineCount.textContent = String(users.length);
    onlineCount.dataset.count = String(users.length);
    if (!users.length) {
      replaceChildren(onlineList, h('li', { class: 'muted small empty', i18n: 'online.empty' }));
      return;
    }
    const before = shownUsers;
    shownUsers = new Set(users.map(({ user }) => user.id));
    replaceChildren(onlineList, users.map(({ user, connections, since_ms: since }) => {
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
          h('span', { class: 'name', testid: 'online-user-name', text: user.name }),
          self ? h('span', { class: 'you', text: `(${t('online.you')})` }) : null),
        h('div', { class: 'online-meta' },
          roleBadge(user.role),
          user.company_name ? h('span', { class: 'online-company', text: user.company_name }) : null,
          user.country ? h('span', { class: 'country', text: user.country, title: countryName(user.country) }) : null,
          connections > 1 ? h('span', { class: 'muted small', text: t('online.tabs', { count: connections }) }) : null)));
    }));
  }

  async function openCompany(id) {
    const closeButton = h('button', { type: 'button', class: 'btn btn-ghost icon-close', testid: 'company-close',
      i18nAttr: { 'aria-label': 'common.close' }, text: '×', on: { click: () => dialog.close() } });
    replaceChildren(dialog, h('div', { class: 'drawer-body' }, closeButton, h('p', { class: 'muted', i18n: 'common.loading' })));
    if (!dialog.open) dialog.showModal();
    try {
      const detail = await api.company(id);
      const { company, products = [], staff = [] } = detail;
      const website = safeUrl(company.website);
      replaceChildren(dialog, h('div', { class: 'drawer-body' },
        closeButton,
        h('p', { class: 'eyebrow', text: [company.region, countryName(company.country)].filter(Boolean).join(' · ') }),
        h('h2', { testid: 'company-name', text: company.name }),
        company.tagline ? h('p', { class: 'lead', text: company.tagline }) : null,
        h('p', { text: company.description || '' }),
        h('p', { class: 'meta-row' },
          company.founded_year ? h('span', { i18n: 'company.founded', i18nArgs: { year: String(company.founded_year) } }) : null,
          website ? h('a', { href: website, target: '_blank', rel: 'noopener noreferrer', text: website.replace(/^https?:\/\//, '').replace(/\/$/, '') }) : null),
        h('div', { class: 'tags' }, (company.tags || []).map((tag) => h('span', { class: 'tag', text: tag }))),
        h('h3', { i18n: 'company.products' }),
        products.length
          ? h('ul', { class: 'product-list', testid: 'company-products' }, products.map((p) =>
            h('li', {},
              h('div', { class: 'product-head' },
                h('strong', { text: p.name }),
                p.hs_code ? h('span', { class: 'hs', text: `HS ${p.hs_code}` }) : null),
              p.description ? h('p', { class: 'muted small', text: p.description }) : null)))
          : h('p', { class: 'muted small', i18n: 'company.noProducts' }),
        h('h3', { i18n: 'company.staff' }),
        staff.length
          ? h('ul', { class: 'staff-list', testid: 'company-staff' }, staff.map((s) =>
            h('li', {},
              h('span', { class: `avatar small role-${s.role}`, text: initials(s.name), attrs: { 'aria-hidden': 'true' } }),
              h('span', { text: s.name }),
              roleBadge(s.role))))
          : h('p', { class: 'muted small', i18n: 'company.noStaff' })));
    } catch (error) {
      if (ctx.handleAuthError(error)) return;
      const box = h('div', { class: 'alert alert-error' });
      showError(box, error);
      replaceChildren(dialog, h('div', { class: 'drawer-body' }, closeButton, box));
    }
  }

  async function load() {
    loadError.hidden = true;
    try {
      const [fairData, hallData, companyData] = await Promise.all([
        api.fair(), api.halls(), api.companies(),
      ]);
      fair = fairData;
      ctx.setFair(fairData);
      halls = hallData.halls || [];
      companies = companyData.companies || [];
      renderStats();
      renderHalls();
    } catch (error) {
      if (ctx.handleAuthError(error)) return;
      showError(loadMessage, error);
      loadError.hidden = false;
      replaceChildren(hallsEl);
    }
  }

  renderStats();
  load();

  const unsubscribe = session.hub.subscribe('lobby', {
    onSnapshot(members) {
      onlineError.hidden = true;
      snapshotSeen = true;
      presence.reset(members);
      renderOnline();
    },
    onEvent(event) {
      if (presence.apply(event)) renderOnline();
    },
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
  });

  return () => {
    unsubscribe();
    offStatus();
    offLang();
    if (dialog.open) dialog.close();
  };
}
