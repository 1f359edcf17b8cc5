//! The chat's websocket commands: `chat_open`, `chat_join`, `chat_history`, `chat_send`,
//! `chat_read`, `chat_typing`, `chat_delete`; and the rooms a user takes part in.

use super::access::{buyer_came_to, check_post, check_read, is_company_staff, is_moderator};
use super::store::{
    load_message_by_key, load_room, messages_after, messages_before, own_attachment, room_from_row,
    upsert_read, Owners, Room, ROOM_FIELDS,
};
use super::{writer, JOIN_PAGE, MAX_MESSAGE_CHARS};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::events;
use crate::hub::ConnHandle;
use crate::store::now_ms;
use crate::AppState;
use expo_schema::phrases::PhraseError;
use expo_schema::protocol::room::Room as HubRoom;
use expo_schema::protocol::{ReplyData, RoomEvent};
use expo_schema::{
    ChatMessage, ChatRoomInfo, ChatRoomKind, ErrorCode, PhraseRef, Role, UserSummary,
};
use sqlx::Row;

/// Whether a conversation with this target was ever opened.
async fn private_room_exists(state: &AppState, target: &str) -> ApiResult<bool> {
    let n: i64 = sqlx::query_scalar("select count(*) from chat_rooms where target = $1")
        .bind(target)
        .fetch_one(state.store.pool())
        .await?;
    Ok(n > 0)
}

/// Finds or creates the room for a target (see `chat_open` in the protocol).
pub async fn open(state: &AppState, user: &UserSummary, target: &str) -> ApiResult<ChatRoomInfo> {
    let bad = || {
        ApiError::new(
            ErrorCode::UnknownRoom,
            format!("no chat room for {target:?}"),
        )
    };
    let parts: Vec<&str> = target.split(':').collect();
    let num = |s: &str| s.parse::<i64>().map_err(|_| bad());
    let mut show = None;
    let (kind, company, hall, buyer) = match parts.as_slice() {
        ["show", s] => {
            let id = num(s)?;
            // The room belongs to the show's host, whose staff moderate it.
            let host: Option<i64> =
                sqlx::query_scalar("select host_company_id from shows where id = $1")
                    .bind(id)
                    .fetch_optional(state.store.pool())
                    .await?
                    .ok_or_else(bad)?;
            show = Some(id);
            (ChatRoomKind::Show, host, None, None)
        }
        ["fair"] => (ChatRoomKind::Fair, None, None, None),
        ["booth", c] => (ChatRoomKind::Booth, Some(num(c)?), None, None),
        ["hall", h] => (ChatRoomKind::Hall, None, Some(num(h)?), None),
        ["private", c] => {
            if user.role != Role::Buyer {
                return Err(ApiError::validation(
                    "staff open a conversation with private:{company_id}:{buyer_id}",
                ));
            }
            (ChatRoomKind::Private, Some(num(c)?), None, Some(user.id))
        }
        ["private", c, b] => (ChatRoomKind::Private, Some(num(c)?), None, Some(num(b)?)),
        _ => return Err(bad()),
    };
    if let Some(company) = company {
        let n: i64 = sqlx::query_scalar("select count(*) from companies where id = $1")
            .bind(company)
            .fetch_one(state.store.pool())
            .await?;
        if n == 0 {
            return Err(bad());
        }
    }
    if let Some(hall) = hall {
        let n: i64 = sqlx::query_scalar("select count(*) from halls where id = $1")
            .bind(hall)
            .fetch_one(state.store.pool())
            .await?;
        if n == 0 {
            return Err(bad());
        }
    }
    if let Some(buyer) = buyer {
        // Only active buyers have conversations: a pending account is nobody's business yet.
        let n: i64 = sqlx::query_scalar(
            "select count(*) from users where id = $1 and role = 'buyer' and status = 'active'",
        )
        .bind(buyer)
        .fetch_one(state.store.pool())
        .await?;
        if n == 0 {
            return Err(bad());
        }
    }
    let canonical = match kind {
        ChatRoomKind::Fair => "fair".to_string(),
        ChatRoomKind::Booth => format!("booth:{}", company.unwrap_or(0)),
        ChatRoomKind::Hall => format!("hall:{}", hall.unwrap_or(0)),
        ChatRoomKind::Private => format!("private:{}:{}", company.unwrap_or(0), buyer.unwrap_or(0)),
        ChatRoomKind::Show => format!("show:{}", show.unwrap_or(0)),
    };
    // Check access against the room as it would be, before creating anything.
    let probe = Room {
        id: 0,
        kind,
        company_id: company,
        hall_id: hall,
        buyer_id: buyer,
        show_id: show,
        last_seq: 0,
    };
    if kind == ChatRoomKind::Private
        && !(probe.buyer_id == Some(user.id)
            || is_company_staff(user, &probe)
            || user.role == Role::Organizer)
    {
        // Invited members reach existing rooms by id (chat_join), not by target.
        return Err(ApiError::forbidden("this conversation is not yours"));
    }
    if let (ChatRoomKind::Private, Some(company), Some(buyer)) = (kind, company, buyer) {
        // Staff may start a conversation only with a buyer who came to them: a meeting, a
        // talk request, or a booth visit with consent to share contact. Otherwise any staff
        // member could read any buyer's summary by id, and make rows for each.
        let starts_it = buyer != user.id && user.role != Role::Organizer;
        if starts_it
            && !private_room_exists(state, &canonical).await?
            && !buyer_came_to(state, buyer, company).await?
        {
            return Err(bad());
        }
    }
    let owners = Owners {
        company,
        hall,
        buyer,
        show,
    };
    super::store::insert_room(state.store.pool(), kind, &canonical, owners, now_ms()).await?;
    let sql = format!("select {ROOM_FIELDS} from chat_rooms where target = $1");
    let row = sqlx::query(&sql)
        .bind(&canonical)
        .fetch_one(state.store.pool())
        .await?;
    let room = room_from_row(&row)?;
    check_read(state, user, &room).await?;
    info(state, user, &room).await
}

