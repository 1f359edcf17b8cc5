//! Chat over REST: the inbox, the talk-request follow-up list, moderation, blocks, members.

use super::talk;
use crate::auth::Caller;
use crate::booths::require_editor;
use crate::error::{ApiError, ApiResult, JsonBody};
use crate::error::{Path, Query};
use crate::store::now_ms;
use crate::uploads::quota::{self, UploadKind};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use expo_schema::api::{AttachmentQuery, TalkFilter};
use expo_schema::api::{
    BlockInput, BlockList, ChatRoomList, FilterWords, MemberInput, SanctionCreated, SanctionInput,
    TalkRequestList,
};
use expo_schema::protocol::room::{self, Room};
use expo_schema::{ChatAttachment, ChatRoomKind, ErrorBody, Role};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(rooms))
        .routes(routes!(add_member))
        .routes(
            routes!(upload_attachment)
                .layer(axum::extract::DefaultBodyLimit::disable())
                .layer(axum::middleware::map_response(
                    crate::uploads::close_after_refusal,
                )),
        )
        .routes(routes!(attachment))
        .routes(routes!(sanction))
        .routes(routes!(lift))
        .routes(routes!(block, blocks))
        .routes(routes!(unblock))
        .routes(routes!(talk_requests))
        .routes(routes!(phrases))
        .routes(routes!(filter_words, set_filter_words))
}

/// The fair's word filter (organizers).
#[utoipa::path(get, path = "/api/v1/chat/filter", tag = "chat",
    responses((status = 200, body = FilterWords), (status = 403, body = ErrorBody)))]
pub async fn filter_words(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<FilterWords>> {
    caller.require_role(Role::Organizer)?;
    Ok(Json(FilterWords {
        words: super::filter::words(&state).await?,
    }))
}

/// Replaces the fair's word filter (organizers): a message in a booth's or a show's room with
/// one of these words is refused with `filtered`, on every node from the next message on.
#[utoipa::path(put, path = "/api/v1/chat/filter", tag = "chat", request_body = FilterWords,
    responses((status = 200, body = FilterWords), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn set_filter_words(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<FilterWords>,
) -> ApiResult<Json<FilterWords>> {
    caller.require_role(Role::Organizer)?;
    let words = super::filter::replace(&state, caller.user.id, &input.words).await?;
    Ok(Json(FilterWords { words }))
}

/// The chat phrasebook (`schema/data/phrases.json`): topics, phrases and their parameters,
/// each in all six languages, so a client shows a phrase message in whatever language its
/// reader picks, and switches without asking again.
#[utoipa::path(get, path = "/api/v1/phrases", tag = "chat",
    responses((status = 200, body = expo_schema::phrases::Phrasebook), (status = 401, body = ErrorBody)))]
pub async fn phrases(_caller: Caller) -> Json<&'static expo_schema::phrases::Phrasebook> {
    Json(expo_schema::phrases::builtin())
}

/// The signed-in user's conversations, with unread counts.
#[utoipa::path(get, path = "/api/v1/chat/rooms", tag = "chat",
    responses((status = 200, body = ChatRoomList), (status = 401, body = ErrorBody)))]
pub async fn rooms(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<ChatRoomList>> {
    Ok(Json(ChatRoomList {
        rooms: super::commands::rooms_of(&state, &caller).await?,
    }))
}

/// A booth's talk-to-staff requests (its staff and organizers): `?state=missed` is the
/// follow-up list (a missed request leaves it once the same buyer's later one was accepted).
#[utoipa::path(get, path = "/api/v1/companies/{id}/talk-requests", tag = "chat",
    params(("id" = i64, Path, description = "company id"), TalkFilter),
    responses((status = 200, body = TalkRequestList), (status = 403, body = ErrorBody)))]
pub async fn talk_requests(
    State(state): State<AppState>,
    caller: Caller,
    Path(company_id): Path<i64>,
    Query(filter): Query<TalkFilter>,
) -> ApiResult<Json<TalkRequestList>> {
    require_editor(&caller, company_id)?;
    Ok(Json(TalkRequestList {
        requests: talk::list(&state, company_id, filter.state.as_deref()).await?,
    }))
}

