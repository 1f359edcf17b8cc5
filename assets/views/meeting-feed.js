// views/meeting-feed.js — the agenda's side card: the viewer's private calendar feed (its
// URL with a copy button, and a new link on demand, which ends the old one).

import { api } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { errorBox, showError } from './forms.js';

/** The private calendar feed: its URL with a copy button, and a new link on demand. */
export function calendarCard(ctx) {
  const url = h('input', { type: 'text', readOnly: true, class: 'feed-url', testid: 'calendar-url', i18nAttr: { 'aria-label': 'meet.feedTitle' } });
  const status = h('span', { class: 'saved-note small', testid: 'calendar-status', attrs: { role: 'status' }, hidden: true });
  const error = errorBox('calendar-error');
  const copy = h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'calendar-copy', i18n: 'meet.copy', disabled: true });
  const renew = h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'calendar-new', i18n: 'meet.newLink' });
  const confirmBox = h('div', { class: 'feed-confirm', hidden: true },
    h('p', { class: 'small', i18n: 'meet.newLinkWarning' }),
    h('button', { type: 'button', class: 'btn btn-danger btn-small', testid: 'calendar-new-confirm', i18n: 'meet.newLinkConfirm',
      on: { click: () => make() } }),
    h('button', { type: 'button', class: 'btn btn-ghost btn-small', i18n: 'meet.back', on: { click: () => { confirmBox.hidden = true; } } }));

  function flashStatus(key) {
    status.dataset.i18n = key;
    status.textContent = t(key);
    status.hidden = false;
    clearTimeout(status.timer);
    status.timer = setTimeout(() => { status.hidden = true; }, 4000);
  }

  function show(data) {
    url.value = data?.url ? new URL(data.url, location.href).href : '';
    copy.disabled = !url.value;
  }

  async function loadFeed() {
    showError(error, null);
    try {
      show(await api.calendarFeed());
    } catch (e) {
      if (ctx.handleAuthError(e)) return;
      showError(error, e);
    }
  }

  async function make() {
    confirmBox.hidden = true;
    renew.disabled = true;
    showError(error, null);
    try {
      show(await api.newCalendarFeed());
      flashStatus('meet.newLinkDone');
    } catch (e) {
      if (!ctx.handleAuthError(e)) showError(error, e);
    } finally {
      renew.disabled = false;
    }
  }

  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(url.value);
    } catch {
      url.select();
      document.execCommand?.('copy');
    }
    flashStatus('meet.copied');
  });
  renew.addEventListener('click', () => { confirmBox.hidden = false; });
  url.addEventListener('focus', () => url.select());
  loadFeed();

  return h('section', { class: 'card feed-card', testid: 'calendar-feed' },
    h('h2', { i18n: 'meet.feedTitle' }),
    h('p', { class: 'muted small', i18n: 'meet.feedHint' }),
    url,
    h('div', { class: 'feed-actions' }, copy, renew, status),
    confirmBox,
    error);
}
