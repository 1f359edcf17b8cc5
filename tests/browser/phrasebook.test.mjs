// phrasebook.test.mjs — real-browser test of the chat phrasebook (issue 12 item 4), with two
// people at once: the buyer Ivan Petrov reads the fair in Russian, the exhibitor Park Ji-hoon
// (Seorak Natural Foods, company 1) in Korean. Ivan opens a private conversation from booth 1
// and picks phrases from the phrasebook beside the message box, one with an Incoterms
// parameter; Park sees each of them live, in Korean, marked as a phrasebook phrase, with
// Ivan's Russian a click away; Ivan sees them in Russian. Park answers with a phrase in
// Korean (a number of days filled in) and Ivan reads it in Russian; free text stays as
// written. Screenshots of both sides (phrasebook-{ru,ko}.png) and of the picker
// (phrasebook-picker-ru.png) go to tests/browser/screenshots/, and with PHRASEBOOK_DOC_SHOTS=1
// to docs/screenshots/ too (on a fresh demo server, so the conversation holds only these).
// Expects a server at $EXPO_URL with --demo data (run.sh starts one).
//
//   EXPO_URL=http://127.0.0.1:18080 node tests/browser/phrasebook.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { $, ACCOUNTS, BASE, SHOTS, closeToasts, launch, newPage, signIn } from './helpers.mjs';

const DOC_SHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
mkdirSync(DOC_SHOTS, { recursive: true });

/** A screenshot of the page as it is, for the test's record and (when asked) the docs. */
async function shot(page, name) {
  await page.screenshot({ path: `${SHOTS}${name}.png` });
  if (process.env.PHRASEBOOK_DOC_SHOTS) await page.screenshot({ path: `${DOC_SHOTS}${name}.png` });
}
const COMPANY_ID = 1;
const CHAT = $('conversation-chat');
const RUN = Date.now() % 100000;

let browser;
let buyer; // Ivan Petrov, in Russian
let staff; // Park Ji-hoon, in Korean
let roomId;

before(async () => {
  browser = await launch();
});

after(async () => {
  await buyer?.context().close();
  await staff?.context().close();
  await browser?.close();
});

/** The newest stored message in the conversation (not one still "sending…"). */
function lastMessage(page) {
  return page.locator(`${CHAT} ${$('chat-messages')} ${$('chat-message')}`).last();
}

/** Waits until the newest stored message is the phrase `id`, shown as `text`. */
async function waitForPhrase(page, id, text) {
  await page.waitForFunction(([sel, want, wantText]) => {
    const all = document.querySelectorAll(sel);
    const body = all[all.length - 1]?.querySelector('[data-testid="chat-body"]');
    return body?.dataset.phraseId === want && body.querySelector('[data-testid="chat-phrase-text"]')?.textContent === wantText;
  }, [`${CHAT} ${$('chat-messages')} ${$('chat-message')}`, id, text]);
}

/** Opens the phrasebook and picks a phrase (not sent yet). */
async function pick(page, id) {
  if (await page.getAttribute(`${CHAT} ${$('chat-phrases')}`, 'aria-expanded') !== 'true') {
    await page.click(`${CHAT} ${$('chat-phrases')}`);
  }
  await page.click(`${CHAT} ${$('phrase-option')}[data-phrase-id="${id}"]`);
  await page.waitForSelector(`${CHAT} ${$('phrase-chosen')}[data-phrase-id="${id}"]`);
}

