// booth.test.mjs — real-browser test of virtual booths, end to end, with two people at once:
// the exhibitor (Park Ji-hoon, Seorak Natural Foods) uploads a PDF brochure in the console
// and goes on duty; the buyer (Ivan Petrov) searches the lobby, walks into a booth, sees the
// exhibitor on duty and himself counted, watches an edit of the tagline arrive without a
// reload, and opens the brochure; the exhibitor's leads then list him with it. Expects a
// server already running at $EXPO_URL with --demo data (run.sh starts one); screenshots go
// to tests/browser/screenshots/.
//
//   EXPO_URL=http://127.0.0.1:18080 node tests/browser/booth.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { $, ADMIN_PASSWORD, BASE, contextPage, launch, signInWith as signIn, snap as shot } from './helpers.mjs';

const BUYER = { email: 'buyer@demo.expo', name: 'Ivan Petrov' };
const EXHIBITOR = { email: 'exhibitor@demo.expo', name: 'Park Ji-hoon', company: 'Seorak Natural Foods' };
const ORGANIZER = { email: 'admin@expo.local', password: ADMIN_PASSWORD };
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const BROCHURE_TITLE = `Seorak Catalogue 2026 #${Date.now() % 100000}`;
const NEW_TAGLINE = `Wild greens from Seorak, sun-dried since 2004 (${Date.now() % 100000})`;

/** A 1×1 PNG; with `padTo`, followed by zeros up to that many bytes (still PNG by its magic). */
function png(padTo = 0) {
  const bytes = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
  return padTo > bytes.length ? Buffer.concat([bytes, Buffer.alloc(padTo - bytes.length)]) : bytes;
}

