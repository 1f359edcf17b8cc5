// app.js — the web client's entry point: the session (who is signed in, the hub
// connection), the header bar, and hash routing between the pages in views/.
//
// Routes: #/login, #/register, #/accept?token=…, #/lobby, #/booth/{id}, #/console
// (#/console/{company_id} for organizers), #/leads (#/leads/{company_id}), #/inbox
// (#/inbox/{room_id}: one conversation), #/meetings (#/meetings/book/{company_id},
// #/meetings/availability, #/meetings/busy), #/room/{meeting_id}; organizer monitoring:
// #/dashboard (live), #/reports?from=&to=, #/scanner (organizers and exhibitor staff: badge
// check-ins), #/stats (an exhibitor's own figures; organizers: #/stats/{company_id}), and
// #/badge (everyone's QR badge); the organizers' people desk: #/people (registrations waiting
// for approval, all accounts), #/invitations and #/import (CSV/XLSX with a dry run); and
// #/waiting (public: a buyer whose registration is not approved yet, or was rejected). Signed-out visitors of a signed-in page land on #/login;
// signed-in visitors of #/login on #/lobby.
//
// An exhibitor's on-duty state belongs to the session, not to a page: the server keeps it
// only while the websocket lives, so it is sent again after every reconnect.
//
// The chat model (chat.js) also belongs to the session: the header's inbox badge follows
// it live, and talk-to-staff news shows as notifications on any page — an exhibitor on duty
// is asked to accept a visitor's request; the buyer hears who will talk with them (and is
// taken to the conversation) or that nobody was free. Meetings are told the same way:
// meeting_updated (a request, an answer, a move, a cancellation) and meeting_reminder (24 hours,
// 15 minutes, at the start) in the personal room user:{id}. While the tab is hidden the same
// news (and new private messages) also become browser notifications, with permission.
//
// The app is installable (manifest.webmanifest, sw.js): opened offline it shows the last
// signed-in person's pages with an "Offline — reconnecting…" strip, and loads them once the
// hub is back. A skip link leads past the header, and each page change focuses the new
// page's heading.

import { api, clearToken, setToken } from './api.js';
import { h, replaceChildren } from './dom.js';
import { LANGUAGES, applyTranslations, formatDate, getLang, onLangChange, setLang, t } from './i18n.js';
import { Hub } from './hub.js';
import { ChatClient } from './chat.js';
import { COMMANDS, ERROR_CODES, EVENTS, ROOM_KINDS, roomName } from './gen/protocol.js';
import { initials, roleBadge } from './views/common.js';
import { mountLobby } from './views/lobby.js';
import { mountBooth } from './views/booth.js';
import { mountConsole } from './views/console.js';
import { mountLeads } from './views/leads.js';
import { mountLogin } from './views/login.js';
import { mountRegister } from './views/register.js';
import { mountAccept } from './views/accept.js';
import { mountInbox, buyerLine } from './views/inbox.js';
import { errorBox, showError } from './views/forms.js';
import { mountMeetings } from './views/meetings.js';
import { mountRoom } from './views/room.js';
import { mountDashboard } from './views/dashboard.js';
import { mountReports } from './views/reports.js';
import { mountScanner } from './views/scanner.js';
import { mountStats } from './views/stats.js';
import { mountBadge } from './views/badge.js';
import { mountPeople } from './views/people.js';
import { mountInvitations } from './views/invitations.js';
import { mountImport } from './views/import.js';
import { mountWaiting } from './views/waiting.js';
import { companyMap, isOwnRecentAction, mySide, otherParty, ownTime, roomOpen } from './views/meeting-parts.js';

const ROUTES = {
  '/login': { mount: mountLogin, guestOnly: true },
  '/register': { mount: mountRegister, guestOnly: true },
  '/accept': { mount: mountAccept, public: true },
  '/lobby': { mount: mountLobby },
  '/booth': { mount: mountBooth, arg: 'required' },
  '/console': { mount: mountConsole, arg: 'optional' },
  '/leads': { mount: mountLeads, arg: 'optional' },
  '/inbox': { mount: mountInbox, arg: 'optional' },
  // #/meetings/book/3: the argument may have more than one part.
  '/meetings': { mount: mountMeetings, arg: 'optional', nested: true },
  '/room': { mount: mountRoom, arg: 'required' },
  '/dashboard': { mount: mountDashboard },
  '/reports': { mount: mountReports },
  '/scanner': { mount: mountScanner },
  '/stats': { mount: mountStats, arg: 'optional' },
  '/badge': { mount: mountBadge },
  '/people': { mount: mountPeople },
  '/invitations': { mount: mountInvitations },
  '/import': { mount: mountImport },
  '/waiting': { mount: mountWaiting, public: true },
};

