// views/chat.js — one conversation on screen (the booth's public chat, or a conversation in
// the inbox): messages with the sender's name and company or role, times in the viewer's
// own time zone, text as plain text (never markup), "load earlier", "sending…" until the
// server has stored a message, the typing line, and per-message actions — delete (the
// sender, the company's staff, organizers), block (anyone, on others' messages), mute in
// this room and ban fair-wide (organizers). Phrasebook phrases: a picker beside the message
// box lists ready phrases by topic in the viewer's language (parameters such as a quantity
// or an Incoterms rule filled in before sending); a phrase message is shown in each reader's
// own language, marked as a phrasebook phrase, with the sender's original a click away.
// One message is drawn by chat-message.js, the phrase picker is chat-phrases.js; this module
// holds the panel: its list, scrolling and reading, the typing line and the composer. In slow
// mode (a show's chat) a line says how often one may write, and while the user's cooldown runs
// the send button is disabled and a countdown says when they may write again (the text stays
// in the composer; a refused message stays in the outbox with its reason).
//
//   const panel = chatPanel(ctx, room, { testid: 'booth-chat' });
//   parent.append(panel.el); … panel.destroy();

import { MAX_MESSAGE_CHARS } from '../chat.js';
import { h, replaceChildren } from '../dom.js';
import { ERROR_CODES } from '../gen/protocol.js';
import { countryName, onLangChange, t } from '../i18n.js';
import { loadPhrasebook, phrasebook } from '../phrases.js';
import { GROUP_MS, messageParts } from './chat-message.js';
import { phrasePicker } from './chat-phrases.js';
import { errorBox, showError } from './forms.js';

/** Pixels from the bottom that still count as "at the newest message". */
const NEAR_BOTTOM = 48;
/** From this many characters on, the composer shows how many are left. */
const COUNT_FROM = MAX_MESSAGE_CHARS - 200;

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
  const slowEl = h('p', { class: 'chat-slow small', testid: 'chat-slow-mode', hidden: true });
  const cooldownEl = h('p', {
    class: 'chat-cooldown small', testid: 'chat-cooldown', attrs: { 'aria-live': 'polite', 'aria-atomic': 'true' },
  });

  const input = h('textarea', {
    class: 'chat-input', testid: 'chat-input', rows: 2, i18nAttr: { placeholder: placeholderKey, 'aria-label': 'chat.messageLabel' },
  });
  const counter = h('span', { class: 'chat-counter small', testid: 'chat-counter', hidden: true });
  const sendBtn = h('button', { type: 'submit', class: 'btn btn-primary btn-small', testid: 'chat-send', i18n: 'chat.send' });
  const pickerId = `phrases-${testid}-${room.id}`;
  const phrasesBtn = h('button', {
    type: 'button', class: 'btn btn-ghost btn-small chat-phrases-btn', testid: 'chat-phrases', i18n: 'chat.phrases',
    i18nAttr: { title: 'chat.phrasesHint' }, attrs: { 'aria-expanded': 'false', 'aria-controls': pickerId },
    on: { click: () => phrases.toggle() },
  });
  const picker = h('div', {
    class: 'phrase-picker', testid: 'phrase-picker', id: pickerId, hidden: true,
    attrs: { role: 'region' }, i18nAttr: { 'aria-label': 'chat.phrasesTitle' },
  });
  const composer = h('form', { class: 'chat-composer', testid: 'chat-composer', attrs: { novalidate: true } },
    picker, input, h('div', { class: 'chat-composer-foot' }, phrasesBtn, counter, cooldownEl, sendBtn));
  const readOnlyEl = h('p', { class: 'muted small chat-readonly', testid: 'chat-readonly', i18n: 'chat.readOnly', hidden: true });

  const el = h('section', {
    class: 'chat-panel', testid, dataset: { roomId: String(room.id), kind: room.info.kind || '' },
  }, headEl, errorEl, h('div', { class: 'chat-body' }, scroller, jumpBtn), typingEl, offlineEl, noteEl, sendError, slowEl, composer, readOnlyEl);

  // ------------------------------------------------------------ messages
  const parts = messageParts({ ctx, room, sendError, noteEl });
  const { messageEl, outboxEl, signature } = parts;

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
    if (!canPost && !picker.hidden) phrases.toggle(false);
    readOnlyEl.hidden = room.canPost || Boolean(room.error);
    if (room.error) showError(errorEl, room.error, { [ERROR_CODES.FORBIDDEN]: 'chat.error.noAccess', [ERROR_CODES.NOT_FOUND]: 'chat.error.noRoom' });
    else showError(errorEl, null);
    offlineEl.hidden = !(room.staffOffline && room.info.kind === 'private');
  }

  // ------------------------------------------------------------ slow mode
  let cooldownTimer = null;
  let shownSeconds = null;

  /** The slow-mode line, and while the cooldown runs: the send button off and a countdown. */
  function renderSlow() {
    const seconds = room.slowModeS;
    slowEl.hidden = seconds === 0;
    el.dataset.slowMode = String(seconds);
    if (seconds) {
      slowEl.dataset.i18n = 'chat.slowMode';
      slowEl.dataset.i18nArgs = JSON.stringify({ seconds });
      slowEl.textContent = t('chat.slowMode', { seconds });
    }
    const left = room.cooldownMs();
    const waiting = left > 0;
    sendBtn.disabled = waiting;
    el.dataset.cooldown = String(waiting);
    clearTimeout(cooldownTimer);
    cooldownTimer = null;
    if (waiting) {
      const secs = Math.ceil(left / 1000);
      // The live region speaks only when the number changes (not on every redraw).
      if (secs !== shownSeconds || cooldownEl.hidden) {
        cooldownEl.dataset.i18n = 'chat.cooldown';
        cooldownEl.dataset.i18nArgs = JSON.stringify({ seconds: secs });
        cooldownEl.textContent = t('chat.cooldown', { seconds: secs });
        shownSeconds = secs;
      }
      cooldownEl.hidden = false;
      // Wake when the shown number changes (or the cooldown ends).
      cooldownTimer = setTimeout(renderSlow, (left % 1000) || 1000);
    } else if (shownSeconds !== null) {
      shownSeconds = null;
      delete cooldownEl.dataset.i18n;
      cooldownEl.textContent = '';
      cooldownEl.hidden = true;
    } else {
      cooldownEl.hidden = true;
    }
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
    renderSlow();
    if (what === 'slow' || what === 'settings') return;
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
    if (room.cooldownMs() > 0) {
      // Slow mode: the text stays here and the countdown says when it may go.
      renderSlow();
      return;
    }
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
  const phrases = phrasePicker({
    picker, phrasesBtn, composer, input, sendError, room,
    onSent: () => scrollToBottom(),
    onLoaded: () => render('messages'),
  });

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
      phrases.render();
      shownSeconds = null;
      renderSlow();
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
      clearTimeout(parts.note.timer);
      clearTimeout(cooldownTimer);
    },
  };
}
