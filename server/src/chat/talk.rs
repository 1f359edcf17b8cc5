//! "Talk to staff": a visitor inside a booth asks for a staff member; every on-duty staff
//! member of the booth is told at once (they are the members of `duty:{company}`); the first
//! to accept opens the private conversation, the others see it was taken. A request nobody
//! takes in time is recorded as missed and stays in the booth's follow-up list.
//!
//! Accepting is one conditional update (`state = 'open'` → `'accepted'`): the database lets
//! exactly one staff member win, on any node. Expiry is the same kind of update, run by a
//! timer on the node that took the request, and swept at start-up for requests whose node
//! went away.

use super::commands::{info, open};
use super::store::load_room;
use crate::error::{ApiError, ApiResult};
use crate::events;
use crate::hub::ConnHandle;
use crate::store::now_ms;
use crate::AppState;
use expo_schema::protocol::room::Room as HubRoom;
use expo_schema::protocol::{ReplyData, RoomEvent};
use expo_schema::{ErrorCode, Role, TalkRequest, TalkState, UserSummary};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::time::Duration;

const FIELDS: &str =
    "id, company_id, buyer_id, state, accepted_by, room_id, created_ms, expires_ms, resolved_ms";

async fn summary(state: &AppState, id: i64) -> ApiResult<UserSummary> {
    crate::auth::load_user(&state.store, id)
        .await?
        .map(|u| u.summary())
        .ok_or_else(|| ApiError::not_found("no such user"))
}

async fn from_row(state: &AppState, row: &AnyRow) -> ApiResult<TalkRequest> {
    let state_text: String = row.try_get("state")?;
    let accepted_by: Option<i64> = row.try_get("accepted_by")?;
    Ok(TalkRequest {
        id: row.try_get("id")?,
        company_id: row.try_get("company_id")?,
        buyer: summary(state, row.try_get("buyer_id")?).await?,
        state: match state_text.as_str() {
            "accepted" => TalkState::Accepted,
            "missed" => TalkState::Missed,
            "cancelled" => TalkState::Cancelled,
            _ => TalkState::Open,
        },
        accepted_by: match accepted_by {
            Some(id) => Some(summary(state, id).await?),
            None => None,
        },
        room_id: row.try_get("room_id")?,
        created_ms: row.try_get("created_ms")?,
        expires_ms: row.try_get("expires_ms")?,
        resolved_ms: row.try_get("resolved_ms")?,
    })
}

