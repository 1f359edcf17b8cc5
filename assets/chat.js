// chat.js — the chat model of one session, with no DOM: the inbox (conversations and their
// unread counts, kept live through the personal room `user:{id}`), the open rooms (ordered
// by sequence, with gaps filled and duplicates dropped), messages waiting to be sent (resent
// with the same key after a timeout or a reconnect), typing notices, and talk-to-staff
// requests (the buyer's outcome; the on-duty staff's notifications from `duty:{company}`).
//
//   const chat = new ChatClient(hub, me);
//   chat.on('inbox', () => …);                 // rooms or unread counts changed
//   const room = chat.room(info);              // a ChatRoom, joined; room.release() when done
//   room.on('change', () => …); room.send('hello');
//   room.send(textInMyLanguage, { id: 'ask_samples', params: {} });   // a phrasebook phrase
//
// Sequence rule (see docs/protocol.md): every room keeps `lastSeq`. A message is applied only
// when its seq is lastSeq + 1; an older one is a duplicate; a newer one means a gap, filled
// with chat_join {after_seq: lastSeq}. After a reconnect every open room is joined again
// from its lastSeq, so exactly what was missed arrives.

import { api } from './api.js';
import {
  COMMANDS, ERROR_CODES, EVENTS, LIMITS, ROOM_KINDS, parseRoom, roomName,
} from './gen/protocol.js';

/** How many recent messages a freshly opened room shows (older ones: "load earlier"). */
const INITIAL_WINDOW = 50;
const HISTORY_PAGE = 50;
/** The server passes on one typing notice in this long; sending more would be wasted. */
const TYPING_SEND_EVERY_MS = LIMITS.TYPING_EVERY_MS;
const TYPING_SHOW_MS = 3000;
const SEND_TIMEOUT_MS = 10_000;
/** Errors after which a message is sent again (same key) rather than given up. */
const TRANSIENT = new Set(['timeout', 'disconnected', 'closed']);
export const MAX_MESSAGE_CHARS = LIMITS.MAX_MESSAGE_CHARS;

