//! In-process presence and bus, for a fair served by one node.

use super::{BusMessage, PresenceList};
use expo_schema::PresenceEntry;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

/// How many bus messages a slow subscriber may fall behind before it starts losing them.
const BUS_CAPACITY: usize = 65_536;

#[derive(Clone)]
pub struct MemoryBus {
    tx: broadcast::Sender<BusMessage>,
}

impl MemoryBus {
    pub fn new() -> MemoryBus {
        let (tx, _) = broadcast::channel(BUS_CAPACITY);
        MemoryBus { tx }
    }

    pub fn publish(&self, message: BusMessage) -> anyhow::Result<()> {
        // No receiver means no node is listening yet; that is not an error.
        let _ = self.tx.send(message);
        Ok(())
    }

    pub fn subscribe(&self) -> broadcast::Receiver<BusMessage> {
        self.tx.subscribe()
    }
}

impl Default for MemoryBus {
    fn default() -> Self {
        Self::new()
    }
}

/// Each room's entries by connection id.
type Rooms = HashMap<String, HashMap<String, PresenceEntry>>;

/// Presence in a map. The mutex guards short, non-async sections only. One node owns every
/// entry and removes each when its connection leaves, so nothing expires here.
#[derive(Clone, Default)]
pub struct MemoryPresence {
    rooms: Arc<Mutex<Rooms>>,
}

impl MemoryPresence {
    pub fn new() -> MemoryPresence {
        MemoryPresence::default()
    }

    pub fn add(&self, room: &str, entry: &PresenceEntry) {
        let mut rooms = self.rooms.lock().expect("presence lock");
        rooms
            .entry(room.to_string())
            .or_default()
            .insert(entry.conn_id.clone(), entry.clone());
    }

    pub fn count(&self, room: &str) -> usize {
        let rooms = self.rooms.lock().expect("presence lock");
        rooms.get(room).map_or(0, |members| members.len())
    }

    pub fn remove(&self, room: &str, conn_id: &str) -> bool {
        let mut rooms = self.rooms.lock().expect("presence lock");
        let Some(members) = rooms.get_mut(room) else {
            return false;
        };
        let removed = members.remove(conn_id).is_some();
        if members.is_empty() {
            rooms.remove(room);
        }
        removed
    }

    /// The room's entries, oldest first: all of them, or the oldest `limit` of a larger
    /// room (`total` counts them all).
    pub fn list(&self, room: &str, limit: usize) -> PresenceList {
        let rooms = self.rooms.lock().expect("presence lock");
        let mut out = PresenceList::default();
        let Some(members) = rooms.get(room) else {
            return out;
        };
        out.total = members.len();
        let order = |a: &&PresenceEntry, b: &&PresenceEntry| {
            (a.since_ms, &a.conn_id).cmp(&(b.since_ms, &b.conn_id))
        };
        let mut all: Vec<&PresenceEntry> = members.values().collect();
        if all.len() > limit && limit > 0 {
            // Only the oldest `limit` are cloned and sorted: a large room costs one pass.
            all.select_nth_unstable_by(limit - 1, order);
        }
        all.truncate(limit);
        all.sort_by(order);
        out.live = all.into_iter().cloned().collect();
        out
    }
}

/// Per-user limits in process memory: one GCRA bucket per key (see [`super::Limiter`]) and
/// open-connection counts. The mutexes guard short, non-async sections only.
#[derive(Clone, Default)]
pub struct MemoryLimiter {
    /// Key to the theoretical arrival time of the next unit (GCRA).
    buckets: Arc<Mutex<HashMap<String, Instant>>>,
    conns: Arc<Mutex<HashMap<String, u64>>>,
    /// Key to the end of its cooldown.
    cooldowns: Arc<Mutex<HashMap<String, Instant>>>,
}

impl MemoryLimiter {
    pub fn new() -> MemoryLimiter {
        MemoryLimiter::default()
    }

    /// Takes one unit of `key`'s allowance at `now`: `rate` a second, `burst` at once.
    pub fn take_at(&self, key: &str, rate: u32, burst: u32, now: Instant) -> bool {
        let interval = Duration::from_secs(1) / rate.max(1);
        let tolerance = interval * (burst.max(1) - 1);
        let mut buckets = self.buckets.lock().expect("limiter lock");
        if buckets.len() > 100_000 {
            // Buckets whose arrival time has passed are full again: forgetting them is exact.
            buckets.retain(|_, tat| *tat > now);
        }
        let tat = buckets
            .get(key)
            .copied()
            .filter(|t| *t > now)
            .unwrap_or(now);
        if tat.duration_since(now) > tolerance {
            return false;
        }
        buckets.insert(key.to_string(), tat + interval);
        true
    }