/// A room as `user` sees it: title, unread count, staff online.
pub async fn info(state: &AppState, user: &UserSummary, room: &Room) -> ApiResult<ChatRoomInfo> {
    let pool = state.store.pool();
    // The reader's mark and the unread count in one round trip.
    let (read_seq, unread): (i64, i64) = sqlx::query_as(
        "select r.read_seq, (select count(*) from chat_messages where room_id = $1 \
         and seq > r.read_seq and sender_id <> $2 and deleted_ms is null) \
         from (select coalesce(max(read_seq), 0) as read_seq from chat_reads \
         where room_id = $1 and user_id = $2) r",
    )
    .bind(room.id)
    .bind(user.id)
    .fetch_one(pool)
    .await?;
    let company_name: Option<String> = match room.company_id {
        Some(c) => {
            sqlx::query_scalar("select name from companies where id = $1")
                .bind(c)
                .fetch_optional(pool)
                .await?
        }
        None => None,
    };
    let buyer = match room.buyer_id {
        Some(b) => crate::auth::load_user(&state.store, b)
            .await?
            .map(|u| u.summary()),
        None => None,
    };
    let title = match room.kind {
        ChatRoomKind::Fair => "Fair announcements".to_string(),
        ChatRoomKind::Hall => {
            sqlx::query_scalar::<_, String>("select name from halls where id = $1")
                .bind(room.hall_id.unwrap_or(0))
                .fetch_optional(pool)
                .await?
                .unwrap_or_else(|| "Hall".into())
        }
        ChatRoomKind::Booth => company_name.clone().unwrap_or_default(),
        ChatRoomKind::Show => {
            sqlx::query_scalar::<_, String>("select title from shows where id = $1")
                .bind(room.show_id.unwrap_or(0))
                .fetch_optional(pool)
                .await?
                .unwrap_or_else(|| "Show".into())
        }
        ChatRoomKind::Private if room.buyer_id == Some(user.id) => {
            company_name.clone().unwrap_or_default()
        }
        ChatRoomKind::Private => match &buyer {
            Some(b) => match &b.company_name {
                Some(c) => format!("{} ({c})", b.name),
                None => b.name.clone(),
            },
            None => "Conversation".into(),
        },
    };
    let staff_online = match (room.kind, room.company_id) {
        (ChatRoomKind::Private, Some(company)) => {
            Some(!state.booths.live_of(company).await.staff_on_duty.is_empty())
        }
        _ => None,
    };
    Ok(ChatRoomInfo {
        id: room.id,
        kind: room.kind,
        hub_room: HubRoom::Chat(room.id).to_string(),
        title,
        company_id: room.company_id,
        hall_id: room.hall_id,
        buyer,
        last_seq: room.last_seq,
        read_seq,
        unread,
        staff_online,
        show_id: room.show_id,
        slow_mode_s: slow_mode_s(state, room).await?,
        moderator: is_moderator(user, room),
    })
}

