// screenshots.mjs — takes the README's screenshots: the lobby, a booth, a conversation, the
// agenda, the video room, the organizers' dashboard and the badge scanner, in Korean, Russian
// and Chinese, at desktop (1366×768) and phone (390×844) size, into docs/screenshots/
// ({page}-{lang}-{desktop|phone}.png). Expects a fresh demo server at $EXPO_URL;
// scripts/screenshots starts one and runs this.
//
//   EXPO_URL=http://127.0.0.1:18080 node tests/browser/screenshots.mjs

import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { $, ACCOUNTS, BASE, DESKTOP, PHONE, closeToasts, go, launch, newPage, signIn } from './helpers.mjs';

const OUT = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
mkdirSync(OUT, { recursive: true });
const LANGS = (process.env.SHOT_LANGS || 'ko,ru,zh').split(',');
const SIZES = { desktop: DESKTOP, phone: PHONE };
const COMPANY_ID = 1;

const browser = await launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']);

// What to show, found once: the demo's open video meeting and the exhibitor's liveliest
// private conversation.
const probe = await newPage(browser);
await signIn(probe, ACCOUNTS.exhibitor);
const { meetings } = await probe.evaluate(() => fetch('/api/v1/meetings').then((r) => r.json()));
const now = Date.now();
const meeting = meetings.find((m) => m.state === 'confirmed' && m.mode === 'online' && m.starts_ms - 600_000 <= now && now < m.ends_ms);
const { rooms } = await probe.evaluate(() => fetch('/api/v1/chat/rooms').then((r) => r.json()));
const conversation = rooms.filter((r) => r.kind === 'private').sort((a, b) => (b.last_seq || 0) - (a.last_seq || 0))[0];
// The exhibitor waits in the video room, so the buyer's room shows a call.
if (meeting) await go(probe, `#/room/${meeting.id}`, $('room-hangup'));

const SHOTS = [
  { name: 'lobby', who: 'buyer', hash: '#/lobby', ready: `${$('lobby')} ${$('booth-card')}` },
  { name: 'booth', who: 'buyer', hash: `#/booth/${COMPANY_ID}`, ready: `${$('booth-page')}[data-loaded]` },
  conversation && { name: 'conversation', who: 'exhibitor', hash: `#/inbox/${conversation.id}`, ready: `${$('conversation-chat')}[data-joined="true"]` },
  { name: 'agenda', who: 'buyer', hash: '#/meetings', ready: $('meeting-agenda') },
  meeting && { name: 'room', who: 'buyer', hash: `#/room/${meeting.id}`, ready: $('room-hangup'), wait: 4000 },
  { name: 'dashboard', who: 'organizer', hash: '#/dashboard', ready: `${$('dashboard')}[data-updates]`, wait: 1500 },
  { name: 'scanner', who: 'exhibitor', hash: '#/scanner', ready: $('scanner') },
].filter(Boolean);

let count = 0;
for (const lang of LANGS) {
  for (const [size, viewport] of Object.entries(SIZES)) {
    const pages = {};
    for (const shot of SHOTS) {
      if (!pages[shot.who]) {
        pages[shot.who] = await newPage(browser, { viewport, lang, isMobile: size === 'phone', timezoneId: shot.who === 'buyer' ? 'Asia/Vladivostok' : 'Asia/Seoul' });
        await signIn(pages[shot.who], ACCOUNTS[shot.who]);
      }
      const page = pages[shot.who];
      await go(page, shot.hash, shot.ready);
      await page.waitForTimeout(shot.wait || 700);
      await closeToasts(page);
      await page.evaluate(() => document.activeElement?.blur());
      await page.screenshot({ path: `${OUT}${shot.name}-${lang}-${size}.png` });
      count += 1;
    }
    for (const page of Object.values(pages)) await page.context().close();
  }
}
await probe.context().close();
await browser.close();
console.log(`screenshots: ${count} written to ${OUT}`);
