//! Who may read and who may post in a chat room: sanctions, membership, the company side,
//! blocks; and whether a buyer came to a company (so its staff may write to them).

use super::store::Room;
use crate::error::{ApiError, ApiResult};
use crate::store::now_ms;
use crate::AppState;
use expo_schema::{ChatRoomKind, Role, UserSummary};

/// The sanctions (`ban`, `mute`) that hold now for a user in a room, in one query.
async fn sanctions_held(state: &AppState, user_id: i64, room_id: i64) -> ApiResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "select distinct kind from chat_sanctions where user_id = $1 \
         and (room_id is null or room_id = $2) and kind in ('ban', 'mute') \
         and (until_ms is null or until_ms > $3)",
    )
    .bind(user_id)
    .bind(room_id)
    .bind(now_ms())
    .fetch_all(state.store.pool())
    .await?)
}

async fn is_member(state: &AppState, room_id: i64, user_id: i64) -> ApiResult<bool> {
    let n: i64 =
        sqlx::query_scalar("select count(*) from chat_members where room_id = $1 and user_id = $2")
            .bind(room_id)
            .bind(user_id)
            .fetch_one(state.store.pool())
            .await?;
    Ok(n > 0)
}

/// Whether the user belongs to the company side of a room (its staff).
pub(super) fn is_company_staff(user: &UserSummary, room: &Room) -> bool {
    user.role == Role::Exhibitor && room.company_id.is_some() && user.company_id == room.company_id
}

/// Whether the user moderates a room: organizers everywhere; a company's staff in its booth
/// room, its private conversations and the chat of the shows it hosts.
pub fn is_moderator(user: &UserSummary, room: &Room) -> bool {
    user.role == Role::Organizer
        || (is_company_staff(user, room)
            && matches!(
                room.kind,
                ChatRoomKind::Booth | ChatRoomKind::Private | ChatRoomKind::Show
            ))
}

/// Who may read a room.
pub async fn check_read(state: &AppState, user: &UserSummary, room: &Room) -> ApiResult<()> {
    let held = sanctions_held(state, user.id, room.id).await?;
    may_read(state, user, room, &held).await
}

async fn may_read(
    state: &AppState,
    user: &UserSummary,
    room: &Room,
    sanctions: &[String],
) -> ApiResult<()> {
    if sanctions.iter().any(|k| k == "ban") {
        return Err(ApiError::forbidden("you are banned from this room"));
    }
    let allowed = match room.kind {
        ChatRoomKind::Booth | ChatRoomKind::Hall | ChatRoomKind::Fair | ChatRoomKind::Show => true,
        ChatRoomKind::Private => {
            room.buyer_id == Some(user.id)
                || is_company_staff(user, room)
                || user.role == Role::Organizer
                || is_member(state, room.id, user.id).await?
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::forbidden("this conversation is not yours"))
    }
}

/// Who may post in a room: readers who are not muted; only organizers announce in hall and
/// fair rooms; nobody a private room's other participants have blocked.
pub async fn check_post(state: &AppState, user: &UserSummary, room: &Room) -> ApiResult<()> {
    let held = sanctions_held(state, user.id, room.id).await?;
    may_read(state, user, room, &held).await?;
    if held.iter().any(|k| k == "mute") {
        return Err(ApiError::forbidden("you are muted in this room"));
    }
    if matches!(room.kind, ChatRoomKind::Hall | ChatRoomKind::Fair) && user.role != Role::Organizer
    {
        return Err(ApiError::forbidden(
            "only organizers post announcements here",
        ));
    }
    if room.kind == ChatRoomKind::Private {
        let blocked: i64 = sqlx::query_scalar(
            "select count(*) from user_blocks b where b.blocked_id = $1 and b.blocker_id <> $1 and ( \
               b.blocker_id = $2 \
               or b.blocker_id in (select id from users where role = 'exhibitor' and company_id = $3) \
               or b.blocker_id in (select user_id from chat_members where room_id = $4))",
        )
        .bind(user.id)
        .bind(room.buyer_id.unwrap_or(0))
        .bind(room.company_id.unwrap_or(0))
        .bind(room.id)
        .fetch_one(state.store.pool())
        .await?;
        if blocked > 0 {
            return Err(ApiError::forbidden("a participant has blocked you"));
        }
    }
    Ok(())
}

/// Whether a buyer reached out to a company: a meeting, a talk request, or a booth visit
/// while agreeing to share contact details.
pub async fn buyer_came_to(state: &AppState, buyer: i64, company: i64) -> ApiResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "select (select count(*) from meetings where buyer_id = $1 and company_id = $2) \
         + (select count(*) from talk_requests where buyer_id = $1 and company_id = $2) \
         + (select count(*) from booth_visits v join users u on u.id = v.user_id \
            where v.user_id = $1 and v.company_id = $2 and u.share_contact = 1)",
    )
    .bind(buyer)
    .bind(company)
    .fetch_one(state.store.pool())
    .await?;
    Ok(n > 0)
}