/** A fresh idempotency key for one message. */
export function newKey() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A minimal event emitter: on(type, fn) → off(). */
class Emitter {
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
    this.info = { ...this.info, ...info };
    this.client.updateRoomInfo(info);
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
      && (this.info.kind === 'booth' || this.info.kind === 'private');
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

/** The chat side of one signed-in session. */
export class ChatClient extends Emitter {
  constructor(hub, me) {
    super();
    this.hub = hub;
    this.me = me;
    this.rooms = new Map(); // id → ChatRoom (open ones)
    this.inbox = new Map(); // id → ChatRoomInfo
    this.inboxLoaded = false;
    this.inboxError = null;
    this.talkRequests = new Map(); // staff: id → TalkRequest (open, or just resolved)
    this.myTalk = new Map(); // buyer: company id → TalkRequest (the latest)
    this.blocked = this.#loadBlocked();
    this.stopped = false;
    this.#refetchTimer = null;
    this.#offs = [
      hub.subscribe(roomName(ROOM_KINDS.USER, me.id), {
        onSnapshot: () => {},
        onEvent: (event) => this.#onUserEvent(event),
        onError: (error) => console.warn('personal room refused', error),
      }),
      hub.on('event', (frame) => this.#onFrame(frame)),
      hub.on('welcome', () => this.#onWelcome()),
    ];
    if (hub.status === 'connected') this.#onWelcome();
  }

  #offs;
  #refetchTimer;

  stop() {
    this.stopped = true;
    clearTimeout(this.#refetchTimer);
    for (const off of this.#offs) off();
    for (const room of this.rooms.values()) room.closed = true;
    this.rooms.clear();
  }

  get isStaff() {
    return this.me.role === 'exhibitor' && this.me.company_id != null;
  }

  // -------------------------------------------------------------- connection

  #onWelcome() {
    // Anything may have happened while we were away: the inbox afresh, every room resumed.
    this.refreshInbox();
    for (const room of this.rooms.values()) room.resume();
    if (this.isStaff) this.refreshTalkRequests();
  }

  #onFrame(frame) {
    const room = parseRoom(frame?.room);
    if (room?.kind === ROOM_KINDS.CHAT) {
      const { id } = room;
      this.rooms.get(id)?.onEvent(frame.event);
      if (frame.event?.kind === EVENTS.CHAT_MESSAGE) this.#bumpFromRoomEvent(id, frame.event.message);
    } else if (room?.kind === ROOM_KINDS.DUTY) {
      this.#onDutyEvent(frame.event);
    }
  }

  // -------------------------------------------------------------- rooms

  /** Opens (or reuses) the room described by info; call room.release() when done. */
  room(info) {
    let room = this.rooms.get(info.id);
    if (!room) {
      room = new ChatRoom(this, info);
      this.rooms.set(info.id, room);
      room.refs = 1;
      room.start();
    } else {
      room.refs += 1;
      if (info.last_seq !== undefined) room.info = { ...info, ...room.info };
    }
    return room;
  }

  /** chat_open: the room for a target (booth:3, private:3, private:3:44, hall:1, fair). */
  async open(target) {
    const data = await this.hub.request(COMMANDS.CHAT_OPEN, { target });
    this.updateRoomInfo(data.room, { add: data.room.kind === 'private' });
    return data.room;
  }

  forget(room) {
    if (this.rooms.get(room.id) === room) this.rooms.delete(room.id);
  }

  // -------------------------------------------------------------- the inbox

  /** GET /chat/rooms: every conversation with its unread count. */
  async refreshInbox() {
    try {
      const data = await api.chatRooms();
      if (this.stopped) return;
      const before = this.inbox;
      this.inbox = new Map((data.rooms || []).map((r) => [r.id, { ...r, last_seq_ms: before.get(r.id)?.last_seq_ms }]));
      // An open room that is visible has been read: keep its count at zero.
      for (const room of this.rooms.values()) {
        const info = this.inbox.get(room.id);
        if (info && room.visible && room.lastSeq >= info.last_seq) info.unread = 0;
      }
      this.inboxLoaded = true;
      this.inboxError = null;
    } catch (error) {
      if (this.stopped) return;
      this.inboxError = error;
    }
    this.emit('inbox');
  }

  refreshSoon(delayMs = 300) {
    clearTimeout(this.#refetchTimer);
    this.#refetchTimer = setTimeout(() => this.refreshInbox(), delayMs);
  }

  inInbox(roomId) {
    return this.inbox.has(roomId);
  }

  /** Conversations, the newest activity first. */
  inboxRooms() {
    // Live activity seen in this page first (newest first), then the server's order.
    const order = [...this.inbox.values()];
    const rank = new Map(order.map((r, i) => [r.id, i]));
    return order.sort((a, b) => (b.last_seq_ms || 0) - (a.last_seq_ms || 0) || rank.get(a.id) - rank.get(b.id));
  }

  get totalUnread() {
    let total = 0;
    for (const info of this.inbox.values()) total += Math.max(0, Number(info.unread) || 0);
    return total;
  }

  updateRoomInfo(info, { add = false } = {}) {
    const known = this.inbox.get(info.id);
    if (known) {
      // Unread counts move with events; a fetched info is as fresh as it gets.
      Object.assign(known, info);
      this.emit('inbox');
    } else if (add) {
      this.inbox.set(info.id, { ...info });
      this.emit('inbox');
    }
  }

  /** Our own message went out: the room is ours now (it joins the inbox). */
  noteSent(room, message) {
    if (!message) return;
    const known = this.inbox.get(room.id);
    if (known) {
      known.last_seq = Math.max(known.last_seq || 0, message.seq);
      known.read_seq = Math.max(known.read_seq || 0, message.seq);
      known.last_seq_ms = message.created_ms;
      this.emit('inbox');
    } else {
      this.inbox.set(room.id, { ...room.info, last_seq: message.seq, read_seq: message.seq, unread: 0, last_seq_ms: message.created_ms });
      this.emit('inbox');
    }
  }

  markLocallyRead(roomId, seq) {
    const info = this.inbox.get(roomId);
    if (!info) return;
    info.read_seq = Math.max(info.read_seq || 0, seq);
    if (seq >= (info.last_seq || 0) && info.unread) {
      info.unread = 0;
      this.emit('inbox');
    }
  }

  /** A read marker (ours, or another device's): the badge clears up to it. */
  applyReadMarker(roomId, seq) {
    const info = this.inbox.get(roomId);
    const room = this.rooms.get(roomId);
    if (room) room.readSent = Math.max(room.readSent, seq);
    if (!info) return;
    info.read_seq = Math.max(info.read_seq || 0, seq);
    if (seq >= (info.last_seq || 0)) {
      if (info.unread) {
        info.unread = 0;
        this.emit('inbox');
      }
    } else {
      this.refreshSoon(); // only the server knows how many of the rest are others'
    }
  }

  /** A message seen on a room's stream (public rooms have no chat_unread events). */
  #bumpFromRoomEvent(roomId, message) {
    const info = this.inbox.get(roomId);
    if (!info || !message || info.kind === 'private') return; // private: chat_unread does it
    if (message.seq <= (info.last_seq || 0)) return;
    info.last_seq = message.seq;
    info.last_seq_ms = message.created_ms;
    if (message.sender?.id !== this.me.id && !this.rooms.get(roomId)?.visible) info.unread = (info.unread || 0) + 1;
    this.emit('inbox');
  }

  #onUserEvent(event) {
    switch (event?.kind) {
      case EVENTS.CHAT_UNREAD: {
        const info = this.inbox.get(event.room_id);
        const room = this.rooms.get(event.room_id);
        if (!info) {
          // A conversation we did not know yet: the list afresh.
          this.refreshSoon(100);
          break;
        }
        if (event.last_seq <= (info.last_seq || 0) && event.last_seq <= (info.read_seq || 0)) break;
        if (event.last_seq > (info.last_seq || 0)) info.last_seq = event.last_seq;
        info.last_seq_ms = Date.now();
        if (room?.visible) {
          // Shown right now: the open view marks it read as it arrives.
        } else if (event.last_seq > (info.read_seq || 0)) {
          info.unread = (Number(info.unread) || 0) + 1;
        }
        this.emit('inbox');
        this.emit('unread', event);
        break;
      }
      case EVENTS.CHAT_READ_MARKER:
        this.applyReadMarker(event.room_id, event.seq);
        break;
      case EVENTS.TALK_TAKEN:
      case EVENTS.TALK_MISSED:
      case EVENTS.TALK_CANCELLED: {
        const request = event.request;
        if (!request) break;
        if (request.buyer?.id === this.me.id) {
          this.myTalk.set(request.company_id, request);
          this.emit('my-talk', { kind: event.kind, request });
          if (event.kind === EVENTS.TALK_TAKEN) this.refreshSoon(100);
        } else {
          this.#onDutyEvent(event);
        }
        break;
      }
      default:
        break;
    }
  }

