// views/stage-chat.js — a stage show's side column (issue 14, docs/stage.md): the show's own
// chat room (GET /shows/{id}/chat, then the chat model and panel as any room; its live events
// come in batch frames, which the hub unpacks), a reactions bar (show_react) with the last few
// seconds' reaction counts (show_reactions, one per node and window: added up), and for the
// moderators (organizers, the host company's staff) a slow-mode control (PUT /shows/{id}/chat).
//
//   const side = showSide(ctx, showId);
//   parent.append(side.el); side.onEvent(event) (the show room's events); side.dispose();

import { h, replaceChildren } from '../dom.js';
import { COMMANDS, EVENTS } from '../gen/protocol.js';
import { formatNumber, onLangChange } from '../i18n.js';
import { chatPanel } from './chat.js';
import { errorBox, showError } from './forms.js';
import { stageApi } from './stage-parts.js';

/** The reactions, in the bar's order, with their glyphs (the names come from the locale files). */
export const REACTIONS = [
  ['like', '👍'], ['love', '❤️'], ['clap', '👏'], ['fire', '🔥'], ['wow', '😮'], ['laugh', '😂'],
];
const GLYPH = new Map(REACTIONS);
/** The counts display adds up the windows of this long. */
const RECENT_MS = 5000;
/** The slow-mode choices, in seconds (0: off). */
const SLOW_CHOICES = [0, 5, 10, 30, 60];

