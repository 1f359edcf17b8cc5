// views/room.js — an online meeting's video room (#/room/{meeting_id}).
//
// `meeting_join` asks the hub to let us in (participants only, from 10 minutes before the
// start to the end; otherwise `forbidden` or `conflict`, shown on the page). Its reply gives
// the meeting, the hub room `meet:{id}`, the ICE servers and the participants already there.
// A meeting with an external `video_url` only links there.
//
// The call is a mesh: one RTCPeerConnection per other participant (buyer, staff and perhaps
// the interpreter). To avoid glare the NEWCOMER makes the offers, to every peer listed in the
// join reply; those already in the room see a presence `join` and wait for the offer. Should
// two offers cross anyway (a reconnect), the "perfect negotiation" pattern settles it: the
// side that answered first is polite and rolls back. Signalling (descriptions and ICE
// candidates) goes through the hub with `meeting_signal` and comes back as `meeting_signal`
// events in `meet:{id}`; those for someone else are ignored. A presence `leave` closes that
// participant's connection. Hang-up sends `meeting_leave`, stops camera and microphone and
// closes every connection.
//
// The connections are room-mesh.js, the own camera and microphone room-media.js.
//
// For tests: window.__expoRoom = {meetingId, pcs: Map userId → RTCPeerConnection, state};
// the page's data-state and each remote tile's data-conn-state follow along.

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { COMMANDS, ERROR_CODES, EVENTS, ROOM_KINDS, roomName } from '../gen/protocol.js';
import { t } from '../i18n.js';
import { chatPanel } from './chat.js';
import { pageError } from './common.js';
import { errorBox, showError } from './forms.js';
import { companyMap, otherParty, otherTimes, ownTime, timeIn } from './meeting-parts.js';
import { localMedia } from './room-media.js';
import { peerMesh } from './room-mesh.js';

const TRANSIENT = new Set(['disconnected', 'closed', 'timeout']);