pub async fn load(state: &AppState, id: i64) -> ApiResult<TalkRequest> {
    let sql = format!("select {FIELDS} from talk_requests where id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(state.store.pool())
        .await?
        .ok_or_else(|| ApiError::not_found("no such request"))?;
    from_row(state, &row).await
}

/// A company's requests in a state (newest first), for its follow-up list. A missed request
/// is followed up once the same buyer's later request was accepted: it leaves the list.
pub async fn list(
    state: &AppState,
    company_id: i64,
    wanted: Option<&str>,
) -> ApiResult<Vec<TalkRequest>> {
    let sql = format!(
        "select {FIELDS} from talk_requests t where company_id = $1 and ($2 = '' or state = $2) \
         and not (state = 'missed' and exists (select 1 from talk_requests later \
             where later.company_id = t.company_id and later.buyer_id = t.buyer_id \
             and later.state = 'accepted' and later.created_ms >= t.created_ms)) \
         order by created_ms desc, id desc limit 500"
    );
    let rows = sqlx::query(&sql)
        .bind(company_id)
        .bind(wanted.unwrap_or(""))
        .fetch_all(state.store.pool())
        .await?;
    let mut out = Vec::new();
    for row in &rows {
        out.push(from_row(state, row).await?);
    }
    Ok(out)
}

/// A visitor's repeated requests to an unstaffed booth within this time are one missed request.
pub const MISSED_AGAIN_MS: i64 = 3600 * 1000;

/// `talk_request`: only a visitor inside the booth; one open request per buyer and booth.
pub async fn request(state: &AppState, conn: &ConnHandle, company_id: i64) -> ApiResult<ReplyData> {
    let user = &conn.identity.user;
    if user.role != Role::Buyer {
        return Err(ApiError::forbidden("visitors ask for staff; staff accept"));
    }
    if !state
        .hub
        .rooms_of(&conn.id)
        .contains(&HubRoom::Booth(company_id).to_string())
    {
        return Err(ApiError::new(
            ErrorCode::NotSubscribed,
            "enter the booth (subscribe to its room) first",
        ));
    }
    let existing: Option<i64> = sqlx::query_scalar(
        "select id from talk_requests where company_id = $1 and buyer_id = $2 and state = 'open'",
    )
    .bind(company_id)
    .bind(user.id)
    .fetch_optional(state.store.pool())
    .await?;
    if let Some(id) = existing {
        return Ok(ReplyData::Talk {
            request: load(state, id).await?,
            room: None,
        });
    }
    let now = now_ms();
    let timeout = state.config.talk_timeout();
    // Nobody on duty (asked of presence itself, not a summary): the request is recorded as
    // missed at once, so the visitor is not kept waiting and staff find it in follow-up.
    let on_duty = state
        .hub
        .presence(&HubRoom::Duty(company_id).to_string())
        .await
        .map_err(ApiError::Other)?;
    if on_duty.is_empty() {
        // Asking again while nobody is there is the same missed request, not another row
        // in the staff's follow-up list (and in the organizers' missed figures).
        let recent: Option<i64> = sqlx::query_scalar(
            "select id from talk_requests where company_id = $1 and buyer_id = $2 \
             and state = 'missed' and created_ms > $3 order by id desc limit 1",
        )
        .bind(company_id)
        .bind(user.id)
        .bind(now - MISSED_AGAIN_MS)
        .fetch_optional(state.store.pool())
        .await?;
        if let Some(id) = recent {
            return Ok(ReplyData::Talk {
                request: load(state, id).await?,
                room: None,
            });
        }
        let id: i64 = sqlx::query_scalar(
            "insert into talk_requests (company_id, buyer_id, state, created_ms, expires_ms, resolved_ms) \
             values ($1, $2, 'missed', $3, $3, $3) returning id",
        )
        .bind(company_id)
        .bind(user.id)
        .bind(now)
        .fetch_one(state.store.pool())
        .await?;
        return Ok(ReplyData::Talk {
            request: load(state, id).await?,
            room: None,
        });
    }
    let id: i64 = sqlx::query_scalar(
        "insert into talk_requests (company_id, buyer_id, state, created_ms, expires_ms) \
         values ($1, $2, 'open', $3, $4) returning id",
    )
    .bind(company_id)
    .bind(user.id)
    .bind(now)
    .bind(now + timeout.as_millis() as i64)
    .fetch_one(state.store.pool())
    .await?;
    let request = load(state, id).await?;
    events::publish(
        &state.hub,
        HubRoom::Duty(company_id),
        RoomEvent::TalkRequested {
            request: request.clone(),
        },
    )
    .await;
    let timer_state = state.clone();
    tokio::spawn(async move {
        tokio::time::sleep(timeout).await;
        if let Err(error) = expire(&timer_state, id).await {
            tracing::warn!(?error, request = id, "expiring a talk request failed");
        }
    });
    Ok(ReplyData::Talk {
        request,
        room: None,
    })
}

/// Marks a request missed if it is still open, and tells both sides. Exactly one caller
/// (timer or sweep, on any node) gets the update.
pub async fn expire(state: &AppState, id: i64) -> ApiResult<()> {
    let done = sqlx::query(
        "update talk_requests set state = 'missed', resolved_ms = $1 where id = $2 and state = 'open'",
    )
    .bind(now_ms())
    .bind(id)
    .execute(state.store.pool())
    .await?;
    if done.rows_affected() == 1 {
        let request = load(state, id).await?;
        let event = RoomEvent::TalkMissed {
            request: request.clone(),
        };
        events::publish(&state.hub, HubRoom::Duty(request.company_id), event.clone()).await;
        events::publish(&state.hub, HubRoom::User(request.buyer.id), event).await;
    }
    Ok(())
}

/// Marks every request whose time has passed as missed (at start-up: their node's timers
/// may be gone).
pub async fn sweep(state: &AppState) -> ApiResult<()> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "select id from talk_requests where state = 'open' and expires_ms <= $1",
    )
    .bind(now_ms())
    .fetch_all(state.store.pool())
    .await?;
    for id in ids {
        expire(state, id).await?;
    }
    Ok(())
}