/** The show's chat, reactions and (for moderators) slow-mode control. */
export function showSide(ctx, showId) {
  const { session } = ctx;
  let disposed = false;
  let panel = null;
  let room = null;
  let offRoom = null;

  // ------------------------------------------------------------ reactions
  let recent = []; // {at, reaction, count}
  let countsTimer = null;
  const countsEl = h('ul', {
    class: 'show-reaction-counts', testid: 'show-reaction-counts', dataset: { total: '0' },
    i18nAttr: { 'aria-label': 'stage.reactionCounts' },
  });

  function renderCounts() {
    clearTimeout(countsTimer);
    countsTimer = null;
    const now = Date.now();
    recent = recent.filter((r) => now - r.at < RECENT_MS);
    const totals = new Map();
    for (const r of recent) totals.set(r.reaction, (totals.get(r.reaction) || 0) + r.count);
    let total = 0;
    replaceChildren(countsEl, REACTIONS.filter(([name]) => totals.get(name) > 0).map(([name, glyph]) => {
      const count = totals.get(name);
      total += count;
      return h('li', {
        class: 'show-reaction-count', testid: `reaction-count-${name}`, dataset: { reaction: name, count: String(count) },
        i18nAttr: { title: `stage.react.${name}` },
      }, h('span', { class: 'show-reaction-glyph', text: glyph, attrs: { 'aria-hidden': 'true' } }),
      h('span', { class: 'sr-only', i18n: `stage.react.${name}` }),
      h('span', { class: 'show-reaction-num', text: formatNumber(count) }));
    }));
    countsEl.dataset.total = String(total);
    countsEl.classList.toggle('is-empty', total === 0);
    // The oldest window leaves the display when it is RECENT_MS old.
    if (recent.length) {
      const oldest = Math.min(...recent.map((r) => r.at));
      countsTimer = setTimeout(renderCounts, Math.max(200, oldest + RECENT_MS - now + 20));
    }
  }

  function onReactions(event) {
    const now = Date.now();
    for (const { reaction, count } of event.counts || []) {
      if (GLYPH.has(reaction) && Number(count) > 0) recent.push({ at: now, reaction, count: Number(count) });
    }
    renderCounts();
  }

  async function react(name, button) {
    button.classList.remove('is-sent');
    // Restart the little pop (a reflow between removing and adding the class).
    void button.offsetWidth;
    button.classList.add('is-sent');
    try {
      await session.hub.request(COMMANDS.SHOW_REACT, { show_id: showId, reaction: name });
    } catch (error) {
      // A reaction is a passing gesture: too many a second (rate_limited) or a dropped
      // connection lose it, nothing else to do.
      if (!disposed) console.warn('reaction not counted', error?.code);
    }
  }

  const bar = h('div', {
    class: 'show-reactions', testid: 'show-reactions', attrs: { role: 'group' }, i18nAttr: { 'aria-label': 'stage.reactions' },
  }, REACTIONS.map(([name, glyph]) => {
    const button = h('button', {
      type: 'button', class: 'show-react', testid: `react-${name}`, text: glyph, dataset: { reaction: name },
      i18nAttr: { 'aria-label': `stage.react.${name}`, title: `stage.react.${name}` },
      on: {
        click: (event) => react(name, event.currentTarget),
        animationend: (event) => event.currentTarget.classList.remove('is-sent'),
      },
    });
    return button;
  }));

  // ------------------------------------------------------------ slow mode (moderators)
  const slowSelect = h('select', {
    class: 'show-slow-select', testid: 'show-slow-mode', id: `show-slow-${showId}`,
    on: { change: () => setSlowMode(Number(slowSelect.value)) },
  });
  const slowError = errorBox('show-slow-mode-error');
  const slowBox = h('div', { class: 'show-slow', hidden: true },
    h('label', { class: 'small', attrs: { for: slowSelect.id }, i18n: 'stage.slowModeLabel' }),
    slowSelect);

  function renderSlowOptions() {
    const current = room ? room.slowModeS : 0;
    const choices = SLOW_CHOICES.includes(current) ? SLOW_CHOICES : [...SLOW_CHOICES, current].sort((a, b) => a - b);
    replaceChildren(slowSelect, choices.map((seconds) => (seconds === 0
      ? h('option', { value: '0', i18n: 'stage.slowOff' })
      : h('option', { value: String(seconds), i18n: 'stage.slowSeconds', i18nArgs: { seconds } }))));
    slowSelect.value = String(current);
  }

  function renderSlowControl() {
    const moderator = Boolean(room?.moderator);
    slowBox.hidden = !moderator;
    if (moderator && !slowSelect.disabled && document.activeElement !== slowSelect) renderSlowOptions();
  }

  async function setSlowMode(seconds) {
    slowSelect.disabled = true;
    showError(slowError, null);
    try {
      const data = await stageApi.setSlowMode(showId, seconds);
      if (disposed) return;
      // The room hears chat_settings too; the answer is applied at once all the same.
      if (room) room.onEvent({ kind: EVENTS.CHAT_SETTINGS, room_id: room.id, slow_mode_s: data.slow_mode_s });
    } catch (error) {
      if (disposed || ctx.handleAuthError(error)) return;
      showError(slowError, error);
    } finally {
      if (!disposed) {
        slowSelect.disabled = false;
        renderSlowControl();
      }
    }
  }

  // ------------------------------------------------------------ the chat
  const chatError = errorBox('show-chat-error');
  const chatBox = h('div', { class: 'show-chat-box' }, h('p', { class: 'muted small', i18n: 'common.loading' }));

  async function openChat() {
    showError(chatError, null);
    try {
      const data = await stageApi.showChat(showId);
      if (disposed) return;
      room = session.chat.room({ id: data.room_id, kind: 'show', show_id: showId, slow_mode_s: data.slow_mode_s });
      panel = chatPanel(ctx, room, { testid: 'show-chat' });
      replaceChildren(chatBox, panel.el);
      offRoom = room.on('change', (what) => {
        if (what === 'settings' || what === 'messages') renderSlowControl();
      });
      renderSlowControl();
    } catch (error) {
      if (disposed || ctx.handleAuthError(error)) return;
      replaceChildren(chatBox);
      showError(chatError, error);
    }
  }

  const el = h('aside', { class: 'show-side card', testid: 'show-side', i18nAttr: { 'aria-label': 'stage.chatTitle' } },
    h('div', { class: 'show-side-head' },
      h('h2', { class: 'show-side-title', i18n: 'stage.chatTitle' }),
      slowBox),
    slowError,
    h('div', { class: 'show-reaction-row' }, bar, countsEl),
    chatError,
    chatBox);

  const offLang = onLangChange(() => renderCounts());
  renderCounts();
  openChat();

  return {
    el,
    /** The show room's events: the reactions of each window. */
    onEvent(event) {
      if (event?.kind === EVENTS.SHOW_REACTIONS && Number(event.show_id) === showId) onReactions(event);
    },
    dispose() {
      disposed = true;
      clearTimeout(countsTimer);
      offLang();
      offRoom?.();
      panel?.destroy();
      room?.release();
    },
  };
}