/// Mute or ban a user in a room or fair-wide: organizers anywhere; a room's moderators (a
/// company's staff in its booth room and in the chat of the shows it hosts) in that room.
/// A mute with `minutes` is a timeout.
#[utoipa::path(post, path = "/api/v1/chat/mutes", tag = "chat", request_body = SanctionInput,
    responses((status = 201, body = SanctionCreated), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn sanction(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<SanctionInput>,
) -> ApiResult<(StatusCode, Json<SanctionCreated>)> {
    let moderates = match input.room_id {
        Some(room) => {
            let room = super::store::load_room(&state, room).await?;
            super::access::is_moderator(&caller.user.summary(), &room)
        }
        None => caller.is_organizer(),
    };
    if !moderates {
        return Err(ApiError::forbidden(
            "only organizers, and a room's moderators in that room, mute and ban",
        ));
    }
    if !matches!(input.kind.as_str(), "mute" | "ban") {
        return Err(ApiError::validation("kind is mute or ban"));
    }
    if input.user_id == caller.user.id {
        return Err(ApiError::validation(
            "moderators cannot sanction themselves",
        ));
    }
    // Only people the caller has met in chat can be blocked, so the block list cannot be
    // used to read any account's summary by its id.
    if !knows(&state, &caller, input.user_id).await? {
        return Err(ApiError::not_found("no such user"));
    }
    let now = now_ms();
    let until = match input.minutes {
        Some(m) if m <= 0 => return Err(ApiError::validation("minutes must be positive")),
        Some(m) => Some(now + m * 60_000),
        None => None,
    };
    let id: i64 = sqlx::query_scalar(
        "insert into chat_sanctions (user_id, room_id, kind, until_ms, created_by, created_ms) \
         values ($1, $2, $3, $4, $5, $6) returning id",
    )
    .bind(input.user_id)
    .bind(input.room_id)
    .bind(&input.kind)
    .bind(until)
    .bind(caller.user.id)
    .bind(now)
    .fetch_one(state.store.pool())
    .await?;
    if input.kind == "ban" {
        // A ban also ends the live subscriptions the user already has.
        let prefix = match input.room_id {
            Some(room) => Room::Chat(room).to_string(),
            None => format!("{}:", room::kind::CHAT),
        };
        state.hub.evict(input.user_id, &prefix).await?;
    }
    Ok((StatusCode::CREATED, Json(SanctionCreated { id })))
}

/// Lift a mute or ban (organizers).
#[utoipa::path(delete, path = "/api/v1/chat/mutes/{id}", tag = "chat",
    params(("id" = i64, Path, description = "sanction id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn lift(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    caller.require_role(Role::Organizer)?;
    let done = sqlx::query("delete from chat_sanctions where id = $1")
        .bind(id)
        .execute(state.store.pool())
        .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::not_found("no such sanction"));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Block a user from messaging you.
#[utoipa::path(post, path = "/api/v1/chat/blocks", tag = "chat", request_body = BlockInput,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn block(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<BlockInput>,
) -> ApiResult<StatusCode> {
    if input.user_id == caller.user.id {
        return Err(ApiError::validation("you cannot block yourself"));
    }
    // Only people the caller has met in chat can be blocked, so the block list cannot be
    // used to read any account's summary by its id.
    if !knows(&state, &caller, input.user_id).await? {
        return Err(ApiError::not_found("no such user"));
    }
    sqlx::query(
        "insert into user_blocks (blocker_id, blocked_id, created_ms) values ($1, $2, $3) \
         on conflict (blocker_id, blocked_id) do nothing",
    )
    .bind(caller.user.id)
    .bind(input.user_id)
    .bind(now_ms())
    .execute(state.store.pool())
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Whether the caller has met this (active) user in chat: the user wrote in a room the caller
/// can read, or they share a private conversation.
async fn knows(state: &AppState, caller: &Caller, user_id: i64) -> ApiResult<bool> {
    let company = caller.user.company_id.unwrap_or(-1);
    let n: i64 = sqlx::query_scalar(
        "select count(*) from users u where u.id = $1 and u.status = 'active' and ( \
           exists (select 1 from chat_messages m join chat_rooms r on r.id = m.room_id \
                   where m.sender_id = u.id and (r.kind <> 'private' or r.buyer_id = $2 \
                     or r.company_id = $3 or exists (select 1 from chat_members cm \
                       where cm.room_id = r.id and cm.user_id = $2))) \
           or exists (select 1 from chat_rooms r where r.kind = 'private' and \
                   ((r.buyer_id = $2 and u.company_id = r.company_id) \
                    or (r.buyer_id = u.id and r.company_id = $3))))",
    )
    .bind(user_id)
    .bind(caller.user.id)
    .bind(company)
    .fetch_one(state.store.pool())
    .await?;
    Ok(n > 0)
}

/// The users you have blocked (for every device).
#[utoipa::path(get, path = "/api/v1/chat/blocks", tag = "chat",
    responses((status = 200, body = BlockList)))]
