// meetings.test.mjs — real-browser test of meeting scheduling, with two people at once: the
// buyer (Ivan Petrov, Vladivostok) opens booth 1 and books a slot from its grid (each slot in
// his zone with Seoul time beside it); the exhibitor (Park Ji-hoon, Seorak Natural Foods,
// company 1, Seoul) already has his meetings page open and sees the request arrive in his
// inbox live, without a reload, and accepts it; the buyer's agenda turns it confirmed live.
// Then a second request: the exhibitor proposes another time, the buyer finds it in his own
// inbox and accepts, and later cancels it with a reason; the exhibitor sees that live. The
// private calendar feed link is shown, renewed, and serves the meetings as iCalendar. A slot
// taken meanwhile is refused with the server's reason. The exhibitor changes his company's
// slots, the buyer marks a busy time, and an organizer assigns an interpreter.
// Expects a server already running at $EXPO_URL with --demo data (run.sh starts one);
// screenshots go to tests/browser/screenshots/.
//
//   EXPO_URL=http://127.0.0.1:18080 node tests/browser/meetings.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { $, ADMIN_PASSWORD, BASE, closeToasts, contextPage, launch, markPage, notReloaded, shot, signInWith as signIn } from './helpers.mjs';

const BUYER = { email: 'buyer@demo.expo', name: 'Ivan Petrov', zone: 'Asia/Vladivostok' };
const EXHIBITOR = { email: 'exhibitor@demo.expo', name: 'Park Ji-hoon', company: 'Seorak Natural Foods', zone: 'Asia/Seoul' };
const ORGANIZER = { email: 'admin@expo.local', password: ADMIN_PASSWORD };
const COMPANY_ID = 1;
const DESKTOP = { width: 1280, height: 900 };
const RUN = Date.now() % 100000;

let browser;
let buyer; // Ivan Petrov's page
let exhibitor; // Park Ji-hoon's page
let first; // the meeting booked from the grid
let second; // the one the exhibitor moves

before(async () => {
  browser = await launch();
});

after(async () => {
  await buyer?.context().close();
  await exhibitor?.context().close();
  await browser?.close();
});

/** A fresh browser context (own cookies and storage) with one page, errors surfaced. */
const newPage = ({ viewport = DESKTOP, locale = 'en-US', timezoneId = 'Asia/Vladivostok' } = {}) => contextPage(browser, { viewport, locale, timezoneId });

/** "10:00" on the clock of a zone, as the page writes it. */
function clockIn(ms, timeZone) {
  return new Intl.DateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(new Date(ms));
}

const row = (id) => `${$('meeting-row')}[data-meeting-id="${id}"]`;

test('the exhibitor opens his meetings: the request inbox comes first, with a count', async () => {
  exhibitor = await newPage({ timezoneId: EXHIBITOR.zone });
  await signIn(exhibitor, EXHIBITOR.email);
  assert.equal(await exhibitor.textContent($('nav-meetings')), 'Meetings');
  await exhibitor.click($('nav-meetings'));
  await exhibitor.waitForSelector(`${$('meetings')}[data-loaded]`);
  await exhibitor.waitForSelector(`${$('nav-meetings')}[aria-current="page"]`);
  assert.match(await exhibitor.textContent($('meetings-zone')), /Seoul/);
  // The demo's request from Olga Smirnova waits for the company.
  const inbox = $('meeting-inbox');
  const count = Number(await exhibitor.getAttribute(inbox, 'data-count'));
  assert.ok(count >= 1, `the demo request is in the inbox (${count})`);
  assert.equal(await exhibitor.textContent($('meeting-inbox-count')), String(count));
  const olga = exhibitor.locator(`${inbox} ${$('meeting-row')}`, { hasText: 'Olga Smirnova' });
  assert.equal(await olga.getAttribute('data-state'), 'requested');
  assert.equal(await olga.getAttribute('data-awaiting'), 'company');
  assert.ok(await olga.locator($('meeting-accept')).isVisible());
  assert.ok(await olga.locator($('meeting-decline')).isVisible());
  assert.ok(await olga.locator($('meeting-propose')).isVisible());
  // Her clock beside his: Vladivostok.
  assert.match(await olga.locator($('meeting-other-time')).first().textContent(), /^\d{2}:\d{2} in Vladivostok$/);
  // The confirmed video meeting with Ivan that is on now: its room is open.
  const live = exhibitor.locator(`${$('meeting-agenda')} ${$('meeting-row')}[data-state="confirmed"][data-mode="online"]`, { hasText: BUYER.name }).first();
  assert.equal(await live.locator(`a${$('meeting-join')}`).count(), 1, 'Join room is a link while the room is open');
  await markPage(exhibitor);
  assert.deepEqual(exhibitor.errors, []);
});