/** A small but complete PDF: header, objects, a cross-reference table with true offsets, trailer. */
function tinyPdf(text) {
  const safe = text.replace(/[^\x20-\x7e]/g, '?').replace(/([()\\])/g, '\\$1');
  const content = `BT /F1 24 Tf 72 760 Td (${safe}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(content)} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(pdf));
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(pdf);
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  pdf += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

let browser;
let exhibitor; // Park Ji-hoon's page
let buyer; // Ivan Petrov's page
let seorakId; // Seorak Natural Foods' company id

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** A fresh browser context (own cookies and storage) with one page, errors surfaced. */
const newPage = ({ viewport = DESKTOP, locale = 'en-US', timezoneId = 'Asia/Vladivostok' } = {}) => contextPage(browser, { viewport, locale, timezoneId });

/** Waits until the element's data-count reads `count`. */
async function waitForCount(page, selector, count) {
  await page.waitForFunction(
    ([sel, want]) => document.querySelector(sel)?.dataset.count === want,
    [selector, String(count)],
  );
}

/** The names listed under a selector (person rows). */
async function names(page, selector) {
  return page.$$eval(`${selector} .person-name`, (els) => els.map((e) => e.textContent));
}

test('the exhibitor’s console refuses a fake PDF, takes a real one, and goes on duty', async () => {
  exhibitor = await newPage({ timezoneId: 'Asia/Seoul' });
  await signIn(exhibitor, EXHIBITOR.email);
  assert.equal(await exhibitor.textContent($('nav-console')), 'My booth');
  assert.equal(await exhibitor.textContent($('nav-leads')), 'Leads');
  await exhibitor.click($('nav-console'));
  await exhibitor.waitForSelector(`${$('console')}[data-loaded]`);
  assert.match(exhibitor.url(), /#\/console$/);
  seorakId = Number(await exhibitor.getAttribute($('console'), 'data-company-id'));
  assert.ok(seorakId > 0);
  assert.match(await exhibitor.textContent($('console-company')), /Seorak Natural Foods/);
  assert.equal(await exhibitor.inputValue($('profile-name')), EXHIBITOR.company);
  await exhibitor.waitForSelector(`${$('nav-console')}[aria-current="page"]`);

  // Not a PDF at all, only named like one: the server looks at the bytes and says no.
  await exhibitor.fill($('brochure-title'), 'Not really a PDF');
  await exhibitor.setInputFiles($('brochure-file'), {
    name: 'catalogue.pdf', mimeType: 'application/pdf', buffer: Buffer.from('just some text, pretending\n'),
  });
  await exhibitor.click($('brochure-upload'));
  const refusal = await exhibitor.waitForSelector(`${$('brochure-error')}:not([hidden])`);
  assert.equal(await refusal.getAttribute('data-code'), 'validation');
  assert.match(await refusal.textContent(), /^The file was refused: ./);
  // (The demo booth already has its catalogue; the refused file is not added to it.)
  assert.equal(await exhibitor.$(`${$('console-brochures')} ${$('media-item')}:has-text("Not really a PDF")`), null, 'nothing was stored');

  // An empty form says what is missing, without asking the server.
  await exhibitor.fill($('brochure-title'), '');
  await exhibitor.setInputFiles($('brochure-file'), []);
  await exhibitor.click($('brochure-upload'));
  await exhibitor.waitForSelector(`${$('brochure-error')}[data-code="no_file"]:not([hidden])`);

  // A real (tiny) PDF goes through and is listed.
  await exhibitor.setInputFiles($('brochure-file'), {
    name: 'seorak-catalogue-2026.pdf', mimeType: 'application/pdf', buffer: tinyPdf('Seorak Natural Foods - catalogue 2026'),
  });
  assert.equal(await exhibitor.inputValue($('brochure-title')), 'seorak catalogue 2026', 'the title is proposed from the file name');
  await exhibitor.fill($('brochure-title'), BROCHURE_TITLE);
  await exhibitor.click($('brochure-upload'));
  await exhibitor.waitForSelector(`${$('console-brochures')} ${$('media-item')}:has-text("${BROCHURE_TITLE}")`);
  assert.ok(await exhibitor.isHidden($('brochure-error')), 'the earlier error is gone');
  const row = await exhibitor.textContent(`${$('console-brochures')} ${$('media-item')}:has-text("${BROCHURE_TITLE}")`);
  assert.match(row, /seorak-catalogue-2026\.pdf/);

  // On duty: the server confirms, and the booth's live panel lists him.
  assert.equal(await exhibitor.getAttribute($('duty-toggle'), 'aria-checked'), 'false');
  await exhibitor.click($('duty-toggle'));
  await exhibitor.waitForSelector(`${$('duty-toggle')}[data-state="on"][aria-checked="true"]`);
  assert.match(await exhibitor.textContent($('duty-status')), /You are on duty/);
  await exhibitor.waitForFunction(
    ([sel, name]) => [...document.querySelectorAll(`${sel} .person-name`)].some((e) => e.textContent === name),
    [$('console-on-duty'), EXHIBITOR.name],
  );
  assert.deepEqual(exhibitor.errors, []);
});

test('the console adds a product with a translation and a photo, links a video, refuses a too-large logo', async () => {
  assert.ok(exhibitor, 'the exhibitor is in the console');
  await exhibitor.click($('product-add'));
  await exhibitor.waitForSelector($('product-form'));
  await exhibitor.fill($('product-name'), 'Gondre Rice Kit');
  await exhibitor.fill($('product-hs'), '12');
  await exhibitor.fill($('product-price'), 'USD 6-8 FOB Sokcho');
  await exhibitor.fill($('product-min-order'), '200 boxes');
  await exhibitor.fill($('product-certs'), 'HACCP, Organic');
  await exhibitor.click($('product-tr-tab-ko'));
  await exhibitor.fill($('product-tr-ko-name'), '곤드레밥 키트');
  // The server's rule for HS codes comes back as a clear message next to the form.
  await exhibitor.click($('product-save'));
  const bad = await exhibitor.waitForSelector(`${$('product-error')}:not([hidden])`);
  assert.equal(await bad.getAttribute('data-code'), 'validation');
  assert.match(await bad.textContent(), /Please check the form: hs_code/);
  await exhibitor.fill($('product-hs'), '1904.90');
  await exhibitor.click($('product-save'));
  const row = `${$('console-product')}:has-text("Gondre Rice Kit")`;
  await exhibitor.waitForSelector(row);
  assert.match(await exhibitor.textContent(row), /HS 1904\.90/);

  // Edit it again: the Korean name came back from the server; add a photo.
  await exhibitor.click(`${row} ${$('product-edit')}`);
  await exhibitor.waitForSelector($('product-form'));
  assert.equal(await exhibitor.inputValue($('product-tr-ko-name')), '곤드레밥 키트');
  assert.equal(await exhibitor.inputValue($('product-certs')), 'haccp, organic');
  await exhibitor.setInputFiles($('photo-file'), { name: 'gondre-kit.png', mimeType: 'image/png', buffer: png() });
  await exhibitor.waitForSelector(`${$('product-photo-list')} ${$('media-item')} img`);
  await exhibitor.click($('product-cancel'));
  await exhibitor.waitForSelector(`${row} img.thumb`);

  // A video hosted elsewhere, as a link.
  await exhibitor.fill($('video-link-title'), 'A day at the drying racks');
  await exhibitor.fill($('video-link-url'), 'https://video.example.com/seorak-drying-racks');
  await exhibitor.click($('video-link-add'));
  await exhibitor.waitForSelector(`${$('console-videos')} ${$('media-item')}:has-text("A day at the drying racks")`);

  // Images are capped (5 MiB): a 6 MB logo is refused with a clear message, nothing stored.
  await exhibitor.setInputFiles($('logo-file'), { name: 'huge-logo.png', mimeType: 'image/png', buffer: png(6 * 1024 * 1024) });
  const tooLarge = await exhibitor.waitForSelector(`${$('logo-error')}:not([hidden])`);
  assert.equal(await tooLarge.getAttribute('data-code'), 'message_too_large');
  assert.match(await tooLarge.textContent(), /^The file is too large\./);
  assert.equal(await exhibitor.$($('logo-delete')), null, 'no logo was stored');
  // A small one is taken and shown.
  await exhibitor.setInputFiles($('logo-file'), { name: 'seorak-logo.png', mimeType: 'image/png', buffer: png() });
  await exhibitor.waitForSelector(`${$('logo-slot')} img.booth-logo`);
  assert.ok(await exhibitor.isHidden($('logo-error')), 'the earlier refusal is cleared');

  await exhibitor.evaluate(() => window.scrollTo(0, 0));
  await shot(exhibitor, '10-console', { fullPage: true });

  // Delete the product again (after confirming).
  exhibitor.once('dialog', (dialog) => dialog.accept());
  await exhibitor.click(`${row} ${$('product-delete')}`);
  await exhibitor.waitForSelector(row, { state: 'detached' });
  assert.deepEqual(exhibitor.errors, []);
});

test('the buyer searches the lobby, visits a booth and comes back to live cards', async () => {
  assert.ok(exhibitor, 'the exhibitor is on duty');
  buyer = await newPage();
  await signIn(buyer, BUYER.email);
  assert.equal(await buyer.$($('nav-console')), null, 'buyers have no booth console');
  assert.equal(await buyer.$($('nav-leads')), null, 'buyers have no leads');

  // Recommended for you: booths with a one-line reason.
  await buyer.waitForSelector(`${$('recommendations')}:not([hidden]) ${$('rec-card')}`);
  const reason = await buyer.textContent(`${$('rec-card')} ${$('rec-reason')}`);
  assert.ok(reason.trim().length > 3, `a reason: ${reason}`);

  // In the language the buyer chose, the reason names what the booth makes in that language
  // (labels from the product taxonomy), and a Russian word finds a booth written in English.
  await buyer.selectOption($('lang-switch'), 'ru');
  await buyer.waitForFunction((sel) => [...document.querySelectorAll(sel)]
    .some((el) => el.textContent.includes('производит: ')), `${$('rec-card')} ${$('rec-reason')}`);
  const reasons = await buyer.$$eval(`${$('rec-card')} ${$('rec-reason')}`, (els) => els.map((el) => el.textContent));
  assert.ok(reasons.some((r) => /продукты питания|морепродукты|косметика/.test(r)), reasons.join(' | '));
  assert.ok(reasons.every((r) => !/makes|staff speak/.test(r)), reasons.join(' | '));
  await buyer.fill($('search-input'), 'кимчи');
  await buyer.press($('search-input'), 'Enter');
  const found = await buyer.waitForSelector(`${$('booth-card')}:has-text("Pyeongchang Highland Greens") ${$('booth-matches')}`);
  assert.equal(await found.textContent(), 'Найдено: Highland Kimchi 1 kg');
  await buyer.selectOption($('lang-switch'), 'en');
  // Back to the whole lobby, as the buyer first saw it.
  await buyer.goto(`${BASE}/#/lobby`);
  await buyer.reload();
  await buyer.waitForSelector(`${$('results-count')}[data-total="40"]`);
  await buyer.waitForSelector(`${$('recommendations')}:not([hidden]) ${$('rec-card')}`);

  // Search.
  await buyer.fill($('search-input'), 'kimchi');
  await buyer.press($('search-input'), 'Enter');
  const card = await buyer.waitForSelector(`${$('booth-card')}:has-text("Pyeongchang Highland Greens")`);
  assert.match(buyer.url(), /#\/lobby\?q=kimchi$/);
  const total = Number(await buyer.getAttribute($('results-count'), 'data-total'));
  assert.ok(total >= 1 && total < 12, `kimchi narrows the results (${total})`);
  assert.equal((await buyer.$$($('booth-card'))).length, total);
  const cardText = await card.textContent();
  assert.match(cardText, /Hall A/);
  assert.match(cardText, /Pyeongchang/);
  assert.match(cardText, /Cabbage and potatoes/);
  assert.match(cardText, /kimchi/);
  await buyer.evaluate(() => window.scrollTo(0, 0));
  await shot(buyer, '11-lobby-search', { fullPage: true });

  // Into the booth: he is its one visitor.
  await card.$($('booth-link')).then((link) => link.click());
  await buyer.waitForSelector(`${$('booth-page')}[data-loaded]`);
  assert.equal(await buyer.textContent($('booth-name')), 'Pyeongchang Highland Greens');
  assert.match(await buyer.textContent($('booth-products')), /Highland Kimchi 1 kg/);
  await waitForCount(buyer, $('booth-visitors-now'), 1);
  assert.equal(await buyer.textContent($('booth-visitors-now')), '1 visitor here now');
  const pyeongchangId = await buyer.getAttribute($('booth-page'), 'data-company-id');

  // Back: the search is still there, and the card follows the booth live (he left: 0).
  await buyer.goBack();
  await buyer.waitForSelector($('lobby'));
  assert.equal(await buyer.inputValue($('search-input')), 'kimchi');
  await buyer.waitForSelector(`${$('booth-card')}[data-company-id="${pyeongchangId}"] ${$('booth-visitors')}[data-count="0"]`);

  // The exhibitor's booth shows as staffed now (he is on duty).
  await buyer.fill($('search-input'), 'Seorak');
  await buyer.press($('search-input'), 'Enter');
  const seorak = await buyer.waitForSelector(`${$('booth-card')}[data-company-id="${seorakId}"]`);
  assert.equal(await seorak.getAttribute('data-staffed'), 'true');
  // Filter "staffed now": the Seorak booth stays, unstaffed ones go.
  await buyer.fill($('search-input'), '');
  await buyer.check($('filter-staffed'));
  await buyer.waitForFunction((sel) => {
    const cards = [...document.querySelectorAll(sel)];
    return cards.length > 0 && cards.every((c) => c.dataset.staffed === 'true');
  }, $('booth-card'));
  assert.ok(await buyer.$(`${$('booth-card')}[data-company-id="${seorakId}"]`));
  assert.match(buyer.url(), /staffed=true/);
  assert.deepEqual(buyer.errors, []);
});

