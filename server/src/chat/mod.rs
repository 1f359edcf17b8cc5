//! Live chat that loses nothing: booth, hall and fair rooms, private buyer–company
//! conversations, talk-to-staff requests, read markers and moderation.
//!
//! The store is the truth. Each message takes the next sequence of its room by updating the
//! room's row inside the writing transaction (the row lock orders concurrent senders on
//! Postgres; SQLite has one writer), and it is acknowledged and published only after commit.
//! The sender's idempotency key is unique per sender, so a resend returns the first message.
//! `chat_join` attaches the connection to the room's live stream before it reads the stored
//! messages after the client's last sequence, so the seam has no gap; the client drops live
//! events it already has (by sequence). See `docs/protocol.md`.
//!
//! Rows and their loading are in `store.rs`, who may read and write in `access.rs`, the
//! websocket commands in `commands.rs`, the REST endpoints in `routes.rs`.

pub mod access;
pub mod commands;
pub mod filter;
pub mod routes;
pub mod store;
pub mod talk;
pub mod writer;

use crate::error::ApiResult;
use crate::AppState;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use store::{load_room, Room};

/// The longest message, in characters.
pub const MAX_MESSAGE_CHARS: usize = expo_schema::protocol::limits::MAX_MESSAGE_CHARS;
/// Typing notices passed on per connection and room.
const TYPING_EVERY: Duration =
    Duration::from_millis(expo_schema::protocol::limits::TYPING_EVERY_MS);
/// Messages returned by one `chat_join` at most.
const JOIN_PAGE: i64 = 500;

/// Per-node chat state: the group-committing writer, typing throttles and the rooms' fixed
/// facts (send rates are per user across nodes, in the engine's limiter).
#[derive(Clone)]
pub struct ChatState {
    inner: Arc<ChatInner>,
    pub writer: writer::ChatWriter,
}

#[derive(Default)]
struct ChatInner {
    // Short critical sections only; never held across an await.
    typing: Mutex<HashMap<(String, i64), Instant>>,
    rooms: Mutex<HashMap<i64, Room>>,
}

impl ChatState {
    pub fn new(store: crate::store::Store, hub: crate::hub::Hub) -> ChatState {
        ChatState {
            inner: Arc::default(),
            writer: writer::ChatWriter::start(store, hub),
        }
    }

    /// A room for its rules (kind, company, hall, buyer), which never change once it exists:
    /// kept after the first load. Its `last_seq` is as of that load: use [`load_room`] for
    /// the current one.
    pub async fn room(&self, state: &AppState, room_id: i64) -> ApiResult<Room> {
        if let Some(room) = self.inner.rooms.lock().expect("rooms").get(&room_id) {
            return Ok(room.clone());
        }
        let room = load_room(state, room_id).await?;
        let mut rooms = self.inner.rooms.lock().expect("rooms");
        if rooms.len() >= 100_000 {
            rooms.clear();
        }
        rooms.insert(room_id, room.clone());
        Ok(room)
    }

    fn may_type(&self, conn_id: &str, room_id: i64) -> bool {
        let mut typing = self.inner.typing.lock().expect("typing");
        let now = Instant::now();
        if typing.len() > 10_000 {
            typing.retain(|_, at| now.duration_since(*at) < TYPING_EVERY);
        }
        match typing.get(&(conn_id.to_string(), room_id)) {
            Some(at) if now.duration_since(*at) < TYPING_EVERY => false,
            _ => {
                typing.insert((conn_id.to_string(), room_id), now);
                true
            }
        }
    }
}