test('the buyer books a slot from booth 1: his time and Seoul time side by side', async () => {
  buyer = await newPage({ timezoneId: BUYER.zone });
  await signIn(buyer, BUYER.email);
  await buyer.goto(`${BASE}/#/booth/${COMPANY_ID}`);
  await buyer.waitForSelector(`${$('booth-page')}[data-loaded]`);
  await buyer.click($('book-meeting'));
  await buyer.waitForURL(new RegExp(`#/meetings/book/${COMPANY_ID}$`));
  await buyer.waitForSelector(`${$('slot-grid')} ${$('slot')}`);
  assert.equal(await buyer.textContent($('book-title')), `Book a meeting with ${EXHIBITOR.company}`);
  assert.match(await buyer.textContent($('zones-note')), /Vladivostok.*Seoul/);

  // Every slot: the viewer's clock (Vladivostok), and Seoul's beside it (an hour earlier).
  const slots = await buyer.$$eval(`${$('slot-grid')} ${$('slot')}`, (els) => els.map((el) => ({
    id: Number(el.dataset.slotId), state: el.dataset.state, startsMs: Number(el.dataset.startsMs), disabled: el.disabled,
    time: el.querySelector('[data-testid="slot-time"]').textContent,
    other: el.querySelector('[data-testid="slot-other-time"]')?.textContent,
  })));
  assert.ok(slots.length >= 10, `the grid has slots (${slots.length})`);
  for (const slot of slots.slice(0, 5)) {
    assert.ok(slot.time.startsWith(clockIn(slot.startsMs, BUYER.zone)), `${slot.time} is Vladivostok time`);
    assert.equal(slot.other, `${clockIn(slot.startsMs, EXHIBITOR.zone)} in Seoul`);
  }
  // His own meetings' slots are not offered to him again.
  assert.ok(slots.some((s) => s.state === 'mine' && s.disabled), 'a slot of his is marked as his meeting');
  const free = slots.find((s) => s.state === 'free');
  assert.ok(free, 'a free slot');
  assert.ok(await buyer.isHidden($('meeting-form')), 'the form waits for a slot');

  await buyer.click(`${$('slot-grid')} ${$('slot')}[data-slot-id="${free.id}"]`);
  await buyer.waitForSelector(`${$('meeting-form')}:not([hidden])`);
  await buyer.waitForSelector(`${$('slot-grid')} ${$('slot')}[data-slot-id="${free.id}"][aria-pressed="true"]`);
  assert.match(await buyer.textContent($('meeting-form-time')), new RegExp(`${clockIn(free.startsMs, BUYER.zone)}–`));
  assert.equal(await buyer.textContent($('meeting-form-other-time')), `(${clockIn(free.startsMs, EXHIBITOR.zone)} in Seoul)`);
  await buyer.fill($('meeting-message'), `Prices for 3 pallets of dried gondre, please (${RUN})`);
  const product = buyer.locator(`${$('meeting-products')} input[type="checkbox"]`).first();
  await product.check();
  const productId = Number(await product.getAttribute('data-product-id'));
  assert.ok(await buyer.isChecked($('meeting-mode-online')));
  // Interpreter languages appear on demand (preset: Korean and his Russian).
  await buyer.check($('meeting-need-interpreter'));
  await buyer.waitForSelector(`${$('meeting-languages')}:not([hidden])`);
  assert.ok(await buyer.isChecked(`${$('meeting-languages')} input[data-lang="ko"]`));
  assert.ok(await buyer.isChecked(`${$('meeting-languages')} input[data-lang="ru"]`));
  await buyer.uncheck($('meeting-need-interpreter'));
  await shot(buyer, '20-meeting-grid', { fullPage: true });

  await buyer.click($('meeting-submit'));
  await buyer.waitForURL(/#\/meetings\?new=\d+$/);
  const id = Number(buyer.url().match(/new=(\d+)$/)[1]);
  first = { id, slot: free };
  await buyer.waitForSelector(`${row(id)}[data-state="requested"]`);
  const mine = buyer.locator(row(id));
  assert.equal(await mine.getAttribute('data-awaiting'), 'company');
  assert.equal(await mine.locator($('meeting-with')).textContent(), EXHIBITOR.company);
  assert.equal(await mine.locator($('meeting-state')).textContent(), 'Requested');
  assert.equal(await mine.locator($('meeting-mode')).textContent(), 'Online video');
  assert.ok((await mine.locator($('meeting-time')).textContent()).startsWith(clockIn(free.startsMs, BUYER.zone)));
  assert.equal(await mine.locator($('meeting-other-time')).textContent(), `${clockIn(free.startsMs, EXHIBITOR.zone)} in Seoul`);
  assert.ok(await mine.locator($('meeting-cancel')).isVisible(), 'he may withdraw it');
  assert.equal(await mine.locator($('meeting-accept')).count(), 0, 'only the company answers');
  // The server stored what he asked.
  const stored = await buyer.evaluate(async (mid) => (await fetch(`/api/v1/meetings/${mid}`)).json(), id);
  assert.equal(stored.state, 'requested');
  assert.equal(stored.mode, 'online');
  assert.deepEqual(stored.product_ids, [productId]);
  assert.deepEqual(stored.interpreter_languages, []);
  await markPage(buyer);
  assert.deepEqual(buyer.errors, []);
});

test('the request appears live in the exhibitor\'s inbox; he accepts; the buyer sees it confirmed', async () => {
  assert.ok(first && exhibitor && buyer);
  const inboxRow = `${$('meeting-inbox')} ${row(first.id)}`;
  await exhibitor.waitForSelector(inboxRow);
  await notReloaded(exhibitor);
  const req = exhibitor.locator(inboxRow);
  assert.match(await req.locator($('meeting-with')).textContent(), /Ivan Petrov · Primorye Trade House · Russia/);
  assert.equal(await req.locator($('meeting-state')).textContent(), 'Awaiting your answer');
  assert.ok((await req.locator($('meeting-time')).textContent()).startsWith(clockIn(first.slot.startsMs, EXHIBITOR.zone)));
  assert.equal(await req.locator($('meeting-other-time')).textContent(), `${clockIn(first.slot.startsMs, BUYER.zone)} in Vladivostok`);
  assert.match(await req.locator($('meeting-message')).textContent(), new RegExp(`3 pallets.*${RUN}`));
  await closeToasts(exhibitor);
  await shot(exhibitor, '21-meetings-exhibitor-inbox', { fullPage: true });

  await req.locator($('meeting-accept')).click();
  await exhibitor.waitForSelector(`${$('meeting-agenda')} ${row(first.id)}[data-state="confirmed"]`);
  assert.equal(await exhibitor.locator(inboxRow).count(), 0, 'answered: out of the inbox');
  const done = exhibitor.locator(row(first.id));
  assert.equal(await done.locator($('meeting-state')).textContent(), 'Confirmed');
  assert.ok(await done.locator($('meeting-ics')).isVisible());
  assert.ok(await done.locator($('meeting-reschedule')).isVisible());

  // The buyer's agenda follows, without a reload.
  await buyer.waitForSelector(`${row(first.id)}[data-state="confirmed"]`);
  await notReloaded(buyer);
  const his = buyer.locator(row(first.id));
  assert.equal(await his.locator($('meeting-state')).textContent(), 'Confirmed');
  // Tomorrow's room is not open yet: the join button waits.
  assert.ok(await his.locator(`button${$('meeting-join')}`).isDisabled());
  // The calendar file of the meeting.
  const ics = await buyer.evaluate(async (mid) => {
    const response = await fetch(`/api/v1/meetings/${mid}/ics`);
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  }, first.id);
  assert.equal(ics.status, 200);
  assert.match(ics.type || '', /text\/calendar/);
  assert.match(ics.text, /BEGIN:VCALENDAR/);
  assert.match(ics.text, new RegExp(`UID:meeting-${first.id}@`));
  assert.match(ics.text, /STATUS:CONFIRMED/);
  await closeToasts(buyer);
  await shot(buyer, '22-meetings-buyer-confirmed', { fullPage: true });
  assert.deepEqual(buyer.errors, []);
  assert.deepEqual(exhibitor.errors, []);
});

test('a second request: the exhibitor proposes another time, the buyer accepts, then cancels', async () => {
  assert.ok(first && exhibitor && buyer);
  // Book the next free slot of the same day.
  await buyer.goto(`${BASE}/#/meetings/book/${COMPANY_ID}`);
  await buyer.waitForSelector(`${$('slot-grid')} ${$('slot')}[data-state="free"]`);
  const freeId = Number(await buyer.getAttribute(`${$('slot-grid')} ${$('slot')}[data-state="free"]`, 'data-slot-id'));
  assert.notEqual(freeId, first.slot.id);
  assert.equal(await buyer.getAttribute(`${$('slot-grid')} ${$('slot')}[data-slot-id="${first.slot.id}"]`, 'data-state'), 'mine');
  await buyer.click(`${$('slot-grid')} ${$('slot')}[data-slot-id="${freeId}"]`);
  await buyer.fill($('meeting-message'), `Samples of pine needle tea (${RUN})`);
  await buyer.check($('meeting-mode-onsite'));
  await buyer.click($('meeting-submit'));
  await buyer.waitForURL(/#\/meetings\?new=\d+$/);
  second = { id: Number(buyer.url().match(/new=(\d+)$/)[1]) };
  await buyer.waitForSelector(`${row(second.id)}[data-state="requested"]`);
  await markPage(buyer);

  // The exhibitor proposes a later slot of that day (the last one).
  const req = exhibitor.locator(`${$('meeting-inbox')} ${row(second.id)}`);
  await req.waitFor();
  assert.equal(await req.locator($('meeting-mode')).textContent(), 'On site');
  await closeToasts(exhibitor);
  await req.locator($('meeting-propose')).click();
  const picker = `${row(second.id)} ${$('meeting-propose-picker-grid')}`;
  await exhibitor.waitForSelector(`${picker} ${$('slot')}`);
  assert.equal(await exhibitor.getAttribute(`${picker} ${$('slot')}[data-slot-id="${freeId}"]`, 'data-state'), 'current');
  const offered = await exhibitor.$$eval(`${picker} ${$('slot')}[data-state="free"]`,
    (els) => els.map((el) => ({ id: Number(el.dataset.slotId), startsMs: Number(el.dataset.startsMs) })));
  const sameDay = offered.filter((s) => s.startsMs > first.slot.startsMs && s.startsMs < first.slot.startsMs + 12 * 3_600_000);
  assert.ok(sameDay.length > 0, 'free slots later that day');
  const target = sameDay[sameDay.length - 1];
  await exhibitor.click(`${picker} ${$('slot')}[data-slot-id="${target.id}"]`);
  // Now the buyer answers: the row leaves the exhibitor's inbox.
  await exhibitor.waitForSelector(`${$('meeting-agenda')} ${row(second.id)}[data-state="requested"][data-awaiting="buyer"]`);
  assert.match(await exhibitor.textContent(`${row(second.id)} ${$('meeting-state')}`), /^Requested$/);

  // The buyer finds the proposal in his own inbox, live, at the new time.
  const proposal = `${$('meeting-inbox')} ${row(second.id)}[data-awaiting="buyer"]`;
  await buyer.waitForSelector(proposal);
  await notReloaded(buyer);
  assert.ok((await buyer.textContent(`${proposal} ${$('meeting-time')}`)).startsWith(clockIn(target.startsMs, BUYER.zone)));
  const stored = await buyer.evaluate(async (mid) => (await fetch(`/api/v1/meetings/${mid}`)).json(), second.id);
  assert.equal(stored.sequence, 1, 'a move bumps the sequence');
  assert.equal(stored.starts_ms, target.startsMs);
  await closeToasts(buyer);
  await buyer.click(`${proposal} ${$('meeting-accept')}`);
  await buyer.waitForSelector(`${$('meeting-agenda')} ${row(second.id)}[data-state="confirmed"]`);
  await exhibitor.waitForSelector(`${row(second.id)}[data-state="confirmed"]`);
  // Onsite: a table in the company's hall.
  assert.match(await buyer.textContent(`${row(second.id)} ${$('meeting-mode')}`), /^On site · .+, table \d+$/);

  // The buyer cancels it with a reason; the exhibitor sees it go live.
  await buyer.click(`${row(second.id)} ${$('meeting-cancel')}`);
  await buyer.fill(`${row(second.id)} ${$('meeting-cancel-reason')}`, 'Our director cannot travel');
  await buyer.click(`${row(second.id)} ${$('meeting-cancel-confirm')}`);
  // Closed meetings are listed apart, folded away.
  await buyer.waitForSelector(`${$('meeting-closed')} ${row(second.id)}[data-state="cancelled"]`, { state: 'attached' });
  await exhibitor.waitForSelector(`${$('meeting-closed')} ${row(second.id)}[data-state="cancelled"]`, { state: 'attached' });
  await exhibitor.click(`${$('meeting-closed')} > summary`);
  assert.equal(await exhibitor.textContent(`${row(second.id)} ${$('meeting-state')}`), 'Cancelled');
  await notReloaded(exhibitor);
  assert.deepEqual(buyer.errors, []);
  assert.deepEqual(exhibitor.errors, []);
});

test('a slot taken meanwhile is refused with the server\'s reason, and the grid refreshes', async () => {
  assert.ok(buyer);
  await buyer.goto(`${BASE}/#/meetings/book/${COMPANY_ID}`);
  await buyer.waitForSelector(`${$('slot-grid')} ${$('slot')}[data-state="free"]`);
  const slotId = Number(await buyer.getAttribute(`${$('slot-grid')} ${$('slot')}[data-state="free"]`, 'data-slot-id'));
  await buyer.click(`${$('slot-grid')} ${$('slot')}[data-slot-id="${slotId}"]`);
  await buyer.fill($('meeting-message'), 'Too late');
  // Meanwhile the same slot is booked from another tab.
  const other = await buyer.evaluate(async ([company, slot]) => {
    const response = await fetch('/api/v1/meetings', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ company_id: company, slot_id: slot, mode: 'online', message: 'other tab', product_ids: [], interpreter_languages: [] }),
    });
    return { status: response.status, body: await response.json() };
  }, [COMPANY_ID, slotId]);
  assert.equal(other.status, 201);
  await buyer.click($('meeting-submit'));
  await buyer.waitForSelector(`${$('meeting-form-error')}:not([hidden])`);
  assert.equal(await buyer.getAttribute($('meeting-form-error'), 'data-code'), 'slot_taken');
  const text = await buyer.textContent($('meeting-form-error'));
  assert.match(text, /^That slot is no longer free\. The buyer already has a meeting at that time\./);
  assert.doesNotMatch(text, /UTC ms/, 'the next free slots are written as times');
  // The grid was fetched again: that slot is his now, and nothing is picked.
  await buyer.waitForSelector(`${$('slot-grid')} ${$('slot')}[data-slot-id="${slotId}"][data-state="mine"]`);
  assert.ok(await buyer.isHidden($('meeting-form')));
  await shot(buyer, '25-meeting-slot-taken');
  // Withdraw the other tab's request.
  const cancelled = await buyer.evaluate(async (mid) => (await fetch(`/api/v1/meetings/${mid}/cancel`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ reason: 'test' }),
  })).status, other.body.id);
  assert.equal(cancelled, 200);
  assert.deepEqual(buyer.errors, []);
});

