// views/reports.js — the organizers' reports (#/reports?from=YYYY-MM-DD&to=YYYY-MM-DD): a
// range of fair days (empty: the whole fair), the summary figures, the concurrency curve
// (people online over time, Chart.js, with its step), and every other section of the report
// as a table: visitors by country, booths, halls, meetings by buyer country and by hall,
// interpreters, consultation and contract amounts by country and by company, and per stage
// show its quote and sample requests and meetings booked. Each section
// downloads as CSV and the whole report as one XLSX workbook — plain same-origin links, so
// the session cookie authenticates them and the browser saves the file.
//
// The range is kept in the address (replaced, not pushed), so a reload shows the same report.

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { onLangChange, t } from '../i18n.js';
import { chartUnavailable, countScale, loadCharts, makeChart } from './charts.js';
import { forbiddenPage, pageError } from './common.js';
import {
  bucketLabel, figureTile, figureValue, rangeForm, rangeFromParams, rememberRange, section, sectionTable,
  sectionTitle,
} from './report-parts.js';

const BUCKETS = [5, 15, 30, 60, 240];
/** Sections shown as tables, in this order (any the server adds later come after them). */
const TABLE_ORDER = [
  'visitors_by_country', 'booths', 'halls', 'meetings_by_country', 'meetings_by_hall', 'interpreters',
  'amounts_by_country', 'amounts_by_company', 'shows',
];

