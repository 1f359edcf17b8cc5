//! Checking in to a meeting: by a table's QR code or by id, inside the meeting's window.

use super::visible;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, JsonBody};
use crate::meetings::{changed, for_user, load, Change, Standing};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use expo_schema::api::CheckinInput;
use expo_schema::{ErrorBody, ErrorCode, Meeting, MeetingState};

/// Checks the caller in to a meeting: by the table's QR code (their meeting at that table
/// now) or by id. Only inside the meeting's window (10 minutes before to the end).
#[utoipa::path(post, path = "/api/v1/meetings/checkin", tag = "meetings", request_body = CheckinInput,
    responses((status = 200, body = Meeting), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn checkin(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<CheckinInput>,
) -> ApiResult<Json<Meeting>> {
    let now = state.now_ms();
    let id = match (&input.table_code, input.meeting_id) {
        (Some(code), _) => {
            let ids: Vec<i64> = sqlx::query_scalar(
                "select m.id from meetings m join meeting_tables t on t.id = m.table_id \
                 where t.code = $1 and m.state = 'confirmed' and m.starts_ms - $2 <= $3 \
                 and m.ends_ms > $3 order by m.starts_ms",
            )
            .bind(code.trim())
            .bind(crate::meetings::ROOM_OPENS_MS)
            .bind(now)
            .fetch_all(state.store.pool())
            .await?;
            let mut found = None;
            for id in ids {
                let meeting = load(&state, id).await?;
                if !matches!(
                    Standing::of(&caller.user, &meeting),
                    Standing::Outsider | Standing::Organizer
                ) {
                    found = Some(id);
                    break;
                }
            }
            found.ok_or_else(|| ApiError::not_found("you have no meeting at this table now"))?
        }
        (None, Some(id)) => id,
        (None, None) => return Err(ApiError::validation("give table_code or meeting_id")),
    };
    let (meeting, standing) = visible(&state, &caller, id).await?;
    let meeting = check_in(&state, &meeting, standing).await?;
    Ok(Json(for_user(meeting, &caller.user)))
}

/// Records that a participant arrived (the first time counts), inside the meeting's window.
pub async fn check_in(
    state: &AppState,
    meeting: &Meeting,
    standing: Standing,
) -> ApiResult<Meeting> {
    let column = match standing {
        Standing::Buyer => "buyer_checkin_ms",
        Standing::Company => "company_checkin_ms",
        Standing::Interpreter => "interpreter_checkin_ms",
        _ => {
            return Err(ApiError::forbidden(
                "only the meeting's participants check in",
            ))
        }
    };
    let now = state.now_ms();
    if meeting.state != MeetingState::Confirmed {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!("the meeting is {}", meeting.state.as_str()),
        ));
    }
    if now < meeting.starts_ms - crate::meetings::ROOM_OPENS_MS || now >= meeting.ends_ms {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "check-in opens 10 minutes before the start and closes at the end",
        ));
    }
    let sql = format!("update meetings set {column} = $1 where id = $2 and {column} is null");
    let done = sqlx::query(&sql)
        .bind(now)
        .bind(meeting.id)
        .execute(state.store.pool())
        .await?;
    let meeting = load(state, meeting.id).await?;
    if done.rows_affected() > 0 {
        metrics::counter!("expo_meeting_checkins_total").increment(1);
        changed(state, &meeting, Change::Updated).await;
    }
    Ok(meeting)
}
