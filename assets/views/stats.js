// views/stats.js — a company's own figures (#/stats for exhibitor staff: their company;
// organizers: #/stats/{company_id}, and #/stats alone lists the booths to pick from), for a
// range of fair days (empty: the whole fair): booth visits, unique visitors, onsite visits
// (badge scans at the booth), time spent in the booth, leads, meetings by state (with a
// chart), consultation and contract amounts, and the tables behind them — meetings and
// amounts by buyer country, interpreters, and (when there is any) what stage shows brought the
// company: quote and sample requests and meetings booked from each. From GET /api/v1/companies/{id}/stats: the
// report's sections filtered to the company (another company's figures are refused).

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { onLangChange } from '../i18n.js';
import { chartUnavailable, countScale, loadCharts, makeChart, STATE_COLORS } from './charts.js';
import { forbiddenPage, pageError, whereLine } from './common.js';
import {
  figureTile, figureValue, meetingStateLabel, rangeForm, rangeFromParams, rememberRange, section,
  sectionTable, sectionTitle,
} from './report-parts.js';

const VISIT_FIGURES = ['visits', 'unique_visitors', 'onsite_visits', 'dwell_minutes', 'avg_dwell_minutes', 'leads_with_contact'];
const MEETING_FIGURES = ['requested', 'confirmed', 'held', 'no_show', 'declined', 'cancelled', 'expired', 'with_interpreter'];
const CHART_STATES = ['confirmed', 'held', 'no_show', 'declined', 'cancelled', 'expired'];
const AMOUNT_FIGURES = ['meetings_with_outcome', 'consult_usd', 'contract_usd', 'mou_signed', 'samples_requested'];
const TABLES = ['meetings_by_country', 'amounts_by_country', 'interpreters', 'shows'];
/** Tables shown only when they have rows (most companies host no show and get no requests from one). */
const OPTIONAL_TABLES = new Set(['shows']);

/** Column totals of a section: {column: sum} over its numeric cells. */
function totals(data) {
  const out = {};
  for (const row of data.rows || []) {
    data.columns.forEach((name, i) => {
      if (typeof row[i] === 'number') out[name] = (out[name] || 0) + row[i];
    });
  }
  return out;
}

/** The first row of a section as {column: value}. */
function firstRow(data) {
  const row = data.rows?.[0];
  return row ? Object.fromEntries(data.columns.map((name, i) => [name, row[i]])) : {};
}

// ---------------------------------------------------------------- organizers: pick a booth

function mountPicker(root, ctx) {
  const list = h('ul', { class: 'picker-list', testid: 'stats-picker' }, h('li', { class: 'muted', i18n: 'common.loading' }));
  const error = pageError('stats-error', () => load());
  root.append(h('main', { class: 'page', testid: 'company-stats' },
    h('h1', { i18n: 'cstats.pickTitle' }),
    h('p', { class: 'muted', i18n: 'cstats.pickIntro' }),
    error.el,
    h('section', { class: 'card' }, list)));
  async function load() {
    error.hide();
    try {
      const [companies, halls] = await Promise.all([api.companies(), api.halls()]);
      const hallNames = new Map((halls.halls || []).map((hall) => [hall.id, hall.name]));
      replaceChildren(list, (companies.companies || []).map((c) => h('li', { class: 'picker-row', dataset: { companyId: String(c.id) } },
        h('span', { class: 'picker-name' }, h('strong', { text: c.name }), h('span', { class: 'muted small', text: whereLine(c, hallNames.get(c.hall_id)) })),
        h('span', { class: 'picker-actions' },
          h('a', { class: 'btn btn-ghost btn-small', href: `#/stats/${c.id}`, testid: 'stats-open', i18n: 'cstats.open' }),
          h('a', { class: 'btn btn-ghost btn-small', href: `#/leads/${c.id}`, i18n: 'nav.leads' })))));
    } catch (e) {
      if (ctx.handleAuthError(e)) return;
      error.show(e);
    }
  }
  load();
  return null;
}

// ---------------------------------------------------------------- one company's figures

