//! Chat: the inbox, talk-to-staff requests, moderation, blocks and room members.

use crate::domain::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChatRoomList {
    pub rooms: Vec<ChatRoomInfo>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TalkRequestList {
    pub requests: Vec<TalkRequest>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SanctionInput {
    pub user_id: i64,
    /// The room; none means fair-wide.
    #[serde(default)]
    pub room_id: Option<i64>,
    /// `mute` (may read, not post) or `ban` (neither).
    #[schema(pattern = "^(mute|ban)$")]
    pub kind: String,
    /// How long; none means until lifted.
    #[serde(default)]
    pub minutes: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SanctionCreated {
    pub id: i64,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BlockInput {
    pub user_id: i64,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BlockList {
    /// The users the caller has blocked.
    pub users: Vec<UserSummary>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MemberInput {
    pub user_id: i64,
}
