// views/console.js — the exhibitor console (#/console; organizers: #/console/{company_id},
// and #/console alone lists the booths to pick from). On duty / away (set_duty over the
// hub; the session re-sends it after a reconnect), the booth's live state, and the booth
// editor: profile with translations (PUT /companies/{id}), products (add, edit, delete,
// photos), and media — logo, PDF brochures, video files (uploaded as the raw request body)
// and video links. Every server refusal is shown next to the form that caused it.

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { BASE_LANGUAGE, ERROR_CODES, EVENTS, LANGUAGES, ROOM_KINDS, roomName } from '../gen/protocol.js';
import { COUNTRY_CODES, FEATURED_COUNTRIES } from '../countries.js';
import { countryName, getLang, languageName, onLangChange, t } from '../i18n.js';
import { errorBox, field, showError } from './forms.js';
import { visitorsPanel } from './visitors.js';
import {
  forbiddenPage, formatBytes, logo, mediaUrl, pageError, personRow, whereLine,
} from './common.js';

/** Languages a booth may add besides its base (English) texts. */
const TEXT_LANGS = LANGUAGES.filter((lang) => lang !== BASE_LANGUAGE);

const UPLOAD_ERRORS = {
  [ERROR_CODES.VALIDATION]: 'upload.invalid',
  [ERROR_CODES.MESSAGE_TOO_LARGE]: 'upload.tooLarge',
  upload_failed: 'upload.failed',
  [ERROR_CODES.BAD_REQUEST]: 'upload.invalid',
};

/** "a, b, c" → ['a', 'b', 'c'] (blanks dropped). */
function splitList(value) {
  return String(value || '').split(/[,;\n]/).map((s) => s.trim()).filter(Boolean);
}

/** '' → null, else the trimmed text. */
function orNull(value) {
  const v = String(value ?? '').trim();
  return v ? v : null;
}

/** The file name without its extension, as a default title. */
function baseName(name) {
  return String(name || '').replace(/\.[^.]+$/, '').replace(/[_-]+/g, ' ').trim();
}

/** The id in "/api/v1/media/12", or null. */
function mediaIdOf(url) {
  const match = /\/api\/v1\/media\/(\d+)/.exec(String(url || ''));
  return match ? Number(match[1]) : null;
}

/** A text input (or textarea) with a testid. */
function input(testid, props = {}) {
  const { multiline, ...rest } = props;
  return multiline
    ? h('textarea', { testid, rows: 4, ...rest })
    : h('input', { type: 'text', testid, ...rest });
}

/** A small "Saved" note that fades after a while. */
function savedNote(testid) {
  const el = h('span', { class: 'saved-note', testid, attrs: { role: 'status' }, hidden: true });
  let timer = null;
  return {
    el,
    show(key = 'console.saved') {
      el.dataset.i18n = key;
      el.textContent = t(key);
      el.hidden = false;
      el.dataset.shown = String(Number(el.dataset.shown || 0) + 1);
      clearTimeout(timer);
      timer = setTimeout(() => { el.hidden = true; }, 6000);
    },
    hide() {
      el.hidden = true;
    },
  };
}

/** Marks a button busy while fn runs. */
async function busy(button, fn) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await fn();
  } finally {
    button.disabled = false;
    button.setAttribute('aria-busy', 'false');
  }
}

/**
 * Per-language text fields with a tab per language. fields: [{name, labelKey, multiline,
 * maxLength}]. get() → {lang: {field: text|null}} for every language; set(texts) fills.
 */