test('the private calendar feed: shown, renewed, served as iCalendar', async () => {
  await buyer.goto(`${BASE}/#/meetings`);
  await buyer.waitForSelector(`${$('meetings')}[data-loaded]`);
  assert.ok(buyer);
  await closeToasts(buyer);
  await buyer.waitForFunction((sel) => document.querySelector(sel)?.value.length > 0, $('calendar-url'));
  const url = await buyer.inputValue($('calendar-url'));
  assert.match(url, /^https?:\/\/.+\/api\/v1\/calendar\/[^/]+\.ics$/);
  const path = (u) => new URL(u).pathname;
  const feed = await buyer.evaluate(async (u) => {
    const response = await fetch(u, { credentials: 'omit' });
    return { status: response.status, text: await response.text() };
  }, path(url));
  assert.equal(feed.status, 200, 'the feed needs no session');
  assert.match(feed.text, /BEGIN:VCALENDAR/);
  assert.match(feed.text, new RegExp(`UID:meeting-${first.id}@`));

  await buyer.click($('calendar-new'));
  await buyer.click($('calendar-new-confirm'));
  await buyer.waitForFunction(([sel, old]) => document.querySelector(sel)?.value && document.querySelector(sel).value !== old,
    [$('calendar-url'), url]);
  const renewed = await buyer.inputValue($('calendar-url'));
  assert.notEqual(renewed, url);
  const oldStatus = await buyer.evaluate(async (u) => (await fetch(u, { credentials: 'omit' })).status, path(url));
  assert.equal(oldStatus, 404, 'the old link stops working');
  await buyer.waitForSelector(`${$('calendar-status')}:not([hidden])`);
  await shot(buyer, '23-meetings-buyer-agenda', { fullPage: true });

  // A phone: one column.
  await buyer.setViewportSize({ width: 390, height: 844 });
  await closeToasts(buyer);
  await shot(buyer, '24-meetings-phone', { fullPage: true });
  await buyer.setViewportSize(DESKTOP);
  assert.deepEqual(buyer.errors, []);
});

