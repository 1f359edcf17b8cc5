import { COMMANDS, ERROR_CODES, EVENTS, LIMITS, ROOM_KINDS, roomName } from './gen/protocol.js';
// chat-room.js — one open chat room of the chat model (chat.js), with no DOM: its messages
// in sequence order (gaps filled with chat_join {after_seq}, duplicates dropped, earlier
// ones on demand), the outbox (a message resent with the same key after a timeout or a
// reconnect), typing notices, read markers and who may delete what; a show's slow mode (the
// room's `slow_mode_s`, changed live by chat_settings) and the user's cooldown in it
// (`slowUntil`, from the last send or a slow_mode refusal's retry_after_ms; moderators have
// none). ChatClient makes the rooms (chat.room(info)); views use them through chat.js.


/** How many recent messages a freshly opened room shows (older ones: "load earlier"). */
const INITIAL_WINDOW = 50;
const HISTORY_PAGE = 50;
/** The server passes on one typing notice in this long; sending more would be wasted. */
const TYPING_SEND_EVERY_MS = LIMITS.TYPING_EVERY_MS;
const TYPING_SHOW_MS = 3000;
const SEND_TIMEOUT_MS = 10_000;
/** Errors after which a message is sent again (same key) rather than given up. */
const TRANSIENT = new Set(['timeout', 'disconnected', 'closed']);
/** Refusals that sending again would not change: the message fails with its reason at once. */
const FINAL = new Set([ERROR_CODES.SLOW_MODE, ERROR_CODES.FILTERED]);
export const MAX_MESSAGE_CHARS = LIMITS.MAX_MESSAGE_CHARS;

/** A fresh idempotency key for one message. */
export function newKey() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A minimal event emitter: on(type, fn) → off(). */
export class Emitter {
  #listeners = new Map();