function translations(fields, testidPrefix) {
  let active = TEXT_LANGS[0];
  const panels = new Map();
  const inputs = new Map(); // lang -> {field -> input}
  const tabs = TEXT_LANGS.map((lang) => h('button', {
    type: 'button', class: 'seg-btn', dataset: { lang }, testid: `${testidPrefix}-tab-${lang}`,
    text: languageName(lang), on: { click: () => show(lang) },
  }));
  for (const lang of TEXT_LANGS) {
    const byField = {};
    const panel = h('div', { class: 'tr-panel form-grid', dataset: { lang }, attrs: { lang } },
      fields.map(({ name, labelKey, multiline, maxLength }) => {
        byField[name] = input(`${testidPrefix}-${lang}-${name}`, { name: `${lang}.${name}`, multiline, maxLength });
        byField[name].addEventListener('input', markFilled);
        return field(labelKey, byField[name], { className: multiline ? 'span-2' : '' });
      }));
    inputs.set(lang, byField);
    panels.set(lang, panel);
  }
  function markFilled() {
    for (const [index, lang] of TEXT_LANGS.entries()) {
      const filled = Object.values(inputs.get(lang)).some((el) => el.value.trim());
      tabs[index].classList.toggle('is-filled', filled);
    }
  }
  function show(lang) {
    active = lang;
    for (const [index, l] of TEXT_LANGS.entries()) {
      tabs[index].setAttribute('aria-pressed', String(l === active));
      panels.get(l).hidden = l !== active;
    }
  }
  show(active);
  const el = h('fieldset', { class: 'translations span-2' },
    h('legend', { class: 'field-label', i18n: 'console.translations' }),
    h('p', { class: 'field-hint', i18n: 'console.translationsHint' }),
    h('div', { class: 'seg', attrs: { role: 'group' } }, tabs),
    [...panels.values()]);
  return {
    el,
    get() {
      const out = {};
      for (const lang of TEXT_LANGS) {
        const texts = {};
        for (const [name, control] of Object.entries(inputs.get(lang))) texts[name] = orNull(control.value);
        out[lang] = texts;
      }
      return out;
    },
    set(texts) {
      for (const lang of TEXT_LANGS) {
        for (const [name, control] of Object.entries(inputs.get(lang))) control.value = texts?.[lang]?.[name] || '';
      }
      markFilled();
    },
    relabel() {
      for (const [index, lang] of TEXT_LANGS.entries()) tabs[index].textContent = languageName(lang);
    },
  };
}

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

  // ------------------------------------------------------------ products
  const productsList = h('ul', { class: 'console-list', testid: 'console-products' });
  const productEditorSlot = h('div', { class: 'product-editor-slot' });
  const addProductButton = h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'product-add', i18n: 'console.addProduct' });
  const productsError = errorBox('products-error');
  let editor = null; // the open product editor: {productId, el}

  addProductButton.addEventListener('click', () => openProductEditor(null));

  function renderProducts() {
    const products = base?.products || [];
    replaceChildren(productsList, products.length
      ? products.map((p) => h('li', { class: 'console-row', testid: 'console-product', dataset: { productId: String(p.id) } },
        (p.photos || []).length && mediaUrl(p.photos[0].url)
          ? h('img', { class: 'thumb', src: mediaUrl(p.photos[0].url), alt: '' })
          : h('span', { class: 'thumb is-placeholder', attrs: { 'aria-hidden': 'true' } }),
        h('span', { class: 'row-main' },
          h('strong', { class: 'row-title', text: p.name }),
          h('span', { class: 'muted small', text: [p.code, p.hs_code && `HS ${p.hs_code}`, p.category, p.price_range].filter(Boolean).join(' · ') })),
        h('span', { class: 'row-actions' },
          h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'product-edit', i18n: 'console.edit', on: { click: () => openProductEditor(p.id) } }),
          h('button', { type: 'button', class: 'btn btn-danger btn-small', testid: 'product-delete', i18n: 'console.delete', on: { click: (e) => deleteProduct(p, e.currentTarget) } }))))
      : h('li', { class: 'muted small', i18n: 'company.noProducts' }));
  }

  async function deleteProduct(p, button) {
    if (!window.confirm(t('console.confirmDeleteProduct', { name: p.name }))) return;
    showError(productsError, null);
    await busy(button, async () => {
      try {
        await api.deleteProduct(p.id);
        if (editor?.productId === p.id) closeProductEditor();
        await load();
      } catch (error) {
        if (ctx.handleAuthError(error)) return;
        showError(productsError, error);
      }
    });
  }

  function closeProductEditor() {
    editor = null;
    replaceChildren(productEditorSlot);
    addProductButton.hidden = false;
  }

  function openProductEditor(productId) {
    const product = productId ? (base.products || []).find((p) => p.id === productId) : null;
    if (productId && !product) return closeProductEditor();
    const f = {
      name: input('product-name', { name: 'name', required: true, maxLength: 120 }),
      code: input('product-code', { name: 'code', maxLength: 60 }),
      hs_code: input('product-hs', { name: 'hs_code', maxLength: 12, placeholder: '2005.99', attrs: { inputmode: 'decimal' } }),
      category: input('product-category', { name: 'category', maxLength: 60 }),
      description: input('product-description', { name: 'description', multiline: true, maxLength: 5000 }),
      tags: input('product-tags', { name: 'tags', maxLength: 600 }),
      min_order: input('product-min-order', { name: 'min_order', maxLength: 80, i18nAttr: { placeholder: 'product.minOrderExample' } }),
      price_range: input('product-price', { name: 'price_range', maxLength: 80, i18nAttr: { placeholder: 'product.priceExample' } }),
      certifications: input('product-certs', { name: 'certifications', maxLength: 600, i18nAttr: { placeholder: 'product.certsExample' } }),
    };
    const tr = translations([
      { name: 'name', labelKey: 'product.name', maxLength: 120 },
      { name: 'description', labelKey: 'product.description', multiline: true, maxLength: 5000 },
    ], 'product-tr');
    if (product) {
      for (const key of ['name', 'code', 'hs_code', 'category', 'description', 'min_order', 'price_range']) f[key].value = product[key] || '';
      f.tags.value = (product.tags || []).join(', ');
      f.certifications.value = (product.certifications || []).join(', ');
      tr.set(productTexts[product.id] || {});
    }
    const error = errorBox('product-error');
    const save = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'product-save', i18n: product ? 'console.save' : 'console.addProduct' });
    const cancel = h('button', { type: 'button', class: 'btn btn-ghost', testid: 'product-cancel', i18n: 'console.cancel', on: { click: closeProductEditor } });

    // Photos: only for a product that exists (the upload names it).
    let photoBlock = null;
    let refreshPhotos = null;
    if (product) {
      const photoList = h('ul', { class: 'thumb-list', testid: 'product-photo-list' });
      refreshPhotos = () => {
        const current = (base.products || []).find((p) => p.id === product.id);
        replaceChildren(photoList, (current?.photos || []).map((m) => mediaTile(m, 'photo')));
      };
      refreshPhotos();
      const photoFile = h('input', { type: 'file', testid: 'photo-file', accept: 'image/png,image/jpeg,image/webp,image/gif' });
      const photoError = errorBox('photo-error');
      const progress = h('progress', { class: 'upload-progress', max: 1, value: 0, hidden: true });
      photoFile.addEventListener('change', async () => {
        const file = photoFile.files?.[0];
        if (!file) return;
        showError(photoError, null);
        await uploadFile({
          kind: 'photo', title: product.name, file, productId: product.id, errorEl: photoError, progress, control: photoFile,
        });
        photoFile.value = '';
      });
      photoBlock = h('div', { class: 'span-2 photo-block' },
        h('span', { class: 'field-label', i18n: 'product.photos' }),
        photoList,
        h('label', { class: 'btn btn-ghost btn-small file-btn' }, h('span', { i18n: 'console.addPhoto' }), photoFile),
        progress,
        photoError);
    }

    const form = h('form', { class: 'form form-grid card inset', testid: 'product-form', noValidate: true, dataset: { productId: product ? String(product.id) : '' } },
      h('h3', { class: 'span-2', i18n: product ? 'console.editProduct' : 'console.newProduct' }),
      field('product.name', f.name),
      field('product.code', f.code),
      field('product.hsCode', f.hs_code, { hintKey: 'product.hsHint' }),
      field('product.category', f.category),
      field('product.description', f.description, { className: 'span-2' }),
      field('product.minOrder', f.min_order),
      field('product.priceRange', f.price_range),
      field('product.tags', f.tags, { hintKey: 'console.listHint' }),
      field('product.certifications', f.certifications, { hintKey: 'console.listHint' }),
      tr.el,
      photoBlock,
      h('div', { class: 'span-2' }, error),
      h('div', { class: 'form-actions span-2' }, save, cancel));

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      showError(error, null);
      const body = {
        name: f.name.value.trim(),
        code: orNull(f.code.value),
        description: orNull(f.description.value),
        hs_code: orNull(f.hs_code.value),
        category: orNull(f.category.value),
        tags: splitList(f.tags.value),
        min_order: orNull(f.min_order.value),
        price_range: orNull(f.price_range.value),
        certifications: splitList(f.certifications.value),
        texts: tr.get(),
      };
      if (!body.name) {
        showError(error, { code: ERROR_CODES.VALIDATION, message: t('product.nameRequired') });
        f.name.focus();
        return;
      }
      await busy(save, async () => {
        try {
          if (product) await api.updateProduct(product.id, body);
          else await api.createProduct(companyId, body);
          closeProductEditor();
          productsSaved.show();
          await load();
        } catch (e) {
          if (ctx.handleAuthError(e)) return;
          showError(error, e);
        }
      });
    });

    editor = { productId, el: form, relabel: tr.relabel, refreshPhotos };
    replaceChildren(productEditorSlot, form);
    addProductButton.hidden = true;
    f.name.focus();
    return undefined;
  }
  const productsSaved = savedNote('products-saved');

  // ------------------------------------------------------------ media
  const mediaError = errorBox('media-error');
  const logoSlot = h('div', { class: 'logo-slot', testid: 'logo-slot' });
  const logoFile = h('input', { type: 'file', testid: 'logo-file', accept: 'image/png,image/jpeg,image/webp,image/svg+xml' });
  const logoProgress = h('progress', { class: 'upload-progress', max: 1, value: 0, hidden: true });
  const logoError = errorBox('logo-error');
  logoFile.addEventListener('change', async () => {
    const file = logoFile.files?.[0];
    if (!file) return;
    showError(logoError, null);
    await uploadFile({ kind: 'logo', title: t('media.logo'), file, errorEl: logoError, progress: logoProgress, control: logoFile });
    logoFile.value = '';
  });

  const brochureList = h('ul', { class: 'console-list', testid: 'console-brochures' });
  const brochureTitle = input('brochure-title', { name: 'brochure_title', maxLength: 200 });
  const brochureFile = h('input', { type: 'file', testid: 'brochure-file', accept: 'application/pdf,.pdf' });
  const brochureUpload = h('button', { type: 'submit', class: 'btn btn-primary btn-small', testid: 'brochure-upload', i18n: 'console.upload' });
  const brochureProgress = h('progress', { class: 'upload-progress', max: 1, value: 0, hidden: true });
  const brochureError = errorBox('brochure-error');
  const brochureSaved = savedNote('brochure-saved');
  brochureFile.addEventListener('change', () => {
    const file = brochureFile.files?.[0];
    if (file && !brochureTitle.value.trim()) brochureTitle.value = baseName(file.name);
  });
  const brochureForm = h('form', { class: 'upload-form', testid: 'brochure-form', noValidate: true },
    field('media.title', brochureTitle),
    field('media.pdfFile', brochureFile, { hintKey: 'media.pdfHint' }),
    h('div', { class: 'form-actions' }, brochureUpload, brochureSaved.el),
    brochureProgress,
    brochureError);
  brochureForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError(brochureError, null);
    const file = brochureFile.files?.[0];
    if (!file) {
      showError(brochureError, { code: 'no_file' }, { no_file: 'upload.noFile' });
      return;
    }
    const title = brochureTitle.value.trim() || baseName(file.name);
    await busy(brochureUpload, async () => {
      const ok = await uploadFile({ kind: 'brochure', title, file, errorEl: brochureError, progress: brochureProgress, control: brochureFile });
      if (ok) {
        brochureTitle.value = '';
        brochureFile.value = '';
        brochureSaved.show('upload.done');
      }
    });
  });

  const videoList = h('ul', { class: 'console-list', testid: 'console-videos' });
  const videoTitle = input('video-title', { name: 'video_title', maxLength: 200 });
  const videoFile = h('input', { type: 'file', testid: 'video-file', accept: 'video/mp4,video/webm,video/quicktime' });
  const videoUpload = h('button', { type: 'submit', class: 'btn btn-primary btn-small', testid: 'video-upload', i18n: 'console.upload' });
  const videoProgress = h('progress', { class: 'upload-progress', max: 1, value: 0, hidden: true });
  const videoError = errorBox('video-error');
  videoFile.addEventListener('change', () => {
    const file = videoFile.files?.[0];
    if (file && !videoTitle.value.trim()) videoTitle.value = baseName(file.name);
  });
  const videoForm = h('form', { class: 'upload-form', testid: 'video-form', noValidate: true },
    field('media.title', videoTitle),
    field('media.videoFile', videoFile, { hintKey: 'media.videoHint' }),
    h('div', { class: 'form-actions' }, videoUpload),
    videoProgress,
    videoError);
  videoForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError(videoError, null);
    const file = videoFile.files?.[0];
    if (!file) {
      showError(videoError, { code: 'no_file' }, { no_file: 'upload.noFile' });
      return;
    }
    const title = videoTitle.value.trim() || baseName(file.name);
    await busy(videoUpload, async () => {
      const ok = await uploadFile({ kind: 'video', title, file, errorEl: videoError, progress: videoProgress, control: videoFile });
      if (ok) {
        videoTitle.value = '';
        videoFile.value = '';
      }
    });
  });

  const linkTitle = input('video-link-title', { name: 'link_title', maxLength: 200 });
  const linkUrl = input('video-link-url', { name: 'link_url', type: 'url', maxLength: 500, placeholder: 'https://www.youtube.com/watch?v=…' });
  const linkAdd = h('button', { type: 'submit', class: 'btn btn-ghost btn-small', testid: 'video-link-add', i18n: 'media.addLink' });
  const linkError = errorBox('video-link-error');
  const linkForm = h('form', { class: 'upload-form', testid: 'video-link-form', noValidate: true },
    field('media.title', linkTitle),
    field('media.videoUrl', linkUrl),
    h('div', { class: 'form-actions' }, linkAdd),
    linkError);
  linkForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError(linkError, null);
    const title = linkTitle.value.trim();
    const url = linkUrl.value.trim();
    if (!title || !/^https?:\/\//i.test(url)) {
      showError(linkError, { code: ERROR_CODES.VALIDATION, message: t('media.linkInvalid') });
      return;
    }
    await busy(linkAdd, async () => {
      try {
        await api.addVideoLink(companyId, title, url);
        linkTitle.value = '';
        linkUrl.value = '';
        await load();
      } catch (error) {
        if (ctx.handleAuthError(error)) return;
        showError(linkError, error);
      }
    });
  });

  /** Uploads one file; shows progress and errors; reloads on success. Returns success. */
  async function uploadFile({ kind, title, file, productId, errorEl, progress, control }) {
    progress.hidden = false;
    progress.value = 0;
    if (control) control.disabled = true;
    try {
      await api.uploadMedia(companyId, { kind, title, fileName: file.name, productId }, file, {
        onProgress: (fraction) => { progress.value = fraction; },
      });
      await load();
      return true;
    } catch (error) {
      if (ctx.handleAuthError(error)) return false;
      showError(errorEl, error, UPLOAD_ERRORS);
      return false;
    } finally {
      progress.hidden = true;
      if (control) control.disabled = false;
    }
  }

  async function deleteMedia(item, button) {
    if (!window.confirm(t('console.confirmDeleteMedia', { title: item.title || item.file_name || '' }))) return;
    showError(mediaError, null);
    await busy(button, async () => {
      try {
        await api.deleteMedia(item.id);
        await load();
      } catch (error) {
        if (ctx.handleAuthError(error)) return;
        showError(mediaError, error);
      }
    });
  }

  function mediaTile(item, kind) {
    const src = mediaUrl(item.url);
    return h('li', { class: 'thumb-tile', testid: 'media-item', dataset: { mediaId: String(item.id), kind } },
      src ? h('img', { src, alt: item.title || '' }) : null,
      h('button', { type: 'button', class: 'btn btn-danger btn-tiny', testid: 'media-delete', i18nAttr: { 'aria-label': 'console.delete', title: 'console.delete' }, text: '×', on: { click: (e) => deleteMedia(item, e.currentTarget) } }));
  }

  function mediaRow(item, kind) {
    const href = mediaUrl(item.url);
    const uploaded = Boolean(item.content_type || item.file_name);
    return h('li', { class: 'console-row', testid: 'media-item', dataset: { mediaId: String(item.id), kind } },
      h('span', { class: ['file-icon', kind === 'video' && 'is-video'], text: kind === 'video' ? '▶' : 'PDF', attrs: { 'aria-hidden': 'true' } }),
      h('span', { class: 'row-main' },
        href ? h('a', { class: 'row-title', href, target: '_blank', rel: 'noopener', testid: 'media-title', text: item.title || item.file_name || href })
          : h('strong', { class: 'row-title', text: item.title }),
        h('span', { class: 'muted small', text: [uploaded ? item.file_name : t('media.externalLink'), item.size_bytes ? formatBytes(item.size_bytes) : ''].filter(Boolean).join(' · ') })),
      h('span', { class: 'row-actions' },
        h('button', { type: 'button', class: 'btn btn-danger btn-small', testid: 'media-delete', i18n: 'console.delete', on: { click: (e) => deleteMedia(item, e.currentTarget) } })));
  }

  function renderMedia() {
    const c = base.company;
    const logoId = mediaIdOf(c.logo_url);
    replaceChildren(logoSlot,
      logo(c, 'large'),
      h('div', { class: 'logo-actions' },
        h('label', { class: 'btn btn-ghost btn-small file-btn' }, h('span', { i18n: c.logo_url ? 'media.replaceLogo' : 'media.uploadLogo' }), logoFile),
        logoId
          ? h('button', { type: 'button', class: 'btn btn-danger btn-small', testid: 'logo-delete', i18n: 'console.delete',
            on: { click: (e) => deleteMedia({ id: logoId, title: t('media.logo') }, e.currentTarget) } })
          : null,
        h('small', { class: 'field-hint', i18n: 'media.logoHint' })));
    const brochures = base.brochures || [];
    replaceChildren(brochureList, brochures.length
      ? brochures.map((m) => mediaRow(m, 'brochure'))
      : h('li', { class: 'muted small', i18n: 'media.noBrochures' }));
    const videos = base.videos || [];
    replaceChildren(videoList, videos.length
      ? videos.map((m) => mediaRow(m, 'video'))
      : h('li', { class: 'muted small', i18n: 'media.noVideos' }));
  }

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
        h('section', { class: 'card', testid: 'console-products-section' },
          h('div', { class: 'section-head' }, h('h2', { i18n: 'company.products' }), h('span', {}, productsSaved.el, ' ', addProductButton)),
          productsError,
          productEditorSlot,
          productsList),
        h('section', { class: 'card', testid: 'console-media' },
          h('h2', { i18n: 'console.media' }),
          mediaError,
          h('h3', { class: 'sub-title', i18n: 'media.logo' }),
          logoSlot, logoProgress, logoError,
          h('h3', { class: 'sub-title', i18n: 'booth.brochures' }),
          brochureList, brochureForm,
          h('h3', { class: 'sub-title', i18n: 'booth.videos' }),
          videoList,
          h('div', { class: 'two-forms' }, videoForm, linkForm))),
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
      renderProducts();
      renderMedia();
      if (editor?.productId) {
        // The product may be gone (deleted elsewhere); else its photos may have changed.
        if ((base.products || []).some((p) => p.id === editor.productId)) editor.refreshPhotos?.();
        else closeProductEditor();
      }
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
    editor?.relabel?.();
    renderDuty();
    if (base) {
      subtitleEl.textContent = `${base.company.name} · ${whereLine(base.company, base.hall_name)}`;
      renderProducts();
      renderMedia();
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