export function mountRoom(root, ctx, params, arg) {
  const { session } = ctx;
  const me = session.user;
  const hub = session.hub;
  const meetingId = Number(arg);
  if (!Number.isSafeInteger(meetingId) || meetingId <= 0) {
    root.append(h('main', { class: 'page narrow' },
      h('div', { class: 'card', testid: 'not-found' },
        h('h1', { i18n: 'notfound.title' }),
        h('a', { href: '#/meetings', class: 'btn btn-primary', i18n: 'meet.back' }))));
    return null;
  }

  let meeting = null;
  let hubRoom = roomName(ROOM_KINDS.MEET, meetingId);
  let iceServers = [];
  let joined = false;
  let left = false;
  let disposed = false;
  let failed = null; // the refusal, if any
  let markMediaReady;
  const mediaReady = new Promise((resolve) => { markMediaReady = resolve; });
  const peers = new Map(); // user id → {id, pc, tile, ...}
  const pcs = new Map(); // user id → RTCPeerConnection (for tests)
  const names = new Map(); // user id → name
  const conns = new Map(); // user id → Set of conn ids seen joining
  let waitWelcome = null;

  const exposed = {
    meetingId, pcs, state: 'joining',
    get localStream() { return media.stream; },
  };
  window.__expoRoom = exposed;

  // ------------------------------------------------------------ frame
  const title = h('h1', { testid: 'room-title', i18n: 'room.title' });
  const timesEl = h('p', { class: 'muted room-times', testid: 'room-times' });
  const statusEl = h('p', { class: 'room-status small', testid: 'room-status', attrs: { role: 'status' }, i18n: 'room.joining' });
  const refusal = errorBox('room-error');
  const refusalBox = h('div', { class: 'room-refusal', hidden: true }, refusal,
    h('a', { class: 'btn btn-primary', href: '#/meetings', testid: 'room-back', i18n: 'room.backToMeetings' }));
  const externalBox = h('div', { class: 'card room-external', testid: 'room-external', hidden: true });

  const media = localMedia({ isOver: () => disposed || left });
  const { localTile, micBtn, camBtn, mediaNote } = media;
  const videosEl = h('div', { class: 'video-grid', testid: 'room-videos', dataset: { count: '1' } }, localTile);

  const hangBtn = h('button', { type: 'button', class: 'btn room-btn room-hangup', testid: 'room-hangup', i18n: 'room.hangUp' });
  const controls = h('div', { class: 'room-controls', testid: 'room-controls', hidden: true }, micBtn, camBtn, hangBtn);

  const chatBody = h('div', { class: 'chat-slot' });
  const chatError = pageError('room-chat-error', () => openChat());
  const chatCard = h('section', { class: 'card chat-card room-chat-card', testid: 'room-chat-card', hidden: true },
    h('div', { class: 'panel-head' }, h('h2', { i18n: 'room.chatTitle' })),
    chatError.el, chatBody);

  const page = h('main', { class: 'page room-page', testid: 'room', dataset: { meetingId: String(meetingId), state: 'joining' } },
    h('div', { class: 'page-top' },
      h('div', {},
        h('a', { class: 'back-link', href: '#/meetings', i18n: 'meet.backToMeetings' }),
        title, timesEl),
      statusEl),
    refusalBox,
    externalBox,
    h('div', { class: 'room-layout', testid: 'room-layout', hidden: true },
      h('section', { class: 'room-stage' }, mediaNote, videosEl, controls),
      h('aside', { class: 'room-side' }, chatCard)));
  root.append(page);

  // ------------------------------------------------------------ state
  function computeState() {
    if (failed) return 'error';
    if (left) return 'left';
    if (!joined) return 'joining';
    if (meeting?.video_url) return 'external';
    if (peers.size === 0) return 'waiting';
    const states = [...peers.values()].map((p) => p.pc.connectionState);
    if (states.some((s) => s === 'connected')) return 'connected';
    return 'connecting';
  }

  function updateState() {
    const state = computeState();
    page.dataset.state = state;
    exposed.state = state;
    const key = {
      joining: 'room.joining', waiting: 'room.waiting', connecting: 'room.connecting', connected: 'room.connected',
      error: 'room.refused', left: 'room.left', external: 'room.external',
    }[state];
    statusEl.dataset.state = state;
    statusEl.dataset.i18n = key;
    statusEl.textContent = t(key);
    videosEl.dataset.count = String(1 + peers.size);
  }

  function nameOf(userId) {
    if (names.has(userId)) return names.get(userId);
    if (meeting?.buyer?.id === userId) return meeting.buyer.name;
    if (meeting?.staff?.id === userId) return meeting.staff.name;
    if (meeting?.interpreter?.id === userId) return meeting.interpreter.name;
    return t('room.participant');
  }

  async function renderInfo() {
    if (!meeting) return;
    const own = ownTime(meeting, me);
    replaceChildren(timesEl,
      h('strong', { testid: 'room-time', text: `${own.start}–${own.end}` }),
      otherTimes(meeting, me).map((entry) => [' ', timeIn(entry)])); // .time-in draws its own "· "
    let companies = null;
    try {
      companies = await companyMap();
    } catch {
      companies = null;
    }
    if (disposed) return;
    const party = otherParty(meeting, me, companies);
    title.dataset.i18n = 'room.titleWith';
    title.dataset.i18nArgs = JSON.stringify({ name: party.name });
    title.textContent = t('room.titleWith', { name: party.name });
  }

  // ------------------------------------------------------------ peers
  const { createPeer, closePeer, queueSignal } = peerMesh({
    hub, meetingId, peers, pcs, videosEl, nameOf,
    ice: () => iceServers,
    media: () => media.stream,
    mediaReady,
    onChange: () => updateState(),
    isOver: () => disposed || left,
  });

  // ------------------------------------------------------------ joining and leaving
  async function refuse(error) {
    failed = error;
    let conflictKey = 'room.notOpen';
    if (error.code === ERROR_CODES.CONFLICT) {
      // Say why: not confirmed, on site, or outside the window (the meeting tells which).
      try {
        meeting = await api.meeting(meetingId);
        if (meeting.state !== 'confirmed') conflictKey = 'room.notConfirmed';
        else if (meeting.mode !== 'online') conflictKey = 'room.onsite';
        renderInfo();
      } catch {
        // The general wording then.
      }
      if (disposed) return;
    }
    refusalBox.hidden = false;
    showError(refusal, error, { [ERROR_CODES.FORBIDDEN]: 'room.forbidden', [ERROR_CODES.CONFLICT]: conflictKey, [ERROR_CODES.NOT_FOUND]: 'room.notFound' });
    controls.hidden = true;
    updateState();
  }

  function afterWelcome(fn) {
    waitWelcome?.();
    waitWelcome = hub.on('welcome', () => {
      waitWelcome?.();
      waitWelcome = null;
      fn();
    });
  }

  async function join() {
    if (disposed || left) return;
    let data;
    try {
      data = await hub.request(COMMANDS.MEETING_JOIN, { meeting_id: meetingId });
    } catch (error) {
      if (disposed || left) return;
      if (TRANSIENT.has(error.code)) {
        afterWelcome(join);
        return;
      }
      refuse(error);
      return;
    }
    if (disposed || left) {
      hub.request(COMMANDS.MEETING_LEAVE, { meeting_id: meetingId }).catch(() => {});
      return;
    }
    const rejoin = joined;
    joined = true;
    page.querySelector('[data-testid="room-layout"]').hidden = false;
    meeting = data.meeting || meeting;
    hubRoom = data.room || hubRoom;
    iceServers = data.ice_servers || [];
    renderInfo();
    updateState();
    if (meeting?.video_url) {
      showExternal(meeting.video_url);
      return;
    }
    if (!rejoin) {
      openChat();
      const started = await media.start();
      markMediaReady();
      if (!started || disposed || left) return;
      controls.hidden = false;
    } else {
      // A new connection: the others saw us leave and closed our connections.
      for (const id of [...peers.keys()]) closePeer(id);
    }
    for (const userId of new Set(data.peers || [])) {
      if (userId === me.id || peers.has(userId)) continue;
      createPeer(userId, true);
    }
    updateState();
  }

  function showExternal(url) {
    let safe = null;
    try {
      const parsed = new URL(url);
      if (parsed.protocol === 'https:' || parsed.protocol === 'http:') safe = parsed.href;
    } catch {
      safe = null;
    }
    externalBox.hidden = false;
    replaceChildren(externalBox,
      h('p', { i18n: 'room.externalHint' }),
      safe ? h('a', { class: 'btn btn-primary', href: safe, target: '_blank', rel: 'noopener noreferrer', testid: 'room-external-link', i18n: 'room.openExternal' }) : null);
    controls.hidden = false;
    micBtn.hidden = true;
    camBtn.hidden = true;
    localTile.hidden = true;
  }

  function teardown() {
    for (const id of [...peers.keys()]) closePeer(id);
    media.stop();
  }

  async function hangUp() {
    if (left) return;
    left = true;
    hangBtn.disabled = true;
    updateState();
    teardown();
    if (joined) {
      try {
        await hub.request(COMMANDS.MEETING_LEAVE, { meeting_id: meetingId });
      } catch {
        // Our presence lapses with the connection anyway.
      }
    }
    if (!disposed) ctx.navigate('#/meetings');
  }
  hangBtn.addEventListener('click', hangUp);

  // ------------------------------------------------------------ the meeting's chat
  let chatRoom = null;
  let panel = null;

  async function openChat() {
    if (!meeting || me.role === 'interpreter') return;
    const target = me.role === 'buyer'
      ? `private:${meeting.company_id}`
      : `private:${meeting.company_id}:${meeting.buyer.id}`;
    chatError.hide();
    chatCard.hidden = false;
    try {
      const info = await session.chat.open(target);
      if (disposed) return;
      chatRoom = session.chat.room(info);
      panel = chatPanel(ctx, chatRoom, { testid: 'room-chat' });
      replaceChildren(chatBody, panel.el);
      requestAnimationFrame(() => panel?.shown?.());
    } catch (error) {
      if (disposed) return;
      if (TRANSIENT.has(error.code)) return; // opened again after the rejoin
      chatError.show(error);
    }
  }

  // ------------------------------------------------------------ events
  const offEvent = hub.on('event', (frame) => {
    if (frame?.room !== hubRoom || disposed || left) return;
    const event = frame.event || {};
    if (event.kind === EVENTS.MEETING_SIGNAL) {
      if (event.to !== me.id || (event.meeting_id !== undefined && event.meeting_id !== meetingId)) return;
      queueSignal(event.from, event.data);
    } else if (event.kind === EVENTS.JOIN) {
      memberJoined(event.member);
    } else if (event.kind === EVENTS.LEAVE) {
      memberLeft(event.member);
    } else if (event.kind === EVENTS.PRESENCE_DIFF) {
      // Several changes in one presence window: each connection once, with its latest change.
      for (const member of event.leaves || []) memberLeft(member);
      for (const member of event.joins || []) memberJoined(member);
    }
  });

  function memberJoined(member) {
    const user = member?.user;
    if (!user || user.id === me.id) return;
    names.set(user.id, user.name);
    if (!conns.has(user.id)) conns.set(user.id, new Set());
    conns.get(user.id).add(member.conn_id);
    // A newcomer (or one back after a reconnect): it will offer; a connection of ours to
    // its old self is stale. (One its offer made just now is not: the presence event may
    // trail the offer by a moment.)
    const old = peers.get(user.id);
    if (old && !(old.offeredAt && Date.now() - old.offeredAt < 3000)) closePeer(user.id);
  }

  function memberLeft(member) {
    const user = member?.user;
    if (!user || user.id === me.id) return;
    const set = conns.get(user.id);
    set?.delete(member.conn_id);
    if (!set || set.size === 0) {
      conns.delete(user.id);
      closePeer(user.id);
    }
  }

  const offWelcome = hub.on('welcome', () => {
    // A reconnect left the room: join again (we are the newcomer now).
    if (joined && !left && !disposed && !failed) join();
  });

  if (hub.status === 'connected' && hub.welcome) join();
  else afterWelcome(join);

  return () => {
    disposed = true;
    offEvent();
    offWelcome();
    waitWelcome?.();
    if (joined && !left) hub.request(COMMANDS.MEETING_LEAVE, { meeting_id: meetingId }).catch(() => {});
    left = true;
    teardown();
    markMediaReady();
    panel?.destroy();
    chatRoom?.release();
    if (window.__expoRoom === exposed) delete window.__expoRoom;
  };
}
