// views/report-parts.js — pieces shared by the reports page (#/reports) and an exhibitor's
// own figures (#/stats): the date-range form (fair days, the server reads YYYY-MM-DD in the
// fair's time zone; both ends inclusive; empty = the whole fair), a report section as a
// table with translated headings and cells (countries by name, US dollars, durations), and
// figure tiles.
//
// A Report is {from_ms, to_ms, company_id?, sections: [{name, columns, rows}]}; the same
// tables are what the CSV and XLSX downloads hold.

import { h } from '../dom.js';
import { countryName, formatDate, formatNumber, t, zoneCity } from '../i18n.js';
import { formatDuration } from './common.js';
import { errorBox, field, showError } from './forms.js';

/** The fair's time zone: what a fair day means (the server's EXPO_FAIR_TIMEZONE default). */
export const FAIR_ZONE = 'Asia/Seoul';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Today's fair day, "2026-11-28". */
export function fairToday(now = Date.now()) {
  try {
    return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: FAIR_ZONE })
      .format(new Date(now));
  } catch {
    return new Date(now).toISOString().slice(0, 10);
  }
}

/** {from, to} from the page's address (#/reports?from=…&to=…); anything else is dropped. */
export function rangeFromParams(params) {
  const pick = (name) => {
    const value = params?.get(name) || '';
    return DAY.test(value) ? value : '';
  };
  return { from: pick('from'), to: pick('to') };
}

/** Writes the range into the address without reloading the page (a reload keeps it). */
export function rememberRange(base, range) {
  const search = new URLSearchParams();
  if (range.from) search.set('from', range.from);
  if (range.to) search.set('to', range.to);
  const text = search.toString();
  try {
    history.replaceState(null, '', `#${base}${text ? `?${text}` : ''}`);
  } catch {
    // Not remembered; the page still shows the range.
  }
}

/** "Nov 28, 2026" for a fair day. */
function dayText(day) {
  const [y, m, d] = day.split('-').map(Number);
  return formatDate(Date.UTC(y, m - 1, d, 12), { dateStyle: 'medium', timeZone: 'UTC' });
}

/** The range in words: "Whole fair", "Nov 28, 2026", "Nov 28 – Nov 29, 2026", "From …", "Until …". */
export function rangeText(range) {
  if (!range.from && !range.to) return t('range.whole');
  if (range.from && range.to) {
    return range.from === range.to ? t('range.oneDay', { day: dayText(range.from) })
      : t('range.between', { from: dayText(range.from), to: dayText(range.to) });
  }
  return range.from ? t('range.since', { day: dayText(range.from) }) : t('range.until', { day: dayText(range.to) });
}

/**
 * The range form: From and To (fair days), Show, and the shortcuts Today and Whole fair.
 * onApply({from, to}) runs on every accepted change; returns {el, range, setBusy}.
 */
export function rangeForm({ testid = 'range', range: initial, onApply }) {
  let range = { ...initial };
  const from = h('input', { type: 'date', name: 'from', value: range.from, testid: `${testid}-from` });
  const to = h('input', { type: 'date', name: 'to', value: range.to, testid: `${testid}-to` });
  const apply = h('button', { type: 'submit', class: 'btn btn-primary btn-small', testid: `${testid}-apply`, i18n: 'range.apply' });
  const error = errorBox(`${testid}-error`);
  const summary = h('p', { class: 'muted small range-summary', testid: `${testid}-summary` });

  function renderSummary() {
    summary.textContent = `${rangeText(range)} · ${t('range.zone', { zone: zoneCity(FAIR_ZONE) })}`;
  }

  function accept(next) {
    if (next.from && next.to && next.from > next.to) {
      showError(error, { code: 'range_order' }, { range_order: 'range.order' });
      return;
    }
    showError(error, null);
    range = next;
    from.value = range.from;
    to.value = range.to;
    renderSummary();
    onApply({ ...range });
  }

  const form = h('form', {
    class: 'range-form card', testid, attrs: { novalidate: true },
    on: {
      submit: (event) => {
        event.preventDefault();
        accept({ from: from.value, to: to.value });
      },
    },
  },
  h('div', { class: 'range-fields' },
    field('range.from', from, { className: 'range-field' }),
    field('range.to', to, { className: 'range-field' }),
    h('div', { class: 'range-actions' },
      apply,
      h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: `${testid}-today`, i18n: 'range.today',
        on: { click: () => accept({ from: fairToday(), to: fairToday() }) } }),
      h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: `${testid}-all`, i18n: 'range.all',
        on: { click: () => accept({ from: '', to: '' }) } }))),
  summary,
  error);
  renderSummary();
  return {
    el: form,
    get range() {
      return { ...range };
    },
    setBusy(busy) {
      apply.disabled = busy;
      apply.setAttribute('aria-busy', String(busy));
    },
    /** Re-translates the summary (after a language switch). */
    refresh: renderSummary,
  };
}

// ---------------------------------------------------------------- cells and tables

const COUNTRY_COLUMNS = new Set(['country', 'buyer_country']);
const DURATION_COLUMNS = new Set(['dwell_minutes', 'avg_dwell_minutes']);
/** Columns shown in another one's cell (the company's id links its name) or not at all. */
const HIDDEN_COLUMNS = new Set(['company_id', 'bucket_start_ms', 'show_id']);

