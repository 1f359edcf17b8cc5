// helpers.mjs — what the browser tests share: launching Debian's Chromium, pages in fresh
// contexts at phone and desktop size, screenshots, signing in the demo accounts, closing
// toasts, a reload marker, a scan for text that overflows its box, and an axe-core
// accessibility scan.

import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const BASE = (process.env.EXPO_URL || '').replace(/\/+$/, '');
if (!BASE) {
  console.error('Set EXPO_URL to the running server, e.g. EXPO_URL=http://127.0.0.1:18080');
  process.exit(2);
}
export const ADMIN_PASSWORD = process.env.EXPO_ADMIN_PASSWORD || 'admin-password-123';
export const DEMO_PASSWORD = 'expo-demo-2026';
export const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
mkdirSync(SHOTS, { recursive: true });

export const PHONE = { width: 390, height: 844 };
export const SMALL_PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1366, height: 768 };
export const LANGS = ['ko', 'en', 'zh', 'ru', 'mn', 'ja'];

export const ACCOUNTS = {
  buyer: { email: 'buyer@demo.expo', password: DEMO_PASSWORD, name: 'Ivan Petrov' },
  exhibitor: { email: 'exhibitor@demo.expo', password: DEMO_PASSWORD, name: 'Park Ji-hoon', company: 'Seorak Natural Foods' },
  interpreter: { email: 'interpreter@demo.expo', password: DEMO_PASSWORD, name: 'Kim Natalia' },
  organizer: { email: 'admin@expo.local', password: ADMIN_PASSWORD, name: 'Fair Organizer' },
};

export const $ = (id) => `[data-testid="${id}"]`;

export async function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', ...extraArgs],
  });
}

/**
 * Launches Chromium before the test file's tests and closes it after them; meanwhile the
 * returned object's `browser` holds it.
 */
export function sharedBrowser(extraArgs = []) {
  const shared = { browser: null };
  before(async () => {
    shared.browser = await launch(extraArgs);
  });
  after(async () => {
    await shared.browser?.close();
  });
  return shared;
}

/**
 * The page of a context, errors surfaced: page.errors collects uncaught page errors. With
 * `pages`, the page is added to that list (the test file's `after` closes their contexts).
 */
async function pageOf(context, pages) {
  const page = await context.newPage();
  // Waits are bounds against a hang, not speed checks: the whole suite shares two cores, and
  // a live update that takes 15 s there (seen once, matchmaking's directory) is still right.
  page.setDefaultTimeout(60_000);
  page.errors = [];
  page.on('pageerror', (error) => page.errors.push(error.message));
  pages?.push(page);
  return page;
}

/** A fresh browser context (own cookies and storage) made with these options, with one page. */
export async function contextPage(browser, contextOptions, pages = null) {
  return pageOf(await browser.newContext(contextOptions), pages);
}

/** A page in its own context (en-US, scale 1; `lang` set as the app's chosen language). */
export async function newPage(browser, { viewport = DESKTOP, lang = null, timezoneId = 'Asia/Vladivostok', isMobile = false, permissions = [] } = {}, pages = null) {
  const context = await browser.newContext({
    viewport, locale: 'en-US', timezoneId, isMobile, hasTouch: isMobile, permissions,
    deviceScaleFactor: 1,
  });
  if (lang) await context.addInitScript((l) => localStorage.setItem('expo.lang', l), lang);
  return pageOf(context, pages);
}

/** A screenshot saved as SHOTS/<name>.png, as the page stands. */
export async function snap(page, name, options = {}) {
  await page.screenshot({ path: `${SHOTS}${name}.png`, ...options });
}

/** A screenshot saved as SHOTS/<name>.png, the page scrolled to its top first. */
export async function shot(page, name, options = {}) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await snap(page, name, options);
}

/** Fills in the sign-in form and submits it (waits for nothing). */
export async function submitSignIn(page, email, password = DEMO_PASSWORD) {
  await page.goto(`${BASE}/#/login`);
  await page.fill($('login-email'), email);
  await page.fill($('login-password'), password);
  await page.click($('login-submit'));
}