    /// Starts `key`'s cooldown of `length` at `now` unless one runs; what is left of the
    /// running one otherwise (zero: started).
    pub fn cooldown_at(&self, key: &str, length: Duration, now: Instant) -> Duration {
        let mut cooldowns = self.cooldowns.lock().expect("limiter lock");
        if cooldowns.len() > 100_000 {
            cooldowns.retain(|_, until| *until > now);
        }
        match cooldowns.get(key) {
            Some(until) if *until > now => *until - now,
            _ => {
                cooldowns.insert(key.to_string(), now + length);
                Duration::ZERO
            }
        }
    }

    /// Counts one more open connection of `key`; false (nothing counted) when `max` are open.
    pub fn open(&self, key: &str, max: u64) -> bool {
        let mut conns = self.conns.lock().expect("limiter lock");
        let open = conns.entry(key.to_string()).or_insert(0);
        if max > 0 && *open >= max {
            if *open == 0 {
                conns.remove(key);
            }
            return false;
        }
        *open += 1;
        true
    }

    pub fn close(&self, key: &str) {
        let mut conns = self.conns.lock().expect("limiter lock");
        if let Some(open) = conns.get_mut(key) {
            *open = open.saturating_sub(1);
            if *open == 0 {
                conns.remove(key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cooldown_refuses_until_it_ends_and_says_how_long() {
        let limiter = MemoryLimiter::new();
        let t0 = Instant::now();
        let length = Duration::from_secs(10);
        assert_eq!(limiter.cooldown_at("k", length, t0), Duration::ZERO);
        let left = limiter.cooldown_at("k", length, t0 + Duration::from_secs(4));
        assert_eq!(left, Duration::from_secs(6));
        // Another key is its own.
        assert_eq!(limiter.cooldown_at("j", length, t0), Duration::ZERO);
        // A refused try does not extend it; once over, the next try starts a new one.
        assert_eq!(
            limiter.cooldown_at("k", length, t0 + length),
            Duration::ZERO
        );
        assert_eq!(
            limiter.cooldown_at("k", length, t0 + length + Duration::from_secs(1)),
            Duration::from_secs(9)
        );
    }
    use expo_schema::{Role, UserSummary};

    fn entry(conn: &str, since: i64) -> PresenceEntry {
        PresenceEntry {
            conn_id: conn.into(),
            user: UserSummary {
                id: 1,
                name: "Kim".into(),
                role: Role::Buyer,
                company_id: None,
                company_name: None,
                country: Some("KR".into()),
                anonymous: false,
            },
            since_ms: since,
        }
    }

    #[test]
    fn add_list_remove() {
        let p = MemoryPresence::new();
        p.add("lobby", &entry("b", 2));
        p.add("lobby", &entry("a", 1));
        let list = p.list("lobby", usize::MAX);
        assert_eq!(
            list.live
                .iter()
                .map(|e| e.conn_id.as_str())
                .collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert!(p.remove("lobby", "a"));
        assert!(!p.remove("lobby", "a"));
        assert_eq!(p.list("lobby", usize::MAX).live.len(), 1);
    }

    #[test]
    fn a_large_room_lists_its_oldest_and_counts_all() {
        let p = MemoryPresence::new();
        for i in (0..50).rev() {
            p.add("lobby", &entry(&format!("c{i:02}"), i));
        }
        let list = p.list("lobby", 5);
        assert_eq!(list.total, 50);
        assert_eq!(
            list.live
                .iter()
                .map(|e| e.conn_id.as_str())
                .collect::<Vec<_>>(),
            ["c00", "c01", "c02", "c03", "c04"]
        );
        assert_eq!(p.list("lobby", 50).live.len(), 50);
        assert_eq!(p.list("nowhere", 5).total, 0);
    }

    #[test]
    fn limiter_buckets_and_counts() {
        let limiter = MemoryLimiter::new();
        let start = Instant::now();
        // 10 a second, bursts of 3: three at once, then one per 100 ms.
        let taken = (0..10)
            .filter(|_| limiter.take_at("u1", 10, 3, start))
            .count();
        assert_eq!(taken, 3);
        assert!(limiter.take_at("u2", 10, 3, start), "keys are separate");
        assert!(!limiter.take_at("u1", 10, 3, start + Duration::from_millis(50)));
        assert!(limiter.take_at("u1", 10, 3, start + Duration::from_millis(110)));
        let later = start + Duration::from_secs(60);
        let taken = (0..10)
            .filter(|_| limiter.take_at("u1", 10, 3, later))
            .count();
        assert_eq!(taken, 3, "never more than the burst");

        assert!(limiter.open("c", 2));
        assert!(limiter.open("c", 2));
        assert!(!limiter.open("c", 2));
        limiter.close("c");
        assert!(limiter.open("c", 2));
        assert!(limiter.open("d", 0), "0: no limit");
    }
}
