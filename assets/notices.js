// notices.js — what the session tells the person on any page (app.js starts it with the
// session): the header's inbox badge, which follows the chat model live; talk-to-staff
// toasts (an exhibitor on duty is asked to accept a visitor's request; the buyer hears who
// will talk with them, and is taken to the conversation, or that nobody was free); meeting
// news (meeting_updated: a request, an answer, a move, a cancellation; meeting_reminder: 24
// hours, 15 minutes, at the start) and, for staff, quote and sample requests
// (quote_requested) from the personal room user:{id}; and, while the tab is
// hidden, the same news and new private messages as browser notifications, with permission.

import { ChatClient } from './chat.js';
import { h, replaceChildren } from './dom.js';
import { ERROR_CODES, EVENTS, ROOM_KINDS, roomName } from './gen/protocol.js';
import { formatDate, getLang, t } from './i18n.js';
import { parseHash } from './routes.js';
import { errorBox, showError } from './views/forms.js';
import { buyerLine } from './views/inbox.js';
import { companyMap, isOwnRecentAction, mySide, otherParty, ownTime, roomOpen } from './views/meeting-parts.js';

/**
 * The notices of one app. session is the app's session object (its user, hub, duty and
 * chat); navigate(hash) goes to a page. startChat(user) makes the session's chat model and
 * follows it, stopChat() ends both; inboxBadge is the header's; notificationsState() and
 * enableNotifications() (from a click) are about the browser's permission.
 */
