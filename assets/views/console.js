// views/console.js — the exhibitor console (#/console; organizers: #/console/{company_id},
// and #/console alone lists the booths to pick from). On duty / away (set_duty over the
// hub; the session re-sends it after a reconnect), the booth's live state, and the booth
// editor: profile with translations (PUT /companies/{id}), products (add, edit, delete,
// photos), and media — logo, PDF brochures, video files (uploaded as the raw request body)
// and video links. Every server refusal is shown next to the form that caused it. This
// module holds the page, duty, the live panel and the profile; the products card is
// console-products.js, the media card console-media.js, their helpers console-parts.js.

import { api } from '../api.js';
import { COUNTRY_CODES, FEATURED_COUNTRIES } from '../countries.js';
import { h, replaceChildren } from '../dom.js';
import { BASE_LANGUAGE, ERROR_CODES, EVENTS, ROOM_KINDS, roomName } from '../gen/protocol.js';
import { countryName, getLang, onLangChange, t } from '../i18n.js';
import { forbiddenPage, pageError, personRow, whereLine } from './common.js';
import { mediaSection } from './console-media.js';
import { busy, input, orNull, savedNote, splitList, TEXT_LANGS, translations } from './console-parts.js';
import { productsSection } from './console-products.js';
import { errorBox, field, showError } from './forms.js';
import { visitorsPanel } from './visitors.js';

// ---------------------------------------------------------------- organizers: pick a booth

function mountPicker(root, ctx) {
  const list = h('ul', { class: 'picker-list', testid: 'console-picker' }, h('li', { class: 'muted', i18n: 'common.loading' }));
  const error = pageError('console-error', () => load());
  root.append(h('main', { class: 'page', testid: 'console' },
    h('h1', { i18n: 'console.pickTitle' }),
    h('p', { class: 'muted', i18n: 'console.pickIntro' }),
    error.el,
    h('section', { class: 'card' }, list)));
  async function load() {
    error.hide();
    try {
      const [companies, halls] = await Promise.all([api.companies(), api.halls()]);
      const hallNames = new Map((halls.halls || []).map((hall) => [hall.id, hall.name]));
      replaceChildren(list, (companies.companies || []).map((c) => h('li', { class: 'picker-row', dataset: { companyId: String(c.id) } },
        h('span', { class: 'picker-name' }, h('strong', { text: c.name }), h('span', { class: 'muted small', text: whereLine(c, hallNames.get(c.hall_id)) })),
        h('span', { class: 'picker-actions' },
          h('a', { class: 'btn btn-ghost btn-small', href: `#/booth/${c.id}`, i18n: 'console.viewBooth' }),
          h('a', { class: 'btn btn-ghost btn-small', href: `#/console/${c.id}`, i18n: 'console.edit' }),
          h('a', { class: 'btn btn-ghost btn-small', href: `#/leads/${c.id}`, i18n: 'nav.leads' })))));
    } catch (e) {
      if (ctx.handleAuthError(e)) return;
      error.show(e);
    }
  }
  load();
  return null;
}

// ---------------------------------------------------------------- the console

