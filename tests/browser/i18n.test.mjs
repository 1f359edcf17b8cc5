// i18n.test.mjs — every page in each of the six languages, in a real browser: no English
// text of the interface is left on a page shown in Korean, Chinese, Russian, Japanese or
// Mongolian (a text node or a placeholder/title/aria-label/alt that reads as an English UI
// string, where the locale has its own), no translation key shown raw, no page error; names
// of countries, languages and time-zone cities in the page's language (Mongolian from CLDR,
// which Chromium lacks); the language switch fetches only the language it needs. Screenshots
// of the lobby and a booth in ru, zh and mn go to tests/browser/screenshots/ (and to
// docs/screenshots/ with I18N_DOC_SHOTS=1). Expects a server at $EXPO_URL with --demo data.
//
//   EXPO_URL=http://127.0.0.1:18080 node tests/browser/i18n.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { $, ACCOUNTS, BASE, DESKTOP, LANGS, SHOTS, go, newPage, settle, sharedBrowser, signIn } from './helpers.mjs';

const COMPANY_ID = 1;
const DOC_SHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const locale = (lang) => JSON.parse(readFileSync(new URL(`../../assets/locales/${lang}.json`, import.meta.url), 'utf8'));
const EN = locale('en');

/** The pages of each role (guests first): [hash, selector that says the page is drawn]. */
const PAGES = {
  guest: [
    ['#/login', $('login-submit')],
    ['#/register', $('register-submit')],
    ['#/accept', $('accept-error')],
    ['#/waiting', $('waiting-page')],
  ],
  buyer: [
    ['#/lobby', `${$('lobby')} ${$('booth-card')}`],
    [`#/booth/${COMPANY_ID}`, `${$('booth-page')}[data-loaded]`],
    ['#/inbox', $('inbox')],
    ['#/meetings', $('meetings')],
    [`#/meetings/book/${COMPANY_ID}`, `${$('slot-grid')}[data-count]`],
    ['#/meetings/busy', `${$('busy-grid')}[data-count]`],
    ['#/badge', $('badge')],
  ],
  exhibitor: [
    ['#/console', `${$('console')}[data-loaded]`],
    ['#/leads', `${$('leads-table-wrap')}[data-loaded]`],
    ['#/inbox', $('inbox')],
    ['#/meetings', $('meetings')],
    ['#/meetings/availability', `${$('availability-grid')}[data-count]`],
    ['#/scanner', $('scanner')],
    ['#/stats', $('company-stats')],
    ['#/buyers', `${$('buyers-page')}[data-loaded]`],
  ],
  organizer: [
    ['#/dashboard', `${$('dashboard')}[data-updates]`],
    ['#/reports', $('reports')],
    [`#/console/${COMPANY_ID}`, `${$('console')}[data-loaded]`],
    ['#/people', `${$('accounts')}[data-count]`],
    ['#/invitations', `${$('invitations')}[data-count]`],
    ['#/import', $('import-page')],
    // Matchmaking: one buyer's suggestions, a scheduler run (quality, the grid; nothing is
    // published), and the "Move…" picker open.
    ['#/matchmaking', `${$('matchmaking')}[data-loaded]`, async (page) => {
      const buyer = await page.$eval(`${$('match-buyer-select')} option:nth-child(2)`, (o) => o.value);
      await page.selectOption($('match-buyer-select'), buyer);
      await page.waitForSelector(`${$('match-suggestion')}, ${$('match-no-suggestions')}`);
      await page.click($('match-run'));
      await page.waitForSelector(`${$('match-run-result')}:not([hidden]) ${$('match-q-placed')}`);
      const move = await page.$($('match-move-open'));
      if (move) {
        await move.click();
        await page.waitForSelector(`${$('match-move-dialog')}[open]`);
      }
    }],
  ],
  interpreter: [
    ['#/meetings', $('meetings')],
  ],
};

/**
 * The English interface's words: each English string cut at its {placeholders}, the parts
 * with letters in them, except those the language writes the same (the product's name).
 */
