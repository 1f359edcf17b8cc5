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
// For tests: window.__expoRoom = {meetingId, pcs: Map userId → RTCPeerConnection, state};
// the page's data-state and each remote tile's data-conn-state follow along.

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { COMMANDS, ERROR_CODES, EVENTS, ROOM_KINDS, roomName } from '../gen/protocol.js';
import { t } from '../i18n.js';
import { chatPanel } from './chat.js';
import { initials, pageError } from './common.js';
import { errorBox, showError } from './forms.js';
import { companyMap, otherParty, otherTimes, ownTime, timeIn } from './meeting-parts.js';

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
  let localStream = null;
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
  const earlyCandidates = new Map(); // user id → ICE candidates that came before the offer
  let waitWelcome = null;

  const exposed = {
    meetingId, pcs, state: 'joining',
    get localStream() { return localStream; },
  };
  window.__expoRoom = exposed;

  // ------------------------------------------------------------ frame
  const title = h('h1', { testid: 'room-title', i18n: 'room.title' });
  const timesEl = h('p', { class: 'muted room-times', testid: 'room-times' });
  const statusEl = h('p', { class: 'room-status small', testid: 'room-status', attrs: { role: 'status' }, i18n: 'room.joining' });
  const refusal = errorBox('room-error');
  const refusalBox = h('div', { class: 'room-refusal', hidden: true }, refusal,
    h('a', { class: 'btn btn-primary', href: '#/meetings', testid: 'room-back', i18n: 'room.backToMeetings' }));
  const mediaNote = h('p', { class: 'alert alert-info', testid: 'room-media-error', hidden: true });
  const externalBox = h('div', { class: 'card room-external', testid: 'room-external', hidden: true });

  const localVideo = h('video', { class: 'room-video', testid: 'local-video', autoplay: true, muted: true, playsInline: true,
    attrs: { muted: true, playsinline: true } });
  const localTile = h('figure', { class: 'video-tile is-local', testid: 'local-tile' },
    localVideo,
    h('figcaption', {}, h('span', { i18n: 'room.you' })));
  const videosEl = h('div', { class: 'video-grid', testid: 'room-videos', dataset: { count: '1' } }, localTile);

  const micBtn = h('button', { type: 'button', class: 'btn btn-ghost room-btn', testid: 'room-mic', disabled: true,
    dataset: { state: 'on' }, attrs: { 'aria-pressed': 'false' }, i18n: 'room.mute' });
  const camBtn = h('button', { type: 'button', class: 'btn btn-ghost room-btn', testid: 'room-camera', disabled: true,
    dataset: { state: 'on' }, attrs: { 'aria-pressed': 'false' }, i18n: 'room.cameraOff' });
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

  // ------------------------------------------------------------ signalling out
  let sendChain = Promise.resolve();

  /** Sends one signal to a participant, in order; a rate-limited one is retried. */
  function signal(to, data) {
    sendChain = sendChain.then(async () => {
      for (let attempt = 0; attempt < 6 && !disposed && !left; attempt += 1) {
        try {
          await hub.request(COMMANDS.MEETING_SIGNAL, { meeting_id: meetingId, to, data });
          return;
        } catch (error) {
          if (error.code !== ERROR_CODES.RATE_LIMITED) {
            console.warn('meeting_signal failed', error);
            return;
          }
          await new Promise((resolve) => { setTimeout(resolve, 250 * (attempt + 1)); });
        }
      }
    });
    return sendChain;
  }

  // ------------------------------------------------------------ peers
  function remoteTile(userId) {
    const video = h('video', { class: 'room-video', testid: 'remote-video', autoplay: true, playsInline: true, attrs: { playsinline: true } });
    const stateEl = h('span', { class: 'tile-state', testid: 'remote-state', i18n: 'room.peer.new' });
    const el = h('figure', { class: 'video-tile', testid: 'remote-tile', dataset: { userId: String(userId), connState: 'new' } },
      h('span', { class: 'tile-avatar', attrs: { 'aria-hidden': 'true' }, text: initials(nameOf(userId)) }),
      video,
      h('figcaption', {}, h('span', { class: 'tile-name', testid: 'remote-name', text: nameOf(userId) }), stateEl));
    return { el, video, stateEl };
  }

  function setTileState(peer) {
    const state = peer.pc.connectionState;
    peer.tile.el.dataset.connState = state;
    peer.tile.stateEl.dataset.i18n = `room.peer.${state}`;
    peer.tile.stateEl.textContent = t(`room.peer.${state}`);
  }

  function addLocalTracks(peer) {
    if (peer.tracksAdded) return;
    peer.tracksAdded = true;
    const tracks = localStream ? localStream.getTracks() : [];
    for (const track of tracks) peer.pc.addTrack(track, localStream);
    if (peer.initiator) {
      // Receive both kinds even without a camera or microphone of our own.
      for (const kind of ['audio', 'video']) {
        if (!tracks.some((track) => track.kind === kind)) peer.pc.addTransceiver(kind, { direction: 'recvonly' });
      }
    }
  }

  function createPeer(userId, initiator) {
    const pc = new RTCPeerConnection({ iceServers, bundlePolicy: 'max-bundle' });
    const peer = {
      id: userId, pc, initiator, polite: !initiator, makingOffer: false, ignoreOffer: false, negotiated: false,
      tracksAdded: false, candidates: [], chain: Promise.resolve(), tile: remoteTile(userId),
    };
    peers.set(userId, peer);
    pcs.set(userId, pc);
    videosEl.append(peer.tile.el);
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) signal(userId, { candidate: candidate.toJSON() });
    };
    pc.ontrack = ({ track, streams }) => {
      const stream = streams[0] || peer.tile.video.srcObject || new MediaStream();
      if (!streams[0]) stream.addTrack(track);
      if (peer.tile.video.srcObject !== stream) peer.tile.video.srcObject = stream;
      peer.tile.el.classList.add('has-video');
      peer.tile.video.play?.().catch(() => {});
    };
    pc.onconnectionstatechange = () => {
      if (peers.get(userId) !== peer) return;
      setTileState(peer);
      updateState();
    };
    pc.onnegotiationneeded = async () => {
      // The answering side waits for the newcomer's offer; later changes renegotiate.
      if (!peer.initiator && !peer.negotiated) return;
      try {
        peer.makingOffer = true;
        await pc.setLocalDescription();
        signal(userId, { description: pc.localDescription.toJSON() });
      } catch (error) {
        console.warn('offer failed', error);
      } finally {
        peer.makingOffer = false;
      }
    };
    if (initiator) addLocalTracks(peer);
    setTileState(peer);
    updateState();
    return peer;
  }

  function closePeer(userId) {
    const peer = peers.get(userId);
    if (!peer) return;
    peers.delete(userId);
    pcs.delete(userId);
    try {
      peer.pc.close();
    } catch {
      // Already closed.
    }
    peer.tile.video.srcObject = null;
    peer.tile.el.remove();
    updateState();
  }

  async function onSignal(from, data) {
    await mediaReady;
    if (disposed || left || !data) return;
    let peer = peers.get(from);
    if (!peer) {
      if (!data.description || data.description.type !== 'offer') {
        // Candidates before the offer (or for a closed connection): keep them for the offer.
        if (data.candidate) {
          const early = earlyCandidates.get(from) || [];
          early.push(data.candidate);
          earlyCandidates.set(from, early);
        }
        return;
      }
      peer = createPeer(from, false);
      peer.offeredAt = Date.now();
      peer.candidates.push(...(earlyCandidates.get(from) || []));
      earlyCandidates.delete(from);
    }
    const { pc } = peer;
    try {
      if (data.description) {
        const description = data.description;
        const collision = description.type === 'offer' && (peer.makingOffer || pc.signalingState !== 'stable');
        peer.ignoreOffer = !peer.polite && collision;
        if (peer.ignoreOffer) return;
        await pc.setRemoteDescription(description);
        if (description.type === 'offer') {
          addLocalTracks(peer);
          await pc.setLocalDescription();
          signal(from, { description: pc.localDescription.toJSON() });
        }
        peer.negotiated = true;
        const waiting = peer.candidates.splice(0);
        for (const candidate of waiting) {
          try {
            await pc.addIceCandidate(candidate);
          } catch (error) {
            console.warn('ICE candidate refused', error);
          }
        }
      } else if (data.candidate) {
        if (!pc.remoteDescription) {
          peer.candidates.push(data.candidate);
          return;
        }
        try {
          await pc.addIceCandidate(data.candidate);
        } catch (error) {
          if (!peer.ignoreOffer) console.warn('ICE candidate refused', error);
        }
      }
    } catch (error) {
      console.warn('signal failed', error);
    }
  }

  /** Signals of one sender are handled one after the other. */
  const chains = new Map();
  function queueSignal(from, data) {
    const chain = (chains.get(from) || Promise.resolve()).then(() => onSignal(from, data));
    chains.set(from, chain);
  }

  // ------------------------------------------------------------ media
  async function startMedia() {
    const attempts = [{ video: true, audio: true }, { audio: true }, { video: true }];
    let lastError = null;
    if (navigator.mediaDevices?.getUserMedia) {
      for (const constraints of attempts) {
        try {
          localStream = await navigator.mediaDevices.getUserMedia(constraints);
          break;
        } catch (error) {
          lastError = error;
          if (error?.name === 'NotAllowedError' || error?.name === 'SecurityError') break;
        }
      }
    }
    if (disposed || left) {
      stopMedia();
      return;
    }
    if (localStream) {
      localVideo.srcObject = localStream;
      localVideo.play?.().catch(() => {});
      localTile.classList.toggle('has-video', localStream.getVideoTracks().length > 0);
    }
    const hasAudio = Boolean(localStream?.getAudioTracks().length);
    const hasVideo = Boolean(localStream?.getVideoTracks().length);
    micBtn.disabled = !hasAudio;
    camBtn.disabled = !hasVideo;
    if (!hasAudio || !hasVideo) {
      mediaNote.dataset.i18n = lastError?.name === 'NotAllowedError' ? 'room.mediaDenied' : 'room.mediaMissing';
      mediaNote.textContent = t(mediaNote.dataset.i18n);
      mediaNote.dataset.error = lastError?.name || '';
      mediaNote.hidden = false;
    }
    controls.hidden = false;
  }

  function stopMedia() {
    for (const track of localStream?.getTracks() || []) track.stop();
    localStream = null;
    localVideo.srcObject = null;
  }

  function toggle(kind, button, onKey, offKey) {
    const tracks = kind === 'audio' ? localStream?.getAudioTracks() : localStream?.getVideoTracks();
    if (!tracks?.length) return;
    const enable = !tracks[0].enabled;
    for (const track of tracks) track.enabled = enable;
    button.dataset.state = enable ? 'on' : 'off';
    button.setAttribute('aria-pressed', String(!enable));
    button.dataset.i18n = enable ? onKey : offKey;
    button.textContent = t(button.dataset.i18n);
    if (kind === 'video') localTile.classList.toggle('is-camera-off', !enable);
  }
  micBtn.addEventListener('click', () => toggle('audio', micBtn, 'room.mute', 'room.unmute'));
  camBtn.addEventListener('click', () => toggle('video', camBtn, 'room.cameraOff', 'room.cameraOn'));

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
      await startMedia();
      markMediaReady();
      if (disposed || left) return;
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
    stopMedia();
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