const DUTY_KEY = 'expo.duty';

/** Everything about the signed-in person that outlives one page. */
const session = { user: null, fair: null, hub: null, duty: false, chat: null };
const dutyListeners = new Set();
let flash = null;
let current = null; // { path, cleanup }

const headerEl = document.getElementById('topbar');
const appEl = document.getElementById('app');

/** What each view gets to talk back to the app. */
const ctx = {
  session,
  pendingInvite: '',
  navigate,
  /** After a login or an accepted invitation: keep the token, connect, go to the lobby. */
  signedIn(result) {
    setToken(result.token);
    startSession(result.user);
    navigate('#/lobby');
  },
  setFair(fair) {
    session.fair = fair;
    renderHeader();
  },
  /** A message code for the sign-in page, shown once. */
  takeFlash() {
    const code = flash;
    flash = null;
    return code;
  },
  /**
   * Goes on duty (or away) in the exhibitor's booth. Remembered for this tab, so it is sent
   * again after a reconnect or a reload. Resolves with the server's reply.
   */
  async setDuty(onDuty) {
    session.duty = Boolean(onDuty);
    rememberDuty();
    notifyDuty({ pending: true });
    try {
      const data = await session.hub.request(COMMANDS.SET_DUTY, { on_duty: session.duty });
      notifyDuty({ confirmed: data });
      return data;
    } catch (error) {
      notifyDuty({ error });
      throw error;
    }
  },
  /** Calls fn({pending|confirmed|error}) whenever the duty state changes or is re-sent. */
  onDuty(fn) {
    dutyListeners.add(fn);
    return () => dutyListeners.delete(fn);
  },
  /** Ends the session on a 401 from the REST API; returns true when it did. */
  handleAuthError(error) {
    if (error?.status !== 401) return false;
    endSession(error.code);
    return true;
  },
};

function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function safeDecode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // a stray "%": keep it as typed (the page then says it is not found)
  }
}

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = raw.split('?');
  // "/booth/7" is the route "/booth" with the argument "7" ("/meetings/book/7": "book/7").
  const match = /^(\/[^/]*)(?:\/(.+?))?\/?$/.exec(path || '/');
  return {
    path: path || '/',
    base: match ? match[1] : path,
    arg: match?.[2] ? match[2].split('/').map(safeDecode).join('/') : '',
    params: new URLSearchParams(query),
  };
}

function route() {
  const { path, base, arg, params } = parseHash();
  const signedIn = Boolean(session.user);
  if (path === '/' || path === '') return navigate(signedIn ? '#/lobby' : '#/login');
  let target = ROUTES[base];
  if (target && ((arg && !target.arg) || (!arg && target.arg === 'required'))) target = undefined;
  if (target && arg.includes('/') && !target.nested) target = undefined;
  if (target && !target.public && !target.guestOnly && !signedIn) return navigate('#/login');
  if (target?.guestOnly && signedIn) return navigate('#/lobby');

  if (current?.cleanup) current.cleanup();
  appEl.replaceChildren();
  appEl.dataset.route = base;
  window.scrollTo(0, 0);
  if (!target) {
    appEl.append(h('main', { class: 'auth-page single' },
      h('div', { class: 'card auth-card', testid: 'not-found' },
        h('h1', { i18n: 'notfound.title' }),
        h('a', { href: '#/lobby', class: 'btn btn-primary', i18n: 'notfound.link' }))));
    current = { path, cleanup: null };
  } else {
    current = { path, cleanup: target.mount(appEl, ctx, params, arg) || null };
  }
  renderHeader();
  focusHeading(path);
  return undefined;
}

// ---------------------------------------------------------------- focus and the skip link

let focusWatch = null;
let firstRoute = true;

/**
 * After a page change, focus goes to the new page's heading (its first h1), so a screen
 * reader announces where you are and the keyboard starts from there. Pages draw their
 * heading when their data arrive, so this waits for it a little; it never takes focus from
 * a control the person has already moved to.
 */
