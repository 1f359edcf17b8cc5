// views/room-media.js — the video room's own camera and microphone (views/room.js): asks
// for both (else either), shows the local tile, says when one is missing or refused, and
// the mute and camera buttons.

import { h } from '../dom.js';
import { t } from '../i18n.js';

/**
 * The local media of one room. start() asks for the camera and microphone and resolves
 * with false when the room was left meanwhile (isOver()); stop() ends them; stream is the
 * local MediaStream (or null). The elements are the room's to place.
 */
export function localMedia({ isOver }) {
  let localStream = null;
  const localVideo = h('video', { class: 'room-video', testid: 'local-video', autoplay: true, muted: true, playsInline: true,
    attrs: { muted: true, playsinline: true } });
  const localTile = h('figure', { class: 'video-tile is-local', testid: 'local-tile' },
    localVideo,
    h('figcaption', {}, h('span', { i18n: 'room.you' })));

  const micBtn = h('button', { type: 'button', class: 'btn btn-ghost room-btn', testid: 'room-mic', disabled: true,
    dataset: { state: 'on' }, attrs: { 'aria-pressed': 'false' }, i18n: 'room.mute' });
  const camBtn = h('button', { type: 'button', class: 'btn btn-ghost room-btn', testid: 'room-camera', disabled: true,
    dataset: { state: 'on' }, attrs: { 'aria-pressed': 'false' }, i18n: 'room.cameraOff' });

  const mediaNote = h('p', { class: 'alert alert-info', testid: 'room-media-error', hidden: true });

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
    if (isOver()) {
      stopMedia();
      return false;
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
    return true;
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

  return {
    localVideo, localTile, micBtn, camBtn, mediaNote,
    start: startMedia,
    stop: stopMedia,
    get stream() { return localStream; },
  };
}
