// views/meetings.js — meeting scheduling (docs/meetings.md):
//
//   #/meetings                       the agenda: requests waiting for the viewer first (with a
//                                    count), then their meetings by fair day, each in the
//                                    viewer's own zone with the other side's clock beside it;
//                                    answers, moves, cancel, .ics, the room, after-the-fact
//                                    report and outcome; organizers assign interpreters; the
//                                    private calendar feed
//   #/meetings/book/{company_id}     a buyer books: the company's slot grid, then the request
//   #/meetings/availability[/{id}]   exhibitor staff (organizers: any company): offered slots
//                                    and seats
//   #/meetings/busy                  buyers and staff: the slots they cannot take
//
// The agenda stays live: meeting_updated and meeting_reminder events arrive in the viewer's
// personal room (user:{id}) and patch the list in place (rows whose meeting did not change
// keep their half-filled forms). After a reconnect the list is fetched again; interpreters
// and organizers (who get no meeting_updated) fetch it every minute.

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { ERROR_CODES, EVENTS, ROOM_KINDS, roomName } from '../gen/protocol.js';
import { languageName, onLangChange, t } from '../i18n.js';
import { forbiddenPage, languageChips, pageError } from './common.js';
import { errorBox, showError } from './forms.js';
import {
  cityOf, INTERPRETER_LANGUAGES, ROOM_OPENS_BEFORE_MS, clock, companyMap, companyZone, dayKey, dayLabel, languagesText, mySide,
  myZone, noteOwnAction, otherParty, otherTimes, ownTime, roomOpen, slotGrid, timeIn, zonesNote,
} from './meeting-parts.js';

/** Error codes of meeting calls with their own wording. */
const ACTION_ERRORS = { [ERROR_CODES.SLOT_TAKEN]: 'meet.slotTaken', [ERROR_CODES.CONFLICT]: 'meet.conflict', [ERROR_CODES.FORBIDDEN]: 'meet.forbidden', [ERROR_CODES.NOT_FOUND]: 'meet.notFound' };
const CLOSED_STATES = new Set(['declined', 'cancelled', 'expired']);

export function mountMeetings(root, ctx, params, arg) {
  const [mode, rest] = String(arg || '').split('/');
  if (!mode) return mountAgenda(root, ctx, params);
  if (mode === 'book' && rest) return mountBooking(root, ctx, Number(rest), params);
  if (mode === 'availability') return mountAvailability(root, ctx, rest ? Number(rest) : ctx.session.user.company_id);
  if (mode === 'busy' && !rest) return mountBusy(root, ctx);
  root.append(h('main', { class: 'page narrow' },
    h('div', { class: 'card', testid: 'not-found' },
      h('h1', { i18n: 'notfound.title' }),
      h('a', { href: '#/meetings', class: 'btn btn-primary', i18n: 'meet.back' }))));
  return null;
}

/**
 * A refusal as the viewer should read it: `slot_taken` carries the next free slots
 * (`next_slots`), shown here on the viewer's own clock instead of the server's UTC list
 * ({message}, translated); the server's English reason goes as {detail} (English UI only).
 */
function readable(error, tz) {
  if (error?.code !== ERROR_CODES.SLOT_TAKEN) return error;
  const why = String(error.message || '').split(';')[0].trim();
  const times = (error.nextSlots || []).slice(0, 4).map((slot) => when(slot.starts_ms, tz));
  const next = times.length ? t('meet.nextFree', { times: times.join(', ') }) : '';
  return { code: error.code, status: error.status, detail: why && `${why.charAt(0).toUpperCase()}${why.slice(1)}.`, message: next };
}

/** "Sat, Nov 28 · 10:00" in tz. */
function when(ms, tz) {
  return `${dayLabel(ms, tz)} · ${clock(ms, tz)}`;
}

// ================================================================ the agenda

