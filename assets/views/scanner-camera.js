// views/scanner-camera.js — the badge scanner's camera (views/scanner.js): the phone's
// back camera into a <video>, each frame decoded for a QR code with jsQR (vendor/jsQR.js,
// loaded on first use), a highlight on a hit, and the same code within a few seconds taken
// as the same scan. It needs a secure page (https, or localhost); where there is none, or no
// camera, or no permission, it says so and the typed code still works.

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { loadJsQR } from './charts.js';

/** The same code seen again by the camera within this long is the same scan. */
const REPEAT_MS = 5000;
const FRAME_MS = 150;
/** Frames are decoded at most this wide (phone cameras give far more than a QR needs). */
const DECODE_WIDTH = 720;

/**
 * The camera block. onCode(code) for each new code read, unless isBusy() (a check-in is
 * under way). destroy() stops the camera when leaving the page.
 */
export function badgeCamera({ isBusy, onCode }) {
  let disposed = false;
  let stream = null;
  let frameTimer = null;
  let lastRead = { code: '', at: 0 };

  const video = h('video', { class: 'scan-video', testid: 'scan-video', muted: true, attrs: { playsinline: true, muted: true } });
  const frame = h('div', { class: 'scan-frame', hidden: true }, video, h('span', { class: 'scan-target', attrs: { 'aria-hidden': 'true' } }));
  const canvas = document.createElement('canvas');
  const cameraStatus = h('p', { class: 'small scan-camera-status', testid: 'scan-camera-status', attrs: { role: 'status' } });
  const cameraButton = h('button', {
    type: 'button', class: 'btn btn-primary', testid: 'scan-camera',
    on: { click: () => (stream ? stopCamera() : startCamera()) },
  });

  function setCamera(state, messageKey) {
    cameraStatus.dataset.state = state;
    cameraStatus.dataset.i18n = messageKey;
    cameraStatus.textContent = t(messageKey);
    cameraStatus.classList.toggle('is-error', ['denied', 'unavailable', 'failed'].includes(state));
    cameraButton.dataset.i18n = stream ? 'scan.cameraStop' : 'scan.cameraStart';
    cameraButton.textContent = t(cameraButton.dataset.i18n);
    cameraButton.classList.toggle('btn-primary', !stream);
    cameraButton.classList.toggle('btn-ghost', Boolean(stream));
    cameraButton.disabled = state === 'starting';
    frame.hidden = !stream;
  }

  async function startCamera() {
    if (!navigator.mediaDevices?.getUserMedia) {
      setCamera('unavailable', window.isSecureContext ? 'scan.noCamera' : 'scan.needsHttps');
      return;
    }
    setCamera('starting', 'scan.cameraStarting');
    let decode;
    let media;
    try {
      [decode, media] = await Promise.all([
        loadJsQR(),
        navigator.mediaDevices.getUserMedia({
          audio: false,
          video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
        }),
      ]);
    } catch (e) {
      media?.getTracks().forEach((track) => track.stop());
      if (disposed) return;
      const name = e?.name || '';
      if (name === 'NotAllowedError' || name === 'SecurityError') setCamera('denied', 'scan.cameraDenied');
      else if (name === 'NotFoundError' || name === 'OverconstrainedError') setCamera('unavailable', 'scan.noCamera');
      else setCamera('failed', 'scan.cameraFailed');
      console.warn('camera', e);
      return;
    }
    if (disposed) {
      media.getTracks().forEach((track) => track.stop());
      return;
    }
    stream = media;
    video.srcObject = stream;
    try {
      await video.play();
    } catch {
      // Muted inline video plays without a gesture; if not, frames still arrive once it does.
    }
    setCamera('scanning', 'scan.pointCamera');
    scanFrames(decode);
  }

  function stopCamera() {
    clearTimeout(frameTimer);
    frameTimer = null;
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.srcObject = null;
    if (!disposed) setCamera('idle', 'scan.cameraIdle');
  }

  function scanFrames(decode) {
    const context = canvas.getContext('2d', { willReadFrequently: true });
    const tick = () => {
      if (disposed || !stream) return;
      try {
        if (video.readyState >= 2 && video.videoWidth) {
          const scale = Math.min(1, DECODE_WIDTH / video.videoWidth);
          const width = Math.round(video.videoWidth * scale);
          const height = Math.round(video.videoHeight * scale);
          if (canvas.width !== width) canvas.width = width;
          if (canvas.height !== height) canvas.height = height;
          context.drawImage(video, 0, 0, width, height);
          const image = context.getImageData(0, 0, width, height);
          const found = decode(image.data, width, height, { inversionAttempts: 'attemptBoth' });
          if (found?.data) detected(found.data);
        }
      } catch (e) {
        console.warn('decoding a frame failed', e);
      }
      frameTimer = setTimeout(tick, FRAME_MS);
    };
    tick();
  }

  function detected(text) {
    const code = text.trim();
    if (!code || isBusy()) return;
    const now = Date.now();
    if (code === lastRead.code && now - lastRead.at < REPEAT_MS) return;
    lastRead = { code, at: now };
    frame.classList.remove('is-hit');
    void frame.offsetWidth; // restart the highlight
    frame.classList.add('is-hit');
    onCode(code);
  }

  const el = h('div', { class: 'scan-camera' },
    h('h2', { i18n: 'scan.cameraTitle' }),
    frame,
    h('div', { class: 'scan-camera-bar' }, cameraButton, cameraStatus));
  setCamera('idle', 'scan.cameraIdle');

  return {
    el,
    destroy() {
      disposed = true;
      clearTimeout(frameTimer);
      if (stream) stream.getTracks().forEach((track) => track.stop());
      stream = null;
    },
  };
}