  // -------------------------------------------------------------- talk to staff

  /** Buyer: asks the booth's on-duty staff for a conversation. */
  async requestTalk(companyId) {
    const data = await this.hub.request(COMMANDS.TALK_REQUEST, { company_id: companyId });
    if (data.request) {
      // The countdown runs on this tab's clock: the server's clock may differ from ours.
      const known = this.myTalk.get(companyId);
      data.request.deadline = known?.id === data.request.id && known.deadline
        ? known.deadline
        : Date.now() + Math.max(0, (data.request.expires_ms || 0) - (data.request.created_ms || 0));
      this.myTalk.set(companyId, data.request);
      this.emit('my-talk', { kind: EVENTS.TALK_REQUESTED, request: data.request });
    }
    return data.request;
  }

  /** Buyer: withdraws their own request while nobody has taken it. */
  async cancelTalk(requestId) {
    const data = await this.hub.request(COMMANDS.TALK_CANCEL, { request_id: requestId });
    if (data.request) {
      this.myTalk.set(data.request.company_id, data.request);
      this.emit('my-talk', { kind: EVENTS.TALK_CANCELLED, request: data.request });
    }
    return data.request;
  }

  /** Staff: takes a request (the first one wins; the others get `conflict`). */
  async acceptTalk(requestId) {
    try {
      const data = await this.hub.request(COMMANDS.TALK_ACCEPT, { request_id: requestId });
      this.#setTalk(data.request);
      if (data.room) this.updateRoomInfo(data.room, { add: true });
      return data;
    } catch (error) {
      if (error.code === ERROR_CODES.CONFLICT) {
        const known = this.talkRequests.get(requestId);
        if (known) {
          known.conflict = error.message || true;
          this.emit('talk-requests', { request: known, kind: ERROR_CODES.CONFLICT });
        }
      }
      throw error;
    }
  }