function mountAgenda(root, ctx, params) {
  const { session } = ctx;
  const me = session.user;
  const side = mySide(me);
  const tz = myZone(me);
  const highlight = Number(params.get('new')) || null;
  const meetings = new Map(); // id → Meeting
  const rows = new Map(); // id → {el, sig}
  let companies = new Map();
  let loaded = false;
  let disposed = false;
  let seq = 0;

  const error = pageError('meetings-error', () => load());
  const inboxList = h('ul', { class: 'meeting-list', testid: 'meeting-inbox-list' });
  const inboxCount = h('span', { class: 'count-pill', testid: 'meeting-inbox-count', text: '0' });
  const inboxEl = h('section', { class: 'card meeting-inbox', testid: 'meeting-inbox', dataset: { count: '0' } },
    h('div', { class: 'section-head' }, h('h2', { i18n: 'meet.inboxTitle' }), inboxCount),
    inboxList);
  const agendaEl = h('div', { class: 'meeting-days', testid: 'meeting-agenda' }, h('p', { class: 'muted', i18n: 'common.loading' }));
  const closedList = h('ul', { class: 'meeting-list' });
  const closedSummary = h('summary', {});
  const closedEl = h('details', { class: 'card meeting-closed', testid: 'meeting-closed', hidden: true }, closedSummary, closedList);

  const actions = h('span', { class: 'page-top-actions' },
    side === 'buyer' ? h('a', { class: 'btn btn-primary btn-small', href: '#/lobby', testid: 'meetings-find', i18n: 'meet.findExhibitors' }) : null,
    side === 'company' && me.company_id
      ? h('a', { class: 'btn btn-ghost btn-small', href: '#/meetings/availability', testid: 'meetings-availability', i18n: 'meet.myAvailability' })
      : null,
    side === 'buyer' || side === 'company'
      ? h('a', { class: 'btn btn-ghost btn-small', href: '#/meetings/busy', testid: 'meetings-busy', i18n: 'meet.myBusy' })
      : null);

  const page = h('main', { class: 'page meetings-page', testid: 'meetings', dataset: { role: me.role } },
    h('div', { class: 'page-top' },
      h('div', {},
        h('h1', { i18n: side === 'interpreter' ? 'meet.interpreterTitle' : me.role === 'organizer' ? 'meet.allTitle' : 'meet.title' }),
        side
          ? h('p', { class: 'muted', testid: 'meetings-zone', i18n: 'meet.inYourZone', i18nArgs: { city: cityOf(tz) } })
          : h('p', { class: 'muted', testid: 'meetings-zone', i18n: 'meet.organizerZones' })),
      actions),
    error.el,
    h('div', { class: 'meetings-layout' },
      h('div', { class: 'meetings-main' },
        side === 'buyer' || side === 'company' ? inboxEl : null,
        h('section', { class: 'meeting-agenda-section' },
          h('h2', { class: 'section-title', i18n: 'meet.agendaTitle' }),
          agendaEl),
        closedEl),
      h('aside', { class: 'meetings-side' }, calendarCard(ctx))));
  root.append(page);

  // ------------------------------------------------------------ data
  async function load() {
    const mine = ++seq;
    try {
      const [data, map] = await Promise.all([api.meetings(), companyMap().catch(() => companies)]);
      if (disposed || mine !== seq) return;
      error.hide();
      companies = map;
      meetings.clear();
      for (const m of data.meetings || []) meetings.set(m.id, m);
      loaded = true;
      render();
    } catch (e) {
      if (disposed || mine !== seq) return;
      if (ctx.handleAuthError(e)) return;
      error.show(e);
      if (!loaded) replaceChildren(agendaEl);
    }
  }

  function upsert(meeting) {
    if (!meeting?.id) return;
    meetings.set(meeting.id, meeting);
    if (loaded) render();
  }

  // ------------------------------------------------------------ rendering
  function isInbox(m) {
    return m.state === 'requested' && side && m.awaiting === side;
  }

  function phase(m, now) {
    if (now >= m.ends_ms) return 'after';
    if (now >= m.starts_ms - ROOM_OPENS_BEFORE_MS) return 'open';
    return 'before';
  }

  function rowFor(m, now, inInbox) {
    const sig = JSON.stringify([m, phase(m, now), inInbox, companies.has(m.company_id)]);
    const known = rows.get(m.id);
    if (known && known.sig === sig) return known.el;
    const el = meetingRow(m, { now, inInbox });
    if (known) {
      el.classList.add('flash');
      known.el.replaceWith(el);
    }
    if (m.id === highlight) el.classList.add('is-new');
    rows.set(m.id, { el, sig });
    return el;
  }

  function render() {
    const now = Date.now();
    const all = [...meetings.values()].sort((a, b) => a.starts_ms - b.starts_ms || a.id - b.id);
    const inbox = all.filter(isInbox);
    const closed = all.filter((m) => CLOSED_STATES.has(m.state));
    const agenda = all.filter((m) => !isInbox(m) && !CLOSED_STATES.has(m.state));

    inboxEl.dataset.count = String(inbox.length);
    inboxCount.textContent = String(inbox.length);
    inboxCount.classList.toggle('muted-pill', inbox.length === 0);
    replaceChildren(inboxList, inbox.length
      ? inbox.map((m) => rowFor(m, now, true))
      : h('li', { class: 'muted small', testid: 'meeting-inbox-empty', i18n: 'meet.inboxEmpty' }));

    const days = new Map();
    for (const m of agenda) {
      const key = dayKey(m.starts_ms, tz);
      if (!days.has(key)) days.set(key, []);
      days.get(key).push(m);
    }
    agendaEl.replaceChildren();
    if (!days.size) {
      agendaEl.append(h('p', { class: 'empty-state', testid: 'meeting-agenda-empty',
        i18n: side === 'buyer' ? 'meet.emptyBuyer' : side === 'interpreter' ? 'meet.emptyInterpreter' : 'meet.empty' }));
    }
    for (const [key, list] of days) {
      agendaEl.append(h('section', { class: 'meeting-day', testid: 'meeting-day', dataset: { day: key } },
        h('h3', { class: 'meeting-day-title', text: dayLabel(list[0].starts_ms, tz) }),
        h('ul', { class: 'meeting-list' }, list.map((m) => rowFor(m, now, false)))));
    }

    closedEl.hidden = closed.length === 0;
    closedSummary.dataset.i18n = 'meet.closedTitle';
    closedSummary.dataset.i18nArgs = JSON.stringify({ count: closed.length });
    closedSummary.textContent = t('meet.closedTitle', { count: closed.length });
    replaceChildren(closedList, closed.map((m) => rowFor(m, now, false)));

    for (const id of [...rows.keys()]) if (!meetings.has(id)) rows.delete(id);
    page.dataset.loaded = String(Number(page.dataset.loaded || 0) + 1);
    page.dataset.count = String(meetings.size);
  }

  // ------------------------------------------------------------ one meeting
  function meetingRow(m, { now, inInbox }) {
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
        if (disposed) return;
        if (result && result.id) upsert(result);
        else load();
        restore(); // the same answer again leaves this row on screen
      } catch (e) {
        if (disposed || ctx.handleAuthError(e)) return;
        restore();
        showError(actionError, readable(e, tz), ACTION_ERRORS);
        if (e.code === ERROR_CODES.SLOT_TAKEN || e.code === ERROR_CODES.CONFLICT) load();
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
          if (disposed) return;
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
          if (disposed || ctx.handleAuthError(e)) return;
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
          if (disposed) return;
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
          if (disposed || ctx.handleAuthError(e)) return;
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

  // ------------------------------------------------------------ live
  const offEvent = session.hub.on('event', (frame) => {
    if (frame?.room !== roomName(ROOM_KINDS.USER, me.id)) return;
    const kind = frame.event?.kind;
    if (kind === EVENTS.MEETING_UPDATED || kind === EVENTS.MEETING_REMINDER) upsert(frame.event.meeting);
  });
  const offWelcome = session.hub.on('welcome', () => load());
  // The join button opens 10 minutes before the start; ended meetings get their report.
  // meeting_updated reaches the buyer and the company's staff only: interpreters and
  // organizers fetch the list again now and then.
  let ticks = 0;
  const tick = setInterval(() => {
    ticks += 1;
    if (!side || side === 'interpreter') {
      if (ticks % 2 === 0) load();
    } else if (loaded) {
      render();
    }
  }, 30_000);
  const offLang = onLangChange(() => {
    rows.clear();
    if (loaded) render();
  });
  load();

  return () => {
    disposed = true;
    clearInterval(tick);
    offEvent();
    offWelcome();
    offLang();
  };
}

/** The private calendar feed: its URL with a copy button, and a new link on demand. */
function calendarCard(ctx) {
  const url = h('input', { type: 'text', readOnly: true, class: 'feed-url', testid: 'calendar-url', i18nAttr: { 'aria-label': 'meet.feedTitle' } });
  const status = h('span', { class: 'saved-note small', testid: 'calendar-status', attrs: { role: 'status' }, hidden: true });
  const error = errorBox('calendar-error');
  const copy = h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'calendar-copy', i18n: 'meet.copy', disabled: true });
  const renew = h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'calendar-new', i18n: 'meet.newLink' });
  const confirmBox = h('div', { class: 'feed-confirm', hidden: true },
    h('p', { class: 'small', i18n: 'meet.newLinkWarning' }),
    h('button', { type: 'button', class: 'btn btn-danger btn-small', testid: 'calendar-new-confirm', i18n: 'meet.newLinkConfirm',
      on: { click: () => make() } }),
    h('button', { type: 'button', class: 'btn btn-ghost btn-small', i18n: 'meet.back', on: { click: () => { confirmBox.hidden = true; } } }));

  function flashStatus(key) {
    status.dataset.i18n = key;
    status.textContent = t(key);
    status.hidden = false;
    clearTimeout(status.timer);
    status.timer = setTimeout(() => { status.hidden = true; }, 4000);
  }

  function show(data) {
    url.value = data?.url ? new URL(data.url, location.href).href : '';
    copy.disabled = !url.value;
  }

  async function loadFeed() {
    showError(error, null);
    try {
      show(await api.calendarFeed());
    } catch (e) {
      if (ctx.handleAuthError(e)) return;
      showError(error, e);
    }
  }

  async function make() {
    confirmBox.hidden = true;
    renew.disabled = true;
    showError(error, null);
    try {
      show(await api.newCalendarFeed());
      flashStatus('meet.newLinkDone');
    } catch (e) {
      if (!ctx.handleAuthError(e)) showError(error, e);
    } finally {
      renew.disabled = false;
    }
  }

  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(url.value);
    } catch {
      url.select();
      document.execCommand?.('copy');
    }
    flashStatus('meet.copied');
  });
  renew.addEventListener('click', () => { confirmBox.hidden = false; });
  url.addEventListener('focus', () => url.select());
  loadFeed();

  return h('section', { class: 'card feed-card', testid: 'calendar-feed' },
    h('h2', { i18n: 'meet.feedTitle' }),
    h('p', { class: 'muted small', i18n: 'meet.feedHint' }),
    url,
    h('div', { class: 'feed-actions' }, copy, renew, status),
    confirmBox,
    error);
}

