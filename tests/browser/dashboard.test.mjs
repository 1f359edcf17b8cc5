// dashboard.test.mjs — real-browser test of organizer monitoring. The organizer (admin@expo.local)
// opens the live dashboard and reads "online now"; the buyer (Ivan Petrov) signs in elsewhere
// and the organizer's figure rises without a reload (the hub room `dashboard`, pushed every
// few seconds), his booth visit shows in the booths table, and the figure falls again when his
// page closes. The reports page renders its sections for the whole fair and for today, and a
// section's CSV download is UTF-8 with a BOM and its header row; the XLSX workbook downloads
// too. The scanner takes the buyer's badge code typed (entrance, then a booth) and refuses an
// unknown one clearly. A second Chromium whose fake camera films the buyer's QR badge (a Y4M
// made from /api/v1/me/badge.svg) lets the exhibitor check him in at his booth by camera; the
// exhibitor's #/dashboard sends him to his own figures, where that onsite visit counts. The
// buyer's badge page shows the QR code, which jsQR reads back as his code.
// Expects a server already running at $EXPO_URL with --demo data (run.sh starts one);
// screenshots go to tests/browser/screenshots/.
//
//   EXPO_URL=http://127.0.0.1:18080 node tests/browser/dashboard.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { $, ADMIN_PASSWORD, BASE, closeToasts, contextPage, launch, markPage, notReloaded, shot, signInWith as signIn } from './helpers.mjs';

const BUYER = { email: 'buyer@demo.expo', name: 'Ivan Petrov', company: 'Primorye Trade House', country: 'Russia' };
const EXHIBITOR = { email: 'exhibitor@demo.expo', name: 'Park Ji-hoon', company: 'Seorak Natural Foods', companyId: 1 };
const ORGANIZER = { email: 'admin@expo.local', password: ADMIN_PASSWORD };
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
/** The server pushes a snapshot every 3 s by default: allow a few. */
const LIVE_MS = 20_000;

let browser;
let cameraBrowser; // films the buyer's badge
let tmp;
const pages = [];
let organizer;
let buyerCode; // Ivan Petrov's badge code
let buyerQrSvg; // ... and its QR code

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'expo-dashboard-'));
  browser = await launch();
});

