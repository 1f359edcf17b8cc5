// views/chat.js — one conversation on screen (the booth's public chat, or a conversation in
// the inbox): messages with the sender's name and company or role, times in the viewer's
// own time zone, text as plain text (never markup), "load earlier", "sending…" until the
// server has stored a message, the typing line, and per-message actions — delete (the
// sender, the company's staff, organizers), block (anyone, on others' messages), mute in
// this room and ban fair-wide (organizers). Phrasebook phrases: a picker beside the message
// box lists ready phrases by topic in the viewer's language (parameters such as a quantity
// or an Incoterms rule filled in before sending); a phrase message is shown in each reader's
// own language, marked as a phrasebook phrase, with the sender's original a click away.
//
//   const panel = chatPanel(ctx, room, { testid: 'booth-chat' });
//   parent.append(panel.el); … panel.destroy();

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { MAX_MESSAGE_CHARS } from '../chat.js';
import { ERROR_CODES } from '../gen/protocol.js';
import { countryName, errorMessage, formatDate, formatTime, getLang, onLangChange, t } from '../i18n.js';
import {
  inLang, loadPhrasebook, phraseGroups, phraseParams, phraseText, phrasebook, validParam,
} from '../phrases.js';
import { errorBox, showError } from './forms.js';
import { initials, roleBadge } from './common.js';

/** Pixels from the bottom that still count as "at the newest message". */
const NEAR_BOTTOM = 48;
/** From this many characters on, the composer shows how many are left. */
const COUNT_FROM = MAX_MESSAGE_CHARS - 200;