test('the exhibitor changes his company\'s meeting slots; the buyer marks a busy time', async () => {
  assert.ok(exhibitor && buyer);
  await exhibitor.goto(`${BASE}/#/meetings`);
  await exhibitor.click($('meetings-availability'));
  await exhibitor.waitForURL(/#\/meetings\/availability$/);
  await exhibitor.waitForSelector(`${$('availability-grid')} ${$('slot')}[data-state="on"]:not([disabled])`);
  const seats = await exhibitor.inputValue($('availability-seats'));
  const slot = exhibitor.locator(`${$('availability-grid')} ${$('slot')}[data-state="on"]:not([disabled])`).last();
  const slotId = Number(await slot.getAttribute('data-slot-id'));
  await slot.click();
  await exhibitor.waitForSelector(`${$('availability-grid')} ${$('slot')}[data-slot-id="${slotId}"][data-state="off"][aria-pressed="false"]`);
  await exhibitor.click($('availability-save'));
  await exhibitor.waitForSelector(`${$('availability-saved')}:not([hidden])`);
  const offered = async () => (await exhibitor.evaluate(async (c) => (await fetch(`/api/v1/companies/${c}/availability`)).json(), COMPANY_ID))
    .slots.map((s) => s.slot.id);
  assert.ok(!(await offered()).includes(slotId), 'no longer offered');
  await closeToasts(exhibitor);
  await shot(exhibitor, '26-meeting-slots', { fullPage: true });
  // And back, with the same number of seats.
  await exhibitor.click(`${$('availability-grid')} ${$('slot')}[data-slot-id="${slotId}"]`);
  await exhibitor.click($('availability-save'));
  await exhibitor.waitForFunction(async ([c, id]) => (await (await fetch(`/api/v1/companies/${c}/availability`)).json())
    .slots.some((s) => s.slot.id === id), [COMPANY_ID, slotId]);
  assert.equal(await exhibitor.inputValue($('availability-seats')), seats);

  // The buyer marks that slot busy; the booking grid then refuses it.
  await buyer.goto(`${BASE}/#/meetings/busy`);
  await buyer.waitForSelector(`${$('busy-grid')} ${$('slot')}[data-slot-id="${slotId}"]`);
  await buyer.click(`${$('busy-grid')} ${$('slot')}[data-slot-id="${slotId}"]`);
  await buyer.waitForSelector(`${$('busy-grid')} ${$('slot')}[data-slot-id="${slotId}"][data-state="busy"]`);
  await buyer.click($('busy-save'));
  await buyer.waitForSelector(`${$('busy-saved')}:not([hidden])`);
  const busy = await buyer.evaluate(async () => (await fetch('/api/v1/me/busy')).json());
  assert.ok(busy.slot_ids.includes(slotId));
  await buyer.goto(`${BASE}/#/meetings/book/${COMPANY_ID}`);
  const cell = `${$('slot-grid')} ${$('slot')}[data-slot-id="${slotId}"]`;
  await buyer.waitForSelector(`${cell}[data-state="busy"]`);
  assert.ok(await buyer.isDisabled(cell));
  assert.deepEqual(exhibitor.errors, []);
  assert.deepEqual(buyer.errors, []);
});

test('an organizer assigns an interpreter to a request that needs one', async () => {
  const organizer = await newPage({ timezoneId: 'Asia/Seoul' });
  try {
    await signIn(organizer, ORGANIZER.email, ORGANIZER.password);
    await organizer.click($('nav-meetings'));
    await organizer.waitForSelector(`${$('meetings')}[data-loaded]`);
    assert.equal(await organizer.textContent('h1'), 'All meetings');
    // Olga Smirnova's request needs Russian and has nobody yet.
    const olga = organizer.locator(`${$('meeting-row')}[data-state="requested"]`, { hasText: 'Olga Smirnova' });
    assert.equal(await olga.locator($('meeting-interpreter')).textContent(), 'Interpreter needed (RU)');
    await olga.locator($('meeting-assign')).click();
    const first = olga.locator(`${$('interpreter-suggestions')} ${$('interpreter-option')}`).first();
    await first.waitFor();
    const name = await first.locator('.person-name').textContent();
    assert.match(await first.textContent(), /RU/);
    await closeToasts(organizer);
    await shot(organizer, '27-meeting-interpreters');
    await first.locator($('interpreter-assign')).click();
    await organizer.waitForFunction(([sel, want]) => document.querySelector(sel)?.textContent === want,
      [`${$('meeting-row')}[data-meeting-id="${await olga.getAttribute('data-meeting-id')}"] ${$('meeting-interpreter')}`, `Interpreter: ${name}`]);
    assert.deepEqual(organizer.errors, []);
  } finally {
    await organizer.context().close();
  }
});
