// views/stage-replay.js — an ended show's replay (issue 14, docs/stage.md): the media server's
// recording (an MP4, played by the browser itself) with the show's chat and pins replayed in
// step with the video. Video time t seconds is the moment recording_ms + 1000 t of the show:
// the chat beside the video holds the messages stored until then (deleted ones never), and
// the card shows the product pinned last before then. Seeking back and forth redraws both.
// The recording is remuxed a moment after the show ends, so a failed load is retried.
//
//   const replay = replayPart(ctx, show); parent.append(replay.el); replay.stop();

import { h, replaceChildren } from '../dom.js';
import { COMMANDS } from '../gen/protocol.js';
import { getLang, onLangChange } from '../i18n.js';
import { stageApi } from './stage-parts.js';

const RETRY_MS = 3_000;
/** The chat fetched for a replay: pages of the largest size the server gives. */
const PAGE = 200;
const MAX_MESSAGES = 20_000;
/** Messages drawn beside the video at once (the latest ones at that moment). */
const SHOWN = 150;

/** "m:ss" or "h:mm:ss" of a video time in seconds. */
export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** How many of `times` (ascending) are at or before `t`. */
export function countUntil(times, t) {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The whole stored chat of a room, oldest first (paging back from the newest). */
async function wholeChat(hub, roomId) {
  const pages = [];
  let before = null;
  let total = 0;
  for (;;) {
    const data = await hub.request(COMMANDS.CHAT_HISTORY, { room_id: roomId, before_seq: before, limit: PAGE });
    const messages = data.messages || [];
    pages.unshift(messages);
    total += messages.length;
    if (!data.more || !messages.length || total >= MAX_MESSAGES) break;
    before = messages[0].seq;
  }
  return pages.flat();
}

/** The replay of an ended show that has a recording: { el, stop() }. */
export function replayPart(ctx, show) {
  const { session } = ctx;
  const start = show.recording_ms ?? show.live_since_ms ?? show.starts_ms;
  let stopped = false;
  let retry = null;
  let timelineRetry = null;
  let messages = []; // the chat, by time: { at (ms into the video), message }
  let times = [];
  let pins = []; // { at, product_id, product_name }
  let drawn = -1; // how many messages the list shows up to
  let pinDrawn;

  const video = h('video', {
    class: 'show-video', testid: 'replay-video', controls: true, preload: 'metadata',
    i18nAttr: { 'aria-label': 'stage.replayVideoLabel' },
  });
  video.playsInline = true;
  const status = h('p', { class: 'show-status muted small', testid: 'replay-status', attrs: { 'aria-live': 'polite' } });
  const clockEl = h('span', { class: 'replay-clock', testid: 'replay-clock', text: clock(0) });
  const pinEl = h('p', { class: 'replay-pin small', testid: 'replay-pin', hidden: true });
  const list = h('ol', { class: 'replay-chat-list', testid: 'replay-chat', dataset: { shown: '0' } });
  const empty = h('p', { class: 'muted small', testid: 'replay-chat-empty', i18n: 'stage.replayChatEmpty' });
  const el = h('div', { class: 'show-replay', testid: 'show-replay', dataset: { state: 'loading' } },
    h('div', { class: 'show-video-box' }, video),
    status,
    h('section', { class: 'replay-side card', i18nAttr: { 'aria-label': 'stage.replayChat' } },
      h('h2', { class: 'replay-side-title' }, h('span', { i18n: 'stage.replayChat' }), ' ', clockEl),
      pinEl, empty, list));

  function setState(state) {
    el.dataset.state = state;
    const key = state === 'loading' ? 'stage.replayPreparing' : null;
    status.hidden = !key;
    replaceChildren(status, key ? h('span', { i18n: key }) : null);
  }

  function messageItem({ at, message }) {
    return h('li', { class: 'replay-message', dataset: { seq: String(message.seq), at: String(at) } },
      h('span', { class: 'replay-at muted small', text: clock(at / 1000) }), ' ',
      h('span', { class: 'replay-sender', text: message.sender?.name || '' }), ' ',
      h('span', { class: 'replay-body', text: message.body || '' }));
  }

  /** Draws the chat and the pin of video time `seconds`. */
  function draw(seconds) {
    const t = seconds * 1000;
    clockEl.textContent = clock(seconds);
    const upTo = countUntil(times, t);
    if (upTo !== drawn) {
      if (drawn >= 0 && upTo > drawn && upTo - drawn <= SHOWN) {
        // Playing on: the new messages are added.
        list.append(...messages.slice(drawn, upTo).map(messageItem));
        while (list.childElementCount > SHOWN) list.firstElementChild.remove();
      } else {
        replaceChildren(list, messages.slice(Math.max(0, upTo - SHOWN), upTo).map(messageItem));
      }
      drawn = upTo;
      list.dataset.shown = String(upTo);
      empty.hidden = upTo > 0;
      // The newest in view inside the list, without moving the page under the viewer.
      list.scrollTop = list.scrollHeight;
    }
    const pinIndex = countUntil(pins.map((p) => p.at), t) - 1;
    const pin = pinIndex >= 0 ? pins[pinIndex] : null;
    const pinned = pin?.product_id != null ? pin : null;
    if (pinned?.product_id !== pinDrawn) {
      pinDrawn = pinned?.product_id;
      pinEl.hidden = !pinned;
      pinEl.dataset.productId = pinned ? String(pinned.product_id) : '';
      replaceChildren(pinEl, pinned
        ? [h('span', { class: 'muted', i18n: 'stage.replayPinned' }), ' ', h('strong', { text: pinned.product_name || `#${pinned.product_id}` })]
        : null);
    }
  }

  const onTime = () => draw(video.currentTime || 0);
  video.addEventListener('timeupdate', onTime);
  video.addEventListener('seeked', onTime);
  video.addEventListener('loadedmetadata', () => { if (!stopped) setState('ready'); });
  video.addEventListener('error', () => {
    // Not remuxed yet, or a network hiccup: try again in a moment.
    if (stopped) return;
    setState('loading');
    clearTimeout(retry);
    retry = setTimeout(() => { if (!stopped) video.load(); }, RETRY_MS);
  });

  async function loadPins() {
    const pinList = await stageApi.showPins(show.id, getLang());
    if (stopped) return;
    pins = (pinList.pins || []).map((p) => ({ ...p, at: Math.max(0, p.at_ms - start) }));
    pinDrawn = undefined;
    onTime();
  }

  async function loadTimeline() {
    try {
      const [chat] = await Promise.all([
        stageApi.showChat(show.id).then((room) => wholeChat(session.hub, room.room_id)),
        loadPins(),
      ]);
      if (stopped) return;
      messages = chat.filter((m) => !m.deleted)
        .map((message) => ({ at: Math.max(0, message.created_ms - start), message }))
        .sort((a, b) => a.at - b.at || a.message.seq - b.message.seq);
      times = messages.map((m) => m.at);
      el.dataset.messages = String(messages.length);
      drawn = -1;
      onTime();
    } catch (error) {
      if (stopped || ctx.handleAuthError(error)) return;
      // The chat could not be read now: the video plays on, the timeline comes later.
      timelineRetry = setTimeout(loadTimeline, RETRY_MS);
    }
  }

  setState('loading');
  video.src = show.replay_url;
  loadTimeline();
  // The pinned products' names come in the viewer's language; the video plays on.
  const offLang = onLangChange(() => loadPins().catch(() => {}));

  return {
    el,
    stop() {
      stopped = true;
      clearTimeout(retry);
      clearTimeout(timelineRetry);
      offLang();
      video.removeEventListener('timeupdate', onTime);
      video.removeEventListener('seeked', onTime);
      video.pause();
      video.removeAttribute('src');
      video.load();
    },
  };
}