test('in the exhibitor’s booth the buyer sees him on duty and himself counted', async () => {
  assert.ok(buyer && seorakId, 'the buyer is in the lobby');
  await buyer.click(`${$('booth-card')}[data-company-id="${seorakId}"] ${$('booth-link')}`);
  await buyer.waitForSelector(`${$('booth-page')}[data-loaded]`);
  assert.equal(await buyer.textContent($('booth-name')), EXHIBITOR.company);
  await waitForCount(buyer, $('booth-visitors-now'), 1);
  await buyer.waitForFunction(
    ([sel, name]) => [...document.querySelectorAll(`${sel} .person-name`)].some((e) => e.textContent === name),
    [$('booth-on-duty'), EXHIBITOR.name],
  );
  assert.deepEqual(await names(buyer, $('booth-on-duty')), [EXHIBITOR.name]);
  // The staff list marks him on duty, with the languages he speaks.
  const staffRow = await buyer.waitForSelector(`${$('booth-staff')} li[data-on-duty="true"]`);
  assert.match(await staffRow.textContent(), /Park Ji-hoon/);
  assert.match(await staffRow.textContent(), /KO/);
  // His brochure is there, as a link that opens in a new tab.
  const link = await buyer.waitForSelector(`${$('brochure-link')}:has-text("${BROCHURE_TITLE}")`);
  assert.equal(await link.getAttribute('target'), '_blank');
  assert.match(await link.getAttribute('href'), /^\/api\/v1\/media\/\d+$/);
  // The logo and the video link from the console.
  assert.match(await buyer.getAttribute(`${$('booth-hero')} img.booth-logo`, 'src'), /^\/api\/v1\/media\/\d+$/);
  const video = await buyer.waitForSelector(`${$('video-link')}:has-text("A day at the drying racks")`);
  assert.equal(await video.getAttribute('href'), 'https://video.example.com/seorak-drying-racks');
  assert.equal(await video.getAttribute('target'), '_blank');
  // The exhibitor's console counts him too.
  await waitForCount(exhibitor, $('console-visitors'), 1);
  await buyer.evaluate(() => { window.__expoNoReload = true; });
  await shot(buyer, '12-booth', { fullPage: true });
  assert.deepEqual(buyer.errors, []);
});

