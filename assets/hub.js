// hub.js — the websocket client for /ws: commands with request ids answered by reply
// promises, room subscriptions that are renewed after every reconnect, event listeners,
// an application-level keepalive, and reconnect with exponential backoff and jitter.
//
//   const hub = new Hub({ checkAuth });
//   hub.on('status', (s) => …);           // idle | connecting | connected | reconnecting | closed
//   hub.on('unauthorized', (code) => …);  // close UNAUTHORIZED, or the upgrade was refused: sign in again
//   const stop = hub.subscribe(ROOMS.LOBBY, { onSnapshot(members) {…}, onEvent(event) {…} });
//   const data = await hub.request(COMMANDS.WHOAMI);
//   hub.start(); … hub.stop();
//
// Protocol names (commands, frame types, close and error codes, rooms) come from
// gen/protocol.js, generated from the server's Rust definitions.

import { CLOSE_CODES, COMMANDS, ERROR_CODES, FRAMES } from './gen/protocol.js';

export class HubError extends Error {
  /** body: the reply's whole error ({code, message, retry_after_ms…}), when the server sent one. */
  constructor(code, message, body = null) {
    super(message || code);
    this.name = 'HubError';
    this.code = code;
    // slow_mode (and rate_limited where known): milliseconds until the sender may try again.
    this.retryAfterMs = Number.isFinite(body?.retry_after_ms) ? body.retry_after_ms : null;
    this.body = body;
  }
}

function defaultUrl() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}

export class Hub {
  #ws = null;
  #welcomed = false;
  #closing = null;
  #status = 'idle';
  #stopped = true;
  #everConnected = false;
  #attempt = 0;
  #retryTimer = null;
  #keepaliveTimer = null;
  #seq = 0;
  #pending = new Map();
  #rooms = new Map(); // room -> { subs: Set, buffer: Array|null }
  #listeners = new Map();
  #welcome = null;

  /**
   * @param {object} [options]
   * @param {string} [options.url] the websocket URL (default: same origin /ws)
   * @param {() => Promise<boolean>} [options.checkAuth] asked when a connection fails before
   *   its welcome frame: resolve false when the session is gone (then 'unauthorized' fires).
   */
  constructor(options = {}) {
    this.url = options.url || defaultUrl();
    this.checkAuth = options.checkAuth || null;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.keepaliveMs = options.keepaliveMs ?? 25_000;
    this.baseBackoffMs = options.baseBackoffMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.onOnline = () => {
      if (this.#retryTimer !== null) {
        clearTimeout(this.#retryTimer);
        this.#retryTimer = null;
        this.#open();
      }
    };
  }

  get status() {
    return this.#status;
  }

  /** The server's welcome frame of the current connection (node, conn_id, user, limits). */
  get welcome() {
    return this.#welcome;
  }

  /** Listens for 'status', 'welcome', 'event', 'closing', 'retry', 'unauthorized', 'error'. */
  on(type, fn) {
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type).add(fn);
    return () => this.#listeners.get(type)?.delete(fn);
  }

