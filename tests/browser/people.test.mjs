// people.test.mjs — the organizers' people desk in a real browser: the approval queue (approve
// one, reject one with a reason, approve a ticked one in bulk), a pending buyer's waiting page
// in Russian and a rejected one's reason, and the import page end to end (a buyers file with
// findings, then a clean one checked and confirmed, with its invitation links; a companies
// file's findings worded in Russian, none in the server's English), and the invitations
// page (send one; revoke an open one and send it again). Screenshots go to docs/screenshots/
// (people-desk.png, import-dry-run.png, waiting-ru.png). Expects a server at $EXPO_URL with
// --demo data (run.sh starts one).
//
//   EXPO_URL=http://127.0.0.1:18080 node tests/browser/people.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { $, ACCOUNTS, BASE, DEMO_PASSWORD, go, launch, newPage, signIn } from './helpers.mjs';

const DOC_SHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const RU = JSON.parse(readFileSync(new URL('../../assets/locales/ru.json', import.meta.url), 'utf8'));
const REASON = 'We could not confirm a trade registration for Osaka Select.';

let browser;
const pages = [];

before(async () => {
  browser = await launch();
});

after(async () => {
  for (const page of pages) await page.context().close().catch(() => {});
  await browser?.close();
});

/** A page in a fresh context, closed after the file's tests. */
const page = (options) => newPage(browser, options, pages);

const row = (email) => `${$('queue-row')}[data-email="${email}"]`;

test('the organizer approves one, rejects one with a reason and approves a ticked one in bulk', async () => {
  const p = await page({ viewport: { width: 1366, height: 900 } });
  await signIn(p, ACCOUNTS.organizer);
  await p.click($('nav-people'));
  await p.waitForSelector(`${$('queue')}[data-count]`);
  await p.waitForSelector(`${$('accounts')}[data-count]`);
  for (const lang of ['ru', 'mn', 'zh', 'ja']) await p.waitForSelector(row(`pending.${lang}@demo.expo`));
  // Countries and languages by name, dates by Intl.
  const zhRow = await p.textContent(row('pending.zh@demo.expo'));
  assert.match(zhRow, /China/);
  assert.match(zhRow, /Chinese/);
  await p.screenshot({ path: `${DOC_SHOTS}people-desk.png` });

  await p.click(`${row('pending.zh@demo.expo')} ${$('approve')}`);
  await p.waitForSelector(row('pending.zh@demo.expo'), { state: 'detached' });
  assert.match(await p.textContent($('people-notice')), /Li Wei/);

  await p.click(`${row('pending.ja@demo.expo')} ${$('reject')}`);
  await p.waitForSelector(`${$('reject-form')}:not([hidden])`);
  assert.match(await p.textContent($('reject-title')), /Tanaka Yui/);
  await p.fill($('reject-reason'), REASON);
  await p.click($('reject-confirm'));
  await p.waitForSelector(row('pending.ja@demo.expo'), { state: 'detached' });
  const rejected = `${$('account-row')}[data-email="pending.ja@demo.expo"]`;
  await p.waitForSelector(`${rejected} ${$('status-badge')}[data-status="rejected"]`);
  assert.equal(await p.textContent(`${rejected} ${$('account-reason')}`), REASON);

  // Bulk: tick one, approve the ticked.
  assert.equal(await p.isDisabled($('bulk-approve')), true);
  await p.check(`${row('pending.mn@demo.expo')} ${$('queue-select')}`);
  assert.equal(await p.isDisabled($('bulk-approve')), false);
  await p.click($('bulk-approve'));
  await p.waitForSelector(row('pending.mn@demo.expo'), { state: 'detached' });
  await p.waitForSelector(row('pending.ru@demo.expo'));
  const statuses = await p.evaluate(async () => {
    const { users } = await (await fetch('/api/v1/users?role=buyer')).json();
    return Object.fromEntries(users.filter((u) => u.email.startsWith('pending.')).map((u) => [u.email, u.status]));
  });
  assert.deepEqual(statuses, {
    'pending.ru@demo.expo': 'pending', 'pending.mn@demo.expo': 'active',
    'pending.zh@demo.expo': 'active', 'pending.ja@demo.expo': 'disabled',
  });

  // Search narrows the accounts.
  await p.fill($('filter-search'), 'khan trade');
  await p.waitForFunction(() => document.querySelector('[data-testid="accounts"]')?.dataset.count === '1');
  assert.equal(p.errors.length, 0, p.errors.join('\n'));
});

