// chat.test.mjs — real-browser test of the live chat, with two people at once: the exhibitor
// (Park Ji-hoon, Seorak Natural Foods, company 1) goes on duty in his console; the buyer
// (Ivan Petrov) enters booth 1, writes in the booth's public chat and clicks "Talk to staff";
// the exhibitor accepts from the notification and both land in their private conversation;
// messages go back and forth live (typing shown, markup shown as plain text, a deleted one
// replaced on both sides); the buyer's inbox badge counts a message he has not seen and
// clears once he opens it; a cut connection loses nothing and doubles nothing; an organizer
// mutes the buyer in the booth's chat, and the buyer's next message there is refused. Expects a server already running at $EXPO_URL with --demo data
// (run.sh starts one); screenshots go to tests/browser/screenshots/.
//
//   EXPO_URL=http://127.0.0.1:18080 node tests/browser/chat.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { $, ADMIN_PASSWORD, BASE, contextPage, launch, shot, signInWith as signIn } from './helpers.mjs';

const BUYER = { email: 'buyer@demo.expo', name: 'Ivan Petrov', company: 'Primorye Trade House' };
const EXHIBITOR = { email: 'exhibitor@demo.expo', name: 'Park Ji-hoon', company: 'Seorak Natural Foods' };
const ORGANIZER = { email: 'admin@expo.local', password: ADMIN_PASSWORD };
const COMPANY_ID = 1;
const DESKTOP = { width: 1280, height: 900 };
const RUN = Date.now() % 100000;
const HOSTILE = '<script>window.__x=1</script><b>hi</b>';

let browser;
let exhibitor; // Park Ji-hoon's page
let buyer; // Ivan Petrov's page
let roomId; // their private conversation

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

/** Waits until a message with exactly this text is shown (stored, not "sending…") in scope. */
async function waitForMessage(page, scope, text) {
  await page.waitForFunction(([sel, want]) =>
    [...document.querySelectorAll(`${sel} [data-testid="chat-messages"] [data-testid="chat-body"]`)]
      .some((el) => el.textContent === want), [scope, text]);
}

/** Types into the composer and sends with Enter. */
async function say(page, scope, text) {
  await page.fill(`${scope} ${$('chat-input')}`, text);
  await page.press(`${scope} ${$('chat-input')}`, 'Enter');
}

test('the exhibitor goes on duty; the buyer enters booth 1 and writes in its public chat', async () => {
  exhibitor = await newPage({ timezoneId: 'Asia/Seoul' });
  await signIn(exhibitor, EXHIBITOR.email);
  assert.equal(await exhibitor.textContent(`${$('nav-inbox')} > span:first-child`), 'Inbox');
  await exhibitor.click($('nav-console'));
  await exhibitor.waitForSelector(`${$('console')}[data-loaded]`);
  await exhibitor.click($('duty-toggle'));
  await exhibitor.waitForSelector(`${$('duty-toggle')}[data-state="on"][aria-checked="true"]`);

  buyer = await newPage();
  await signIn(buyer, BUYER.email);
  await buyer.goto(`${BASE}/#/booth/${COMPANY_ID}`);
  await buyer.waitForSelector(`${$('booth-page')}[data-loaded]`);
  assert.equal(await buyer.textContent($('booth-name')), EXHIBITOR.company);
  const chat = $('booth-chat');
  await buyer.waitForSelector(`${chat}[data-joined="true"]`);
  assert.equal(await buyer.getAttribute(chat, 'data-kind'), 'booth');

  const hello = `Hello from Vladivostok (${RUN})`;
  await say(buyer, chat, hello);
  await waitForMessage(buyer, chat, hello);
  const mine = buyer.locator(`${chat} ${$('chat-message')}`, { hasText: hello }).last();
  assert.equal(await mine.locator($('chat-sender')).textContent(), BUYER.name);
  assert.match(await mine.locator($('chat-sender-org')).textContent(), /Primorye Trade House · Russia/);
  assert.match(await mine.locator('time').textContent(), /^\d{1,2}:\d{2}/);
  // Stored: nothing left "sending…", and his own message may be deleted by him (menu).
  await buyer.waitForFunction((sel) => document.querySelectorAll(sel).length === 0, `${chat} ${$('chat-pending')}`);
  await mine.locator('summary').click();
  assert.ok(await mine.locator($('chat-delete')).isVisible(), 'the sender may delete his message');
  assert.equal(await mine.locator($('chat-block')).count(), 0, 'nobody blocks himself');
  await mine.locator('summary').click();
  // The composer refuses what the server would refuse: more than 2000 characters.
  await buyer.fill(`${chat} ${$('chat-input')}`, 'x'.repeat(2001));
  await buyer.click(`${chat} ${$('chat-send')}`);
  await buyer.waitForSelector(`${chat} ${$('chat-send-error')}:not([hidden])`);
  await buyer.fill(`${chat} ${$('chat-input')}`, '');
  await shot(buyer, '15-booth-chat', { fullPage: true });
  assert.deepEqual(buyer.errors, []);
  assert.deepEqual(exhibitor.errors, []);
});

