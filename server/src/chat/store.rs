//! Chat rows: rooms and messages as stored, loading them, pages of a room's history, the
//! sender's attachments and the read markers' upsert. Appending messages is the
//! group-committing writer's (`writer.rs`), which shares the read markers' SQL.

use crate::error::{ApiError, ApiResult};
use crate::store::StoreKind;
use crate::AppState;
use expo_schema::{ChatAttachment, ChatMessage, ChatRoomKind, Role, UserSummary};
use sqlx::any::AnyRow;
use sqlx::Row;

/// A room as stored.
#[derive(Debug, Clone)]
pub struct Room {
    pub id: i64,
    pub kind: ChatRoomKind,
    pub company_id: Option<i64>,
    pub hall_id: Option<i64>,
    pub buyer_id: Option<i64>,
    /// Show rooms: the show (their `company_id` is the show's host).
    pub show_id: Option<i64>,
    pub last_seq: i64,
}

pub(super) fn room_from_row(row: &AnyRow) -> sqlx::Result<Room> {
    let kind: String = row.try_get("kind")?;
    Ok(Room {
        id: row.try_get("id")?,
        kind: ChatRoomKind::parse(&kind).unwrap_or(ChatRoomKind::Fair),
        company_id: row.try_get("company_id")?,
        hall_id: row.try_get("hall_id")?,
        buyer_id: row.try_get("buyer_id")?,
        show_id: row.try_get("show_id")?,
        last_seq: row.try_get("last_seq")?,
    })
}

pub(super) const ROOM_FIELDS: &str = "id, kind, company_id, hall_id, buyer_id, show_id, last_seq";

pub async fn load_room(state: &AppState, room_id: i64) -> ApiResult<Room> {
    let sql = format!("select {ROOM_FIELDS} from chat_rooms where id = $1");
    let row = sqlx::query(&sql)
        .bind(room_id)
        .fetch_optional(state.store.pool())
        .await?
        .ok_or_else(|| ApiError::not_found("no such chat room"))?;
    Ok(room_from_row(&row)?)
}

const MESSAGE_FIELDS: &str =
    "m.id, m.room_id, m.seq, m.body, m.phrase, m.deleted_ms, m.created_ms, \
     u.id as sender_id, u.name as sender_name, u.role as sender_role, \
     u.company_id as sender_company_id, coalesce(c.name, u.buyer_company) as sender_company, \
     u.country as sender_country, a.id as att_id, a.file_name as att_name, \
     a.content_type as att_type, a.size_bytes as att_size \
     from chat_messages m join users u on u.id = m.sender_id \
     left join companies c on c.id = u.company_id \
     left join chat_attachments a on a.id = m.attachment_id";

fn message_from_row(row: &AnyRow) -> sqlx::Result<ChatMessage> {
    let role: String = row.try_get("sender_role")?;
    let deleted: Option<i64> = row.try_get("deleted_ms")?;
    Ok(ChatMessage {
        id: row.try_get("id")?,
        room_id: row.try_get("room_id")?,
        seq: row.try_get("seq")?,
        sender: UserSummary {
            id: row.try_get("sender_id")?,
            name: row.try_get("sender_name")?,
            role: Role::parse(&role).unwrap_or(Role::Buyer),
            company_id: row.try_get("sender_company_id")?,
            company_name: row.try_get("sender_company")?,
            country: row.try_get("sender_country")?,
            anonymous: false,
        },
        body: if deleted.is_some() {
            None
        } else {
            row.try_get("body")?
        },
        deleted: deleted.is_some(),
        attachment: match (deleted, row.try_get::<Option<i64>, _>("att_id")?) {
            (None, Some(id)) => Some(ChatAttachment {
                id,
                file_name: row.try_get("att_name")?,
                content_type: row.try_get("att_type")?,
                size_bytes: row.try_get("att_size")?,
                url: format!("/api/v1/chat/attachments/{id}"),
            }),
            _ => None,
        },
        // Stored as JSON; a value this server cannot read is shown as its body alone.
        phrase: match deleted {
            None => row
                .try_get::<Option<String>, _>("phrase")?
                .and_then(|json| serde_json::from_str(&json).ok()),
            Some(_) => None,
        },
        created_ms: row.try_get("created_ms")?,
    })
}

