//! The `/ws` protocol: one JSON envelope for commands, replies and events.
//!
//! A client sends [`ClientFrame`]s: `{"id": "r1", "type": "subscribe", "room": "lobby"}`.
//! The server answers every command that carried an `id` with exactly one
//! [`ServerFrame::Reply`] echoing that id, and pushes [`ServerFrame::Event`]s for the rooms the
//! connection is subscribed to. See `docs/protocol.md` for the whole story, close codes included.

use crate::domain::{
    BoothLive, ChatMessage, ChatRoomInfo, DashboardSnapshot, Meeting, PresenceEntry, QuoteRequest,
    TalkRequest, UserSummary,
};
use crate::error::{ErrorBody, ErrorCode};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The protocol version announced in [`ServerFrame::Welcome`]. Bumped on breaking changes only.
pub const PROTOCOL_VERSION: u32 = 1;

/// A named constant and its doc comment, for the generated browser module
/// (`assets/gen/protocol.js`, see [`crate::js`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed<T: 'static> {
    pub name: &'static str,
    pub value: T,
    pub doc: &'static str,
}

/// Declares integer constants and, beside them, `ALL`: every one of them by name, value and
/// doc. A constant cannot be added without being listed, so the browser module sees it.
macro_rules! listed_ints {
    ($( $(#[doc = $doc:literal])* $name:ident: $ty:ty = $value:expr; )*) => {
        $( $(#[doc = $doc])* pub const $name: $ty = $value; )*
        /// Every constant of this module, in order (for the browser module).
        pub const ALL: &[$crate::protocol::Listed<i64>] = &[$(
            $crate::protocol::Listed { name: stringify!($name), value: $name as i64, doc: concat!($($doc, "\n",)*) },
        )*];
    };
}

/// As [`listed_ints`], for string constants.
macro_rules! listed_strs {
    ($( $(#[doc = $doc:literal])* $name:ident = $value:expr; )*) => {
        $( $(#[doc = $doc])* pub const $name: &str = $value; )*
        /// Every constant of this module, in order (for the browser module).
        pub const ALL: &[$crate::protocol::Listed<&str>] = &[$(
            $crate::protocol::Listed { name: stringify!($name), value: $name, doc: concat!($($doc, "\n",)*) },
        )*];
    };
}

/// Close codes the server uses, beside the standard 1000 (normal), 1001 (going away),
/// 1009 (message too big) and 1012 (service restart).
pub mod close_code {
    listed_ints! {
        /// The session token expired or was revoked while connected; sign in again.
        UNAUTHORIZED: u16 = 4001;
        /// The connection did not answer heartbeats in time.
        HEARTBEAT_TIMEOUT: u16 = 4002;
        /// The connection's outbound queue overflowed: it could not keep up.
        SLOW_CONSUMER: u16 = 4008;
        /// The connection kept flooding past the command rate limit.
        FLOODING: u16 = 4029;
        /// The server is shutting down; reconnect (to another node).
        SERVICE_RESTART: u16 = 1012;
        /// A frame exceeded the transport's hard size limit.
        MESSAGE_TOO_BIG: u16 = 1009;
    }
}

/// Fixed limits of the protocol that a client may check before sending. (The per-connection
/// ones, heartbeat, frame size and rate, come in [`ServerFrame::Welcome`].)
pub mod limits {
    listed_ints! {
        /// The longest room name accepted.
        MAX_ROOM_LEN: usize = 128;
        /// The most characters (Unicode scalar values) in one chat message's `body`.
        MAX_MESSAGE_CHARS: usize = 2000;
        /// At most one `chat_typing` a connection sends is passed on in this many milliseconds.
        TYPING_EVERY_MS: u64 = 2000;
        /// The largest `meeting_signal` `data`, in bytes of JSON.
        MAX_SIGNAL_BYTES: usize = 16 * 1024;
        /// A meeting's video room opens this many milliseconds before its start.
        MEETING_ROOM_OPENS_MS: i64 = 10 * 60 * 1000;
    }
}

/// Room names: a few fixed ones, and `{kind}:{id}` with an integer id written the one
/// canonical way (`booth:7`; never `booth:07` or `booth:+7`), at most
/// [`limits::MAX_ROOM_LEN`] bytes. Who may enter which is the server's business (`rooms.rs`).
pub mod room {
    /// The fixed room names.
    pub mod named {
        listed_strs! {
            /// Everyone signed in: booths' live state.
            LOBBY = "lobby";
            /// Everyone signed in.
            FAIR = "fair";
            /// Organizers only.
            ORGANIZERS = "organizers";
            /// Organizers only: the live figures every few seconds.
            DASHBOARD = "dashboard";
        }
    }

    /// The kinds of `{kind}:{id}` rooms.
    pub mod kind {
        listed_strs! {
            /// `hall:{id}`: everyone, if the hall exists.
            HALL = "hall";
            /// `booth:{company_id}`: everyone, if the company exists.
            BOOTH = "booth";
            /// `user:{id}`: that user only (their personal notifications).
            USER = "user";
            /// `duty:{company_id}`: never directly; staff enter it with `set_duty`.
            DUTY = "duty";
            /// `chat:{room_id}`: never directly; `chat_join` checks who may read.
            CHAT = "chat";
            /// `meet:{meeting_id}`: never directly; `meeting_join` checks participants.
            MEET = "meet";
            /// `show:{show_id}`: everyone signed in, if the show exists (its viewers).
            SHOW = "show";
        }
    }

    /// A room name taken apart.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum RoomName<'a> {
        /// One of [`named`].
        Named(&'a str),
        /// `{kind}:{id}`, the kind one of [`kind`].
        Kind { kind: &'a str, id: i64 },
    }

    /// The room name for a kind and an id: `name(kind::BOOTH, 7)` is `booth:7`.
    pub fn name(kind: &str, id: i64) -> String {
        format!("{kind}:{id}")
    }

    /// Takes a room name apart, or `None` when it breaks the rules above. One name per room:
    /// `booth:01`, `booth:+1` and `booth:1` would otherwise be three rooms for one booth.
    pub fn parse(room: &str) -> Option<RoomName<'_>> {
        if room.is_empty() || room.len() > super::limits::MAX_ROOM_LEN {
            return None;
        }
        match room.split_once(':') {
            None => named::ALL
                .iter()
                .any(|n| n.value == room)
                .then_some(RoomName::Named(room)),
            Some((prefix, digits)) => {
                let id: i64 = digits.parse().ok()?;
                let known = kind::ALL.iter().any(|k| k.value == prefix);
                (known && id.to_string() == digits).then_some(RoomName::Kind { kind: prefix, id })
            }
        }
    }

    /// A room, typed: the one way the server names a room. Written out by `Display`
    /// (`Room::Booth(7)` is `booth:7`) and read back by `FromStr`, which follows [`parse`]
    /// (so `"booth:01".parse::<Room>()` is an error, as that name is no room).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum Room {
        /// [`named::LOBBY`].
        Lobby,
        /// [`named::FAIR`].
        Fair,
        /// [`named::ORGANIZERS`].
        Organizers,
        /// [`named::DASHBOARD`].
        Dashboard,
        /// `hall:{id}`.
        Hall(i64),
        /// `booth:{company_id}`.
        Booth(i64),
        /// `user:{id}`: that user's personal room.
        User(i64),
        /// `duty:{company_id}`: the company's staff on duty.
        Duty(i64),
        /// `chat:{room_id}`: a chat room's live stream.
        Chat(i64),
        /// `meet:{meeting_id}`: a video meeting's signalling.
        Meet(i64),
        /// `show:{show_id}`: a stage show's viewers.
        Show(i64),
    }

    impl Room {
        /// The name of a fixed room, or the kind of a `{kind}:{id}` room with its id.
        pub fn parts(&self) -> (&'static str, Option<i64>) {
            match *self {
                Room::Lobby => (named::LOBBY, None),
                Room::Fair => (named::FAIR, None),
                Room::Organizers => (named::ORGANIZERS, None),
                Room::Dashboard => (named::DASHBOARD, None),
                Room::Hall(id) => (kind::HALL, Some(id)),
                Room::Booth(id) => (kind::BOOTH, Some(id)),
                Room::User(id) => (kind::USER, Some(id)),
                Room::Duty(id) => (kind::DUTY, Some(id)),
                Room::Chat(id) => (kind::CHAT, Some(id)),
                Room::Meet(id) => (kind::MEET, Some(id)),
                Room::Show(id) => (kind::SHOW, Some(id)),
            }
        }

        /// The room a parsed name names.
        pub fn from_name(name: RoomName<'_>) -> Option<Room> {
            Some(match name {
                RoomName::Named(named::LOBBY) => Room::Lobby,
                RoomName::Named(named::FAIR) => Room::Fair,
                RoomName::Named(named::ORGANIZERS) => Room::Organizers,
                RoomName::Named(named::DASHBOARD) => Room::Dashboard,
                RoomName::Named(_) => return None,
                RoomName::Kind { kind: k, id } => match k {
                    kind::HALL => Room::Hall(id),
                    kind::BOOTH => Room::Booth(id),
                    kind::USER => Room::User(id),
                    kind::DUTY => Room::Duty(id),
                    kind::CHAT => Room::Chat(id),
                    kind::MEET => Room::Meet(id),
                    kind::SHOW => Room::Show(id),
                    _ => return None,
                },
            })
        }
    }

    impl std::fmt::Display for Room {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self.parts() {
                (named, None) => f.write_str(named),
                (kind, Some(id)) => write!(f, "{kind}:{id}"),
            }
        }
    }

    /// A name that is no room (see [`parse`]).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct NoSuchRoom(pub String);

    impl std::fmt::Display for NoSuchRoom {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "no room named {:?}", self.0)
        }
    }

    impl std::error::Error for NoSuchRoom {}

    impl std::str::FromStr for Room {
        type Err = NoSuchRoom;

        fn from_str(name: &str) -> Result<Room, NoSuchRoom> {
            parse(name)
                .and_then(Room::from_name)
                .ok_or_else(|| NoSuchRoom(name.to_string()))
        }
    }

    impl From<Room> for String {
        fn from(room: Room) -> String {
            room.to_string()
        }
    }
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
    /// Finds (creating it if needed) a chat room: `booth:{company_id}`, `hall:{id}`, `fair`,
    /// `private:{company_id}` (a buyer with that company) or `private:{company_id}:{buyer_id}`
    /// (staff with that buyer).
    ChatOpen { target: String },
    /// Joins a chat room's live stream, then returns every stored message after `after_seq`
    /// (at most 500; `more` says to ask again with the last seq). Live `chat_message` events
    /// may arrive before the reply: apply a message only if its seq is the next one.
    ChatJoin {
        room_id: i64,
        #[serde(default)]
        after_seq: i64,
    },
    /// Sends a message. `key` is the client's idempotency key: a resend with the same key
    /// returns the first message instead of storing a second.
    ChatSend {
        room_id: i64,
        /// Plain text; may be empty when an attachment is sent. With a `phrase`, the phrase as
        /// the sender saw it, in one of the six languages (the server checks).
        body: String,
        key: String,
        /// A file uploaded to this room first (`POST /api/v1/chat/rooms/{id}/attachments`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        attachment_id: Option<i64>,
        /// A phrasebook phrase (`GET /api/v1/phrases`) that every reader sees in their own
        /// language. An unknown id is refused with `unknown_phrase`, wrong parameters with
        /// `validation`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        phrase: Option<crate::phrases::PhraseRef>,
    },
    /// Older messages: the page just before `before_seq` (default: the newest page), returned
    /// oldest first.
    ChatHistory {
        room_id: i64,
        #[serde(default)]
        before_seq: Option<i64>,
        #[serde(default)]
        limit: Option<u32>,
    },
    /// Marks a room read up to `seq` (on every device of the user).
    ChatRead { room_id: i64, seq: i64 },
    /// "I am typing" (not stored; at most one every two seconds is passed on).
    ChatTyping { room_id: i64 },
    /// Deletes a message: its sender, the booth's staff (booth and private rooms) or organizers.
    ChatDelete { message_id: i64 },
    /// A visitor inside a booth asks for a staff member; every on-duty staff member is told.
    TalkRequest { company_id: i64 },
    /// A staff member takes a talk request; the first one wins, the others get `conflict`.
    TalkAccept { request_id: i64 },
    /// The visitor withdraws their own request while it is still open.
    TalkCancel { request_id: i64 },
    /// Enters an online meeting's video room (its participants only, from 10 minutes before
    /// the start to the end). Checks the caller in; the reply carries the ICE servers and who
    /// is in the room. Others see a presence `join` in `meet:{id}`.
    MeetingJoin { meeting_id: i64 },
    /// Leaves the video room.
    MeetingLeave { meeting_id: i64 },
    /// WebRTC signalling (an SDP offer or answer, or an ICE candidate) for one other
    /// participant, relayed only inside the meeting's window.
    MeetingSignal {
        meeting_id: i64,
        /// The participant's user id.
        to: i64,
        /// Opaque to the server: `{"description": …}` or `{"candidate": …}` (at most 16 KiB).
        data: serde_json::Value,
    },
    /// A reaction to a stage show (the viewer must be in `show:{id}`). Counted, not relayed:
    /// every viewer gets the window's totals (`show_reactions`).
    ShowReact { show_id: i64, reaction: Reaction },
}

/// The reactions a stage show's viewers can send.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Reaction {
    Like,
    Love,
    Clap,
    Fire,
    Wow,
    Laugh,
}

impl Reaction {
    pub const ALL: [Reaction; 6] = [
        Reaction::Like,
        Reaction::Love,
        Reaction::Clap,
        Reaction::Fire,
        Reaction::Wow,
        Reaction::Laugh,
    ];
}

/// How many of one reaction a window counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReactionCount {
    pub reaction: Reaction,
    pub count: u64,
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
        "chat_open",
        "chat_join",
        "chat_send",
        "chat_history",
        "chat_read",
        "chat_typing",
        "chat_delete",
        "talk_request",
        "talk_accept",
        "talk_cancel",
        "meeting_join",
        "meeting_leave",
        "meeting_signal",
        "show_react",
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
            Command::ChatOpen { .. } => "chat_open",
            Command::ChatJoin { .. } => "chat_join",
            Command::ChatSend { .. } => "chat_send",
            Command::ChatHistory { .. } => "chat_history",
            Command::ChatRead { .. } => "chat_read",
            Command::ChatTyping { .. } => "chat_typing",
            Command::ChatDelete { .. } => "chat_delete",
            Command::TalkRequest { .. } => "talk_request",
            Command::TalkAccept { .. } => "talk_accept",
            Command::TalkCancel { .. } => "talk_cancel",
            Command::MeetingJoin { .. } => "meeting_join",
            Command::MeetingLeave { .. } => "meeting_leave",
            Command::MeetingSignal { .. } => "meeting_signal",
            Command::ShowReact { .. } => "show_react",
        }
    }
}