pub async fn blocks(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<BlockList>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "select blocked_id from user_blocks where blocker_id = $1 order by created_ms",
    )
    .bind(caller.user.id)
    .fetch_all(state.store.pool())
    .await?;
    let mut users = Vec::new();
    for id in ids {
        if !knows(&state, &caller, id).await? {
            continue;
        }
        if let Some(user) = crate::auth::load_user(&state.store, id).await? {
            users.push(user.summary());
        }
    }
    Ok(Json(BlockList { users }))
}

/// Unblock a user.
#[utoipa::path(delete, path = "/api/v1/chat/blocks/{user_id}", tag = "chat",
    params(("user_id" = i64, Path, description = "the blocked user")),
    responses((status = 204)))]
pub async fn unblock(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<i64>,
) -> ApiResult<StatusCode> {
    sqlx::query("delete from user_blocks where blocker_id = $1 and blocked_id = $2")
        .bind(caller.user.id)
        .bind(user_id)
        .execute(state.store.pool())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add an interpreter to a private conversation (the company's staff or organizers).
#[utoipa::path(post, path = "/api/v1/chat/rooms/{id}/members", tag = "chat", request_body = MemberInput,
    params(("id" = i64, Path, description = "chat room id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_member(
    State(state): State<AppState>,
    caller: Caller,
    Path(room_id): Path<i64>,
    JsonBody(input): JsonBody<MemberInput>,
) -> ApiResult<StatusCode> {
    let room = super::store::load_room(&state, room_id).await?;
    if room.kind != ChatRoomKind::Private {
        return Err(ApiError::validation(
            "interpreters join private conversations",
        ));
    }
    require_editor(&caller, room.company_id.unwrap_or(0))?;
    let user = crate::auth::load_user(&state.store, input.user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such user"))?;
    if user.role != Role::Interpreter || user.status != expo_schema::AccountStatus::Active {
        return Err(ApiError::validation(
            "only active interpreters are added to conversations",
        ));
    }
    sqlx::query(
        "insert into chat_members (room_id, user_id, added_by, added_ms) values ($1, $2, $3, $4) \
         on conflict (room_id, user_id) do nothing",
    )
    .bind(room_id)
    .bind(input.user_id)
    .bind(caller.user.id)
    .bind(now_ms())
    .execute(state.store.pool())
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Share a file in a room (an image or a PDF; the body is the file). Checked like booth
/// uploads: by content, size-capped, stored under a random name. Send it with `chat_send`'s
/// `attachment_id`.
#[utoipa::path(post, path = "/api/v1/chat/rooms/{id}/attachments", tag = "chat",
    params(("id" = i64, Path, description = "chat room id"), AttachmentQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = ChatAttachment), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload_attachment(
    State(state): State<AppState>,
    caller: Caller,
    Path(room_id): Path<i64>,
    Query(query): Query<AttachmentQuery>,
    request: axum::extract::Request,
) -> ApiResult<(StatusCode, Json<ChatAttachment>)> {
    let room = super::store::load_room(&state, room_id).await?;
    super::access::check_post(&state, &caller.user.summary(), &room).await?;
    let file_name = crate::uploads::check_file_name(&query.file_name)?;
    let remaining = quota::remaining(&state, caller.user.id, UploadKind::Attachment).await?;
    let limit = state
        .config
        .chat_attachment_bytes
        .min(state.config.max_upload_bytes)
        .min(remaining);
    let (mut temp, stored, mime, size) = crate::uploads::receive_file(
        &state,
        request,
        limit,
        |mime| {
            matches!(
                mime,
                "image/png" | "image/jpeg" | "image/webp" | "image/gif" | "application/pdf"
            )
        },
        "chat attachment",
        &format!("chat{room_id}"),
    )
    .await?;
    if mime.starts_with("image/") && size > crate::uploads::MAX_IMAGE_BYTES {
        return Err(ApiError::new(
            expo_schema::ErrorCode::MessageTooLarge,
            "images may have at most 5 MiB",
        ));
    }
    let mut tx = state.store.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "insert into chat_attachments (room_id, uploader_id, file_name, stored_name, content_type, \
         size_bytes, created_ms) values ($1, $2, $3, $4, $5, $6, $7) returning id",
    )
    .bind(room_id)
    .bind(caller.user.id)
    .bind(&file_name)
    .bind(&stored)
    .bind(&mime)
    .bind(size as i64)
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await?;
    quota::record(&mut tx, caller.user.id, UploadKind::Attachment, size).await?;
    tx.commit().await?;
    temp.keep();
    Ok((
        StatusCode::CREATED,
        Json(ChatAttachment {
            id,
            file_name,
            content_type: mime,
            size_bytes: size as i64,
            url: format!("/api/v1/chat/attachments/{id}"),
        }),
    ))
}

/// Deletes attachments that no message refers to once they are older than
/// `EXPO_UNSENT_ATTACHMENT_SECS`: uploaded, never sent (or their message was deleted).
/// Returns how many were removed.
pub async fn sweep_unsent_attachments(state: &AppState) -> ApiResult<usize> {
    let before = now_ms() - state.config.unsent_attachment_secs as i64 * 1000;
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "select a.id, a.stored_name from chat_attachments a where a.created_ms < $1 \
         and not exists (select 1 from chat_messages m where m.attachment_id = a.id \
                         and m.deleted_ms is null) limit 500",
    )
    .bind(before)
    .fetch_all(state.store.pool())
    .await?;
    let dir = state.config.uploads_dir();
    let mut removed = 0;
    for (id, stored) in rows {
        // The row goes first: a file without a row is unreachable, a row without a file
        // would answer 500.
        let done = sqlx::query("delete from chat_attachments where id = $1")
            .bind(id)
            .execute(state.store.pool())
            .await?;
        if done.rows_affected() == 1 {
            removed += 1;
            if let Err(error) = tokio::fs::remove_file(dir.join(&stored)).await {
                if error.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!(?error, "removing an unsent attachment failed");
                }
            }
        }
    }
    Ok(removed)
}

/// Download a shared file (only those who may read its room; not once its message is
/// deleted).
#[utoipa::path(get, path = "/api/v1/chat/attachments/{id}", tag = "chat",
    params(("id" = i64, Path, description = "attachment id")),
    responses((status = 200, description = "the file"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn attachment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    request: axum::extract::Request,
) -> ApiResult<axum::response::Response> {
    use sqlx::Row;
    let row = sqlx::query(
        "select a.room_id, a.file_name, a.stored_name, \
         (select count(*) from chat_messages m where m.attachment_id = a.id and m.deleted_ms is not null) as deleted \
         from chat_attachments a where a.id = $1",
    )
    .bind(id)
    .fetch_optional(state.store.pool())
    .await?
    .ok_or_else(|| ApiError::not_found("no such attachment"))?;
    let room = super::store::load_room(&state, row.try_get("room_id")?).await?;
    super::access::check_read(&state, &caller.user.summary(), &room).await?;
    if row.try_get::<i64, _>("deleted")? > 0 {
        return Err(ApiError::not_found(
            "this file was deleted with its message",
        ));
    }
    crate::uploads::serve_stored(
        &state,
        &row.try_get::<String, _>("stored_name")?,
        &row.try_get::<String, _>("file_name")?,
        request,
    )
    .await
}