// ================================================================ booking (buyers)

function mountBooking(root, ctx, companyId, params = new URLSearchParams()) {
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
        h('input', { type: 'checkbox', value: String(p.id), dataset: { productId: String(p.id) } }),
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

// ================================================================ availability (the company)

function mountAvailability(root, ctx, companyId) {
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

// ================================================================ busy slots (buyers, staff)

function mountBusy(root, ctx) {
  const me = ctx.session.user;
  if (me.role !== 'buyer' && me.role !== 'exhibitor') {
    forbiddenPage(root, 'meet.onlyBuyersStaff');
    return null;
  }
  const tz = myZone(me);
  let disposed = false;
  let all = [];
  let busy = new Set();
  const error = pageError('busy-error', () => load());
  const gridBox = h('div', {}, h('p', { class: 'muted', i18n: 'common.loading' }));
  const saved = h('span', { class: 'saved-note', testid: 'busy-saved', attrs: { role: 'status' }, hidden: true });
  const saveError = errorBox('busy-save-error');
  const save = h('button', { type: 'button', class: 'btn btn-primary', testid: 'busy-save', i18n: 'meet.save' });

  function render() {
    const g = slotGrid({
      viewerTz: tz, otherTz: null, testid: 'busy-grid',
      cell: (slot) => {
        const isBusy = busy.has(slot.id);
        return { state: isBusy ? 'busy' : 'free', pressed: isBusy, disabled: slot.starts_ms <= Date.now(),
          noteKey: isBusy ? 'meet.slotBusy' : 'meet.slotAvailable' };
      },
      onPick: (slot) => {
        if (busy.has(slot.id)) busy.delete(slot.id);
        else busy.add(slot.id);
        saved.hidden = true;
        render();
      },
    });
    g.render(all.filter((s) => s.ends_ms > Date.now()));
    replaceChildren(gridBox, g.el);
  }

  async function load() {
    error.hide();
    try {
      const [slotData, busyData] = await Promise.all([api.meetingSlots(), api.myBusy()]);
      if (disposed) return;
      all = slotData.slots || [];
      busy = new Set(busyData.slot_ids || []);
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
      const data = await api.setMyBusy([...busy]);
      if (disposed) return;
      if (data?.slot_ids) busy = new Set(data.slot_ids);
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

  root.append(h('main', { class: 'page busy-page', testid: 'busy' },
    h('div', { class: 'page-top' },
      h('div', {},
        h('a', { class: 'back-link', href: '#/meetings', i18n: 'meet.backToMeetings' }),
        h('h1', { i18n: 'meet.myBusy' }),
        h('p', { class: 'muted', i18n: 'meet.busyHint' }))),
    error.el,
    h('section', { class: 'card' }, zonesNote(tz, null), gridBox, saveError, h('div', { class: 'form-actions' }, save, saved))));
  const offLang = onLangChange(() => { if (all.length) render(); });
  load();
  return () => {
    disposed = true;
    offLang();
  };
}
