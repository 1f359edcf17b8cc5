// views/meeting-parts.js — pieces shared by the meetings pages (#/meetings, #/room) and the
// app's meeting notifications: which side of a meeting the viewer is on, clock times in any
// IANA zone, the company's home zone, the other party's name, and the slot grid (one column
// per fair day, every slot in the viewer's zone with the company's local time beside it).

import { api } from '../api.js';
import { h } from '../dom.js';
import { ERROR_CODES, LANGUAGES, LIMITS } from '../gen/protocol.js';
import { countryName, formatDate, languageName, t, zoneCity } from '../i18n.js';
import { viewerTimeZone } from './common.js';

/** The languages a meeting can ask an interpreter for: the fair's. */
export const INTERPRETER_LANGUAGES = LANGUAGES;

/** From this long before the start, the video room opens. */
export const ROOM_OPENS_BEFORE_MS = LIMITS.MEETING_ROOM_OPENS_MS;

/** Error codes of meeting calls with their own wording. */
export const ACTION_ERRORS = { [ERROR_CODES.SLOT_TAKEN]: 'meet.slotTaken', [ERROR_CODES.CONFLICT]: 'meet.conflict', [ERROR_CODES.FORBIDDEN]: 'meet.forbidden', [ERROR_CODES.NOT_FOUND]: 'meet.notFound' };
/** A meeting in one of these states is over without having taken place. */
export const CLOSED_STATES = new Set(['declined', 'cancelled', 'expired']);

/**
 * A refusal as the viewer should read it: `slot_taken` carries the next free slots
 * (`next_slots`), shown here on the viewer's own clock instead of the server's UTC list
 * ({message}, translated); the server's English reason goes as {detail} (English UI only).
 */
export function readable(error, tz) {
  if (error?.code !== ERROR_CODES.SLOT_TAKEN) return error;
  const why = String(error.message || '').split(';')[0].trim();
  const times = (error.nextSlots || []).slice(0, 4).map((slot) => when(slot.starts_ms, tz));
  const next = times.length ? t('meet.nextFree', { times: times.join(', ') }) : '';
  return { code: error.code, status: error.status, detail: why && `${why.charAt(0).toUpperCase()}${why.slice(1)}.`, message: next };
}

/** "Sat, Nov 28 · 10:00" in tz. */
export function when(ms, tz) {
  return `${dayLabel(ms, tz)} · ${clock(ms, tz)}`;
}


const HOME_ZONES = { KR: 'Asia/Seoul', CN: 'Asia/Shanghai', JP: 'Asia/Tokyo', MN: 'Asia/Ulaanbaatar', RU: 'Asia/Vladivostok' };

/** A company's home time zone (by its country), until staff with their own zone is named. */
export function companyZone(country) {
  return HOME_ZONES[String(country || '').toUpperCase()] || 'Asia/Seoul';
}

/** The viewer's side of a meeting: 'buyer', 'company', 'interpreter', or null (organizers). */
export function mySide(me) {
  switch (me?.role) {
    case 'buyer': return 'buyer';
    case 'exhibitor': return 'company';
    case 'interpreter': return 'interpreter';
    default: return null;
  }
}

/** The viewer's own time zone: their profile's, else the browser's. */
export function myZone(me) {
  return validZone(me?.timezone) || viewerTimeZone();
}

function validZone(tz) {
  if (!tz) return null;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz;
  } catch {
    return null;
  }
}

/** "Asia/Ulaanbaatar" → its city in the UI language: "Ulaanbaatar", "Улаанбаатар", "울란바토르". */
export function cityOf(tz) {
  return zoneCity(tz);
}

function format(ms, tz, options) {
  try {
    return formatDate(ms, { ...options, timeZone: validZone(tz) || undefined });
  } catch {
    return formatDate(ms, options);
  }
}