/// Up to `limit` messages of a room after `after_seq`, oldest first.
pub(super) async fn messages_after(
    state: &AppState,
    room_id: i64,
    after_seq: i64,
    limit: i64,
) -> ApiResult<Vec<ChatMessage>> {
    messages_where(
        state,
        room_id,
        "m.seq > $2 order by m.seq",
        after_seq,
        limit,
    )
    .await
}

/// Up to `limit` messages of a room before `before_seq`, newest first.
pub(super) async fn messages_before(
    state: &AppState,
    room_id: i64,
    before_seq: i64,
    limit: i64,
) -> ApiResult<Vec<ChatMessage>> {
    messages_where(
        state,
        room_id,
        "m.seq < $2 order by m.seq desc",
        before_seq,
        limit,
    )
    .await
}

/// A room's messages on one side of `seq` (`$2` in `condition`, which also orders them).
async fn messages_where(
    state: &AppState,
    room_id: i64,
    condition: &str,
    seq: i64,
    limit: i64,
) -> ApiResult<Vec<ChatMessage>> {
    let sql = format!("select {MESSAGE_FIELDS} where m.room_id = $1 and {condition} limit $3");
    let rows = sqlx::query(&sql)
        .bind(room_id)
        .bind(seq)
        .bind(limit)
        .fetch_all(state.store.pool())
        .await?;
    Ok(rows
        .iter()
        .map(message_from_row)
        .collect::<sqlx::Result<Vec<_>>>()?)
}

pub(super) async fn load_message_by_key(
    state: &AppState,
    sender: i64,
    key: &str,
) -> ApiResult<Option<ChatMessage>> {
    let sql = format!("select {MESSAGE_FIELDS} where m.sender_id = $1 and m.client_key = $2");
    let row = sqlx::query(&sql)
        .bind(sender)
        .bind(key)
        .fetch_optional(state.store.pool())
        .await?;
    Ok(row.as_ref().map(message_from_row).transpose()?)
}

/// The sender's own file, uploaded to this very room.
pub(super) async fn own_attachment(
    state: &AppState,
    id: i64,
    room_id: i64,
    user_id: i64,
) -> ApiResult<ChatAttachment> {
    let row = sqlx::query(
        "select file_name, content_type, size_bytes from chat_attachments \
         where id = $1 and room_id = $2 and uploader_id = $3",
    )
    .bind(id)
    .bind(room_id)
    .bind(user_id)
    .fetch_optional(state.store.pool())
    .await?
    .ok_or_else(|| ApiError::validation("attachment_id is not a file you uploaded to this room"))?;
    Ok(ChatAttachment {
        id,
        file_name: row.try_get("file_name")?,
        content_type: row.try_get("content_type")?,
        size_bytes: row.try_get("size_bytes")?,
        url: format!("/api/v1/chat/attachments/{id}"),
    })
}

pub(super) async fn upsert_read(
    conn: &mut sqlx::AnyConnection,
    kind: StoreKind,
    room_id: i64,
    user_id: i64,
    seq: i64,
) -> sqlx::Result<()> {
    // A marker only moves forward.
    let larger = larger_read_seq(kind);
    let sql = format!(
        "insert into chat_reads (room_id, user_id, read_seq) values ($1, $2, $3) \
         on conflict (room_id, user_id) do update set read_seq = {larger}"
    );
    sqlx::query(&sql)
        .bind(room_id)
        .bind(user_id)
        .bind(seq)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The SQL that keeps the larger of a stored and a new read marker on upsert.
pub fn larger_read_seq(kind: StoreKind) -> String {
    crate::store::dialect::greatest(kind, "chat_reads.read_seq", "excluded.read_seq")
}

/// What a room belongs to (each `None` where it does not apply).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Owners {
    pub company: Option<i64>,
    pub hall: Option<i64>,
    pub buyer: Option<i64>,
    pub show: Option<i64>,
}

/// Adds a chat room unless one with this target exists; its id when it was added.
pub(crate) async fn insert_room<'c, E>(
    executor: E,
    kind: ChatRoomKind,
    target: &str,
    owners: Owners,
    now: i64,
) -> sqlx::Result<Option<i64>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query_scalar(
        "insert into chat_rooms (kind, target, company_id, hall_id, buyer_id, show_id, created_ms) \
         values ($1, $2, $3, $4, $5, $6, $7) on conflict (target) do nothing returning id",
    )
    .bind(kind.as_str())
    .bind(target)
    .bind(owners.company)
    .bind(owners.hall)
    .bind(owners.buyer)
    .bind(owners.show)
    .bind(now)
    .fetch_optional(executor)
    .await
}
