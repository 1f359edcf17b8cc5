//! Stable machine error codes, shared by REST responses and websocket replies.
//!
//! A client branches on `code`, never on `message`; codes are only ever added, never renamed.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The machine-readable reason a request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame or body is not valid JSON, or not a JSON object.
    BadRequest,
    /// The frame's `type` names no command this server knows.
    UnknownCommand,
    /// The command is known but its fields are missing or of the wrong type.
    InvalidCommand,
    /// A field value breaks a rule (length, format, time zone ...).
    Validation,
    /// The frame is larger than the server accepts.
    MessageTooLarge,
    /// Too many commands in too short a time; slow down and retry.
    RateLimited,
    /// No valid credentials were given.
    Unauthorized,
    /// Email and password do not match an account.
    InvalidCredentials,
    /// The session token has expired; sign in again.
    TokenExpired,
    /// The session was ended (logout or revocation).
    TokenRevoked,
    /// The account exists but waits for organizer approval.
    AccountPending,
    /// The account has been disabled by an organizer.
    AccountDisabled,
    /// The buyer's registration was rejected; `application` holds the organizer's reason.
    AccountRejected,
    /// The caller is signed in but may not do this.
    Forbidden,
    /// The thing asked for does not exist (or the caller may not know it does).
    NotFound,
    /// The room name is not one this server knows.
    UnknownRoom,
    /// The command needs a room subscription the connection does not have.
    NotSubscribed,
    /// The request conflicts with existing data (a duplicate email, say).
    Conflict,
    /// The connection could not keep up with its outbound queue and is being dropped.
    SlowConsumer,
    /// The server is shutting down; reconnect (to another node).
    ShuttingDown,
    /// Something failed inside the server; it has been logged.
    Internal,
    /// A dependency (database, Redis) is not reachable right now.
    Unavailable,
    /// The meeting slot (or a participant, or every seat) is already booked; the message
    /// names the next free slots.
    SlotTaken,
    /// The chat message names a phrase the phrasebook does not have.
    UnknownPhrase,
    /// The room is in slow mode and the sender's cooldown runs: `retry_after_ms` says how
    /// long until they may post again.
    SlowMode,
    /// The message has a word the fair's word filter blocks; nothing was stored.
    Filtered,
}

impl ErrorCode {
    /// The snake_case name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::UnknownCommand => "unknown_command",
            ErrorCode::InvalidCommand => "invalid_command",
            ErrorCode::Validation => "validation",
            ErrorCode::MessageTooLarge => "message_too_large",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::TokenRevoked => "token_revoked",
            ErrorCode::AccountPending => "account_pending",
            ErrorCode::AccountDisabled => "account_disabled",
            ErrorCode::AccountRejected => "account_rejected",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::UnknownRoom => "unknown_room",
            ErrorCode::NotSubscribed => "not_subscribed",
            ErrorCode::Conflict => "conflict",
            ErrorCode::SlowConsumer => "slow_consumer",
            ErrorCode::ShuttingDown => "shutting_down",
            ErrorCode::Internal => "internal",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::SlotTaken => "slot_taken",
            ErrorCode::UnknownPhrase => "unknown_phrase",
            ErrorCode::SlowMode => "slow_mode",
            ErrorCode::Filtered => "filtered",
        }
    }
}

/// The body of every error: a stable code and a human sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    /// `slot_taken`: the next free slots (`MeetingSlot`s) for the same pair.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub next_slots: Vec<crate::MeetingSlot>,
    /// `account_pending` and `account_rejected` at sign-in (after a right password): where
    /// the registration stands, for the client's waiting page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<Box<Application>>,
    /// `slow_mode` (and `rate_limited` where known): milliseconds until the sender may
    /// try again, for the client's countdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<i64>,
}

/// Where a buyer's registration stands: codes and times only, the client words it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct Application {
    /// When the buyer registered.
    pub registered_ms: i64,
    /// When an organizer rejected it, if they did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected_ms: Option<i64>,
    /// The organizer's reason, as they wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            next_slots: Vec::new(),
            application: None,
            retry_after_ms: None,
        }
    }
}

impl std::fmt::Display for ErrorBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_str_matches_serde_name() {
        for code in [
            ErrorCode::BadRequest,
            ErrorCode::UnknownCommand,
            ErrorCode::MessageTooLarge,
            ErrorCode::RateLimited,
            ErrorCode::SlowConsumer,
            ErrorCode::Unavailable,
            ErrorCode::UnknownPhrase,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }
}
