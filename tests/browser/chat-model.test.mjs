// chat-model.test.mjs — the chat model (assets/chat.js) without a browser or a server: a
// fake hub replays the orders the real one may deliver. Live messages that arrive before the
// chat_join reply, duplicates, a gap (filled with one chat_join from lastSeq), a deletion,
// a send that times out (sent again with the same key), and one written while disconnected
// (sent after the reconnect, once the room is joined again).
//
//   node tests/browser/chat-model.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatClient } from '../../assets/chat.js';

const tick = (ms = 10) => new Promise((resolve) => setTimeout(resolve, ms));

test('sequence rule, gap fill, idempotent resend and resume after a reconnect', async () => {
  globalThis.fetch = async () => ({ status: 200, ok: true, text: async () => '{"rooms":[]}' });
  const me = { id: 44, name: 'Ivan', role: 'buyer' };
  const msg = (seq, extra = {}) => ({ id: 100 + seq, room_id: 7, seq, sender: { id: 2, name: 'Park' }, body: `m${seq}`, deleted: false, created_ms: seq, ...extra });
  class FakeHub {
    status = 'connected'; listeners = new Map(); calls = []; handlers = {};
    on(t, fn) { (this.listeners.get(t) || this.listeners.set(t, new Set()).get(t)).add(fn); return () => this.listeners.get(t).delete(fn); }
    emit(t, p) { for (const fn of this.listeners.get(t) || []) fn(p); }
    subscribe() { return () => {}; }
    request(type, fields) { this.calls.push({ type, ...fields }); return (this.handlers[type] || (() => Promise.reject({ code: 'x' })))(fields); }
  }
  const hub = new FakeHub();
  let release;
  const joinGate = new Promise((r) => { release = r; });
  let joinReplies = [];
  hub.handlers.chat_join = async (f) => { await joinGate; return joinReplies.shift()(f); };
  const chat = new ChatClient(hub, me);
  // Room with last_seq 3: starts after 0 (window 50).
  joinReplies.push(() => ({ room: { id: 7, kind: 'booth', last_seq: 4 }, messages: [msg(1), msg(2), msg(3), msg(4)], more: false }));
  const room = chat.room({ id: 7, kind: 'booth', last_seq: 3 });
  await tick(0);
  // live events BEFORE the join reply: seq 1 (applied), 1 again (dup), 3 (gap: held)
  hub.emit('event', { room: 'chat:7', event: { kind: 'chat_message', message: msg(1) } });
  hub.emit('event', { room: 'chat:7', event: { kind: 'chat_message', message: msg(1) } });
  hub.emit('event', { room: 'chat:7', event: { kind: 'chat_message', message: msg(3) } });
  assert.deepEqual(room.messages.map((m) => m.seq), [1]);
  release();
  await tick();
  assert.deepEqual(room.messages.map((m) => m.seq), [1, 2, 3, 4]);
  assert.equal(hub.calls.filter((c) => c.type === 'chat_join').length, 1);
  // a gap after join: 6 arrives before 5 -> one chat_join after_seq 4
  joinReplies.push((f) => { assert.equal(f.after_seq, 4); return { messages: [msg(5), msg(6), msg(7)], more: false }; });
  hub.emit('event', { room: 'chat:7', event: { kind: 'chat_message', message: msg(6) } });
  await tick();
  assert.deepEqual(room.messages.map((m) => m.seq), [1, 2, 3, 4, 5, 6, 7]);
  hub.emit('event', { room: 'chat:7', event: { kind: 'chat_message', message: msg(7) } });
  assert.equal(room.messages.length, 7, 'dup dropped');
  // delete
  hub.emit('event', { room: 'chat:7', event: { kind: 'chat_deleted', room_id: 7, message_id: 105, seq: 5 } });
  assert.equal(room.messages[4].deleted, true); assert.equal(room.messages[4].body, null);
  // send: timeout then same key again
  let sends = [];
  hub.handlers.chat_send = async (f) => { sends.push(f.key); if (sends.length === 1) throw { code: 'timeout' }; return { message: msg(8, { sender: { id: 44 }, body: f.body }) }; };
  room.send('hello');
  await tick();
  assert.equal(sends.length, 2); assert.equal(sends[0], sends[1], 'same key on resend');
  assert.equal(room.outbox.length, 0); assert.equal(room.lastSeq, 8);
  // disconnected: waits, then resent after welcome (rejoin first)
  hub.status = 'reconnecting';
  sends = []; hub.handlers.chat_send = async (f) => { sends.push(f.key); if (hub.status !== 'connected') throw { code: 'disconnected' }; return { message: msg(9, { sender: { id: 44 }, body: f.body }) }; };
  room.send('offline');
  await tick();
  assert.equal(room.outbox[0].state, 'waiting');
  hub.status = 'connected';
  joinReplies.push((f) => { assert.equal(f.after_seq, 8); return { messages: [], more: false }; });
  hub.emit('welcome', {});
  await tick();
  assert.equal(sends.length, 2); assert.equal(sends[0], sends[1]);
  assert.equal(room.outbox.length, 0); assert.equal(room.lastSeq, 9);
  chat.stop();
});
