// i18n.js — the UI language: the chosen language (remembered in localStorage), its strings
// (locales/<lang>.json, one file per language, loaded on demand: a page fetches only the
// language it shows), names of countries, languages and time-zone cities in that language,
// dates, times, numbers and lists formatted for it, and helpers that (re)translate every
// element marked with data-i18n. See docs/i18n.md.
//
// Every key exists in every language (tests/browser/i18n-completeness.test.mjs), so there is
// no fallback to English. Strings may hold {placeholders}; a value may also be a plural
// object ({one, other}) chosen by Intl.PluralRules on the `count` parameter.
//
// Names and formats come from the browser's Intl in the chosen language. Intl has no city
// names for time zones, so those always come from CLDR (vendor/cldr/<lang>.zones.json); and
// where the browser's Intl lacks the language altogether (Chromium has no Mongolian: it
// answers in English), country and language names, month and weekday names, date patterns
// and list patterns come from CLDR too (vendor/cldr/<lang>.names.json), loaded only then.
//
// The module awaits the chosen language's tables before it finishes loading (top-level
// await), so app.js, which imports it, renders its first page already translated.

import { ERROR_CODES, LANGUAGES as FAIR_LANGUAGES } from './gen/protocol.js';

/** Each language named in itself: the switch's labels where the browser's Intl lacks one. */
const OWN_NAMES = { en: 'English', ko: '한국어', zh: '中文', ru: 'Русский', mn: 'Монгол', ja: '日本語' };

/** The languages offered by the switch (the fair's, from the Rust definitions). */
export const LANGUAGES = FAIR_LANGUAGES.map((code) => ({ code, label: OWN_NAMES[code] ?? code }));

const CODES = new Set(LANGUAGES.map((l) => l.code));
const STORAGE_KEY = 'expo.lang';
const listeners = new Set();
/** lang → Promise of { lang, strings, zones, names (null where Intl has the language) }. */
const loaded = new Map();

let current = initialLanguage();
let active = await loadOrFallBack(current);
current = active.lang;

function initialLanguage() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved && CODES.has(saved)) return saved;
  } catch {
    // Storage may be blocked (private mode); fall through to the browser's language.
  }
  const preferred = (navigator.languages || [navigator.language || 'en'])
    .map((tag) => String(tag).toLowerCase().split('-')[0]);
  return preferred.find((code) => CODES.has(code)) || 'en';
}

/** True when the browser's Intl has data for lang (dates, names, lists), not a fallback. */
export function intlHas(lang) {
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([lang]).length > 0
      && Intl.DisplayNames.supportedLocalesOf([lang]).length > 0;
  } catch {
    return false;
  }
}