  on(type, fn) {
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type).add(fn);
    return () => this.#listeners.get(type)?.delete(fn);
  }

  emit(type, payload) {
    for (const fn of [...(this.#listeners.get(type) || [])]) {
      try {
        fn(payload);
      } catch (error) {
        console.error(`chat ${type} listener failed`, error);
      }
    }
  }
}

/** One open chat room: its messages in order, the outbox, typing and read state. */
export class ChatRoom extends Emitter {
  /** @param {ChatClient} client @param {object} info a ChatRoomInfo (at least {id}) */
  constructor(client, info) {
    super();
    this.client = client;
    this.id = info.id;
    this.info = { ...info };
    this.messages = []; // oldest first, contiguous from firstSeq to lastSeq (deleted ones too)
    this.lastSeq = null; // null until the starting point is known
    this.firstSeq = null;
    this.hasEarlier = false;
    this.loadingEarlier = false;
    this.joined = false; // the server sends us this room's live events
    this.error = null; // why joining failed (forbidden, not_found…)
    this.outbox = []; // {key, body, phrase, state: sending|waiting|failed, error, messageId}
    this.typers = new Map(); // user id → {user, timer}
    this.readSent = Number(info.read_seq) || 0;
    this.staffOffline = false; // the last send said nobody of the company is on duty
    this.slowUntil = 0; // slow mode: the user may send again from this time (ms), 0 when free
    this.views = new Set(); // attached views: {isActive(): boolean}
    this.refs = 0;
    this.closed = false;
    this.#lastTypingSent = 0;
  }

  #ahead = new Map(); // seq → message that arrived before the ones in between
  #filling = null; // the running fill (a promise), if any
  #lastTypingSent;

  get hub() {
    return this.client.hub;
  }

  get me() {
    return this.client.me;
  }

  /** The hub room carrying this room's events. */
  get hubRoom() {
    return this.info.hub_room || roomName(ROOM_KINDS.CHAT, this.id);
  }

  changed(what = 'messages') {
    this.emit('change', what);
  }

  // -------------------------------------------------------------- joining and order

  /** Starts following the room: the newest messages, then the live stream. */
  async start() {
    if (this.lastSeq === null) {
      if (Number.isFinite(this.info.last_seq)) {
        this.lastSeq = Math.max(0, this.info.last_seq - INITIAL_WINDOW);
      } else {
        // Only the id is known: the newest page first, then join after it.
        try {
          const data = await this.hub.request(COMMANDS.CHAT_HISTORY, { room_id: this.id, limit: INITIAL_WINDOW });
          if (this.closed) return;
          const msgs = data.messages || [];
          this.lastSeq = msgs.length ? msgs[0].seq - 1 : 0;
          this.firstSeq = this.lastSeq + 1;
          this.hasEarlier = this.lastSeq > 0;
          for (const m of msgs) this.ingest(m, { quiet: true });
        } catch (error) {
          if (this.closed) return;
          if (!TRANSIENT.has(error.code)) {
            this.error = error;
            this.changed('error');
            return;
          }
          this.lastSeq = 0; // joined from the start after the reconnect
        }
      }
      if (this.firstSeq === null) {
        this.firstSeq = this.lastSeq + 1;
        this.hasEarlier = this.lastSeq > 0;
      }
    }
    await this.fill();
  }

  /** chat_join from lastSeq until nothing more is missing; one at a time. */
  fill() {
    if (this.closed) return Promise.resolve();
    if (this.#filling) return this.#filling;
    this.#filling = (async () => {
      try {
        // Bounded: a server that never sends a missing seq must not keep us asking forever.
        for (let round = 0; round < 50; round += 1) {
          const data = await this.hub.request(COMMANDS.CHAT_JOIN, { room_id: this.id, after_seq: this.lastSeq });
          if (this.closed) return;
          this.joined = true;
          this.error = null;
          if (data.room) this.#setInfo(data.room);
          for (const m of data.messages || []) this.ingest(m, { quiet: true, fromJoin: true });
          this.#drainAhead();
          this.changed('messages');
          const gap = this.#ahead.size > 0;
          // A gap event during the join is in #ahead: the loop goes on only if the reply
          // did not cover it.
          if (!(data.more && (data.messages || []).length) && !gap) break;
        }
      } catch (error) {
        if (this.closed) return;
        this.joined = false;
        if (!TRANSIENT.has(error.code)) {
          this.error = error;
          this.changed('error');
        }
        // Transient: the client joins again after the reconnect.
      } finally {
        this.#filling = null;
      }
    })();
    return this.#filling;
  }

  #setInfo(info) {
    const slowBefore = this.info.slow_mode_s;
    this.info = { ...this.info, ...info };
    this.client.updateRoomInfo(info);
    if (!(this.info.slow_mode_s > 0)) this.slowUntil = 0;
    if (slowBefore !== this.info.slow_mode_s) this.changed('settings');
  }

  // -------------------------------------------------------------- slow mode

  /** Seconds between one user's messages here (0: no slow mode). */
  get slowModeS() {
    return Math.max(0, Number(this.info.slow_mode_s) || 0);
  }

  /** Whether the user moderates this room (no cooldown, may delete and mute). */
  get moderator() {
    return Boolean(this.info.moderator);
  }

  /** Milliseconds until the user may send again in slow mode (0: now). */
  cooldownMs(now = Date.now()) {
    if (this.moderator || this.slowModeS === 0) return 0;
    return Math.max(0, this.slowUntil - now);
  }

  #startCooldown(ms) {
    if (this.moderator || !(ms > 0)) return;
    this.slowUntil = Math.max(this.slowUntil, Date.now() + ms);
    this.changed('slow');
  }

  /** Applies a message by the sequence rule (see the top of this file). */
  ingest(m, { quiet = false } = {}) {
    if (!m || m.room_id !== this.id || this.lastSeq === null) return;
    if (m.seq <= this.lastSeq) {
      // Already have it: a delete may have happened since.
      const have = this.#find(m.seq);
      if (have && m.deleted && !have.deleted) {
        have.deleted = true;
        have.body = null;
        have.phrase = null;
        if (!quiet) this.changed('messages');
      }
      return;
    }
    if (m.seq === this.lastSeq + 1) {
      this.#append(m);
      this.#drainAhead();
      if (!quiet) this.changed('messages');
      return;
    }
    // A gap: keep this one and fetch what lies between.
    this.#ahead.set(m.seq, m);
    this.fill();
  }

  #append(m) {
    this.messages.push({ ...m });
    this.lastSeq = m.seq;
    if (this.info.last_seq === undefined || m.seq > this.info.last_seq) this.info.last_seq = m.seq;
    // The message a send was waiting for is here: the outbox entry goes.
    const before = this.outbox.length;
    this.outbox = this.outbox.filter((item) => item.messageId !== m.id);
    if (this.outbox.length !== before) this.changed('outbox');
    if (m.sender?.id !== this.me.id) this.typers.delete(m.sender?.id);
  }

  #drainAhead() {
    for (const seq of [...this.#ahead.keys()]) if (seq <= this.lastSeq) this.#ahead.delete(seq);
    while (this.#ahead.has(this.lastSeq + 1)) {
      const next = this.#ahead.get(this.lastSeq + 1);
      this.#ahead.delete(next.seq);
      this.#append(next);
    }
  }

  #find(seq) {
    // Contiguous from firstSeq: an index, not a search.
    const first = this.messages[0]?.seq;
    if (first === undefined) return undefined;
    const m = this.messages[seq - first];
    return m?.seq === seq ? m : this.messages.find((x) => x.seq === seq);
  }

  /** "Load earlier": the page before the oldest shown. */
  async loadEarlier() {
    if (!this.hasEarlier || this.loadingEarlier || this.firstSeq === null) return;
    this.loadingEarlier = true;
    this.changed('earlier');
    try {
      const data = await this.hub.request(COMMANDS.CHAT_HISTORY, {
        room_id: this.id, before_seq: this.firstSeq, limit: HISTORY_PAGE,
      });
      const older = (data.messages || []).filter((m) => m.seq < this.firstSeq);
      if (older.length) {
        this.messages = [...older.map((m) => ({ ...m })), ...this.messages];
        this.firstSeq = older[0].seq;
      }
      // `more`: there are still older ones before the page we got.
      this.hasEarlier = Boolean(data.more) && older.length > 0;
    } catch (error) {
      this.emit('notice', { error });
    } finally {
      this.loadingEarlier = false;
      this.changed('earlier');
    }
  }

  // -------------------------------------------------------------- events

  onEvent(event) {
    switch (event?.kind) {
      case EVENTS.CHAT_MESSAGE:
        this.ingest(event.message);
        break;
      case EVENTS.CHAT_DELETED: {
        const m = this.#find(event.seq);
        if (m && m.id === event.message_id && !m.deleted) {
          m.deleted = true;
          m.body = null;
          m.phrase = null;
          this.changed('messages');
        }
        const ahead = this.#ahead.get(event.seq);
        if (ahead) {
          ahead.deleted = true;
          ahead.body = null;
          ahead.phrase = null;
        }
        break;
      }
      case EVENTS.CHAT_SETTINGS: {
        if (event.room_id !== undefined && event.room_id !== this.id) break;
        const seconds = Math.max(0, Number(event.slow_mode_s) || 0);
        this.info.slow_mode_s = seconds;
        // Off: no cooldown. Shorter: what is left cannot exceed the new rule.
        if (seconds === 0) this.slowUntil = 0;
        else this.slowUntil = Math.min(this.slowUntil, Date.now() + seconds * 1000);
        this.changed('settings');
        break;
      }
      case EVENTS.TYPING: {
        const user = event.user;
        if (!user || user.id === this.me.id) break;
        const seen = this.typers.get(user.id);
        if (seen) clearTimeout(seen.timer);
        const timer = setTimeout(() => {
          this.typers.delete(user.id);
          this.changed('typing');
        }, TYPING_SHOW_MS);
        this.typers.set(user.id, { user, timer });
        this.changed('typing');
        break;
      }
      default:
        break;
    }
  }

  // -------------------------------------------------------------- sending

  /**
   * Queues a message and sends it; it shows as "sending…" until the server stores it. With a
   * phrasebook phrase ({id, params}), `body` is the phrase as the sender sees it.
   */
  send(body, phrase = null) {
    const item = { key: newKey(), body, phrase, state: 'sending', error: null, messageId: null, createdMs: Date.now() };
    this.outbox.push(item);
    this.changed('outbox');
    this.#transmit(item);
    return item;
  }

  /** Sends a failed message again (same key: the server never stores it twice). */
  retry(key) {
    const item = this.outbox.find((i) => i.key === key);
    if (item && item.state !== 'sending') this.#transmit(item);
  }

  discard(key) {
    this.outbox = this.outbox.filter((i) => i.key !== key || i.state === 'sending');
    this.changed('outbox');
  }

  async #transmit(item, attempt = 0) {
    if (this.closed) return;
    item.state = 'sending';
    item.error = null;
    this.changed('outbox');
    try {
      if (!this.joined) await this.fill();
      const data = await this.hub.request(
        COMMANDS.CHAT_SEND,
        { room_id: this.id, body: item.body, key: item.key, ...(item.phrase ? { phrase: item.phrase } : {}) },
        { timeoutMs: SEND_TIMEOUT_MS },
      );
      item.messageId = data.message?.id ?? null;
      item.state = 'sent';
      // Slow mode: the cooldown starts with this message (the server counts it the same way).
      if (this.slowModeS > 0) this.#startCooldown(this.slowModeS * 1000);
      if (data.staff_online === false) {
        this.staffOffline = true;
        this.info.staff_online = false;
        this.emit('notice', { staffOffline: true });
      } else if (data.staff_online === true) {
        this.staffOffline = false;
        this.info.staff_online = true;
      }
      if (data.message) this.ingest(data.message);
      // The reply's message may wait behind a gap; the entry goes when it is applied.
      if (item.messageId !== null && this.#find(data.message.seq)?.id === item.messageId) {
        this.outbox = this.outbox.filter((i) => i !== item);
      }
      this.client.noteSent(this, data.message);
      this.changed('outbox');
    } catch (error) {
      if (this.closed) return;
      if (error.code === 'timeout' && this.hub.status === 'connected' && attempt < 3) {
        // Maybe stored, maybe not: the same key tells the server it is the same message.
        this.#transmit(item, attempt + 1);
        return;
      }
      if (TRANSIENT.has(error.code) && this.hub.status !== 'connected') {
        item.state = 'waiting'; // sent again after the reconnect
      } else if (error.code === ERROR_CODES.NOT_SUBSCRIBED && attempt < 2) {
        this.joined = false;
        this.#transmit(item, attempt + 1);
        return;
      } else if (FINAL.has(error.code)) {
        item.state = 'failed';
        item.error = error;
        if (error.code === ERROR_CODES.SLOW_MODE) {
          // The server's word on the time left; without one, a whole cooldown.
          this.#startCooldown(error.retryAfterMs ?? error.body?.retry_after_ms ?? this.slowModeS * 1000);
        }
      } else if (error.code === ERROR_CODES.RATE_LIMITED && attempt < 5) {
        item.state = 'sending';
        setTimeout(() => this.#transmit(item, attempt + 1), 1200 * (attempt + 1));
        return;
      } else {
        item.state = 'failed';
        item.error = error;
      }
      this.changed('outbox');
    }
  }

  /** After a reconnect: join from lastSeq, then send what was waiting, in order. */
  async resume() {
    if (this.closed) return;
    this.joined = false;
    if (this.lastSeq === null) {
      await this.start();
    } else {
      await this.fill();
    }
    for (const item of this.outbox) {
      if (item.state === 'waiting' || item.state === 'sending') this.#transmit(item);
    }
  }

  // -------------------------------------------------------------- typing, reading, deleting

  /** Tells the others we are typing, at most every two seconds. */
  typing() {
    const now = Date.now();
    if (!this.joined || now - this.#lastTypingSent < TYPING_SEND_EVERY_MS) return;
    this.#lastTypingSent = now;
    this.hub.request(COMMANDS.CHAT_TYPING, { room_id: this.id }).catch(() => {});
  }

  /** Names of those typing now (never ourselves). */
  typingUsers() {
    return [...this.typers.values()].map((t) => t.user);
  }

  /** Whether a view shows this room to the user right now. */
  get visible() {
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return false;
    return [...this.views].some((v) => v.isActive());
  }

  /** Marks everything up to the newest message read (when the user sees it). */
  markRead() {
    const seq = this.lastSeq || 0;
    if (seq <= 0) return;
    this.client.markLocallyRead(this.id, seq);
    if (seq <= this.readSent) return;
    // Public rooms join the inbox only once one takes part; reading alone does not.
    if (this.info.kind !== 'private' && !this.client.inInbox(this.id)) return;
    this.readSent = seq;
    this.hub.request(COMMANDS.CHAT_READ, { room_id: this.id, seq }).then(
      (data) => this.client.applyReadMarker(this.id, data.seq),
      () => { this.readSent = Math.min(this.readSent, seq - 1); },
    );
  }

  /** Deletes a message (the sender, the company's staff, organizers). */
  async deleteMessage(messageId) {
    const data = await this.hub.request(COMMANDS.CHAT_DELETE, { message_id: messageId });
    const m = this.messages.find((x) => x.id === messageId);
    if (m && !m.deleted) {
      m.deleted = true;
      m.body = null;
      m.phrase = null;
      this.changed('messages');
    }
    return data;
  }

  /** May the viewer delete this message? */
  canDelete(m) {
    const me = this.me;
    if (m.deleted) return false;
    if (m.sender?.id === me.id || me.role === 'organizer') return true;
    return me.role === 'exhibitor' && me.company_id != null && me.company_id === this.info.company_id
      && (this.info.kind === 'booth' || this.info.kind === 'private' || this.info.kind === 'show');
  }

  /** May the viewer mute others in this room? (Organizers; a show's host staff in its chat.) */
  get canMute() {
    return this.me.role === 'organizer' || (this.info.kind === 'show' && this.moderator);
  }

  /** May the viewer post here? (Hall and fair rooms are organizers' announcements.) */
  get canPost() {
    if (this.info.kind === 'hall' || this.info.kind === 'fair') return this.me.role === 'organizer';
    return true;
  }

  /** Lets go of one user of this room; the last one leaves it. */
  release() {
    this.refs -= 1;
    if (this.refs > 0) return;
    this.closed = true;
    for (const { timer } of this.typers.values()) clearTimeout(timer);
    this.typers.clear();
    this.client.forget(this);
    // Leave a little later, and only if nobody opened the room again meanwhile (the next
    // page often does): an unsubscribe racing a new chat_join could undo it.
    setTimeout(() => {
      if (this.client.rooms.has(this.id) || this.client.stopped || this.hub.status !== 'connected') return;
      this.hub.request(COMMANDS.UNSUBSCRIBE, { room: this.hubRoom }).catch(() => {});
    }, 1000);
  }
}
