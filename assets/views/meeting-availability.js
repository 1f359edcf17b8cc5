// views/meeting-availability.js — #/meetings/availability[/{company_id}]: exhibitor staff
// (organizers: any company) choose the slots their company offers and its seats per slot.

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { onLangChange, t } from '../i18n.js';
import { forbiddenPage, pageError } from './common.js';
import { errorBox, showError } from './forms.js';
import { ACTION_ERRORS, myZone, slotGrid, zonesNote } from './meeting-parts.js';

export function mountAvailability(root, ctx, companyId) {
  const me = ctx.session.user;
  const allowed = me.role === 'organizer' || (me.role === 'exhibitor' && me.company_id === companyId);
  if (!allowed || !Number.isSafeInteger(companyId) || companyId <= 0) {
    forbiddenPage(root, 'meet.onlyStaff');
    return null;
  }
  const tz = myZone(me);
  let disposed = false;
  let all = [];
  let on = new Set();
  let freeById = new Map();

  const error = pageError('availability-error', () => load());
  const seats = h('input', { type: 'number', min: '1', max: '50', step: '1', value: '1', testid: 'availability-seats' });
  const saved = h('span', { class: 'saved-note', testid: 'availability-saved', attrs: { role: 'status' }, hidden: true });
  const saveError = errorBox('availability-save-error');
  const save = h('button', { type: 'button', class: 'btn btn-primary', testid: 'availability-save', i18n: 'meet.save' });
  const gridBox = h('div', {}, h('p', { class: 'muted', i18n: 'common.loading' }));
  const countEl = h('span', { class: 'count-pill muted-pill', testid: 'availability-count' });

  const grid = () => slotGrid({
    viewerTz: tz, otherTz: null, testid: 'availability-grid',
    cell: (slot) => {
      const isOn = on.has(slot.id);
      const past = slot.starts_ms <= Date.now();
      const free = freeById.get(slot.id);
      return { state: isOn ? 'on' : 'off', pressed: isOn, disabled: past,
        noteKey: isOn ? (free !== undefined ? 'meet.seatsFree' : 'meet.offered') : 'meet.notOffered', noteArgs: { count: free ?? 0 } };
    },
    onPick: (slot) => {
      if (on.has(slot.id)) on.delete(slot.id);
      else on.add(slot.id);
      saved.hidden = true;
      render();
    },
  });

  function render() {
    const g = grid();
    g.render(all.filter((s) => s.ends_ms > Date.now()));
    replaceChildren(gridBox, g.el);
    const shown = all.filter((slot) => slot.ends_ms > Date.now() && on.has(slot.id)).length;
    countEl.dataset.count = String(shown);
    countEl.dataset.i18n = 'meet.offeredCount';
    countEl.dataset.i18nArgs = JSON.stringify({ count: shown });
    countEl.textContent = t('meet.offeredCount', { count: shown });
  }

  async function load() {
    error.hide();
    try {
      const [slotData, avail] = await Promise.all([api.meetingSlots(), api.availability(companyId)]);
      if (disposed) return;
      all = slotData.slots || [];
      on = new Set((avail.slots || []).map((s) => s.slot.id));
      freeById = new Map((avail.slots || []).map((s) => [s.slot.id, s.free_seats]));
      seats.value = String(avail.seats || 1);
      render();
    } catch (e) {
      if (disposed || ctx.handleAuthError(e)) return;
      error.show(e);
    }
  }

  save.addEventListener('click', async () => {
    save.disabled = true;
    showError(saveError, null);
    try {
      const avail = await api.setAvailability(companyId, [...on], Math.max(1, Math.round(Number(seats.value) || 1)));
      if (disposed) return;
      on = new Set((avail?.slots || []).map((s) => s.slot.id));
      freeById = new Map((avail?.slots || []).map((s) => [s.slot.id, s.free_seats]));
      render();
      saved.dataset.i18n = 'meet.saved';
      saved.textContent = t('meet.saved');
      saved.hidden = false;
    } catch (e) {
      if (!disposed && !ctx.handleAuthError(e)) showError(saveError, e, ACTION_ERRORS);
    } finally {
      save.disabled = false;
    }
  });

  root.append(h('main', { class: 'page availability-page', testid: 'availability', dataset: { companyId: String(companyId) } },
    h('div', { class: 'page-top' },
      h('div', {},
        h('a', { class: 'back-link', href: '#/meetings', i18n: 'meet.backToMeetings' }),
        h('h1', { i18n: 'meet.myAvailability' }),
        h('p', { class: 'muted', i18n: 'meet.availabilityHint' }))),
    error.el,
    h('section', { class: 'card' },
      h('div', { class: 'availability-bar' },
        h('label', { class: 'field seats-field' }, h('span', { class: 'field-label', i18n: 'meet.seats' }), seats,
          h('small', { class: 'field-hint', i18n: 'meet.seatsHint' })),
        countEl,
        h('span', { class: 'form-actions' },
          h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'availability-all', i18n: 'meet.selectAll',
            on: { click: () => { for (const s of all) if (s.starts_ms > Date.now()) on.add(s.id); render(); } } }),
          h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'availability-none', i18n: 'meet.selectNone',
            on: { click: () => { on.clear(); render(); } } }))),
      zonesNote(tz, null),
      gridBox,
      saveError,
      h('div', { class: 'form-actions' }, save, saved))));
  const offLang = onLangChange(() => { if (all.length) render(); });
  load();
  return () => {
    disposed = true;
    offLang();
  };
}