async function getJson(path) {
  const response = await fetch(new URL(path, import.meta.url));
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

/** Fetches (once) the strings of lang, its CLDR city names and, if Intl lacks it, CLDR names. */
function load(lang) {
  if (!loaded.has(lang)) {
    const native = intlHas(lang);
    const promise = Promise.all([
      getJson(`./locales/${lang}.json`),
      getJson(`./vendor/cldr/${lang}.zones.json`).catch(() => ({ zones: {} })),
      native ? null : getJson(`./vendor/cldr/${lang}.names.json`).catch(() => null),
    ]).then(([strings, zones, names]) => ({ lang, strings, zones: zones.zones || {}, names }));
    promise.catch(() => loaded.delete(lang)); // try again next time
    loaded.set(lang, promise);
  }
  return loaded.get(lang);
}

/** The chosen language, else English, else nothing (keys shown; the app still starts offline). */
async function loadOrFallBack(lang) {
  for (const code of [lang, 'en']) {
    try {
      return await load(code);
    } catch {
      // Not reachable (offline without a cached copy): try the next one.
    }
  }
  return { lang: 'en', strings: {}, zones: {}, names: null };
}

export function getLang() {
  return current;
}

let switching = 0;

/**
 * Switches the UI language: remembers it at once (a reload shows it), loads its tables, then
 * retranslates the page, sets <html lang> and tells listeners. Resolves when done.
 */
export async function setLang(code) {
  if (!CODES.has(code) || code === current) return;
  try {
    localStorage.setItem(STORAGE_KEY, code);
  } catch {
    // Not remembered, but still switched for this page.
  }
  const ticket = ++switching;
  let next;
  try {
    next = await load(code);
  } catch {
    // Not reachable (offline, not kept yet): stay in the current language.
    if (ticket === switching) {
      try {
        localStorage.setItem(STORAGE_KEY, current);
      } catch {
        // Nothing remembered either way.
      }
    }
    return;
  }
  if (ticket !== switching) return; // a later switch won
  active = next;
  current = code;
  applyTranslations(document);
  document.documentElement.lang = code;
  for (const fn of listeners) fn(code);
}

/** Calls fn(code) after every language switch; returns a function that stops it. */
export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Whether key exists (in every language: the completeness test sees to that). */
export function hasKey(key) {
  return active.strings[key] !== undefined;
}

/** The string for key in the current language, with {placeholders} filled from params. */
export function t(key, params = {}) {
  let value = active.strings[key];
  if (value === undefined) return key;
  if (typeof value === 'object') {
    value = value[pluralRules().select(Number(params.count ?? 0))] ?? value.other;
  }
  return value.replace(/\{(\w+)\}/g, (whole, name) =>
    name in params ? formatParam(params[name]) : whole);
}

function formatParam(value) {
  return typeof value === 'number' ? formatNumber(value) : String(value);
}

// Without Intl data for the language (Mongolian in Chromium) numbers and plurals follow
// English: CLDR gives Mongolian the same decimal and group signs (1,234.5) and the same
// plural categories (one for 1, other for the rest).
function intlLocale() {
  return active.names ? 'en' : current;
}

function pluralRules() {
  return new Intl.PluralRules(intlLocale());
}

/** A number (options as Intl.NumberFormat's: currency, unit, fraction digits). */
export function formatNumber(n, options = {}) {
  return new Intl.NumberFormat(intlLocale(), options).format(n);
}

/** A time of day in the viewer's own time zone. */
export function formatTime(ms) {
  return formatDate(ms, { hour: '2-digit', minute: '2-digit' });
}

/**
 * A date and/or time in the UI language. options as Intl.DateTimeFormat's (dateStyle and
 * timeStyle, or weekday, year, month, day, hour, minute, second; timeZone, hourCycle).
 */
export function formatDate(ms, options = {}) {
  const date = new Date(ms);
  if (!active.names) return new Intl.DateTimeFormat(current, options).format(date);
  return cldrDate(date, options, active.names.calendar);
}

/** The name of a region (ISO 3166 alpha-2) in the UI language, or the code itself. */
export function countryName(code) {
  if (!code) return '';
  if (active.names) return active.names.regions[String(code).toUpperCase()] || code;
  try {
    return new Intl.DisplayNames([current], { type: 'region' }).of(code) || code;
  } catch {
    return code;
  }
}

/** Items joined as a list in the UI language ("A, B and C"; "A、B、C"). */
export function formatList(items) {
  const list = [...items].map(String);
  if (active.names) return cldrList(list, active.names.lists);
  try {
    return new Intl.ListFormat(current, { style: 'long', type: 'conjunction' }).format(list);
  } catch {
    return list.join(', ');
  }
}

/** The name of a language (BCP 47) in the UI language, or the tag itself. */
export function languageName(tag) {
  if (!tag) return '';
  if (active.names) {
    const names = active.names.languages;
    return names[tag] || names[String(tag).split('-')[0]] || tag;
  }
  try {
    return new Intl.DisplayNames([current], { type: 'language' }).of(tag) || tag;
  } catch {
    return tag;
  }
}

/** A language's name in itself (한국어, Русский, Монгол), capitalised as a label. */
export function autonym(tag) {
  const base = String(tag || '').split('-')[0];
  const own = LANGUAGES.find((l) => l.code === base);
  if (own && !intlHas(base)) return own.label;
  try {
    const name = new Intl.DisplayNames([tag], { type: 'language' }).of(tag) || tag;
    return name.charAt(0).toLocaleUpperCase(tag) + name.slice(1);
  } catch {
    return own ? own.label : String(tag);
  }
}

/** The city of an IANA time zone in the UI language ("Asia/Seoul" → "Сеул", "서울"). */
export function zoneCity(tz) {
  if (!tz) return '';
  return active.zones[tz] || String(tz).split('/').pop().replace(/_/g, ' ');
}

/**
 * The message key and parameters for an error with a `code` (ApiError, HubError or a plain
 * { code, message, detail } made by the client). overrides maps a code to another key. A
 * plain error's message is the client's own, already translated: {message}. The server's
 * message is English: it is passed as {detail}, which only the English strings show.
 */
export function errorText(error, overrides = {}) {
  const code = error?.code || 'unknown';
  const fromServer = error instanceof Error;
  const args = { code, message: fromServer ? '' : error?.message || '', detail: (fromServer ? error.message : error?.detail) || '' };
  if (overrides[code]) return { key: overrides[code], args };
  if (code === ERROR_CODES.VALIDATION && fromServer) return { key: 'error.validationServer', args };
  const key = `error.${code}`;
  return { key: hasKey(key) ? key : 'error.unknown', args };
}

/** A user-facing message for an error with a `code` (ApiError, HubError or plain). */
export function errorMessage(error, overrides = {}) {
  const { key, args } = errorText(error, overrides);
  return t(key, args);
}

/**
 * Translates every element under root that carries:
 *   data-i18n="key" (its text), data-i18n-args='{"count":3}' (parameters), and
 *   data-i18n-attr="placeholder:key;title:key" (attributes).
 */
export function applyTranslations(root = document) {
  const scope = root.querySelectorAll ? root : document;
  const nodes = [];
  if (scope.matches?.('[data-i18n],[data-i18n-attr]')) nodes.push(scope);
  nodes.push(...scope.querySelectorAll('[data-i18n],[data-i18n-attr]'));
  for (const el of nodes) {
    const args = el.dataset.i18nArgs ? JSON.parse(el.dataset.i18nArgs) : {};
    if (el.dataset.i18n) el.textContent = t(el.dataset.i18n, args);
    if (el.dataset.i18nAttr) {
      for (const pair of el.dataset.i18nAttr.split(';')) {
        const [attr, key] = pair.split(':');
        if (attr && key) el.setAttribute(attr, t(key, args));
      }
    }
  }
}

// ---------------------------------------------------------------- CLDR formatting
// Used only for a language the browser's Intl lacks: the date's fields come from Intl in a
// language it has (the numbers are the same in any), the words and patterns from CLDR.

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function dateFields(date, timeZone) {
  const parts = {};
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone, year: 'numeric', month: 'numeric', day: 'numeric', weekday: 'short',
    hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23',
  });
  for (const { type, value } of fmt.formatToParts(date)) parts[type] = value;
  return {
    y: Number(parts.year), M: Number(parts.month), d: Number(parts.day),
    E: WEEKDAYS.indexOf(String(parts.weekday).slice(0, 3).toLowerCase()),
    H: Number(parts.hour) % 24, m: Number(parts.minute), s: Number(parts.second),
  };
}