  /** Staff: the requests still open (after a reconnect, events may have been missed). */
  async refreshTalkRequests() {
    if (!this.isStaff) return;
    try {
      const data = await api.talkRequests(this.me.company_id, 'open');
      if (this.stopped) return;
      const open = new Set();
      for (const request of data.requests || []) {
        open.add(request.id);
        if (!this.talkRequests.has(request.id)) {
          this.talkRequests.set(request.id, request);
          this.emit('talk-requests', { request, kind: EVENTS.TALK_REQUESTED, quiet: true });
        }
      }
      for (const [id, request] of this.talkRequests) {
        if (request.state === 'open' && !open.has(id)) {
          this.talkRequests.delete(id);
          this.emit('talk-requests', { request, kind: 'gone' });
        }
      }
    } catch {
      // The list stays as the events made it.
    }
  }

  openTalkRequests() {
    return [...this.talkRequests.values()].filter((r) => r.state === 'open')
      .sort((a, b) => a.created_ms - b.created_ms);
  }

  #setTalk(request) {
    const known = this.talkRequests.get(request.id);
    this.talkRequests.set(request.id, { ...known, ...request });
  }

  #onDutyEvent(event) {
    const request = event?.request;
    if (!request || !this.isStaff || request.company_id !== this.me.company_id) return;
    switch (event.kind) {
      case EVENTS.TALK_REQUESTED:
        this.#setTalk(request);
        this.emit('talk-requests', { request, kind: event.kind });
        break;
      case EVENTS.TALK_TAKEN:
      case EVENTS.TALK_MISSED:
      case EVENTS.TALK_CANCELLED:
        this.#setTalk(request);
        this.emit('talk-requests', { request, kind: event.kind });
        break;
      default:
        break;
    }
  }

  // -------------------------------------------------------------- blocks and moderation

  #blockedKey() {
    return `expo.blocked.${this.me.id}`;
  }

  #loadBlocked() {
    try {
      return new Set(JSON.parse(localStorage.getItem(this.#blockedKey()) || '[]'));
    } catch {
      return new Set();
    }
  }

  #saveBlocked() {
    try {
      localStorage.setItem(this.#blockedKey(), JSON.stringify([...this.blocked]));
    } catch {
      // Remembered for this page only.
    }
  }

  isBlocked(userId) {
    return this.blocked.has(userId);
  }

  async block(userId) {
    await api.blockUser(userId);
    this.blocked.add(userId);
    this.#saveBlocked();
    this.emit('blocks');
  }

  async unblock(userId) {
    await api.unblockUser(userId);
    this.blocked.delete(userId);
    this.#saveBlocked();
    this.emit('blocks');
  }
}
