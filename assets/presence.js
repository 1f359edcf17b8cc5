// presence.js — who is in a room. The server lists members per connection (one user with
// two tabs is two members); this model keeps them by connection and shows each user once.

const ROLE_ORDER = { organizer: 0, exhibitor: 1, interpreter: 2, buyer: 3 };

export class Presence {
  #byConn = new Map();

  /** Replaces everything with a snapshot (a subscribe or presence reply). */
  reset(members) {
    this.#byConn.clear();
    for (const member of members || []) {
      if (member?.conn_id) this.#byConn.set(member.conn_id, member);
    }
  }

  /** Applies a join or leave event; returns whether anything changed. */
  apply(event) {
    const member = event?.member;
    if (!member?.conn_id) return false;
    if (event.kind === 'join') {
      this.#byConn.set(member.conn_id, member);
      return true;
    }
    if (event.kind === 'leave') return this.#byConn.delete(member.conn_id);
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

  get count() {
    return new Set([...this.#byConn.values()].map((m) => m.user?.id)).size;
  }
}