/** The CLDR pattern for Intl.DateTimeFormat-style options. */
function cldrPattern(options, cal) {
  const { dateStyle, timeStyle } = options;
  if (dateStyle || timeStyle) {
    const datePart = dateStyle ? cal.dateFormats[dateStyle] : '';
    // Time styles longer than short name the zone (z), which CLDR extracts here do not carry.
    const timePart = timeStyle ? cal.timeFormats[timeStyle === 'short' ? 'short' : 'medium'] : '';
    if (datePart && timePart) return cal.dateTimeFormats[dateStyle].replace('{1}', datePart).replace('{0}', timePart);
    return datePart || timePart;
  }
  let dateSkel = '';
  if (options.year) dateSkel += 'y';
  if (options.month) dateSkel += { numeric: 'M', '2-digit': 'M', short: 'MMM', long: 'MMMM', narrow: 'MMM' }[options.month];
  if (options.weekday) dateSkel += 'E';
  if (options.day) dateSkel += 'd';
  const h12 = options.hour12 === true || options.hourCycle === 'h12' || options.hourCycle === 'h11';
  let timeSkel = '';
  if (options.hour) timeSkel += h12 ? 'h' : 'H';
  if (options.minute) timeSkel += 'm';
  if (options.second) timeSkel += 's';
  const formats = cal.availableFormats;
  let datePart = '';
  if (dateSkel) {
    datePart = formats[dateSkel] || formats[dateSkel.replace('MMMM', 'MMM')] || cal.dateFormats.medium;
    if (options.weekday === 'long') datePart = datePart.replace(/(^|[^E])E{1,3}(?!E)/g, '$1EEEE');
  }
  const timePart = timeSkel ? (formats[timeSkel] || (h12 ? 'h:mm a' : 'HH:mm')) : '';
  if (datePart && timePart) return cal.dateTimeFormats.medium.replace('{1}', datePart).replace('{0}', timePart);
  return datePart || timePart;
}

