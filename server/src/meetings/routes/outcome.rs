//! After a meeting's start: whether it happened, and what came of it.

use super::visible;
use crate::auth::Caller;
use crate::error::Path;
use crate::error::{ApiError, ApiResult, JsonBody};
use crate::meetings::{changed, for_user, load, Change, Standing};
use crate::store::flag;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use expo_schema::api::HeldInput;
use expo_schema::{ErrorBody, ErrorCode, Meeting, MeetingOutcome, MeetingState};

/// Either side says whether the meeting happened (after its start).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/report", tag = "meetings", request_body = HeldInput,
    params(("id" = i64, Path, description = "meeting id")),
    responses((status = 200, body = Meeting), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<HeldInput>,
) -> ApiResult<Json<Meeting>> {
    let (meeting, standing) = visible(&state, &caller, id).await?;
    let column = match standing {
        Standing::Buyer => "buyer_says_held",
        Standing::Company => "company_says_held",
        _ => {
            return Err(ApiError::forbidden(
                "only the meeting's two sides report it",
            ))
        }
    };
    require_started(&state, &meeting)?;
    let sql = format!("update meetings set {column} = $1, updated_ms = $2 where id = $3");
    sqlx::query(&sql)
        .bind(flag(input.held))
        .bind(state.now_ms())
        .bind(id)
        .execute(state.store.pool())
        .await?;
    let meeting = load(&state, id).await?;
    changed(&state, &meeting, Change::Updated).await;
    Ok(Json(for_user(meeting, &caller.user)))
}

fn require_started(state: &AppState, meeting: &Meeting) -> ApiResult<()> {
    if meeting.state != MeetingState::Confirmed {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!("the meeting is {}", meeting.state.as_str()),
        ));
    }
    if state.now_ms() < meeting.starts_ms {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "the meeting has not started yet",
        ));
    }
    Ok(())
}

/// The company records what came of a meeting (after its start). Amounts in whole USD.
#[utoipa::path(put, path = "/api/v1/meetings/{id}/outcome", tag = "meetings", request_body = MeetingOutcome,
    params(("id" = i64, Path, description = "meeting id")),
    responses((status = 200, body = Meeting), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn set_outcome(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<MeetingOutcome>,
) -> ApiResult<Json<Meeting>> {
    let (meeting, standing) = visible(&state, &caller, id).await?;
    if standing != Standing::Company {
        return Err(ApiError::forbidden(
            "the exhibiting company records the outcome",
        ));
    }
    require_started(&state, &meeting)?;
    const MAX_USD: i64 = 10_000_000_000;
    if !(0..=MAX_USD).contains(&input.consult_usd) || !(0..=MAX_USD).contains(&input.contract_usd) {
        return Err(ApiError::validation(
            "amounts are whole US dollars from 0 to 10 billion",
        ));
    }
    if input.rating.is_some_and(|r| !(1..=5).contains(&r)) {
        return Err(ApiError::validation("rating is 1 to 5"));
    }
    let notes = input
        .notes
        .map(|n| n.trim().chars().take(4000).collect::<String>())
        .filter(|n| !n.is_empty());
    sqlx::query(
        "update meetings set consult_usd = $1, contract_usd = $2, mou_signed = $3, \
         samples_requested = $4, outcome_notes = $5, rating = $6, outcome_ms = $7, updated_ms = $7 \
         where id = $8",
    )
    .bind(input.consult_usd)
    .bind(input.contract_usd)
    .bind(flag(input.mou_signed))
    .bind(flag(input.samples_requested))
    .bind(notes)
    .bind(input.rating)
    .bind(state.now_ms())
    .bind(id)
    .execute(state.store.pool())
    .await?;
    let meeting = load(&state, id).await?;
    changed(&state, &meeting, Change::Updated).await;
    Ok(Json(for_user(meeting, &caller.user)))
}
