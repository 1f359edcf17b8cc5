import { chromium } from 'playwright-core';
const BASE = process.env.EXPO_URL;
const [email, pw, lang, w, hgt, ...hashes] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
const ctx = await browser.newContext({ viewport: { width: +w, height: +hgt }, locale: 'en-US' });
const page = await ctx.newPage();
page.on('pageerror', (e) => console.log('pageerror', e.message));
await page.addInitScript((l) => localStorage.setItem('expo.lang', l), lang);
await page.goto(`${BASE}/#/login`);
await page.fill('[data-testid="login-email"]', email);
await page.fill('[data-testid="login-password"]', pw);
await page.click('[data-testid="login-submit"]');
await page.waitForSelector('[data-testid="lobby"]');
for (const hash of hashes) {
  await page.goto(`${BASE}/${hash}`);
  await page.waitForTimeout(1500);
  const name = hash.replace(/[^a-z0-9]+/gi, '_');
  const full = process.env.FULL === '1';
  await page.screenshot({ path: `/tmp/w17/${name}-${lang}-${w}.png`, fullPage: full });
  const wide = await page.evaluate(() => { const vw = document.documentElement.clientWidth; return [...document.querySelectorAll('#app *')].filter((e) => e.getBoundingClientRect().right > vw + 1).slice(0, 5).map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().width)}`); });
  console.log(`/tmp/w17/${name}-${lang}-${w}.png`, wide);
}
await browser.close();