function cldrDate(date, options, cal) {
  const f = dateFields(date, options.timeZone);
  const pattern = cldrPattern(options, cal);
  const pad = (n, width) => String(n).padStart(width, '0');
  let out = '';
  for (const [whole, quoted, letters] of pattern.matchAll(/'((?:[^']|'')*)'|(([A-Za-z])\3*)|./gs)) {
    if (quoted !== undefined) {
      out += whole === "''" ? "'" : quoted.replace(/''/g, "'");
      continue;
    }
    if (letters === undefined) {
      out += whole;
      continue;
    }
    const n = letters.length;
    switch (letters[0]) {
      case 'y': out += n === 2 ? pad(f.y % 100, 2) : String(f.y); break;
      case 'M': case 'L': {
        const table = letters[0] === 'L' ? cal.months.standAlone : cal.months.format;
        if (n === 3) out += table.abbreviated[f.M];
        else if (n === 4) out += table.wide[f.M];
        else out += n === 2 ? pad(f.M, 2) : String(f.M);
        break;
      }
      case 'd': out += n === 2 ? pad(f.d, 2) : String(f.d); break;
      case 'E': case 'c': {
        const table = letters[0] === 'c' ? cal.days.standAlone : cal.days.format;
        out += (n === 4 ? table.wide : n === 6 ? table.short : table.abbreviated)[WEEKDAYS[f.E]];
        break;
      }
      case 'H': out += n === 2 ? pad(f.H, 2) : String(f.H); break;
      case 'h': { const h12 = f.H % 12 || 12; out += n === 2 ? pad(h12, 2) : String(h12); break; }
      case 'a': out += f.H < 12 ? cal.dayPeriods.am : cal.dayPeriods.pm; break;
      case 'm': out += pad(f.m, 2); break;
      case 's': out += pad(f.s, 2); break;
      default: break; // zone names and other fields are not used by the client
    }
  }
  return out.trim();
}

function cldrList(items, lists) {
  if (items.length === 0) return '';
  if (items.length === 1) return items[0];
  if (items.length === 2) return lists['2'].replace('{0}', items[0]).replace('{1}', items[1]);
  let text = lists.end.replace('{0}', items[items.length - 2]).replace('{1}', items[items.length - 1]);
  for (let i = items.length - 3; i > 0; i -= 1) text = lists.middle.replace('{0}', items[i]).replace('{1}', text);
  return lists.start.replace('{0}', items[0]).replace('{1}', text);
}

document.documentElement.lang = current;
