// lobby.test.mjs — real-browser test of the Expo Hub web client: headless Chromium (through
// playwright-core) signs in, registers, walks the lobby and watches presence change live
// over the websocket. It talks to a server that is already running at $EXPO_URL (run.sh
// starts one with --demo) and saves screenshots to tests/browser/screenshots/.
//
//   EXPO_URL=http://127.0.0.1:18080 node tests/browser/lobby.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { $, BASE, DEMO_PASSWORD, contextPage, launch, snap as shot, submitSignIn as signIn } from './helpers.mjs';

const BUYER = { email: 'buyer@demo.expo', name: 'Ivan Petrov' };
const EXHIBITOR = { email: 'exhibitor@demo.expo', name: 'Park Ji-hoon' };
const INTERPRETER = { email: 'interpreter@demo.expo' };
const DESKTOP = { width: 1280, height: 860 };
const PHONE = { width: 390, height: 844 };

let browser;
/** Signed-in buyer page, shared by the lobby tests that follow its sign-in. */
let buyer;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** A fresh browser context (own cookies and storage) with one page, errors surfaced. */
const newPage = ({ viewport = DESKTOP, locale = 'en-US' } = {}) => contextPage(browser, { viewport, locale, timezoneId: 'Asia/Vladivostok' });

/** The names in a page's Online-now list, in order. */
async function onlineNames(page) {
  return page.$$eval(`${$('online-list')} ${$('online-user-name')}`, (els) => els.map((e) => e.textContent));
}

/** Waits until the page's Online-now count reads `count`. */
async function waitForOnlineCount(page, count) {
  await page.waitForFunction(
    ([sel, want]) => document.querySelector(sel)?.textContent === want,
    [$('online-count'), String(count)],
  );
}