test('the exhibitor stays on duty across a reload (sent again on the new connection)', async () => {
  assert.ok(buyer && exhibitor);
  await exhibitor.reload();
  await exhibitor.waitForSelector(`${$('console')}[data-loaded]`);
  await exhibitor.waitForSelector(`${$('duty-toggle')}[data-state="on"][aria-checked="true"]`);
  // The buyer's live panel may blink while the old connection goes; it ends with him on duty.
  await buyer.waitForFunction(
    ([sel, name]) => [...document.querySelectorAll(`${sel} .person-name`)].some((e) => e.textContent === name),
    [$('booth-on-duty'), EXHIBITOR.name],
  );
  // Past the 1 s coalescing window of booth_live, the list settles on him alone.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  await buyer.waitForFunction(
    ([sel, name]) => {
      const shown = [...document.querySelectorAll(`${sel} .person-name`)].map((e) => e.textContent);
      return shown.length === 1 && shown[0] === name;
    },
    [$('booth-on-duty'), EXHIBITOR.name],
  );
  assert.deepEqual(exhibitor.errors, []);
});

test('the exhibitor edits the tagline and the buyer’s booth page shows it without a reload', async () => {
  assert.ok(buyer && exhibitor);
  await exhibitor.fill($('profile-tagline'), NEW_TAGLINE);
  // A Korean tagline, too: the buyer does not see it (his page is in English).
  await exhibitor.click($('profile-tr-tab-ko'));
  await exhibitor.fill($('profile-tr-ko-tagline'), '설악산 산나물, 2004년부터 햇볕에 말립니다');
  await exhibitor.click($('profile-save'));
  await exhibitor.waitForSelector(`${$('profile-saved')}:not([hidden])`);
  assert.ok(await exhibitor.isHidden($('profile-error')));

  await buyer.waitForFunction(
    ([sel, want]) => document.querySelector(sel)?.textContent === want,
    [$('booth-tagline'), NEW_TAGLINE],
  );
  assert.equal(await buyer.evaluate(() => window.__expoNoReload), true, 'the booth page never reloaded');
  // The booth now has Korean texts: its language switcher offers them.
  await buyer.waitForSelector(`${$('booth-lang')} [data-lang="ko"]`);
  await buyer.click(`${$('booth-lang')} [data-lang="ko"]`);
  await buyer.waitForFunction(
    (sel) => document.querySelector(sel)?.textContent === '설악산 산나물, 2004년부터 햇볕에 말립니다', $('booth-tagline'),
  );
  assert.equal(await buyer.getAttribute(`${$('booth-lang')} [data-lang="ko"]`, 'aria-pressed'), 'true');
  await buyer.click(`${$('booth-lang')} [data-lang="en"]`);
  await buyer.waitForFunction(([sel, want]) => document.querySelector(sel)?.textContent === want, [$('booth-tagline'), NEW_TAGLINE]);
  assert.deepEqual(buyer.errors, []);
});

