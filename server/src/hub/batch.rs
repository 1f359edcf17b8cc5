//! Batched delivery for busy rooms (a stage show's chat, with thousands of viewers). Frames
//! for a batched room are held for a short window and then go out as one `batch` frame,
//! encoded once per room and window and shared by every local member. A viewer then gets a
//! few frames a second from the room however fast its chat runs, and a message costs the node
//! one copy into the window, not one send per viewer.
//!
//! Messages stored by different nodes reach a node over the bus in the order their publishes
//! arrived, which can differ from their sequence order (node A commits 5, node B commits 6,
//! B's publish lands first). A window puts the chat messages it holds back in sequence order
//! before it goes out, so a viewer sees them in order unless the two fall in different
//! windows; clients still order by `seq` (docs/protocol.md).
//!
//! A room is batched on a node once that node is told so ([`super::Hub::batch_room`], by the
//! domain that knows the room is a show's); it stops being batched when its last local member
//! leaves. Order within the room is kept: everything for it, events of every kind, goes
//! through the same window.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

/// How long a batched room's frames wait: at most four frames a second per viewer.
pub const WINDOW: Duration = Duration::from_millis(250);

/// The rooms batched on this node and what each holds for the current window.
#[derive(Default)]
pub struct Batcher {
    rooms: HashSet<String>,
    pending: HashMap<String, Vec<Arc<str>>>,
}

impl Batcher {
    /// Batches `room` from now on (until it has no local member).
    pub fn mark(&mut self, room: &str) {
        self.rooms.insert(room.to_string());
    }

    /// Stops batching `room` (its last local member left); what it holds still goes out.
    pub fn unmark(&mut self, room: &str) {
        self.rooms.remove(room);
    }

    pub fn is_batched(&self, room: &str) -> bool {
        self.rooms.contains(room)
    }

    /// Holds `payload` for `room`'s window when the room is batched; false otherwise.
    pub fn offer(&mut self, room: &str, payload: &str) -> bool {
        if !self.rooms.contains(room) {
            return false;
        }
        self.pending
            .entry(room.to_string())
            .or_default()
            .push(Arc::from(payload));
        true
    }

    /// The windows that hold something, emptied.
    pub fn take(&mut self) -> Vec<(String, Vec<Arc<str>>)> {
        self.pending.drain().collect()
    }
}

/// Just enough of a frame to find a chat message's sequence.
#[derive(serde::Deserialize)]
struct Peek {
    event: Option<PeekEvent>,
}

#[derive(serde::Deserialize)]
struct PeekEvent {
    kind: String,
    message: Option<PeekMessage>,
}

#[derive(serde::Deserialize)]
struct PeekMessage {
    seq: i64,
}

fn message_seq(frame: &str) -> Option<i64> {
    let peek: Peek = serde_json::from_str(frame).ok()?;
    let event = peek.event?;
    (event.kind == "chat_message").then_some(event.message?.seq)
}

/// Puts a window's chat messages in sequence order, in the places chat messages hold (other
/// frames keep theirs).
fn in_sequence(frames: &mut [Arc<str>]) {
    let (slots, mut messages): (Vec<usize>, Vec<(i64, Arc<str>)>) = frames
        .iter()
        .enumerate()
        .filter_map(|(i, f)| message_seq(f).map(|seq| (i, (seq, f.clone()))))
        .unzip();
    if messages.windows(2).all(|w| w[0].0 <= w[1].0) {
        return;
    }
    messages.sort_by_key(|(seq, _)| *seq);
    for (slot, (_, frame)) in slots.into_iter().zip(messages) {
        frames[slot] = frame;
    }
}

/// One window's frames as one payload: a lone frame as it is, several as a `batch` frame
/// with the chat messages in sequence order. The frames are already JSON, so they are
/// joined, not encoded again.
pub fn encode(mut frames: Vec<Arc<str>>) -> String {
    if let [one] = frames.as_slice() {
        return one.to_string();
    }
    in_sequence(&mut frames);
    let size = frames.iter().map(|f| f.len() + 1).sum::<usize>() + 32;
    let mut out = String::with_capacity(size);
    out.push_str(r#"{"type":"batch","frames":["#);
    for (i, frame) in frames.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(frame);
    }
    out.push_str("]}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use expo_schema::protocol::{RoomEvent, ServerFrame};

    fn message(seq: i64) -> Arc<str> {
        let body = format!(
            r#"{{"type":"event","room":"chat:9","event":{{"kind":"chat_message","message":{{"id":{seq},"room_id":9,"seq":{seq}}}}}}}"#
        );
        Arc::from(body)
    }

    #[test]
    fn a_window_puts_its_messages_in_sequence_order_and_leaves_other_frames_in_place() {
        let other: Arc<str> = Arc::from(typing(9));
        let frames = vec![message(6), other.clone(), message(5), message(7)];
        let out = encode(frames);
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        let inner = value["frames"].as_array().unwrap();
        let seqs: Vec<Option<i64>> = inner
            .iter()
            .map(|f| f["event"]["message"]["seq"].as_i64())
            .collect();
        assert_eq!(seqs, [Some(5), None, Some(6), Some(7)]);
        assert_eq!(inner[1]["event"]["kind"], "chat_read_marker");
    }

    fn typing(room_id: i64) -> String {
        let frame = ServerFrame::Event {
            room: format!("chat:{room_id}"),
            event: RoomEvent::ChatReadMarker { room_id, seq: 1 },
        };
        serde_json::to_string(&frame).expect("encodes")
    }

    #[test]
    fn a_batch_decodes_as_its_frames_in_order() {
        let frames: Vec<Arc<str>> = (1..=3).map(|i| Arc::from(typing(i))).collect();
        let decoded: ServerFrame = serde_json::from_str(&encode(frames)).expect("a frame");
        let ServerFrame::Batch { frames: inner } = decoded else {
            panic!("not a batch: {decoded:?}");
        };
        let rooms: Vec<String> = inner
            .iter()
            .map(|f| match f {
                ServerFrame::Event { room, .. } => room.clone(),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(rooms, ["chat:1", "chat:2", "chat:3"]);
    }

    #[test]
    fn a_lone_frame_goes_as_it_is() {
        let one = typing(7);
        assert_eq!(encode(vec![Arc::from(one.as_str())]), one);
    }

    #[test]
    fn only_marked_rooms_hold_frames_and_a_take_empties_them() {
        let mut batcher = Batcher::default();
        assert!(!batcher.offer("chat:1", "{}"));
        batcher.mark("chat:1");
        assert!(batcher.offer("chat:1", "{\"a\":1}"));
        assert!(batcher.offer("chat:1", "{\"a\":2}"));
        let taken = batcher.take();
        assert_eq!(taken.len(), 1);
        assert_eq!(taken[0].1.len(), 2);
        assert!(batcher.take().is_empty());
        batcher.unmark("chat:1");
        assert!(!batcher.offer("chat:1", "{}"));
    }
}
