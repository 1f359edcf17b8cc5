//! The `/ws` protocol: one JSON envelope for commands, replies and events.
//!
//! A client sends [`ClientFrame`]s: `{"id": "r1", "type": "subscribe", "room": "lobby"}`.
//! The server answers every command that carried an `id` with exactly one
//! [`ServerFrame::Reply`] echoing that id, and pushes [`ServerFrame::Event`]s for the rooms the
//! connection is subscribed to. See `docs/protocol.md` for the whole story, close codes included.

use crate::domain::{BoothLive, PresenceEntry, UserSummary};
use crate::error::{ErrorBody, ErrorCode};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The protocol version announced in [`ServerFrame::Welcome`]. Bumped on breaking changes only.
pub const PROTOCOL_VERSION: u32 = 1;

/// Close codes the server uses, beside the standard 1000 (normal), 1001 (going away),
/// 1009 (message too big) and 1012 (service restart).
pub mod close_code {
    /// The session token expired or was revoked while connected; sign in again.
    pub const UNAUTHORIZED: u16 = 4001;
    /// The connection did not answer heartbeats in time.
    pub const HEARTBEAT_TIMEOUT: u16 = 4002;
    /// The connection's outbound queue overflowed: it could not keep up.
    pub const SLOW_CONSUMER: u16 = 4008;
    /// The connection kept flooding past the command rate limit.
    pub const FLOODING: u16 = 4029;
    /// The server is shutting down; reconnect (to another node).
    pub const SERVICE_RESTART: u16 = 1012;
    /// A frame exceeded the transport's hard size limit.
    pub const MESSAGE_TOO_BIG: u16 = 1009;
}

/// A frame from client to server: an optional request id and one command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ClientFrame {
    /// The client's own request id, echoed in the reply. Commands without one get no reply
    /// on success (errors are still reported, with `id: null`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(flatten)]
    pub command: Command,
}

/// Every command a client may send. `type` selects the variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    /// Join a room's live stream and its presence. The reply lists who is there.
    Subscribe { room: String },
    /// Leave a room.
    Unsubscribe { room: String },
    /// List who is in a room now (the connection need not be subscribed).
    Presence { room: String },
    /// Application-level round trip; answered with the server's clock.
    Ping,
    /// Who the server thinks this connection is.
    Whoami,
    /// Exhibitor staff go on duty (or away) in their company's booth. On duty lasts while
    /// the connection does.
    SetDuty { on_duty: bool },
    /// A visitor opened something in a booth they are in (for the exhibitor's leads).
    OpenItem {
        company_id: i64,
        /// `product`, `brochure`, `video` or `photo`.
        kind: String,
        item_id: i64,
    },
}

impl Command {
    /// Every command's `type`, for telling an unknown command from a malformed known one.
    pub const TYPES: &'static [&'static str] = &[
        "subscribe",
        "unsubscribe",
        "presence",
        "ping",
        "whoami",
        "set_duty",
        "open_item",
    ];

    /// The command's `type` on the wire, for metrics and logs.
    pub fn type_name(&self) -> &'static str {
        match self {
            Command::Subscribe { .. } => "subscribe",
            Command::Unsubscribe { .. } => "unsubscribe",
            Command::Presence { .. } => "presence",
            Command::Ping => "ping",
            Command::Whoami => "whoami",
            Command::SetDuty { .. } => "set_duty",
            Command::OpenItem { .. } => "open_item",
        }
    }
}

/// Every frame the server sends. `type` selects the variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// The first frame on every connection.
    Welcome {
        protocol: u32,
        /// The node serving this connection.
        node: String,
        /// This connection's id, as it appears in presence lists.
        conn_id: String,
        user: UserSummary,
        /// The server pings this often; answer pongs (browsers do it by themselves).
        heartbeat_secs: u64,
        /// The largest frame the server accepts, in bytes.
        max_frame_bytes: usize,
        /// How many commands a second the connection may send, on average.
        rate_per_sec: u32,
    },
    /// The answer to one command.
    Reply {
        id: Option<String>,
        ok: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        data: Option<ReplyData>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<ErrorBody>,
    },
    /// Something happened in a room the connection is subscribed to.
    Event { room: String, event: RoomEvent },
    /// The server is about to close the connection; `code` is the close code that follows.
    Closing {
        code: u16,
        reason: ErrorCode,
        message: String,
        /// True when the client should reconnect (to any node) right away.
        reconnect: bool,
    },
}

