// views/match-run.js — the scheduler run on the organizer's matchmaking page: the run's knobs
// (most meetings in a row, online seats), its quality figures with a chart of the longest
// runs (Chart.js), the pairs left out with their reasons in the UI language, the schedule
// grids (views/match-grid.js: drag a meeting to move it, or "Move…" for a slot picker) and
// publishing, all or nothing, with a confirm step. A published run is read-only.

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { ERROR_CODES } from '../gen/protocol.js';
import { formatDate, formatNumber, onLangChange, t } from '../i18n.js';
import { chartUnavailable, countScale, loadCharts, makeChart } from './charts.js';
import { errorBox, showError } from './forms.js';
import { scheduleGrid } from './match-grid.js';
import { percent, reasonText, runNames } from './match-parts.js';
import { figureTile } from './report-parts.js';

const QUALITY = [
  ['placement_rate', (q) => percent(q.placement_rate)],
  ['must_meet_rate', (q) => percent(q.must_meet_rate)],
  ['business_share', (q) => percent(q.business_share)],
  ['longest_run', (q) => formatNumber(q.longest_run)],
  ['back_to_back', (q) => formatNumber(q.back_to_back)],
  ['interpreter_utilisation', (q) => percent(q.interpreter_utilisation)],
  ['runtime_ms', (q) => t('match.q.ms', { n: Math.round(q.runtime_ms * 10) / 10 })],
];

