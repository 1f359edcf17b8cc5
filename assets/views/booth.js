// views/booth.js — one virtual booth (#/booth/{id}): the company's profile, products (a
// click opens the details), brochures, videos and staff, plus the live panel: how many
// visitors are inside now and which staff are on duty.
//
// Entering the page subscribes the hub to the room `booth:{id}` (that is what makes the
// visitor "inside"); leaving unsubscribes. booth_live events update the live panel in
// place; booth_updated events fetch the booth again, without a reload. Opening a product,
// brochure or video is reported with `open_item`, so the exhibitor sees it in their leads.
// The booth's texts come in the language picked in its own switcher (default: the UI's).
//
// The booth's public chat sits beside the live panel (chat_open booth:{id}, then the room
// is followed as long as the page is open). Buyers also get "Talk to staff" (talk_request:
// the on-duty staff are asked; the outcome arrives in the buyer's personal room) and
// "Message privately" (their private conversation with the company, in the inbox), and
// "Book a meeting" (#/meetings/book/{id}: the company's slot grid and the request form).
// Those buttons are booth-talk.js; the product cards and their drawer booth-products.js.

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { COMMANDS, EVENTS, REPLIES, ROOM_KINDS, roomName } from '../gen/protocol.js';
import { autonym, countryName, getLang, languageName, onLangChange, t } from '../i18n.js';
import { renderProducts } from './booth-products.js';
import { talkBox } from './booth-talk.js';
import { chatPanel } from './chat.js';
import {
  formatBytes, languageChips, logo, mediaUrl, pageError, personRow, roleBadge, safeUrl, shortUrl, tagChips,
  whereLine,
} from './common.js';
import { buyerMarkBox } from './match-parts.js';


/** True for a video uploaded to the fair (played here) rather than a link to elsewhere. */
function isUploaded(item) {
  return Boolean(item.content_type || item.file_name) || String(item.url || '').startsWith('/');
}

