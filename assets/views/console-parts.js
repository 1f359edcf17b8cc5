// views/console-parts.js — small pieces of the exhibitor console (views/console.js and its
// sections console-products.js, console-media.js): list and text helpers, a text input, the
// "Saved" note, a busy button, and the per-language text fields with a tab per language.

import { h } from '../dom.js';
import { BASE_LANGUAGE, ERROR_CODES, LANGUAGES } from '../gen/protocol.js';
import { languageName, t } from '../i18n.js';
import { field } from './forms.js';

/** Languages a booth may add besides its base (English) texts. */
export const TEXT_LANGS = LANGUAGES.filter((lang) => lang !== BASE_LANGUAGE);

export const UPLOAD_ERRORS = {
  [ERROR_CODES.VALIDATION]: 'upload.invalid',
  [ERROR_CODES.MESSAGE_TOO_LARGE]: 'upload.tooLarge',
  upload_failed: 'upload.failed',
  [ERROR_CODES.BAD_REQUEST]: 'upload.invalid',
};

/** "a, b, c" → ['a', 'b', 'c'] (blanks dropped). */
export function splitList(value) {
  return String(value || '').split(/[,;\n]/).map((s) => s.trim()).filter(Boolean);
}

/** '' → null, else the trimmed text. */
export function orNull(value) {
  const v = String(value ?? '').trim();
  return v ? v : null;
}

/** The file name without its extension, as a default title. */
export function baseName(name) {
  return String(name || '').replace(/\.[^.]+$/, '').replace(/[_-]+/g, ' ').trim();
}

/** The id in "/api/v1/media/12", or null. */
export function mediaIdOf(url) {
  const match = /\/api\/v1\/media\/(\d+)/.exec(String(url || ''));
  return match ? Number(match[1]) : null;
}

/** A text input (or textarea) with a testid. */
export function input(testid, props = {}) {
  const { multiline, ...rest } = props;
  return multiline
    ? h('textarea', { testid, rows: 4, ...rest })
    : h('input', { type: 'text', testid, ...rest });
}

/** A small "Saved" note that fades after a while. */
export function savedNote(testid) {
  const el = h('span', { class: 'saved-note', testid, attrs: { role: 'status' }, hidden: true });
  let timer = null;
  return {
    el,
    show(key = 'console.saved') {
      el.dataset.i18n = key;
      el.textContent = t(key);
      el.hidden = false;
      el.dataset.shown = String(Number(el.dataset.shown || 0) + 1);
      clearTimeout(timer);
      timer = setTimeout(() => { el.hidden = true; }, 6000);
    },
    hide() {
      el.hidden = true;
    },
  };
}

/** Marks a button busy while fn runs. */
export async function busy(button, fn) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await fn();
  } finally {
    button.disabled = false;
    button.setAttribute('aria-busy', 'false');
  }
}

/**
 * Per-language text fields with a tab per language. fields: [{name, labelKey, multiline,
 * maxLength}]. get() → {lang: {field: text|null}} for every language; set(texts) fills.
 */
export function translations(fields, testidPrefix) {
  let active = TEXT_LANGS[0];
  const panels = new Map();
  const inputs = new Map(); // lang -> {field -> input}
  const tabs = TEXT_LANGS.map((lang) => h('button', {
    type: 'button', class: 'seg-btn', dataset: { lang }, testid: `${testidPrefix}-tab-${lang}`,
    text: languageName(lang), on: { click: () => show(lang) },
  }));
  for (const lang of TEXT_LANGS) {
    const byField = {};
    const panel = h('div', { class: 'tr-panel form-grid', dataset: { lang }, attrs: { lang } },
      fields.map(({ name, labelKey, multiline, maxLength }) => {
        byField[name] = input(`${testidPrefix}-${lang}-${name}`, { name: `${lang}.${name}`, multiline, maxLength });
        byField[name].addEventListener('input', markFilled);
        return field(labelKey, byField[name], { className: multiline ? 'span-2' : '' });
      }));
    inputs.set(lang, byField);
    panels.set(lang, panel);
  }
  function markFilled() {
    for (const [index, lang] of TEXT_LANGS.entries()) {
      const filled = Object.values(inputs.get(lang)).some((el) => el.value.trim());
      tabs[index].classList.toggle('is-filled', filled);
    }
  }
  function show(lang) {
    active = lang;
    for (const [index, l] of TEXT_LANGS.entries()) {
      tabs[index].setAttribute('aria-pressed', String(l === active));
      panels.get(l).hidden = l !== active;
    }
  }
  show(active);
  const el = h('fieldset', { class: 'translations span-2' },
    h('legend', { class: 'field-label', i18n: 'console.translations' }),
    h('p', { class: 'field-hint', i18n: 'console.translationsHint' }),
    h('div', { class: 'seg', attrs: { role: 'group' } }, tabs),
    [...panels.values()]);
  return {
    el,
    get() {
      const out = {};
      for (const lang of TEXT_LANGS) {
        const texts = {};
        for (const [name, control] of Object.entries(inputs.get(lang))) texts[name] = orNull(control.value);
        out[lang] = texts;
      }
      return out;
    },
    set(texts) {
      for (const lang of TEXT_LANGS) {
        for (const [name, control] of Object.entries(inputs.get(lang))) control.value = texts?.[lang]?.[name] || '';
      }
      markFilled();
    },
    relabel() {
      for (const [index, lang] of TEXT_LANGS.entries()) tabs[index].textContent = languageName(lang);
    },
  };
}