impl ServerFrame {
    pub fn ok(id: Option<String>, data: ReplyData) -> Self {
        ServerFrame::Reply {
            id,
            ok: true,
            data: Some(data),
            error: None,
        }
    }

    pub fn err(id: Option<String>, error: ErrorBody) -> Self {
        ServerFrame::Reply {
            id,
            ok: false,
            data: None,
            error: Some(error),
        }
    }
}

/// The payload of a successful reply. `kind` says which command it answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReplyData {
    Subscribed {
        room: String,
        members: Vec<PresenceEntry>,
    },
    Unsubscribed {
        room: String,
    },
    Presence {
        room: String,
        members: Vec<PresenceEntry>,
    },
    Pong {
        server_ms: i64,
    },
    Whoami {
        user: UserSummary,
        conn_id: String,
        node: String,
        rooms: Vec<String>,
    },
    /// Answers `set_duty` with the booth's staff on duty now.
    Duty {
        company_id: i64,
        on_duty: bool,
    },
    /// Answers `open_item`.
    Recorded,
}

/// Something that happened in a room. `kind` says what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RoomEvent {
    /// A connection joined the room.
    Join { member: PresenceEntry },
    /// A connection left the room (unsubscribed, disconnected, or its node vanished).
    Leave { member: PresenceEntry },
    /// A booth's live state changed (sent in `booth:{id}` and `lobby`, at most once a second
    /// per booth).
    BoothLive { live: BoothLive },
    /// A booth's content was edited; `section` says what (`profile`, `products`, `media`).
    BoothUpdated { company_id: i64, section: String },
}

/// The JSON Schema of the whole protocol: both directions in one document.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct Protocol {
    pub client_frame: ClientFrame,
    pub server_frame: ServerFrame,
}

/// Generates the JSON Schema served at `/api/v1/protocol.json`.
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(Protocol);
    serde_json::to_value(schema).expect("a schema always serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_frame_round_trips_with_id() {
        let raw = r#"{"id":"r1","type":"subscribe","room":"lobby"}"#;
        let frame: ClientFrame = serde_json::from_str(raw).unwrap();
        assert_eq!(frame.id.as_deref(), Some("r1"));
        assert_eq!(
            frame.command,
            Command::Subscribe {
                room: "lobby".into()
            }
        );
        let back: ClientFrame =
            serde_json::from_str(&serde_json::to_string(&frame).unwrap()).unwrap();
        assert_eq!(back, frame);
    }

    #[test]
    fn unit_commands_parse() {
        let frame: ClientFrame = serde_json::from_str(r#"{"type":"ping"}"#).unwrap();
        assert_eq!(frame.command, Command::Ping);
        assert_eq!(frame.id, None);
    }

    #[test]
    fn every_type_name_is_listed() {
        for cmd in [
            Command::Subscribe { room: "x".into() },
            Command::Unsubscribe { room: "x".into() },
            Command::Presence { room: "x".into() },
            Command::Ping,
            Command::Whoami,
            Command::SetDuty { on_duty: true },
            Command::OpenItem {
                company_id: 1,
                kind: "product".into(),
                item_id: 2,
            },
        ] {
            assert!(Command::TYPES.contains(&cmd.type_name()));
            let json = serde_json::to_value(&cmd).unwrap();
            assert_eq!(json["type"], cmd.type_name());
        }
    }

    #[test]
    fn schema_names_both_directions() {
        let schema = json_schema();
        let text = schema.to_string();
        assert!(text.contains("ClientFrame"));
        assert!(text.contains("ServerFrame"));
        assert!(text.contains("slow_consumer"));
    }
}
