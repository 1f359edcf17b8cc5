// views/room-mesh.js — the video room's connections (views/room.js): one RTCPeerConnection
// per other participant, signalling through the hub (meeting_signal) in order and retried
// when rate-limited, "perfect negotiation" when two offers cross, ICE candidates kept until
// their description is there, and a video tile per participant.

import { h } from '../dom.js';
import { COMMANDS, ERROR_CODES } from '../gen/protocol.js';
import { t } from '../i18n.js';
import { initials } from './common.js';

/**
 * The mesh of one room. peers and pcs are the room's maps (user id → peer, → connection);
 * ice() and media() give the current ICE servers and local stream; mediaReady resolves once
 * the camera question is settled; onChange() after any connection changes; isOver() once
 * the room was left. Returns {createPeer, closePeer, queueSignal}.
 */
export function peerMesh({ hub, meetingId, peers, pcs, videosEl, nameOf, ice, media, mediaReady, onChange, isOver }) {
  const earlyCandidates = new Map(); // user id → ICE candidates that came before the offer

  let sendChain = Promise.resolve();

  /** Sends one signal to a participant, in order; a rate-limited one is retried. */
  function signal(to, data) {
    sendChain = sendChain.then(async () => {
      for (let attempt = 0; attempt < 6 && !isOver(); attempt += 1) {
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
    const stream = media();
    const tracks = stream ? stream.getTracks() : [];
    for (const track of tracks) peer.pc.addTrack(track, stream);
    if (peer.initiator) {
      // Receive both kinds even without a camera or microphone of our own.
      for (const kind of ['audio', 'video']) {
        if (!tracks.some((track) => track.kind === kind)) peer.pc.addTransceiver(kind, { direction: 'recvonly' });
      }
    }
  }

  function createPeer(userId, initiator) {
    const pc = new RTCPeerConnection({ iceServers: ice(), bundlePolicy: 'max-bundle' });
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
      onChange();
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
    onChange();
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
    onChange();
  }

  async function onSignal(from, data) {
    await mediaReady;
    if (isOver() || !data) return;
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

  return { createPeer, closePeer, queueSignal };
}
