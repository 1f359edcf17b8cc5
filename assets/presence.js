// presence.js — who is in a room. The server lists members per connection (one user with
// two tabs is two members); this model keeps them by connection and shows each user once.

import { EVENTS } from './gen/protocol.js';

const ROLE_ORDER = { organizer: 0, exhibitor: 1, interpreter: 2, buyer: 3 };

export class Presence {
  #byConn = new Map();
  /** Connections the server counted but did not list (a crowded room's snapshot is a sample). */
  #unlisted = 0;
  /** A crowded room's counts said some left without naming them: the listed sample may hold
   * people who are gone, until the next snapshot. */
  #stale = false;

  /** Replaces everything with a snapshot (a subscribe or presence reply). */
  reset(members, total) {
    this.#byConn.clear();
    for (const member of members || []) {
      if (member?.conn_id) this.#byConn.set(member.conn_id, member);
    }
    this.#unlisted = Math.max(0, (total ?? 0) - this.#byConn.size);
    this.#stale = false;
  }

  /**
   * Applies a `join`, `leave`, `presence_diff` (a window's changes, each connection once) or
   * `presence_count` (a crowded room's window, counted: only the total is news); returns
   * whether anything changed.
   */
  apply(event) {
    if (event?.kind === EVENTS.PRESENCE_COUNT) {
      this.#unlisted = Math.max(0, (event.total ?? 0) - this.#byConn.size);
      if ((event.left ?? 0) > 0) this.#stale = true;
      return true;
    }
    if (event?.kind === EVENTS.PRESENCE_DIFF) {
      let changed = false;
      for (const member of event.leaves || []) changed = this.#leave(member) || changed;
      for (const member of event.joins || []) changed = this.#join(member) || changed;
      return changed;
    }
    if (event?.kind === EVENTS.JOIN) return this.#join(event.member);
    if (event?.kind === EVENTS.LEAVE) return this.#leave(event.member);
    return false;
  }

  #join(member) {
    if (!member?.conn_id) return false;
    this.#byConn.set(member.conn_id, member);
    return true;
  }

  #leave(member) {
    if (!member?.conn_id) return false;
    if (this.#byConn.delete(member.conn_id)) return true;
    // Someone the sample did not list.
    if (this.#unlisted > 0) {
      this.#unlisted -= 1;
      return true;
    }
    return false;
  }

  /** One entry per user: {user, connections, since_ms}, sorted by role then name. */
  users() {
    const byUser = new Map();
    for (const member of this.#byConn.values()) {
      const id = member.user?.id;
      if (id === undefined) continue;
      const seen = byUser.get(id);
      if (seen) {
        seen.connections += 1;
        seen.since_ms = Math.min(seen.since_ms, member.since_ms ?? Infinity);
      } else {
        byUser.set(id, { user: member.user, connections: 1, since_ms: member.since_ms ?? Date.now() });
      }
    }
    return [...byUser.values()].sort((a, b) =>
      (ROLE_ORDER[a.user.role] ?? 9) - (ROLE_ORDER[b.user.role] ?? 9)
      || String(a.user.name).localeCompare(String(b.user.name)));
  }

  /** How many are listed as users, plus the connections a crowded room's sample left out. */
  get count() {
    return new Set([...this.#byConn.values()].map((m) => m.user?.id)).size + this.#unlisted;
  }

  /** Whether the listed sample may name people who have left (ask for a fresh snapshot). */
  get stale() {
    return this.#stale;
  }

  /** Whether some members are counted but not listed. */
  get partial() {
    return this.#unlisted > 0;
  }
}
