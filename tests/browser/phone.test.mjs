// phone.test.mjs — the client on a phone (390×844) and as an installed app, issue 17: a compact
// header; the page's primary action in the first screen for the lobby (search), a booth (talk
// to staff), a conversation (the message box, still in view after scrolling the messages),
// the agenda, the video room, the exhibitor console (on duty) and the scanner; the manifest and
// the service worker, and an offline start that shows the app reconnecting (not an error),
// then loads once the network is back; browser notifications, in the receiver's language,
// for a private message and a talk request while the tab is hidden. Expects a server already
// running at $EXPO_URL with --demo data (run.sh starts one); run after room.test.mjs.
//
//   EXPO_URL=http://127.0.0.1:18080 node tests/browser/phone.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import {
  $, ACCOUNTS, BASE, DEMO_PASSWORD, PHONE, SHOTS, closeToasts, go, hide, newPage, recordNotifications, sharedBrowser, signIn,
} from './helpers.mjs';

const COMPANY_ID = 1;
const OLGA = { email: 'olga.smirnova@demo.expo', password: DEMO_PASSWORD, name: 'Olga Smirnova' };
const MAX_HEADER = 100;

const shared = sharedBrowser(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']);

/** The buyer's private conversation with the booth (opened from the booth): its room id. */
async function privateRoom(page) {
  await go(page, `#/booth/${COMPANY_ID}`, `${$('booth-page')}[data-loaded]`);
  await page.click($('message-company'));
  await page.waitForURL(/#\/inbox\/\d+$/);
  return Number(page.url().match(/#\/inbox\/(\d+)$/)[1]);
}

/** The element's box lies inside the first screen (below the header, above the bottom). */
async function inFirstScreen(page, selector) {
  const box = await page.locator(selector).first().boundingBox();
  assert.ok(box, `${selector} is shown`);
  const header = await page.locator('#topbar').boundingBox();
  assert.ok(box.y >= header.y + header.height - 1, `${selector} is not under the header (${box.y})`);
  assert.ok(box.y + box.height <= PHONE.height, `${selector} ends at ${Math.round(box.y + box.height)} px, in the first ${PHONE.height} px`);
}

test('a compact header, and each page\'s primary action in the first screen', async () => {
  const buyer = await newPage(shared.browser, { viewport: PHONE, isMobile: true });
  await signIn(buyer, ACCOUNTS.buyer);
  const header = await buyer.locator('#topbar').boundingBox();
  assert.ok(header.height <= MAX_HEADER, `the header is ${header.height} px high`);
  assert.ok(await buyer.isVisible($('nav-meetings')), 'the menu is in the header');

  await go(buyer, '#/lobby', `${$('lobby')} ${$('booth-card')}`);
  await inFirstScreen(buyer, $('search-input'));
  await buyer.screenshot({ path: `${SHOTS}phone-lobby.png` });

  await go(buyer, `#/booth/${COMPANY_ID}`, `${$('booth-page')}[data-loaded]`);
  await inFirstScreen(buyer, $('talk-to-staff'));
  await inFirstScreen(buyer, $('book-meeting'));
  await buyer.screenshot({ path: `${SHOTS}phone-booth.png` });

  await go(buyer, '#/meetings', $('meeting-agenda'));
  await inFirstScreen(buyer, `${$('meeting-agenda')} ${$('meeting-row')}`);
  await buyer.screenshot({ path: `${SHOTS}phone-agenda.png` });

  // A conversation: the message box is in view, and stays there when the messages scroll.
  const room = { id: await privateRoom(buyer) };
  await go(buyer, `#/inbox/${room.id}`, `${$('conversation-chat')}[data-joined="true"]`);
  for (let i = 0; i < 12; i += 1) {
    await buyer.fill(`${$('conversation-chat')} ${$('chat-input')}`, `Line ${i} of a long conversation from a phone`);
    await buyer.press(`${$('conversation-chat')} ${$('chat-input')}`, 'Enter');
  }
  await buyer.waitForFunction(() => document.querySelectorAll('[data-testid="conversation-chat"] [data-testid="chat-pending"]').length === 0);
  await inFirstScreen(buyer, `${$('conversation-chat')} ${$('chat-input')}`);
  await inFirstScreen(buyer, `${$('conversation-chat')} ${$('chat-send')}`);
  assert.equal(await buyer.evaluate(() => document.scrollingElement.scrollHeight <= innerHeight + 1), true, 'the page itself does not scroll');
  await buyer.mouse.wheel(0, -2000);
  await inFirstScreen(buyer, `${$('conversation-chat')} ${$('chat-input')}`);
  await buyer.screenshot({ path: `${SHOTS}phone-conversation.png` });

  // The video room: the controls in the first screen.
  const data = await buyer.evaluate(async () => (await fetch('/api/v1/meetings')).json());
  const now = Date.now();
  const meeting = (data.meetings || []).find((m) => m.state === 'confirmed' && m.mode === 'online' && m.starts_ms - 600_000 <= now && now < m.ends_ms);
  if (meeting) {
    await go(buyer, `#/room/${meeting.id}`, $('room-hangup'));
    await inFirstScreen(buyer, $('room-hangup'));
    await inFirstScreen(buyer, $('local-tile'));
    await buyer.screenshot({ path: `${SHOTS}phone-room.png` });
  }
  assert.deepEqual(buyer.errors, []);
  await buyer.context().close();

  const exhibitor = await newPage(shared.browser, { viewport: PHONE, isMobile: true });
  await signIn(exhibitor, ACCOUNTS.exhibitor);
  const exHeader = await exhibitor.locator('#topbar').boundingBox();
  assert.ok(exHeader.height <= MAX_HEADER, `the exhibitor's header is ${exHeader.height} px high`);
  await go(exhibitor, '#/console', `${$('console')}[data-loaded]`);
  await inFirstScreen(exhibitor, $('duty-toggle'));
  await exhibitor.screenshot({ path: `${SHOTS}phone-console.png` });
  assert.ok(await exhibitor.isVisible($('nav-scanner')), 'the scanner is in the phone menu');
  await go(exhibitor, '#/scanner', $('scanner'));
  await inFirstScreen(exhibitor, $('scan-camera'));
  await inFirstScreen(exhibitor, $('scan-code'));
  await exhibitor.screenshot({ path: `${SHOTS}phone-scanner.png` });
  assert.deepEqual(exhibitor.errors, []);
  await exhibitor.context().close();
});

test('installable: a manifest with icons and a service worker that keeps the shell', async () => {
  const page = await newPage(shared.browser, { viewport: PHONE, isMobile: true });
  await page.goto(`${BASE}/#/login`);
  const href = await page.getAttribute('link[rel="manifest"]', 'href');
  const manifest = await page.evaluate((url) => fetch(url).then((r) => r.json()), href);
  assert.equal(manifest.display, 'standalone');
  assert.equal(manifest.start_url, '/#/lobby');
  const sizes = manifest.icons.map((icon) => icon.sizes);
  assert.ok(sizes.includes('192x192') && sizes.includes('512x512'));
  for (const icon of manifest.icons) {
    const status = await page.evaluate((src) => fetch(src).then((r) => r.status), icon.src);
    assert.equal(status, 200, icon.src);
  }
  await page.waitForFunction(() => navigator.serviceWorker?.controller || navigator.serviceWorker?.ready.then(() => true), null, { timeout: 10_000 });
  const cached = await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    for (let i = 0; i < 50; i += 1) {
      const names = await caches.keys();
      if (names.length) {
        const cache = await caches.open(names[0]);
        const keys = (await cache.keys()).map((r) => new URL(r.url).pathname);
        if (keys.includes('/i18n.js')) return keys;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    return [];
  });
  for (const path of ['/', '/app.js', '/style.css', '/i18n.js', '/views/lobby.js', '/views/room.js', '/vendor/jsQR.js']) {
    assert.ok(cached.includes(path), `${path} is kept (have ${cached.length})`);
  }
  // Every file of the client is in the service worker's list (a new view must be added).
  const assets = new URL('../../assets/', import.meta.url);
  const files = readdirSync(assets, { recursive: true })
    .filter((f) => /\.(js|css|html|png|svg|webmanifest)$/.test(f) && f !== 'sw.js' && !/\.(LICENSE|md)$/.test(f))
    .map((f) => `/${f.split('\\').join('/')}`);
  const listed = readFileSync(new URL('sw.js', assets), 'utf8');
  for (const file of files) assert.ok(listed.includes(`'${file}'`), `sw.js keeps ${file}`);
  await page.context().close();
});

test('opened offline, the installed app shows itself reconnecting, then loads when back online', async () => {
  const page = await newPage(shared.browser, { viewport: PHONE, isMobile: true });
  await signIn(page, ACCOUNTS.buyer);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload(); // now under the service worker's control
  await page.waitForSelector(`${$('connection-status')}[data-state="connected"]`);
  await page.waitForFunction(() => Boolean(navigator.serviceWorker.controller));

  await page.context().setOffline(true);
  await page.reload(); // the app is opened again, without a network
  await page.waitForSelector(`${$('offline-banner')}:not([hidden])`);
  assert.equal(await page.textContent($('offline-banner')), 'Offline — reconnecting… Pages load as soon as the fair is back.');
  await page.waitForSelector($('lobby-welcome'));
  assert.equal(await page.textContent($('lobby-welcome')), `Welcome, ${ACCOUNTS.buyer.name}`);
  assert.match(await page.getAttribute($('connection-status'), 'data-state'), /connecting|reconnecting/);
  await page.waitForTimeout(1000); // the lobby's requests have failed by now
  assert.equal(await page.locator('.alert-error:visible').count(), 0, 'no error boxes, the banner says it');
  await page.screenshot({ path: `${SHOTS}phone-offline.png` });

  await page.context().setOffline(false);
  await page.waitForSelector(`${$('connection-status')}[data-state="connected"]`, { timeout: 30_000 });
  await page.waitForSelector(`${$('offline-banner')}[hidden]`, { state: 'attached' });
  await page.waitForSelector(`${$('lobby')} ${$('booth-card')}`);
  await page.context().close();
});

test('a hidden tab gets browser notifications, in the receiver\'s language', async () => {
  const buyer = await newPage(shared.browser, { viewport: PHONE, isMobile: true, lang: 'ru', permissions: ['notifications'] });
  await recordNotifications(buyer);
  await signIn(buyer, ACCOUNTS.buyer);
  assert.ok(await buyer.isHidden($('notify-enable')), 'already allowed: nothing to ask');
  const room = { id: await privateRoom(buyer) };
  await go(buyer, '#/lobby', $('lobby'));
  await hide(buyer);

  const exhibitor = await newPage(shared.browser, { permissions: ['notifications'] });
  await recordNotifications(exhibitor);
  await signIn(exhibitor, ACCOUNTS.exhibitor);
  await go(exhibitor, `#/inbox/${room.id}`, `${$('conversation-chat')}[data-joined="true"]`);
  await exhibitor.fill(`${$('conversation-chat')} ${$('chat-input')}`, 'Your samples left Sokcho today.');
  await exhibitor.press(`${$('conversation-chat')} ${$('chat-input')}`, 'Enter');
  const note = await buyer.waitForFunction(() => window.__notes.find((n) => n.tag.startsWith('chat-')), null, { timeout: 10_000 });
  const shown = await note.jsonValue();
  assert.equal(shown.title, `Новое сообщение от ${ACCOUNTS.exhibitor.name}`);
  assert.equal(shown.lang, 'ru');

  // Staff on duty, tab hidden: a visitor asks for them.
  await go(exhibitor, '#/console', `${$('console')}[data-loaded]`);
  await exhibitor.click($('duty-toggle'));
  await exhibitor.waitForSelector(`${$('duty-toggle')}[data-state="on"]`);
  await hide(exhibitor);
  const olga = await newPage(shared.browser);
  await signIn(olga, OLGA);
  await go(olga, `#/booth/${COMPANY_ID}`, `${$('booth-page')}[data-loaded]`);
  await olga.click($('talk-to-staff'));
  const talk = await exhibitor.waitForFunction(() => window.__notes.find((n) => n.tag.startsWith('talk-')), null, { timeout: 10_000 });
  assert.equal((await talk.jsonValue()).title, `${OLGA.name} would like to talk`);
  await olga.click($('talk-cancel'));
  await olga.waitForSelector(`${$('talk-status')}[data-state="cancelled"]`);

  for (const p of [buyer, exhibitor, olga]) {
    await closeToasts(p);
    assert.deepEqual(p.errors, []);
    await p.context().close();
  }
});
