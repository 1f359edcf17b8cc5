// matchmaking.test.mjs — real-browser test of the matchmaking web client (issue 13): the buyer
// (Ivan Petrov) marks booth 1 (Seorak Natural Foods) would-meet, then must-meet, and the mark
// stays after a reload; the exhibitor (Park Ji-hoon, Seorak) sees him under "who wants to meet
// you" in the buyer directory at the level he chose, and marks him back; the organizer
// suggests pairs, opens one buyer's suggestions, runs the scheduler, sees the quality figures
// and the chart, moves one of Ivan's meetings with the keyboard's "Move…" picker next to
// another, drags that other one onto it, where Ivan is now busy (refused, the conflict shown,
// the card stays) and onto a free cell (moved), and publishes after a confirm step; the run
// turns read-only, and Ivan's meetings page lists the new confirmed meeting. The reasons a
// pair is left out and the conflicts of a move read as sentences. Screenshots into
// docs/screenshots/ (matchmaking-review.png, matchmaking-grid.png, buyers-directory.png).
// Publishing books real meetings: run.sh runs this file after the others.
//
//   EXPO_URL=http://127.0.0.1:18080 node tests/browser/matchmaking.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { $, ACCOUNTS, DESKTOP, go, launch, newPage, signIn } from './helpers.mjs';

const DOCS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
mkdirSync(DOCS, { recursive: true });
const COMPANY_ID = 1; // Seorak Natural Foods, the demo exhibitor's company
const WIDE = { width: 1440, height: 900 };

let browser;
let buyer;
let exhibitor;
let organizer;
let ivanId;
let published = [];

before(async () => {
  browser = await launch();
});

after(async () => {
  for (const page of [buyer, exhibitor, organizer]) await page?.context().close();
  await browser?.close();
});

function noErrors(page) {
  assert.deepEqual(page.errors, [], `page errors: ${page.errors.join('; ')}`);
}

async function pressed(page, testid) {
  return page.getAttribute($(testid), 'aria-pressed');
}

async function openDirectory(page) {
  await go(page, '#/lobby', $('lobby'));
  await go(page, '#/buyers', `${$('buyers-page')}[data-loaded]`);
  await page.waitForSelector(`${$('wants-to-meet')}[data-count]`, { state: 'attached' });
}

test('a buyer marks a booth; the mark stays and shows on the booth', async () => {
  buyer = await newPage(browser);
  await signIn(buyer, ACCOUNTS.buyer);
  await go(buyer, `#/booth/${COMPANY_ID}`, $('booth-mark-control'));
  await buyer.click($('booth-mark-control-would_meet'));
  await buyer.waitForSelector(`${$('booth-mark-control')}[data-level="would_meet"]`);
  assert.equal(await pressed(buyer, 'booth-mark-control-would_meet'), 'true');
  assert.equal(await pressed(buyer, 'booth-mark-control-must_meet'), 'false');
  noErrors(buyer);
});