test('a Russian buyer and a Korean exhibitor meet in a private conversation', async () => {
  buyer = await newPage(browser, { lang: 'ru' });
  await signIn(buyer, ACCOUNTS.buyer);
  await buyer.goto(`${BASE}/#/booth/${COMPANY_ID}`);
  await buyer.waitForSelector(`${$('booth-page')}[data-loaded]`);
  await buyer.click($('message-company'));
  await buyer.waitForURL(/#\/inbox\/\d+$/);
  roomId = Number(buyer.url().match(/#\/inbox\/(\d+)$/)[1]);
  await buyer.waitForSelector(`${CHAT}[data-joined="true"]`);

  staff = await newPage(browser, { lang: 'ko', timezoneId: 'Asia/Seoul' });
  await signIn(staff, ACCOUNTS.exhibitor);
  await staff.goto(`${BASE}/#/inbox/${roomId}`);
  await staff.waitForSelector(`${CHAT}[data-joined="true"]`);
  assert.equal(await staff.getAttribute('html', 'lang'), 'ko');
  assert.equal(await buyer.getAttribute('html', 'lang'), 'ru');
});

test('the phrasebook lists phrases by topic in the viewer\'s own language', async () => {
  await buyer.click(`${CHAT} ${$('chat-phrases')}`);
  await buyer.waitForSelector(`${CHAT} ${$('phrase-option')}`);
  const groups = await buyer.locator(`${CHAT} ${$('phrase-group')}`).count();
  assert.ok(groups >= 8, `topics: ${groups}`);
  assert.equal(
    await buyer.textContent(`${CHAT} ${$('phrase-option')}[data-phrase-id="ask_samples"]`),
    'Можете ли вы отправить нам образцы?',
  );
  assert.equal(
    await buyer.textContent(`${CHAT} ${$('phrase-group')}[data-group="samples"] h3`),
    'Образцы',
  );
  await closeToasts(buyer);
  await shot(buyer, 'phrasebook-picker-ru');
  await staff.click(`${CHAT} ${$('chat-phrases')}`);
  await staff.waitForSelector(`${CHAT} ${$('phrase-option')}`);
  assert.equal(
    await staff.textContent(`${CHAT} ${$('phrase-option')}[data-phrase-id="ask_samples"]`),
    '샘플을 보내 주실 수 있습니까?',
  );
  await staff.click(`${CHAT} ${$('phrase-close')}`);
  assert.ok(await staff.locator(`${CHAT} ${$('phrase-picker')}`).isHidden());
  assert.deepEqual(buyer.errors, []);
  assert.deepEqual(staff.errors, []);
});

test('a phrase sent by the Russian buyer is shown in Korean to the staff member, live, and in Russian to the buyer', async () => {
  // A phrase without parameters is sent as chosen.
  await pick(buyer, 'ask_samples');
  await buyer.click(`${CHAT} ${$('phrase-send')}`);
  await waitForPhrase(buyer, 'ask_samples', 'Можете ли вы отправить нам образцы?');
  await waitForPhrase(staff, 'ask_samples', '샘플을 보내 주실 수 있습니까?');

  // One with an Incoterms rule: the buyer picks FOB.
  await pick(buyer, 'ask_price');
  await buyer.selectOption(`${CHAT} ${$('phrase-param')}[data-param="incoterm"]`, 'FOB');
  await buyer.click(`${CHAT} ${$('phrase-send')}`);
  await waitForPhrase(buyer, 'ask_price', 'Какая у вас цена на условиях FOB?');
  await waitForPhrase(staff, 'ask_price', 'FOB 조건 가격은 얼마입니까?');
  assert.ok(await buyer.locator(`${CHAT} ${$('phrase-picker')}`).isHidden(), 'the picker closes after sending');

  // The staff side: marked as a phrasebook phrase, the buyer's Russian under "as sent".
  const got = lastMessage(staff);
  assert.equal(await got.locator($('chat-sender')).textContent(), ACCOUNTS.buyer.name);
  assert.equal(await got.locator($('chat-phrase-mark')).textContent(), '상용 문구');
  assert.equal(await got.locator($('chat-phrase-text')).getAttribute('lang'), 'ko');
  await got.locator(`${$('chat-phrase-original')} summary`).click();
  assert.equal(await got.locator($('chat-phrase-original-text')).textContent(), 'Какая у вас цена на условиях FOB?');
  // The buyer's own message is in his language already: nothing to toggle.
  assert.equal(await lastMessage(buyer).locator($('chat-phrase-original')).count(), 0);
  await closeToasts(staff);
  await closeToasts(buyer);
  await shot(staff, 'phrasebook-ko');
  assert.deepEqual(buyer.errors, []);
  assert.deepEqual(staff.errors, []);
});

test('the Korean staff member answers with a phrase and a number; the buyer reads it in Russian; free text stays as written', async () => {
  await pick(staff, 'lead_time_is');
  // A blank number is refused before anything is sent.
  await staff.click(`${CHAT} ${$('phrase-send')}`);
  await staff.waitForSelector(`${CHAT} ${$('chat-send-error')}:not([hidden])`);
  await staff.fill(`${CHAT} ${$('phrase-param')}[data-param="days"]`, '14');
  await staff.click(`${CHAT} ${$('phrase-send')}`);
  await waitForPhrase(staff, 'lead_time_is', '납기는 주문 확정 후 약 14일입니다.');
  await waitForPhrase(buyer, 'lead_time_is', 'Срок поставки — около 14 дн. после подтверждения заказа.');
  assert.equal(await lastMessage(buyer).locator($('chat-phrase-mark')).textContent(), 'Разговорник');

  const free = `Спасибо, жду образцы (${RUN})`;
  await buyer.fill(`${CHAT} ${$('chat-input')}`, free);
  await buyer.press(`${CHAT} ${$('chat-input')}`, 'Enter');
  await staff.waitForFunction(([sel, want]) => {
    const all = document.querySelectorAll(sel);
    const body = all[all.length - 1]?.querySelector('[data-testid="chat-body"]');
    return body && !body.dataset.phraseId && body.textContent === want;
  }, [`${CHAT} ${$('chat-messages')} ${$('chat-message')}`, free]);
  await buyer.waitForFunction((sel) => document.querySelectorAll(sel).length === 0, `${CHAT} ${$('chat-pending')}`);
  await closeToasts(buyer);
  await shot(buyer, 'phrasebook-ru');
  assert.deepEqual(buyer.errors, []);
  assert.deepEqual(staff.errors, []);
});

test('switching the language shows the same phrases in the new one', async () => {
  await staff.selectOption($('lang-switch'), 'en');
  await staff.waitForFunction(() => document.documentElement.lang === 'en');
  const shown = (id) => staff.locator(`${CHAT} ${$('chat-body')}[data-phrase-id="${id}"] ${$('chat-phrase-text')}`).last();
  assert.equal(await shown('lead_time_is').textContent(), 'The lead time is about 14 days after the order is confirmed.');
  assert.equal(await shown('ask_price').textContent(), 'What is your price on FOB terms?');
  assert.equal(await shown('ask_price').getAttribute('lang'), 'en');
  await staff.selectOption($('lang-switch'), 'ko');
  await staff.waitForFunction(() => document.documentElement.lang === 'ko');
  assert.deepEqual(staff.errors, []);
});
