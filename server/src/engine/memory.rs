//! In-process presence and bus, for a fair served by one node.

use super::{BusMessage, PresenceList};
use expo_schema::PresenceEntry;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
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

#[cfg(test)]
mod tests {
    use super::*;
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
}
