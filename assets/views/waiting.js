// views/waiting.js — the waiting page (#/waiting) of a buyer whose registration is not
// approved yet, or was rejected. The sign-in answers such a buyer (after a right password)
// with account_pending or account_rejected and where the registration stands — codes and
// times, no sentences — which the sign-in page keeps for this tab and shows here, in the
// chosen language: when they registered, that organizers review registrations, what happens
// next; or the organizer's reason for the rejection.

import { h } from '../dom.js';
import { formatDate, onLangChange } from '../i18n.js';
import { authLayout } from './layout.js';

const KEY = 'expo.application';

/** Keeps what the sign-in said (an ApiError with `application`) for the waiting page. */
export function rememberApplication(error, email) {
  try {
    sessionStorage.setItem(KEY, JSON.stringify({ code: error.code, email, ...(error.application || {}) }));
  } catch {
    // The page then says there is nothing to show, and links to the sign-in.
  }
}

function recalled() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) || 'null');
  } catch {
    return null;
  }
}

function dateText(ms) {
  return formatDate(ms, { dateStyle: 'long', timeStyle: 'short' });
}

export function mountWaiting(root) {
  draw(root);
  // Dates are worded by Intl in the page's language: drawn again after a switch.
  return onLangChange(() => {
    root.replaceChildren();
    draw(root);
  });
}

function draw(root) {
  const state = recalled();
  const back = h('a', { href: '#/login', class: 'btn btn-ghost', testid: 'waiting-back', i18n: 'waiting.back' });
  let card;
  if (!state || !state.registered_ms) {
    card = h('div', { class: 'card auth-card', testid: 'waiting-page', dataset: { state: 'none' } },
      h('h1', { i18n: 'waiting.noneTitle' }),
      h('p', { class: 'muted', i18n: 'waiting.none' }),
      back);
  } else if (state.code === 'account_rejected') {
    card = h('div', { class: 'card auth-card waiting-card', testid: 'waiting-page', dataset: { state: 'rejected' } },
      h('h1', { i18n: 'waiting.rejectedTitle' }),
      h('p', { testid: 'waiting-registered', i18n: 'waiting.registeredOn', i18nArgs: { date: dateText(state.registered_ms) } }),
      state.rejected_ms
        ? h('p', { testid: 'waiting-rejected-on', i18n: 'waiting.rejectedOn', i18nArgs: { date: dateText(state.rejected_ms) } })
        : null,
      h('p', { class: 'waiting-label', i18n: 'waiting.reasonLabel' }),
      h('blockquote', { class: 'waiting-reason', testid: 'waiting-reason', text: state.reason || '' }),
      h('p', { class: 'muted', i18n: 'waiting.rejectedNext' }),
      back);
  } else {
    card = h('div', { class: 'card auth-card waiting-card', testid: 'waiting-page', dataset: { state: 'pending' } },
      h('h1', { i18n: 'waiting.title' }),
      h('p', { testid: 'waiting-registered', i18n: 'waiting.registeredOn', i18nArgs: { date: dateText(state.registered_ms) } }),
      state.email ? h('p', { class: 'muted small', text: state.email }) : null,
      h('p', { i18n: 'waiting.review' }),
      h('h2', { class: 'waiting-next', i18n: 'waiting.nextTitle' }),
      h('ol', { class: 'waiting-steps', testid: 'waiting-steps' },
        h('li', { i18n: 'waiting.step1' }),
        h('li', { i18n: 'waiting.step2' }),
        h('li', { i18n: 'waiting.step3' })),
      back);
  }
  root.append(authLayout(card));
}