/** Signs in and waits for the lobby and the hub connection. */
export async function signInWith(page, email, password = DEMO_PASSWORD) {
  await submitSignIn(page, email, password);
  await page.waitForSelector($('lobby'));
  await page.waitForSelector(`${$('connection-status')}[data-state="connected"]`);
}

/** Signs one of ACCOUNTS in (see signInWith). */
export async function signIn(page, account) {
  await signInWith(page, account.email, account.password);
}

/** Reminders may pop up (a meeting starting within a day): close them, they cover the corner. */
export async function closeToasts(page) {
  for (const button of await page.$$(`${$('toasts')} ${$('toast-close')}`)) await button.click().catch(() => {});
}

/** Lets the page settle for `ms`, then closes its toasts. */
export async function settle(page, ms) {
  await page.waitForTimeout(ms);
  await closeToasts(page);
}

/** A marker that a reload would wipe. */
export async function markPage(page) {
  await page.evaluate(() => { window.__noReload = true; });
}

/** Asserts that the page marked by markPage was not reloaded since. */
export async function notReloaded(page) {
  assert.equal(await page.evaluate(() => window.__noReload), true, 'the page was not reloaded');
}

/**
 * Goes to a route and waits for the page's marker to appear. Within the app it only changes
 * the address's #route (as a link does); the page is loaded only when it is not the app yet.
 */
export async function go(page, hash, ready) {
  if (page.url().startsWith(`${BASE}/`)) await page.evaluate((route) => { window.location.hash = route; }, hash);
  else await page.goto(`${BASE}/${hash}`);
  if (ready) await page.waitForSelector(ready);
}

/**
 * Elements whose own text does not fit: text wider than its box (clipped, cut by an
 * ellipsis, or running out of it), or a box that runs past the right edge of the screen.
 * Scrolling containers (tables, strips) are allowed to be wider than their frame.
 */
export function overflowing(page) {
  return page.evaluate(() => {
    const found = [];
    const vw = document.documentElement.clientWidth;
    const scrolls = (el) => {
      for (let p = el; p && p !== document.body; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (/(auto|scroll)/.test(s.overflowX) && p.scrollWidth > p.clientWidth) return true;
      }
      return false;
    };
    for (const el of document.querySelectorAll('body *')) {
      if (!el.checkVisibility?.() || el.closest('[hidden],dialog:not([open]),.sr-only,.skip-link,noscript,script,style,option,select')) continue;
      const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (!own) continue;
      const style = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      if (box.width <= 1 && box.height <= 1) continue; // visually hidden, read out only
      if (style.display === 'inline' || style.display === 'contents') {
        const rect = el.getBoundingClientRect();
        if (rect.width && rect.right > vw + 1 && !scrolls(el)) found.push({ text: el.textContent.trim().slice(0, 60), why: 'past the screen', cls: el.className });
        continue;
      }
      if (el.clientWidth <= 1) continue; // inside a visually hidden box
      if (el.scrollWidth > el.clientWidth + 1 && !/(auto|scroll)/.test(style.overflowX)) {
        found.push({ text: el.textContent.trim().slice(0, 60), why: `text ${el.scrollWidth}px in ${el.clientWidth}px`, cls: String(el.className) });
        continue;
      }
      const rect = el.getBoundingClientRect();
      if (rect.right > vw + 1 && !scrolls(el)) found.push({ text: el.textContent.trim().slice(0, 60), why: 'past the screen', cls: String(el.className) });
    }
    return found;
  });
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core (WCAG 2.1 A and AA rules) on the page; returns serious and critical violations. */
export async function axeScan(page) {
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    resultTypes: ['violations'],
  }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n')[1] || ''}`) }));
}

/** Records the notifications the page shows (and still shows them). */
export async function recordNotifications(page) {
  await page.addInitScript(() => {
    const Real = window.Notification;
    window.__notes = [];
    class Recorded extends Real {
      constructor(title, options = {}) {
        super(title, options);
        window.__notes.push({ title, body: options.body || '', lang: options.lang || '', tag: options.tag || '' });
      }
    }
    window.Notification = Recorded;
  });
}

/** Makes the page believe its tab is hidden (another tab is in front). */
export function hide(page) {
  return page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