/// A room's slow mode in seconds: a show's, as its moderators set it; 0 elsewhere.
async fn slow_mode_s(state: &AppState, room: &Room) -> ApiResult<i64> {
    let Some(show) = room.show_id else {
        return Ok(0);
    };
    Ok(
        sqlx::query_scalar::<_, i64>("select chat_slow_s from shows where id = $1")
            .bind(show)
            .fetch_optional(state.store.pool())
            .await?
            .unwrap_or(0),
    )
}

/// `chat_join`: live stream first, then the stored messages after `after_seq`.
pub async fn join(
    state: &AppState,
    conn: &ConnHandle,
    room_id: i64,
    after_seq: i64,
) -> ApiResult<ReplyData> {
    let user = &conn.identity.user;
    let room = load_room(state, room_id).await?;
    check_read(state, user, &room).await?;
    let hub_room = HubRoom::Chat(room_id).to_string();
    if room.kind == ChatRoomKind::Show {
        // A show's chat runs at broadcast scale: its frames go out in windows.
        state.hub.batch_room(&hub_room);
    }
    state
        .hub
        .enter(conn, &hub_room)
        .await
        .map_err(ApiError::Other)?;
    let mut messages = messages_after(state, room_id, after_seq.max(0), JOIN_PAGE + 1).await?;
    let more = messages.len() as i64 > JOIN_PAGE;
    messages.truncate(JOIN_PAGE as usize);
    // Messages stored since the room was read are in the reply (up to a page; `more` says
    // when there are others) or come on the stream, which this connection entered before the
    // read: the room's last sequence is at least the newest one in the reply.
    let mut room = room;
    if let Some(newest) = messages.last() {
        room.last_seq = room.last_seq.max(newest.seq);
    }
    Ok(ReplyData::ChatJoined {
        room: info(state, user, &room).await?,
        messages,
        more,
    })
}

/// `chat_history`: up to `limit` messages before `before_seq`, oldest first.
pub async fn history(
    state: &AppState,
    user: &UserSummary,
    room_id: i64,
    before_seq: Option<i64>,
    limit: Option<u32>,
) -> ApiResult<ReplyData> {
    let room = load_room(state, room_id).await?;
    check_read(state, user, &room).await?;
    let limit = i64::from(limit.unwrap_or(50).clamp(1, 200));
    let before = before_seq.unwrap_or(i64::MAX);
    let mut messages = messages_before(state, room_id, before, limit + 1).await?;
    let more = messages.len() as i64 > limit;
    messages.truncate(limit as usize);
    messages.reverse();
    Ok(ReplyData::ChatHistory {
        room_id,
        messages,
        more,
    })
}

/// A message as `chat_send` brings it.
#[derive(Debug, Clone)]
pub struct Draft<'a> {
    pub room_id: i64,
    pub body: &'a str,
    pub key: &'a str,
    pub attachment_id: Option<i64>,
    pub phrase: Option<PhraseRef>,
}