test('a pending buyer who signs in sees the waiting page in Russian; a rejected one the reason', async () => {
  const p = await page({ lang: 'ru' });
  await p.goto(`${BASE}/#/login`);
  await p.fill($('login-email'), 'pending.ru@demo.expo');
  await p.fill($('login-password'), DEMO_PASSWORD);
  await p.click($('login-submit'));
  await p.waitForSelector(`${$('waiting-page')}[data-state="pending"]`);
  assert.equal(await p.textContent(`${$('waiting-page')} h1`), RU['waiting.title']);
  // The date in Russian words (Intl), e.g. "29 ноября 2026 г., 23:14".
  const registered = await p.textContent($('waiting-registered'));
  assert.match(registered, /^Вы зарегистрировались \d{1,2} [а-я]+ \d{4}/);
  assert.equal(await p.locator(`${$('waiting-steps')} li`).count(), 3);
  assert.equal(await p.textContent(`${$('waiting-steps')} li >> nth=2`), RU['waiting.step3']);
  await p.screenshot({ path: `${DOC_SHOTS}waiting-ru.png` });
  // The page stays when reloaded (this tab keeps what the sign-in said), and leads back.
  await p.reload();
  await p.waitForSelector(`${$('waiting-page')}[data-state="pending"]`);
  await p.click($('waiting-back'));
  await p.waitForSelector($('login-form'));

  const rejected = await page({ lang: 'ja' });
  await rejected.goto(`${BASE}/#/login`);
  await rejected.fill($('login-email'), 'pending.ja@demo.expo');
  await rejected.fill($('login-password'), DEMO_PASSWORD);
  await rejected.click($('login-submit'));
  await rejected.waitForSelector(`${$('waiting-page')}[data-state="rejected"]`);
  assert.equal(await rejected.textContent($('waiting-reason')), REASON);
  assert.equal(p.errors.length + rejected.errors.length, 0, [...p.errors, ...rejected.errors].join('\n'));
});

