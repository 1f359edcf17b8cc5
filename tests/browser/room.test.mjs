// room.test.mjs — real-browser test of the video meeting room, with Chromium's fake camera and
// microphone: the demo fair's confirmed online meeting of Ivan Petrov (buyer) and Park Ji-hoon
// (exhibitor) is open right now (it starts when the server starts, rounded down to five
// minutes, and lasts an hour; Kim Natalia interprets). The buyer enters from his agenda's
// "Join room", the exhibitor by its link; their RTCPeerConnection reaches `connected` with
// signalling relayed by the hub (no STUN or TURN on loopback: host candidates), and each
// shows the other's video. A dropped hub connection brings the exhibitor back into the room and
// the call reconnects. The interpreter joins as a third: a mesh of three. Mute and camera
// off switch the local tracks; the interpreter hangs up and leaves the others' screens. A
// buyer who is not a participant is refused with a clear message, and so is a participant
// outside the room's window. Expects a server already running at $EXPO_URL with --demo data
// (run.sh starts one); screenshots go to tests/browser/screenshots/.
//
//   EXPO_URL=http://127.0.0.1:18080 node tests/browser/room.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { $, BASE, closeToasts, contextPage, launch, shot, signInWith as signIn } from './helpers.mjs';

const BUYER = { email: 'buyer@demo.expo', name: 'Ivan Petrov' };
const EXHIBITOR = { email: 'exhibitor@demo.expo', name: 'Park Ji-hoon' };
const INTERPRETER = { email: 'interpreter@demo.expo', name: 'Kim Natalia' };
const OUTSIDER = { email: 'olga.smirnova@demo.expo', name: 'Olga Smirnova' }; // another buyer
const DESKTOP = { width: 1280, height: 860 };
const CONNECT_MS = 30_000;

let browser;
const pages = [];
let buyer;
let exhibitor;
let interpreter;
let meeting; // the demo's open video meeting

before(async () => {
  browser = await launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required']);
});

after(async () => {
  for (const page of pages) await page.context().close().catch(() => {});
  await browser?.close();
});

/** A fresh browser context (own cookies and storage) with one page, errors surfaced. */
const newPage = ({ viewport = DESKTOP, timezoneId = 'Asia/Vladivostok' } = {}) => contextPage(browser, { viewport, locale: 'en-US', timezoneId }, pages);

/**
 * Routes the page's hub websocket through the test, so that page.cut() can drop it and keep
 * it down until page.restore().
 */
async function cuttable(page) {
  let offline = false;
  const live = new Set();
  await page.routeWebSocket(/\/ws(\?|$)/, (ws) => {
    if (offline) {
      ws.close({ code: 4000, reason: 'test: offline' });
      return;
    }
    live.add({ ws, server: ws.connectToServer() });
  });
  page.cut = () => {
    offline = true;
    for (const { ws, server } of live) {
      ws.close({ code: 4000, reason: 'test: cut' });
      server.close();
    }
    live.clear();
  };
  page.restore = () => { offline = false; };
}

/** The connection states of the page's peer connections, by user id. */
function peerStates(page) {
  return page.evaluate(() => {
    const room = window.__expoRoom;
    if (!room) return null;
    return Object.fromEntries([...room.pcs].map(([id, pc]) => [id, pc.connectionState]));
  });
}

/** Waits until the page has exactly these peers, all connected. */
async function waitConnected(page, userIds) {
  const want = [...userIds].sort((a, b) => a - b).join(',');
  try {
    await page.waitForFunction((ids) => {
      const room = window.__expoRoom;
      if (!room) return false;
      const have = [...room.pcs.keys()].sort((a, b) => a - b).join(',');
      return have === ids && [...room.pcs.values()].every((pc) => pc.connectionState === 'connected');
    }, want, { timeout: CONNECT_MS });
  } catch (error) {
    throw new Error(`${page.who}: peers ${JSON.stringify(await peerStates(page))}, wanted ${want} connected (${error.message})`);
  }
}

/** The remote tile of a user shows moving video (the fake camera's frames arrive). */
async function waitRemoteVideo(page, userId) {
  await page.waitForFunction((id) => {
    const video = document.querySelector(`[data-testid="remote-tile"][data-user-id="${id}"] video`);
    return video && video.videoWidth > 0 && video.readyState >= 2;
  }, userId, { timeout: CONNECT_MS });
}

test('the demo has a confirmed video meeting of the buyer and the exhibitor, open now', async () => {
  buyer = await newPage();
  buyer.who = 'buyer';
  await signIn(buyer, BUYER.email);
  const data = await buyer.evaluate(async () => (await fetch('/api/v1/meetings')).json());
  const now = Date.now();
  meeting = (data.meetings || []).find((m) => m.state === 'confirmed' && m.mode === 'online'
    && m.starts_ms - 10 * 60_000 <= now && now < m.ends_ms);
  assert.ok(meeting, 'a confirmed online meeting whose window is open');
  assert.equal(meeting.buyer.name, BUYER.name);
  assert.equal(meeting.staff?.name, EXHIBITOR.name);
  assert.equal(meeting.interpreter?.name, INTERPRETER.name);
});

