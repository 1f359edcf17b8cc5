//! The one way to tell a room of an event: [`publish`] (or [`try_publish`] when the caller
//! answers with the failure) builds the `event` frame for a typed [`Room`] and puts it on the
//! bus through the hub, so every node delivers it to its members there; [`send_local`] builds
//! the same frame for this node's own members only (summaries every node computes itself,
//! such as a booth's live state or the dashboard). Domain code never builds
//! `ServerFrame::Event` itself.

use crate::hub::Hub;
use expo_schema::protocol::room::Room;
use expo_schema::protocol::{RoomEvent, ServerFrame};

fn frame(room: Room, event: RoomEvent) -> (String, ServerFrame) {
    let name = room.to_string();
    let frame = ServerFrame::Event {
        room: name.clone(),
        event,
    };
    (name, frame)
}

/// Publishes `event` in `room` on every node; a failure (the bus is down) is logged, since
/// what must not be lost is stored first and fetched again after a reconnect.
pub async fn publish(hub: &Hub, room: Room, event: RoomEvent) {
    if let Err(error) = try_publish(hub, room, event).await {
        tracing::warn!(?error, %room, "publishing an event failed");
    }
}

/// Publishes `event` in `room` on every node, and says when that failed.
pub async fn try_publish(hub: &Hub, room: Room, event: RoomEvent) -> anyhow::Result<()> {
    let (name, frame) = frame(room, event);
    hub.publish(&name, &frame).await
}

/// Sends `event` to this node's members of `room` only.
pub fn send_local(hub: &Hub, room: Room, event: RoomEvent) {
    let (name, frame) = frame(room, event);
    hub.send_local(&name, &frame);
}