test('the buyer opens the brochure and a product; the exhibitor’s leads list him with them', async () => {
  assert.ok(buyer && exhibitor);
  const link = `${$('brochure-link')}:has-text("${BROCHURE_TITLE}")`;
  const [tab] = await Promise.all([
    buyer.context().waitForEvent('page'),
    buyer.click(link),
  ]);
  await buyer.waitForSelector(`${link}[data-recorded="true"]`);
  const href = await buyer.getAttribute(link, 'href');
  const pdf = await buyer.request.get(`${BASE}${href}`);
  assert.equal(pdf.status(), 200);
  assert.match(pdf.headers()['content-type'], /application\/pdf/);
  assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
  await tab.close();

  // A product's details open in a panel (and count as opened too).
  await buyer.click(`${$('product-card')}:has-text("Seorak Pine Needle Tea")`);
  await buyer.waitForSelector(`${$('product-detail')}[open] ${$('product-name')}`);
  assert.equal(await buyer.textContent($('product-name')), 'Seorak Pine Needle Tea');
  await buyer.waitForSelector(`${$('product-card')}:has-text("Seorak Pine Needle Tea")[data-recorded="true"]`);
  await buyer.click($('product-close'));

  await exhibitor.click($('nav-leads'));
  await exhibitor.waitForSelector(`${$('leads-table-wrap')}[data-loaded]`);
  const row = await exhibitor.waitForSelector(`${$('lead-row')}:has-text("${BUYER.name}")`);
  const rowText = await row.textContent();
  assert.match(rowText, /buyer@demo\.expo/);
  assert.match(rowText, /Primorye Trade House/);
  assert.match(rowText, /Russia/);
  const opened = await row.$$eval('[data-testid="lead-opened"] li', (items) =>
    items.map((li) => ({ kind: li.dataset.kind, title: li.querySelector('.opened-title').textContent })));
  assert.ok(opened.some((o) => o.kind === 'brochure' && o.title === BROCHURE_TITLE), JSON.stringify(opened));
  assert.ok(opened.some((o) => o.kind === 'product' && o.title === 'Seorak Pine Needle Tea'), JSON.stringify(opened));
  assert.ok(Number(await row.$eval($('lead-visits'), (e) => e.textContent)) >= 1);
  // Times in the exhibitor's own zone (Seoul), dwell as "… min … s" / "… s".
  assert.match(await row.$eval($('lead-dwell'), (e) => e.textContent), /^(\d+ h )?(\d+ min ?)?(\d+ s)?$/);
  assert.match(await exhibitor.textContent($('leads-zone')), /\(Seoul\)/);
  const first = await row.$eval($('lead-first'), (e) => e.textContent);
  assert.match(first, /\d{4}/, first);

  // The CSV: a plain link, authenticated by the session cookie.
  const csvHref = await exhibitor.getAttribute($('leads-csv'), 'href');
  assert.equal(csvHref, `/api/v1/companies/${seorakId}/leads.csv`);
  const csv = await exhibitor.request.get(`${BASE}${csvHref}`);
  assert.equal(csv.status(), 200);
  assert.match(csv.headers()['content-type'], /text\/csv/);
  assert.match(await csv.text(), /Ivan Petrov/);
  await shot(exhibitor, '13-leads', { fullPage: true });
  assert.deepEqual(exhibitor.errors, []);
  assert.deepEqual(buyer.errors, []);
});

