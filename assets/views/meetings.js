// views/meetings.js — meeting scheduling (docs/meetings.md): the #/meetings route, which
// hands its sub-pages to their own modules, and the agenda itself:
//
//   #/meetings                       the agenda: requests waiting for the viewer first (with a
//                                    count), then their meetings by fair day, each in the
//                                    viewer's own zone with the other side's clock beside it;
//                                    answers, moves, cancel, .ics, the room, after-the-fact
//                                    report and outcome; organizers assign interpreters; the
//                                    private calendar feed
//                                    (rows: meeting-row.js; the feed: meeting-feed.js)
//   #/meetings/book/{company_id}     a buyer books: the company's slot grid, then the request
//                                    (meeting-book.js)
//   #/meetings/availability[/{id}]   exhibitor staff (organizers: any company): offered slots
//                                    and seats (meeting-availability.js)
//   #/meetings/busy                  buyers and staff: the slots they cannot take
//                                    (meeting-busy.js)
//
// The agenda stays live: meeting_updated and meeting_reminder events arrive in the viewer's
// personal room (user:{id}) and patch the list in place (rows whose meeting did not change
// keep their half-filled forms). After a reconnect the list is fetched again; interpreters
// and organizers (who get no meeting_updated) fetch it every minute.

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { EVENTS, ROOM_KINDS, roomName } from '../gen/protocol.js';
import { onLangChange, t } from '../i18n.js';
import { pageError } from './common.js';
import { mountAvailability } from './meeting-availability.js';
import { mountBooking } from './meeting-book.js';
import { mountBusy } from './meeting-busy.js';
import { calendarCard } from './meeting-feed.js';
import {
  cityOf, CLOSED_STATES, companyMap, dayKey, dayLabel, mySide, myZone, ROOM_OPENS_BEFORE_MS,
} from './meeting-parts.js';
import { meetingRow } from './meeting-row.js';

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
    const el = meetingRow(m, { now, inInbox, companies }, agenda);
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

  /** What a row needs of its page. */
  const agenda = { ctx, me, side, tz, upsert, load, disposed: () => disposed };

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
