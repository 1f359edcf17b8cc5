// app.js — the web client's entry point: the session (who is signed in, the hub
// connection), the header bar, and hash routing between the pages in views/.
//
// Routes: #/login, #/register, #/accept?token=…, #/lobby. Signed-out visitors of a
// signed-in page land on #/login; signed-in visitors of #/login land on #/lobby.

import { api, clearToken, setToken } from './api.js';
import { h, replaceChildren } from './dom.js';
import { LANGUAGES, applyTranslations, getLang, setLang, t } from './i18n.js';
import { Hub } from './hub.js';
import { initials, roleBadge, mountLobby } from './views/lobby.js';
import { mountLogin } from './views/login.js';
import { mountRegister } from './views/register.js';
import { mountAccept } from './views/accept.js';

const ROUTES = {
  '/login': { mount: mountLogin, guestOnly: true },
  '/register': { mount: mountRegister, guestOnly: true },
  '/accept': { mount: mountAccept, public: true },
  '/lobby': { mount: mountLobby },
};

/** Everything about the signed-in person that outlives one page. */
const session = { user: null, fair: null, hub: null };
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

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = raw.split('?');
  return { path: path || '/', params: new URLSearchParams(query) };
}

function route() {
  const { path, params } = parseHash();
  const signedIn = Boolean(session.user);
  if (path === '/' || path === '') return navigate(signedIn ? '#/lobby' : '#/login');
  const target = ROUTES[path];
  if (target && !target.public && !target.guestOnly && !signedIn) return navigate('#/login');
  if (target?.guestOnly && signedIn) return navigate('#/lobby');

  if (current?.cleanup) current.cleanup();
  appEl.replaceChildren();
  appEl.dataset.route = path;
  window.scrollTo(0, 0);
  if (!target) {
    appEl.append(h('main', { class: 'auth-page single' },
      h('div', { class: 'card auth-card', testid: 'not-found' },
        h('h1', { i18n: 'notfound.title' }),
        h('a', { href: '#/lobby', class: 'btn btn-primary', i18n: 'notfound.link' }))));
    current = { path, cleanup: null };
  } else {
    current = { path, cleanup: target.mount(appEl, ctx, params) || null };
  }
  renderHeader();
  return undefined;
}

function startSession(user) {
  if (session.hub) session.hub.stop();
  session.user = user;
  session.fair = null;
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
  session.hub.on('unauthorized', (code) => endSession(code || 'token_expired'));
  session.hub.start();
  renderHeader();
}

/** Forgets the session and shows the sign-in page (with a message, when one is given). */
function endSession(flashCode) {
  if (session.hub) session.hub.stop();
  session.hub = null;
  session.user = null;
  session.fair = null;
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
  if (user) {
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
  replaceChildren(headerEl, h('div', { class: 'topbar-inner' }, brand, actions));
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