function focusHeading(path) {
  focusWatch?.disconnect();
  // On the first page of a visit the keyboard starts at the top, with the skip link.
  if (firstRoute) {
    firstRoute = false;
    return;
  }
  const before = document.activeElement;
  const free = () => {
    const active = document.activeElement;
    return !active || active === document.body || active === before || headerEl.contains(active)
      || active === skipLink || active === appEl;
  };
  const tryFocus = () => {
    const heading = appEl.querySelector('h1');
    if (!heading || parseHash().path !== path) return false;
    if (free()) {
      if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    }
    return true;
  };
  if (tryFocus()) return;
  const watch = new MutationObserver(() => {
    if (tryFocus()) watch.disconnect();
  });
  watch.observe(appEl, { childList: true, subtree: true });
  focusWatch = watch;
  setTimeout(() => watch.disconnect(), 5000);
}

/** "Skip to content": the first thing a keyboard reaches; it moves focus past the header. */
const skipLink = h('a', {
  class: 'skip-link', href: '#app', testid: 'skip-link', i18n: 'nav.skip',
  on: {
    click: (event) => {
      // The address keeps its route: #app is not a page.
      event.preventDefault();
      const target = appEl.querySelector('h1') || appEl;
      if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
      target.focus();
    },
  },
});
document.body.prepend(skipLink);

function dutyKey() {
  return `${DUTY_KEY}.${session.user?.id}`;
}

function rememberDuty() {
  try {
    if (session.duty) sessionStorage.setItem(dutyKey(), '1');
    else sessionStorage.removeItem(dutyKey());
  } catch {
    // Not remembered across reloads; still on duty for this page's life.
  }
}

function notifyDuty(state) {
  for (const fn of dutyListeners) {
    try {
      fn({ on: session.duty, ...state });
    } catch (error) {
      console.error('duty listener failed', error);
    }
  }
}

/** After every (re)connect: on duty lasts only as long as a connection, so say it again. */
function resendDuty() {
  if (!session.duty || !session.hub) return;
  session.hub.request(COMMANDS.SET_DUTY, { on_duty: true }).then(
    (data) => notifyDuty({ confirmed: data }),
    (error) => notifyDuty({ error }),
  );
}

function startSession(user, { offline = false } = {}) {
  stopChat();
  if (session.hub) session.hub.stop();
  session.user = user;
  session.offline = offline;
  if (!offline) rememberUser(user);
  session.fair = null;
  session.duty = false;
  if (user.role === 'exhibitor' && user.company_id) {
    try {
      session.duty = sessionStorage.getItem(dutyKey()) === '1';
    } catch {
      session.duty = false;
    }
  }
  session.hub = new Hub({
    // Asked when a connection fails before its welcome: is the session still good?
    checkAuth: async () => {
      try {
        await api.me();
        return true;
      } catch (error) {
        if (error.status === 401) return false;
        throw error;
      }
    },
  });
  session.hub.on('status', renderConnection);
  session.hub.on('status', renderOfflineBanner);
  session.hub.on('welcome', resendDuty);
  if (offline) {
    // Back online: the session is checked for real, and the page loads its data afresh.
    const off = session.hub.on('welcome', () => {
      off();
      api.me().then((fresh) => {
        if (session.user !== user) return;
        session.user = fresh;
        session.offline = false;
        rememberUser(fresh);
        renderOfflineBanner();
        route();
      }, (error) => {
        if (error.status === 401) endSession(ERROR_CODES.TOKEN_EXPIRED);
      });
    });
  }
  session.hub.on('unauthorized', (code) => endSession(code || ERROR_CODES.TOKEN_EXPIRED));
  startChat(user);
  session.hub.start();
  renderHeader();
  // The fair's name for the header, whichever page comes first (the lobby refreshes it).
  api.fair().then((fair) => {
    if (session.user === user && !session.fair) ctx.setFair(fair);
  }, () => {});
}

/** Forgets the session and shows the sign-in page (with a message, when one is given). */
function endSession(flashCode) {
  stopChat();
  if (session.hub) session.hub.stop();
  session.hub = null;
  try {
    if (session.user) sessionStorage.removeItem(dutyKey());
  } catch {
    // Nothing stored.
  }
  session.user = null;
  session.fair = null;
  session.duty = false;
  session.offline = false;
  clearToken();
  forgetUser();
  renderOfflineBanner();
  flash = flashCode || null;
  navigate('#/login');
}

async function signOut() {
  stopChat();
  // Close the hub first: the server also closes it (UNAUTHORIZED) once the session is revoked.
  if (session.hub) session.hub.stop();
  try {
    await api.logout();
  } catch {
    // Signed out here all the same; the session dies with its expiry.
  }
  endSession(null);
}

// ---------------------------------------------------------------- chat: badge and notifications

