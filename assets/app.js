// app.js — the web client's entry point: the session (who is signed in, the hub
// connection), the header bar, and hash routing between the pages in views/.
//
// Routes: #/login, #/register, #/accept?token=…, #/lobby, #/booth/{id}, #/console
// (#/console/{company_id} for organizers), #/leads (#/leads/{company_id}). Signed-out
// visitors of a signed-in page land on #/login; signed-in visitors of #/login on #/lobby.
//
// An exhibitor's on-duty state belongs to the session, not to a page: the server keeps it
// only while the websocket lives, so it is sent again after every reconnect.

import { api, clearToken, setToken } from './api.js';
import { h, replaceChildren } from './dom.js';
import { LANGUAGES, applyTranslations, getLang, setLang, t } from './i18n.js';
import { Hub } from './hub.js';
import { initials, roleBadge } from './views/common.js';
import { mountLobby } from './views/lobby.js';
import { mountBooth } from './views/booth.js';
import { mountConsole } from './views/console.js';
import { mountLeads } from './views/leads.js';
import { mountLogin } from './views/login.js';
import { mountRegister } from './views/register.js';
import { mountAccept } from './views/accept.js';

const ROUTES = {
  '/login': { mount: mountLogin, guestOnly: true },
  '/register': { mount: mountRegister, guestOnly: true },
  '/accept': { mount: mountAccept, public: true },
  '/lobby': { mount: mountLobby },
  '/booth': { mount: mountBooth, arg: 'required' },
  '/console': { mount: mountConsole, arg: 'optional' },
  '/leads': { mount: mountLeads, arg: 'optional' },
};

const DUTY_KEY = 'expo.duty';

/** Everything about the signed-in person that outlives one page. */
const session = { user: null, fair: null, hub: null, duty: false };
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
      const data = await session.hub.request('set_duty', { on_duty: session.duty });
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
  // "/booth/7" is the route "/booth" with the argument "7".
  const match = /^(\/[^/]*)(?:\/([^/]+))?\/?$/.exec(path || '/');
  return {
    path: path || '/',
    base: match ? match[1] : path,
    arg: match?.[2] ? safeDecode(match[2]) : '',
    params: new URLSearchParams(query),
  };
}

function route() {
  const { path, base, arg, params } = parseHash();
  const signedIn = Boolean(session.user);
  if (path === '/' || path === '') return navigate(signedIn ? '#/lobby' : '#/login');
  let target = ROUTES[base];
  if (target && ((arg && !target.arg) || (!arg && target.arg === 'required'))) target = undefined;
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
  return undefined;
}

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
  session.hub.request('set_duty', { on_duty: true }).then(
    (data) => notifyDuty({ confirmed: data }),
    (error) => notifyDuty({ error }),
  );
}

function startSession(user) {
  if (session.hub) session.hub.stop();
  session.user = user;
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
  session.hub.on('welcome', resendDuty);
  session.hub.on('unauthorized', (code) => endSession(code || 'token_expired'));
  session.hub.start();
  renderHeader();
  // The fair's name for the header, whichever page comes first (the lobby refreshes it).
  api.fair().then((fair) => {
    if (session.user === user && !session.fair) ctx.setFair(fair);
  }, () => {});
}

/** Forgets the session and shows the sign-in page (with a message, when one is given). */
function endSession(flashCode) {
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
  clearToken();
  flash = flashCode || null;
  navigate('#/login');
}

async function signOut() {
  // Close the hub first: the server also closes it (4001) once the session is revoked.
  if (session.hub) session.hub.stop();
  try {
    await api.logout();
  } catch {
    // Signed out here all the same; the session dies with its expiry.
  }
  endSession(null);
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
    nav = h('nav', { class: 'main-nav', testid: 'main-nav', i18nAttr: { 'aria-label': 'nav.label' } },
      link('#/lobby', 'nav.lobby', 'nav-lobby'),
      user.role === 'exhibitor' ? link('#/console', 'nav.myBooth', 'nav-console') : null,
      user.role === 'exhibitor' ? link('#/leads', 'nav.leads', 'nav-leads') : null,
      user.role === 'organizer' ? link('#/console', 'nav.booths', 'nav-console') : null);
    renderConnection();
    actions.append(
      connectionEl,
      h('div', { class: 'user-chip', i18nAttr: { title: 'header.signedInAs' }, i18nArgs: { name: user.name } },
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
}

// ---------------------------------------------------------------- start

async function boot() {
  renderHeader();
  try {
    // The HttpOnly cookie (or the tab's token) may already hold a session.
    const user = await api.me();
    startSession(user);
  } catch (error) {
    if (error.status === 401) clearToken();
  }
  window.addEventListener('hashchange', route);
  route();
  applyTranslations(document);
}

boot();
