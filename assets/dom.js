// dom.js — tiny helpers to build DOM trees. Text always goes in as text nodes or
// textContent (never innerHTML), so names and company names from users cannot inject markup.

import { t } from './i18n.js';

/**
 * h('button', { class: 'btn', testid: 'login-submit', on: { click: fn } }, 'Sign in')
 *
 * props: class, testid (→ data-testid), dataset, attrs (plain attributes), on (listeners),
 * text (textContent), i18n (a string key, translated now and on every language switch),
 * i18nArgs (its parameters), i18nAttr ({placeholder: key, ...}); anything else is set as a
 * property (type, name, value, href, disabled, ...). Children: nodes, strings (as text),
 * arrays, and null/false (skipped).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null) continue;
    switch (name) {
      case 'class':
        el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
        break;
      case 'testid':
        el.dataset.testid = value;
        break;
      case 'dataset':
        Object.assign(el.dataset, value);
        break;
      case 'attrs':
        for (const [attr, v] of Object.entries(value)) {
          if (v !== undefined && v !== null && v !== false) el.setAttribute(attr, v === true ? '' : String(v));
        }
        break;
      case 'on':
        for (const [event, fn] of Object.entries(value)) el.addEventListener(event, fn);
        break;
      case 'text':
        el.textContent = value;
        break;
      case 'i18n':
        el.dataset.i18n = value;
        break;
      case 'i18nArgs':
        el.dataset.i18nArgs = JSON.stringify(value);
        break;
      case 'i18nAttr':
        el.dataset.i18nAttr = Object.entries(value).map(([a, k]) => `${a}:${k}`).join(';');
        break;
      default:
        el[name] = value;
    }
  }
  if (props?.i18n) el.textContent = t(props.i18n, props.i18nArgs || {});
  if (props?.i18nAttr) {
    for (const [attr, key] of Object.entries(props.i18nAttr)) el.setAttribute(attr, t(key, props.i18nArgs || {}));
  }
  append(el, children);
  return el;
}

/** Appends children (nodes, strings, arrays; null/false skipped) to el. */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** A span whose text is the translated key (and stays translated). */
export function tr(key, args) {
  return h('span', { i18n: key, i18nArgs: args });
}

/** Replaces all of el's children. */
export function replaceChildren(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}