const inboxBadge = h('span', { class: 'nav-badge', testid: 'inbox-badge', hidden: true, dataset: { count: '0' } });
const toastsEl = h('div', { class: 'toasts', testid: 'toasts', attrs: { 'aria-live': 'polite' } });
document.body.append(toastsEl);
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

// ---------------------------------------------------------------- browser notifications

/**
 * A system notification, in the viewer's language, for news that arrives while this tab is
 * hidden (another tab, another app, a locked phone with the installed app) and only with the
 * person's permission (asked by a button: ctx.enableNotifications). Clicking it brings the
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

ctx.notificationsState = () => ('Notification' in window ? Notification.permission : 'unsupported');
/** Asks for permission (from a click); resolves with 'granted', 'denied' or 'default'. */
ctx.enableNotifications = async () => {
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

// ---------------------------------------------------------------- meetings: notifications

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

/** meeting_updated and meeting_reminder in the personal room. */
function onMeetingEvent(frame) {
  const user = session.user;
  if (!user || frame?.room !== roomName(ROOM_KINDS.USER, user.id)) return;
  const event = frame.event || {};
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

// ---------------------------------------------------------------- header bar

const connectionLabel = h('span', { class: 'conn-label' });
const connectionEl = h('span', { class: 'conn', testid: 'connection-status', attrs: { role: 'status' } }, connectionLabel);

function renderConnection() {
  const status = session.hub?.status || 'idle';
  connectionEl.dataset.state = status;
  connectionEl.dataset.i18nAttr = `title:conn.${status}`;
  connectionEl.title = t(`conn.${status}`);
  connectionLabel.dataset.i18n = `conn.${status}`;
  connectionLabel.textContent = t(`conn.${status}`);
}

function languageSwitch() {
  const select = h('select', {
    class: 'lang-select', testid: 'lang-switch', i18nAttr: { 'aria-label': 'header.language', title: 'header.language' },
    on: { change: (event) => setLang(event.target.value) },
  }, LANGUAGES.map(({ code, label }) => h('option', { value: code, text: label })));
  select.value = getLang();
  return select;
}

function renderHeader() {
  const { user, fair } = session;
  const brand = h('a', { class: 'brand', href: user ? '#/lobby' : '#/login' },
    h('span', { class: 'brand-mark', attrs: { 'aria-hidden': 'true' } }),
    h('span', { class: 'brand-text' },
      fair
        ? h('strong', { class: 'brand-name', testid: 'fair-name', text: fair.name })
        : h('strong', { class: 'brand-name', i18n: 'app.name' }),
      h('small', { class: 'brand-sub', i18n: fair ? 'app.name' : 'app.tagline' })));
  const actions = h('div', { class: 'topbar-actions' });
  let nav = null;
  if (user) {
    const here = parseHash().base;
    const link = (href, key, testid) => h('a', {
      href, class: 'nav-link', testid, i18n: key,
      attrs: { 'aria-current': here === href.slice(1) ? 'page' : null },
    });
    const compact = (el) => {
      el.classList.add('nav-small-screens');
      return el;
    };
    const inboxLink = h('a', {
      href: '#/inbox', class: 'nav-link nav-inbox', testid: 'nav-inbox',
      attrs: { 'aria-current': here === '/inbox' ? 'page' : null },
    }, h('span', { i18n: 'nav.inbox' }), inboxBadge);
    nav = h('nav', { class: 'main-nav', testid: 'main-nav', i18nAttr: { 'aria-label': 'nav.label' } },
      link('#/lobby', 'nav.lobby', 'nav-lobby'),
      inboxLink,
      link('#/meetings', 'nav.meetings', 'nav-meetings'),
      user.role === 'exhibitor' ? link('#/console', 'nav.myBooth', 'nav-console') : null,
      user.role === 'exhibitor' ? link('#/leads', 'nav.leads', 'nav-leads') : null,
      user.role === 'exhibitor' ? link('#/stats', 'nav.stats', 'nav-stats') : null,
      user.role === 'organizer' ? link('#/dashboard', 'nav.dashboard', 'nav-dashboard') : null,
      user.role === 'organizer' ? link('#/reports', 'nav.reports', 'nav-reports') : null,
      user.role === 'organizer' ? link('#/console', 'nav.booths', 'nav-console') : null,
      user.role === 'organizer' ? link('#/people', 'nav.people', 'nav-people') : null,
      // The scanner is a phone's tool: in the menu on small screens; on a desk it is a button
      // on the dashboard and the booth figures (a USB code reader types into it too).
      user.role === 'organizer' || user.role === 'exhibitor' ? compact(link('#/scanner', 'nav.scanner', 'nav-scanner')) : null,
      // Everyone's badge is behind their name; buyers and interpreters also get a menu item.
      user.role === 'buyer' || user.role === 'interpreter' ? link('#/badge', 'nav.badge', 'nav-badge') : null);
    renderConnection();
    actions.append(
      connectionEl,
      h('a', {
        class: 'user-chip', href: '#/badge', testid: 'user-chip', i18nAttr: { title: 'header.badgeOf' }, i18nArgs: { name: user.name },
        attrs: { 'aria-current': here === '/badge' ? 'page' : null },
      },
      h('span', { class: `avatar small role-${user.role}`, text: initials(user.name), attrs: { 'aria-hidden': 'true' } }),
      h('span', { class: 'user-text' },
        h('span', { class: 'user-name', testid: 'user-name', text: user.name }),
        roleBadge(user.role, 'user-role'))),
      languageSwitch(),
      h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'sign-out', i18n: 'header.signOut',
        on: { click: signOut } }));
  } else {
    actions.append(languageSwitch());
  }
  replaceChildren(headerEl, h('div', { class: 'topbar-inner' }, brand, nav, actions));
  fitHeader();
  // On a phone the menu scrolls sideways: the current page's item is in view.
  const currentLink = nav?.querySelector('[aria-current="page"]');
  if (currentLink && nav.scrollWidth > nav.clientWidth) {
    nav.scrollLeft = Math.max(0, currentLink.offsetLeft - nav.offsetLeft - (nav.clientWidth - currentLink.offsetWidth) / 2);
  }
}