export function mountReports(root, ctx, params) {
  const { session } = ctx;
  const me = session.user;
  if (me.role === 'exhibitor') {
    ctx.navigate('#/stats');
    return null;
  }
  if (me.role !== 'organizer') {
    forbiddenPage(root, 'dash.onlyOrganizers');
    return null;
  }

  let range = rangeFromParams(params);
  let bucketMinutes = 15;
  let report = null;
  let loadedRange = null; // the range (and step) the shown report was made for
  let chart = null;
  let chartFailed = false;
  let disposed = false;
  let seq = 0;

  const error = pageError('reports-error', () => load());
  const xlsx = h('a', {
    class: 'btn btn-primary btn-small', testid: 'reports-xlsx', href: api.reportXlsxUrl(range),
    i18n: 'reports.xlsx', attrs: { download: 'expo-report.xlsx' },
  });
  const form = rangeForm({
    testid: 'reports-range',
    range,
    onApply(next) {
      range = next;
      rememberRange('/reports', range);
      load();
    },
  });
  const summaryCsv = csvLink('summary');
  const summaryEl = h('div', { class: 'stats stats-auto report-figures', testid: 'report-summary' });
  const summaryCard = h('section', { class: 'card report-section', testid: 'report-section', dataset: { section: 'summary' } },
    h('div', { class: 'section-head' }, h('h2', { i18n: 'report.section.summary' }), summaryCsv),
    summaryEl);

  const canvas = h('canvas', { testid: 'chart-concurrency-canvas', attrs: { role: 'img' } });
  const chartBox = h('div', { class: 'chart-box chart-box-tall' }, canvas);
  const peakEl = h('p', { class: 'muted small', testid: 'concurrency-peak' });
  const bucketSelect = h('select', {
    testid: 'concurrency-step', i18nAttr: { 'aria-label': 'reports.step' },
    on: {
      change: (event) => {
        bucketMinutes = Number(event.target.value);
        load();
      },
    },
  }, BUCKETS.map((m) => h('option', { value: String(m), i18n: 'reports.stepMinutes', i18nArgs: { count: m } })));
  bucketSelect.value = String(bucketMinutes);
  const concurrencyCsv = csvLink('concurrency');
  const concurrencyTable = h('div', { class: 'table-wrap table-scroll', attrs: { tabindex: '0' } });
  const concurrencyCard = h('section', { class: 'card report-section chart-card', testid: 'report-section', dataset: { section: 'concurrency' } },
    h('div', { class: 'section-head' },
      h('h2', { i18n: 'report.section.concurrency' }),
      h('span', { class: 'section-tools' },
        h('label', { class: 'inline-field' }, h('span', { class: 'muted small', i18n: 'reports.step' }), bucketSelect),
        concurrencyCsv)),
    peakEl,
    chartBox,
    h('details', { class: 'report-details' }, h('summary', { i18n: 'reports.showTable' }), concurrencyTable));
  const sectionsEl = h('div', { class: 'report-sections', testid: 'report-sections' });

  const page = h('main', { class: 'page reports-page', testid: 'reports' },
    h('div', { class: 'page-top' },
      h('div', {}, h('h1', { i18n: 'reports.title' }), h('p', { class: 'muted', i18n: 'reports.intro' })),
      h('span', { class: 'page-top-actions' },
        h('a', { class: 'btn btn-ghost btn-small', href: '#/dashboard', i18n: 'nav.dashboard' }),
        xlsx)),
    form.el,
    error.el,
    h('div', { class: 'report-body', testid: 'report-body' },
      h('p', { class: 'muted', i18n: 'common.loading' })));
  root.append(page);
  const body = page.querySelector('[data-testid="report-body"]');

  function query() {
    return { from: range.from, to: range.to };
  }

  function csvLink(name) {
    return h('a', {
      class: 'btn btn-ghost btn-small', testid: 'report-csv', dataset: { section: name },
      i18n: 'reports.csv', attrs: { download: `${name}.csv` },
    });
  }

  function setCsv(link, name) {
    const q = { ...loadedRange };
    link.href = api.reportCsvUrl(name, name === 'concurrency' ? { ...q, bucket_minutes: bucketMinutes } : { from: q.from, to: q.to });
  }

  // ------------------------------------------------------------ rendering
  function renderSummary() {
    const rows = section(report, 'summary').rows;
    replaceChildren(summaryEl, rows.map(([name, value]) => figureTile(`fig-${name}`, value, `report.fig.${name}`, {
      text: figureValue(name, value),
    })));
    setCsv(summaryCsv, 'summary');
  }

  function renderConcurrency() {
    const curve = section(report, 'concurrency');
    const at = curve.columns.indexOf('bucket_start_ms');
    const people = curve.columns.indexOf('people_online');
    const rows = at >= 0 && people >= 0 ? curve.rows : [];
    const spansDays = rows.length > 1 && rows[rows.length - 1][at] - rows[0][at] >= 86_400_000;
    const labels = rows.map((row) => bucketLabel(row[at], spansDays));
    const values = rows.map((row) => row[people]);
    let peak = -1;
    rows.forEach((row, i) => {
      if (peak < 0 || values[i] > values[peak]) peak = i;
    });
    peakEl.textContent = peak >= 0
      ? t('reports.peak', { count: values[peak], time: bucketLabel(rows[peak][at], true) })
      : t('report.empty');
    peakEl.dataset.peak = String(peak >= 0 ? values[peak] : 0);
    replaceChildren(concurrencyTable, sectionTable(curve));
    setCsv(concurrencyCsv, 'concurrency');
    if (chart) {
      // A short curve shows its points (one bucket alone is no line).
      chart.chart.data.datasets[0].pointRadius = values.length <= 48 ? 3 : 0;
      chart.set(labels, values, { summary: peakEl.textContent });
      canvas.dataset.points = String(values.length);
    } else if (chartFailed) {
      chartUnavailable(chartBox);
    }
  }

  function renderSections() {
    const names = [
      ...TABLE_ORDER.filter((name) => report.sections.some((s) => s.name === name)),
      ...report.sections.map((s) => s.name).filter((name) => !TABLE_ORDER.includes(name) && name !== 'summary' && name !== 'concurrency'),
    ];
    replaceChildren(sectionsEl, names.map((name) => {
      const data = section(report, name);
      const link = csvLink(name);
      setCsv(link, name);
      return h('section', { class: 'card report-section', testid: 'report-section', dataset: { section: name, rows: String(data.rows.length) } },
        h('div', { class: 'section-head' },
          h('h2', { text: sectionTitle(name) }),
          h('span', { class: 'section-tools' },
            h('span', { class: 'muted small', i18n: 'reports.rows', i18nArgs: { count: data.rows.length } }),
            link)),
        h('div', { class: 'table-wrap table-scroll', attrs: { tabindex: '0' } },
          sectionTable(data, { linkCompany: (id) => `#/stats/${id}` })));
    }));
  }

  function render() {
    form.refresh();
    if (!report) return;
    if (!body.contains(summaryCard)) replaceChildren(body, summaryCard, concurrencyCard, sectionsEl);
    renderSummary();
    renderConcurrency();
    renderSections();
    xlsx.href = api.reportXlsxUrl({ from: loadedRange.from, to: loadedRange.to, bucket_minutes: bucketMinutes });
    page.dataset.loaded = String(Number(page.dataset.loaded || 0) + 1);
    page.dataset.from = loadedRange.from;
    page.dataset.to = loadedRange.to;
  }

  async function load() {
    const mine = ++seq;
    const wanted = { ...query(), bucket_minutes: bucketMinutes };
    form.setBusy(true);
    body.classList.add('is-loading');
    try {
      const data = await api.reports(wanted);
      if (disposed || mine !== seq) return;
      error.hide();
      report = data;
      loadedRange = wanted;
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
      type: 'line',
      options: {
        scales: {
          x: { ticks: { maxTicksLimit: 10, maxRotation: 0, autoSkip: true }, grid: { display: false } },
          y: countScale({ suggestedMax: 4 }),
        },
      },
      datasetOptions: {
        label: t('report.col.people_online'), borderColor: '#13315c', backgroundColor: 'rgba(19, 49, 92, .1)',
        fill: true, pointRadius: 0, pointHitRadius: 6, tension: 0.2,
      },
    }));
    if (!chart) chartFailed = !disposed;
    else if (report) renderConcurrency();
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