export function mountConsole(root, ctx, params, arg) {
  const { session } = ctx;
  const me = session.user;
  if (me.role !== 'exhibitor' && me.role !== 'organizer') {
    forbiddenPage(root, 'console.onlyExhibitors');
    return null;
  }
  if (me.role === 'organizer' && !arg) return mountPicker(root, ctx);
  const companyId = Number(arg || me.company_id);
  if (!Number.isSafeInteger(companyId) || companyId <= 0) {
    forbiddenPage(root, 'console.noCompany');
    return null;
  }
  const ownBooth = me.role === 'exhibitor' && me.company_id === companyId;

  let base = null; // CompanyDetail in English (the base texts) — the editor's source
  let texts = {}; // lang -> {name, tagline, description} (company)
  let productTexts = {}; // product id -> lang -> {name, description}
  let live = null;
  let disposed = false;
  let loadSeq = 0;

  // ------------------------------------------------------------ frame
  const titleEl = h('h1', { testid: 'console-title', i18n: 'console.title' });
  const subtitleEl = h('p', { class: 'muted', testid: 'console-company' });
  const loadError = pageError('console-error', () => load());

  // ------------------------------------------------------------ on duty
  const dutyButton = h('button', { type: 'button', class: 'duty-toggle', testid: 'duty-toggle', attrs: { role: 'switch' } },
    h('span', { class: 'duty-knob', attrs: { 'aria-hidden': 'true' } }),
    h('span', { class: 'duty-label' }));
  const dutyStatus = h('p', { class: 'duty-status small', testid: 'duty-status', attrs: { role: 'status' } });
  const dutyError = errorBox('duty-error');
  let dutyState = session.duty ? 'pending' : 'off';

  function renderDuty() {
    const on = session.duty;
    dutyButton.dataset.state = dutyState;
    dutyButton.setAttribute('aria-checked', String(on));
    const label = dutyButton.querySelector('.duty-label');
    label.dataset.i18n = on ? 'duty.on' : 'duty.away';
    label.textContent = t(label.dataset.i18n);
    const statusKey = { on: 'duty.statusOn', off: 'duty.statusAway', pending: 'duty.statusPending' }[dutyState] || 'duty.statusAway';
    dutyStatus.dataset.i18n = statusKey;
    dutyStatus.textContent = t(statusKey);
  }

  dutyButton.addEventListener('click', async () => {
    showError(dutyError, null);
    try {
      await ctx.setDuty(!session.duty);
    } catch (error) {
      showError(dutyError, error, { disconnected: 'duty.offline', closed: 'duty.offline' });
    }
  });
  const offDuty = ctx.onDuty((state) => {
    if (state.pending) dutyState = 'pending';
    else if (state.confirmed) dutyState = state.confirmed.on_duty ? 'on' : 'off';
    else if (state.error) dutyState = session.duty ? 'pending' : 'off';
    renderDuty();
  });
  // Maybe already confirmed (on duty since before this page): the live list tells.
  renderDuty();

  const liveVisitors = h('p', { class: 'live-visitors', testid: 'console-visitors' });
  const inside = visitorsPanel(companyId);
  const liveOnDuty = h('ul', { class: 'on-duty-list', testid: 'console-on-duty' });
  const livePanel = h('section', { class: 'card live-panel', testid: 'console-live' },
    h('div', { class: 'panel-head' },
      h('h2', {}, h('span', { class: 'live-dot', attrs: { 'aria-hidden': 'true' } }), h('span', { i18n: 'booth.liveTitle' }))),
    ownBooth ? h('div', { class: 'duty-box' }, dutyButton, dutyStatus, dutyError) : null,
    liveVisitors,
    inside.root,
    h('h3', { class: 'sub-title', i18n: 'booth.onDutyTitle' }),
    liveOnDuty);

  function renderLive() {
    const visitors = live?.visitors_now ?? 0;
    const onDuty = live?.staff_on_duty || [];
    liveVisitors.dataset.count = String(visitors);
    liveVisitors.dataset.i18n = 'booth.visitorsHere';
    liveVisitors.dataset.i18nArgs = JSON.stringify({ count: visitors });
    liveVisitors.textContent = t('booth.visitorsHere', { count: visitors });
    replaceChildren(liveOnDuty, onDuty.length
      ? onDuty.map((user) => personRow(user))
      : h('li', { class: 'muted small', i18n: 'booth.nobodyOnDuty' }));
    if (ownBooth && dutyState === 'pending' && session.duty && onDuty.some((u) => u.id === me.id)) {
      dutyState = 'on';
      renderDuty();
    }
  }

  // ------------------------------------------------------------ profile
  const profile = {
    name: input('profile-name', { name: 'name', required: true, maxLength: 120 }),
    region: input('profile-region', { name: 'region', maxLength: 80 }),
    country: h('select', { name: 'country', testid: 'profile-country' }),
    website: input('profile-website', { name: 'website', type: 'url', maxLength: 200, placeholder: 'https://' }),
    founded_year: h('input', { type: 'number', name: 'founded_year', testid: 'profile-founded', min: 1800, max: 2100, step: 1 }),
    tagline: input('profile-tagline', { name: 'tagline', maxLength: 200 }),
    description: input('profile-description', { name: 'description', multiline: true, maxLength: 5000 }),
    tags: input('profile-tags', { name: 'tags', maxLength: 600 }),
    export_countries: input('profile-exports', { name: 'export_countries', maxLength: 400, placeholder: 'RU, CN, MN' }),
  };
  profile.description.rows = 6;
  const profileTexts = translations([
    { name: 'name', labelKey: 'profile.name', maxLength: 120 },
    { name: 'tagline', labelKey: 'profile.tagline', maxLength: 200 },
    { name: 'description', labelKey: 'profile.description', multiline: true, maxLength: 5000 },
  ], 'profile-tr');
  const profileSave = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'profile-save', i18n: 'console.save' });
  const profileError = errorBox('profile-error');
  const profileSaved = savedNote('profile-saved');

  function fillCountries() {
    const chosen = profile.country.value || base?.company.country || 'KR';
    const byName = (a, b) => countryName(a).localeCompare(countryName(b), getLang());
    const featured = ['KR', ...FEATURED_COUNTRIES];
    replaceChildren(profile.country,
      h('optgroup', { label: t('field.countryFeatured') }, featured.map((c) => h('option', { value: c, text: countryName(c) }))),
      h('optgroup', { label: t('field.countryAll') },
        COUNTRY_CODES.filter((c) => !featured.includes(c)).sort(byName).map((c) => h('option', { value: c, text: countryName(c) }))));
    profile.country.value = chosen;
  }
  fillCountries();

  const profileForm = h('form', { class: 'form form-grid', testid: 'profile-form', noValidate: true },
    field('profile.name', profile.name),
    field('profile.region', profile.region),
    field('field.country', profile.country),
    field('profile.website', profile.website),
    field('profile.founded', profile.founded_year),
    field('profile.tagline', profile.tagline, { className: 'span-2' }),
    field('profile.description', profile.description, { className: 'span-2' }),
    field('profile.tags', profile.tags, { hintKey: 'console.listHint' }),
    field('profile.exports', profile.export_countries, { hintKey: 'profile.exportsHint' }),
    profileTexts.el,
    h('div', { class: 'span-2' }, profileError),
    h('div', { class: 'form-actions span-2' }, profileSave, profileSaved.el));

  let profileDirty = false; // unsaved edits: a reload after an upload must not wipe them
  profileForm.addEventListener('input', () => { profileDirty = true; });

  function fillProfile() {
    profileDirty = false;
    const c = base.company;
    profile.name.value = c.name || '';
    profile.region.value = c.region || '';
    profile.country.value = c.country || 'KR';
    profile.website.value = c.website || '';
    profile.founded_year.value = c.founded_year ? String(c.founded_year) : '';
    profile.tagline.value = c.tagline || '';
    profile.description.value = c.description || '';
    profile.tags.value = (c.tags || []).join(', ');
    profile.export_countries.value = (c.export_countries || []).join(', ');
    profileTexts.set(texts);
  }

  profileForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError(profileError, null);
    profileSaved.hide();
    if (!base) return;
    const exports = splitList(profile.export_countries.value).map((c) => c.toUpperCase());
    const badCountry = exports.find((c) => !COUNTRY_CODES.includes(c));
    if (badCountry) {
      showError(profileError, { code: ERROR_CODES.VALIDATION, message: t('profile.badCountry', { code: badCountry }) });
      return;
    }
    const year = profile.founded_year.value.trim();
    const body = {
      reg_no: base.company.reg_no,
      name: profile.name.value.trim(),
      hall_id: base.company.hall_id ?? null,
      country: profile.country.value,
      region: orNull(profile.region.value),
      tagline: orNull(profile.tagline.value),
      description: orNull(profile.description.value),
      website: orNull(profile.website.value),
      founded_year: year ? Number(year) : null,
      tags: splitList(profile.tags.value),
      export_countries: exports,
      texts: profileTexts.get(),
    };
    await busy(profileSave, async () => {
      try {
        await api.updateCompany(companyId, body);
        profileDirty = false;
        profileSaved.show();
        await load();
      } catch (error) {
        if (ctx.handleAuthError(error)) return;
        showError(profileError, error);
      }
    });
  });

  // ------------------------------------------------------------ products and media
  /** What the sections need of the page. */
  const shared = { ctx, companyId, load: () => load(), current: () => base, productTexts: () => productTexts };
  const media = mediaSection(shared);
  const products = productsSection(shared, media);

  // ------------------------------------------------------------ layout
  const page = h('main', { class: 'page console-page', testid: 'console', dataset: { companyId: String(companyId) } },
    h('div', { class: 'page-top' },
      h('div', {}, titleEl, subtitleEl),
      h('span', { class: 'page-top-actions' },
        h('a', { class: 'btn btn-ghost btn-small', testid: 'console-view-booth', href: `#/booth/${companyId}`, i18n: 'console.viewBooth' }),
        h('a', { class: 'btn btn-ghost btn-small', testid: 'console-leads', href: me.role === 'organizer' ? `#/leads/${companyId}` : '#/leads', i18n: 'nav.leads' }))),
    loadError.el,
    h('div', { class: 'console-layout' },
      h('div', { class: 'console-main' },
        h('section', { class: 'card', testid: 'console-profile' },
          h('h2', { i18n: 'console.profile' }),
          h('p', { class: 'muted small', i18n: 'console.profileHint' }),
          profileForm),
        products.el,
        media.el),
      h('aside', { class: 'console-side' }, livePanel)));
  root.append(page);

  // ------------------------------------------------------------ data
  /** Product texts that differ from the base are that language's own. */
  function ownText(value, baseValue) {
    return value && value !== baseValue ? value : '';
  }

  async function load() {
    const seq = ++loadSeq;
    try {
      const [en, ...others] = await Promise.all([
        api.company(companyId, BASE_LANGUAGE),
        ...TEXT_LANGS.map((lang) => api.company(companyId, lang).catch(() => null)),
      ]);
      if (seq !== loadSeq || disposed) return;
      loadError.hide();
      const firstLoad = !base;
      base = en;
      texts = {};
      productTexts = {};
      const baseProducts = new Map((en.products || []).map((p) => [p.id, p]));
      TEXT_LANGS.forEach((lang, index) => {
        const d = others[index];
        if (!d) return;
        if (d.company.lang === lang) {
          texts[lang] = {
            name: ownText(d.company.name, en.company.name),
            tagline: ownText(d.company.tagline, en.company.tagline),
            description: ownText(d.company.description, en.company.description),
          };
        }
        for (const p of d.products || []) {
          const b = baseProducts.get(p.id);
          if (!b) continue;
          const name = ownText(p.name, b.name);
          const description = ownText(p.description, b.description);
          if (name || description) {
            productTexts[p.id] = productTexts[p.id] || {};
            productTexts[p.id][lang] = { name, description };
          }
        }
      });
      titleEl.dataset.i18n = ownBooth ? 'console.title' : 'console.titleOther';
      titleEl.textContent = t(titleEl.dataset.i18n);
      subtitleEl.textContent = `${en.company.name} · ${whereLine(en.company, en.hall_name)}`;
      page.dataset.loaded = String(Number(page.dataset.loaded || 0) + 1);
      if (firstLoad || !profileDirty) fillProfile();
      fillCountries();
      products.render();
      media.render();
      products.afterLoad();
      if (!live) {
        live = en.live;
        renderLive();
      }
    } catch (error) {
      if (seq !== loadSeq || disposed) return;
      if (ctx.handleAuthError(error)) return;
      loadError.show(error);
    }
  }

  load();
  renderLive();

  const boothRoom = roomName(ROOM_KINDS.BOOTH, companyId);
  const unsubscribe = session.hub.subscribe(boothRoom, {
    onSnapshot(members, total) {
      inside.snapshot(members, total);
    },
    onEvent(event) {
      if (event?.kind === EVENTS.BOOTH_LIVE && event.live?.company_id === companyId) {
        live = event.live;
        renderLive();
      }
      inside.event(event);
    },
    onError(error) {
      console.warn(`${boothRoom} subscription refused`, error);
    },
  });

  const offLang = onLangChange(() => {
    fillCountries();
    profileTexts.relabel();
    products.relabel();
    renderDuty();
    if (base) {
      subtitleEl.textContent = `${base.company.name} · ${whereLine(base.company, base.hall_name)}`;
      products.render();
      media.render();
    }
    renderLive();
    inside.render();
  });

  return () => {
    disposed = true;
    unsubscribe();
    offDuty();
    offLang();
  };
}