test('a wrong password shows the invalid-credentials error and stays on sign-in', async () => {
  const page = await newPage();
  await page.goto(`${BASE}/`);
  // Signed out, the root sends you to the sign-in page.
  await page.waitForSelector($('login-email'));
  assert.match(page.url(), /#\/login$/);
  assert.equal(await page.evaluate(() => document.compatMode), 'CSS1Compat', 'standards mode');
  await shot(page, '01-sign-in');

  await page.fill($('login-email'), BUYER.email);
  await page.fill($('login-password'), 'not-the-password');
  await page.click($('login-submit'));
  const error = await page.waitForSelector(`${$('login-error')}:not([hidden])`);
  assert.equal(await error.getAttribute('data-code'), 'invalid_credentials');
  assert.equal(await error.textContent(), 'The email or password is wrong.');
  assert.match(page.url(), /#\/login$/);
  assert.equal(await page.$(`${$('lobby')}`), null, 'no lobby after a failed sign-in');
  assert.equal(await page.inputValue($('login-email')), BUYER.email, 'the email is kept');
  await shot(page, '02-sign-in-error');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the language switch translates the page and is remembered', async () => {
  const page = await newPage();
  await page.goto(`${BASE}/#/login`);
  await page.waitForSelector($('login-submit'));
  assert.equal(await page.textContent($('login-submit')), 'Sign in');
  await page.selectOption($('lang-switch'), 'ko');
  await page.waitForSelector('html[lang="ko"]'); // the Korean strings are fetched on demand
  assert.equal(await page.textContent($('login-submit')), '로그인');
  assert.equal(await page.getAttribute('html', 'lang'), 'ko');
  await page.reload();
  await page.waitForSelector($('login-submit'));
  assert.equal(await page.textContent($('login-submit')), '로그인', 'still Korean after a reload');
  assert.equal(await page.inputValue($('lang-switch')), 'ko');
  await shot(page, '03-sign-in-ko');
  await page.context().close();
});

test('a buyer registers and is told to wait for approval; sign-in then shows the waiting page', async () => {
  const page = await newPage();
  await page.goto(`${BASE}/#/login`);
  await page.click($('register-link'));
  await page.waitForSelector($('register-form'));
  assert.match(page.url(), /#\/register$/);
  // The time zone is preselected from the browser's own.
  assert.equal(await page.inputValue($('register-timezone')), 'Asia/Vladivostok');

  const email = `olga.${Date.now()}@example.ru`;
  await page.fill($('register-name'), 'Olga <b>Smirnova</b>');
  await page.fill($('register-company_name'), 'Amur Import LLC');
  await page.fill($('register-email'), email);
  await page.fill($('register-password'), 'olga-password-1');
  await page.selectOption($('register-country'), 'RU');
  await page.check('input[name="interests"][value="food"]');
  await page.check($('register-share_contact'));
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, '04-register', { fullPage: true });
  await page.click($('register-submit'));

  const done = await page.waitForSelector($('register-done'));
  assert.equal(await done.textContent(), 'Thank you — waiting for approval');
  const text = await page.textContent($('register-page'));
  // The name is shown as text, markup and all: user input never becomes HTML.
  assert.ok(text.includes('Olga <b>Smirnova</b>'), text);
  assert.ok(text.includes(email), text);
  await shot(page, '05-register-done');
  // "What happens next" leads to the waiting page.
  await page.click($('register-what-next'));
  await page.waitForSelector(`${$('waiting-page')}[data-state="pending"]`);

  // Signing in before approval is not a bare refusal: the waiting page says where it stands.
  await signIn(page, email, 'olga-password-1');
  await page.waitForSelector(`${$('waiting-page')}[data-state="pending"] ${$('waiting-registered')}`);
  assert.match(await page.textContent($('waiting-page')), /Your registration is being reviewed/);
  assert.match(await page.textContent($('waiting-page')), new RegExp(email.replace(/[.]/g, '\\.')));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the buyer signs in and sees the lobby with themselves online', async () => {
  buyer = await newPage();
  await signIn(buyer, BUYER.email);
  await buyer.waitForSelector($('lobby'));
  assert.match(buyer.url(), /#\/lobby$/);

  const fair = await (await buyer.request.get(`${BASE}/api/v1/fair`)).json();
  await buyer.waitForSelector($('fair-name'));
  assert.equal(await buyer.textContent($('fair-name')), fair.name);
  assert.match(fair.name, /GTI Expo/);

  // Every hall is a filter choice; every company is in the (paginated) booth results.
  await buyer.waitForFunction((sel) => document.querySelectorAll(sel).length === 9, `${$('filter-hall')} option`);
  const total = await buyer.waitForSelector(`${$('results-count')}[data-total]`);
  assert.equal(Number(await total.getAttribute('data-total')), fair.companies, 'every company is a booth');
  assert.equal((await buyer.$$($('booth-card'))).length, Math.min(12, fair.companies), 'one page of 12');
  assert.equal(await buyer.getAttribute($('pager-pos'), 'data-pages'), String(Math.ceil(fair.companies / 12)));

  assert.equal(await buyer.textContent($('user-name')), BUYER.name);
  assert.equal(await buyer.textContent($('user-role')), 'Buyer');

  await waitForOnlineCount(buyer, 1);
  assert.deepEqual(await onlineNames(buyer), [BUYER.name]);
  await buyer.waitForSelector(`${$('connection-status')}[data-state="connected"]`);
  await shot(buyer, '06-lobby', { fullPage: true });
  // Marks this document: if the page reloaded later, the mark would be gone.
  await buyer.evaluate(() => { window.__expoNoReload = true; });
  assert.deepEqual(buyer.errors, []);
});

test('the exhibitor shows up live in the buyer’s list, once, and leaves when their pages close', async () => {
  assert.ok(buyer, 'the buyer signed in');
  const exhibitor = await newPage();
  await signIn(exhibitor, EXHIBITOR.email);
  await exhibitor.waitForSelector($('lobby'));
  await waitForOnlineCount(exhibitor, 2);

  // Live on the buyer's page, without a reload.
  await waitForOnlineCount(buyer, 2);
  assert.deepEqual((await onlineNames(buyer)).sort(), [BUYER.name, EXHIBITOR.name].sort());
  const entry = await buyer.waitForSelector(`${$('online-user')}:has-text("${EXHIBITOR.name}")`);
  assert.equal(await entry.getAttribute('data-role'), 'exhibitor');
  const entryText = await entry.textContent();
  assert.match(entryText, /Exhibitor/);
  assert.match(entryText, /Seorak Natural Foods/);
  assert.match(entryText, /KR/);

  // A second window of the same exhibitor (same cookie): still one entry, now with 2 windows.
  const secondWindow = await exhibitor.context().newPage();
  await secondWindow.goto(`${BASE}/`);
  await secondWindow.waitForSelector($('lobby'));
  await buyer.waitForSelector(`${$('online-user')}[data-role="exhibitor"][data-connections="2"]`);
  assert.equal(await buyer.textContent($('online-count')), '2');
  assert.equal((await onlineNames(buyer)).filter((n) => n === EXHIBITOR.name).length, 1);
  await shot(buyer, '07-lobby-two-online');

  await secondWindow.close();
  await buyer.waitForSelector(`${$('online-user')}[data-role="exhibitor"][data-connections="1"]`);
  assert.equal(await buyer.textContent($('online-count')), '2', 'one window left: still online');

  await exhibitor.close();
  await waitForOnlineCount(buyer, 1);
  assert.deepEqual(await onlineNames(buyer), [BUYER.name]);
  assert.equal(await buyer.evaluate(() => window.__expoNoReload), true, 'the buyer page never reloaded');
  assert.deepEqual(buyer.errors, []);
  await exhibitor.context().close();
});

test('a booth card opens the booth page with products and staff, and back again', async () => {
  assert.ok(buyer, 'the buyer signed in');
  await buyer.fill($('search-input'), 'Seorak');
  await buyer.press($('search-input'), 'Enter');
  await buyer.click(`${$('booth-card')}:has-text("Seorak Natural Foods") ${$('booth-link')}`);
  await buyer.waitForSelector($('booth-page'));
  assert.match(buyer.url(), /#\/booth\/\d+$/);
  assert.equal(await buyer.textContent($('booth-name')), 'Seorak Natural Foods');
  await buyer.waitForSelector(`${$('booth-products')} ${$('product-card')}`);
  assert.ok((await buyer.$$($('product-card'))).length >= 1);
  assert.match(await buyer.textContent($('booth-staff')), /Park Ji-hoon/);
  await shot(buyer, '08-company');
  await buyer.goBack();
  await buyer.waitForSelector($('lobby'));
  assert.equal(await buyer.inputValue($('search-input')), 'Seorak', 'the search is kept in the address');
  await buyer.fill($('search-input'), '');
  await buyer.press($('search-input'), 'Enter');
  await buyer.waitForFunction((sel) => document.querySelectorAll(sel).length === 12, $('booth-card'));
});

test('the lobby fits a phone screen', async () => {
  assert.ok(buyer, 'the buyer signed in');
  await buyer.setViewportSize(PHONE);
  await buyer.evaluate(() => window.scrollTo(0, 0));
  const overflow = await buyer.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
  assert.ok(await buyer.isVisible($('online-list')));
  assert.ok(await buyer.isVisible($('sign-out')));
  await shot(buyer, '09-lobby-phone');
  await buyer.setViewportSize(DESKTOP);
});

test('signing out returns to sign-in and ends the session', async () => {
  assert.ok(buyer, 'the buyer signed in');
  await buyer.click($('sign-out'));
  await buyer.waitForSelector($('login-email'));
  assert.match(buyer.url(), /#\/login$/);
  await buyer.goto(`${BASE}/#/lobby`);
  await buyer.waitForSelector($('login-email'));
  assert.match(buyer.url(), /#\/login$/, 'the lobby is closed to a signed-out browser');
  const me = await buyer.request.get(`${BASE}/api/v1/auth/me`);
  assert.equal(me.status(), 401);
  assert.deepEqual(buyer.errors, []);
  await buyer.context().close();
});

test('a session ended elsewhere (websocket close 4001) sends the page back to sign-in', async () => {
  const page = await newPage();
  await signIn(page, INTERPRETER.email);
  await page.waitForSelector(`${$('connection-status')}[data-state="connected"]`);
  assert.equal(await page.textContent($('user-role')), 'Interpreter');
  // Revoke this session behind the page's back (same cookie, another client).
  const response = await page.request.post(`${BASE}/api/v1/auth/logout`);
  assert.equal(response.status(), 204);
  const notice = await page.waitForSelector(`${$('login-notice')}:not([hidden])`);
  assert.equal(await notice.getAttribute('data-code'), 'token_revoked');
  assert.equal(await notice.textContent(), 'You were signed out. Please sign in again.');
  assert.match(page.url(), /#\/login$/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('an invited staff member accepts the invitation, chooses a password and enters the lobby', async () => {
  // The exhibitor (their company's admin) invites a colleague through the API.
  const login = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: EXHIBITOR.email, password: DEMO_PASSWORD }),
  });
  assert.equal(login.status, 200);
  const { token, user } = await login.json();
  const name = `Choi Min-ji ${Date.now() % 100000}`;
  const invite = await fetch(`${BASE}/api/v1/invitations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ email: `minji.${Date.now()}@seorak.example.kr`, name, role: 'exhibitor', company_id: user.company_id }),
  });
  assert.equal(invite.status, 201, await invite.clone().text());
  const { accept_path: acceptPath } = await invite.json();

  const page = await newPage();
  await page.goto(`${BASE}${acceptPath}`);
  await page.waitForSelector($('accept-form'));
  assert.ok(!page.url().includes('token='), 'the token is taken out of the address bar');
  await page.fill($('accept-password'), 'minji-password-1');
  await page.fill($('accept-confirm'), 'minji-password-2');
  await page.click($('accept-submit'));
  const error = await page.waitForSelector(`${$('accept-error')}:not([hidden])`);
  assert.equal(await error.getAttribute('data-code'), 'password_mismatch');

  await page.fill($('accept-confirm'), 'minji-password-1');
  await page.click($('accept-submit'));
  await page.waitForSelector($('lobby'));
  assert.equal(await page.textContent($('user-name')), name);
  assert.equal(await page.textContent($('user-role')), 'Exhibitor');
  await page.waitForSelector(`${$('online-user')}:has-text("${name}")`);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
