// views/meeting-book.js — #/meetings/book/{company_id}: a buyer books a meeting (the
// company's slot grid in the buyer's zone with the company's clock beside it, then the
// request: message, products, online or on site, an interpreter); a company's staff invite
// a buyer from a lead the same way (?buyer={user_id}&name=…).

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { ERROR_CODES } from '../gen/protocol.js';
import { languageName, onLangChange, t } from '../i18n.js';
import { forbiddenPage, pageError } from './common.js';
import { errorBox, showError } from './forms.js';
import {
  ACTION_ERRORS, cityOf, clock, companyZone, dayLabel, INTERPRETER_LANGUAGES, myZone, noteOwnAction, readable,
  slotGrid, zonesNote,
} from './meeting-parts.js';

export function mountBooking(root, ctx, companyId, params = new URLSearchParams()) {
  const { session } = ctx;
  const me = session.user;
  // A company's staff invite a buyer (from a lead: ?buyer={user_id}&name=…): the same grid
  // and form, the request naming the buyer, who then answers it.
  const buyerId = Number(params.get('buyer')) || null;
  const inviting = me.role === 'exhibitor' && me.company_id === companyId && Boolean(buyerId);
  if (me.role !== 'buyer' && !inviting) {
    forbiddenPage(root, 'meet.onlyBuyers');
    return null;
  }
  const buyerName = params.get('name') || '';
  // Booked from a stage show's pinned product (?show={id}&product={id}): the request names
  // the show, for its commerce counts, and the product starts ticked.
  const fromShow = Number(params.get('show')) || null;
  const fromProduct = Number(params.get('product')) || null;
  if (!Number.isSafeInteger(companyId) || companyId <= 0) {
    forbiddenPage(root, 'meet.notFound');
    return null;
  }
  const tz = myZone(me);
  let disposed = false;
  let detail = null;
  let companyTz = 'Asia/Seoul';
  let slots = []; // SlotAvailability
  let busy = new Set();
  let taken = []; // [starts, ends] of my active meetings
  let selected = null; // MeetingSlot
  let gridVersion = 0;

  const error = pageError('book-error', () => load());
  const title = inviting
    ? h('h1', { testid: 'book-title', i18n: 'meet.inviteTitle', i18nArgs: { name: buyerName } })
    : h('h1', { testid: 'book-title', i18n: 'meet.bookTitle', i18nArgs: { company: '…' } });
  const zones = h('div', {});
  const gridBox = h('div', {}, h('p', { class: 'muted', i18n: 'common.loading' }));
  const gridCard = h('section', { class: 'card book-grid-card', testid: 'book-grid-card' },
    h('h2', { i18n: 'meet.pickSlot' }), zones, gridBox);

  // The request form.
  const slotLine = h('p', { class: 'book-slot', testid: 'meeting-form-slot' });
  const message = h('textarea', { testid: 'meeting-message', rows: 4, maxLength: 2000, i18nAttr: { placeholder: 'meet.messagePlaceholder' } });
  const productsBox = h('div', { class: 'chip-row', testid: 'meeting-products' });
  const online = h('input', { type: 'radio', name: 'meeting-mode', value: 'online', checked: true, testid: 'meeting-mode-online' });
  const onsite = h('input', { type: 'radio', name: 'meeting-mode', value: 'onsite', testid: 'meeting-mode-onsite' });
  const needInterp = h('input', { type: 'checkbox', testid: 'meeting-need-interpreter' });
  const langBoxes = INTERPRETER_LANGUAGES.map((tag) => h('input', { type: 'checkbox', value: tag, dataset: { lang: tag } }));
  const langRow = h('div', { class: 'chip-row', testid: 'meeting-languages', hidden: true },
    langBoxes.map((box) => h('label', { class: 'chip-check' }, box, h('span', { text: languageName(box.value), title: box.value.toUpperCase() }))));
  needInterp.addEventListener('change', () => { langRow.hidden = !needInterp.checked; });
  const formError = errorBox('meeting-form-error');
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'meeting-submit', i18n: 'meet.send' });
  const form = h('form', { class: 'form', testid: 'meeting-form', hidden: true },
    slotLine,
    h('label', { class: 'field' }, h('span', { class: 'field-label', i18n: 'meet.message' }), message),
    h('fieldset', { class: 'field', testid: 'meeting-products-field' }, h('legend', { class: 'field-label', i18n: 'meet.products' }), productsBox),
    h('fieldset', { class: 'field' }, h('legend', { class: 'field-label', i18n: 'meet.mode' }),
      h('div', { class: 'chip-row' },
        h('label', { class: 'chip-check' }, online, h('span', { i18n: 'meet.modeOnline' })),
        h('label', { class: 'chip-check' }, onsite, h('span', { i18n: 'meet.modeOnsite' })))),
    h('fieldset', { class: 'field' },
      h('label', { class: 'check' }, needInterp, h('span', { i18n: 'meet.needInterpreter' })),
      langRow),
    h('div', { class: 'form-actions' }, submit,
      h('button', { type: 'button', class: 'btn btn-ghost', i18n: 'meet.back', on: { click: () => pick(null) } })));
  const formHint = h('p', { class: 'muted small', testid: 'meeting-form-hint', i18n: 'meet.pickFirst' });
  const formCard = h('section', { class: 'card book-form-card', testid: 'meeting-form-card' },
    h('h2', { i18n: 'meet.requestTitle' }),
    formError,
    formHint,
    form);

  root.append(h('main', { class: 'page book-page', testid: 'book-page', dataset: { companyId: String(companyId) } },
    h('div', { class: 'page-top' },
      h('div', {},
        inviting
          ? h('a', { class: 'back-link', href: '#/leads', testid: 'book-back', i18n: 'leads.back' })
          : h('a', { class: 'back-link', href: `#/booth/${companyId}`, testid: 'book-back', i18n: 'meet.backToBooth' }),
        title)),
    error.el,
    h('div', { class: 'book-layout' }, gridCard, formCard)));

  function overlapsMine(slot) {
    return taken.some(([s, e]) => s < slot.ends_ms && e > slot.starts_ms);
  }

  function cellFor(slot) {
    const info = slots.find((s) => s.slot.id === slot.id);
    const free = info?.free_seats ?? 0;
    const pressed = selected?.id === slot.id;
    if (slot.starts_ms <= Date.now()) return { state: 'past', disabled: true, noteKey: 'meet.slotPast' };
    if (overlapsMine(slot)) return { state: 'mine', disabled: true, noteKey: 'meet.slotMine' };
    if (busy.has(slot.id)) return { state: 'busy', disabled: true, noteKey: 'meet.slotBusy' };
    if (free <= 0) return { state: 'full', disabled: true, noteKey: 'meet.slotFull' };
    return { state: pressed ? 'selected' : 'free', pressed, noteKey: 'meet.seatsFree', noteArgs: { count: free } };
  }

  function renderGrid() {
    const grid = slotGrid({ viewerTz: tz, otherTz: companyTz, testid: 'slot-grid', cell: cellFor, onPick: (slot) => pick(slot) });
    grid.render(slots.map((s) => s.slot).filter((s) => s.ends_ms > Date.now()));
    grid.el.dataset.version = String(++gridVersion);
    replaceChildren(gridBox, grid.el);
    replaceChildren(zones, zonesNote(tz, companyTz));
  }

  function pick(slot, { keepError = false } = {}) {
    selected = slot;
    form.hidden = !slot;
    formHint.hidden = Boolean(slot);
    if (!keepError) showError(formError, null);
    if (slot) {
      replaceChildren(slotLine,
        h('strong', { testid: 'meeting-form-time', text: `${dayLabel(slot.starts_ms, tz)} · ${clock(slot.starts_ms, tz)}–${clock(slot.ends_ms, tz)}` }),
        companyTz !== tz
          ? [' ', h('span', { class: 'muted', testid: 'meeting-form-other-time', i18n: 'meet.timeInParen',
            i18nArgs: { time: clock(slot.starts_ms, companyTz), city: cityOf(companyTz) } })]
          : null);
      requestAnimationFrame(() => formCard.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' }));
    }
    renderGrid();
  }

  function renderProducts() {
    const products = detail?.products || [];
    replaceChildren(productsBox, products.length
      ? products.map((p) => h('label', { class: 'chip-check' },
        h('input', { type: 'checkbox', value: String(p.id), checked: p.id === fromProduct, dataset: { productId: String(p.id) } }),
        h('span', { text: p.name })))
      : h('span', { class: 'muted small', i18n: 'company.noProducts' }));
  }

  function presetLanguages() {
    const home = { KR: 'ko', CN: 'zh', JP: 'ja', MN: 'mn', RU: 'ru' }[detail?.company?.country || 'KR'] || 'ko';
    const mine = (me.languages || []).find((tag) => INTERPRETER_LANGUAGES.includes(tag) && tag !== home);
    for (const box of langBoxes) box.checked = box.value === home || box.value === mine;
  }

  async function loadSlots() {
    const [avail, busyData, mine] = await Promise.all([
      api.availability(companyId),
      api.myBusy().catch(() => ({ slot_ids: [] })),
      api.meetings().catch(() => ({ meetings: [] })),
    ]);
    if (disposed) return;
    slots = avail.slots || [];
    busy = new Set(busyData?.slot_ids || []);
    // A buyer's own meetings block their slots; a company's are spread over its seats (the
    // server decides whether one is free).
    taken = inviting ? [] : (mine.meetings || []).filter((m) => m.state === 'confirmed' || m.state === 'requested').map((m) => [m.starts_ms, m.ends_ms]);
    if (selected && !slots.some((s) => s.slot.id === selected.id && s.free_seats > 0 && !busy.has(s.slot.id)
      && !overlapsMine(s.slot))) {
      pick(null, { keepError: true }); // gone meanwhile: pick another (the error says why)
    } else {
      renderGrid();
    }
  }

  async function load() {
    error.hide();
    try {
      detail = await api.company(companyId);
      if (disposed) return;
      companyTz = companyZone(detail.company.country);
      if (!inviting) {
        title.dataset.i18nArgs = JSON.stringify({ company: detail.company.name });
        title.textContent = t('meet.bookTitle', { company: detail.company.name });
      }
      renderProducts();
      presetLanguages();
      await loadSlots();
    } catch (e) {
      if (disposed || ctx.handleAuthError(e)) return;
      error.show(e);
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!selected) return;
    const languages = needInterp.checked ? langBoxes.filter((b) => b.checked).map((b) => b.value) : [];
    if (needInterp.checked && languages.length === 0) {
      showError(formError, { code: ERROR_CODES.VALIDATION, message: t('meet.pickLanguage') });
      return;
    }
    submit.disabled = true;
    showError(formError, null);
    try {
      const meeting = await api.requestMeeting({
        company_id: companyId,
        buyer_id: inviting ? buyerId : undefined,
        slot_id: selected.id,
        mode: onsite.checked ? 'onsite' : 'online',
        message: message.value.trim(),
        product_ids: [...productsBox.querySelectorAll('input:checked')].map((box) => Number(box.value)),
        interpreter_languages: languages,
        show_id: !inviting && fromShow ? fromShow : undefined,
      });
      if (disposed) return;
      noteOwnAction(meeting.id);
      ctx.navigate(`#/meetings?new=${meeting.id}`);
    } catch (e) {
      if (disposed || ctx.handleAuthError(e)) return;
      submit.disabled = false;
      showError(formError, readable(e, tz), ACTION_ERRORS);
      if (e.code === ERROR_CODES.SLOT_TAKEN || e.code === ERROR_CODES.CONFLICT) {
        try {
          await loadSlots();
        } catch {
          // The grid stays as it was; the error says why.
        }
      }
    }
  });

  const offLang = onLangChange(() => {
    if (detail) {
      renderGrid();
      if (selected) pick(selected);
    }
  });
  load();
  return () => {
    disposed = true;
    offLang();
  };
}