/// A message's phrase checked against the phrasebook: a known id (else `unknown_phrase`),
/// exactly its parameters, and a body that is the phrase in one of the six languages (what
/// search, exports and clients without the phrasebook show).
fn check_phrase(phrase: &PhraseRef, body: &str) -> ApiResult<()> {
    let book = expo_schema::phrases::builtin();
    match book.check(phrase) {
        Ok(_) => {}
        Err(e @ PhraseError::Unknown(_)) => {
            return Err(ApiError::new(ErrorCode::UnknownPhrase, e.to_string()))
        }
        Err(e @ PhraseError::BadParams(_)) => return Err(ApiError::validation(e.to_string())),
    }
    if book.language_of(phrase, body).is_none() {
        return Err(ApiError::validation(
            "with a phrase, body is the phrase as the sender saw it, in one of the fair's languages",
        ));
    }
    Ok(())
}

/// `chat_send`: validate, store (taking the room's next sequence), then acknowledge and
/// publish. A resend with the same key returns the stored message and publishes nothing.
pub async fn send(
    state: &AppState,
    conn: &ConnHandle,
    sender: &UserSummary,
    draft: Draft<'_>,
) -> ApiResult<ReplyData> {
    let Draft {
        room_id,
        body,
        key,
        attachment_id,
        phrase,
    } = draft;
    // The sender as the caller's profile has it (the connection's identity may hide a
    // buyer's name from the room's presence list; their own messages are signed).
    let user = sender;
    if key.is_empty() || key.len() > 100 {
        return Err(ApiError::validation("key must have 1 to 100 characters"));
    }
    if let Some(phrase) = &phrase {
        check_phrase(phrase, body)?;
    }
    let body = if phrase.is_some() { body.trim() } else { body };
    if body.trim().is_empty() && attachment_id.is_none() {
        return Err(ApiError::validation("a message needs some text or a file"));
    }
    let chars = body.chars().count();
    if chars > MAX_MESSAGE_CHARS {
        return Err(ApiError::validation(format!(
            "a message may have at most {MAX_MESSAGE_CHARS} characters; this one has {chars}"
        )));
    }
    let room = state.chat.room(state, room_id).await?;
    check_post(state, user, &room).await?;
    if !state
        .hub
        .rooms_of(&conn.id)
        .contains(&HubRoom::Chat(room_id).to_string())
    {
        // A resend of a stored message is answered wherever it comes from.
        if let Some(existing) = resent(state, user.id, key, room_id).await? {
            return Ok(existing);
        }
        return Err(ApiError::new(
            ErrorCode::NotSubscribed,
            "join the room (chat_join) before sending",
        ));
    }
    let attachment = match attachment_id {
        Some(id) => Some(own_attachment(state, id, room_id, user.id).await?),
        None => None,
    };
    let rate = state.config.chat_rate_per_sec;
    // Over all the user's connections on all nodes (Redis when there is one).
    let allowed = state
        .engine
        .limiter
        .take(&format!("chat:{}", user.id), rate.max(1), rate.max(1) * 2)
        .await;
    if !allowed {
        // A resend of a stored message is answered, not refused.
        if let Some(existing) = resent(state, user.id, key, room_id).await? {
            return Ok(existing);
        }
        return Err(ApiError::new(
            ErrorCode::RateLimited,
            format!("at most {rate} messages a second"),
        ));
    }
    if let Some(show) = room.show_id {
        crate::stage::chat::check_mode(state, user, show).await?;
    }
    if matches!(room.kind, ChatRoomKind::Booth | ChatRoomKind::Show) {
        super::filter::check(state, body).await?;
    }
    if !is_moderator(user, &room) {
        if let Err(refused) = slow_mode(state, &room, user.id).await {
            // A resend of a stored message is answered, not refused.
            if let Some(existing) = resent(state, user.id, key, room_id).await? {
                return Ok(existing);
            }
            return Err(refused);
        }
    }
    // Stored, then published by the writer in sequence order, and only then acknowledged.
    let stored = state
        .chat
        .writer
        .store(writer::NewMessage {
            room_id,
            sender: user.clone(),
            body: body.to_string(),
            key: key.to_string(),
            attachment,
            phrase,
            created_ms: now_ms(),
        })
        .await;
    let message = match stored {
        Ok(message) => message,
        // A resend: the first one was stored (through this or another connection).
        Err(writer::WriteError::DuplicateKey) => {
            return match resent(state, user.id, key, room_id).await? {
                Some(existing) => Ok(existing),
                None => Err(ApiError::new(ErrorCode::Conflict, "please resend")),
            };
        }
        Err(writer::WriteError::Store(e)) => return Err(e.into()),
        Err(writer::WriteError::Gone(_)) => {
            return Err(ApiError::new(
                ErrorCode::Unavailable,
                "the message may not have been stored; send it again with the same key",
            ))
        }
    };
    metrics::counter!("expo_chat_messages_total", "kind" => room.kind.as_str()).increment(1);
    let mut staff_online = None;
    if room.kind == ChatRoomKind::Private {
        notify_participants(state, &room, &message).await?;
        if room.buyer_id == Some(user.id) {
            let online = !state
                .booths
                .live_of(room.company_id.unwrap_or(0))
                .await
                .staff_on_duty
                .is_empty();
            staff_online = Some(online);
        }
    }
    Ok(ReplyData::ChatSent {
        message,
        staff_online,
    })
}