export function mountStats(root, ctx, params, arg) {
  const { session } = ctx;
  const me = session.user;
  if (me.role !== 'exhibitor' && me.role !== 'organizer') {
    forbiddenPage(root, 'cstats.onlyExhibitors');
    return null;
  }
  if (me.role === 'organizer' && !arg) return mountPicker(root, ctx);
  const companyId = Number(arg || me.company_id);
  if (!Number.isSafeInteger(companyId) || companyId <= 0) {
    forbiddenPage(root, 'console.noCompany');
    return null;
  }
  const base = arg ? `/stats/${companyId}` : '/stats';

  let range = rangeFromParams(params);
  let report = null;
  let chart = null;
  let chartFailed = false;
  let disposed = false;
  let seq = 0;

  const companyEl = h('p', { class: 'muted', testid: 'cstats-company' });
  const error = pageError('cstats-error', () => load());
  const form = rangeForm({
    testid: 'cstats-range',
    range,
    onApply(next) {
      range = next;
      rememberRange(base, range);
      load();
    },
  });
  const visitsEl = h('div', { class: 'stats stats-auto', testid: 'cstats-visits' });
  const meetingsEl = h('div', { class: 'stats stats-4', testid: 'cstats-meetings' });
  const amountsEl = h('div', { class: 'stats stats-auto', testid: 'cstats-amounts' });
  const canvas = h('canvas', { testid: 'chart-company-meetings-canvas', attrs: { role: 'img' } });
  const chartBox = h('div', { class: 'chart-box' }, canvas);
  const tablesEl = h('div', { class: 'report-sections' });
  const body = h('div', { class: 'report-body', testid: 'cstats-body' }, h('p', { class: 'muted', i18n: 'common.loading' }));
  const content = [
    h('section', { class: 'card' }, h('h2', { i18n: 'cstats.visitsTitle' }), visitsEl),
    h('div', { class: 'stats-split' },
      h('section', { class: 'card' }, h('h2', { i18n: 'cstats.meetingsTitle' }), meetingsEl),
      h('section', { class: 'card chart-card', testid: 'chart-company-meetings' }, h('h2', { i18n: 'cstats.meetingsChart' }), chartBox)),
    h('section', { class: 'card' }, h('h2', { i18n: 'cstats.amountsTitle' }), amountsEl),
    tablesEl,
  ];

  const page = h('main', { class: 'page company-stats-page', testid: 'company-stats', dataset: { companyId: String(companyId) } },
    h('div', { class: 'page-top' },
      h('div', {}, h('h1', { i18n: 'cstats.title' }), companyEl),
      h('span', { class: 'page-top-actions' },
        h('a', { class: 'btn btn-ghost btn-small', href: arg ? `#/leads/${companyId}` : '#/leads', i18n: 'nav.leads' }),
        h('a', { class: 'btn btn-ghost btn-small', href: arg ? `#/console/${companyId}` : '#/console', i18n: 'nav.myBoothShort' }),
        h('a', { class: 'btn btn-ghost btn-small', href: '#/scanner', i18n: 'nav.scanner' }))),
    form.el,
    error.el,
    body);
  root.append(page);

  function renderChart() {
    if (!report) return;
    const sums = totals(section(report, 'meetings_by_country'));
    const labels = CHART_STATES.map(meetingStateLabel);
    const values = CHART_STATES.map((state) => sums[state] || 0);
    if (chart) chart.set(labels, values, { colors: CHART_STATES.map((state) => STATE_COLORS[state]) });
    else if (chartFailed) chartUnavailable(chartBox);
  }

  function render() {
    form.refresh();
    if (!report) return;
    if (!body.contains(visitsEl)) replaceChildren(body, content);
    const booth = firstRow(section(report, 'booths'));
    if (booth.company && !companyEl.textContent) companyEl.textContent = booth.company;
    replaceChildren(visitsEl, VISIT_FIGURES.map((name) => figureTile(`cstat-${name}`, booth[name] ?? 0, `report.col.${name}`, {
      text: figureValue(name, booth[name] ?? 0),
    })));
    const meetings = totals(section(report, 'meetings_by_country'));
    replaceChildren(meetingsEl, MEETING_FIGURES.map((name) => figureTile(`cstat-meetings-${name}`, meetings[name] ?? 0, `cstats.meetings.${name}`)));
    const amounts = totals(section(report, 'amounts_by_country'));
    replaceChildren(amountsEl, AMOUNT_FIGURES.map((name) => figureTile(`cstat-${name}`, amounts[name] ?? 0, `report.col.${name}`, {
      text: figureValue(name, amounts[name] ?? 0),
    })));
    const tables = TABLES.filter((name) => !OPTIONAL_TABLES.has(name) || section(report, name).rows.length);
    replaceChildren(tablesEl, tables.map((name) => {
      const data = section(report, name);
      return h('section', { class: 'card report-section', testid: 'report-section', dataset: { section: name, rows: String(data.rows.length) } },
        h('div', { class: 'section-head' }, h('h2', { text: sectionTitle(name) })),
        h('div', { class: 'table-wrap table-scroll', attrs: { tabindex: '0' } }, sectionTable(data)));
    }));
    renderChart();
    page.dataset.loaded = String(Number(page.dataset.loaded || 0) + 1);
  }

  async function load() {
    const mine = ++seq;
    form.setBusy(true);
    body.classList.add('is-loading');
    try {
      const [data, company] = await Promise.all([
        api.companyStats(companyId, { from: range.from, to: range.to }),
        companyEl.dataset.full ? null : api.company(companyId).catch(() => null),
      ]);
      if (disposed || mine !== seq) return;
      error.hide();
      report = data;
      if (company) {
        companyEl.textContent = `${company.company.name} · ${whereLine(company.company, company.hall_name)}`;
        companyEl.dataset.full = 'true';
      }
      render();
    } catch (e) {
      if (disposed || mine !== seq) return;
      if (ctx.handleAuthError(e)) return;
      error.show(e);
      if (!report) replaceChildren(body);
    } finally {
      if (mine === seq) {
        form.setBusy(false);
        body.classList.remove('is-loading');
      }
    }
  }

  async function startChart() {
    chart = await loadCharts({ host: page, boxes: [chartBox], isDisposed: () => disposed }, (Chart) => makeChart(Chart, canvas, {
      type: 'bar',
      options: { scales: { x: { grid: { display: false } }, y: countScale({ suggestedMax: 4 }) } },
      datasetOptions: { borderRadius: 6, maxBarThickness: 42 },
    }));
    if (chart) renderChart();
    else chartFailed = !disposed;
  }

  load();
  startChart();
  const offLang = onLangChange(() => render());

  return () => {
    disposed = true;
    offLang();
    chart?.destroy();
  };
}