test('Talk to staff: the exhibitor accepts and both land in the private conversation', async () => {
  assert.ok(buyer && exhibitor);
  await buyer.click($('talk-to-staff'));
  await buyer.waitForSelector(`${$('talk-status')}[data-state="open"]`);
  assert.equal(await buyer.textContent($('talk-status')), 'Asking the staff on duty…');

  // The exhibitor, still in his console, is asked.
  const toast = await exhibitor.waitForSelector(`${$('talk-toast')}[data-state="open"]`);
  assert.match(await toast.textContent(), new RegExp(`${BUYER.name} would like to talk`));
  assert.match(await toast.textContent(), /Primorye Trade House/);
  await exhibitor.click(`${$('talk-toast')} ${$('toast-accept')}`);
  await exhibitor.waitForURL(/#\/inbox\/\d+$/);
  roomId = Number(exhibitor.url().match(/#\/inbox\/(\d+)$/)[1]);
  const conv = $('conversation-chat');
  await exhibitor.waitForSelector(`${conv}[data-joined="true"][data-kind="private"]`);
  assert.match(await exhibitor.textContent($('conv-title')), /Ivan Petrov/);
  assert.match(await exhibitor.textContent($('conv-buyer')), /Primorye Trade House · Russia/);

  // The buyer hears who will talk with him and is taken to the same conversation.
  await buyer.waitForSelector(`${$('talk-outcome')}[data-state="taken"]`);
  assert.equal(await buyer.textContent(`${$('talk-outcome')} .toast-title`), `${EXHIBITOR.name} will talk with you.`);
  await buyer.waitForURL(new RegExp(`#/inbox/${roomId}$`));
  await buyer.waitForSelector(`${conv}[data-joined="true"][data-kind="private"]`);
  assert.equal(await buyer.textContent($('conv-title')), EXHIBITOR.company);
  await buyer.waitForSelector(`${$('conv-staff-online')}[data-online="true"]`);
  assert.deepEqual(buyer.errors, []);
  assert.deepEqual(exhibitor.errors, []);
});

test('messages appear live on both sides, typing shows, markup stays text, deletes spread', async () => {
  assert.ok(roomId);
  const conv = $('conversation-chat');
  const greeting = `Hello Mr Petrov, how can I help? (${RUN})`;
  await say(exhibitor, conv, greeting);
  await waitForMessage(exhibitor, conv, greeting);
  await waitForMessage(buyer, conv, greeting);

  // Typing: the exhibitor sees it (and the buyer never sees himself typing).
  await buyer.type(`${conv} ${$('chat-input')}`, 'Do you ship to Vladivostok?', { delay: 10 });
  await exhibitor.waitForFunction(
    ([sel, want]) => document.querySelector(sel)?.textContent === want,
    [`${conv} ${$('chat-typing')}`, `${BUYER.name} is typing…`],
  );
  assert.equal(await buyer.textContent(`${conv} ${$('chat-typing')}`), '');
  await buyer.press(`${conv} ${$('chat-input')}`, 'Enter');
  await waitForMessage(buyer, conv, 'Do you ship to Vladivostok?');
  await waitForMessage(exhibitor, conv, 'Do you ship to Vladivostok?');
  // Nobody told him staff are away: the exhibitor is on duty.
  assert.ok(await buyer.isHidden(`${conv} ${$('chat-staff-offline')}`));

  // Markup is text: shown as typed, never run, never rendered.
  await say(buyer, conv, HOSTILE);
  await waitForMessage(buyer, conv, HOSTILE);
  await waitForMessage(exhibitor, conv, HOSTILE);
  for (const page of [buyer, exhibitor]) {
    const body = page.locator(`${conv} ${$('chat-message')} ${$('chat-body')}`).last();
    assert.equal(await body.textContent(), HOSTILE);
    assert.equal(await body.locator('b, script').count(), 0);
    assert.equal(await page.evaluate(() => window.__x), undefined);
  }

  // The exhibitor deletes a message of his (staff may); both sides show "message deleted".
  const oops = `Sorry, wrong chat (${RUN})`;
  await say(exhibitor, conv, oops);
  await waitForMessage(buyer, conv, oops);
  const row = exhibitor.locator(`${conv} ${$('chat-message')}`, { hasText: oops });
  await row.locator('summary').click();
  exhibitor.once('dialog', (dialog) => dialog.accept());
  await row.locator($('chat-delete')).click();
  for (const page of [exhibitor, buyer]) {
    await page.waitForFunction(
      (sel) => [...document.querySelectorAll(sel)].some((el) => el.textContent === 'message deleted'),
      `${conv} ${$('chat-message')}.is-deleted ${$('chat-body')}`,
    );
  }
  assert.equal(await buyer.locator(`${conv} ${$('chat-body')}`, { hasText: oops }).count(), 0, 'the text is gone');
  // The buyer may block the exhibitor (a message from someone else), not delete his message.
  const theirs = buyer.locator(`${conv} ${$('chat-message')}`, { hasText: greeting });
  await theirs.locator('summary').click();
  assert.ok(await theirs.locator($('chat-block')).isVisible());
  assert.equal(await theirs.locator($('chat-delete')).count(), 0);
  assert.equal(await theirs.locator($('chat-ban')).count(), 0, 'only organizers ban');
  await theirs.locator('summary').click();

  await shot(exhibitor, '16-conversation-exhibitor', { fullPage: true });
  await shot(buyer, '17-conversation-buyer', { fullPage: true });
  assert.deepEqual(buyer.errors, []);
  assert.deepEqual(exhibitor.errors, []);
});

test('the buyer’s inbox badge counts a message he has not seen and clears when he opens it', async () => {
  assert.ok(roomId);
  // The demo data may hold other unread conversations: count from where he stands.
  await buyer.waitForSelector(`${$('inbox-list')}[data-loaded="true"]`);
  await buyer.waitForSelector(`${$('inbox-item')}[data-room-id="${roomId}"][data-unread="0"]`);
  await buyer.click($('nav-lobby'));
  await buyer.waitForSelector($('lobby'));
  const before = Number(await buyer.getAttribute($('inbox-badge'), 'data-count'));

  const later = `Our price list is ready for you (${RUN})`;
  const conv = $('conversation-chat');
  await say(exhibitor, conv, later);
  await waitForMessage(exhibitor, conv, later);
  await buyer.waitForSelector(`${$('inbox-badge')}[data-count="${before + 1}"]:not([hidden])`);
  assert.equal(await buyer.textContent($('inbox-badge')), String(before + 1));

  await buyer.click($('nav-inbox'));
  const item = `${$('inbox-item')}[data-room-id="${roomId}"]`;
  await buyer.waitForSelector(`${item} ${$('inbox-unread')}[data-count="1"]`);
  assert.equal(await buyer.textContent(`${item} ${$('inbox-title')}`), EXHIBITOR.company);
  await shot(buyer, '18-inbox', { fullPage: true });

  await buyer.click(`${item} a`);
  await buyer.waitForURL(new RegExp(`#/inbox/${roomId}$`));
  await waitForMessage(buyer, conv, later);
  await buyer.waitForSelector(`${$('inbox-badge')}[data-count="${before}"]`, { state: 'attached' });
  await buyer.waitForSelector(`${item}[data-unread="0"]`);
  assert.equal(await buyer.$(`${item} ${$('inbox-unread')}`), null);
  // The server agrees: nothing unread there after a reload.
  await buyer.reload();
  await buyer.waitForSelector(`${conv}[data-joined="true"]`);
  await waitForMessage(buyer, conv, later);
  await buyer.waitForSelector(`${$('inbox-list')}[data-loaded="true"] ${item}[data-unread="0"]`);
  assert.equal(Number(await buyer.getAttribute($('inbox-badge'), 'data-count')), before);
  await shot(buyer, '19-inbox-conversation', { fullPage: true });
  assert.deepEqual(buyer.errors, []);
  assert.deepEqual(exhibitor.errors, []);
});

test('nothing is lost across a reconnect: missed messages arrive once, one typed offline is sent once', async () => {
  assert.ok(roomId);
  const conv = $('conversation-chat');
  // The buyer in a second tab whose websocket the test can cut (and keep cut for a while).
  const tab = await newPage();
  let offline = false;
  const live = new Set();
  await tab.routeWebSocket(/\/ws(\?|$)/, (ws) => {
    if (offline) {
      ws.close({ code: 4000, reason: 'test: offline' });
      return;
    }
    const server = ws.connectToServer();
    live.add({ ws, server });
  });
  await signIn(tab, BUYER.email);
  await tab.goto(`${BASE}/#/inbox/${roomId}`);
  await tab.waitForSelector(`${conv}[data-joined="true"]`);

  offline = true;
  for (const { ws, server } of live) {
    ws.close({ code: 4000, reason: 'test: cut' });
    server.close();
  }
  live.clear();
  await tab.waitForSelector(`${$('connection-status')}:not([data-state="connected"])`);

  // While he is away, the exhibitor writes twice; he writes once (it waits, marked so).
  const missed = [`First while you were away (${RUN})`, `Second while you were away (${RUN})`];
  for (const text of missed) {
    await say(exhibitor, conv, text);
    await waitForMessage(exhibitor, conv, text);
  }
  const offlineText = `Written on a bad connection (${RUN})`;
  await say(tab, conv, offlineText);
  await tab.waitForSelector(`${conv} ${$('chat-pending')}[data-state="waiting"]`);
  assert.equal(await tab.textContent(`${conv} ${$('chat-pending-state')}`), 'waiting for the connection…');

  offline = false;
  await tab.waitForSelector(`${$('connection-status')}[data-state="connected"]`, { timeout: 30_000 });
  for (const text of [...missed, offlineText]) await waitForMessage(tab, conv, text);
  await waitForMessage(exhibitor, conv, offlineText);
  await tab.waitForFunction((sel) => document.querySelectorAll(sel).length === 0, `${conv} ${$('chat-pending')}`);

  for (const page of [tab, exhibitor]) {
    const shown = await page.$$eval(`${conv} ${$('chat-message')}`, (els) =>
      els.map((el) => ({ seq: Number(el.dataset.seq), text: el.querySelector('[data-testid="chat-body"]').textContent })));
    for (const text of [...missed, offlineText]) {
      assert.equal(shown.filter((m) => m.text === text).length, 1, `exactly one "${text}"`);
    }
    // In order, without gaps or repeats.
    shown.forEach((m, i) => {
      if (i > 0) assert.equal(m.seq, shown[i - 1].seq + 1, `seq ${m.seq} follows ${shown[i - 1].seq}`);
    });
    assert.ok(shown.findIndex((m) => m.text === missed[0]) < shown.findIndex((m) => m.text === missed[1]));
  }
  assert.deepEqual(tab.errors, []);
  assert.deepEqual(exhibitor.errors, []);
  await tab.context().close();
});

test('an organizer mutes the buyer in the booth chat; his next message there is refused', async () => {
  const organizer = await newPage({ timezoneId: 'Asia/Seoul' });
  await signIn(organizer, ORGANIZER.email, ORGANIZER.password);
  await organizer.goto(`${BASE}/#/booth/${COMPANY_ID}`);
  const chat = $('booth-chat');
  await organizer.waitForSelector(`${chat}[data-joined="true"]`);
  const row = organizer.locator(`${chat} ${$('chat-message')}[data-sender-id]`, { hasText: `Hello from Vladivostok (${RUN})` });
  await row.locator('summary').click();
  for (const action of ['chat-delete', 'chat-mute', 'chat-ban', 'chat-block']) {
    assert.ok(await row.locator($(action)).isVisible(), `organizers see ${action}`);
  }
  organizer.once('dialog', (dialog) => dialog.accept());
  await row.locator($('chat-mute')).click();
  await organizer.waitForSelector(`${$('booth-chat-note')}:not([hidden])`);
  assert.equal(await organizer.textContent($('booth-chat-note')), `${BUYER.name} is muted in this room.`);

  await buyer.goto(`${BASE}/#/booth/${COMPANY_ID}`);
  await buyer.waitForSelector(`${chat}[data-joined="true"]`);
  await say(buyer, chat, 'Am I still heard?');
  const failed = await buyer.waitForSelector(`${chat} ${$('chat-pending')}[data-state="failed"]`);
  assert.match(await failed.textContent(), /you may not write here/);
  await buyer.click(`${chat} ${$('chat-discard')}`);
  await buyer.waitForSelector(`${chat} ${$('chat-pending')}`, { state: 'detached' });
  assert.deepEqual(organizer.errors, []);
  assert.deepEqual(buyer.errors, []);
  await organizer.context().close();
});
