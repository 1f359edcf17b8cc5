//! Presence announcements, coalesced per room.
//!
//! Telling every member of a room about every join costs N frames per join, N² per wave: a
//! lobby of 2,000 that reconnects at once would take four million frames. So each node
//! announces its rooms' joins and leaves at most once per window (`EXPO_PRESENCE_BATCH_MS`):
//! the first change in a quiet room goes out at once, as `join` or `leave`; changes that follow
//! within the window are gathered and go out together at its end, as one `presence_diff` in
//! which each connection appears once, with its latest change. A wave then costs a few frames
//! per member per second, whatever its size. (Phoenix Presence sends diffs for the same reason.)
//!
//! One supervised task publishes everything, so a room's announcements leave this node in
//! the order they were made.

use expo_schema::protocol::RoomEvent;
use expo_schema::PresenceEntry;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// One connection's change in a room.
#[derive(Debug, Clone)]
pub enum Change {
    Join(PresenceEntry),
    Leave(PresenceEntry),
}

impl Change {
    fn conn_id(&self) -> &str {
        match self {
            Change::Join(e) | Change::Leave(e) => &e.conn_id,
        }
    }
}

#[derive(Default)]
struct Room {
    changes: Vec<Change>,
    /// When this room's last announcement left; `None` when it never did or long ago.
    last_sent: Option<Instant>,
}

/// The pending announcements of this node's rooms.
pub struct Announcer {
    window: Duration,
    rooms: Mutex<HashMap<String, Room>>,
    wake: Notify,
}

impl Announcer {
    pub fn new(window: Duration) -> Announcer {
        Announcer {
            window,
            rooms: Mutex::default(),
            wake: Notify::new(),
        }
    }

    /// Queues a change; the publishing task is woken when it may go out now.
    pub fn push(&self, room: &str, change: Change) {
        let due = {
            let mut rooms = self.rooms.lock().expect("announcements");
            let entry = rooms.entry(room.to_string()).or_default();
            entry.changes.push(change);
            entry.changes.len() == 1 && self.is_due(entry, Instant::now())
        };
        if due {
            self.wake.notify_one();
        }
    }

    fn is_due(&self, room: &Room, now: Instant) -> bool {
        !room.changes.is_empty()
            && room
                .last_sent
                .is_none_or(|at| now.saturating_duration_since(at) >= self.window)
    }

    /// Takes every room's announcement that may go out now (all of them with `all`), and
    /// says when the next one will be due.
    pub fn take_due(&self, all: bool) -> (Vec<(String, RoomEvent)>, Option<Instant>) {
        let now = Instant::now();
        let mut rooms = self.rooms.lock().expect("announcements");
        let mut out = Vec::new();
        let mut next: Option<Instant> = None;
        rooms.retain(|name, room| {
            if all || self.is_due(room, now) {
                if let Some(event) = coalesce(std::mem::take(&mut room.changes)) {
                    out.push((name.clone(), event));
                    room.last_sent = Some(now);
                }
            } else if !room.changes.is_empty() {
                let due = room.last_sent.map_or(now, |at| at + self.window);
                next = Some(next.map_or(due, |n| n.min(due)));
            }
            // A room quiet for a whole window needs no entry: its next change is due at once.
            !room.changes.is_empty()
                || room
                    .last_sent
                    .is_some_and(|at| now.saturating_duration_since(at) < self.window)
        });
        if next.is_none() && !rooms.is_empty() {
            // Rooms kept only to hold their window: look again when it closes.
            next = Some(now + self.window);
        }
        (out, next)
    }

    /// Waits until a change may be due.
    pub async fn wait(&self, next: Option<Instant>) {
        match next {
            Some(at) => {
                let _ = tokio::time::timeout_at(at.into(), self.wake.notified()).await;
            }
            None => self.wake.notified().await,
        }
    }
}

