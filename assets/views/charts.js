// views/charts.js — the vendored third-party scripts (assets/vendor/: Chart.js for the
// monitoring charts, jsQR for the badge scanner), loaded on first use by the pages that need
// them rather than on every page, and small helpers around Chart.js: the app's colours, a
// chart that follows the UI language, and an accessible summary of what a chart shows.

import { h, replaceChildren } from '../dom.js';
import { formatNumber, getLang, t } from '../i18n.js';

const scripts = new Map(); // src → Promise of the global the script defines

/** Loads a classic (UMD) script once; resolves with window[globalName]. */
export function loadScript(src, globalName) {
  if (window[globalName]) return Promise.resolve(window[globalName]);
  if (!scripts.has(src)) {
    scripts.set(src, new Promise((resolve, reject) => {
      const el = document.createElement('script');
      el.src = src;
      el.async = true;
      el.onload = () => {
        if (window[globalName]) resolve(window[globalName]);
        else reject(new Error(`${src} did not define ${globalName}`));
      };
      el.onerror = () => {
        scripts.delete(src); // a later page may try again
        el.remove();
        reject(Object.assign(new Error(`${src} could not be loaded`), { code: 'network' }));
      };
      document.head.append(el);
    }));
  }
  return scripts.get(src);
}

/** Chart.js 4 (assets/vendor/chart.umd.min.js, MIT). */
export function loadChartJs() {
  return loadScript('/vendor/chart.umd.min.js', 'Chart');
}

/** jsQR (assets/vendor/jsQR.js, Apache-2.0). */
export function loadJsQR() {
  return loadScript('/vendor/jsQR.js', 'jsQR');
}

/** In place of a chart that cannot be drawn (Chart.js did not load): says so. */
export function chartUnavailable(box) {
  replaceChildren(box, h('p', { class: 'muted small chart-missing', testid: 'chart-missing', i18n: 'charts.unavailable' }));
}

/**
 * Loads Chart.js, then build(Chart) makes the page's charts. On success host.dataset.charts
 * is 'ready'; when the script cannot be loaded (or a chart not made) it is 'failed' and each
 * of boxes says so instead. Resolves with what build returned, or null (failed, or the page
 * was left meanwhile: isDisposed()).
 */
export async function loadCharts({ host, boxes, isDisposed }, build) {
  try {
    const Chart = await loadChartJs();
    if (isDisposed()) return null;
    const made = build(Chart);
    host.dataset.charts = 'ready';
    return made;
  } catch (e) {
    if (isDisposed()) return null;
    console.warn('charts unavailable', e);
    host.dataset.charts = 'failed';
    for (const box of boxes) chartUnavailable(box);
    return null;
  }
}

/** The app's palette (the style sheets' colours), for series that are not tied to a meaning. */
export const PALETTE = ['#0fa3a3', '#13315c', '#f79009', '#3b6fe0', '#9b51e0', '#12b76a', '#f04438', '#5b6478', '#2dd4bf', '#b54708'];

/** Colours that mean something: roles as their badges, meeting states as their rows. */
export const ROLE_COLORS = { organizer: '#f5a524', exhibitor: '#0fa3a3', buyer: '#3b6fe0', interpreter: '#9b51e0' };
export const STATE_COLORS = {
  requested: '#f79009', confirmed: '#0fa3a3', held: '#12b76a', no_show: '#f04438',
  declined: '#98a2b3', cancelled: '#5b6478', expired: '#cfd5e1',
};

/** Defaults shared by every chart: no animation on live updates, the UI's font and locale. */
function baseOptions(extra = {}) {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: { duration: 250 },
    locale: getLang(),
    ...extra,
    plugins: {
      legend: { display: false },
      tooltip: { intersect: false },
      ...(extra.plugins || {}),
    },
  };
}

/** Axes of counts: whole numbers from zero. */
export function countScale(extra = {}) {
  return { beginAtZero: true, ticks: { precision: 0 }, grid: { color: '#eef1f6' }, ...extra };
}

/**
 * A Chart.js chart on canvas; returns {chart, set(labels, values, {colors, summary}), destroy}
 * where set() replaces the data without re-animating, and writes what the chart shows into
 * the canvas's aria-label (and data-values: for screen readers, and for tests).
 */
export function makeChart(Chart, canvas, { type, options = {}, datasetOptions = {} }) {
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = '#5b6478';
  // Until its data arrive, the chart says so (an image needs a text).
  if (!canvas.getAttribute('aria-label')) canvas.setAttribute('aria-label', t('common.loading'));
  const chart = new Chart(canvas, {
    type,
    data: { labels: [], datasets: [{ data: [], borderWidth: type === 'line' ? 2 : 0, ...datasetOptions }] },
    options: baseOptions(options),
  });
  return {
    chart,
    /** New data; summary (default: every "label: value") is what a screen reader hears. */
    set(labels, values, { colors, summary } = {}) {
      chart.options.locale = getLang();
      chart.data.labels = labels;
      chart.data.datasets[0].data = values;
      if (colors) chart.data.datasets[0].backgroundColor = colors;
      chart.update('none');
      canvas.setAttribute('aria-label', summary || labels.map((label, i) => `${label}: ${formatNumber(values[i] ?? 0)}`).join(', ') || t('chart.noData'));
      if (!summary) canvas.dataset.values = JSON.stringify(Object.fromEntries(labels.map((label, i) => [label, values[i] ?? 0])));
    },
    destroy() {
      chart.destroy();
    },
  };
}
