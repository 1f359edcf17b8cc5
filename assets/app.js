// app.js — the web client's entry point: the session (who is signed in, the hub
// connection), and hash routing between the pages in views/.
//
// The routes and the view module of each are in routes.js. Signed-out visitors of a
// signed-in page land on #/login; signed-in visitors of #/login on #/lobby.
//
// An exhibitor's on-duty state belongs to the session, not to a page: the server keeps it
// only while the websocket lives, so it is sent again after every reconnect.
//
// The chat model (chat.js) also belongs to the session: the header's inbox badge follows
// it live, and talk-to-staff and meeting news show as notices on any page (notices.js; the
// header bar and the offline strip: header.js).
//
// The app is installable (manifest.webmanifest, sw.js): opened offline it shows the last
// signed-in person's pages with an "Offline — reconnecting…" strip, and loads them once the
// hub is back. A skip link leads past the header, and each page change focuses the new
// page's heading.

import { api, clearToken, setToken } from './api.js';
import { h } from './dom.js';
import { COMMANDS, ERROR_CODES } from './gen/protocol.js';
import { createHeader } from './header.js';
import { Hub } from './hub.js';
import { applyTranslations } from './i18n.js';
import { createNotices } from './notices.js';
import { parseHash, ROUTES } from './routes.js';
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
    header.render();
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
  header.render();
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

// The notices (inbox badge, toasts, browser notifications) and the header bar.
const notices = createNotices({ session, navigate });
ctx.notificationsState = notices.notificationsState;
ctx.enableNotifications = notices.enableNotifications;
const header = createHeader({ session, headerEl, inboxBadge: notices.inboxBadge, signOut });

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
  notices.stopChat();
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
  session.hub.on('status', header.renderConnection);
  session.hub.on('status', header.renderOfflineBanner);
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
        header.renderOfflineBanner();
        route();
      }, (error) => {
        if (error.status === 401) endSession(ERROR_CODES.TOKEN_EXPIRED);
      });
    });
  }
  session.hub.on('unauthorized', (code) => endSession(code || ERROR_CODES.TOKEN_EXPIRED));
  notices.startChat(user);
  session.hub.start();
  header.render();
  // The fair's name for the header, whichever page comes first (the lobby refreshes it).
  api.fair().then((fair) => {
    if (session.user === user && !session.fair) ctx.setFair(fair);
  }, () => {});
}

/** Forgets the session and shows the sign-in page (with a message, when one is given). */
function endSession(flashCode) {
  notices.stopChat();
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
  header.renderOfflineBanner();
  flash = flashCode || null;
  navigate('#/login');
}

async function signOut() {
  notices.stopChat();
  // Close the hub first: the server also closes it (UNAUTHORIZED) once the session is revoked.
  if (session.hub) session.hub.stop();
  try {
    await api.logout();
  } catch {
    // Signed out here all the same; the session dies with its expiry.
  }
  endSession(null);
}

// ---------------------------------------------------------------- start

async function boot() {
  header.render();
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

boot();
