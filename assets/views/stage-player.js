// views/stage-player.js — plays a show's HLS stream in a <video>: natively where the browser
// plays HLS itself (Safari, iOS, recent Chromium), otherwise with hls.js (assets/vendor/hls.min.js,
// Apache-2.0, loaded on first use). A live playlist appears a moment after the show goes
// live (the media server writes it once the first fragment is ready), so failures to fetch
// it are retried every few seconds until the player is stopped. The video starts muted, as
// browsers let only muted videos start by themselves; its controls unmute it.

import { loadScript } from './charts.js';

const HLS_TYPE = 'application/vnd.apple.mpegurl';
const RETRY_MS = 2_000;

/** Loads hls.js once; resolves with its Hls class. */
export function loadHls() {
  return loadScript('/vendor/hls.min.js', 'Hls');
}

/**
 * Plays url in video. onState(state) hears 'loading', 'playing' and 'unsupported' (the
 * browser cannot play HLS at all). Returns { stop() }.
 */
export function playHls(video, url, { onState = () => {} } = {}) {
  let stopped = false;
  let hls = null;
  let retry = null;
  video.muted = true;
  video.playsInline = true;
  const onPlaying = () => onState('playing');
  video.addEventListener('playing', onPlaying);
  const play = () => video.play().catch(() => {});

  function again() {
    if (stopped) return;
    clearTimeout(retry);
    retry = setTimeout(start, RETRY_MS);
  }

  async function start() {
    if (stopped) return;
    onState('loading');
    if (video.canPlayType(HLS_TYPE)) {
      video.dataset.engine = 'native';
      video.src = url;
      video.onerror = again;
      play();
      return;
    }
    let Hls;
    try {
      Hls = await loadHls();
    } catch {
      again();
      return;
    }
    if (stopped) return;
    if (!Hls.isSupported()) {
      onState('unsupported');
      return;
    }
    video.dataset.engine = 'hls.js';
    hls?.destroy();
    hls = new Hls({ lowLatencyMode: false, liveSyncDurationCount: 3 });
    hls.on(Hls.Events.MANIFEST_PARSED, play);
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (!data?.fatal) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR && data.details !== 'bufferIncompatibleCodecsError') {
        hls.recoverMediaError();
        return;
      }
      if (data.type === Hls.ErrorTypes.NETWORK_ERROR) {
        // No playlist yet (the first fragment is still being written), or a network hiccup.
        hls.destroy();
        hls = null;
        again();
        return;
      }
      // The stream's codecs cannot be played here.
      video.dataset.playerError = data.details || 'fatal';
      hls.destroy();
      hls = null;
      onState('unsupported');
    });
    hls.loadSource(url);
    hls.attachMedia(video);
  }

  start();
  return {
    stop() {
      stopped = true;
      clearTimeout(retry);
      video.removeEventListener('playing', onPlaying);
      video.onerror = null;
      hls?.destroy();
      hls = null;
      video.pause();
      video.removeAttribute('src');
      video.load();
    },
  };
}
