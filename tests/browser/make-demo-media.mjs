// make-demo-media.mjs — draws the demo fair's media once, with Chromium: a product picture per
// industry and variant (JPEG), a brochure (PDF) and a short booth video (WebM). The files are
// committed in server/demo-media/ and built into the server (demo.rs), so the demo booths
// look like a fair's booths; rerun this only to change them.
//
//   node tests/browser/make-demo-media.mjs

import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const OUT = new URL('../../server/demo-media/', import.meta.url).pathname;

// Each industry: two palettes and an object drawn on a 480×360 stage.
const OBJECTS = {
  food: (c) => `<rect x="170" y="120" width="140" height="170" rx="18" fill="${c[1]}"/><rect x="160" y="96" width="160" height="36" rx="10" fill="${c[2]}"/>
    <rect x="186" y="170" width="108" height="78" rx="8" fill="#fffdf6"/><path d="M210 222c14-30 44-36 60-30-6 20-30 40-60 30z" fill="${c[3]}"/><path d="M212 224l46-24" stroke="${c[2]}" stroke-width="3"/>`,
  cosmetics: (c) => `<rect x="150" y="170" width="110" height="120" rx="22" fill="${c[1]}"/><rect x="150" y="150" width="110" height="34" rx="12" fill="${c[2]}"/>
    <rect x="280" y="110" width="56" height="180" rx="16" fill="${c[3]}"/><rect x="292" y="84" width="32" height="34" rx="6" fill="${c[2]}"/><circle cx="205" cy="232" r="22" fill="#fff" opacity=".7"/>`,
  'medical-devices': (c) => `<rect x="140" y="110" width="200" height="170" rx="24" fill="#fff" stroke="${c[2]}" stroke-width="6"/><rect x="164" y="134" width="152" height="80" rx="10" fill="${c[1]}"/>
    <path d="M172 176h30l12-26 18 48 14-30 10 8h44" fill="none" stroke="#fff" stroke-width="5" stroke-linejoin="round"/><circle cx="200" cy="248" r="14" fill="${c[3]}"/><circle cx="240" cy="248" r="14" fill="${c[2]}"/><circle cx="280" cy="248" r="14" fill="${c[3]}"/>`,
  'auto-parts': (c) => `<g transform="translate(240 200)"><g fill="${c[1]}">${Array.from({ length: 10 }, (_, i) => `<rect x="-14" y="-112" width="28" height="36" rx="5" transform="rotate(${i * 36})"/>`).join('')}</g>
    <circle r="84" fill="${c[1]}"/><circle r="56" fill="${c[2]}"/><circle r="26" fill="${c[0]}"/></g>`,
  agriculture: (c) => `<rect x="120" y="170" width="240" height="110" rx="10" fill="${c[1]}"/>${Array.from({ length: 7 }, (_, i) => `<rect x="${132 + i * 32}" y="180" width="18" height="90" rx="4" fill="${c[2]}" opacity=".55"/>`).join('')}
    <path d="M240 170c0-40 10-60 40-72-2 30-16 52-40 72zM240 170c-4-30-22-46-46-50 4 26 20 42 46 50z" fill="${c[3]}"/>`,
  ict: (c) => `<rect x="160" y="110" width="160" height="160" rx="18" fill="${c[1]}"/><rect x="196" y="146" width="88" height="88" rx="10" fill="${c[2]}"/>
    ${Array.from({ length: 5 }, (_, i) => `<rect x="${176 + i * 28}" y="88" width="10" height="26" rx="3" fill="${c[3]}"/><rect x="${176 + i * 28}" y="266" width="10" height="26" rx="3" fill="${c[3]}"/><rect x="138" y="${130 + i * 28}" width="26" height="10" rx="3" fill="${c[3]}"/><rect x="316" y="${130 + i * 28}" width="26" height="10" rx="3" fill="${c[3]}"/>`).join('')}
    <circle cx="240" cy="190" r="18" fill="#fff" opacity=".85"/>`,
  energy: (c) => `<rect x="150" y="120" width="120" height="170" rx="16" fill="${c[1]}"/><rect x="186" y="100" width="48" height="24" rx="6" fill="${c[2]}"/>
    <rect x="166" y="226" width="88" height="48" rx="8" fill="${c[3]}"/><rect x="166" y="170" width="88" height="48" rx="8" fill="${c[3]}" opacity=".75"/><path d="M300 140l-24 60h22l-14 60 44-76h-24l18-44z" fill="${c[2]}"/>`,
  'consumer-goods': (c) => `<path d="M170 150h140l-12 140h-116z" fill="${c[1]}"/><path d="M206 150c0-40 68-40 68 0" fill="none" stroke="${c[2]}" stroke-width="10"/>
    <rect x="300" y="200" width="70" height="86" rx="12" fill="${c[3]}"/><path d="M370 220c24 0 24 40 0 40" fill="none" stroke="${c[3]}" stroke-width="9"/><circle cx="240" cy="220" r="20" fill="#fff" opacity=".6"/>`,
};

