// views/match-grid.js — a scheduler run's schedule grids: one table per fair day, rows the
// companies (or the buyers, or the interpreters), columns the slots in the fair's zone, each
// placed meeting a card (buyer ↔ company, mode, interpreter). A card dragged onto another
// cell (HTML5 drag and drop) asks the server to move it there (POST /match/runs/{id}/move):
// refused, the conflicts are shown and the card stays; accepted, the grid is drawn again
// from the run the server returns. "Move…" on a card does the same from a slot picker, for
// the keyboard. A published run is read-only.

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { getLang, t } from '../i18n.js';
import { errorBox, showError } from './forms.js';
import { conflictList, slotText, slotTime } from './match-parts.js';
import { dayLabel } from './meeting-parts.js';
import { FAIR_ZONE } from './report-parts.js';

const VIEWS = ['company', 'buyer', 'interpreter'];

export function scheduleGrid(ctx, { onMoved }) {
  let run = null;
  let names = null;
  let view = 'company';
  let day = ''; // the fair day shown (one at a time; "Move…" reaches the others)
  let dragging = null; // the placement being dragged
  let busy = false;

  const viewButtons = VIEWS.map((value) => h('button', {
    type: 'button', class: 'seg-btn', testid: `match-grid-view-${value}`, dataset: { view: value }, i18n: `match.view.${value}`,
    on: { click: () => { view = value; draw(); } },
  }));
  const status = h('p', { class: 'small', testid: 'match-grid-status', attrs: { role: 'status' } });
  const conflictsList = h('ul', { class: 'conflict-list' });
  const conflictsEl = h('div', { class: 'alert alert-error', testid: 'match-grid-conflicts', hidden: true, attrs: { role: 'alert' } },
    h('strong', { i18n: 'match.moveRefused' }), conflictsList);
  const gridError = errorBox('match-grid-error');
  const days = h('div', { class: 'match-days', testid: 'match-days' });
  const dayTabs = h('div', { class: 'seg', testid: 'match-grid-days', attrs: { role: 'group' }, i18nAttr: { 'aria-label': 'match.gridDay' } });

  // The slot picker (the keyboard's way to move a meeting).
  const slotSelect = h('select', { testid: 'match-move-slot' });
  const modeSelect = h('select', { testid: 'match-move-mode' });
  const interpreterSelect = h('select', { testid: 'match-move-interpreter' });
  const moveTitle = h('h2', { testid: 'match-move-title' });
  const moveConflicts = h('ul', { class: 'conflict-list alert alert-error', testid: 'match-move-conflicts', hidden: true, attrs: { role: 'alert' } });
  const moveError = errorBox('match-move-error');
  let movePair = null;
  const dialog = h('dialog', { class: 'drawer match-move-dialog', testid: 'match-move-dialog' },
    h('form', { method: 'dialog', class: 'stack', on: { submit: (e) => { e.preventDefault(); submitPicker(); } } },
      moveTitle,
      h('label', { class: 'field' }, h('span', { class: 'field-label', i18n: 'match.moveSlot' }), slotSelect),
      h('label', { class: 'field' }, h('span', { class: 'field-label', i18n: 'match.moveMode' }), modeSelect),
      h('label', { class: 'field' }, h('span', { class: 'field-label', i18n: 'match.moveInterpreter' }), interpreterSelect),
      moveConflicts, moveError,
      h('div', { class: 'row-actions' },
        h('button', { type: 'submit', class: 'btn btn-primary btn-small', testid: 'match-move-submit', i18n: 'match.moveHere' }),
        h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'match-move-cancel', i18n: 'match.cancel', on: { click: () => dialog.close() } }))));

  const el = h('section', { class: 'card match-grid-card', testid: 'match-grid' },
    h('div', { class: 'section-head' },
      h('h2', { i18n: 'match.gridTitle' }),
      h('div', { class: 'seg', attrs: { role: 'group' }, i18nAttr: { 'aria-label': 'match.gridRows' } }, viewButtons)),
    h('p', { class: 'muted small', testid: 'match-grid-hint' }),
    dayTabs,
    status, conflictsEl, gridError, days, dialog);

  function rowsFor() {
    if (view === 'buyer') return [...names.buyers].map(([id, name]) => ({ id, name }));
    if (view === 'interpreter') return [...names.interpreters].map(([id, name]) => ({ id, name }));
    return [...names.companies].map(([id, name]) => ({ id, name }));
  }

  function rowOf(placement) {
    const pair = names.pairs.get(placement.pair);
    if (view === 'buyer') return pair?.buyer_id;
    if (view === 'interpreter') return placement.interpreting?.interpreter;
    return pair?.company_id;
  }

  function card(placement, readOnly) {
    const pair = names.pairs.get(placement.pair);
    const interpreter = placement.interpreting ? names.interpreters.get(placement.interpreting.interpreter) : null;
    const node = h('div', {
      class: ['match-card', `mode-${placement.mode}`, placement.fixed && 'is-fixed'], testid: 'match-card',
      dataset: { pair: String(placement.pair), slot: String(placement.slot), mode: placement.mode, buyerId: String(pair?.buyer_id ?? ''), companyId: String(pair?.company_id ?? '') },
      draggable: !readOnly && !placement.fixed,
      on: {
        dragstart: (event) => {
          dragging = placement;
          event.dataTransfer.effectAllowed = 'move';
          event.dataTransfer.setData('text/plain', String(placement.pair));
          node.classList.add('is-dragging');
        },
        dragend: () => {
          dragging = null;
          node.classList.remove('is-dragging');
        },
      },
    },
    h('span', { class: 'match-card-names' },
      h('strong', { text: view === 'buyer' ? pair?.company_name : pair?.buyer_name }),
      view === 'interpreter' ? h('span', { class: 'small', text: pair?.company_name }) : null),
    h('span', { class: 'match-card-meta' },
      h('span', { class: `mode-tag mode-${placement.mode}`, testid: 'match-card-mode', i18n: `match.mode.${placement.mode}` }),
      interpreter && view !== 'interpreter' ? h('span', { class: 'match-card-interp', testid: 'match-card-interpreter', i18n: 'match.withInterpreter', i18nArgs: { name: interpreter } }) : null,
      placement.fixed ? h('span', { class: 'badge', i18n: 'match.fixed' }) : null,
      !readOnly && !placement.fixed
        ? h('button', { type: 'button', class: 'btn btn-ghost btn-tiny', testid: 'match-move-open', i18n: 'match.moveOpen',
          i18nAttr: { 'aria-label': 'match.moveLabel' }, i18nArgs: { buyer: pair?.buyer_name || '', company: pair?.company_name || '' },
          on: { click: () => openPicker(placement) } })
        : null));
    node.title = t('match.pairName', { buyer: pair?.buyer_name || '', company: pair?.company_name || '' });
    return node;
  }

  function cell(slot, rowId, cards, readOnly) {
    const td = h('td', { class: 'match-cell', testid: 'match-cell', dataset: { slot: String(slot.index), row: String(rowId), day: slot.day } }, cards);
    if (!readOnly) {
      td.addEventListener('dragover', (event) => {
        if (!dragging) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'move';
        td.classList.add('is-drop');
      });
      td.addEventListener('dragleave', () => td.classList.remove('is-drop'));
      td.addEventListener('drop', (event) => {
        event.preventDefault();
        td.classList.remove('is-drop');
        const placement = dragging;
        dragging = null;
        if (!placement || placement.slot === slot.index) return;
        move(placement, { slot: slot.index, mode: placement.mode });
      });
    }
    return td;
  }

  function draw() {
    for (const button of viewButtons) button.setAttribute('aria-pressed', String(button.dataset.view === view));
    if (!run) return;
    const readOnly = Boolean(run.published_ms);
    el.dataset.readOnly = String(readOnly);
    el.dataset.view = view;
    const hint = el.querySelector('[data-testid="match-grid-hint"]');
    hint.dataset.i18n = readOnly ? 'match.gridReadOnly' : 'match.gridHint';
    hint.textContent = t(hint.dataset.i18n);
    const placements = run.run.schedule.placements || [];
    const rows = rowsFor().sort((a, b) => a.name.localeCompare(b.name, getLang()));
    const byDay = new Map();
    for (const slot of run.slots || []) {
      if (!byDay.has(slot.day)) byDay.set(slot.day, []);
      byDay.get(slot.day).push(slot);
    }
    if (!byDay.has(day)) {
      const first = placements.find((p) => names.slots.get(p.slot));
      day = first ? names.slots.get(first.slot).day : [...byDay.keys()][0] || '';
    }
    replaceChildren(dayTabs, [...byDay].map(([key, slots]) => h('button', {
      type: 'button', class: 'seg-btn', testid: 'match-grid-day', dataset: { day: key },
      attrs: { 'aria-pressed': String(key === day) }, text: dayLabel(slots[0].starts_ms, FAIR_ZONE),
      on: { click: () => { day = key; draw(); } },
    })));
    if (!byDay.size || !rows.length) {
      replaceChildren(days, h('p', { class: 'muted', testid: 'match-grid-empty', i18n: 'match.gridEmpty' }));
      return;
    }
    const slots = byDay.get(day);
    replaceChildren(days, h('div', { class: 'match-day', testid: 'match-day', dataset: { day } },
      h('div', { class: 'table-wrap match-scroll', attrs: { tabindex: '0' } },
        h('table', { class: 'match-table' },
          h('caption', { class: 'sr-only', text: dayLabel(slots[0].starts_ms, FAIR_ZONE) }),
          h('thead', {}, h('tr', {},
            h('th', { class: 'match-row-head', attrs: { scope: 'col' }, i18n: `match.view.${view}` }),
            slots.map((slot) => h('th', { class: 'match-slot-head', attrs: { scope: 'col' }, dataset: { slot: String(slot.index) }, text: slotTime(slot) })))),
          h('tbody', {}, rows.map((row) => h('tr', { dataset: { row: String(row.id) } },
            h('th', { class: 'match-row-head', attrs: { scope: 'row' }, text: row.name }),
            slots.map((slot) => cell(slot, row.id,
              placements.filter((p) => p.slot === slot.index && rowOf(p) === row.id).map((p) => card(p, readOnly)), readOnly)))))))));
  }

  function showConflicts(conflicts) {
    replaceChildren(conflictsList, conflictList(conflicts, names));
    conflictsEl.hidden = !conflicts.length;
  }

  /** Asks the server to move a meeting; resolves with the conflicts (empty when moved). */
  async function move(placement, to) {
    if (busy || !run) return null;
    busy = true;
    el.setAttribute('aria-busy', 'true');
    status.textContent = '';
    showConflicts([]);
    showError(gridError, null);
    try {
      const next = await api.moveMatchMeeting(run.id, placement.pair, to);
      const slot = (next.slots || []).find((s) => s.index === to.slot);
      status.dataset.i18n = 'match.moved';
      status.dataset.i18nArgs = JSON.stringify({ pair: names.pairText(placement.pair), slot: slotText(slot) });
      status.textContent = t('match.moved', { pair: names.pairText(placement.pair), slot: slotText(slot) });
      status.dataset.state = 'moved';
      if (slot) day = slot.day;
      onMoved(next);
      return [];
    } catch (e) {
      if (ctx.handleAuthError(e)) return null;
      const conflicts = e.status === 409 && Array.isArray(e.body?.conflicts) ? e.body.conflicts : null;
      status.dataset.state = 'refused';
      if (conflicts) showConflicts(conflicts);
      else showError(gridError, e);
      draw(); // the card goes back where it was
      return conflicts || [];
    } finally {
      busy = false;
      el.removeAttribute('aria-busy');
    }
  }

  function openPicker(placement) {
    movePair = placement;
    const pair = names.pairs.get(placement.pair);
    moveTitle.textContent = t('match.moveTitle', { buyer: pair?.buyer_name || '', company: pair?.company_name || '' });
    replaceChildren(slotSelect, (run.slots || []).map((slot) => h('option', { value: String(slot.index), text: slotText(slot) })));
    slotSelect.value = String(placement.slot);
    replaceChildren(modeSelect, ['onsite', 'online'].map((mode) => h('option', { value: mode, text: t(`match.mode.${mode}`) })));
    modeSelect.value = placement.mode;
    replaceChildren(interpreterSelect,
      h('option', { value: '', text: t('match.interpreterAuto') }),
      [...names.interpreters].map(([id, name]) => h('option', { value: String(id), text: name })));
    interpreterSelect.value = '';
    moveConflicts.hidden = true;
    showError(moveError, null);
    dialog.showModal();
    slotSelect.focus();
  }

  async function submitPicker() {
    if (!movePair) return;
    const to = { slot: Number(slotSelect.value), mode: modeSelect.value };
    if (interpreterSelect.value) to.interpreter = Number(interpreterSelect.value);
    const conflicts = await move(movePair, to);
    if (conflicts && conflicts.length) {
      replaceChildren(moveConflicts, conflictList(conflicts, names));
      moveConflicts.hidden = false;
    } else if (conflicts) {
      dialog.close();
    } else if (!gridError.hidden) {
      showError(moveError, { code: gridError.dataset.code || 'unknown' });
    }
  }

  return {
    el,
    render(next, nextNames) {
      run = next;
      names = nextNames;
      if (dialog.open && run.published_ms) dialog.close();
      draw();
    },
    destroy() {
      if (dialog.open) dialog.close();
    },
  };
}