/** "$1,360,000" in the UI language. */
export function formatUsd(value) {
  try {
    return formatNumber(Number(value) || 0, { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
  } catch {
    return `$${formatNumber(Number(value) || 0)}`;
  }
}

/** A heading for a column name from the server ("unique_visitors" → "Unique visitors"). */
export function columnLabel(name) {
  const key = `report.col.${name}`;
  const text = t(key);
  return text === key ? name.replace(/_/g, ' ') : text;
}

/** A section's title. */
export function sectionTitle(name) {
  const key = `report.section.${name}`;
  const text = t(key);
  return text === key ? name.replace(/_/g, ' ') : text;
}

/** A summary figure's name. */
export function figureLabel(name) {
  const key = `report.fig.${name}`;
  const text = t(key);
  return text === key ? name.replace(/_/g, ' ') : text;
}

/** A figure's value as it should read: dollars for *_usd, minutes as a duration, else a count. */
export function figureValue(name, value) {
  if (/_usd$/.test(name)) return formatUsd(value);
  if (DURATION_COLUMNS.has(name)) {
    // Whole minutes from the server: under a minute reads "0 min", not "0 s".
    const minutes = Number(value) || 0;
    return minutes ? formatDuration(minutes * 60_000) : t('duration.min', { n: 0 });
  }
  return typeof value === 'number' ? formatNumber(value) : String(value ?? '');
}

function countryCell(code) {
  if (!code || code === '??') return h('span', { class: 'muted', i18n: 'report.unknownCountry' });
  return h('span', { title: code, text: countryName(code) });
}

/** "Nov 28, 14:00" (or "14:00" within one day) in the viewer's zone. */
export function bucketLabel(ms, spansDays) {
  const options = spansDays
    ? { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
    : { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  return formatDate(ms, options);
}

/**
 * A section as a table: translated headings, numbers right-aligned. linkCompany(id) gives the
 * href for a company's name (when the section has company_id), or null for plain text.
 */
export function sectionTable(section, { linkCompany } = {}) {
  const columns = section.columns || [];
  const index = Object.fromEntries(columns.map((name, i) => [name, i]));
  const shown = columns.map((name, i) => ({ name, i })).filter(({ name }) => !HIDDEN_COLUMNS.has(name));
  const rows = section.rows || [];
  if (!rows.length) {
    return h('p', { class: 'muted small section-empty', testid: 'report-empty', i18n: 'report.empty' });
  }
  const numeric = (name) => !COUNTRY_COLUMNS.has(name) && typeof rows[0][index[name]] === 'number';
  const spansDays = index.bucket_start_ms !== undefined && rows.length > 1
    && rows[rows.length - 1][index.bucket_start_ms] - rows[0][index.bucket_start_ms] >= 86_400_000;

  function cell(name, value, row) {
    if (COUNTRY_COLUMNS.has(name)) return countryCell(value);
    if (name === 'bucket_start' && index.bucket_start_ms !== undefined) {
      const ms = row[index.bucket_start_ms];
      return h('time', { attrs: { datetime: String(value) }, text: bucketLabel(ms, spansDays) });
    }
    if (name === 'company' && index.company_id !== undefined && linkCompany) {
      const href = linkCompany(row[index.company_id]);
      if (href) return h('a', { href, text: String(value) });
    }
    if (/_usd$/.test(name) || DURATION_COLUMNS.has(name)) return figureValue(name, value);
    if (typeof value === 'number') return formatNumber(value);
    if (value === '' || value === null || value === undefined) return h('span', { class: 'muted', text: '—' });
    return String(value);
  }

  return h('table', { class: 'data-table', testid: 'report-table', dataset: { rows: String(rows.length) } },
    h('thead', {}, h('tr', {}, shown.map(({ name }) => h('th', {
      scope: 'col', class: numeric(name) ? 'num' : null, dataset: { column: name }, text: columnLabel(name),
    })))),
    h('tbody', {}, rows.map((row) => h('tr', { testid: 'report-row' },
      shown.map(({ name, i }) => h('td', { class: numeric(name) ? 'num nowrap' : null }, cell(name, row[i], row)))))));
}

/**
 * A figure tile: a big value and its label key. raw is the number itself (data-value, for
 * tests); text how it reads (default: the number in the UI language).
 */
export function figureTile(testid, raw, labelKey, { text, hint, tone, labelArgs } = {}) {
  const shown = text ?? (raw === null || raw === undefined ? '—' : formatNumber(raw));
  // A figure the server added after these strings were written reads as its own name.
  const known = t(labelKey, labelArgs || {}) !== labelKey;
  return h('div', { class: ['stat', tone && `is-${tone}`], testid, dataset: { value: String(raw ?? '') } },
    h('span', { class: 'stat-value', text: shown }),
    known
      ? h('span', { class: 'stat-label', i18n: labelKey, i18nArgs: labelArgs })
      : h('span', { class: 'stat-label', text: labelKey.split('.').pop().replace(/_/g, ' ') }),
    hint ? h('span', { class: 'stat-hint', text: hint }) : null);
}

/** A meeting state's name: the agenda's words, plus held and no-show. */
export function meetingStateLabel(state) {
  return state === 'held' || state === 'no_show' ? t(`dash.state.${state}`) : t(`meet.state.${state}`);
}

/** The section called name in a report, or an empty one. */
export function section(report, name) {
  return report?.sections?.find((s) => s.name === name) || { name, columns: [], rows: [] };
}

