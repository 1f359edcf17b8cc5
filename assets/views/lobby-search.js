// views/lobby-search.js — the lobby's search bar and filters (views/lobby.js): words,
// hall, tag (with the fair's interest tags and those of the booths found), the company's
// country, a language its staff speak, "staff on duty now", and the search kept in the
// address (#/lobby?q=…&hall_id=…) without a navigation.

import { COUNTRY_CODES, FEATURED_COUNTRIES, INTEREST_TAGS, SPOKEN_LANGUAGES } from '../countries.js';
import { h, replaceChildren } from '../dom.js';
import { countryName, getLang, languageName, t } from '../i18n.js';
import { debounce } from './common.js';

export const FILTER_KEYS = ['q', 'hall_id', 'tag', 'country', 'staff_lang', 'staffed', 'page'];

/** The search as kept in the address: only what is set. */
export function filtersFromParams(params) {
  const f = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value) f[key] = value;
  }
  if (f.staffed !== 'true') delete f.staffed;
  const page = Number.parseInt(f.page, 10);
  f.page = Number.isFinite(page) && page > 1 ? page : 1;
  return f;
}

/** Keeps the search in the address without a navigation (no hashchange, no reload). */
export function rememberFilters(filters) {
  const query = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filters[key];
    if (value && !(key === 'page' && Number(value) === 1)) query.set(key, String(value));
  }
  const text = query.toString();
  const hash = `#/lobby${text ? `?${text}` : ''}`;
  if (location.hash !== hash) history.replaceState(history.state, '', hash);
}

/**
 * The search form and the filter row. filters() and halls() are the lobby's current search
 * and halls; onApply(next) gets the widgets' search (back on page 1). fillHalls() once the
 * halls are known, fillTags(extra) with the tags of the booths found, relabel() after a
 * language change, clear(), cancel() when leaving.
 */
export function searchBar({ filters, halls, onApply }) {
  const initial = filters();
  const qInput = h('input', {
    type: 'search', name: 'q', testid: 'search-input', value: initial.q || '', autocomplete: 'off',
    i18nAttr: { placeholder: 'search.placeholder', 'aria-label': 'search.label' },
    attrs: { enterkeyhint: 'search', maxlength: '200' },
  });
  const searchForm = h('form', { class: 'search-bar', testid: 'search-form', attrs: { role: 'search' } },
    h('span', { class: 'search-icon', attrs: { 'aria-hidden': 'true' } }),
    qInput,
    h('button', { type: 'submit', class: 'btn btn-primary', testid: 'search-submit', i18n: 'search.submit' }));

  const hallSelect = h('select', { name: 'hall_id', testid: 'filter-hall' });
  const tagList = h('datalist', { id: 'lobby-tags' });
  const tagInput = h('input', {
    type: 'text', name: 'tag', testid: 'filter-tag', value: initial.tag || '', autocomplete: 'off',
    i18nAttr: { placeholder: 'filter.tagAny' }, attrs: { list: 'lobby-tags', maxlength: '40' },
  });
  const countrySelect = h('select', { name: 'country', testid: 'filter-country' });
  const langSelect = h('select', { name: 'staff_lang', testid: 'filter-lang' });
  const staffedBox = h('input', { type: 'checkbox', name: 'staffed', testid: 'filter-staffed', checked: initial.staffed === 'true' });
  const clearButton = h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'filter-clear', i18n: 'filter.clear' });

  const filterField = (labelKey, control) => h('label', { class: 'filter' },
    h('span', { class: 'filter-label', i18n: labelKey }), control);
  const filtersEl = h('div', { class: 'filters', testid: 'filters' },
    filterField('filter.hall', hallSelect),
    filterField('filter.tag', tagInput),
    tagList,
    filterField('filter.country', countrySelect),
    filterField('filter.staffLang', langSelect),
    h('label', { class: 'filter filter-check chip-check' }, staffedBox,
      h('span', { class: 'staffed-dot is-on', attrs: { 'aria-hidden': 'true' } }),
      h('span', { i18n: 'filter.staffed' })),
    clearButton);

  function fillHalls() {
    const chosen = filters().hall_id || '';
    replaceChildren(hallSelect,
      h('option', { value: '', text: t('filter.hallAny') }),
      halls().map((hall) => h('option', { value: String(hall.id), text: hall.name })));
    hallSelect.value = chosen;
    if (hallSelect.value !== chosen) hallSelect.value = '';
  }

  function fillCountries() {
    const chosen = filters().country || '';
    const byName = (a, b) => countryName(a).localeCompare(countryName(b), getLang());
    const option = (code) => h('option', { value: code, text: countryName(code) });
    const featured = ['KR', ...FEATURED_COUNTRIES];
    replaceChildren(countrySelect,
      h('option', { value: '', text: t('filter.countryAny') }),
      h('optgroup', { label: t('field.countryFeatured') }, featured.map(option)),
      h('optgroup', { label: t('field.countryAll') },
        COUNTRY_CODES.filter((c) => !featured.includes(c)).sort(byName).map(option)));
    countrySelect.value = chosen;
  }

  function fillLanguages() {
    const chosen = filters().staff_lang || '';
    replaceChildren(langSelect,
      h('option', { value: '', text: t('filter.langAny') }),
      SPOKEN_LANGUAGES.map((tag) => h('option', { value: tag, text: languageName(tag) })));
    langSelect.value = chosen;
  }

  function fillTags(extra = []) {
    const all = [...new Set([...INTEREST_TAGS, ...extra])].sort();
    replaceChildren(tagList, all.map((tag) => h('option', { value: tag })));
  }

  fillHalls();
  fillCountries();
  fillLanguages();
  fillTags();

  /** Reads the widgets into `filters`, back to page 1, and searches. */
  function applyFilters() {
    const next = {
      q: qInput.value.trim(),
      hall_id: hallSelect.value,
      tag: tagInput.value.trim().toLowerCase(),
      country: countrySelect.value,
      staff_lang: langSelect.value,
      staffed: staffedBox.checked ? 'true' : '',
      page: 1,
    };
    for (const key of Object.keys(next)) if (!next[key]) delete next[key];
    if (!next.page) next.page = 1;
    onApply(next);
  }
  const applySoon = debounce(() => applyFilters(), 350);

  searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    applySoon.cancel();
    applyFilters();
  });
  qInput.addEventListener('input', applySoon);
  tagInput.addEventListener('change', () => applyFilters());
  for (const control of [hallSelect, countrySelect, langSelect, staffedBox]) {
    control.addEventListener('change', () => applyFilters());
  }
  clearButton.addEventListener('click', () => {
    qInput.value = '';
    tagInput.value = '';
    hallSelect.value = '';
    countrySelect.value = '';
    langSelect.value = '';
    staffedBox.checked = false;
    applyFilters();
  });

  return {
    searchForm,
    filtersEl,
    fillHalls,
    fillTags,
    relabel() {
      fillHalls();
      fillCountries();
      fillLanguages();
    },
    /** Empties every filter and searches again (the "no results" card offers it too). */
    clear: () => clearButton.click(),
    cancel: applySoon.cancel,
  };
}