/** "09:00" on the clock of tz. */
export function clock(ms, tz) {
  return format(ms, tz, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

/** "Sat, Nov 28" in tz. */
export function dayLabel(ms, tz) {
  return format(ms, tz, { weekday: 'short', month: 'short', day: 'numeric' });
}

/** "2026-11-28": the date in tz (a grouping key). */
export function dayKey(ms, tz) {
  try {
    return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: validZone(tz) || undefined })
      .format(new Date(ms));
  } catch {
    return new Date(ms).toISOString().slice(0, 10);
  }
}

/** "09:00" from an RFC 3339 local time such as 2026-11-28T09:00:00+10:00. */
export function localClock(rfc3339) {
  const match = /T(\d{2}:\d{2})/.exec(String(rfc3339 || ''));
  return match ? match[1] : '';
}

/**
 * The meeting on the viewer's clock: the `times` entry of their side (the first for
 * organizers), or one made from starts_ms in their zone when the server sent none.
 */
export function ownTime(meeting, me) {
  const times = meeting.times || [];
  const side = mySide(me);
  const entry = (side && times.find((e) => e.who === side)) || (side ? null : times[0]);
  if (entry) {
    return { who: entry.who, timezone: entry.timezone, city: cityOf(entry.timezone) || entry.city,
      start: localClock(entry.starts_local) || clock(meeting.starts_ms, entry.timezone),
      end: localClock(entry.ends_local) || clock(meeting.ends_ms, entry.timezone) };
  }
  const tz = myZone(me);
  return { who: side || 'viewer', timezone: tz, city: cityOf(tz), start: clock(meeting.starts_ms, tz), end: clock(meeting.ends_ms, tz) };
}

/** The other sides' clocks: a buyer sees the company's, staff the buyer's, interpreters both. */
export function otherTimes(meeting, me) {
  const own = ownTime(meeting, me);
  const side = mySide(me);
  const wanted = side === 'buyer' ? ['company'] : side === 'company' ? ['buyer'] : ['buyer', 'company', 'interpreter'];
  return (meeting.times || [])
    .filter((e) => e.who !== own.who && wanted.includes(e.who) && e.timezone !== own.timezone)
    .map((e) => ({ who: e.who, timezone: e.timezone, city: cityOf(e.timezone) || e.city, label: e.label,
      start: localClock(e.starts_local) || clock(meeting.starts_ms, e.timezone) }));
}

/** "09:00 in Vladivostok", in the UI language (the server's label as the tooltip). */
export function timeIn(entry) {
  return h('span', { class: 'time-in', testid: 'meeting-other-time', dataset: { who: entry.who, tz: entry.timezone },
    title: entry.label || '', i18n: 'meet.timeIn', i18nArgs: { time: entry.start, city: entry.city } });
}

// ---------------------------------------------------------------- companies by id

let companiesPromise = null;

/** Every company by id (name and country), fetched once per page load. */
export function companyMap() {
  if (!companiesPromise) {
    companiesPromise = api.companies().then(
      (data) => new Map((data.companies || []).map((c) => [c.id, c])),
      (error) => {
        companiesPromise = null;
        throw error;
      },
    );
  }
  return companiesPromise;
}

/** Who the viewer meets: the company for a buyer, the buyer for the company's side. */
export function otherParty(meeting, me, companies) {
  const company = companies?.get(meeting.company_id);
  const companyName = company?.name || meeting.staff?.company_name || t('meet.companyN', { id: meeting.company_id });
  const buyer = meeting.buyer || {};
  const buyerLine = [buyer.name, buyer.company_name, countryName(buyer.country)].filter(Boolean).join(' · ');
  const side = mySide(me);
  if (side === 'buyer') {
    return { name: companyName, line: companyName, sub: meeting.staff?.name || '' };
  }
  if (side === 'company') return { name: buyer.name || '', line: buyerLine, sub: '' };
  // Interpreters and organizers: both sides.
  return { name: `${buyer.name || ''} — ${companyName}`, line: buyerLine, sub: companyName };
}

/** The meeting's interpreter languages as "KO, RU". */
export function languagesText(tags) {
  return (tags || []).map((tag) => tag.toUpperCase()).join(', ');
}

export function languageLabel(tag) {
  return `${languageName(tag)} (${tag.toUpperCase()})`;
}