/// One event for a window's changes: each connection once, with its latest change. A lone
/// change stays a plain `join` or `leave`.
pub fn coalesce(changes: Vec<Change>) -> Option<RoomEvent> {
    let mut latest: HashMap<String, usize> = HashMap::new();
    for (i, change) in changes.iter().enumerate() {
        latest.insert(change.conn_id().to_string(), i);
    }
    let mut kept: Vec<(usize, Change)> = changes
        .into_iter()
        .enumerate()
        .filter(|(i, c)| latest.get(c.conn_id()) == Some(i))
        .collect();
    kept.sort_by_key(|(i, _)| *i);
    if kept.len() == 1 {
        return Some(match kept.pop().expect("one change").1 {
            Change::Join(member) => RoomEvent::Join { member },
            Change::Leave(member) => RoomEvent::Leave { member },
        });
    }
    if kept.is_empty() {
        return None;
    }
    let (mut joins, mut leaves) = (Vec::new(), Vec::new());
    for (_, change) in kept {
        match change {
            Change::Join(e) => joins.push(e),
            Change::Leave(e) => leaves.push(e),
        }
    }
    Some(RoomEvent::PresenceDiff { joins, leaves })
}

#[cfg(test)]
mod tests {
    use super::*;
    use expo_schema::{Role, UserSummary};

    fn entry(conn: &str) -> PresenceEntry {
        PresenceEntry {
            conn_id: conn.into(),
            user: UserSummary {
                id: 1,
                name: "Kim".into(),
                role: Role::Buyer,
                company_id: None,
                company_name: None,
                country: None,
                anonymous: false,
            },
            since_ms: 0,
        }
    }

    fn ids(entries: &[PresenceEntry]) -> Vec<&str> {
        entries.iter().map(|e| e.conn_id.as_str()).collect()
    }

    #[test]
    fn a_lone_change_stays_plain() {
        let event = coalesce(vec![Change::Join(entry("a"))]).unwrap();
        assert!(matches!(event, RoomEvent::Join { member } if member.conn_id == "a"));
        let event = coalesce(vec![Change::Leave(entry("a"))]).unwrap();
        assert!(matches!(event, RoomEvent::Leave { member } if member.conn_id == "a"));
        assert!(coalesce(Vec::new()).is_none());
    }

    #[test]
    fn each_connection_appears_once_with_its_latest_change() {
        let event = coalesce(vec![
            Change::Join(entry("a")),
            Change::Join(entry("b")),
            Change::Leave(entry("a")),
            Change::Leave(entry("c")),
            Change::Join(entry("c")),
        ])
        .unwrap();
        let RoomEvent::PresenceDiff { joins, leaves } = event else {
            panic!("a diff, got {event:?}");
        };
        assert_eq!(ids(&joins), ["b", "c"]);
        assert_eq!(ids(&leaves), ["a"]);
    }

    #[test]
    fn the_first_change_is_due_at_once_and_the_rest_wait_for_the_window() {
        let announcer = Announcer::new(Duration::from_secs(3600));
        announcer.push("lobby", Change::Join(entry("a")));
        let (due, _) = announcer.take_due(false);
        assert_eq!(due.len(), 1, "a quiet room's first change goes out at once");
        announcer.push("lobby", Change::Join(entry("b")));
        announcer.push("lobby", Change::Join(entry("c")));
        announcer.push("booth:1", Change::Join(entry("d")));
        let (due, next) = announcer.take_due(false);
        assert_eq!(due.len(), 1, "only the other room's change is due: {due:?}");
        assert_eq!(due[0].0, "booth:1");
        assert!(next.is_some(), "the lobby's changes are waiting");
        let (due, _) = announcer.take_due(true);
        assert_eq!(due.len(), 1);
        let RoomEvent::PresenceDiff { joins, .. } = &due[0].1 else {
            panic!("a diff, got {:?}", due[0].1);
        };
        assert_eq!(ids(joins), ["b", "c"]);
    }
}