  #emit(type, payload) {
    for (const fn of this.#listeners.get(type) || []) {
      try {
        fn(payload);
      } catch (error) {
        console.error(`hub ${type} listener failed`, error);
      }
    }
  }

  #setStatus(status) {
    if (status === this.#status) return;
    this.#status = status;
    this.#emit('status', status);
  }

  start() {
    if (!this.#stopped) return;
    this.#stopped = false;
    window.addEventListener('online', this.onOnline);
    this.#open();
  }

  /** Closes for good (sign-out, leaving the page): no reconnect. */
  stop() {
    this.#stopped = true;
    window.removeEventListener('online', this.onOnline);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    const ws = this.#ws;
    this.#detach();
    if (ws) {
      try {
        ws.close(1000, 'client closed');
      } catch {
        // Already closed.
      }
    }
    this.#failPending('closed', 'the hub connection was closed');
    this.#setStatus('closed');
  }

  #open() {
    if (this.#stopped) return;
    this.#setStatus(this.#everConnected || this.#attempt > 0 ? 'reconnecting' : 'connecting');
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (error) {
      console.warn('hub: cannot open websocket', error);
      this.#scheduleReconnect(false);
      return;
    }
    this.#ws = ws;
    this.#welcomed = false;
    this.#closing = null;
    ws.onmessage = (message) => this.#onFrame(ws, message.data);
    ws.onclose = (event) => this.#onClose(ws, event.code);
    ws.onerror = () => {
      // A close event always follows; it decides what to do.
    };
  }

  /** Forgets the current socket without waiting for its close event. */
  #detach() {
    const ws = this.#ws;
    this.#ws = null;
    this.#welcomed = false;
    clearInterval(this.#keepaliveTimer);
    this.#keepaliveTimer = null;
    if (ws) {
      ws.onmessage = null;
      ws.onclose = null;
      ws.onerror = null;
    }
  }

  #onFrame(ws, raw) {
    if (ws !== this.#ws) return;
    let frame;
    try {
      frame = JSON.parse(raw);
    } catch {
      console.warn('hub: a frame that is not JSON', raw);
      return;
    }
    this.#dispatch(ws, frame);
  }

  /**
   * Handles one parsed frame. A batch (a busy room's frames, a stage show's chat) is unpacked:
   * each inner frame goes through here in order, as if it had come alone.
   */
  #dispatch(ws, frame, depth = 0) {
    if (ws !== this.#ws || !frame || typeof frame !== 'object') return;
    switch (frame.type) {
      case FRAMES.BATCH:
        // The server never nests batches; one level more is tolerated, never a loop.
        if (depth > 1 || !Array.isArray(frame.frames)) break;
        for (const inner of frame.frames) {
          try {
            this.#dispatch(ws, inner, depth + 1);
          } catch (error) {
            console.error('hub: a batched frame failed', error);
          }
        }
        break;
      case FRAMES.WELCOME:
        this.#welcomed = true;
        this.#welcome = frame;
        this.#attempt = 0;
        this.#everConnected = true;
        this.#setStatus('connected');
        this.#emit('welcome', frame);
        this.#startKeepalive();
        for (const room of this.#rooms.keys()) this.#sendSubscribe(room);
        break;
      case FRAMES.REPLY:
        this.#onReply(frame);
        break;
      case FRAMES.EVENT:
        this.#onEvent(frame);
        break;
      case FRAMES.CLOSING:
        this.#closing = frame;
        this.#emit('closing', frame);
        break;
      default:
        break;
    }
  }

  #onReply(frame) {
    const pending = frame.id ? this.#pending.get(frame.id) : undefined;
    if (!pending) {
      if (!frame.ok) this.#emit('error', frame.error);
      return;
    }
    this.#pending.delete(frame.id);
    clearTimeout(pending.timer);
    if (frame.ok) pending.resolve(frame.data);
    else pending.reject(new HubError(frame.error?.code || 'unknown', frame.error?.message, frame.error || null));
  }

  #onEvent(frame) {
    const room = this.#rooms.get(frame.room);
    if (room) {
      if (room.buffer) room.buffer.push(frame.event);
      else for (const sub of room.subs) sub.onEvent?.(frame.event);
    }
    this.#emit('event', frame);
  }

  #onClose(ws, code) {
    if (ws !== this.#ws) return;
    const welcomed = this.#welcomed;
    const closing = this.#closing;
    this.#detach();
    this.#failPending('disconnected', 'the hub connection dropped');
    if (this.#stopped) return;
    if (code === CLOSE_CODES.UNAUTHORIZED) {
      this.#unauthorized(closing?.reason || ERROR_CODES.TOKEN_EXPIRED);
    } else if (!welcomed && this.checkAuth) {
      // The upgrade may have been refused (401): a browser only sees a failed socket, so ask.
      this.#setStatus('reconnecting');
      this.checkAuth().then(
        (ok) => (ok === false ? this.#unauthorized(ERROR_CODES.UNAUTHORIZED) : this.#scheduleReconnect(false)),
        () => this.#scheduleReconnect(false),
      );
    } else {
      this.#scheduleReconnect(Boolean(closing?.reconnect));
    }
  }

  #unauthorized(code) {
    this.stop();
    this.#emit('unauthorized', code);
  }

  #scheduleReconnect(soon) {
    if (this.#stopped) return;
    clearTimeout(this.#retryTimer);
    this.#attempt += 1;
    const ceiling = Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** (this.#attempt - 1));
    // A node that announced its shutdown asks us to come back right away (to another node);
    // spread the herd over a second. Otherwise back off exponentially with jitter.
    const delayMs = soon ? 100 + Math.random() * 900 : ceiling / 2 + Math.random() * (ceiling / 2);
    this.#setStatus('reconnecting');
    this.#emit('retry', { attempt: this.#attempt, delayMs });
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#open();
    }, delayMs);
  }

  #startKeepalive() {
    clearInterval(this.#keepaliveTimer);
    if (!this.keepaliveMs) return;
    const ws = this.#ws;
    this.#keepaliveTimer = setInterval(() => {
      this.request(COMMANDS.PING).catch((error) => {
        // A connection that cannot answer a ping is dead even if the browser has not noticed.
        if (error.code === 'timeout' && ws === this.#ws) {
          this.#detach();
          try {
            ws.close();
          } catch {
            // Already closed.
          }
          this.#failPending('disconnected', 'the hub connection stopped answering');
          this.#scheduleReconnect(false);
        }
      });
    }, this.keepaliveMs);
  }

  #failPending(code, message) {
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(new HubError(code, message));
      this.#pending.delete(id);
    }
  }

  /** Sends one command; resolves with the reply's data or rejects with a HubError. */
  request(type, fields = {}, { timeoutMs = this.requestTimeoutMs } = {}) {
    return new Promise((resolve, reject) => {
      const ws = this.#ws;
      if (!ws || !this.#welcomed || ws.readyState !== WebSocket.OPEN) {
        reject(new HubError('disconnected', 'the hub is not connected'));
        return;
      }
      const id = `c${++this.#seq}`;
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new HubError('timeout', `no reply to ${type} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      try {
        ws.send(JSON.stringify({ ...fields, id, type }));
      } catch (error) {
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(new HubError('disconnected', error?.message));
      }
    });
  }

  /**
   * Follows a room: onSnapshot(members, total) after every (re)subscription (a crowded
   * room's members are a sample; total counts its connections), onEvent(event) for
   * each event in between, onError(error) when the server refuses. Returns an unsubscribe.
   */
  subscribe(room, handlers) {
    const sub = { ...handlers };
    let entry = this.#rooms.get(room);
    if (!entry) {
      entry = { subs: new Set(), buffer: null };
      this.#rooms.set(room, entry);
      entry.subs.add(sub);
      if (this.#welcomed) this.#sendSubscribe(room);
    } else {
      entry.subs.add(sub);
      // Already subscribed: a presence listing gives the newcomer its snapshot.
      if (this.#welcomed) {
        this.request(COMMANDS.PRESENCE, { room }).then(
          (data) => sub.onSnapshot?.(data.members || [], data.total),
          (error) => sub.onError?.(error),
        );
      }
    }
    return () => {
      const current = this.#rooms.get(room);
      if (!current) return;
      current.subs.delete(sub);
      if (current.subs.size === 0) {
        this.#rooms.delete(room);
        if (this.#welcomed) this.request(COMMANDS.UNSUBSCRIBE, { room }).catch(() => {});
      }
    };
  }

  #sendSubscribe(room) {
    const entry = this.#rooms.get(room);
    if (!entry) return;
    // Events that race the reply are held and replayed after the snapshot, in order.
    entry.buffer = [];
    this.request(COMMANDS.SUBSCRIBE, { room }).then(
      (data) => {
        if (this.#rooms.get(room) !== entry) return;
        const buffered = entry.buffer || [];
        entry.buffer = null;
        for (const sub of entry.subs) {
          sub.onSnapshot?.(data.members || [], data.total);
          for (const event of buffered) sub.onEvent?.(event);
        }
      },
      (error) => {
        entry.buffer = null;
        if (error.code === 'disconnected' || error.code === 'closed') return; // renewed on reconnect
        for (const sub of entry.subs) sub.onError?.(error);
      },
    );
  }
}
