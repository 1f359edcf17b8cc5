// header.js — the header bar (app.js draws it again on every page change and session
// change): the fair's name, the menu by role (with the inbox badge), the connection state,
// the person's badge link, the language switch and sign out; on a narrow screen it wraps
// rather than running off. Under it, the "Offline — reconnecting…" strip while the hub is
// away.

import { h, replaceChildren } from './dom.js';
import { getLang, LANGUAGES, onLangChange, setLang, t } from './i18n.js';
import { parseHash } from './routes.js';
import { initials, roleBadge } from './views/common.js';

/**
 * The header of one app: session is the app's session object, headerEl the page's
 * <header>, inboxBadge the notices' badge, signOut() the sign-out button's action.
 * render() draws the bar, renderConnection() the connection state, renderOfflineBanner()
 * the strip.
 */
export function createHeader({ session, headerEl, inboxBadge, signOut }) {
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
        user.role === 'exhibitor' ? link('#/buyers', 'nav.buyers', 'nav-buyers') : null,
        user.role === 'organizer' ? link('#/dashboard', 'nav.dashboard', 'nav-dashboard') : null,
        user.role === 'organizer' ? link('#/reports', 'nav.reports', 'nav-reports') : null,
        user.role === 'organizer' ? link('#/console', 'nav.booths', 'nav-console') : null,
        user.role === 'organizer' ? link('#/people', 'nav.people', 'nav-people') : null,
        user.role === 'organizer' ? link('#/matchmaking', 'nav.matchmaking', 'nav-matchmaking') : null,
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
   * On a wide screen the header is one row, the fair's name giving way first
   * (styles/header.css); when even that does not fit (long menu words in some languages), it
   * wraps onto two rows instead of running off the screen.
   */
  function fitHeader() {
    const inner = headerEl.firstElementChild;
    if (!inner) return;
    inner.classList.remove('is-crowded');
    if (inner.scrollWidth > inner.clientWidth + 1) inner.classList.add('is-crowded');
    // Pages that fill the screen below the header (a conversation on a phone) size by it.
    document.documentElement.style.setProperty('--header-h', `${headerEl.offsetHeight}px`);
  }



  /** A strip under the header while the hub is away: "Offline — reconnecting…". */
  const offlineBanner = h('div', { class: 'offline-banner', testid: 'offline-banner', hidden: true, attrs: { role: 'status' } },
    h('span', { class: 'offline-dot', attrs: { 'aria-hidden': 'true' } }), h('span', { i18n: 'conn.offlineBanner' }));

  function renderOfflineBanner() {
    const status = session.hub?.status;
    offlineBanner.hidden = !session.user || !(status === 'reconnecting' || (session.offline && status !== 'connected'));
    offlineBanner.dataset.state = status || 'idle';
    // While the banner says it, pages do not each say "the server cannot be reached".
    document.body.classList.toggle('is-offline', !offlineBanner.hidden);
  }

  headerEl.after(offlineBanner);
  window.addEventListener('resize', fitHeader);
  onLangChange(fitHeader);
  return { render: renderHeader, renderConnection, renderOfflineBanner };
}