after(async () => {
  for (const page of pages) await page.context().close().catch(() => {});
  await browser?.close();
  await cameraBrowser?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** A fresh browser context (own cookies and storage) with one page, errors surfaced. */
const newPage = ({ viewport = DESKTOP, timezoneId = 'Asia/Seoul', on = browser } = {}) => contextPage(on, { viewport, locale: 'en-US', timezoneId, acceptDownloads: true }, pages);

/** The number a dashboard figure shows (its data-value). */
async function figure(page, testid) {
  return Number(await page.getAttribute($(testid), 'data-value'));
}

/** Waits until a dashboard figure satisfies check(value); returns the value. */
async function waitFigure(page, testid, check, what) {
  const started = Date.now();
  let value;
  for (;;) {
    value = await figure(page, testid);
    if (check(value)) return value;
    if (Date.now() - started > LIVE_MS) throw new Error(`${testid} stayed at ${value}, wanted ${what}`);
    await page.waitForTimeout(250);
  }
}

/** What a chart shows, from its canvas's data-values. */
async function chartValues(page, testid) {
  return JSON.parse(await page.getAttribute(`${$(testid)} canvas`, 'data-values') || '{}');
}

/**
 * A Y4M video (Chromium's fake camera plays it in a loop) of a QR code drawn from the server's
 * badge SVG, whose path is one "M{x} {y}h{s}v{s}…" square per dark module.
 */
function qrVideo(svg, file) {
  const width = 640;
  const height = 480;
  const size = Number(/viewBox="0 0 (\d+) \d+"/.exec(svg)[1]);
  const squares = [...svg.matchAll(/M(\d+) (\d+)h(\d+)/g)].map((m) => m.slice(1).map(Number));
  assert.ok(squares.length > 50, `the badge SVG draws its modules (${squares.length})`);
  const scale = Math.floor(400 / size * 10) / 10;
  const left = Math.round((width - size * scale) / 2);
  const top = Math.round((height - size * scale) / 2);
  const y = Buffer.alloc(width * height, 235);
  for (const [x0, y0, s] of squares) {
    const x1 = left + Math.round(x0 * scale);
    const y1 = top + Math.round(y0 * scale);
    const x2 = left + Math.round((x0 + s) * scale);
    const y2 = top + Math.round((y0 + s) * scale);
    for (let row = y1; row < y2; row += 1) y.fill(16, row * width + x1, row * width + x2);
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2), 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma, chroma]);
  const frames = Array.from({ length: 10 }, () => frame);
  writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`), ...frames]));
}

// ---------------------------------------------------------------- the live dashboard

test('the organizer’s dashboard counts the buyer online live, without a reload, and his booth visit', async () => {
  organizer = await newPage();
  await signIn(organizer, ORGANIZER.email, ORGANIZER.password);
  assert.equal(await organizer.textContent($('nav-dashboard')), 'Dashboard');
  assert.equal(await organizer.textContent($('nav-reports')), 'Reports');
  await organizer.click($('nav-dashboard'));
  await organizer.waitForSelector(`${$('dashboard')}[data-updates]`);
  await organizer.waitForSelector(`${$('nav-dashboard')}[aria-current="page"]`);
  await organizer.waitForSelector(`${$('dashboard')}[data-charts="ready"]`);
  await organizer.waitForSelector(`${$('dashboard')}[data-live="true"]`);
  const before = await figure(organizer, 'dash-online-now');
  assert.ok(before >= 1, `the organizer counts himself (${before})`);
  assert.equal(await organizer.textContent(`${$('dash-online-now')} .stat-label`), 'Online now');
  for (const id of ['dash-onsite-today', 'dash-online-today', 'dash-both-today', 'dash-meetings-now', 'dash-chat-rate', 'dash-talk-missed', 'dash-unstaffed']) {
    assert.ok(Number.isFinite(await figure(organizer, id)), `${id} shows a number`);
  }
  assert.match(await organizer.textContent($('dash-updated')), /^Fair day \d{4}-\d{2}-\d{2} · live, updated \d{2}:\d{2}:\d{2}$/);
  const roles = await chartValues(organizer, 'chart-roles');
  assert.ok(roles.Organizer >= 1, `the role chart counts organizers (${JSON.stringify(roles)})`);
  const booths = await organizer.$$(`${$('dash-booths')} ${$('dash-booth-row')}`);
  assert.ok(booths.length >= 10, `every booth is listed (${booths.length})`);
  await markPage(organizer);
  // A pushed snapshot (not only the first GET) arrives while nobody else moves.
  const updates = Number(await organizer.getAttribute($('dashboard'), 'data-updates'));
  await organizer.waitForFunction(([sel, n]) => Number(document.querySelector(sel)?.dataset.updates) > n,
    [$('dashboard'), updates], { timeout: LIVE_MS });

  const buyer = await newPage({ timezoneId: 'Asia/Vladivostok' });
  await signIn(buyer, BUYER.email);
  const during = await waitFigure(organizer, 'dash-online-now', (n) => n >= before + 1, `at least ${before + 1}`);
  await notReloaded(organizer);
  assert.ok((await chartValues(organizer, 'chart-roles')).Buyer >= 1, 'the role chart counts the buyer');
  assert.ok((await chartValues(organizer, 'chart-countries')).Russia >= 1, 'the country chart counts Russia');
  assert.ok(Number(await organizer.getAttribute(`${$('chart-online-history')} canvas`, 'data-points')) >= 2,
    'the online line has points from several snapshots');
  assert.equal(Number(await organizer.getAttribute(`${$('chart-online-history')} canvas`, 'data-last')), during);

  // His badge code, for the scanner tests (through his own session).
  const badge = await buyer.evaluate(() => fetch('/api/v1/me/badge').then((r) => r.json()));
  assert.equal(badge.name, BUYER.name);
  assert.match(badge.code, /^EXPO-[A-Z0-9_-]+$/);
  buyerCode = badge.code;
  buyerQrSvg = await buyer.evaluate(() => fetch('/api/v1/me/badge.svg').then((r) => r.text()));
  assert.match(buyerQrSvg, /^<\?xml[\s\S]*<svg/);

  // He walks into booth 1: its row counts him.
  await buyer.goto(`${BASE}/#/booth/${EXHIBITOR.companyId}`);
  await buyer.waitForSelector(`${$('booth-page')}[data-loaded]`);
  const row = `${$('dash-booth-row')}[data-company-id="${EXHIBITOR.companyId}"]`;
  await organizer.waitForFunction((sel) => Number(document.querySelector(sel)?.dataset.visitors) >= 1, row, { timeout: LIVE_MS });
  assert.equal(await organizer.textContent(`${row} a`), EXHIBITOR.company);
  // Busy booths come first; nobody is on duty there, so it is marked unstaffed.
  assert.equal(await organizer.getAttribute(`${$('dash-booths')} ${$('dash-booth-row')}:first-child`, 'data-company-id'), String(EXHIBITOR.companyId));
  assert.match(await organizer.getAttribute(row, 'class'), /is-unstaffed/);
  await organizer.check($('dash-unstaffed-only'));
  const unstaffed = await organizer.$$eval(`${$('dash-booths')} ${$('dash-booth-row')}`, (rows) => rows.map((r) => r.dataset.staff));
  assert.ok(unstaffed.length > 0 && unstaffed.every((s) => s === '0'), 'the filter leaves booths without staff');
  await organizer.uncheck($('dash-unstaffed-only'));
  await organizer.waitForTimeout(600); // the charts' short animation
  await shot(organizer, '32-dashboard', { fullPage: true });

  // He leaves: the count falls back, still without a reload.
  await buyer.context().close();
  await waitFigure(organizer, 'dash-online-now', (n) => n < during, `below ${during}`);
  await notReloaded(organizer);
  assert.deepEqual(organizer.errors, []);
  assert.deepEqual(buyer.errors, []);
});

