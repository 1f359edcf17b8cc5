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

/// The fair's word filter: a message in a public room (a booth's or a show's) that has one
/// of these words is refused with `filtered`. Words in any of the fair's languages; matched
/// case-blind after Unicode normalization, as whole words in scripts written with spaces
/// (Latin, Cyrillic) and anywhere in the text otherwise (Chinese, Japanese, Korean).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FilterWords {
    /// At most 500 words of 1 to 50 characters each.
    pub words: Vec<String>,
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