/// Every frame the server sends. `type` selects the variant.
// Plain wire types, built once per frame and serialized at once: boxing the large
// variants would buy nothing but noisier code at every construction and match.
#[allow(clippy::large_enum_variant)]
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
    /// Several frames of one busy room at once (a stage show's chat): handle each in order,
    /// as if it had come alone. A batched room sends a few of these a second at most.
    Batch { frames: Vec<ServerFrame> },
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
// Plain wire types, built once per frame and serialized at once: boxing the large
// variants would buy nothing but noisier code at every construction and match.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReplyData {
    Subscribed {
        room: String,
        /// Who is there, oldest first: everyone, or a sample of `EXPO_PRESENCE_SNAPSHOT_MAX`
        /// connections when the room holds more.
        members: Vec<PresenceEntry>,
        /// How many connections the room holds (at least `members.len()`).
        total: usize,
    },
    Unsubscribed {
        room: String,
    },
    Presence {
        room: String,
        /// As in `subscribed`: everyone, or a sample when the room is large.
        members: Vec<PresenceEntry>,
        total: usize,
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
    /// Answers `open_item` and `chat_typing`.
    Recorded,
    /// Answers `chat_open`.
    ChatRoom {
        room: ChatRoomInfo,
    },
    /// Answers `chat_join`: the messages after `after_seq`, oldest first.
    ChatJoined {
        room: ChatRoomInfo,
        messages: Vec<ChatMessage>,
        more: bool,
    },
    /// Answers `chat_send` once the message is stored. For private conversations,
    /// `staff_online: false` means no staff member is on duty: the message waits as unread.
    ChatSent {
        message: ChatMessage,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        staff_online: Option<bool>,
    },
    /// Answers `chat_history`, oldest first.
    ChatHistory {
        room_id: i64,
        messages: Vec<ChatMessage>,
        more: bool,
    },
    /// Answers `chat_read` with the marker now stored (never lower than before).
    ChatRead {
        room_id: i64,
        seq: i64,
    },
    /// Answers `chat_delete`.
    ChatDeleted {
        room_id: i64,
        message_id: i64,
    },
    /// Answers `talk_request`, `talk_accept` and `talk_cancel`.
    Talk {
        request: TalkRequest,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        room: Option<ChatRoomInfo>,
    },
    /// Answers `meeting_join`: the room is `meet:{meeting_id}`.
    MeetingRoom {
        meeting: Meeting,
        room: String,
        /// For `RTCPeerConnection({iceServers})`; TURN credentials are short-lived.
        ice_servers: Vec<IceServer>,
        /// Participants' user ids in the room now (not counting this connection).
        peers: Vec<i64>,
    },
    /// Answers `meeting_leave` and `meeting_signal`.
    MeetingOk {
        meeting_id: i64,
    },
}