test('the exhibitor sees the buyer under "who wants to meet you", and raises his own mark to must-meet', async () => {
  exhibitor = await newPage(browser, { timezoneId: 'Asia/Seoul' });
  await signIn(exhibitor, ACCOUNTS.exhibitor);
  await exhibitor.waitForSelector($('nav-buyers'));
  await openDirectory(exhibitor);
  const row = `${$('wants-to-meet-row')}:has-text("${ACCOUNTS.buyer.name}")`;
  await exhibitor.waitForSelector(`${row} [data-level="would_meet"]`);

  // The buyer makes it a must-meet; after a reload the booth page still says so.
  await buyer.click($('booth-mark-control-must_meet'));
  await buyer.waitForSelector(`${$('booth-mark-control')}[data-level="must_meet"]`);
  await buyer.reload();
  await buyer.waitForSelector(`${$('booth-mark-control')}[data-level="must_meet"]`);

  await openDirectory(exhibitor);
  await exhibitor.waitForSelector(`${row} [data-level="must_meet"]`);
  assert.match(await exhibitor.textContent($('wants-to-meet')), /wants to meet you|Who wants/i);

  // The directory card: firm, country, languages; the buyer's mark on us; our own mark.
  const card = `${$('buyer-card')}:has(${$('buyer-name')}:text-is("${ACCOUNTS.buyer.name}"))`;
  ivanId = Number(await exhibitor.getAttribute(card, 'data-buyer-id'));
  assert.ok(ivanId > 0);
  assert.ok((await exhibitor.textContent(`${card} ${$('buyer-languages')}`)).trim().length > 0);
  assert.ok(await exhibitor.$(`${card} ${$('buyer-wants')}[data-level="must_meet"]`));
  // The demo's company already would meet him (a click on the pressed level takes a mark
  // back): the exhibitor raises it to a must-meet, and it stays after the page is reopened.
  const control = `${card} ${$('buyer-mark')}`;
  assert.equal(await exhibitor.getAttribute(control, 'data-level'), 'would_meet');
  await exhibitor.click(`${card} ${$('buyer-mark-must_meet')}`);
  await exhibitor.waitForSelector(`${control}[data-level="must_meet"]`);
  assert.equal(await exhibitor.getAttribute(`${card} ${$('buyer-mark-must_meet')}`, 'aria-pressed'), 'true');
  await openDirectory(exhibitor);
  await exhibitor.waitForSelector(`${control}[data-level="must_meet"]`);
  await exhibitor.screenshot({ path: `${DOCS}buyers-directory.png` });
  noErrors(exhibitor);
});

test('the organizer suggests pairs and reviews one buyer\'s suggestions', async () => {
  organizer = await newPage(browser, { viewport: WIDE, timezoneId: 'Asia/Seoul' });
  await signIn(organizer, ACCOUNTS.organizer);
  await organizer.click($('nav-matchmaking'));
  await organizer.waitForSelector(`${$('matchmaking')}[data-loaded]`);
  const before = Number(await organizer.getAttribute($('match-pairs-count'), 'data-count'));
  await organizer.fill($('match-auto-per-buyer'), '3');
  await organizer.click($('match-auto'));
  await organizer.waitForSelector(`${$('match-auto-result')}[data-added]`);
  const added = Number(await organizer.getAttribute($('match-auto-result'), 'data-added'));
  await organizer.waitForFunction(([sel, n]) => Number(document.querySelector(sel)?.dataset.count) === n,
    [$('match-pairs-count'), before + added]);
  assert.ok(before + added > 3, `pairs: ${before} + ${added}`);
  // Ivan's row names his firm and country.
  const ivanRow = `${$('match-pair-row')}[data-buyer-id="${ivanId}"]`;
  assert.ok(await organizer.$(ivanRow), 'Ivan has an accepted pair');

  await organizer.selectOption($('match-buyer-select'), String(ivanId));
  await organizer.waitForSelector($('match-suggestion'));
  const reasons = await organizer.$$eval($('match-suggestion-reason'), (els) => els.map((e) => e.textContent));
  assert.ok(reasons.some((r) => r.length > 3), 'reason lines shown');
  // Booth 1 carries the buyer's must-meet and the company's mark as badges, and is accepted.
  const seorak = `${$('match-suggestion')}[data-company-id="${COMPANY_ID}"]`;
  await organizer.waitForSelector(`${seorak} ${$('match-buyer-mark')}[data-level="must_meet"]`);
  assert.ok(await organizer.$(`${seorak} ${$('match-suggestion-accepted')}`));
  // Accept one more by hand when there is one left.
  const open = await organizer.$(`${$('match-suggestion')} ${$('match-accept-would')}`);
  if (open) {
    const count = Number(await organizer.getAttribute($('match-pairs-count'), 'data-count'));
    await open.click();
    await organizer.waitForFunction(([sel, n]) => Number(document.querySelector(sel)?.dataset.count) === n,
      [$('match-pairs-count'), count + 1]);
  }
  await organizer.evaluate(() => window.scrollTo(0, 0));
  await organizer.screenshot({ path: `${DOCS}matchmaking-review.png` });
  noErrors(organizer);
});

