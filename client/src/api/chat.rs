//! The inbox, talk-to-staff follow-up, moderation, blocks, attachments and the phrasebook
//! (`server/src/chat/routes.rs`). Messages themselves travel on the hub.

use crate::{Api, Result};
use expo_schema::api::{
    AttachmentQuery, BlockInput, BlockList, ChatRoomList, FilterWords, MemberInput,
    SanctionCreated, SanctionInput, TalkFilter, TalkRequestList,
};
use expo_schema::phrases::Phrasebook;
use expo_schema::ChatAttachment;

impl Api {
    /// `GET /api/v1/phrases`: the chat phrasebook in every language.
    pub async fn phrases(&self) -> Result<Phrasebook> {
        self.get("/api/v1/phrases").await
    }

    /// `DELETE /api/v1/chat/mutes/{id}`: lifts a mute or ban.
    pub async fn lift_sanction(&self, id: i64) -> Result<()> {
        self.delete(&format!("/api/v1/chat/mutes/{id}")).await
    }

    /// `DELETE /api/v1/chat/blocks/{user_id}`.
    pub async fn unblock(&self, user_id: i64) -> Result<()> {
        self.delete(&format!("/api/v1/chat/blocks/{user_id}")).await
    }

    /// `POST /api/v1/chat/rooms/{id}/attachments`: shares a file (send it with `chat_send`'s
    /// `attachment_id`).
    pub async fn upload_attachment(
        &self,
        room_id: i64,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Result<ChatAttachment> {
        self.post_file(
            &format!("/api/v1/chat/rooms/{room_id}/attachments"),
            &AttachmentQuery {
                file_name: file_name.to_string(),
            },
            bytes,
        )
        .await
    }

    /// `GET /api/v1/chat/attachments/{id}`: the shared file.
    pub async fn attachment(&self, id: i64) -> Result<Vec<u8>> {
        self.get_bytes(&format!("/api/v1/chat/attachments/{id}"))
            .await
    }
}

impl Api {
    /// `GET /api/v1/chat/rooms`: the caller's conversations.
    pub async fn chat_rooms(&self) -> Result<ChatRoomList> {
        self.get("/api/v1/chat/rooms").await
    }

    /// `GET /api/v1/companies/{id}/talk-requests`, optionally of one state (`open`,
    /// `accepted`, `missed`, `cancelled`).
    pub async fn talk_requests(
        &self,
        company_id: i64,
        state: Option<&str>,
    ) -> Result<TalkRequestList> {
        self.get_query(
            &format!("/api/v1/companies/{company_id}/talk-requests"),
            &TalkFilter {
                state: state.map(str::to_string),
            },
        )
        .await
    }

    /// `POST /api/v1/chat/mutes`: mutes or bans a user.
    pub async fn sanction(&self, input: &SanctionInput) -> Result<SanctionCreated> {
        self.post("/api/v1/chat/mutes", input).await
    }

    /// `GET /api/v1/chat/filter` (organizers): the fair's word filter.
    pub async fn filter_words(&self) -> Result<FilterWords> {
        self.get("/api/v1/chat/filter").await
    }

    /// `PUT /api/v1/chat/filter` (organizers): replaces the word filter.
    pub async fn set_filter_words(&self, input: &FilterWords) -> Result<FilterWords> {
        self.put("/api/v1/chat/filter", input).await
    }

    /// `POST /api/v1/chat/blocks`.
    pub async fn block(&self, input: &BlockInput) -> Result<()> {
        self.post_empty_json("/api/v1/chat/blocks", input).await
    }

    /// `GET /api/v1/chat/blocks`: the users the caller blocked.
    pub async fn blocks(&self) -> Result<BlockList> {
        self.get("/api/v1/chat/blocks").await
    }

    /// `POST /api/v1/chat/rooms/{id}/members`.
    pub async fn add_member(&self, room_id: i64, input: &MemberInput) -> Result<()> {
        self.post_empty_json(&format!("/api/v1/chat/rooms/{room_id}/members"), input)
            .await
    }
}