/// One ICE server, in the shape `RTCPeerConnection` takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct IceServer {
    pub urls: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// Something that happened in a room. `kind` says what.
// Plain wire types, built once per frame and serialized at once: boxing the large
// variants would buy nothing but noisier code at every construction and match.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RoomEvent {
    /// A connection joined the room.
    Join { member: PresenceEntry },
    /// A connection left the room (unsubscribed, disconnected, or its node vanished).
    Leave { member: PresenceEntry },
    /// Several connections joined or left within one presence window (see
    /// `EXPO_PRESENCE_BATCH_MS`): each connection appears at most once, in the list of its
    /// latest change. A lone change in a window is sent as `join` or `leave` instead.
    PresenceDiff {
        joins: Vec<PresenceEntry>,
        leaves: Vec<PresenceEntry>,
    },
    /// A crowded room's window of changes (see `EXPO_PRESENCE_SNAPSHOT_MAX`): how many joined
    /// and left, and how many are in the room now, without names. Naming every newcomer to
    /// every member would cost N² at the opening-hour wave. A client that wants names asks for
    /// a fresh sample (`presence`), now and then.
    PresenceCount { total: u64, joined: u64, left: u64 },
    /// A booth's live state changed (sent in `booth:{id}` and `lobby`, at most once a second
    /// per booth).
    BoothLive { live: BoothLive },
    /// A booth's content was edited; `section` says what (`profile`, `products`, `media`).
    BoothUpdated { company_id: i64, section: String },
    /// A message was stored (in `chat:{id}`).
    ChatMessage { message: ChatMessage },
    /// A message was deleted; its text is gone (in `chat:{id}`).
    ChatDeleted {
        room_id: i64,
        message_id: i64,
        seq: i64,
    },
    /// Someone is typing (in `chat:{id}`).
    Typing { room_id: i64, user: UserSummary },
    /// This user read a room up to `seq` on some device (in `user:{id}`).
    ChatReadMarker { room_id: i64, seq: i64 },
    /// A private conversation of this user got a message (in `user:{id}`), for inbox badges.
    ChatUnread {
        room_id: i64,
        last_seq: i64,
        sender: UserSummary,
    },
    /// A visitor asks for staff (in `duty:{company_id}`).
    TalkRequested { request: TalkRequest },
    /// A staff member took the request (in `duty:{company_id}` and the buyer's `user:{id}`).
    TalkTaken { request: TalkRequest },
    /// Nobody took the request in time (in `duty:{company_id}` and the buyer's `user:{id}`).
    TalkMissed { request: TalkRequest },
    /// The visitor withdrew the request (in `duty:{company_id}` and the buyer's `user:{id}`).
    TalkCancelled { request: TalkRequest },
    /// A meeting of yours was requested, accepted, declined, cancelled or expired (in
    /// `user:{id}` of the buyer and of every staff member of the company).
    MeetingUpdated { meeting: Meeting },
    /// A meeting of yours starts soon: `when` is `24h`, `15m` or `start` (in `user:{id}` of
    /// every participant). Sent once, by one node.
    MeetingReminder { meeting: Meeting, when: String },
    /// The organizers' live dashboard (in `dashboard`, every few seconds).
    Dashboard { snapshot: DashboardSnapshot },
    /// WebRTC signalling from `from` to `to` (in `meet:{meeting_id}`; ignore it unless `to`
    /// is you).
    MeetingSignal {
        meeting_id: i64,
        from: i64,
        to: i64,
        data: serde_json::Value,
    },
    /// A stage show went live: its encoder started publishing, or the organizer marked an
    /// external show live (in `show:{id}` and `lobby`). Play `hls_url`, or `external_url`.
    ShowLive {
        show_id: i64,
        stage_id: i64,
        live_since_ms: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hls_url: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        external_url: Option<String>,
    },
    /// A stage show ended (in `show:{id}` and `lobby`).
    ShowEnded {
        show_id: i64,
        stage_id: i64,
        ended_ms: i64,
    },
    /// An ended show's recording is ready (in `show:{id}`): play it with the chat and the
    /// pins in step, video time `t` s being `recording_ms + 1000 t`.
    ShowReplay {
        show_id: i64,
        replay_url: String,
        recording_ms: i64,
    },
    /// The host pinned a product for every viewer of the show, or took the pin down
    /// (`product_id` null), in `show:{id}`. Show its card in the viewer's language.
    ShowPin {
        show_id: i64,
        #[serde(default)]
        product_id: Option<i64>,
        at_ms: i64,
    },
    /// A buyer asked the company for a quote or a sample (in `user:{id}` of every active
    /// staff member of the company), from a show or the booth page.
    QuoteRequested { request: QuoteRequest },
    /// A window's reactions to a show on one node (in `show:{id}`): add them up. Nodes count
    /// separately, so a window may bring one of these per node.
    ShowReactions {
        show_id: i64,
        counts: Vec<ReactionCount>,
        window_ms: u64,
    },
    /// A room's chat rules changed (in `chat:{id}`): the slow mode's cooldown (0: off) and
    /// who may write.
    ChatSettings {
        room_id: i64,
        slow_mode_s: i64,
        #[serde(default)]
        mode: crate::api::ChatMode,
    },
    /// A viewer asked the host a question (in `show:{id}`).
    ShowQuestion { question: crate::api::ShowQuestion },
    /// A question's upvotes (at most once a second per node), or it was answered or hidden by
    /// a moderator (in `show:{id}`). A hidden question leaves the list.
    ShowQuestionUpdate {
        show_id: i64,
        question_id: i64,
        votes: i64,
        answered: bool,
        #[serde(default)]
        hidden: bool,
    },
    /// A poll was opened or closed, or its results moved (at most once a second per node;
    /// `my_vote` is left out), in `show:{id}`.
    ShowPoll { poll: crate::api::ShowPoll },
}