const PALETTES = {
  food: [['#fdf2e3', '#7a4a1f', '#3f6e2f', '#5d9c3c'], ['#eef7ea', '#2f5d2a', '#b86b24', '#8bbf4a']],
  cosmetics: [['#fdeef3', '#e8a0b8', '#8a3a5c', '#c6d9f0'], ['#eef4fb', '#9bc1e8', '#2e5a8a', '#f2c1cf']],
  'medical-devices': [['#eaf6f8', '#1b8a9a', '#0b5563', '#5cc4cf'], ['#f1f3fb', '#4461c2', '#243a7a', '#8fa4e8']],
  'auto-parts': [['#eef0f3', '#5b6675', '#2a3140', '#c9ced6'], ['#fbf1e8', '#c0612b', '#6b2d10', '#f0c9a8']],
  agriculture: [['#eef6ec', '#3b6b3a', '#a9d39a', '#4e9a3a'], ['#f5f3e6', '#6b5a2b', '#d8c98a', '#7ba83e']],
  ict: [['#ecf0fb', '#23305c', '#3b5bdb', '#7c8fd6'], ['#eef8f5', '#134e48', '#0f9b8e', '#5fd0c2']],
  energy: [['#fff8e6', '#2c3e50', '#f5a623', '#27ae60'], ['#eef6fb', '#1f4e79', '#f2c94c', '#56ccf2']],
  'consumer-goods': [['#f8f1ea', '#b5835a', '#5e3b22', '#7fa7a1'], ['#f1f0f7', '#6a5acd', '#3b2f8a', '#d9a441']],
};

