// views/leads.js — a booth's leads (#/leads for exhibitors; organizers: #/leads/{company_id}):
// the buyers who visited and agreed to share their contact, how often and how long they
// stayed, and what they opened; counts for the visitors who stayed anonymous; a CSV
// download (a plain same-origin link: the session cookie authenticates it). Times are
// shown in the viewer's own time zone. A visitor entering or leaving the booth (booth_live
// in the room booth:{id}) refreshes the table.

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { countryName, formatNumber, formatTime, onLangChange, t } from '../i18n.js';
import {
  forbiddenPage, formatDateTime, formatDuration, languageChips, pageError, viewerTimeZone, whereLine,
} from './common.js';

const KIND_ORDER = { brochure: 0, product: 1, video: 2, photo: 3 };

export function mountLeads(root, ctx, params, arg) {
  const { session } = ctx;
  const me = session.user;
  if (me.role !== 'exhibitor' && me.role !== 'organizer') {
    forbiddenPage(root, 'leads.onlyExhibitors');
    return null;
  }
  if (me.role === 'organizer' && !arg) {
    ctx.navigate('#/console');
    return null;
  }
  const companyId = Number(arg || me.company_id);
  if (!Number.isSafeInteger(companyId) || companyId <= 0) {
    forbiddenPage(root, 'console.noCompany');
    return null;
  }

  let report = null;
  let loadedAt = null;
  let seq = 0;
  let disposed = false;
  let refreshTimer = null;

  const companyEl = h('p', { class: 'muted', testid: 'leads-company' });
  const refreshButton = h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'leads-refresh', i18n: 'leads.refresh', on: { click: () => load() } });
  const csvLink = h('a', {
    class: 'btn btn-primary btn-small', testid: 'leads-csv', href: api.leadsCsvUrl(companyId),
    i18n: 'leads.csv', attrs: { download: `leads-${companyId}.csv` },
  });
  const error = pageError('leads-error', () => load());
  const summaryEl = h('section', { class: 'stats stats-4', testid: 'leads-summary' });
  const zoneEl = h('p', { class: 'muted small', testid: 'leads-zone' });
  const tableWrap = h('div', { class: 'table-wrap card', testid: 'leads-table-wrap' }, h('p', { class: 'muted', i18n: 'common.loading' }));

  root.append(h('main', { class: 'page leads-page', testid: 'leads', dataset: { companyId: String(companyId) } },
    h('div', { class: 'page-top' },
      h('div', {}, h('h1', { i18n: 'leads.title' }), companyEl),
      h('span', { class: 'page-top-actions' },
        h('a', { class: 'btn btn-ghost btn-small', href: me.role === 'organizer' ? `#/console/${companyId}` : '#/console', i18n: 'nav.myBoothShort' }),
        refreshButton,
        csvLink)),
    error.el,
    summaryEl,
    zoneEl,
    tableWrap));

  function stat(testid, value, key) {
    return h('div', { class: 'stat', testid },
      h('span', { class: 'stat-value', text: formatNumber(value ?? 0) }),
      h('span', { class: 'stat-label', i18n: key }));
  }

  /** What a lead opened, one line per item (opened again: "×3"), first opened first. */
  function openedList(items) {
    if (!items?.length) return h('span', { class: 'muted small', text: '—' });
    const byItem = new Map();
    for (const item of items) {
      const key = `${item.kind}:${item.item_id}`;
      const seen = byItem.get(key);
      if (seen) {
        seen.times += 1;
        seen.first = Math.min(seen.first, item.opened_ms);
        seen.last = Math.max(seen.last, item.opened_ms);
      } else {
        byItem.set(key, { ...item, times: 1, first: item.opened_ms, last: item.opened_ms });
      }
    }
    const sorted = [...byItem.values()].sort((a, b) => (KIND_ORDER[a.kind] ?? 9) - (KIND_ORDER[b.kind] ?? 9) || a.first - b.first);
    return h('ul', { class: 'opened-list', testid: 'lead-opened' }, sorted.map((item) => h('li', {
      dataset: { kind: item.kind, itemId: String(item.item_id), times: String(item.times) },
      title: item.times > 1 ? `${formatDateTime(item.first)} – ${formatDateTime(item.last)}` : formatDateTime(item.first),
    },
    h('span', { class: `kind-badge kind-${item.kind}`, i18n: `leads.kind.${item.kind}` }),
    h('span', { class: 'opened-title', text: item.title || `#${item.item_id}` }),
    item.times > 1 ? h('span', { class: 'opened-times', text: `×${item.times}` }) : null,
    h('time', { class: 'muted small', attrs: { datetime: new Date(item.last).toISOString() }, text: formatTime(item.last) }))));
  }

  function render() {
    if (!report) return;
    const leads = [...(report.leads || [])].sort((a, b) => b.last_visit_ms - a.last_visit_ms);
    replaceChildren(summaryEl,
      stat('leads-count', leads.length, 'leads.count'),
      stat('leads-total-visits', report.total_visits, 'leads.totalVisits'),
      stat('leads-anon-visitors', report.anonymous_visitors, 'leads.anonVisitors'),
      stat('leads-anon-visits', report.anonymous_visits, 'leads.anonVisits'));
    zoneEl.textContent = t('leads.zone', { zone: viewerTimeZone(), time: loadedAt ? formatTime(loadedAt) : '' });
    if (!leads.length) {
      replaceChildren(tableWrap, h('div', { class: 'empty-state', testid: 'leads-empty' },
        h('p', { i18n: 'leads.empty' }),
        h('p', { class: 'muted small', i18n: 'leads.emptyHint' })));
      return;
    }
    const th = (key, cls) => h('th', { scope: 'col', class: cls, i18n: key });
    replaceChildren(tableWrap, h('table', { class: 'leads-table', testid: 'leads-table' },
      h('thead', {}, h('tr', {},
        th('leads.col.visitor'), th('leads.col.profile'), th('leads.col.visits', 'num'), th('leads.col.first'),
        th('leads.col.last'), th('leads.col.dwell', 'num'), th('leads.col.opened'))),
      h('tbody', {}, leads.map((lead) => h('tr', { testid: 'lead-row', dataset: { userId: String(lead.user_id) } },
        h('td', {}, h('div', { class: 'lead-who' },
          h('strong', { class: 'lead-name', testid: 'lead-name', text: lead.name }),
          lead.email ? h('a', { class: 'small', href: `mailto:${lead.email}`, testid: 'lead-email', text: lead.email }) : null,
          lead.company_name ? h('span', { class: 'small', testid: 'lead-company', text: lead.company_name }) : null,
          lead.country ? h('span', { class: 'muted small', testid: 'lead-country', title: lead.country, text: countryName(lead.country) }) : null)),
        h('td', {}, h('div', { class: 'lead-profile' },
          languageChips(lead.languages),
          h('span', { class: 'tags' }, (lead.interests || []).map((tag) => {
            const key = `interest.${tag}`;
            return h('span', { class: 'tag', text: t(key) !== key ? t(key) : tag });
          })))),
        h('td', { class: 'num', testid: 'lead-visits', text: formatNumber(lead.visits) }),
        h('td', { class: 'nowrap', testid: 'lead-first', text: formatDateTime(lead.first_visit_ms) }),
        h('td', { class: 'nowrap', testid: 'lead-last', text: formatDateTime(lead.last_visit_ms) }),
        h('td', { class: 'num nowrap', testid: 'lead-dwell', dataset: { ms: String(lead.dwell_ms) }, text: formatDuration(lead.dwell_ms) }),
        h('td', {}, openedList(lead.opened)))))));
  }

  async function load() {
    const mine = ++seq;
    refreshButton.disabled = true;
    try {
      const [data, company] = await Promise.all([
        api.leads(companyId),
        companyEl.textContent ? null : api.company(companyId).catch(() => null),
      ]);
      if (mine !== seq || disposed) return;
      error.hide();
      report = data;
      loadedAt = Date.now();
      if (company) companyEl.textContent = `${company.company.name} · ${whereLine(company.company, company.hall_name)}`;
      render();
      tableWrap.dataset.loaded = String(Number(tableWrap.dataset.loaded || 0) + 1);
    } catch (e) {
      if (mine !== seq || disposed) return;
      if (ctx.handleAuthError(e)) return;
      error.show(e);
      if (!report) replaceChildren(tableWrap);
    } finally {
      if (mine === seq) refreshButton.disabled = false;
    }
  }

  load();

  // Someone came or went: their visit is in the leads now (after a short pause).
  const unsubscribe = session.hub.subscribe(`booth:${companyId}`, {
    onEvent(event) {
      if (event?.kind !== 'booth_live') return;
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(load, 1500);
    },
    onError(e) {
      console.warn(`booth:${companyId} subscription refused`, e);
    },
  });
  const offLang = onLangChange(() => render());

  return () => {
    disposed = true;
    clearTimeout(refreshTimer);
    unsubscribe();
    offLang();
  };
}