test('buyer and exhibitor enter the room and connect through the hub', async () => {
  assert.ok(meeting);
  // The buyer from his agenda.
  await buyer.click($('nav-meetings'));
  const join = `${$('meeting-row')}[data-meeting-id="${meeting.id}"] a${$('meeting-join')}`;
  await buyer.waitForSelector(join);
  await closeToasts(buyer);
  await buyer.click(join);
  await buyer.waitForURL(new RegExp(`#/room/${meeting.id}$`));
  await buyer.waitForSelector(`${$('room')}[data-state="waiting"]`);
  assert.equal(await buyer.textContent($('room-title')), `Meeting with Seorak Natural Foods`);
  // His own camera, muted for himself.
  await buyer.waitForFunction(() => {
    const video = document.querySelector('[data-testid="local-video"]');
    return video && video.muted && video.srcObject && video.videoWidth > 0;
  });
  assert.deepEqual(await peerStates(buyer), {});

  exhibitor = await newPage({ timezoneId: 'Asia/Seoul' });
  exhibitor.who = 'exhibitor';
  await cuttable(exhibitor);
  await signIn(exhibitor, EXHIBITOR.email);
  await exhibitor.goto(`${BASE}/#/room/${meeting.id}`);
  await waitConnected(exhibitor, [meeting.buyer.id]);
  await waitConnected(buyer, [meeting.staff.id]);
  await buyer.waitForSelector(`${$('room')}[data-state="connected"]`);
  await exhibitor.waitForSelector(`${$('room')}[data-state="connected"]`);
  await waitRemoteVideo(buyer, meeting.staff.id);
  await waitRemoteVideo(exhibitor, meeting.buyer.id);
  assert.equal(await buyer.textContent(`${$('remote-tile')}[data-user-id="${meeting.staff.id}"] ${$('remote-name')}`), EXHIBITOR.name);
  assert.equal(await exhibitor.getAttribute(`${$('remote-tile')}[data-user-id="${meeting.buyer.id}"]`, 'data-conn-state'), 'connected');
  // The meeting's private chat sits beside the call.
  await buyer.waitForSelector(`${$('room-chat')}[data-joined="true"][data-kind="private"]`);
  await closeToasts(buyer);
  await closeToasts(exhibitor);
  await shot(buyer, '28-room-buyer');
  await shot(exhibitor, '29-room-exhibitor');
  assert.deepEqual(buyer.errors, []);
  assert.deepEqual(exhibitor.errors, []);
});

test('mute and camera off switch the local tracks', async () => {
  assert.ok(buyer);
  await buyer.click($('room-mic'));
  await buyer.waitForSelector(`${$('room-mic')}[data-state="off"][aria-pressed="true"]`);
  assert.equal(await buyer.textContent($('room-mic')), 'Unmute');
  assert.deepEqual(await buyer.evaluate(() => window.__expoRoom.localStream.getAudioTracks().map((t) => t.enabled)), [false]);
  await buyer.click($('room-camera'));
  await buyer.waitForSelector(`${$('room-camera')}[data-state="off"]`);
  assert.deepEqual(await buyer.evaluate(() => window.__expoRoom.localStream.getVideoTracks().map((t) => t.enabled)), [false]);
  await buyer.click($('room-mic'));
  await buyer.click($('room-camera'));
  await buyer.waitForSelector(`${$('room-mic')}[data-state="on"]`);
  await buyer.waitForSelector(`${$('room-camera')}[data-state="on"]`);
  assert.deepEqual(await buyer.evaluate(() => window.__expoRoom.localStream.getTracks().map((t) => t.enabled)), [true, true]);
  // Still connected all along.
  assert.deepEqual(await peerStates(buyer), { [meeting.staff.id]: 'connected' });
});

test('a dropped hub connection: the exhibitor comes back into the room and the call reconnects', async () => {
  assert.ok(buyer && exhibitor);
  // Mark today's connections: the ones after the reconnect are new.
  for (const page of [buyer, exhibitor]) await page.evaluate(() => { for (const pc of window.__expoRoom.pcs.values()) pc.__before = true; });
  exhibitor.cut();
  await exhibitor.waitForSelector(`${$('connection-status')}:not([data-state="connected"])`);
  // The buyer sees him leave: his connection is closed, the tile goes.
  await buyer.waitForSelector(`${$('room')}[data-state="waiting"]`);
  assert.deepEqual(await peerStates(buyer), {});
  await new Promise((resolve) => { setTimeout(resolve, 1000); });
  exhibitor.restore();
  await exhibitor.waitForSelector(`${$('connection-status')}[data-state="connected"]`, { timeout: CONNECT_MS });
  await waitConnected(exhibitor, [meeting.buyer.id]);
  await waitConnected(buyer, [meeting.staff.id]);
  for (const page of [buyer, exhibitor]) {
    assert.equal(await page.evaluate(() => [...window.__expoRoom.pcs.values()].some((pc) => pc.__before)), false, `${page.who}: a new connection`);
  }
  await waitRemoteVideo(buyer, meeting.staff.id);
  await waitRemoteVideo(exhibitor, meeting.buyer.id);
  assert.deepEqual(buyer.errors, []);
  assert.deepEqual(exhibitor.errors, []);
});

