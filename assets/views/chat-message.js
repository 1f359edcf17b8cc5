// views/chat-message.js — one message of a conversation on screen (views/chat.js): the
// sender's name, company or country and role, the time in the viewer's zone, the text as
// plain text (never markup) or a phrasebook phrase in the reader's language, and the
// message's menu (delete, block, mute and ban for organizers); a message of the outbox
// ("sending…", failed with retry and discard, its reason in the reader's language: slow mode,
// the word filter…). In a show's chat, the host company's staff carry a "Host" badge (and
// organizers their own), and the host's staff may delete and mute there.

import { api } from '../api.js';
import { h } from '../dom.js';
import { ERROR_CODES } from '../gen/protocol.js';
import { countryName, errorMessage, formatDate, formatTime, getLang, t } from '../i18n.js';
import { phrasebook, phraseText } from '../phrases.js';
import { initials, roleBadge } from './common.js';
import { showError } from './forms.js';

function sameDay(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** A full date and time in the viewer's zone, for tooltips. */
export function fullTime(ms) {
  return formatDate(ms, { dateStyle: 'full', timeStyle: 'short' });
}

/** A message's time: the time of day today, date and time before (the viewer's zone). */
export function messageTime(ms) {
  const when = new Date(ms);
  const text = sameDay(when, new Date())
    ? formatTime(ms)
    : formatDate(ms, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  return h('time', { class: 'msg-time', text, title: fullTime(ms), attrs: { datetime: when.toISOString() } });
}

/** Messages of one sender within this long of each other are shown as one group. */
export const GROUP_MS = 5 * 60 * 1000;

/** "Seorak Natural Foods" / "Primorye Trade House · Russia" for a sender. */
function senderOrg(user) {
  return [user.company_name, user.role === 'buyer' ? countryName(user.country) : ''].filter(Boolean).join(' · ');
}

/**
 * A phrasebook phrase in the viewer's language, marked as one; the text the sender saw
 * (their language) is under "as sent" when it differs.
 */
function phraseBody(m) {
  const lang = getLang();
  const text = phraseText(m.phrase, lang);
  const original = m.body ?? '';
  const differs = original.trim() !== text.trim();
  return h('div', {
    class: 'msg-body is-phrase', testid: 'chat-body', dataset: { phraseId: m.phrase.id },
  },
  h('p', { class: 'msg-phrase', testid: 'chat-phrase-text', text, attrs: { lang } }),
  h('div', { class: 'msg-phrase-foot small' },
    h('span', {
      class: 'badge phrase-badge', testid: 'chat-phrase-mark', i18n: 'chat.phraseBadge', i18nAttr: { title: 'chat.phraseHint' },
    }),
    differs
      ? h('details', {
        class: 'msg-original', testid: 'chat-phrase-original',
        // The opened original stays in view (the newest message's would open below the fold).
        on: { toggle: (event) => { if (event.currentTarget.open) event.currentTarget.scrollIntoView({ block: 'nearest' }); } },
      },
        h('summary', { i18n: 'chat.phraseOriginal' }),
        h('span', { class: 'msg-original-text', testid: 'chat-phrase-original-text', text: original }))
      : null));
}

/**
 * The message renderers of one panel: messageEl(m), outboxEl(item), signature(m) (changes when
 * a drawn message must be drawn again) and note(key, args) (a passing line under the list).
 */
export function messageParts({ ctx, room, sendError, noteEl }) {
  const chat = ctx.session.chat;
  const me = ctx.session.user;

  function menuButton(key, testidName, onClick, danger = false) {
    return h('button', {
      type: 'button', class: ['msg-action', danger && 'is-danger'], testid: testidName, i18n: key,
      on: {
        click: async (event) => {
          const details = event.currentTarget.closest('details');
          if (details) details.open = false;
          await onClick();
        },
      },
    });
  }

  async function act(fn, doneKey, args) {
    try {
      await fn();
      if (doneKey) note(doneKey, args);
    } catch (error) {
      if (ctx.handleAuthError(error)) return;
      showError(sendError, error);
    }
  }

  function note(key, args) {
    noteEl.dataset.i18n = key;
    noteEl.dataset.i18nArgs = JSON.stringify(args || {});
    noteEl.textContent = t(key, args || {});
    noteEl.hidden = false;
    clearTimeout(note.timer);
    note.timer = setTimeout(() => { noteEl.hidden = true; }, 6000);
  }

  /** In a show's chat: is this sender one of the host company's staff? */
  function isHost(sender) {
    return room.info.kind === 'show' && sender.role === 'exhibitor' && sender.company_id != null
      && sender.company_id === room.info.company_id;
  }

  function actions(m) {
    const sender = m.sender || {};
    const mine = sender.id === me.id;
    const items = [];
    if (room.canDelete(m)) {
      items.push(menuButton('chat.delete', 'chat-delete', () => {
        if (!window.confirm(t('chat.confirmDelete'))) return undefined;
        return act(() => room.deleteMessage(m.id));
      }, true));
    }
    // Muting in this room: organizers, and in a show's chat its host's staff (not their own
    // colleagues, nor organizers).
    if (!mine && room.canMute && sender.role !== 'organizer' && !(me.role !== 'organizer' && isHost(sender))) {
      items.push(menuButton('chat.mute', 'chat-mute', () => {
        if (!window.confirm(t('chat.confirmMute', { name: sender.name }))) return undefined;
        return act(() => api.chatSanction({ userId: sender.id, roomId: room.id, kind: 'mute' }), 'chat.muted', { name: sender.name });
      }));
    }
    if (!mine && me.role === 'organizer' && sender.role !== 'organizer') {
      items.push(menuButton('chat.ban', 'chat-ban', () => {
        if (!window.confirm(t('chat.confirmBan', { name: sender.name }))) return undefined;
        return act(() => api.chatSanction({ userId: sender.id, roomId: null, kind: 'ban' }), 'chat.banned', { name: sender.name });
      }, true));
    }
    if (!mine) {
      items.push(chat.isBlocked(sender.id)
        ? menuButton('chat.unblock', 'chat-unblock', () => act(() => chat.unblock(sender.id), 'chat.unblocked', { name: sender.name }))
        : menuButton('chat.block', 'chat-block', () => {
          if (!window.confirm(t('chat.confirmBlock', { name: sender.name }))) return undefined;
          return act(() => chat.block(sender.id), 'chat.blocked', { name: sender.name });
        }, true));
    }
    if (!items.length) return null;
    return h('details', { class: 'msg-menu', testid: 'chat-message-menu' },
      h('summary', { class: 'msg-menu-btn', text: '⋯', i18nAttr: { 'aria-label': 'chat.actions', title: 'chat.actions' } }),
      h('div', { class: 'msg-menu-list' }, items));
  }

  function messageEl(m) {
    const sender = m.sender || {};
    const mine = sender.id === me.id;
    const blocked = !mine && chat.isBlocked(sender.id);
    const org = senderOrg(sender);
    let body;
    if (m.deleted) {
      body = h('p', { class: 'msg-body is-deleted', testid: 'chat-body', i18n: 'chat.deleted' });
    } else if (blocked) {
      body = h('p', { class: 'msg-body is-hidden', testid: 'chat-body', i18n: 'chat.hiddenBlocked' });
    } else if (m.phrase && phraseText(m.phrase, getLang()) !== null) {
      body = phraseBody(m);
    } else {
      // Plain text: textContent, so "<b>" stays "<b>".
      body = h('p', { class: 'msg-body', testid: 'chat-body', text: m.body ?? '' });
    }
    const host = isHost(sender);
    return h('li', {
      class: ['chat-msg', mine && 'is-mine', m.deleted && 'is-deleted', blocked && 'is-blocked', host && 'is-host'], testid: 'chat-message',
      dataset: { seq: String(m.seq), messageId: String(m.id), senderId: String(sender.id), host: String(host) },
      title: fullTime(m.created_ms),
    },
    h('span', { class: `avatar small role-${sender.role}`, text: initials(sender.name), attrs: { 'aria-hidden': 'true' } }),
    h('div', { class: 'msg-head' },
      h('strong', { class: 'msg-sender', testid: 'chat-sender', text: sender.name || '?' }),
      messageTime(m.created_ms)),
    h('div', { class: 'msg-org' },
      host ? h('span', { class: 'badge host-badge', testid: 'chat-host-badge', i18n: 'chat.hostBadge' }) : null,
      roleBadge(sender.role), org ? h('span', { testid: 'chat-sender-org', text: org }) : null),
    body,
    actions(m));
  }


  function signature(m) {
    const sender = m.sender || {};
    return [m.deleted, chat.isBlocked(sender.id), room.canDelete(m), room.canMute, isHost(sender), getLang(), Boolean(m.phrase && phrasebook())].join('|');
  }

  function outboxEl(item) {
    const failed = item.state === 'failed';
    return h('li', {
      class: ['chat-msg', 'is-mine', 'is-pending', failed && 'is-failed'], testid: 'chat-pending',
      dataset: { key: item.key, state: item.state },
    },
    h('span', { class: `avatar small role-${me.role}`, text: initials(me.name), attrs: { 'aria-hidden': 'true' } }),
    h('div', { class: 'msg-head' },
      h('strong', { class: 'msg-sender', text: me.name }),
      h('span', {
        class: 'msg-state', testid: 'chat-pending-state',
        i18n: failed ? 'chat.failed' : item.state === 'waiting' ? 'chat.waiting' : 'chat.sending',
      })),
    h('p', { class: 'msg-body', testid: 'chat-body', text: (item.phrase && phraseText(item.phrase, getLang())) || item.body }),
    failed
      ? h('p', { class: 'msg-failed small' },
        h('span', { class: 'msg-error', testid: 'chat-pending-error', dataset: { code: item.error?.code || '' }, text: errorText(item.error) }), ' ',
        h('button', { type: 'button', class: 'btn btn-ghost btn-tiny', testid: 'chat-retry', i18n: 'chat.retry', on: { click: () => room.retry(item.key) } }), ' ',
        h('button', { type: 'button', class: 'btn btn-ghost btn-tiny', testid: 'chat-discard', i18n: 'chat.discard', on: { click: () => room.discard(item.key) } }))
      : null);
  }

  function errorText(error) {
    return errorMessage(error, {
      [ERROR_CODES.VALIDATION]: 'chat.error.validation', [ERROR_CODES.RATE_LIMITED]: 'chat.error.rate_limited',
      [ERROR_CODES.FORBIDDEN]: 'chat.error.forbidden', [ERROR_CODES.NOT_SUBSCRIBED]: 'chat.error.not_subscribed',
      [ERROR_CODES.UNKNOWN_PHRASE]: 'chat.error.unknown_phrase',
      [ERROR_CODES.SLOW_MODE]: 'chat.error.slow_mode', [ERROR_CODES.FILTERED]: 'chat.error.filtered',
    });
  }

  return { messageEl, outboxEl, signature, note };
}