/** Is the video room open now (10 minutes before the start until the end)? */
export function roomOpen(meeting, now = Date.now()) {
  return meeting.mode === 'online' && meeting.state === 'confirmed'
    && now >= meeting.starts_ms - ROOM_OPENS_BEFORE_MS && now < meeting.ends_ms;
}

// ---------------------------------------------------------------- own actions

const recent = new Map(); // meeting id → when this tab changed it

/** Remembers that this tab just changed a meeting (its echo needs no notification). */
export function noteOwnAction(meetingId) {
  recent.set(meetingId, Date.now());
}

export function isOwnRecentAction(meetingId, withinMs = 8000) {
  const at = recent.get(meetingId);
  return at !== undefined && Date.now() - at < withinMs;
}

// ---------------------------------------------------------------- the slot grid

/**
 * Slots laid out per fair day, each in the viewer's zone with the other zone's clock beside.
 *
 *   const grid = slotGrid({ viewerTz, otherTz, cell: (slot) => ({state, disabled, noteKey, noteArgs, pressed}), onPick });
 *   grid.render(slots);   // slots: MeetingSlot[]
 *
 * cell(slot).state becomes data-state (free, full, off, on, busy, current, past).
 */
export function slotGrid({ viewerTz, otherTz, cell, onPick, testid = 'slot-grid' }) {
  const el = h('div', { class: 'slot-grid', testid });
  const showOther = Boolean(otherTz) && otherTz !== viewerTz;
  function render(slots) {
    el.replaceChildren();
    const days = new Map();
    for (const slot of [...slots].sort((a, b) => a.starts_ms - b.starts_ms)) {
      // Grouped by the day on the viewer's own clock, the day its heading names: the fair's
      // day (slot.day, in the fair's zone) can differ for early or late slots, which gave one
      // day two headings.
      const key = dayKey(slot.starts_ms, viewerTz);
      if (!days.has(key)) days.set(key, []);
      days.get(key).push(slot);
    }
    el.dataset.count = String(slots.length);
    if (!days.size) {
      el.append(h('p', { class: 'empty-state', testid: 'slot-grid-empty', i18n: 'meet.noSlots' }));
      return;
    }
    for (const [key, daySlots] of days) {
      const first = daySlots[0].starts_ms;
      el.append(h('section', { class: 'slot-day', testid: 'slot-day', dataset: { day: key } },
        h('h3', { class: 'slot-day-title', text: dayLabel(first, viewerTz) }),
        h('ul', { class: 'slot-list' }, daySlots.map((slot) => {
          const c = cell(slot) || {};
          const button = h('button', {
            type: 'button', class: ['slot', `is-${c.state || 'free'}`], testid: 'slot',
            disabled: Boolean(c.disabled),
            dataset: { slotId: String(slot.id), state: c.state || 'free', startsMs: String(slot.starts_ms) },
            attrs: { 'aria-pressed': c.pressed === undefined ? null : String(Boolean(c.pressed)) },
            on: { click: () => onPick?.(slot, button) },
          },
          h('span', { class: 'slot-time', testid: 'slot-time', text: `${clock(slot.starts_ms, viewerTz)}–${clock(slot.ends_ms, viewerTz)}` }),
          showOther
            ? h('span', { class: 'slot-other', testid: 'slot-other-time', i18n: 'meet.timeIn',
              i18nArgs: { time: clock(slot.starts_ms, otherTz), city: cityOf(otherTz) } })
            : null,
          c.noteKey ? h('span', { class: 'slot-note', i18n: c.noteKey, i18nArgs: c.noteArgs || {} }) : null);
          return h('li', {}, button);
        }))));
    }
  }
  return { el, render };
}

/** The line over a grid: "Times in your zone (Vladivostok); Seoul time beside each slot." */
export function zonesNote(viewerTz, otherTz) {
  return h('p', { class: 'muted small zones-note', testid: 'zones-note',
    i18n: otherTz && otherTz !== viewerTz ? 'meet.zonesBoth' : 'meet.zonesOwn',
    i18nArgs: { mine: cityOf(viewerTz), other: cityOf(otherTz) } });
}