test('the booth page fits a phone; leaving the booth lowers the exhibitor’s visitor count', async () => {
  assert.ok(buyer && exhibitor);
  await buyer.setViewportSize(PHONE);
  await buyer.evaluate(() => window.scrollTo(0, 0));
  const overflow = await buyer.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the booth page is ${overflow}px wider than the phone`);
  await shot(buyer, '14-booth-phone');
  await buyer.setViewportSize(DESKTOP);

  await exhibitor.click($('nav-console'));
  await exhibitor.waitForSelector(`${$('console')}[data-loaded]`);
  await waitForCount(exhibitor, $('console-visitors'), 1);
  await buyer.click($('back-to-lobby'));
  await buyer.waitForSelector($('lobby'));
  await waitForCount(exhibitor, $('console-visitors'), 0);
  assert.deepEqual(exhibitor.errors, []);
  assert.deepEqual(buyer.errors, []);
});

test('organizers reach any booth’s console and leads; buyers get neither', async () => {
  assert.ok(buyer && seorakId);
  await buyer.goto(`${BASE}/#/leads`);
  await buyer.waitForSelector($('forbidden'));
  const leads = await buyer.request.get(`${BASE}/api/v1/companies/${seorakId}/leads`);
  assert.equal(leads.status(), 403);

  const organizer = await newPage();
  await signIn(organizer, ORGANIZER.email, ORGANIZER.password);
  await organizer.click($('nav-console'));
  await organizer.waitForSelector(`${$('console-picker')} [data-company-id="${seorakId}"]`);
  await organizer.click(`${$('console-picker')} [data-company-id="${seorakId}"] a[href="#/leads/${seorakId}"]`);
  await organizer.waitForSelector(`${$('lead-row')}:has-text("${BUYER.name}")`);
  await organizer.goto(`${BASE}/#/console/${seorakId}`);
  await organizer.waitForSelector(`${$('console')}[data-loaded]`);
  assert.equal(await organizer.inputValue($('profile-tagline')), NEW_TAGLINE);
  assert.equal(await organizer.$($('duty-toggle')), null, 'organizers are not booth staff');
  assert.deepEqual(organizer.errors, []);
  await organizer.context().close();
  await buyer.context().close();
  await exhibitor.context().close();
});
