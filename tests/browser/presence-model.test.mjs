// presence-model.test.mjs — the presence model (assets/presence.js) without a browser: a
// snapshot that is a sample of a crowded room, then join, leave and presence_diff events
// (a window's changes, each connection once), and presence_count (a crowded room, counted).
//
//   node tests/browser/presence-model.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Presence } from '../../assets/presence.js';

const member = (conn, user, role = 'buyer') => ({ conn_id: conn, user: { id: user, name: `user ${user}`, role }, since_ms: 1 });

test('a full snapshot, then single events and a diff', () => {
  const p = new Presence();
  p.reset([member('n-1', 1), member('n-2', 2)], 2);
  assert.equal(p.count, 2);
  assert.equal(p.partial, false);
  assert.ok(p.apply({ kind: 'join', member: member('n-3', 3) }));
  assert.equal(p.count, 3);
  assert.ok(p.apply({ kind: 'presence_diff', joins: [member('n-4', 4), member('n-5', 1)], leaves: [member('n-2', 2), member('n-3', 3)] }));
  // user 1 has two connections now and counts once; 2 and 3 left; 4 joined.
  assert.deepEqual(p.users().map((u) => [u.user.id, u.connections]), [[1, 2], [4, 1]]);
  assert.equal(p.count, 2);
  assert.equal(p.apply({ kind: 'leave', member: member('n-9', 9) }), false, 'an unknown leave changes nothing');
});

test('a sample of a crowded room counts the unlisted and takes their leaves off the count', () => {
  const p = new Presence();
  p.reset([member('n-1', 1, 'exhibitor'), member('n-2', 2)], 500);
  assert.equal(p.partial, true);
  assert.equal(p.count, 500);
  assert.equal(p.users().length, 2);
  // Someone the sample did not list leaves: the count drops; a listed one leaves: the list shrinks.
  assert.ok(p.apply({ kind: 'presence_diff', joins: [member('n-600', 600)], leaves: [member('n-77', 77), member('n-2', 2)] }));
  assert.equal(p.count, 499);
  assert.deepEqual(p.users().map((u) => u.user.id), [1, 600]);
  // A later full snapshot replaces everything.
  p.reset([member('n-1', 1)], 1);
  assert.equal(p.count, 1);
  assert.equal(p.partial, false);
});

test('a crowded room counted, not named: the total is news, a counted leave marks the sample stale', () => {
  const p = new Presence();
  p.reset([member('n-1', 1), member('n-2', 2)], 300);
  assert.equal(p.count, 300);
  assert.equal(p.stale, false);
  assert.ok(p.apply({ kind: 'presence_count', total: 420, joined: 120, left: 0 }));
  assert.equal(p.count, 420, 'two listed users and 418 more');
  assert.equal(p.users().length, 2, 'nobody is named by a count');
  assert.equal(p.stale, false, 'only joins: the sample still holds');
  assert.ok(p.apply({ kind: 'presence_count', total: 400, joined: 0, left: 20 }));
  assert.equal(p.count, 400);
  assert.equal(p.stale, true, 'some left unnamed: the listed ones may be gone');
  p.reset([member('n-3', 3)], 400);
  assert.equal(p.stale, false, 'a fresh sample');
  assert.equal(p.count, 400);
});