export function createNotices({ session, navigate }) {
  const inboxBadge = h('span', { class: 'nav-badge', testid: 'inbox-badge', hidden: true, dataset: { count: '0' } });
  const toastsEl = h('div', { class: 'toasts', testid: 'toasts', attrs: { 'aria-live': 'polite' } });
  const talkToasts = new Map(); // request id → {el, timer}
  let chatOffs = [];

  function renderInboxBadge() {
    const count = session.chat?.totalUnread || 0;
    inboxBadge.dataset.count = String(count);
    inboxBadge.textContent = count === 0 ? '' : count > 99 ? '99+' : String(count);
    inboxBadge.hidden = count === 0;
    inboxBadge.dataset.i18nAttr = 'title:inbox.unread;aria-label:inbox.unread';
    inboxBadge.dataset.i18nArgs = JSON.stringify({ count });
    inboxBadge.title = t('inbox.unread', { count });
    inboxBadge.setAttribute('aria-label', t('inbox.unread', { count }));
  }

  /** A notification card in the corner; returns {el, close}. */
  function toast({ testid, state, requestId, lines, actions = [], timeoutMs = 0 }) {
    const box = h('div', { class: ['toast', state && `is-${state}`], testid, dataset: { state: state || '', requestId: requestId ? String(requestId) : '' }, attrs: { role: 'status' } });
    const close = () => {
      clearTimeout(box.timer);
      box.remove();
    };
    const closeBtn = h('button', { type: 'button', class: 'toast-close', text: '×', testid: 'toast-close',
      i18nAttr: { 'aria-label': 'common.close' }, on: { click: close } });
    replaceChildren(box, closeBtn, lines, actions.length ? h('div', { class: 'toast-actions' }, actions) : null);
    if (timeoutMs) box.timer = setTimeout(close, timeoutMs);
    toastsEl.append(box);
    return { el: box, close };
  }

  function closeTalkToast(id, afterMs = 0) {
    const entry = talkToasts.get(id);
    if (!entry) return;
    talkToasts.delete(id);
    if (afterMs) setTimeout(entry.close, afterMs);
    else entry.close();
  }

  /** Staff on duty: a visitor asks for someone; Accept takes them to the conversation. */
  function staffTalkToast({ request, kind }) {
    if (kind === EVENTS.TALK_REQUESTED) {
      // Away staff find open requests in the inbox; only those on duty are interrupted.
      if (!session.duty || request.state !== 'open' || talkToasts.has(request.id)) return;
      const error = errorBox('toast-error');
      const accept = h('button', {
        type: 'button', class: 'btn btn-primary btn-small', testid: 'toast-accept', i18n: 'talk.accept',
        on: {
          click: async () => {
            accept.disabled = true;
            showError(error, null);
            try {
              const data = await session.chat.acceptTalk(request.id);
              closeTalkToast(request.id);
              if (data.room) navigate(`#/inbox/${data.room.id}`);
            } catch (e) {
              accept.disabled = false;
              showError(error, e, { [ERROR_CODES.CONFLICT]: 'talk.takenByOther' });
            }
          },
        },
      });
      const entry = toast({
        testid: 'talk-toast', state: 'open', requestId: request.id,
        lines: [
          h('strong', { class: 'toast-title', i18n: 'talk.wants', i18nArgs: { name: request.buyer?.name || '' } }),
          h('p', { class: 'small toast-text', text: buyerLine(request.buyer) }),
          error],
        actions: [accept, h('a', { class: 'btn btn-ghost btn-small', href: '#/inbox', i18n: 'nav.inbox' })],
      });
      talkToasts.set(request.id, entry);
      notify({ title: t('talk.wants', { name: request.buyer?.name || '' }), body: buyerLine(request.buyer), tag: `talk-${request.id}`, url: '#/inbox' });
    } else if (kind === EVENTS.TALK_CANCELLED) {
      const entry = talkToasts.get(request.id);
      if (!entry) return;
      entry.el.dataset.state = 'cancelled';
      entry.el.querySelector('.toast-actions')?.remove();
      entry.el.querySelector('.toast-text')?.after(h('p', { class: 'small toast-note', i18n: 'talk.cancelledBy', i18nArgs: { name: request.buyer?.name || '' } }));
      closeTalkToast(request.id, 3000);
    } else if (kind === EVENTS.TALK_TAKEN || kind === EVENTS.TALK_MISSED || kind === 'gone') {
      const entry = talkToasts.get(request.id);
      if (!entry) return;
      if (kind === EVENTS.TALK_TAKEN && request.accepted_by?.id === session.user?.id) {
        closeTalkToast(request.id);
        return;
      }
      entry.el.dataset.state = kind === EVENTS.TALK_TAKEN ? 'taken' : 'missed';
      entry.el.querySelector('.toast-actions')?.remove();
      const text = entry.el.querySelector('.toast-text');
      const note = kind === EVENTS.TALK_TAKEN
        ? h('p', { class: 'small toast-note', testid: 'toast-taken', i18n: 'talk.takenBy', i18nArgs: { name: request.accepted_by?.name || '' } })
        : h('p', { class: 'small toast-note', i18n: 'talk.missedShort' });
      text?.after(note);
      closeTalkToast(request.id, 5000);
    }
  }

  /** The buyer: what became of their request. */
  function buyerTalkToast({ request, kind }) {
    if (kind === EVENTS.TALK_TAKEN) {
      toast({
        testid: 'talk-outcome', state: 'taken', timeoutMs: 8000,
        lines: [h('strong', { class: 'toast-title', i18n: 'talk.willTalk', i18nArgs: { name: request.accepted_by?.name || '' } })],
      });
      if (request.room_id) navigate(`#/inbox/${request.room_id}`);
    } else if (kind === EVENTS.TALK_MISSED) {
      toast({
        testid: 'talk-outcome', state: 'missed', timeoutMs: 20_000,
        lines: [h('strong', { class: 'toast-title', i18n: 'talk.nobodyFree' })],
      });
    }
  }

  // ------------------------------------------------------------ browser notifications

  /**
   * A system notification, in the viewer's language, for news that arrives while this tab is
   * hidden (another tab, another app, a locked phone with the installed app) and only with the
   * person's permission (asked by a button: enableNotifications). Clicking it brings the
   * tab back to the page concerned. While the tab is visible the toasts say it instead.
   */
  function notify({ title, body = '', tag, url }) {
    if (document.visibilityState !== 'hidden' || !('Notification' in window) || Notification.permission !== 'granted') return;
    const options = { body, tag, lang: getLang(), icon: '/icons/icon-192.png', badge: '/icons/icon-192.png', data: { url } };
    try {
      const note = new Notification(title, options);
      note.addEventListener('click', () => {
        window.focus();
        if (url) navigate(url);
        note.close();
      });
    } catch {
      // Phones allow notifications only through the service worker.
      navigator.serviceWorker?.getRegistration().then((reg) => reg?.showNotification(title, options)).catch(() => {});
    }
  }

  const notificationsState = () => ('Notification' in window ? Notification.permission : 'unsupported');
  /** Asks for permission (from a click); resolves with 'granted', 'denied' or 'default'. */
  const enableNotifications = async () => {
    if (!('Notification' in window)) return 'unsupported';
    try {
      return await Notification.requestPermission();
    } catch {
      return Notification.permission;
    }
  };

  /** A new message in one of my private conversations (chat_unread), from someone else. */
  function onUnread(event) {
    const sender = event?.sender;
    if (!sender || sender.id === session.user?.id) return;
    const info = session.chat?.inbox.get(event.room_id);
    notify({
      title: t('notify.message', { name: sender.name }),
      body: info?.title || '',
      tag: `chat-${event.room_id}`,
      url: `#/inbox/${event.room_id}`,
    });
  }

  // ------------------------------------------------------------ meetings: notifications

  const REMINDER_KEYS = { '24h': 'meet.toast.reminder24h', '15m': 'meet.toast.reminder15m', start: 'meet.toast.reminderStart' };

  /** "Sat, Nov 28 · 10:00" on the viewer's own clock. */
  function meetingWhen(meeting) {
    const own = ownTime(meeting, session.user);
    const day = formatDate(meeting.starts_ms, { weekday: 'short', month: 'short', day: 'numeric', timeZone: own.timezone });
    return `${day} · ${own.start}`;
  }

  async function meetingToast(meeting, key, { join = false, timeoutMs = 20_000, state = '' } = {}) {
    const user = session.user;
    let companies = null;
    try {
      companies = await companyMap();
    } catch {
      companies = null;
    }
    if (session.user !== user) return;
    const args = { name: otherParty(meeting, user, companies).name, time: meetingWhen(meeting) };
    notify({ title: t(key, args), tag: `meeting-${meeting.id}-${key}`, url: join ? `#/room/${meeting.id}` : '#/meetings' });
    toast({
      testid: 'meeting-toast', state, requestId: meeting.id, timeoutMs,
      lines: [h('strong', { class: 'toast-title', testid: 'meeting-toast-text', i18n: key, i18nArgs: args })],
      actions: [
        join ? h('a', { class: 'btn btn-primary btn-small', href: `#/room/${meeting.id}`, testid: 'meeting-toast-join', i18n: 'meet.join' }) : null,
        h('a', { class: 'btn btn-ghost btn-small', href: '#/meetings', testid: 'meeting-toast-open', i18n: 'nav.meetings' }),
      ].filter(Boolean),
    });
  }

  /**
   * What each meeting last looked like to this tab ("confirmed:0"): a meeting_updated that
   * changes neither the state nor the sequence (a check-in, a report, an outcome) is not news.
   * Entering the video room checks each side in, and each check-in is a meeting_updated.
   */
  const meetingsSeen = new Map();

  function meetingNews(meeting) {
    const signature = `${meeting.state}:${meeting.sequence}`;
    const before = meetingsSeen.get(meeting.id);
    meetingsSeen.set(meeting.id, signature);
    if (before === signature) return false;
    // First seen here: a confirmed meeting someone has checked in to is attendance, not news.
    const checkins = meeting.checkins || {};
    if (before === undefined && meeting.state === 'confirmed'
      && (checkins.buyer_ms || checkins.company_ms || checkins.interpreter_ms)) return false;
    return true;
  }

  /** Company staff: a buyer asked for a quote or a sample (from a show or the booth). */
  function quoteToast(request) {
    const key = request.kind === 'sample' ? 'stage.quote.toastSample' : 'stage.quote.toastQuote';
    const args = { name: request.buyer?.name || '', product: request.product_name || '' };
    const detail = [buyerLine(request.buyer), request.quantity].filter(Boolean).join(' · ');
    notify({ title: t(key, args), body: detail, tag: `quote-${request.id}`, url: '#/leads' });
    toast({
      testid: 'quote-toast', state: request.kind, requestId: request.id, timeoutMs: 30_000,
      lines: [
        h('strong', { class: 'toast-title', testid: 'quote-toast-text', i18n: key, i18nArgs: args }),
        h('p', { class: 'small toast-text', text: detail })],
      actions: [h('a', { class: 'btn btn-ghost btn-small', href: '#/leads', testid: 'quote-toast-open', i18n: 'nav.leads' })],
    });
  }

  /** meeting_updated and meeting_reminder (and, for staff, quote_requested) in the personal room. */
  function onMeetingEvent(frame) {
    const user = session.user;
    if (!user || frame?.room !== roomName(ROOM_KINDS.USER, user.id)) return;
    const event = frame.event || {};
    if (event.kind === EVENTS.QUOTE_REQUESTED) {
      if (event.request?.id && user.role === 'exhibitor') quoteToast(event.request);
      return;
    }
    const meeting = event.meeting;
    if (!meeting?.id) return;
    if (event.kind === EVENTS.MEETING_REMINDER) {
      const key = REMINDER_KEYS[event.when] || 'meet.toast.reminder';
      const soon = event.when !== '24h';
      // A day ahead is a heads-up (it comes by email too); shortly before, it stays a minute.
      meetingToast(meeting, key, { join: soon && roomOpen(meeting), timeoutMs: soon ? 60_000 : 8_000, state: 'reminder' });
      return;
    }
    if (event.kind !== EVENTS.MEETING_UPDATED) return;
    if (!meetingNews(meeting)) return;
    // The meetings page and the meeting's own room show changes themselves, and our own
    // actions need no telling.
    const { base, arg } = parseHash();
    const shownHere = base === '/meetings' || (base === '/room' && arg === String(meeting.id));
    if ((shownHere && document.visibilityState !== 'hidden') || isOwnRecentAction(meeting.id)) return;
    const side = mySide(user);
    let key = null;
    if (meeting.state === 'requested') {
      if (side && meeting.awaiting === side) key = meeting.sequence > 0 ? 'meet.toast.proposed' : 'meet.toast.request';
    } else if (meeting.state === 'confirmed') {
      key = 'meet.toast.confirmed';
    } else {
      key = `meet.toast.${meeting.state}`; // declined, cancelled, expired
    }
    if (key) meetingToast(meeting, key, { state: meeting.state });
  }

  function startChat(user) {
    session.chat = new ChatClient(session.hub, user);
    chatOffs = [
      session.chat.on('inbox', renderInboxBadge),
      session.chat.on('talk-requests', staffTalkToast),
      session.chat.on('my-talk', buyerTalkToast),
      session.chat.on('unread', onUnread),
      // The personal room is followed by the chat client; meeting news arrives there too.
      session.hub.on('event', onMeetingEvent),
    ];
    renderInboxBadge();
  }

  function stopChat() {
    for (const off of chatOffs) off();
    chatOffs = [];
    session.chat?.stop();
    session.chat = null;
    for (const id of [...talkToasts.keys()]) closeTalkToast(id);
    meetingsSeen.clear();
    toastsEl.replaceChildren();
    renderInboxBadge();
  }

  document.body.append(toastsEl);
  return { inboxBadge, startChat, stopChat, notificationsState, enableNotifications };
}