function englishParts(lang) {
  const own = locale(lang);
  const parts = new Set();
  const pieces = (value) => (typeof value === 'string' ? [value] : Object.values(value))
    .flatMap((s) => s.split(/\{\w+\}/)).map((s) => s.trim().replace(/^[\s(:·,.–—-]+|[\s):·,–—-]+$/g, '')).filter((s) => /[A-Za-z]{2,}/.test(s));
  for (const [key, value] of Object.entries(EN)) {
    const theirs = new Set(pieces(own[key]));
    for (const piece of pieces(value)) if (!theirs.has(piece)) parts.add(piece);
  }
  return [...parts];
}

/**
 * Visible text and labels that read as the English interface: a text node or attribute that
 * is one of the English parts, or holds a part of two words or more. Returns
 * [{ text, part, where }]; also raw keys shown.
 */
function englishOnPage(page, parts, keys) {
  return page.evaluate(({ parts, keys }) => {
    const single = new Set(parts.filter((p) => !/\s/.test(p)));
    const phrases = parts.filter((p) => /\s/.test(p));
    const keySet = new Set(keys);
    const found = [];
    const check = (text, where) => {
      const value = text.replace(/\s+/g, ' ').trim();
      if (!value) return;
      if (keySet.has(value)) {
        found.push({ text: value, part: '(a key)', where });
        return;
      }
      if (single.has(value) || parts.includes(value)) {
        found.push({ text: value, part: value, where });
        return;
      }
      for (const phrase of phrases) {
        const at = value.indexOf(phrase);
        if (at < 0) continue;
        const before = value[at - 1] || ' ';
        const after = value[at + phrase.length] || ' ';
        if (!/[A-Za-z]/.test(before) && !/[A-Za-z]/.test(after)) {
          found.push({ text: value.slice(0, 120), part: phrase, where });
          return;
        }
      }
    };
    const visible = (el) => el.checkVisibility?.() !== false && !el.closest('[hidden]');
    // The switch names each language in itself: "English" is right in every language.
    const skip = (el) => el.closest('[data-testid="lang-switch"], script, style, noscript');
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || skip(el) || !visible(el)) continue;
      check(node.textContent, `${el.tagName.toLowerCase()}${el.dataset.testid ? `[${el.dataset.testid}]` : ''}`);
    }
    for (const el of document.querySelectorAll('[placeholder],[title],[aria-label],[alt]')) {
      if (skip(el) || !visible(el)) continue;
      for (const attr of ['placeholder', 'title', 'aria-label', 'alt']) {
        if (el.hasAttribute(attr)) check(el.getAttribute(attr), `${el.tagName.toLowerCase()}@${attr}`);
      }
    }
    return found;
  }, { parts, keys });
}

const shared = sharedBrowser();

/** Walks every page of every role in lang; returns what reads as English, and page errors. */
async function walk(lang) {
  const parts = englishParts(lang === 'en' ? 'ko' : lang);
  const keys = Object.keys(EN);
  const found = [];
  const errors = [];
  for (const [role, pages] of Object.entries(PAGES)) {
    const page = await newPage(shared.browser, { viewport: DESKTOP, lang });
    if (role !== 'guest') await signIn(page, ACCOUNTS[role]);
    for (const [hash, ready, act] of pages) {
      await go(page, hash, ready);
      if (act) await act(page);
      await settle(page, 300);
      assert.equal(await page.getAttribute('html', 'lang'), lang, `${role} ${hash}: <html lang>`);
      for (const hit of await englishOnPage(page, parts, keys)) found.push({ role, page: hash, ...hit });
    }
    errors.push(...page.errors.map((e) => `${role}: ${e}`));
    await page.context().close();
  }
  return { found, errors };
}

// English is the control: the check finds the English interface where it is (it is not
// blind), while the other languages must show none of it.
test('the check sees the English interface on an English page', async () => {
  const { found, errors } = await walk('en');
  assert.deepEqual(errors, []);
  const pages = new Set(found.map((f) => `${f.role} ${f.page}`));
  assert.ok(pages.size >= 15, `English words found on ${pages.size} pages: ${[...pages].join(', ')}`);
});

for (const lang of LANGS.filter((l) => l !== 'en')) {
  test(`no English interface text and no raw key on any page in ${lang}`, async () => {
    const { found, errors } = await walk(lang);
    writeFileSync(`${SHOTS}english-left-${lang}.json`, JSON.stringify(found, null, 1));
    assert.deepEqual(errors, [], `page errors in ${lang}`);
    assert.deepEqual(found, [], `English left in ${lang}:\n${found.map((f) => `${f.role} ${f.page} ${f.where}: "${f.text}" (${f.part})`).join('\n')}`);
  });
}