/// A show's slow mode: the sender's cooldown in this room starts with this message, on every
/// node; while it runs, `slow_mode` says how long is left (the client counts it down).
async fn slow_mode(state: &AppState, room: &Room, user_id: i64) -> ApiResult<()> {
    let seconds = slow_mode_s(state, room).await?;
    if seconds <= 0 {
        return Ok(());
    }
    let length = std::time::Duration::from_secs(seconds as u64);
    let key = format!("slow:{}:{user_id}", room.id);
    let left = state.engine.limiter.cooldown(&key, length).await;
    if left.is_zero() {
        return Ok(());
    }
    let mut body = expo_schema::ErrorBody::new(
        ErrorCode::SlowMode,
        format!("slow mode: one message every {seconds} s"),
    );
    body.retry_after_ms = Some(left.as_millis().max(1) as i64);
    Err(ApiError::Client(body))
}

/// The reply to a resend: the message stored under `key`, or `None` when there is none. A key
/// that names a message of another room is refused.
async fn resent(
    state: &AppState,
    user_id: i64,
    key: &str,
    room_id: i64,
) -> ApiResult<Option<ReplyData>> {
    let Some(existing) = load_message_by_key(state, user_id, key).await? else {
        return Ok(None);
    };
    if existing.room_id != room_id {
        return Err(ApiError::validation("this key was used for another room"));
    }
    Ok(Some(ReplyData::ChatSent {
        message: existing,
        staff_online: None,
    }))
}

/// Tells every participant of a private conversation but the sender, in their personal room.
async fn notify_participants(
    state: &AppState,
    room: &Room,
    message: &ChatMessage,
) -> ApiResult<()> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "select id from users where (id = $1 or (role = 'exhibitor' and company_id = $2)) and status = 'active' \
         union select user_id from chat_members where room_id = $3",
    )
    .bind(room.buyer_id.unwrap_or(0))
    .bind(room.company_id.unwrap_or(0))
    .bind(room.id)
    .fetch_all(state.store.pool())
    .await?;
    for id in ids.into_iter().filter(|id| *id != message.sender.id) {
        let event = RoomEvent::ChatUnread {
            room_id: room.id,
            last_seq: message.seq,
            sender: message.sender.clone(),
        };
        events::publish(&state.hub, HubRoom::User(id), event).await;
    }
    Ok(())
}

/// `chat_read`: moves the user's marker forward and tells their other devices.
pub async fn read(
    state: &AppState,
    user: &UserSummary,
    room_id: i64,
    seq: i64,
) -> ApiResult<ReplyData> {
    let room = load_room(state, room_id).await?;
    check_read(state, user, &room).await?;
    let seq = seq.clamp(0, room.last_seq);
    let mut conn = state.store.pool().acquire().await?;
    upsert_read(&mut conn, state.store.kind(), room_id, user.id, seq).await?;
    drop(conn);
    let stored: i64 =
        sqlx::query_scalar("select read_seq from chat_reads where room_id = $1 and user_id = $2")
            .bind(room_id)
            .bind(user.id)
            .fetch_one(state.store.pool())
            .await?;
    events::publish(
        &state.hub,
        HubRoom::User(user.id),
        RoomEvent::ChatReadMarker {
            room_id,
            seq: stored,
        },
    )
    .await;
    Ok(ReplyData::ChatRead {
        room_id,
        seq: stored,
    })
}