impl RoomEvent {
    /// The connections this event says joined: one for `join`, any number for a
    /// `presence_diff`, none otherwise.
    pub fn joined(&self) -> &[PresenceEntry] {
        match self {
            RoomEvent::Join { member } => std::slice::from_ref(member),
            RoomEvent::PresenceDiff { joins, .. } => joins,
            _ => &[],
        }
    }

    /// The connections this event says left.
    pub fn left(&self) -> &[PresenceEntry] {
        match self {
            RoomEvent::Leave { member } => std::slice::from_ref(member),
            RoomEvent::PresenceDiff { leaves, .. } => leaves,
            _ => &[],
        }
    }
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
            Command::ChatOpen {
                target: "fair".into(),
            },
            Command::ChatJoin {
                room_id: 1,
                after_seq: 0,
            },
            Command::ChatSend {
                room_id: 1,
                body: "hi".into(),
                key: "k".into(),
                attachment_id: Some(3),
                phrase: Some(crate::phrases::PhraseRef {
                    id: "moq_is".into(),
                    params: [("qty".to_string(), "500".to_string())].into(),
                }),
            },
            Command::ChatHistory {
                room_id: 1,
                before_seq: None,
                limit: None,
            },
            Command::ChatRead { room_id: 1, seq: 1 },
            Command::ChatTyping { room_id: 1 },
            Command::ChatDelete { message_id: 1 },
            Command::TalkRequest { company_id: 1 },
            Command::TalkAccept { request_id: 1 },
            Command::TalkCancel { request_id: 1 },
            Command::MeetingJoin { meeting_id: 1 },
            Command::MeetingLeave { meeting_id: 1 },
            Command::MeetingSignal {
                meeting_id: 1,
                to: 2,
                data: serde_json::json!({"candidate": null}),
            },
        ] {
            assert!(Command::TYPES.contains(&cmd.type_name()));
            let json = serde_json::to_string(&cmd).unwrap();
            assert_eq!(serde_json::from_str::<Command>(&json).unwrap(), cmd);
            let json = serde_json::to_value(&cmd).unwrap();
            assert_eq!(json["type"], cmd.type_name());
        }
    }

    #[test]
    fn room_names_parse_as_the_shared_cases_say() {
        // The same cases check the browser's parseRoom (tests/browser/protocol-module.test.mjs).
        let cases: serde_json::Value =
            serde_json::from_str(include_str!("../data/room-names.json")).unwrap();
        let cases = cases["cases"].as_array().unwrap();
        assert!(cases.len() > 20);
        for case in cases {
            let name = case["room"].as_str().unwrap();
            let want = &case["parsed"];
            let got = match room::parse(name) {
                None => serde_json::Value::Null,
                Some(room::RoomName::Named(n)) => serde_json::json!({ "name": n }),
                Some(room::RoomName::Kind { kind, id }) => {
                    serde_json::json!({ "kind": kind, "id": id.to_string() })
                }
            };
            assert_eq!(&got, want, "room {name:?}");
        }
        let long = format!("booth:{}", "1".repeat(limits::MAX_ROOM_LEN));
        assert_eq!(room::parse(&long), None);
        assert_eq!(room::name(room::kind::BOOTH, 7), "booth:7");
    }

    #[test]
    fn typed_rooms_write_and_read_their_names() {
        use room::Room;
        let rooms = [
            (Room::Lobby, "lobby"),
            (Room::Fair, "fair"),
            (Room::Organizers, "organizers"),
            (Room::Dashboard, "dashboard"),
            (Room::Hall(3), "hall:3"),
            (Room::Booth(7), "booth:7"),
            (Room::User(12), "user:12"),
            (Room::Duty(7), "duty:7"),
            (Room::Chat(40), "chat:40"),
            (Room::Meet(9), "meet:9"),
            (Room::Show(5), "show:5"),
        ];
        for (room, name) in rooms {
            assert_eq!(room.to_string(), name);
            assert_eq!(name.parse::<Room>(), Ok(room));
        }
        for bad in [
            "booth:01",
            "booth:+1",
            "booth",
            "nowhere",
            "private:1",
            "~online",
            "",
        ] {
            assert!(bad.parse::<Room>().is_err(), "{bad:?}");
        }
        // Every kind and every fixed name has its variant.
        for k in room::kind::ALL {
            let name = room::name(k.value, 1);
            assert_eq!(name.parse::<Room>().map(|r| r.to_string()), Ok(name));
        }
        for n in room::named::ALL {
            assert_eq!(
                n.value.parse::<Room>().map(|r| r.to_string()).as_deref(),
                Ok(n.value)
            );
        }
    }

    #[test]
    fn listed_constants_keep_their_docs() {
        assert_eq!(close_code::ALL.len(), 6);
        assert_eq!(close_code::ALL[0].name, "UNAUTHORIZED");
        assert_eq!(close_code::ALL[0].value, 4001);
        assert!(close_code::ALL[0].doc.contains("sign in again"));
        assert!(limits::ALL
            .iter()
            .any(|l| l.name == "MAX_ROOM_LEN" && l.value == 128));
        assert_eq!(room::named::ALL[0].value, "lobby");
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