/// `talk_accept`: the company's staff; the first wins, later ones get `conflict`.
pub async fn accept(state: &AppState, conn: &ConnHandle, request_id: i64) -> ApiResult<ReplyData> {
    let user = &conn.identity.user;
    let current = load(state, request_id).await?;
    if !(user.role == Role::Exhibitor && user.company_id == Some(current.company_id)) {
        return Err(ApiError::forbidden(
            "only the booth's staff accept its requests",
        ));
    }
    let won = sqlx::query(
        "update talk_requests set state = 'accepted', accepted_by = $1, resolved_ms = $2 \
         where id = $3 and state = 'open'",
    )
    .bind(user.id)
    .bind(now_ms())
    .bind(request_id)
    .execute(state.store.pool())
    .await?;
    if won.rows_affected() == 0 {
        let now = load(state, request_id).await?;
        let message = match (&now.state, &now.accepted_by) {
            (TalkState::Accepted, Some(by)) => format!("{} already took this request", by.name),
            (TalkState::Missed, _) => "this request has expired".to_string(),
            _ => "this request is no longer open".to_string(),
        };
        return Err(ApiError::new(ErrorCode::Conflict, message));
    }
    let room = open(
        state,
        user,
        &format!("private:{}:{}", current.company_id, current.buyer.id),
    )
    .await?;
    sqlx::query("update talk_requests set room_id = $1 where id = $2")
        .bind(room.id)
        .bind(request_id)
        .execute(state.store.pool())
        .await?;
    let request = load(state, request_id).await?;
    let event = RoomEvent::TalkTaken {
        request: request.clone(),
    };
    events::publish(&state.hub, HubRoom::Duty(request.company_id), event.clone()).await;
    events::publish(&state.hub, HubRoom::User(request.buyer.id), event).await;
    let room = info(state, user, &load_room(state, room.id).await?).await?;
    Ok(ReplyData::Talk {
        request,
        room: Some(room),
    })
}

/// `talk_cancel`: the visitor withdraws their own request while nobody has answered it. The
/// staff on duty are told, so the request leaves their screens; it is not a missed request.
pub async fn cancel(state: &AppState, conn: &ConnHandle, request_id: i64) -> ApiResult<ReplyData> {
    let user = &conn.identity.user;
    let current = load(state, request_id).await?;
    if current.buyer.id != user.id {
        return Err(ApiError::forbidden(
            "only the visitor who asked cancels a request",
        ));
    }
    let done = sqlx::query(
        "update talk_requests set state = 'cancelled', resolved_ms = $1 \
         where id = $2 and buyer_id = $3 and state = 'open'",
    )
    .bind(now_ms())
    .bind(request_id)
    .bind(user.id)
    .execute(state.store.pool())
    .await?;
    let request = load(state, request_id).await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            match request.state {
                TalkState::Accepted => "a staff member already took this request",
                TalkState::Cancelled => "this request was already cancelled",
                _ => "this request is no longer open",
            },
        ));
    }
    let event = RoomEvent::TalkCancelled {
        request: request.clone(),
    };
    events::publish(&state.hub, HubRoom::Duty(request.company_id), event.clone()).await;
    events::publish(&state.hub, HubRoom::User(request.buyer.id), event).await;
    Ok(ReplyData::Talk {
        request,
        room: None,
    })
}

/// Runs the start-up sweep, then again every `every`, until shutdown.
pub async fn run_sweeper(state: AppState, every: Duration) {
    let shutdown = state.hub.shutdown_token().clone();
    loop {
        if let Err(error) = sweep(&state).await {
            tracing::warn!(?error, "talk request sweep failed");
        }
        // The chat's other housekeeping rides on the same beat.
        if let Err(error) = super::routes::sweep_unsent_attachments(&state).await {
            tracing::warn!(?error, "unsent attachment sweep failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.cancelled() => return,
        }
    }
}
