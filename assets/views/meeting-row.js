// views/meeting-row.js — one meeting on the agenda (#/meetings): its times in the viewer's
// zone and the other side's, the other party, state, mode, interpreter, and what the viewer
// can do with it (accept, decline with a reason, propose or move to another slot, cancel,
// join the room, .ics, "did it happen?", the outcome form, an organizer's interpreter pick).
// The agenda (views/meetings.js) draws the rows and patches in the answers.

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { ERROR_CODES } from '../gen/protocol.js';
import { t } from '../i18n.js';
import { languageChips } from './common.js';
import { errorBox, showError } from './forms.js';
import {
  ACTION_ERRORS, CLOSED_STATES, companyZone, dayLabel, languagesText, noteOwnAction, otherParty, otherTimes,
  ownTime, readable, roomOpen, slotGrid, timeIn, when, zonesNote,
} from './meeting-parts.js';

/**
 * A meeting's row. `agenda` is the page that shows it: {ctx, me, side, tz, upsert(meeting),
 * load(), disposed()}; an action's answer is patched in through upsert, or the list fetched again.
 */
export function meetingRow(m, { now, inInbox, companies }, agenda) {
  const { ctx, me, side, tz } = agenda;
  const own = ownTime(m, me);
  const others = otherTimes(m, me);
  const party = otherParty(m, me, companies);
  const ended = now >= m.ends_ms;
  const panel = h('div', { class: 'meeting-panel', testid: 'meeting-panel', hidden: true });
  const actionError = errorBox('meeting-action-error');
  const row = h('li', {
    class: ['meeting-row', `is-${m.state}`, inInbox && 'is-inbox'], testid: 'meeting-row',
    dataset: { meetingId: String(m.id), state: m.state, awaiting: m.awaiting || '', mode: m.mode, companyId: String(m.company_id) },
  });

  /** Runs an action: busy buttons, errors shown in the row, the answer patched in. */
  async function act(button, fn) {
    const buttons = [...row.querySelectorAll('button')];
    const wasDisabled = buttons.map((b) => b.disabled);
    const restore = () => buttons.forEach((b, i) => { b.disabled = wasDisabled[i]; });
    for (const b of buttons) b.disabled = true;
    button?.setAttribute('aria-busy', 'true');
    showError(actionError, null);
    noteOwnAction(m.id);
    try {
      const result = await fn();
      if (agenda.disposed()) return;
      if (result && result.id) agenda.upsert(result);
      else agenda.load();
      restore(); // the same answer again leaves this row on screen
    } catch (e) {
      if (agenda.disposed() || ctx.handleAuthError(e)) return;
      restore();
      showError(actionError, readable(e, tz), ACTION_ERRORS);
      if (e.code === ERROR_CODES.SLOT_TAKEN || e.code === ERROR_CODES.CONFLICT) agenda.load();
    } finally {
      button?.removeAttribute('aria-busy');
    }
  }

  function openPanel(content) {
    if (!content) {
      panel.hidden = true;
      panel.replaceChildren();
      return;
    }
    replaceChildren(panel, content);
    panel.hidden = false;
  }

  function reasonForm(confirmKey, testid, fn) {
    const input = h('input', { type: 'text', class: 'reason-input', testid: `${testid}-reason`, maxLength: 500,
      i18nAttr: { placeholder: 'meet.reasonPlaceholder', 'aria-label': 'meet.reasonPlaceholder' } });
    const confirm = h('button', { type: 'button', class: 'btn btn-danger btn-small', testid: `${testid}-confirm`, i18n: confirmKey });
    confirm.addEventListener('click', () => act(confirm, () => fn(input.value.trim())));
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') confirm.click();
    });
    return h('div', { class: 'inline-form' }, input, confirm,
      h('button', { type: 'button', class: 'btn btn-ghost btn-small', i18n: 'meet.back', on: { click: () => openPanel(null) } }));
  }

  function slotPicker(titleKey, testid, fn) {
    const box = h('div', { class: 'slot-picker', testid }, h('p', { class: 'muted small', i18n: 'common.loading' }));
    const companyTz = (m.times || []).find((e) => e.who === 'company')?.timezone
      || companyZone(companies.get(m.company_id)?.country);
    const buyerTz = (m.times || []).find((e) => e.who === 'buyer')?.timezone;
    const otherTz = side === 'company' ? buyerTz : companyTz;
    (async () => {
      try {
        const data = await api.availability(m.company_id);
        if (agenda.disposed()) return;
        const nowMs = Date.now();
        const byId = new Map((data.slots || []).map((s) => [s.slot.id, s]));
        const grid = slotGrid({
          viewerTz: tz, otherTz, testid: `${testid}-grid`,
          cell: (slot) => {
            if (slot.id === m.slot_id) return { state: 'current', disabled: true, noteKey: 'meet.slotCurrent' };
            const free = byId.get(slot.id)?.free_seats ?? 0;
            if (slot.starts_ms <= nowMs) return { state: 'past', disabled: true };
            if (free <= 0) return { state: 'full', disabled: true, noteKey: 'meet.slotFull' };
            return { state: 'free' };
          },
          onPick: (slot, button) => act(button, () => fn(slot.id)),
        });
        grid.render((data.slots || []).map((s) => s.slot).filter((s) => s.ends_ms > nowMs));
        replaceChildren(box, h('p', { class: 'small', i18n: titleKey }), zonesNote(tz, otherTz), grid.el);
      } catch (e) {
        if (agenda.disposed() || ctx.handleAuthError(e)) return;
        replaceChildren(box);
        showError(actionError, e, ACTION_ERRORS);
      }
    })();
    return h('div', {}, box,
      h('button', { type: 'button', class: 'btn btn-ghost btn-small', i18n: 'meet.back', on: { click: () => openPanel(null) } }));
  }

  function outcomeForm() {
    const o = m.outcome || {};
    const num = (name, value) => h('input', { type: 'number', min: '0', step: '1', name, value: String(value ?? 0), testid: `outcome-${name}` });
    const consult = num('consult_usd', o.consult_usd);
    const contract = num('contract_usd', o.contract_usd);
    const mou = h('input', { type: 'checkbox', checked: Boolean(o.mou_signed), testid: 'outcome-mou' });
    const samples = h('input', { type: 'checkbox', checked: Boolean(o.samples_requested), testid: 'outcome-samples' });
    const notes = h('textarea', { value: o.notes || '', maxLength: 2000, rows: 3, testid: 'outcome-notes' });
    const rating = h('select', { testid: 'outcome-rating' },
      h('option', { value: '', i18n: 'meet.ratingNone' }),
      [1, 2, 3, 4, 5].map((n) => h('option', { value: String(n), text: '★'.repeat(n) })));
    rating.value = o.rating ? String(o.rating) : '';
    const save = h('button', { type: 'submit', class: 'btn btn-primary btn-small', testid: 'outcome-save', i18n: 'meet.outcomeSave' });
    const form = h('form', { class: 'outcome-form', testid: 'outcome-form' },
      h('label', { class: 'field' }, h('span', { class: 'field-label', i18n: 'meet.consultUsd' }), consult),
      h('label', { class: 'field' }, h('span', { class: 'field-label', i18n: 'meet.contractUsd' }), contract),
      h('label', { class: 'check' }, mou, h('span', { i18n: 'meet.mouSigned' })),
      h('label', { class: 'check' }, samples, h('span', { i18n: 'meet.samplesRequested' })),
      h('label', { class: 'field span-2' }, h('span', { class: 'field-label', i18n: 'meet.notes' }), notes),
      h('label', { class: 'field' }, h('span', { class: 'field-label', i18n: 'meet.rating' }), rating),
      h('div', { class: 'form-actions span-2' }, save,
        h('button', { type: 'button', class: 'btn btn-ghost btn-small', i18n: 'meet.back', on: { click: () => openPanel(null) } })));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const whole = (input) => Math.max(0, Math.round(Number(input.value) || 0));
      act(save, () => api.meetingOutcome(m.id, {
        consult_usd: whole(consult), contract_usd: whole(contract), mou_signed: mou.checked,
        samples_requested: samples.checked, notes: notes.value.trim() || null,
        rating: rating.value ? Number(rating.value) : null,
      }));
    });
    return form;
  }

  function interpreterPicker() {
    const list = h('ul', { class: 'interpreter-list', testid: 'interpreter-suggestions' }, h('li', { class: 'muted small', i18n: 'common.loading' }));
    (async () => {
      try {
        const data = await api.interpreterSuggestions(m.id);
        if (agenda.disposed()) return;
        const found = data.interpreters || [];
        replaceChildren(list, found.length
          ? found.map((option) => {
            // {interpreter: UserSummary, languages, meetings_that_day}
            const person = option.interpreter || option;
            const assign = h('button', { type: 'button', class: 'btn btn-primary btn-small', testid: 'interpreter-assign', i18n: 'meet.assign',
              dataset: { userId: String(person.id) } });
            assign.addEventListener('click', () => act(assign, () => api.assignInterpreter(m.id, person.id)));
            return h('li', { class: 'interpreter-item', testid: 'interpreter-option', dataset: { userId: String(person.id) } },
              h('span', { class: 'person-name', text: person.name }),
              languageChips(option.languages),
              Number.isFinite(option.meetings_that_day)
                ? h('span', { class: 'muted small', i18n: 'meet.thatDay', i18nArgs: { count: option.meetings_that_day } })
                : null,
              assign);
          })
          : h('li', { class: 'muted small', testid: 'interpreter-none', i18n: 'meet.noInterpreters' }));
      } catch (e) {
        if (agenda.disposed() || ctx.handleAuthError(e)) return;
        replaceChildren(list);
        showError(actionError, e, ACTION_ERRORS);
      }
    })();
    return h('div', {}, h('p', { class: 'small', i18n: 'meet.pickInterpreter', i18nArgs: { langs: languagesText(m.interpreter_languages) } }), list,
      h('button', { type: 'button', class: 'btn btn-ghost btn-small', i18n: 'meet.back', on: { click: () => openPanel(null) } }));
  }

  // -- what can be done, by state and side
  const buttons = [];
  const button = (key, testid, onClick, cls = 'btn-ghost') => {
    const b = h('button', { type: 'button', class: ['btn', 'btn-small', cls], testid, i18n: key });
    b.addEventListener('click', () => onClick(b));
    buttons.push(b);
    return b;
  };
  const onSide = side === 'buyer' || side === 'company';
  const organizer = me.role === 'organizer';
  if (m.state === 'requested') {
    if (onSide && m.awaiting === side) {
      button('meet.accept', 'meeting-accept', (b) => act(b, () => api.acceptMeeting(m.id)), 'btn-primary');
      button('meet.decline', 'meeting-decline', () => openPanel(reasonForm('meet.declineConfirm', 'meeting-decline', (reason) => api.declineMeeting(m.id, reason))));
      button('meet.propose', 'meeting-propose', () => openPanel(slotPicker('meet.proposeHint', 'meeting-propose-picker', (slotId) => api.proposeSlot(m.id, slotId))));
    } else if (onSide || organizer) {
      button(organizer ? 'meet.cancel' : 'meet.cancelRequest', 'meeting-cancel', () => openPanel(reasonForm('meet.cancelConfirm', 'meeting-cancel', (reason) => api.cancelMeeting(m.id, reason))));
    }
  } else if (m.state === 'confirmed') {
    if (m.mode === 'online' && !ended) {
      if (m.video_url) {
        buttons.push(h('a', { class: 'btn btn-primary btn-small', testid: 'meeting-join', href: `#/room/${m.id}`, i18n: 'meet.join' }));
      } else if (roomOpen(m, now)) {
        buttons.push(h('a', { class: 'btn btn-primary btn-small', testid: 'meeting-join', href: `#/room/${m.id}`, i18n: 'meet.join' }));
      } else {
        buttons.push(h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'meeting-join', disabled: true,
          i18n: 'meet.join', i18nAttr: { title: 'meet.joinLater' } }));
      }
    }
    if (!ended && (onSide || organizer)) {
      button('meet.reschedule', 'meeting-reschedule', () => openPanel(slotPicker('meet.rescheduleHint', 'meeting-reschedule-picker', (slotId) => api.rescheduleMeeting(m.id, slotId))));
      button('meet.cancel', 'meeting-cancel', () => openPanel(reasonForm('meet.cancelConfirm', 'meeting-cancel', (reason) => api.cancelMeeting(m.id, reason))));
    }
    if (side === 'company' && ended) {
      button(m.outcome ? 'meet.outcomeEdit' : 'meet.outcome', 'meeting-outcome', () => openPanel(outcomeForm()));
    }
  }
  if (organizer && (m.state === 'requested' || m.state === 'confirmed') && !ended) {
    if ((m.interpreter_languages || []).length && !m.interpreter) {
      button('meet.assignInterpreter', 'meeting-assign', () => openPanel(interpreterPicker()), 'btn-primary');
    } else if (m.interpreter) {
      button('meet.unassignInterpreter', 'meeting-unassign', (b) => act(b, () => api.unassignInterpreter(m.id)));
    }
  }
  if (m.state === 'confirmed' || m.state === 'requested') {
    buttons.push(h('a', { class: 'btn btn-ghost btn-small', testid: 'meeting-ics', href: api.meetingIcsUrl(m.id),
      attrs: { download: `meeting-${m.id}.ics` }, i18n: 'meet.ics' }));
  }

  // -- "Did it happen?" after the end
  let report = null;
  if (m.state === 'confirmed' && ended && onSide) {
    const said = side === 'buyer' ? m.attendance?.buyer_says_held : m.attendance?.company_says_held;
    const yes = h('button', { type: 'button', class: ['btn', 'btn-small', said === true ? 'btn-primary' : 'btn-ghost'], testid: 'meeting-held-yes',
      i18n: 'meet.heldYes', attrs: { 'aria-pressed': String(said === true) } });
    const no = h('button', { type: 'button', class: ['btn', 'btn-small', said === false ? 'btn-primary' : 'btn-ghost'], testid: 'meeting-held-no',
      i18n: 'meet.heldNo', attrs: { 'aria-pressed': String(said === false) } });
    yes.addEventListener('click', () => act(yes, () => api.reportMeeting(m.id, true)));
    no.addEventListener('click', () => act(no, () => api.reportMeeting(m.id, false)));
    report = h('div', { class: 'meeting-report', testid: 'meeting-report', dataset: { said: said === undefined || said === null ? '' : String(said) } },
      h('span', { class: 'small', i18n: 'meet.didItHappen' }), yes, no);
  }

  // -- the row
  const stateKey = m.state === 'requested'
    ? (m.awaiting === side ? 'meet.state.awaitingYou' : 'meet.state.requested')
    : `meet.state.${m.state}`;
  const where = m.mode === 'online'
    ? h('span', { class: 'meeting-mode is-online', testid: 'meeting-mode', i18n: 'meet.modeOnline' })
    : h('span', { class: 'meeting-mode is-onsite', testid: 'meeting-mode' },
      h('span', { i18n: 'meet.modeOnsite' }),
      m.table ? h('span', { testid: 'meeting-table', text: ` · ${t('meet.table', { hall: m.table.hall_name, number: m.table.number })}` }) : null);
  let interp = null;
  if (m.interpreter) {
    interp = h('span', { class: 'meeting-interp', testid: 'meeting-interpreter', i18n: 'meet.interpreterIs', i18nArgs: { name: m.interpreter.name } });
  } else if ((m.interpreter_languages || []).length) {
    interp = h('span', { class: 'meeting-interp is-missing', testid: 'meeting-interpreter', i18n: 'meet.interpreterNeeded',
      i18nArgs: { langs: languagesText(m.interpreter_languages) } });
  }
  let note = null;
  if (m.state === 'requested') {
    note = m.awaiting === side
      ? h('p', { class: 'small meeting-note', i18n: 'meet.answerBy', i18nArgs: { time: when(m.expires_ms, tz) } })
      : h('p', { class: 'small muted meeting-note', i18n: onSide ? 'meet.waitingForThem' : 'meet.waitingFor',
        i18nArgs: { side: t(`meet.side.${m.awaiting}`), time: when(m.expires_ms, tz) } });
  } else if (m.state === 'declined' && m.decline_reason) {
    note = h('p', { class: 'small meeting-note', testid: 'meeting-reason', i18n: 'meet.declinedBecause', i18nArgs: { reason: m.decline_reason } });
  }
  const staffLine = side !== 'company' && m.staff && side !== 'buyer'
    ? h('span', { class: 'small muted', i18n: 'meet.withStaff', i18nArgs: { name: m.staff.name } })
    : null;

  replaceChildren(row,
    h('div', { class: 'meeting-when' },
      inInbox || CLOSED_STATES.has(m.state) ? h('span', { class: 'meeting-day-inline small', text: dayLabel(m.starts_ms, tz) }) : null,
      h('strong', { class: 'meeting-time', testid: 'meeting-time', dataset: { tz: own.timezone }, text: `${own.start}–${own.end}` }),
      others.map((entry) => timeIn(entry))),
    h('div', { class: 'meeting-main' },
      h('div', { class: 'meeting-head' },
        h('strong', { class: 'meeting-with', testid: 'meeting-with', text: party.line }),
        h('span', { class: ['badge', 'meeting-state', `state-${m.state}`, m.state === 'requested' && m.awaiting === side && 'is-mine'],
          testid: 'meeting-state', dataset: { state: m.state }, i18n: stateKey })),
      h('p', { class: 'meeting-meta small' },
        where,
        party.sub ? h('span', { class: 'meeting-sub', text: side === 'buyer' ? t('meet.withStaffName', { name: party.sub }) : party.sub }) : null,
        staffLine,
        interp,
        m.sequence > 0 && m.state !== 'cancelled' ? h('span', { class: 'muted', i18n: 'meet.moved', i18nArgs: { count: m.sequence } }) : null),
      m.message ? h('p', { class: 'meeting-message small', testid: 'meeting-message', text: m.message }) : null,
      note,
      report,
      buttons.length ? h('div', { class: 'meeting-actions', testid: 'meeting-actions' }, buttons) : null,
      actionError,
      panel));
  return row;
}