test('the interpreter joins as a third: everyone connects with everyone', async () => {
  assert.ok(buyer && exhibitor);
  interpreter = await newPage({ timezoneId: 'Asia/Seoul' });
  interpreter.who = 'interpreter';
  await signIn(interpreter, INTERPRETER.email);
  // Her agenda lists the meeting she interprets.
  await interpreter.click($('nav-meetings'));
  await interpreter.waitForSelector(`${$('meeting-row')}[data-meeting-id="${meeting.id}"]`);
  await interpreter.goto(`${BASE}/#/room/${meeting.id}`);
  await waitConnected(interpreter, [meeting.buyer.id, meeting.staff.id]);
  await waitConnected(buyer, [meeting.staff.id, meeting.interpreter.id]);
  await waitConnected(exhibitor, [meeting.buyer.id, meeting.interpreter.id]);
  await waitRemoteVideo(interpreter, meeting.buyer.id);
  await waitRemoteVideo(buyer, meeting.interpreter.id);
  assert.equal(await buyer.getAttribute($('room-videos'), 'data-count'), '3');
  await closeToasts(buyer);
  await shot(buyer, '30-room-three');

  // She hangs up: back to her meetings; the others close her connection and tile.
  await interpreter.click($('room-hangup'));
  await interpreter.waitForURL(/#\/meetings$/);
  assert.equal(await interpreter.evaluate(() => window.__expoRoom), undefined);
  await waitConnected(buyer, [meeting.staff.id]);
  await waitConnected(exhibitor, [meeting.buyer.id]);
  await buyer.waitForFunction((id) => !document.querySelector(`[data-testid="remote-tile"][data-user-id="${id}"]`), meeting.interpreter.id);
  assert.deepEqual(interpreter.errors, []);
  assert.deepEqual(buyer.errors, []);
  assert.deepEqual(exhibitor.errors, []);
});

test('a buyer who is not a participant is refused with a clear message', async () => {
  assert.ok(meeting);
  const outsider = await newPage();
  outsider.who = 'outsider';
  await signIn(outsider, OUTSIDER.email);
  await outsider.goto(`${BASE}/#/room/${meeting.id}`);
  await outsider.waitForSelector(`${$('room')}[data-state="error"]`);
  await outsider.waitForSelector(`${$('room-error')}:not([hidden])`);
  assert.equal(await outsider.getAttribute($('room-error'), 'data-code'), 'forbidden');
  assert.equal(await outsider.textContent($('room-error')), 'Only the meeting’s participants can enter this room.');
  assert.ok(await outsider.isHidden($('room-controls')));
  assert.deepEqual(await peerStates(outsider), {});
  await closeToasts(outsider);
  await shot(outsider, '31-room-refused');
  // Nobody new appeared in the call.
  assert.deepEqual(await peerStates(buyer), { [meeting.staff.id]: 'connected' });
  assert.deepEqual(outsider.errors, []);
});

test('a participant outside the room\'s window is told when it opens', async () => {
  assert.ok(buyer);
  const data = await buyer.evaluate(async () => (await fetch('/api/v1/meetings')).json());
  const later = (data.meetings || []).find((m) => m.state === 'confirmed' && m.starts_ms - 10 * 60_000 > Date.now());
  assert.ok(later, 'a confirmed meeting of his that starts later');
  const page = await newPage();
  page.who = 'buyer-2';
  await signIn(page, BUYER.email);
  await page.goto(`${BASE}/#/room/${later.id}`);
  await page.waitForSelector(`${$('room')}[data-state="error"]`);
  assert.equal(await page.getAttribute($('room-error'), 'data-code'), 'conflict');
  // Why: an onsite meeting has no room; an online one opens 10 minutes before its start.
  assert.match(await page.textContent($('room-error')), later.mode === 'onsite' ? /takes place on site/ : /10 minutes before the start/);
  assert.deepEqual(page.errors, []);
});

test('hanging up ends the call on both sides', async () => {
  assert.ok(buyer && exhibitor);
  await exhibitor.click($('room-hangup'));
  await exhibitor.waitForURL(/#\/meetings$/);
  await buyer.waitForSelector(`${$('room')}[data-state="waiting"]`);
  assert.deepEqual(await peerStates(buyer), {});
  await buyer.click($('room-hangup'));
  await buyer.waitForURL(/#\/meetings$/);
  // Camera and microphone are released.
  assert.equal(await buyer.evaluate(() => window.__expoRoom), undefined);
  assert.deepEqual(buyer.errors, []);
  assert.deepEqual(exhibitor.errors, []);
});