test('the dashboard follows the language switch', async () => {
  await organizer.selectOption($('lang-switch'), 'ko');
  await organizer.waitForSelector('html[lang="ko"]'); // the Korean strings are fetched on demand
  assert.equal(await organizer.textContent(`${$('dashboard')} h1`), '실시간 대시보드');
  assert.equal(await organizer.textContent(`${$('dash-online-now')} .stat-label`), '현재 접속자');
  assert.equal(await organizer.textContent($('nav-dashboard')), '대시보드');
  assert.ok('바이어' in await chartValues(organizer, 'chart-roles'), 'the chart labels are translated');
  await organizer.selectOption($('lang-switch'), 'en');
  await organizer.waitForSelector('html[lang="en"]');
  assert.equal(await organizer.textContent(`${$('dashboard')} h1`), 'Live dashboard');
});

// ---------------------------------------------------------------- reports

test('reports: every section as a table, a range of fair days, CSV with a BOM, and the workbook', async () => {
  await organizer.click($('nav-reports'));
  await organizer.waitForSelector(`${$('reports')}[data-loaded]`);
  assert.equal(await organizer.textContent($('reports-range-summary')), 'The whole fair · fair days in Seoul time');
  const sections = await organizer.$$eval(`${$('report-section')}`, (els) => els.map((el) => el.dataset.section));
  for (const name of ['summary', 'concurrency', 'visitors_by_country', 'booths', 'halls', 'meetings_by_country', 'meetings_by_hall',
    'interpreters', 'amounts_by_country', 'amounts_by_company']) {
    assert.ok(sections.includes(name), `the ${name} section is shown (${sections.join(', ')})`);
  }
  // The demo fair's meetings and outcomes are counted; today's visitors too.
  assert.ok(await figure(organizer, 'fig-meetings_requested') >= 1);
  assert.ok(await figure(organizer, 'fig-buyers_online') >= 1, 'the buyer was online');
  assert.match(await organizer.textContent(`${$('fig-contract_usd')} .stat-value`), /^\$[\d,]+$/);
  const boothRows = await organizer.$$(`${$('report-section')}[data-section="booths"] ${$('report-row')}`);
  assert.ok(boothRows.length >= 10);
  assert.equal(await organizer.textContent(`${$('report-section')}[data-section="booths"] thead th:first-child`), 'Company');
  const byCountry = await organizer.$$eval(`${$('report-section')}[data-section="meetings_by_country"] ${$('report-row')} td:first-child`,
    (tds) => tds.map((td) => td.textContent));
  assert.ok(byCountry.includes('Russia'), `countries by name (${byCountry.join(', ')})`);
  assert.ok(Number(await organizer.getAttribute($('concurrency-peak'), 'data-peak')) >= 1, 'the curve has a peak');
  assert.ok(Number(await organizer.getAttribute($('chart-concurrency-canvas'), 'data-points')) >= 1);

  // A section downloads as CSV: a BOM, then its header row.
  const csv = organizer.locator(`${$('report-section')}[data-section="booths"] ${$('report-csv')}`);
  const [download] = await Promise.all([organizer.waitForEvent('download'), csv.click()]);
  assert.equal(download.suggestedFilename(), 'booths.csv');
  const bytes = readFileSync(await download.path());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a BOM');
  const text = bytes.subarray(3).toString('utf8');
  assert.match(text, /^company_id,company,hall,visits,unique_visitors,onsite_visits,dwell_minutes,avg_dwell_minutes,leads,leads_with_contact\r?\n/);
  assert.match(text, /Seorak Natural Foods/);

  // Today only: the range goes into the address and the sections follow.
  const loaded = Number(await organizer.getAttribute($('reports'), 'data-loaded'));
  await organizer.click($('reports-range-today'));
  await organizer.waitForFunction(([sel, n]) => Number(document.querySelector(sel)?.dataset.loaded) > n, [$('reports'), loaded]);
  const today = await organizer.getAttribute($('reports'), 'data-from');
  assert.match(today, /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(await organizer.getAttribute($('reports'), 'data-to'), today);
  assert.ok(organizer.url().endsWith(`#/reports?from=${today}&to=${today}`), organizer.url());
  assert.match(await organizer.getAttribute(`${$('report-section')}[data-section="summary"] ${$('report-csv')}`, 'href'),
    new RegExp(`^/api/v1/reports/summary\\.csv\\?from=${today}&to=${today}$`));
  const [summaryCsv] = await Promise.all([organizer.waitForEvent('download'),
    organizer.click(`${$('report-section')}[data-section="summary"] ${$('report-csv')}`)]);
  assert.match(readFileSync(await summaryCsv.path(), 'utf8'), /^\uFEFFfigure,value\r?\nbuyers_online,\d+/);
  // The whole report as an Excel workbook (a ZIP).
  const xlsx = await organizer.evaluate(async (href) => {
    const response = await fetch(href);
    const bytes = new Uint8Array(await response.arrayBuffer());
    return { status: response.status, type: response.headers.get('content-type'), magic: String.fromCharCode(bytes[0], bytes[1]) };
  }, await organizer.getAttribute($('reports-xlsx'), 'href'));
  assert.deepEqual(xlsx, { status: 200, type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', magic: 'PK' });
  await organizer.waitForTimeout(400);
  await shot(organizer, '33-reports', { fullPage: true });

  // An end before the start is refused here, in words.
  await organizer.fill($('reports-range-from'), '2026-12-02');
  await organizer.fill($('reports-range-to'), '2026-12-01');
  await organizer.click($('reports-range-apply'));
  const refusal = await organizer.waitForSelector(`${$('reports-range-error')}:not([hidden])`);
  assert.equal(await refusal.textContent(), 'The start date is after the end date.');
  // A reload keeps the range that was shown.
  await organizer.reload();
  await organizer.waitForSelector(`${$('reports')}[data-loaded]`);
  assert.equal(await organizer.inputValue($('reports-range-from')), today);
  assert.deepEqual(organizer.errors, []);
});

// ---------------------------------------------------------------- the scanner

test('the scanner checks the buyer in by his typed badge code, at the entrance and at a booth', async () => {
  await organizer.goto(`${BASE}/#/dashboard`);
  await organizer.waitForSelector(`${$('dashboard')}[data-updates]`);
  const onsiteBefore = await figure(organizer, 'dash-onsite-today');
  await organizer.click($('dash-scanner'));
  await organizer.waitForSelector(`${$('scanner')}[data-role="organizer"]`);
  await organizer.waitForSelector(`${$('scan-place')} optgroup`, { state: 'attached' });
  assert.equal(await organizer.inputValue($('scan-place')), '', 'the entrance first');
  assert.equal(await organizer.textContent($('scan-place-note')), 'Each scan checks the visitor in to the fair.');

  // Typed in lower case with spaces, as people type.
  await organizer.fill($('scan-code'), `  ${buyerCode.toLowerCase()} `);
  await organizer.press($('scan-code'), 'Enter');
  await organizer.waitForSelector(`${$('scan-result')}[data-state="ok"]`);
  assert.equal(await organizer.textContent($('scan-result-name')), BUYER.name);
  assert.equal(await organizer.textContent($('scan-result-company')), BUYER.company);
  assert.equal(await organizer.textContent($('scan-result-country')), BUYER.country);
  assert.equal(await organizer.textContent($('scan-result-role')), 'Buyer');
  assert.equal(await organizer.textContent($('scan-result-place')), 'Entrance');
  assert.equal(await organizer.getAttribute($('scan-result-place'), 'data-place'), 'entrance');
  assert.equal(await organizer.inputValue($('scan-code')), '', 'the field is ready for the next badge');

  // An unknown code: refused, clearly, and the code is kept to correct.
  await organizer.fill($('scan-code'), 'EXPO-NOSUCHCODE');
  await organizer.click($('scan-submit'));
  await organizer.waitForSelector(`${$('scan-result')}[data-state="error"]`);
  assert.equal(await organizer.getAttribute($('scan-result-error'), 'data-code'), 'not_found');
  assert.equal(await organizer.textContent($('scan-result-error')), 'No badge has this code. Check the code and try again.');
  assert.equal(await organizer.textContent($('scan-result-code')), 'EXPO-NOSUCHCODE');
  assert.equal(await organizer.inputValue($('scan-code')), 'EXPO-NOSUCHCODE');
  // Nothing typed: said before anything is sent.
  await organizer.fill($('scan-code'), '');
  await organizer.click($('scan-submit'));
  await organizer.waitForSelector(`${$('scan-code-error')}:not([hidden])`);

  // At booth 1 now.
  await organizer.selectOption($('scan-place'), String(EXHIBITOR.companyId));
  assert.equal(await organizer.textContent($('scan-place-note')), 'Each scan is an onsite visit to this booth.');
  await organizer.fill($('scan-code'), buyerCode);
  await organizer.click($('scan-submit'));
  await organizer.waitForFunction((sel) => document.querySelector(sel)?.textContent === 'Seorak Natural Foods', $('scan-result-place'));
  assert.equal(await organizer.getAttribute($('scan-result-place'), 'data-place'), 'booth');
  const history = await organizer.$$eval(`${$('scan-history')} ${$('scan-row')}`, (rows) => rows.map((r) => r.dataset.state));
  assert.deepEqual(history, ['ok', 'error', 'ok'], 'this session’s scans, newest first');
  assert.equal(await organizer.textContent($('scan-count')), '2');
  await shot(organizer, '34-scanner');

  // The dashboard counts him on site today.
  await organizer.click($('nav-dashboard'));
  await organizer.waitForSelector(`${$('dashboard')}[data-updates]`);
  const onsite = await figure(organizer, 'dash-onsite-today');
  assert.ok(onsite >= 1 && onsite >= onsiteBefore, `on site today: ${onsiteBefore} → ${onsite}`);
  // The scans are still listed when the scanner opens again.
  await organizer.goto(`${BASE}/#/scanner`);
  await organizer.waitForSelector(`${$('scan-history')} ${$('scan-row')}`);
  assert.equal((await organizer.$$(`${$('scan-history')} ${$('scan-row')}`)).length, 3);
  assert.deepEqual(organizer.errors, []);
});

test('the exhibitor checks the buyer in at his booth with the phone camera reading the QR badge', async () => {
  const video = join(tmp, 'badge.y4m');
  qrVideo(buyerQrSvg, video);
  cameraBrowser = await launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`]);
  const staff = await newPage({ on: cameraBrowser, viewport: PHONE });
  await signIn(staff, EXHIBITOR.email);
  // On a phone the scanner is in the menu.
  await staff.click($('nav-scanner'));
  await staff.waitForSelector(`${$('scanner')}[data-role="exhibitor"]`);
  await staff.waitForFunction((sel) => document.querySelector(sel)?.textContent === 'Seorak Natural Foods', $('scan-place-fixed'));
  assert.equal(await staff.textContent($('scan-camera')), 'Start camera');
  await closeToasts(staff);
  await staff.click($('scan-camera'));
  await staff.waitForSelector(`${$('scan-camera-status')}[data-state="scanning"]`);
  assert.equal(await staff.textContent($('scan-camera')), 'Stop camera');
  await staff.waitForSelector(`${$('scan-result')}[data-state="ok"]`, { timeout: 20_000 });
  assert.equal(await staff.textContent($('scan-result-name')), BUYER.name);
  assert.equal(await staff.textContent($('scan-result-place')), EXHIBITOR.company);
  assert.equal(await staff.textContent(`${$('scan-history')} ${$('scan-row')} .badge`), 'Camera');
  // The badge stays in front of the camera: it is one scan, not one per frame.
  await staff.waitForTimeout(1500);
  assert.equal((await staff.$$(`${$('scan-history')} ${$('scan-row')}`)).length, 1);
  await closeToasts(staff);
  await shot(staff, '35-scanner-camera-phone');
  await staff.click($('scan-camera'));
  await staff.waitForSelector(`${$('scan-camera-status')}[data-state="idle"]`);
  assert.equal(await staff.evaluate(() => document.querySelector('[data-testid="scan-video"]').srcObject), null, 'the camera is released');
  assert.deepEqual(staff.errors, []);
});

// ---------------------------------------------------------------- an exhibitor's own figures

test('an exhibitor opening #/dashboard lands on his own booth figures, where the scan counts', async () => {
  const staff = await newPage();
  await signIn(staff, EXHIBITOR.email);
  assert.equal(await staff.$($('nav-dashboard')), null, 'no dashboard in his menu');
  assert.equal(await staff.textContent($('nav-stats')), 'Stats');
  await staff.goto(`${BASE}/#/dashboard`);
  await staff.waitForURL(/#\/stats$/);
  await staff.waitForSelector(`${$('company-stats')}[data-loaded]`);
  assert.equal(await staff.getAttribute($('company-stats'), 'data-company-id'), String(EXHIBITOR.companyId));
  assert.match(await staff.textContent($('cstats-company')), /^Seorak Natural Foods · /);
  assert.ok(await figure(staff, 'cstat-onsite_visits') >= 2, 'the organizer’s and his own booth scans are onsite visits');
  assert.ok(await figure(staff, 'cstat-visits') >= 3, 'the buyer’s online visit and the scans');
  assert.ok(await figure(staff, 'cstat-meetings-requested') >= 1, 'the demo’s meetings with his company');
  assert.match(await staff.textContent(`${$('cstat-contract_usd')} .stat-value`), /^\$[\d,]+$/);
  const states = await chartValues(staff, 'chart-company-meetings');
  assert.ok(states.Confirmed >= 1, `meetings by state (${JSON.stringify(states)})`);
  await staff.waitForTimeout(400);
  await shot(staff, '36-stats', { fullPage: true });
  // The reports are not his either; another company's figures are refused by the server.
  await staff.goto(`${BASE}/#/reports`);
  await staff.waitForURL(/#\/stats$/);
  await staff.goto(`${BASE}/#/stats/2`);
  const refusal = await staff.waitForSelector(`${$('cstats-error')}:not([hidden])`);
  assert.equal(await refusal.getAttribute('data-code'), 'forbidden');
  assert.deepEqual(staff.errors, []);
});

test('organizers open any booth’s figures; buyers get no dashboard, reports or scanner', async () => {
  await organizer.goto(`${BASE}/#/stats`);
  await organizer.waitForSelector(`${$('stats-picker')} ${$('stats-open')}`);
  await organizer.click(`${$('stats-picker')} [data-company-id="${EXHIBITOR.companyId}"] ${$('stats-open')}`);
  await organizer.waitForURL(new RegExp(`#/stats/${EXHIBITOR.companyId}$`));
  await organizer.waitForSelector(`${$('company-stats')}[data-loaded]`);
  assert.ok(await figure(organizer, 'cstat-onsite_visits') >= 2);

  const buyer = await newPage();
  await signIn(buyer, BUYER.email);
  for (const route of ['dashboard', 'reports', 'scanner']) {
    await buyer.goto(`${BASE}/#/${route}`);
    await buyer.waitForSelector($('forbidden'));
  }
  assert.equal(await buyer.$($('nav-dashboard')), null);
  assert.equal(await buyer.$($('nav-scanner')), null);
  assert.deepEqual(buyer.errors, []);
  await buyer.context().close();
});

// ---------------------------------------------------------------- the badge

test('the buyer’s badge page shows his QR code, which reads back as his code', async () => {
  const buyer = await newPage({ viewport: PHONE });
  await signIn(buyer, BUYER.email);
  await buyer.click($('nav-badge'));
  await buyer.waitForSelector(`${$('badge-qr')}`);
  assert.equal(await buyer.textContent($('badge-name')), BUYER.name);
  assert.equal(await buyer.textContent($('badge-code')), buyerCode);
  await buyer.waitForFunction((sel) => document.querySelector(sel)?.naturalWidth > 0, $('badge-qr'));
  // The picture is a real QR code of the code (decoded with the vendored jsQR).
  const read = await buyer.evaluate(async () => {
    await new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = '/vendor/jsQR.js';
      s.onload = resolve;
      s.onerror = reject;
      document.head.append(s);
    });
    const img = document.querySelector('[data-testid="badge-qr"]');
    const canvas = document.createElement('canvas');
    canvas.width = 300;
    canvas.height = 300;
    const c = canvas.getContext('2d');
    c.fillStyle = '#fff';
    c.fillRect(0, 0, 300, 300);
    c.drawImage(img, 30, 30, 240, 240);
    const data = c.getImageData(0, 0, 300, 300);
    return window.jsQR(data.data, 300, 300)?.data;
  });
  assert.equal(read, buyerCode);
  await closeToasts(buyer);
  await shot(buyer, '37-badge-phone');
  // The header's name leads to the badge for everyone.
  await organizer.click($('user-chip'));
  await organizer.waitForSelector(`${$('badge-code')}:not(:empty)`);
  assert.match(await organizer.textContent($('badge-code')), /^EXPO-/);
  await shot(organizer, '38-badge');
  assert.deepEqual(buyer.errors, []);
  assert.deepEqual(organizer.errors, []);
});