export function mountRunPanel(ctx, { runId: initialRunId, onRun, onPublished }) {
  let run = null; // ScheduleRun
  let disposed = false;
  let chart = null;
  let chartFailed = false;

  const maxRun = h('input', { type: 'number', min: '1', max: '8', value: '3', testid: 'match-max-run', class: 'input-narrow' });
  const seats = h('input', { type: 'number', min: '0', max: '500', testid: 'match-online-seats', class: 'input-narrow input-seats',
    i18nAttr: { placeholder: 'match.seatsAny' } });
  const runBtn = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'match-run', i18n: 'match.run' });
  const runError = errorBox('match-run-error');
  const runForm = h('form', { class: 'match-run-form', testid: 'match-run-form', on: { submit: (e) => { e.preventDefault(); start(); } } },
    h('label', { class: 'inline-field' }, h('span', { class: 'small', i18n: 'match.maxRun' }), maxRun),
    h('label', { class: 'inline-field' }, h('span', { class: 'small', i18n: 'match.onlineSeats' }), seats),
    runBtn);

  const metaEl = h('p', { class: 'muted small', testid: 'match-run-meta' });
  const qualityEl = h('div', { class: 'stats stats-auto', testid: 'match-quality' });
  const canvas = h('canvas', { testid: 'match-chart-canvas', attrs: { role: 'img' } });
  const chartBox = h('div', { class: 'chart-box chart-box-small' }, canvas);
  const unplacedList = h('ul', { class: 'unplaced-list', testid: 'match-unplaced-list' });
  const unplacedEl = h('section', { class: 'card', testid: 'match-unplaced' },
    h('h2', { i18n: 'match.unplacedTitle' }), unplacedList);

  const grid = scheduleGrid(ctx, {
    onMoved(next) {
      run = next;
      renderRun();
    },
  });

  // Publishing: a confirm step, then all or nothing.
  const publishBtn = h('button', { type: 'button', class: 'btn btn-primary', testid: 'match-publish', i18n: 'match.publish',
    on: { click: () => { confirmBox.hidden = false; publishBtn.hidden = true; confirmYes.focus(); } } });
  const confirmText = h('p', { testid: 'match-publish-question' });
  const confirmYes = h('button', { type: 'button', class: 'btn btn-primary btn-small', testid: 'match-publish-yes', i18n: 'match.publishYes',
    on: { click: () => publish() } });
  const confirmNo = h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'match-publish-no', i18n: 'match.cancel',
    on: { click: () => { confirmBox.hidden = true; publishBtn.hidden = false; publishBtn.focus(); } } });
  const confirmBox = h('div', { class: 'publish-confirm', testid: 'match-publish-confirm', hidden: true },
    confirmText, h('div', { class: 'row-actions' }, confirmYes, confirmNo));
  const publishResult = h('div', { class: 'alert alert-success', testid: 'match-publish-result', hidden: true, attrs: { role: 'status' } });
  const publishError = errorBox('match-publish-error');
  const publishEl = h('section', { class: 'card', testid: 'match-publish-card' },
    h('h2', { i18n: 'match.publishTitle' }),
    h('p', { class: 'muted small', i18n: 'match.publishHint' }),
    publishBtn, confirmBox, publishResult, publishError);

  const resultEl = h('div', { class: 'match-run-result', testid: 'match-run-result', hidden: true },
    h('section', { class: 'card' },
      h('div', { class: 'section-head' }, h('h2', { i18n: 'match.qualityTitle' }), metaEl),
      h('div', { class: 'stats-split' },
        qualityEl,
        h('div', { class: 'chart-card', testid: 'match-chart' }, h('h3', { class: 'small', i18n: 'match.chartTitle' }), chartBox))),
    unplacedEl,
    grid.el,
    publishEl);

  const el = h('div', { class: 'match-run', testid: 'match-run-panel' },
    h('section', { class: 'card' },
      h('h2', { i18n: 'match.runTitle' }),
      h('p', { class: 'muted small', i18n: 'match.runHint' }),
      runForm, runError),
    resultEl);

  function renderChart() {
    if (!run) return;
    const runs = run.run.quality.longest_runs || [];
    const labels = runs.map((_, k) => t('match.chart.runOf', { count: k + 1 }));
    if (chart) chart.set(labels, runs);
    else if (chartFailed) chartUnavailable(chartBox);
  }

  function renderRun() {
    if (!run) {
      resultEl.hidden = true;
      return;
    }
    resultEl.hidden = false;
    const q = run.run.quality;
    const published = Boolean(run.published_ms);
    el.dataset.runId = String(run.id);
    el.dataset.published = String(published);
    replaceChildren(metaEl,
      h('span', { i18n: 'match.runMeta', i18nArgs: { id: run.id, time: formatDate(run.created_ms, { dateStyle: 'medium', timeStyle: 'short' }) } }),
      published ? h('span', { class: 'badge badge-soft', testid: 'match-run-published', i18n: 'match.published' }) : null);
    replaceChildren(qualityEl,
      figureTile('match-q-placed', q.placed, 'match.q.placed', { text: t('match.q.placedOf', { placed: q.placed, pairs: q.pairs }), tone: 'main' }),
      QUALITY.map(([name, show]) => figureTile(`match-q-${name}`, q[name], `match.q.${name}`, { text: show(q) })));
    const names = runNames(run);
    const unplaced = run.run.schedule.unplaced || [];
    unplacedEl.dataset.count = String(unplaced.length);
    replaceChildren(unplacedList, unplaced.length
      ? unplaced.map((u) => h('li', { class: 'unplaced-row', testid: 'match-unplaced-row', dataset: { pair: String(u.pair), code: u.reason?.code || '' } },
        h('strong', { text: names.pairText(u.pair) }),
        h('span', { class: 'muted', testid: 'match-unplaced-reason', text: reasonText(u.reason, names) })))
      : h('li', { class: 'muted', testid: 'match-all-placed', i18n: 'match.allPlaced' }));
    grid.render(run, names);
    const count = run.run.schedule.placements.length;
    publishBtn.hidden = published || !confirmBox.hidden;
    publishBtn.disabled = count === 0;
    confirmText.textContent = t('match.publishQuestion', { count });
    if (published) confirmBox.hidden = true;
    renderChart();
  }

  function showRun(next) {
    run = next;
    publishResult.hidden = true;
    showError(publishError, null);
    confirmBox.hidden = true;
    renderRun();
    onRun?.(run?.id || null);
  }

  async function start() {
    runBtn.disabled = true;
    runBtn.setAttribute('aria-busy', 'true');
    showError(runError, null);
    const knobs = {};
    if (maxRun.value) knobs.max_run = Math.max(1, Math.min(8, Number(maxRun.value)));
    if (seats.value !== '') knobs.online_seats = Math.max(0, Number(seats.value));
    try {
      const next = await api.runScheduler(knobs);
      if (disposed) return;
      showRun(next);
    } catch (e) {
      if (ctx.handleAuthError(e)) return;
      showError(runError, e);
    } finally {
      runBtn.disabled = false;
      runBtn.removeAttribute('aria-busy');
    }
  }

  async function publish() {
    confirmYes.disabled = true;
    showError(publishError, null);
    try {
      const result = await api.publishRun(run.id);
      if (disposed) return;
      const count = (result.meetings || []).length;
      replaceChildren(publishResult,
        h('span', { i18n: 'match.publishedCount', i18nArgs: { count } }), ' ',
        h('a', { href: '#/meetings', testid: 'match-publish-meetings', i18n: 'match.toMeetings' }));
      publishResult.dataset.count = String(count);
      try {
        run = await api.matchRun(run.id);
      } catch {
        run = { ...run, published_ms: Date.now() };
      }
      if (disposed) return;
      confirmBox.hidden = true;
      renderRun();
      publishResult.hidden = false;
      onPublished?.();
    } catch (e) {
      if (ctx.handleAuthError(e)) return;
      confirmBox.hidden = true;
      publishBtn.hidden = false;
      showError(publishError, e, { [ERROR_CODES.SLOT_TAKEN]: 'match.publish.slotTaken', [ERROR_CODES.CONFLICT]: 'match.publish.conflict' });
    } finally {
      confirmYes.disabled = false;
    }
  }

  async function startChart() {
    chart = await loadCharts({ host: el, boxes: [chartBox], isDisposed: () => disposed }, (Chart) => makeChart(Chart, canvas, {
      type: 'bar',
      options: { scales: { x: { grid: { display: false } }, y: countScale({ suggestedMax: 3 }) } },
      datasetOptions: { borderRadius: 6, maxBarThickness: 36, backgroundColor: '#0fa3a3' },
    }));
    if (chart) renderChart();
    else chartFailed = !disposed;
  }

  if (initialRunId) {
    api.matchRun(initialRunId).then((next) => {
      if (!disposed && !run) showRun(next);
    }, (e) => {
      if (!ctx.handleAuthError(e)) onRun?.(null); // an old run id: start afresh
    });
  }
  startChart();
  const offLang = onLangChange(() => renderRun());

  return {
    el,
    destroy() {
      disposed = true;
      offLang();
      grid.destroy();
      chart?.destroy();
    },
  };
}
