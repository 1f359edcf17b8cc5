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
// from its lastSeq, so exactly what was missed arrives. One room is chat-room.js.

import { api } from './api.js';
import { ChatRoom, Emitter } from './chat-room.js';
import { COMMANDS, ERROR_CODES, EVENTS, parseRoom, ROOM_KINDS, roomName } from './gen/protocol.js';

export { ChatRoom, MAX_MESSAGE_CHARS, newKey } from './chat-room.js';

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
