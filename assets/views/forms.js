// views/forms.js — small helpers shared by the sign-in, registration and invitation forms:
// labelled fields, busy buttons and translated error boxes.

import { h } from '../dom.js';
import { applyTranslations, errorText, t } from '../i18n.js';

/** A labelled form field: <label><span>Label</span>{control}<small>hint</small></label>. */
export function field(labelKey, control, { hintKey, className } = {}) {
  return h('label', { class: ['field', className] },
    h('span', { class: 'field-label', i18n: labelKey }),
    control,
    hintKey ? h('small', { class: 'field-hint', i18n: hintKey }) : null);
}

/** Marks a submit button busy (disabled, with a progress label) or idle again. */
export function setBusy(button, busy, busyKey, idleKey) {
  button.disabled = busy;
  button.setAttribute('aria-busy', String(busy));
  button.dataset.i18n = busy ? busyKey : idleKey;
  button.textContent = t(button.dataset.i18n);
}

/**
 * Shows error (anything with a `code`) in the alert box el, translated now and after every
 * language switch. overrides maps a code to another message key. Pass null to hide.
 */
export function showError(el, error, overrides = {}) {
  if (!error) {
    el.hidden = true;
    el.textContent = '';
    delete el.dataset.code;
    delete el.dataset.i18n;
    delete el.dataset.i18nArgs;
    return;
  }
  const { key, args } = errorText(error, overrides);
  el.dataset.code = error.code || 'unknown';
  el.dataset.i18n = key;
  el.dataset.i18nArgs = JSON.stringify(args);
  applyTranslations(el);
  el.hidden = false;
}

/** An alert box, hidden until showError fills it. */
export function errorBox(testid) {
  return h('div', { class: 'alert alert-error', testid, attrs: { role: 'alert' }, hidden: true });
}