export function mountBooth(root, ctx, params, arg) {
  const { session } = ctx;
  const me = session.user;
  const companyId = Number(arg);
  if (!Number.isSafeInteger(companyId) || companyId <= 0) {
    root.append(h('main', { class: 'page narrow' },
      h('div', { class: 'card', testid: 'not-found' },
        h('h1', { i18n: 'notfound.title' }),
        h('a', { href: '#/lobby', class: 'btn btn-primary', i18n: 'notfound.link' }))));
    return null;
  }

  let explicitLang = params.get('lang') || '';
  let detail = null;
  let live = null;
  let liveVersion = 0; // bumped by every booth_live event, so a slower fetch cannot undo one
  let fetchSeq = 0;
  let disposed = false;
  let refetchTimer = null;
  let snapshots = 0;
  let markInside;
  const inside = new Promise((resolve) => { markInside = resolve; });

  const canEdit = me.role === 'organizer' || (me.role === 'exhibitor' && me.company_id === companyId);

  // ------------------------------------------------------------ frame
  const loadError = pageError('booth-error', () => load());
  const heroEl = h('header', { class: 'card booth-hero', testid: 'booth-hero' }, h('p', { class: 'muted', i18n: 'common.loading' }));
  const aboutEl = h('section', { class: 'card booth-section', testid: 'booth-about', hidden: true });
  const productsEl = h('section', { class: 'booth-section', testid: 'booth-products-section', hidden: true });
  const brochuresEl = h('section', { class: 'card booth-section', testid: 'booth-brochures-section', hidden: true });
  const videosEl = h('section', { class: 'card booth-section', testid: 'booth-videos-section', hidden: true });

  const visitorsEl = h('p', { class: 'live-visitors', testid: 'booth-visitors-now' });
  const onDutyEl = h('ul', { class: 'on-duty-list', testid: 'booth-on-duty' });
  const livePanel = h('section', { class: 'card live-panel', testid: 'booth-live', attrs: { 'aria-live': 'polite' } },
    h('div', { class: 'panel-head' },
      h('h2', {}, h('span', { class: 'live-dot', attrs: { 'aria-hidden': 'true' } }), h('span', { i18n: 'booth.liveTitle' }))),
    visitorsEl,
    h('h3', { class: 'sub-title', i18n: 'booth.onDutyTitle' }),
    onDutyEl);
  const staffEl = h('section', { class: 'card staff-panel', testid: 'booth-staff-section', hidden: true });

  // Talk to staff, message privately, book a meeting (buyers).
  const talk = me.role === 'buyer' ? talkBox(ctx, companyId, { inside, isDisposed: () => disposed }) : null;
  if (talk) livePanel.append(talk.el);
  // Matchmaking (buyers): must meet / would meet / no thanks for this company.
  if (me.role === 'buyer') livePanel.append(buyerMarkBox(ctx, companyId));

  // The booth's public chat.
  const chatBody = h('div', { class: 'chat-slot' }, h('p', { class: 'muted small', i18n: 'common.loading' }));
  const chatError = pageError('booth-chat-error', () => openChat());
  const chatCard = h('section', { class: 'card chat-card', testid: 'booth-chat-card' },
    h('div', { class: 'panel-head' }, h('h2', { i18n: 'chat.boothTitle' })),
    h('p', { class: 'muted small chat-hint', i18n: 'chat.boothHint' }),
    chatError.el,
    chatBody);

  const dialog = h('dialog', { class: 'drawer', testid: 'product-detail' });
  dialog.addEventListener('click', (event) => {
    if (event.target === dialog) dialog.close(); // a click on the backdrop
  });

  const page = h('main', { class: 'page booth-page', testid: 'booth-page', dataset: { companyId: String(companyId) } },
    h('div', { class: 'page-top' },
      h('a', { class: 'back-link', href: '#/lobby', testid: 'back-to-lobby', i18n: 'booth.back' }),
      canEdit
        ? h('span', { class: 'page-top-actions' },
          h('a', { class: 'btn btn-ghost btn-small', testid: 'booth-edit', href: me.role === 'organizer' ? `#/console/${companyId}` : '#/console', i18n: 'booth.edit' }),
          h('a', { class: 'btn btn-ghost btn-small', testid: 'booth-leads', href: me.role === 'organizer' ? `#/leads/${companyId}` : '#/leads', i18n: 'nav.leads' }),
          h('a', { class: 'btn btn-ghost btn-small', testid: 'booth-availability', href: me.role === 'organizer' ? `#/meetings/availability/${companyId}` : '#/meetings/availability', i18n: 'meet.myAvailability' }))
        : null),
    loadError.el,
    h('div', { class: 'booth-layout' },
      h('div', { class: 'booth-main' }, heroEl, aboutEl, productsEl, brochuresEl, videosEl),
      h('aside', { class: 'booth-side' }, livePanel, chatCard, staffEl)),
    dialog);
  root.append(page);

  // ------------------------------------------------------------ telling the exhibitor
  /** Reports that something was opened (after the subscription made us "inside"). */
  async function recordOpen(kind, itemId, el) {
    try {
      await inside;
      if (disposed) return;
      const data = await session.hub.request(COMMANDS.OPEN_ITEM, { company_id: companyId, kind, item_id: itemId });
      if (el && data?.kind === REPLIES.RECORDED) el.dataset.recorded = 'true';
    } catch (error) {
      // Not worth interrupting the visitor for: the item is open all the same.
      console.warn('open_item was not recorded', error);
    }
  }

  // ------------------------------------------------------------ rendering
  function langSwitcher(company) {
    const langs = detail.languages?.length ? detail.languages : ['en'];
    if (langs.length < 2) return null;
    return h('div', { class: 'seg', testid: 'booth-lang', attrs: { role: 'group' }, i18nAttr: { 'aria-label': 'booth.contentLanguage' } },
      langs.map((tag) => h('button', {
        type: 'button', class: 'seg-btn', dataset: { lang: tag }, text: autonym(tag), title: languageName(tag),
        attrs: { 'aria-pressed': String(company.lang === tag) },
        on: {
          click: () => {
            explicitLang = tag;
            const hash = `#/booth/${companyId}?lang=${encodeURIComponent(tag)}`;
            if (location.hash !== hash) history.replaceState(history.state, '', hash);
            load();
          },
        },
      })));
  }

  function renderHero() {
    const { company } = detail;
    const website = safeUrl(company.website);
    replaceChildren(heroEl,
      h('div', { class: 'booth-hero-head' },
        logo(company, 'large'),
        h('div', { class: 'booth-hero-text' },
          h('p', { class: 'eyebrow', testid: 'booth-where', text: whereLine(company, detail.hall_name) }),
          h('h1', { testid: 'booth-name', text: company.name }),
          company.tagline ? h('p', { class: 'lead', testid: 'booth-tagline', text: company.tagline }) : null)),
      h('div', { class: 'booth-hero-foot' },
        h('p', { class: 'meta-row' },
          company.founded_year ? h('span', { i18n: 'company.founded', i18nArgs: { year: String(company.founded_year) } }) : null,
          website ? h('a', { href: website, target: '_blank', rel: 'noopener noreferrer', testid: 'booth-website', text: shortUrl(website) }) : null),
        langSwitcher(company)));
  }

  function renderAbout() {
    const { company } = detail;
    const exports = company.export_countries || [];
    aboutEl.hidden = false;
    replaceChildren(aboutEl,
      h('h2', { i18n: 'booth.about' }),
      company.description
        ? h('p', { class: 'prose', testid: 'booth-description', text: company.description })
        : h('p', { class: 'muted', i18n: 'booth.noDescription' }),
      tagChips(company.tags),
      exports.length
        ? h('div', { class: 'exports' },
          h('h3', { class: 'sub-title', i18n: 'booth.exportsTo' }),
          h('ul', { class: 'country-chips', testid: 'booth-exports' },
            exports.map((code) => h('li', { class: 'country-chip', title: code, text: countryName(code) }))))
        : null);
  }

  function renderBrochures() {
    const brochures = (detail.brochures || []).map((m) => ({ ...m, href: mediaUrl(m.url) })).filter((m) => m.href);
    brochuresEl.hidden = brochures.length === 0;
    replaceChildren(brochuresEl,
      h('h2', { i18n: 'booth.brochures' }),
      h('ul', { class: 'media-list', testid: 'booth-brochures' }, brochures.map((m) => {
        const link = h('a', {
          href: m.href, target: '_blank', rel: 'noopener', class: 'media-link', testid: 'brochure-link',
          dataset: { mediaId: String(m.id) },
        },
        h('span', { class: 'file-icon', text: 'PDF', attrs: { 'aria-hidden': 'true' } }),
        h('span', { class: 'media-title', text: m.title || m.file_name || t('booth.brochure') }),
        m.size_bytes ? h('span', { class: 'muted small', text: formatBytes(m.size_bytes) }) : null);
        const opened = () => recordOpen('brochure', m.id, link);
        link.addEventListener('click', opened);
        link.addEventListener('auxclick', (event) => { if (event.button === 1) opened(); });
        return h('li', {}, link);
      })));
  }

  function renderVideos() {
    const videos = (detail.videos || []).map((m) => ({ ...m, href: mediaUrl(m.url) })).filter((m) => m.href);
    videosEl.hidden = videos.length === 0;
    replaceChildren(videosEl,
      h('h2', { i18n: 'booth.videos' }),
      h('div', { class: 'video-list', testid: 'booth-videos' }, videos.map((m) => {
        if (isUploaded(m)) {
          const video = h('video', { controls: true, preload: 'metadata', src: m.href, testid: 'video-player', dataset: { mediaId: String(m.id) } });
          let reported = false;
          video.addEventListener('play', () => {
            if (reported) return;
            reported = true;
            recordOpen('video', m.id, video);
          });
          return h('figure', { class: 'video-item' }, video, h('figcaption', { text: m.title }));
        }
        const link = h('a', {
          href: m.href, target: '_blank', rel: 'noopener noreferrer', class: 'media-link', testid: 'video-link',
          dataset: { mediaId: String(m.id) },
        },
        h('span', { class: 'file-icon is-video', text: '▶', attrs: { 'aria-hidden': 'true' } }),
        h('span', { class: 'media-title', text: m.title }),
        h('span', { class: 'muted small', text: shortUrl(m.href).split('/')[0] }));
        link.addEventListener('click', () => recordOpen('video', m.id, link));
        return h('div', { class: 'video-item' }, link);
      })));
  }

  function renderStaff() {
    const staff = detail.staff || [];
    const onDuty = new Set((live?.staff_on_duty || []).map((u) => u.id));
    staffEl.hidden = false;
    replaceChildren(staffEl,
      h('h2', { i18n: 'company.staff' }),
      staff.length
        ? h('ul', { class: 'staff-list', testid: 'booth-staff' }, staff.map((member) => {
          const row = personRow(member.user,
            h('span', { class: 'person-meta' },
              member.company_admin ? h('span', { class: 'badge badge-soft', i18n: 'company.admin' }) : roleBadge(member.user.role),
              languageChips(member.languages)));
          row.dataset.onDuty = String(onDuty.has(member.user.id));
          if (onDuty.has(member.user.id)) {
            row.append(h('span', { class: 'duty-tag', i18n: 'booth.onDuty' }));
          }
          return row;
        }))
        : h('p', { class: 'muted small', i18n: 'company.noStaff' }));
  }

  function renderLive() {
    const visitors = live?.visitors_now ?? 0;
    const onDuty = live?.staff_on_duty || [];
    visitorsEl.dataset.count = String(visitors);
    visitorsEl.dataset.i18n = 'booth.visitorsHere';
    visitorsEl.dataset.i18nArgs = JSON.stringify({ count: visitors });
    visitorsEl.textContent = t('booth.visitorsHere', { count: visitors });
    onDutyEl.dataset.count = String(onDuty.length);
    replaceChildren(onDutyEl, onDuty.length
      ? onDuty.map((user) => personRow(user, h('span', { class: 'person-meta' }, h('span', { class: 'duty-tag', i18n: 'booth.onDuty' }))))
      : h('li', { class: 'muted small', testid: 'booth-nobody-on-duty', i18n: 'booth.nobodyOnDuty' }));
    if (detail) renderStaff();
  }

  function renderAll() {
    page.dataset.lang = detail.company.lang || '';
    renderHero();
    renderAbout();
    renderProducts(productsEl, { detail, dialog, recordOpen });
    renderBrochures();
    renderVideos();
    renderLive();
  }

  // ------------------------------------------------------------ data
  async function load() {
    const seq = ++fetchSeq;
    const liveBefore = liveVersion;
    try {
      const data = await api.company(companyId, explicitLang || getLang());
      if (seq !== fetchSeq || disposed) return;
      loadError.hide();
      detail = data;
      // The fetched live state may be older than an event that arrived meanwhile.
      if (liveVersion === liveBefore || !live) live = data.live;
      renderAll();
      page.dataset.loaded = String(Number(page.dataset.loaded || 0) + 1);
    } catch (error) {
      if (seq !== fetchSeq || disposed) return;
      if (ctx.handleAuthError(error)) return;
      loadError.show(error);
      if (!detail) replaceChildren(heroEl, h('p', { class: 'muted', i18n: error.status === 404 ? 'booth.notFound' : 'booth.loadError' }));
    }
  }

  function refetchSoon() {
    clearTimeout(refetchTimer);
    refetchTimer = setTimeout(load, 250);
  }

  load();

  // ------------------------------------------------------------ chat and talk to staff
  let chatRoom = null;
  let panel = null;
  let waitWelcome = null;

  async function openChat() {
    chatError.hide();
    try {
      const info = await session.chat.open(`booth:${companyId}`);
      if (disposed) return;
      chatRoom = session.chat.room(info);
      panel = chatPanel(ctx, chatRoom, { testid: 'booth-chat' });
      replaceChildren(chatBody, panel.el);
    } catch (error) {
      if (disposed) return;
      if (error.code === 'disconnected' || error.code === 'closed' || error.code === 'timeout') {
        // Not connected yet: try again on the next welcome.
        waitWelcome?.();
        waitWelcome = session.hub.on('welcome', () => {
          waitWelcome?.();
          waitWelcome = null;
          openChat();
        });
        return;
      }
      replaceChildren(chatBody);
      chatError.show(error);
    }
  }
  openChat();

  const boothRoom = roomName(ROOM_KINDS.BOOTH, companyId);
  const unsubscribe = session.hub.subscribe(boothRoom, {
    onSnapshot() {
      markInside();
      livePanel.classList.remove('is-stale');
      // A snapshot after a reconnect: events were missed meanwhile, so fetch afresh.
      snapshots += 1;
      if (snapshots > 1) refetchSoon();
    },
    onEvent(event) {
      if (event?.kind === EVENTS.BOOTH_LIVE && event.live?.company_id === companyId) {
        liveVersion += 1;
        live = event.live;
        renderLive();
      } else if (event?.kind === EVENTS.BOOTH_UPDATED && event.company_id === companyId) {
        refetchSoon();
      }
    },
    onError(error) {
      console.warn(`${boothRoom} subscription refused`, error);
    },
  });

  const offStatus = session.hub.on('status', (status) => livePanel.classList.toggle('is-stale', status !== 'connected'));
  const offLang = onLangChange(() => {
    // Without a language picked in the booth's own switcher, its texts follow the UI.
    if (!explicitLang) load();
    else if (detail) renderAll();
  });

  return () => {
    disposed = true;
    clearTimeout(refetchTimer);
    waitWelcome?.();
    talk?.destroy();
    panel?.destroy();
    chatRoom?.release();
    unsubscribe();
    offStatus();
    offLang();
    if (dialog.open) dialog.close();
  };
}