test('the organizer runs the scheduler and sees its quality', async () => {
  await organizer.fill($('match-max-run'), '3');
  await organizer.click($('match-run'));
  await organizer.waitForSelector(`${$('match-run-result')}:not([hidden])`);
  for (const figure of ['placed', 'placement_rate', 'must_meet_rate', 'business_share', 'longest_run', 'back_to_back', 'interpreter_utilisation', 'runtime_ms']) {
    assert.ok(await organizer.$(`${$('match-quality')} ${$(`match-q-${figure}`)}`), `figure ${figure}`);
  }
  assert.match(await organizer.textContent($('match-q-placement_rate')), /%/);
  await organizer.waitForSelector(`${$('match-run-panel')}[data-charts="ready"]`);
  await organizer.waitForSelector(`${$('match-chart-canvas')}[data-values]`);
  assert.ok(await organizer.$(`${$('match-unplaced')} li`), 'the pairs left out, or "every pair placed"');
  assert.match(organizer.url(), /#\/matchmaking\?run=\d+/);
  // The demo places every pair; the reasons a pair is left out read as sentences all the same.
  const lines = await organizer.evaluate(async () => {
    const parts = await import('/views/match-parts.js');
    const run = {
      pairs: [{ id: 1, buyer_id: 10, buyer_name: 'Bat', company_id: 20, company_name: 'Hanil' }],
      interpreters: { 30: 'Kim' },
      slots: [{ index: 0, day: '2026-12-01', starts_ms: Date.UTC(2026, 11, 1, 0), ends_ms: Date.UTC(2026, 11, 1, 0, 30) }],
    };
    const names = parts.runNames(run);
    return [
      parts.reasonText({ code: 'no_interpreter_for_languages', buyer_languages: ['mn'], company_languages: ['ko'] }, names),
      parts.reasonText({ code: 'company_capacity_full', company: 20, blocked: { candidates: 7, company_full: 5 } }, names),
      parts.reasonText({ code: 'night_only_overlap', who: [{ kind: 'buyer', id: 10 }] }, names),
      parts.conflictText({ code: 'interpreter_busy', interpreter: 30, pair: 1 }, names),
      parts.conflictText({ code: 'night', who: { kind: 'company', id: 20 }, slot: 0 }, names),
    ];
  });
  assert.match(lines[0], /Mongolian.*Korean/);
  assert.match(lines[1], /Hanil.*5.*7/);
  assert.match(lines[2], /Bat/);
  assert.match(lines[3], /Kim.*Bat ↔ Hanil/);
  assert.match(lines[4], /09:00.*Hanil/);
  for (const line of lines) assert.doesNotMatch(line, /\{|match\./, line);
  noErrors(organizer);
});

/** Ivan's meetings on every day of the grid: [{pair, slot, day, movable}], and each day's slots. */
async function ivanMeetings(page) {
  const days = await page.$$eval($('match-grid-day'), (els) => els.map((e) => e.dataset.day));
  const meetings = [];
  const daySlots = {};
  for (const day of days) {
    await page.click(`${$('match-grid-day')}[data-day="${day}"]`);
    await page.waitForSelector(`${$('match-day')}[data-day="${day}"]`);
    daySlots[day] = await page.$$eval('.match-slot-head', (els) => els.map((e) => Number(e.dataset.slot)));
    meetings.push(...await page.$$eval(`tr[data-row="${ivanId}"] ${$('match-card')}`, (els, d) => els.map((e) => ({
      pair: e.dataset.pair, slot: Number(e.dataset.slot), day: d, movable: e.draggable,
    })), day));
  }
  return { meetings, daySlots };
}

/** A screenshot of one part of the page, scrolled to just under the sticky header. */
async function shotBelowHeader(page, selector, file) {
  await page.evaluate((sel) => {
    const top = document.querySelector(sel).getBoundingClientRect().top + window.scrollY;
    window.scrollTo(0, top - document.getElementById('topbar').offsetHeight - 12);
  }, selector);
  const box = await page.locator(selector).boundingBox();
  const view = page.viewportSize();
  await page.screenshot({ path: `${DOCS}${file}`, clip: { x: 0, y: Math.max(0, box.y - 12), width: view.width, height: Math.min(box.height + 24, view.height - box.y + 12) } });
}

async function showDay(page, day) {
  await page.click(`${$('match-grid-day')}[data-day="${day}"]`);
  await page.waitForSelector(`${$('match-day')}[data-day="${day}"]`);
}

async function settled(page) {
  await page.waitForFunction((sel) => !document.querySelector(sel)?.hasAttribute('aria-busy'), $('match-grid'));
}

/** Drags a card onto Ivan's cell of a slot (both in the day shown). */
async function dragTo(page, pair, slot) {
  const card = `${$('match-card')}[data-pair="${pair}"]`;
  await page.locator(card).scrollIntoViewIfNeeded();
  await page.dragAndDrop(card, `tr[data-row="${ivanId}"] ${$('match-cell')}[data-slot="${slot}"]`, { sourcePosition: { x: 6, y: 6 } });
  await settled(page);
}

test('dragging a meeting onto a busy cell is refused; onto a free cell it moves', async () => {
  await organizer.click($('match-grid-view-buyer'));
  await organizer.waitForSelector(`${$('match-grid')}[data-view="buyer"]`);
  const { meetings, daySlots } = await ivanMeetings(organizer);
  const movable = meetings.filter((m) => m.movable);
  assert.ok(movable.length >= 2, `Ivan has ${meetings.length} meetings, ${movable.length} movable`);
  const [a, b] = movable;

  // With the keyboard's picker, one of Ivan's meetings goes next to another on the same day.
  await showDay(organizer, b.day);
  await organizer.click(`${$('match-card')}[data-pair="${b.pair}"] ${$('match-move-open')}`);
  await organizer.waitForSelector(`${$('match-move-dialog')}[open]`);
  const near = daySlots[a.day].filter((s) => s !== a.slot && Math.abs(s - a.slot) <= 5)
    .sort((x, y) => Math.abs(x - a.slot) - Math.abs(y - a.slot) || x - y);
  let bSlot = null;
  for (const slot of near) {
    await organizer.selectOption($('match-move-slot'), String(slot));
    await organizer.click($('match-move-submit'));
    await settled(organizer);
    if (await organizer.getAttribute($('match-grid-status'), 'data-state') === 'moved') {
      bSlot = slot;
      break;
    }
    assert.ok(await organizer.$(`${$('match-move-conflicts')}:not([hidden]) ${$('match-conflict')}`), 'the picker shows why');
  }
  assert.ok(bSlot !== null, 'a slot near the other meeting took it');
  await organizer.waitForSelector(`${$('match-move-dialog')}:not([open])`, { state: 'attached' });
  await organizer.waitForSelector(`${$('match-day')}[data-day="${a.day}"] ${$('match-card')}[data-pair="${b.pair}"][data-slot="${bSlot}"]`);

  // Dragged onto that cell, where Ivan is now busy: refused, the card stays where it was.
  const card = `${$('match-card')}[data-pair="${a.pair}"]`;
  await dragTo(organizer, a.pair, bSlot);
  await organizer.waitForSelector(`${$('match-grid-conflicts')}:not([hidden]) ${$('match-conflict')}`);
  const codes = await organizer.$$eval($('match-conflict'), (els) => els.map((e) => e.dataset.code));
  assert.ok(codes.includes('buyer_busy'), `conflicts: ${codes.join(', ')}`);
  assert.equal(Number(await organizer.getAttribute(card, 'data-slot')), a.slot);
  const said = await organizer.textContent($('match-grid-conflicts'));
  assert.match(said, new RegExp(ACCOUNTS.buyer.name));
  assert.doesNotMatch(said, /match\.|buyer_busy/);
  // The screenshot: the refusal above the grid, down to Ivan's row.
  await organizer.setViewportSize({ width: WIDE.width, height: 1500 });
  await shotBelowHeader(organizer, $('match-grid'), 'matchmaking-grid.png');
  await organizer.setViewportSize(WIDE);

  // Onto free cells of Ivan's row, nearest first, until one fits every rule.
  const free = await organizer.$$eval(`tr[data-row="${ivanId}"] ${$('match-cell')}`,
    (els) => els.filter((td) => !td.querySelector('[data-testid="match-card"]')).map((td) => Number(td.dataset.slot)));
  free.sort((x, y) => Math.abs(x - a.slot) - Math.abs(y - a.slot));
  let movedTo = null;
  for (const slot of free.slice(0, 10)) {
    await dragTo(organizer, a.pair, slot);
    if (await organizer.getAttribute($('match-grid-status'), 'data-state') === 'moved') {
      movedTo = slot;
      break;
    }
  }
  assert.ok(movedTo !== null, 'some free cell took the meeting');
  await organizer.waitForSelector(`${card}[data-slot="${movedTo}"]`);
  assert.ok(await organizer.isHidden($('match-grid-conflicts')));
  assert.match(await organizer.textContent($('match-grid-status')), /moved/i);
  noErrors(organizer);
});

test('publishing asks first, then books every meeting; the run turns read-only', async () => {
  await organizer.click($('match-publish'));
  await organizer.waitForSelector(`${$('match-publish-confirm')}:not([hidden])`);
  assert.match(await organizer.textContent($('match-publish-question')), /\d/);
  await organizer.click($('match-publish-yes'));
  await organizer.waitForSelector(`${$('match-publish-result')}:not([hidden])`, { timeout: 30_000 });
  const count = Number(await organizer.getAttribute($('match-publish-result'), 'data-count'));
  assert.ok(count > 0, `published ${count}`);
  await organizer.waitForSelector($('match-run-published'));
  await organizer.waitForSelector(`${$('match-grid')}[data-read-only="true"]`);
  assert.equal(await organizer.$$eval(`${$('match-card')}[draggable="true"]`, (els) => els.length), 0);
  assert.equal(await organizer.$(`${$('match-grid')} ${$('match-move-open')}`), null);
  // The review table links each of Ivan's pairs to its meeting.
  await organizer.waitForSelector(`${$('match-pair-row')}[data-buyer-id="${ivanId}"] ${$('match-pair-meeting')}`);
  published = await organizer.$$eval(`${$('match-pair-row')}[data-buyer-id="${ivanId}"] ${$('match-pair-meeting')}`,
    (els) => els.map((e) => e.dataset.meetingId));
  assert.ok(published.length > 0);
  noErrors(organizer);
});

test('the buyer\'s meetings page lists the new confirmed meeting', async () => {
  await go(buyer, '#/meetings', `${$('meetings')}[data-loaded]`);
  for (const id of published) {
    await buyer.waitForSelector(`${$('meeting-row')}[data-meeting-id="${id}"][data-state="confirmed"]`);
  }
  noErrors(buyer);
});

test('the organizer page reopens the published run read-only after a reload', async () => {
  await organizer.reload();
  await organizer.waitForSelector(`${$('match-run-panel')}[data-published="true"]`);
  await organizer.waitForSelector(`${$('match-grid')}[data-read-only="true"]`);
  await organizer.setViewportSize(DESKTOP);
  noErrors(organizer);
});