test('the import page checks a buyers file, shows its findings, then imports a clean one', async () => {
  const p = await page({ viewport: { width: 1366, height: 900 } });
  await signIn(p, ACCOUNTS.organizer);
  await go(p, '#/import', $('import-page'));
  await p.selectOption($('import-kind'), 'buyers');
  const href = await p.getAttribute($('import-template'), 'href');
  const template = await p.evaluate(async (url) => (await fetch(url)).text(), href);
  assert.match(template, /^email,name,company,country,timezone,languages,interests,hs_codes,share_contact/);

  const stamp = Date.now().toString(36);
  const bad = [
    'email,name,company,country,timezone,languages,interests,hs_codes,share_contact',
    `irina.${stamp}@amur.example,Irina Volkova,Amur Fish,RU,Asia/Vladivostok,ru,seafood,0303,yes`,
    `ganaa.${stamp}@gobi.example,Ganaa Bold,Gobi Import,MN,Mars/Olympus,mn,cosmetics,,no`,
    `chen.${stamp}@dalian.example,Chen Jie,Dalian Parts,ZZ,Asia/Shanghai,zh,unobtainium,,yes`,
  ].join('\n');
  await p.setInputFiles($('import-file'), { name: 'buyers.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await p.click($('import-check'));
  await p.waitForSelector(`${$('import-results')}[data-state="findings"]`);
  const findings = await p.$$eval(`${$('finding')}`, (rows) => rows.map((r) => ({
    row: r.dataset.row, column: r.dataset.column,
    code: r.querySelector('[data-testid="finding-message"]').dataset.code,
    text: r.querySelector('[data-testid="finding-message"]').textContent,
  })));
  assert.deepEqual(findings.map((f) => [f.row, f.column, f.code]), [
    ['3', 'timezone', 'import.bad_timezone'],
    ['4', 'country', 'import.bad_country'],
    ['4', 'interests', 'import.unknown_concept'],
  ]);
  assert.match(findings[0].text, /Mars\/Olympus/);
  assert.equal(await p.isVisible($('import-confirm')), false, 'a file with findings cannot be imported');
  await p.screenshot({ path: `${DOC_SHOTS}import-dry-run.png`, fullPage: true });

  const good = [
    'email,name,company,country,timezone,languages,interests,hs_codes,share_contact',
    `irina.${stamp}@amur.example,Irina Volkova,Amur Fish,RU,Asia/Vladivostok,ru,seafood,0303,yes`,
    `ganaa.${stamp}@gobi.example,Ganaa Bold,Gobi Import,MN,Asia/Ulaanbaatar,mn;ru,cosmetics,,no`,
  ].join('\n');
  await p.setInputFiles($('import-file'), { name: 'buyers.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await p.click($('import-check'));
  await p.waitForSelector(`${$('import-results')}[data-state="clean"]`);
  assert.match(await p.textContent($('import-counts')), /2 rows: 2 new/);
  await p.click($('import-confirm'));
  await p.waitForSelector(`${$('import-results')}[data-state="applied"]`);
  const links = await p.$$eval($('import-link'), (rows) => rows.map((r) => [r.dataset.email.split('.')[0], r.dataset.language]));
  assert.deepEqual(links, [['irina', 'ru'], ['ganaa', 'mn']]);
  const url = await p.inputValue(`${$('import-link')} >> nth=0 >> ${$('import-link-box-url')}`);
  assert.match(url, /\/#\/accept\?token=/);

  // The invitations are on the invitations page, in each buyer's language.
  await p.click($('desk-tab-invitations'));
  await p.waitForSelector(`${$('invitations')}[data-count]`);
  const irina = `${$('invitation-row')}[data-email="irina.${stamp}@amur.example"]`;
  await p.waitForSelector(`${irina}[data-state="open"]`);
  assert.equal(await p.textContent(`${irina} ${$('invitation-language')}`), 'Русский');
  // The demo's accepted invitation shows when it was accepted.
  const accepted = `${$('invitation-row')}[data-email="interpreter@demo.expo"]`;
  assert.notEqual((await p.textContent(`${accepted} ${$('invitation-accepted')}`)).trim(), '');
  assert.equal(p.errors.length, 0, p.errors.join('\n'));
});

test('the import page words the findings of a companies file in the chosen language', async () => {
  const p = await page({ viewport: { width: 1366, height: 900 } });
  await signIn(p, ACCOUNTS.organizer);
  await go(p, '#/import', $('import-page'));
  await p.selectOption($('lang-switch'), 'ru');
  await p.waitForSelector('html[lang="ru"]');
  await p.selectOption($('import-kind'), 'companies');
  const long = 'x'.repeat(121);
  const file = ['reg_no,name,hall,country,colour', `101-81-99999,${long},nowhere,KR,green`].join('\n');
  await p.setInputFiles($('import-file'), { name: 'companies.csv', mimeType: 'text/csv', buffer: Buffer.from(file) });
  await p.click($('import-check'));
  await p.waitForSelector(`${$('import-results')}[data-state="findings"]`);
  const findings = await p.$$eval(`${$('finding')}`, (rows) => rows.map((r) => {
    const cell = r.querySelector('[data-testid="finding-message"]');
    return { row: r.dataset.row, column: r.dataset.column, code: cell.dataset.code, text: cell.textContent, lang: cell.getAttribute('lang') };
  }));
  assert.deepEqual(findings.map((f) => [f.row, f.column, f.code]), [
    ['1', 'colour', 'import.unknown_column'],
    ['2', 'hall', 'import.unknown_hall'],
    ['2', 'name', 'import.too_long'],
  ]);
  // Every finding in Russian, none in the server's English.
  assert.deepEqual(findings.filter((f) => f.lang === 'en'), []);
  const fill = (key, params) => RU[key].replace(/\{(\w+)\}/g, (_, name) => params[name]);
  assert.equal(findings[1].text, fill('importPage.finding.unknown_hall', { value: 'nowhere' }));
  assert.equal(findings[2].text, fill('importPage.finding.too_long', { column: 'name', max: '120' }));
  assert.match(findings[0].text, /colour/);
  for (const f of findings) assert.doesNotMatch(f.text, /\b(is|does|not|exist|characters|unknown)\b/, f.text);
  await p.selectOption($('lang-switch'), 'en');
  await p.waitForSelector('html[lang="en"]');
  assert.equal(p.errors.length, 0, p.errors.join('\n'));
});


test('invitations: send one, revoke an open one, and send it again with a new link', async () => {
  const p = await page();
  await signIn(p, ACCOUNTS.organizer);
  await go(p, '#/invitations', `${$('invitations')}[data-count]`);
  const enkhjin = `${$('invitation-row')}[data-email="enkhjin.dorj@demo.expo"]`;
  await p.waitForSelector(`${enkhjin}[data-state="open"]`);
  assert.equal(await p.textContent(`${enkhjin} ${$('invitation-language')}`), 'Монгол');

  await p.click(`${enkhjin} ${$('invite-revoke')}`);
  await p.waitForSelector(`${enkhjin}[data-state="revoked"]`);
  await p.waitForSelector($('invite-revoked'));
  await p.click(`${enkhjin} ${$('invite-resend')}`);
  await p.waitForSelector(`${enkhjin}[data-state="open"]`);
  const first = await p.inputValue($('invite-link-url'));
  assert.match(first, /\/#\/accept\?token=/);
  assert.match(await p.textContent($('invite-link')), /sends no email/);

  // A new interpreter invitation from the form.
  const email = `nomin.${Date.now().toString(36)}@interpret.example`;
  await p.fill($('invite-email'), email);
  await p.fill($('invite-name'), 'Nomin Erdene');
  await p.selectOption($('invite-role'), 'interpreter');
  await p.check(`${$('invite-language')}[value="mn"]`);
  await p.click($('invite-submit'));
  const row = `${$('invitation-row')}[data-email="${email}"]`;
  await p.waitForSelector(`${row}[data-state="open"]`);
  assert.equal(await p.textContent(`${row} ${$('invitation-language')}`), 'Монгол');
  assert.notEqual(await p.inputValue($('invite-link-url')), first);
  assert.equal(p.errors.length, 0, p.errors.join('\n'));
});