function scene(industry, variant) {
  const c = PALETTES[industry][variant];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="360" viewBox="0 0 480 360">
  <defs><radialGradient id="bg" cx="50%" cy="38%" r="75%"><stop offset="0" stop-color="#ffffff"/><stop offset="1" stop-color="${c[0]}"/></radialGradient>
  <filter id="soft"><feGaussianBlur stdDeviation="8"/></filter></defs>
  <rect width="480" height="360" fill="url(#bg)"/>
  <ellipse cx="240" cy="300" rx="130" ry="16" fill="#000" opacity=".12" filter="url(#soft)"/>
  ${OBJECTS[industry](c)}
  </svg>`;
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 480, height: 360 } });
for (const industry of Object.keys(OBJECTS)) {
  for (const variant of [0, 1]) {
    await page.setContent(`<style>html,body{margin:0}</style>${scene(industry, variant)}`);
    await page.screenshot({ path: `${OUT}photo-${industry}-${variant + 1}.jpg`, type: 'jpeg', quality: 78 });
  }
}

// The brochure: one A4 page, the fair's catalogue of Gangwon exporters.
const brochure = await browser.newPage();
await brochure.setContent(`<!doctype html><html><head><style>
  @page { size: A4; margin: 0 }
  body { margin: 0; font-family: "DejaVu Sans", sans-serif; color: #172033 }
  .cover { background: linear-gradient(135deg, #0b2545, #13315c); color: #fff; padding: 48px 56px 40px }
  .cover h1 { font-size: 34px; margin: 0 0 8px } .cover p { font-size: 15px; opacity: .85; margin: 0 }
  .mark { display: inline-block; width: 44px; height: 44px; border-radius: 10px; background: #13c4a3; margin-bottom: 18px }
  .grid { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; padding: 28px 56px }
  .card { border: 1px solid #e3e7ef; border-radius: 12px; padding: 14px 16px }
  .card h2 { font-size: 15px; margin: 0 0 6px; color: #0b7575 } .card p { font-size: 12px; margin: 0; line-height: 1.5 }
  .foot { padding: 0 56px; font-size: 11px; color: #5b6478 }
</style></head><body>
  <div class="cover"><div class="mark"></div><h1>Product catalogue 2026</h1><p>Gangwon exporters at the GTI Expo · Hybrid trade fair, online and on site</p></div>
  <div class="grid">
    <div class="card"><h2>Quality</h2><p>HACCP, Halal and ISO 13485 certified lines; samples shipped within 5 days of your request.</p></div>
    <div class="card"><h2>Logistics</h2><p>FOB Donghae and Sokcho; refrigerated containers to Vladivostok in 2 days, Dalian in 12.</p></div>
    <div class="card"><h2>Minimum orders</h2><p>From 100 units or one pallet; mixed pallets for first orders.</p></div>
    <div class="card"><h2>Talk to us</h2><p>Book a meeting in the booth: interpreters for Russian, Chinese, Mongolian and Japanese.</p></div>
  </div>
  <p class="foot">Demo brochure of Expo Hub. Prices and terms in each product sheet.</p>
</body></html>`);
writeFileSync(`${OUT}brochure.pdf`, await brochure.pdf({ format: 'A4', printBackground: true }));

// The booth video: five seconds of slides recorded from a canvas (WebM, VP8).
const video = await browser.newPage();
await video.setContent('<canvas width="480" height="270"></canvas>');
const base64 = await video.evaluate(async () => {
  const canvas = document.querySelector('canvas');
  const g = canvas.getContext('2d');
  const slides = [['Made in Gangwon', '#0b2545'], ['From the mountains', '#3f6e2f'], ['To the sea', '#1b5e8a'], ['Meet us at the GTI Expo', '#0b7575']];
  const recorder = new MediaRecorder(canvas.captureStream(24), { mimeType: 'video/webm;codecs=vp8', videoBitsPerSecond: 300_000 });
  const chunks = [];
  recorder.ondataavailable = (e) => chunks.push(e.data);
  const done = new Promise((resolve) => { recorder.onstop = resolve; });
  recorder.start();
  const started = performance.now();
  await new Promise((resolve) => {
    function frame() {
      const t = (performance.now() - started) / 1000;
      const [text, color] = slides[Math.min(slides.length - 1, Math.floor(t / 1.25))];
      g.fillStyle = color; g.fillRect(0, 0, 480, 270);
      g.fillStyle = 'rgba(255,255,255,.12)';
      for (let i = 0; i < 6; i += 1) { g.beginPath(); g.arc((i * 97 + t * 60) % 520 - 20, 60 + (i * 53) % 180, 30 + i * 6, 0, Math.PI * 2); g.fill(); }
      g.fillStyle = '#13c4a3'; g.fillRect(40, 190, 60 + (t % 1.25) * 200, 6);
      g.fillStyle = '#fff'; g.font = 'bold 30px sans-serif'; g.fillText(text, 40, 170);
      if (t < 5) requestAnimationFrame(frame); else resolve();
    }
    frame();
  });
  recorder.stop();
  await done;
  const blob = new Blob(chunks, { type: 'video/webm' });
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
});
writeFileSync(`${OUT}booth-video.webm`, Buffer.from(base64, 'base64'));
await browser.close();
console.log('demo media written to', OUT);