/// `chat_typing`: passed on at most every two seconds per connection and room.
pub async fn typing(state: &AppState, conn: &ConnHandle, room_id: i64) -> ApiResult<ReplyData> {
    if !conn_in_room(state, conn, room_id) {
        return Err(ApiError::new(
            ErrorCode::NotSubscribed,
            "join the room first",
        ));
    }
    if state.chat.may_type(&conn.id, room_id) {
        let event = RoomEvent::Typing {
            room_id,
            user: conn.identity.user.clone(),
        };
        events::publish(&state.hub, HubRoom::Chat(room_id), event).await;
    }
    Ok(ReplyData::Recorded)
}

fn conn_in_room(state: &AppState, conn: &ConnHandle, room_id: i64) -> bool {
    state
        .hub
        .rooms_of(&conn.id)
        .contains(&HubRoom::Chat(room_id).to_string())
}

/// `chat_delete`: the sender, organizers, and the company's staff in its booth and private
/// rooms. The text is erased from the store; everyone in the room is told.
pub async fn delete(state: &AppState, user: &UserSummary, message_id: i64) -> ApiResult<ReplyData> {
    let row = sqlx::query("select room_id, sender_id, seq from chat_messages where id = $1")
        .bind(message_id)
        .fetch_optional(state.store.pool())
        .await?
        .ok_or_else(|| ApiError::not_found("no such message"))?;
    let room_id: i64 = row.try_get("room_id")?;
    let sender: i64 = row.try_get("sender_id")?;
    let seq: i64 = row.try_get("seq")?;
    let room = load_room(state, room_id).await?;
    check_read(state, user, &room).await?;
    if !(sender == user.id || is_moderator(user, &room)) {
        return Err(ApiError::forbidden(
            "only the sender, the booth's staff and organizers delete messages",
        ));
    }
    sqlx::query(
        "update chat_messages set body = null, phrase = null, deleted_ms = $1, deleted_by = $2 \
         where id = $3 and deleted_ms is null",
    )
    .bind(now_ms())
    .bind(user.id)
    .bind(message_id)
    .execute(state.store.pool())
    .await?;
    // A shared file goes with its message.
    let stored: Vec<String> = sqlx::query_scalar(
        "select a.stored_name from chat_attachments a join chat_messages m on m.attachment_id = a.id \
         where m.id = $1",
    )
    .bind(message_id)
    .fetch_all(state.store.pool())
    .await?;
    crate::uploads::remove_files(state, &stored).await;
    events::publish(
        &state.hub,
        HubRoom::Chat(room_id),
        RoomEvent::ChatDeleted {
            room_id,
            message_id,
            seq,
        },
    )
    .await;
    Ok(ReplyData::ChatDeleted {
        room_id,
        message_id,
    })
}

/// The rooms a user takes part in: their private conversations, rooms they were added to,
/// and every room they have read.
pub async fn rooms_of(state: &AppState, caller: &Caller) -> ApiResult<Vec<ChatRoomInfo>> {
    let user = caller.user.summary();
    let sql = format!(
        "select {ROOM_FIELDS} from chat_rooms where \
         (kind = 'private' and buyer_id = $1) \
         or (kind = 'private' and company_id = $2) \
         or id in (select room_id from chat_members where user_id = $1) \
         or id in (select room_id from chat_reads where user_id = $1) \
         order by last_seq desc, id"
    );
    let company = if caller.user.role == Role::Exhibitor {
        caller.user.company_id.unwrap_or(-1)
    } else {
        -1
    };
    let rows = sqlx::query(&sql)
        .bind(caller.user.id)
        .bind(company)
        .fetch_all(state.store.pool())
        .await?;
    let mut out = Vec::new();
    for row in rows {
        let room = room_from_row(&row)?;
        if check_read(state, &user, &room).await.is_ok() {
            out.push(info(state, &user, &room).await?);
        }
    }
    Ok(out)
}