test('country, language and city names in the page language (Mongolian from CLDR)', async () => {
  const expected = {
    ru: { country: 'Россия', language: 'корейский', city: 'Сеул' },
    mn: { country: 'Орос', language: 'солонгос', city: 'Сөүл' },
    zh: { country: '俄罗斯', language: '韩语', city: '首尔' },
  };
  for (const [lang, want] of Object.entries(expected)) {
    const page = await newPage(shared.browser, { lang, timezoneId: 'Asia/Seoul' });
    await page.goto(`${BASE}/#/register`);
    await page.waitForSelector($('register-submit'));
    const options = await page.$$eval(`${$('register-country')} option`, (els) => els.map((e) => [e.value, e.textContent]));
    assert.ok(options.some(([v, text]) => v === 'RU' && text === want.country), `${lang}: RU is ${want.country}`);
    assert.ok(options.every(([v, text]) => !v || text !== v), `${lang}: no country shown as its code`);
    const languages = await page.$$eval(`${$('register-form')} input[name="languages"] + span`, (els) => els.map((e) => e.textContent));
    assert.ok(languages.includes(want.language), `${lang}: ${languages.join(', ')}`);
    const zone = await page.$eval($('register-timezone'), (el) => el.selectedOptions[0].textContent);
    assert.match(zone, new RegExp(`^${want.city} \\(GMT\\+9\\)$`), `${lang}: the zone reads ${zone}`);
    // Dates: the month in the language, not English.
    const day = await page.evaluate(async () => {
      const i18n = await import('/i18n.js');
      return i18n.formatDate(Date.UTC(2026, 10, 28, 3), { dateStyle: 'full', timeZone: 'Asia/Seoul' });
    });
    assert.doesNotMatch(day, /November|Saturday/, `${lang}: ${day}`);
    if (lang === 'mn') assert.match(day, /арван нэгдүгээр сар/, day);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

test('a page fetches only its own language; a switch fetches the next one', async () => {
  const page = await newPage(shared.browser, { lang: 'ru' });
  const fetched = [];
  page.on('request', (r) => {
    const m = /\/(locales\/\w+\.json|vendor\/cldr\/[\w.]+\.json)$/.exec(new URL(r.url()).pathname);
    if (m) fetched.push(m[1]);
  });
  await page.goto(`${BASE}/#/login`);
  await page.waitForSelector($('login-submit'));
  assert.equal(await page.textContent($('login-submit')), locale('ru')['login.submit']);
  assert.deepEqual(fetched.sort(), ['locales/ru.json', 'vendor/cldr/ru.zones.json']);
  await page.selectOption($('lang-switch'), 'mn');
  await page.waitForSelector('html[lang="mn"]');
  assert.equal(await page.textContent($('login-submit')), locale('mn')['login.submit']);
  // Chromium has no Mongolian in Intl, so the CLDR names come too.
  assert.deepEqual(fetched.slice(2).sort(), ['locales/mn.json', 'vendor/cldr/mn.names.json', 'vendor/cldr/mn.zones.json']);
  await page.context().close();
});

test('screenshots of the lobby and a booth in ru, zh and mn', async () => {
  for (const lang of ['ru', 'zh', 'mn']) {
    const page = await newPage(shared.browser, { viewport: DESKTOP, lang, timezoneId: 'Asia/Vladivostok' });
    await signIn(page, ACCOUNTS.buyer);
    for (const [name, hash, ready] of [
      ['lobby', '#/lobby', `${$('lobby')} ${$('booth-card')}`],
      ['booth', `#/booth/${COMPANY_ID}`, `${$('booth-page')}[data-loaded]`],
    ]) {
      await go(page, hash, ready);
      await settle(page, 300);
      await page.waitForTimeout(500);
      const file = `i18n-${name}-${lang}.png`;
      await page.screenshot({ path: `${SHOTS}${file}` });
      if (process.env.I18N_DOC_SHOTS) await page.screenshot({ path: `${DOC_SHOTS}${file}` });
    }
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});