function sameDay(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** A full date and time in the viewer's zone, for tooltips. */
function fullTime(ms) {
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
const GROUP_MS = 5 * 60 * 1000;

/** "Seorak Natural Foods" / "Primorye Trade House · Russia" for a sender. */
function senderOrg(user) {
  return [user.company_name, user.role === 'buyer' ? countryName(user.country) : ''].filter(Boolean).join(' · ');
}

/** The line under a conversation's title: the other side, and whether staff are online. */
export function conversationMeta(info, me) {
  if (info.kind !== 'private') return null;
  const parts = [];
  if (info.buyer && info.buyer.id !== me.id) {
    // The title names the buyer (and company); add where they come from.
    parts.push(h('span', { class: 'conv-buyer', testid: 'conv-buyer' },
      h('span', { class: 'badge role-buyer', i18n: 'role.buyer' }), ' ',
      h('span', { text: [info.buyer.company_name, countryName(info.buyer.country)].filter(Boolean).join(' · ') })));
  }
  if (typeof info.staff_online === 'boolean') {
    parts.push(h('span', {
      class: ['staff-online', info.staff_online && 'is-on'], testid: 'conv-staff-online',
      dataset: { online: String(info.staff_online) },
    },
    h('span', { class: 'staffed-dot' + (info.staff_online ? ' is-on' : ''), attrs: { 'aria-hidden': 'true' } }),
    h('span', { i18n: info.staff_online ? 'chat.staffOnline' : 'chat.staffOffline' })));
  }
  return h('p', { class: 'conv-meta' }, parts);
}

/**
 * The conversation panel. options: testid, title (show the room's title and meta line),
 * placeholderKey (the composer's hint).
 */
export function chatPanel(ctx, room, options = {}) {
  const { testid = 'chat', title = false, placeholderKey = 'chat.placeholder' } = options;
  const chat = ctx.session.chat;
  const me = ctx.session.user;
  const nodes = new Map(); // message id → {el, sig}
  let atBottom = true;
  let unseen = 0;
  let scrollAfterRender = true;
  let lastRenderedSeq = 0;
  let destroyed = false;

  // ------------------------------------------------------------ frame
  const headEl = h('header', { class: 'chat-head', hidden: !title });
  const errorEl = errorBox(`${testid}-error`);
  const earlierBtn = h('button', {
    type: 'button', class: 'btn btn-ghost btn-small chat-earlier', testid: 'chat-load-earlier', i18n: 'chat.loadEarlier', hidden: true,
    on: { click: () => { keepOffset(); room.loadEarlier(); } },
  });
  const list = h('ol', { class: 'chat-list', testid: 'chat-messages' });
  const outboxList = h('ol', { class: 'chat-list chat-outbox', testid: 'chat-outbox' });
  const emptyEl = h('p', { class: 'chat-empty muted small', testid: 'chat-empty', i18n: 'chat.empty', hidden: true });
  const loadingEl = h('p', { class: 'chat-empty muted small', i18n: 'common.loading' });
  const scroller = h('div', {
    class: 'chat-scroll', testid: 'chat-scroll', attrs: { role: 'log', 'aria-live': 'polite', tabindex: '0' },
    i18nAttr: { 'aria-label': 'chat.messages' },
  }, earlierBtn, loadingEl, emptyEl, list, outboxList);
  const jumpBtn = h('button', {
    type: 'button', class: 'chat-jump', testid: 'chat-jump', hidden: true,
    on: { click: () => scrollToBottom(true) },
  });
  const typingEl = h('p', { class: 'chat-typing', testid: 'chat-typing', attrs: { 'aria-live': 'polite' } });
  const offlineEl = h('p', { class: 'alert alert-info chat-offline', testid: 'chat-staff-offline', i18n: 'chat.noStaffOnline', hidden: true });
  const noteEl = h('p', { class: 'chat-note small', testid: `${testid}-note`, attrs: { role: 'status' }, hidden: true });
  const sendError = errorBox('chat-send-error');

  const input = h('textarea', {
    class: 'chat-input', testid: 'chat-input', rows: 2, i18nAttr: { placeholder: placeholderKey, 'aria-label': 'chat.messageLabel' },
  });
  const counter = h('span', { class: 'chat-counter small', testid: 'chat-counter', hidden: true });
  const sendBtn = h('button', { type: 'submit', class: 'btn btn-primary btn-small', testid: 'chat-send', i18n: 'chat.send' });
  const pickerId = `phrases-${testid}-${room.id}`;
  const phrasesBtn = h('button', {
    type: 'button', class: 'btn btn-ghost btn-small chat-phrases-btn', testid: 'chat-phrases', i18n: 'chat.phrases',
    i18nAttr: { title: 'chat.phrasesHint' }, attrs: { 'aria-expanded': 'false', 'aria-controls': pickerId },
    on: { click: () => togglePicker() },
  });
  const picker = h('div', {
    class: 'phrase-picker', testid: 'phrase-picker', id: pickerId, hidden: true,
    attrs: { role: 'region' }, i18nAttr: { 'aria-label': 'chat.phrasesTitle' },
  });
  const composer = h('form', { class: 'chat-composer', testid: 'chat-composer', attrs: { novalidate: true } },
    picker, input, h('div', { class: 'chat-composer-foot' }, phrasesBtn, counter, sendBtn));
  const readOnlyEl = h('p', { class: 'muted small chat-readonly', testid: 'chat-readonly', i18n: 'chat.readOnly', hidden: true });

  const el = h('section', {
    class: 'chat-panel', testid, dataset: { roomId: String(room.id), kind: room.info.kind || '' },
  }, headEl, errorEl, h('div', { class: 'chat-body' }, scroller, jumpBtn), typingEl, offlineEl, noteEl, sendError, composer, readOnlyEl);

  // ------------------------------------------------------------ messages
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
    if (!mine && me.role === 'organizer' && sender.role !== 'organizer') {
      items.push(menuButton('chat.mute', 'chat-mute', () => {
        if (!window.confirm(t('chat.confirmMute', { name: sender.name }))) return undefined;
        return act(() => api.chatSanction({ userId: sender.id, roomId: room.id, kind: 'mute' }), 'chat.muted', { name: sender.name });
      }));
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
    return h('li', {
      class: ['chat-msg', mine && 'is-mine', m.deleted && 'is-deleted', blocked && 'is-blocked'], testid: 'chat-message',
      dataset: { seq: String(m.seq), messageId: String(m.id), senderId: String(sender.id) },
      title: fullTime(m.created_ms),
    },
    h('span', { class: `avatar small role-${sender.role}`, text: initials(sender.name), attrs: { 'aria-hidden': 'true' } }),
    h('div', { class: 'msg-head' },
      h('strong', { class: 'msg-sender', testid: 'chat-sender', text: sender.name || '?' }),
      messageTime(m.created_ms)),
    h('div', { class: 'msg-org' }, roleBadge(sender.role), org ? h('span', { testid: 'chat-sender-org', text: org }) : null),
    body,
    actions(m));
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

  function signature(m) {
    const sender = m.sender || {};
    return [m.deleted, chat.isBlocked(sender.id), room.canDelete(m), getLang(), Boolean(m.phrase && phrasebook())].join('|');
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
        h('span', { class: 'msg-error', text: errorText(item.error) }), ' ',
        h('button', { type: 'button', class: 'btn btn-ghost btn-tiny', testid: 'chat-retry', i18n: 'chat.retry', on: { click: () => room.retry(item.key) } }), ' ',
        h('button', { type: 'button', class: 'btn btn-ghost btn-tiny', testid: 'chat-discard', i18n: 'chat.discard', on: { click: () => room.discard(item.key) } }))
      : null);
  }

  function errorText(error) {
    return errorMessage(error, {
      [ERROR_CODES.VALIDATION]: 'chat.error.validation', [ERROR_CODES.RATE_LIMITED]: 'chat.error.rate_limited',
      [ERROR_CODES.FORBIDDEN]: 'chat.error.forbidden', [ERROR_CODES.NOT_SUBSCRIBED]: 'chat.error.not_subscribed',
      [ERROR_CODES.UNKNOWN_PHRASE]: 'chat.error.unknown_phrase',
    });
  }

  function renderMessages() {
    const wanted = [];
    const ids = new Set();
    for (const m of room.messages) {
      ids.add(m.id);
      const sig = signature(m);
      let node = nodes.get(m.id);
      if (!node || node.sig !== sig) {
        const fresh = messageEl(m);
        if (node) node.el.replaceWith(fresh);
        node = { el: fresh, sig };
        nodes.set(m.id, node);
      }
      wanted.push(node.el);
    }
    for (const [id, node] of nodes) {
      if (!ids.has(id)) {
        node.el.remove();
        nodes.delete(id);
      }
    }
    // Put them in order, moving only what is out of place (open menus and focus stay).
    let cursor = list.firstChild;
    for (const node of wanted) {
      if (node === cursor) {
        cursor = cursor.nextSibling;
      } else {
        list.insertBefore(node, cursor);
      }
    }
    while (cursor) {
      const next = cursor.nextSibling;
      cursor.remove();
      cursor = next;
    }
    // A sender's messages in a row (within a few minutes) share one name line.
    let prev = null;
    for (const m of room.messages) {
      const continued = Boolean(prev) && prev.sender?.id === m.sender?.id && m.created_ms - prev.created_ms < GROUP_MS;
      nodes.get(m.id)?.el.classList.toggle('is-continued', continued);
      prev = m;
    }
    replaceChildren(outboxList, room.outbox.map(outboxEl));
    const started = room.lastSeq !== null && (room.joined || room.messages.length || room.error);
    loadingEl.hidden = Boolean(started);
    emptyEl.hidden = !started || room.messages.length > 0 || room.outbox.length > 0 || Boolean(room.error);
    earlierBtn.hidden = !room.hasEarlier;
    earlierBtn.disabled = room.loadingEarlier;
    el.dataset.lastSeq = String(room.lastSeq ?? '');
    el.dataset.joined = String(room.joined);
    el.dataset.count = String(room.messages.length);
  }

  function renderHead() {
    const info = room.info;
    el.dataset.kind = info.kind || '';
    if (!title) return;
    replaceChildren(headEl,
      h('h2', { class: 'chat-title', testid: 'conv-title', text: info.title || t('chat.conversation') }),
      conversationMeta(info, me));
  }

  function renderTyping() {
    const users = room.typingUsers();
    const names = users.map((u) => u.name);
    let key = null;
    let args = {};
    if (names.length === 1) {
      key = 'chat.typingOne';
      args = { name: names[0] };
    } else if (names.length === 2) {
      key = 'chat.typingTwo';
      args = { a: names[0], b: names[1] };
    } else if (names.length > 2) {
      key = 'chat.typingMany';
      args = { count: names.length };
    }
    if (key) {
      typingEl.dataset.i18n = key;
      typingEl.dataset.i18nArgs = JSON.stringify(args);
      typingEl.textContent = t(key, args);
    } else {
      delete typingEl.dataset.i18n;
      typingEl.textContent = '';
    }
    typingEl.classList.toggle('is-on', Boolean(key));
  }

  function renderState() {
    const canPost = room.canPost && !room.error;
    composer.hidden = !canPost;
    if (!canPost && !picker.hidden) togglePicker(false);
    readOnlyEl.hidden = room.canPost || Boolean(room.error);
    if (room.error) showError(errorEl, room.error, { [ERROR_CODES.FORBIDDEN]: 'chat.error.noAccess', [ERROR_CODES.NOT_FOUND]: 'chat.error.noRoom' });
    else showError(errorEl, null);
    offlineEl.hidden = !(room.staffOffline && room.info.kind === 'private');
  }

  // ------------------------------------------------------------ scrolling and reading
  function isNearBottom() {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= NEAR_BOTTOM;
  }

  function scrollToBottom(read = false) {
    scroller.scrollTop = scroller.scrollHeight;
    atBottom = true;
    unseen = 0;
    renderJump();
    if (read) maybeRead();
  }

  let keptOffset = null;
  function keepOffset() {
    keptOffset = scroller.scrollHeight - scroller.scrollTop;
  }

  function renderJump() {
    jumpBtn.hidden = unseen === 0;
    jumpBtn.dataset.count = String(unseen);
    jumpBtn.dataset.i18n = 'chat.newMessages';
    jumpBtn.dataset.i18nArgs = JSON.stringify({ count: unseen });
    jumpBtn.textContent = t('chat.newMessages', { count: unseen });
  }

  function isActive() {
    if (destroyed || !el.isConnected) return false;
    if (el.closest('[hidden]')) return false;
    return atBottom;
  }

  function maybeRead() {
    if (room.visible && atBottom) room.markRead();
  }

  const view = { isActive };
  room.views.add(view);

  function render(what) {
    if (destroyed) return;
    if (what === 'typing') {
      renderTyping();
      return;
    }
    const wasAtBottom = atBottom;
    renderHead();
    renderMessages();
    renderTyping();
    renderState();
    const newest = room.lastSeq || 0;
    if (keptOffset !== null && what === 'earlier' && !room.loadingEarlier) {
      scroller.scrollTop = scroller.scrollHeight - keptOffset;
      keptOffset = null;
    } else if (scrollAfterRender || wasAtBottom) {
      scrollToBottom();
      scrollAfterRender = false;
    } else if (newest > lastRenderedSeq && lastRenderedSeq > 0) {
      const fresh = room.messages.filter((m) => m.seq > lastRenderedSeq && m.sender?.id !== me.id).length;
      unseen += fresh;
      renderJump();
    }
    if (what === 'outbox' && room.outbox.length) scrollToBottom();
    lastRenderedSeq = Math.max(lastRenderedSeq, newest);
    maybeRead();
  }

  scroller.addEventListener('scroll', () => {
    atBottom = isNearBottom();
    if (atBottom && unseen) {
      unseen = 0;
      renderJump();
    }
    maybeRead();
  }, { passive: true });

  // ------------------------------------------------------------ composing
  function updateCounter() {
    const n = Array.from(input.value).length;
    counter.hidden = n < COUNT_FROM;
    counter.textContent = t('chat.charsLeft', { count: MAX_MESSAGE_CHARS - n });
    counter.classList.toggle('is-over', n > MAX_MESSAGE_CHARS);
    return n;
  }

  function submit() {
    const body = input.value;
    const n = updateCounter();
    if (!body.trim()) return;
    if (n > MAX_MESSAGE_CHARS) {
      showError(sendError, { code: ERROR_CODES.VALIDATION }, { [ERROR_CODES.VALIDATION]: 'chat.tooLong' });
      return;
    }
    showError(sendError, null);
    room.send(body);
    input.value = '';
    updateCounter();
    scrollToBottom();
    input.focus();
  }

  composer.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  input.addEventListener('keydown', (event) => {
    // Enter sends, Shift+Enter breaks the line; never in the middle of an IME composition.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      submit();
    }
  });
  input.addEventListener('input', () => {
    if (sendError.dataset.i18n === 'chat.tooLong' && updateCounter() <= MAX_MESSAGE_CHARS) showError(sendError, null);
    updateCounter();
    if (input.value.trim()) room.typing();
  });

  // ------------------------------------------------------------ phrasebook
  let chosen = null; // {phrase, values: {name: value}} while the sender fills in a phrase
  let pickerFailed = null;

  function togglePicker(open = picker.hidden) {
    picker.hidden = !open;
    phrasesBtn.setAttribute('aria-expanded', String(open));
    phrasesBtn.classList.toggle('is-on', open);
    if (!open) {
      chosen = null;
      return;
    }
    renderPicker();
    reveal();
    if (!phrasebook()) {
      loadPhrasebook().then(() => {
        pickerFailed = null;
        renderPicker();
        reveal();
        render('messages');
      }, (error) => {
        pickerFailed = error;
        renderPicker();
      });
    }
  }

  /** A phrase's text in the picker: its blanks ({qty}) shown as their labels, marked. */
  function phraseWithBlanks(phrase, lang) {
    const labels = Object.fromEntries(phraseParams(phrase, lang).map((p) => [p.name, p.label]));
    return inLang(phrase.text, lang).split(/(\{\w+\})/).filter(Boolean).map((part) => {
      const name = part.match(/^\{(\w+)\}$/)?.[1];
      return name ? h('span', { class: 'phrase-blank', text: labels[name] ?? name }) : part;
    });
  }

  /** Scrolls the page so the picker and the composer under it are in view. */
  function reveal() {
    if (!picker.hidden) composer.scrollIntoView({ block: 'end' });
  }

  function choose(phrase) {
    chosen = { phrase, values: {} };
    for (const param of phraseParams(phrase, getLang())) {
      chosen.values[param.name] = param.kind === 'choice' ? param.choices[0] : '';
    }
    renderPicker();
    const first = picker.querySelector('[data-testid="phrase-param"], [data-testid="phrase-send"]');
    first?.focus();
  }

  function sendChosen() {
    if (!chosen) return;
    const lang = getLang();
    const params = phraseParams(chosen.phrase, lang);
    const missing = params.find((p) => !validParam(p, String(chosen.values[p.name] ?? '').trim()));
    if (missing) {
      showError(sendError, { code: ERROR_CODES.VALIDATION }, { [ERROR_CODES.VALIDATION]: 'chat.phraseFillIn' });
      picker.querySelector(`[data-param="${missing.name}"]`)?.focus();
      return;
    }
    const ref = { id: chosen.phrase.id, params: {} };
    for (const p of params) ref.params[p.name] = String(chosen.values[p.name]).trim();
    showError(sendError, null);
    room.send(phraseText(ref, lang), ref);
    togglePicker(false);
    scrollToBottom();
    input.focus();
  }

  function paramField(param) {
    const common = {
      class: 'phrase-param', testid: 'phrase-param', dataset: { param: param.name }, attrs: { 'aria-label': param.label },
    };
    if (param.kind === 'choice') {
      return h('label', { class: 'phrase-param-label' }, h('span', { class: 'small', text: param.label }),
        h('select', {
          ...common,
          on: { change: (event) => { chosen.values[param.name] = event.target.value; } },
        }, param.choices.map((c) => h('option', { value: c, text: c, selected: chosen.values[param.name] === c }))));
    }
    return h('label', { class: 'phrase-param-label' }, h('span', { class: 'small', text: param.label }),
      h('input', {
        ...common, type: 'text', value: chosen.values[param.name] ?? '',
        attrs: { ...common.attrs, inputmode: 'numeric', pattern: '[0-9]*', maxlength: '9', size: '6' },
        on: {
          input: (event) => { chosen.values[param.name] = event.target.value; },
          keydown: (event) => {
            if (event.key === 'Enter' && !event.isComposing) {
              event.preventDefault();
              sendChosen();
            }
          },
        },
      }));
  }

  function renderPicker() {
    if (picker.hidden) return;
    const lang = getLang();
    if (!phrasebook()) {
      replaceChildren(picker, pickerFailed
        ? h('p', { class: 'small msg-error', text: errorMessage(pickerFailed) })
        : h('p', { class: 'muted small', i18n: 'common.loading' }));
      return;
    }
    const head = h('div', { class: 'phrase-picker-head' },
      h('strong', { i18n: 'chat.phrasesTitle' }),
      h('button', {
        type: 'button', class: 'btn btn-ghost btn-tiny', testid: 'phrase-close', i18n: 'common.close',
        on: { click: () => { togglePicker(false); input.focus(); } },
      }));
    if (chosen) {
      const params = phraseParams(chosen.phrase, lang);
      replaceChildren(picker, head,
        h('div', { class: 'phrase-chosen', testid: 'phrase-chosen', dataset: { phraseId: chosen.phrase.id } },
          h('p', { class: 'phrase-chosen-text', attrs: { lang } }, phraseWithBlanks(chosen.phrase, lang)),
          params.length ? h('div', { class: 'phrase-params' }, params.map(paramField)) : null,
          h('div', { class: 'phrase-chosen-actions' },
            h('button', {
              type: 'button', class: 'btn btn-ghost btn-small', testid: 'phrase-back', i18n: 'chat.phraseBack',
              on: { click: () => { chosen = null; renderPicker(); } },
            }),
            h('button', {
              type: 'button', class: 'btn btn-primary btn-small', testid: 'phrase-send', i18n: 'chat.phraseSend',
              on: { click: sendChosen },
            }))));
      return;
    }
    replaceChildren(picker, head,
      h('p', { class: 'muted small', i18n: 'chat.phrasesHint' }),
      h('div', { class: 'phrase-groups' }, phraseGroups(lang).map((group) => h('section', {
        class: 'phrase-group', testid: 'phrase-group', dataset: { group: group.id },
      },
      h('h3', { class: 'phrase-group-title', text: group.label }),
      h('ul', { class: 'phrase-list' }, group.phrases.map((phrase) => h('li', {},
        h('button', {
          type: 'button', class: 'phrase-option', testid: 'phrase-option', dataset: { phraseId: phrase.id },
          attrs: { lang },
          on: { click: () => choose(phrase) },
        }, phraseWithBlanks(phrase, lang)))))))));
  }

  // Phrase messages need the phrasebook to be shown in the reader's language (until then,
  // their body: the sender's text).
  if (!phrasebook()) {
    loadPhrasebook().then(() => render('messages'), () => {});
  }

  // ------------------------------------------------------------ wiring
  const offs = [
    room.on('change', render),
    room.on('notice', (notice) => {
      if (notice.staffOffline) renderState();
      if (notice.error) showError(sendError, notice.error);
    }),
    chat.on('blocks', () => render('messages')),
    onLangChange(() => {
      for (const node of nodes.values()) node.sig = '';
      render('messages');
      renderPicker();
    }),
  ];
  const onVisibility = () => maybeRead();
  document.addEventListener('visibilitychange', onVisibility);
  window.addEventListener('focus', onVisibility);

  render('messages');

  return {
    el,
    room,
    focus() {
      input.focus();
    },
    /** After the panel becomes visible (it is scrolled to the newest message). */
    shown() {
      scrollToBottom(true);
    },
    destroy() {
      destroyed = true;
      room.views.delete(view);
      for (const off of offs) off();
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('focus', onVisibility);
      clearTimeout(note.timer);
    },
  };
}