/**
 * On a wide screen the header is one row, the fair's name giving way first (style.css); when
 * even that does not fit (long menu words in some languages), it wraps onto two rows instead
 * of running off the screen.
 */
function fitHeader() {
  const inner = headerEl.firstElementChild;
  if (!inner) return;
  inner.classList.remove('is-crowded');
  if (inner.scrollWidth > inner.clientWidth + 1) inner.classList.add('is-crowded');
  // Pages that fill the screen below the header (a conversation on a phone) size by it.
  document.documentElement.style.setProperty('--header-h', `${headerEl.offsetHeight}px`);
}

window.addEventListener('resize', fitHeader);
onLangChange(fitHeader);

// ---------------------------------------------------------------- start

async function boot() {
  renderHeader();
  try {
    // The HttpOnly cookie (or the tab's token) may already hold a session.
    const user = await api.me();
    startSession(user);
  } catch (error) {
    if (error.status === 401) {
      clearToken();
      forgetUser();
    } else if (error.code === 'network' && rememberedUser()) {
      // Opened without a network (the installed app, offline): the person who was signed
      // in here sees the app reconnecting, and each page loads once the hub is back.
      startSession(rememberedUser(), { offline: true });
    }
  }
  window.addEventListener('hashchange', route);
  route();
  applyTranslations(document);
  registerServiceWorker();
}

// ---------------------------------------------------------------- offline and the installed app

const USER_KEY = 'expo.user';

/** Who was last signed in on this device (name, role, ids), for an offline start. */
function rememberedUser() {
  try {
    const user = JSON.parse(localStorage.getItem(USER_KEY) || 'null');
    return user && Number.isSafeInteger(user.id) && typeof user.role === 'string' ? user : null;
  } catch {
    return null;
  }
}

function rememberUser(user) {
  try {
    localStorage.setItem(USER_KEY, JSON.stringify(user));
  } catch {
    // No offline start on this device.
  }
}

function forgetUser() {
  try {
    localStorage.removeItem(USER_KEY);
  } catch {
    // Nothing stored.
  }
}

/** The shell is kept by sw.js, so the installed app opens without a network. */
function registerServiceWorker() {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register('/sw.js').catch((error) => console.warn('service worker not registered', error));
}

/** A strip under the header while the hub is away: "Offline — reconnecting…". */
const offlineBanner = h('div', { class: 'offline-banner', testid: 'offline-banner', hidden: true, attrs: { role: 'status' } },
  h('span', { class: 'offline-dot', attrs: { 'aria-hidden': 'true' } }), h('span', { i18n: 'conn.offlineBanner' }));
headerEl.after(offlineBanner);

function renderOfflineBanner() {
  const status = session.hub?.status;
  offlineBanner.hidden = !session.user || !(status === 'reconnecting' || (session.offline && status !== 'connected'));
  offlineBanner.dataset.state = status || 'idle';
  // While the banner says it, pages do not each say "the server cannot be reached".
  document.body.classList.toggle('is-offline', !offlineBanner.hidden);
}

boot();
