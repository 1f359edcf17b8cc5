// a11y.test.mjs — accessibility and fit, issue 17: the skip link is the first stop of the
// keyboard and moves focus past the header; a page change puts focus on the new page's
// heading; axe-core (WCAG 2.1 A and AA) finds no serious or critical violation on the main
// pages of each role, at desktop and phone size; and no element's text overflows its box on
// the main pages in any of the six languages, at 360 px and at 1366 px. Expects a server
// already running at $EXPO_URL with --demo data (run.sh starts one).
//
//   EXPO_URL=http://127.0.0.1:18080 node tests/browser/a11y.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import {
  $, ACCOUNTS, BASE, DESKTOP, LANGS, PHONE, SHOTS, SMALL_PHONE, axeScan, go, newPage, overflowing, settle, sharedBrowser, signIn,
} from './helpers.mjs';

const COMPANY_ID = 1;

/** The main pages of each role: [hash, selector that says the page is drawn]. */
const PAGES = {
  buyer: [
    ['#/lobby', `${$('lobby')} ${$('booth-card')}`],
    [`#/booth/${COMPANY_ID}`, `${$('booth-page')}[data-loaded]`],
    ['#/inbox', $('inbox')],
    ['#/meetings', $('meetings')],
    [`#/meetings/book/${COMPANY_ID}`, `${$('slot-grid')}[data-count]`],
    ['#/badge', $('badge')],
  ],
  exhibitor: [
    ['#/console', `${$('console')}[data-loaded]`],
    ['#/leads', `${$('leads-table-wrap')}[data-loaded]`],
    ['#/scanner', $('scanner')],
    // Pages that fade their figures while they load are scanned once the figures are in.
    ['#/stats', `${$('company-stats')}[data-loaded]`],
  ],
  organizer: [
    ['#/dashboard', `${$('dashboard')}[data-updates]`],
    ['#/reports', `${$('reports')}[data-loaded]`],
    ['#/people', `${$('accounts')}[data-count]`],
    ['#/invitations', `${$('invitations')}[data-count]`],
    ['#/import', $('import-page')],
  ],
  interpreter: [
    ['#/meetings', $('meetings')],
  ],
};

const shared = sharedBrowser();

test('the skip link comes first and moves focus past the header', async () => {
  const page = await newPage(shared.browser, { viewport: PHONE });
  await signIn(page, ACCOUNTS.buyer);
  await page.reload(); // a fresh visit: the keyboard starts at the top
  await page.waitForSelector(`${$('lobby')} ${$('booth-card')}`);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'skip-link');
  assert.ok(await page.isVisible($('skip-link')), 'visible once focused');
  await page.keyboard.press('Enter');
  const focused = await page.evaluate(() => ({ tag: document.activeElement?.tagName, inApp: document.getElementById('app').contains(document.activeElement) }));
  assert.deepEqual(focused, { tag: 'H1', inApp: true });
  assert.match(page.url(), /#\/lobby$/, 'the route stays');
  await page.context().close();
});

test('a page change puts focus on the new page\'s heading', async () => {
  const page = await newPage(shared.browser);
  await signIn(page, ACCOUNTS.buyer);
  for (const [link, ready] of [['nav-meetings', $('meetings')], ['nav-inbox', $('inbox')], ['nav-lobby', $('lobby')]]) {
    await page.focus($(link));
    await page.keyboard.press('Enter');
    await page.waitForSelector(ready);
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
    assert.ok(await page.evaluate(() => document.querySelector('#app main')?.contains(document.activeElement)), `${link}: the heading of the new page`);
  }
  // A booth draws its heading when its data arrive: focus waits for it.
  await page.click(`${$('booth-card')} ${$('booth-link')}`);
  await page.waitForSelector(`${$('booth-page')}[data-loaded]`);
  await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
  await page.context().close();
});

for (const [role, pages] of Object.entries(PAGES)) {
  test(`axe-core: no serious or critical violations on the ${role}'s pages (desktop and phone)`, async () => {
    const found = [];
    for (const viewport of [DESKTOP, PHONE]) {
      const page = await newPage(shared.browser, { viewport });
      await signIn(page, ACCOUNTS[role]);
      for (const [hash, ready] of pages) {
        await go(page, hash, ready);
        await settle(page, 400);
        for (const v of await axeScan(page)) found.push({ page: hash, width: viewport.width, ...v });
      }
      await page.context().close();
    }
    writeFileSync(`${SHOTS}axe-${role}.json`, JSON.stringify(found, null, 1));
    assert.deepEqual(found, [], JSON.stringify(found, null, 2));
  });
}

test('axe-core: the sign-in page', async () => {
  const page = await newPage(shared.browser, { viewport: PHONE });
  await page.goto(`${BASE}/#/login`);
  await page.waitForSelector($('login-email'));
  assert.deepEqual(await axeScan(page), []);
  await page.context().close();
});

for (const viewport of [SMALL_PHONE, DESKTOP]) {
  test(`no text overflows its box in any language at ${viewport.width} px`, async () => {
    const found = [];
    for (const lang of LANGS) {
      for (const [role, pages] of Object.entries(PAGES)) {
        if (role === 'interpreter') continue;
        const page = await newPage(shared.browser, { viewport, lang });
        await signIn(page, ACCOUNTS[role]);
        for (const [hash, ready] of pages) {
          await go(page, hash, ready);
          await settle(page, 400);
          for (const o of await overflowing(page)) found.push({ lang, page: hash, ...o });
        }
        await page.context().close();
      }
    }
    writeFileSync(`${SHOTS}overflow-${viewport.width}.json`, JSON.stringify(found, null, 1));
    assert.deepEqual(found, [], JSON.stringify(found, null, 1));
  });
}
