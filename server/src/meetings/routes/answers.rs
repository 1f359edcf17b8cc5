//! Answering and changing a meeting: accept, propose another slot, decline, reschedule, cancel.

use super::{plan_of, visible};
use crate::auth::Caller;
use crate::error::Path;
use crate::error::{ApiError, ApiResult, JsonBody};
use crate::meetings::place::{place_or_refuse, Plan, Update, Write};
use crate::meetings::{changed, for_user, load, load_slot, Change, Standing};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use expo_schema::api::{AcceptInput, ReasonInput, SlotInput};
use expo_schema::{ErrorBody, ErrorCode, Meeting, MeetingSide, MeetingSlot, MeetingState};

/// The caller must be the side a request waits for.
fn require_awaited(standing: Standing, meeting: &Meeting) -> ApiResult<MeetingSide> {
    if meeting.state != MeetingState::Requested {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!("the meeting is {}, not requested", meeting.state.as_str()),
        ));
    }
    match standing.side() {
        Some(side) if side == meeting.awaiting => Ok(side),
        _ => Err(ApiError::forbidden(format!(
            "this request waits for the {} side's answer",
            meeting.awaiting.as_str()
        ))),
    }
}

/// The side a request waits for accepts it; the company names who takes it.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/accept", tag = "meetings", request_body = AcceptInput,
    params(("id" = i64, Path, description = "meeting id")),
    responses((status = 200, body = Meeting), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<AcceptInput>,
) -> ApiResult<Json<Meeting>> {
    let (meeting, standing) = visible(&state, &caller, id).await?;
    let side = require_awaited(standing, &meeting)?;
    let mut plan = plan_of(&meeting, load_slot(&state, meeting.slot_id).await?);
    if side == MeetingSide::Company {
        let staff = input.staff_id.unwrap_or(caller.user.id);
        let staff_company: Option<i64> = sqlx::query_scalar(
            "select company_id from users where id = $1 and role = 'exhibitor' and status = 'active'",
        )
        .bind(staff)
        .fetch_optional(state.store.pool())
        .await?
        .flatten();
        if staff_company != Some(meeting.company_id) {
            return Err(ApiError::validation("staff_id is not this company's staff"));
        }
        plan.staff_id = Some(staff);
    } else if plan.staff_id.is_none() {
        // A company that proposed a slot without naming anyone: its proposer takes it.
        plan.staff_id = Some(meeting.requested_by).filter(|by| *by != meeting.buyer.id);
    }
    let write = Update::keeping_hold(&meeting, "requested", "confirmed", false);
    let answer = place_and_tell(&state, &caller, &plan, write, Change::Confirmed).await?;
    metrics::counter!("expo_meetings_confirmed_total").increment(1);
    Ok(answer)
}

/// Places a meeting's new plan through the placer (refused with the reason when it no longer
/// fits), then tells both sides and answers the meeting as the caller sees it.
async fn place_and_tell(
    state: &AppState,
    caller: &Caller,
    plan: &Plan,
    update: Update,
    change: Change,
) -> ApiResult<Json<Meeting>> {
    let id = update.id;
    place_or_refuse(state, plan, &Write::Update(update)).await?;
    let meeting = load(state, id).await?;
    changed(state, &meeting, change).await;
    Ok(Json(for_user(meeting, &caller.user)))
}

/// The side a request waits for proposes another slot instead: the same request moves there
/// (one change) and now waits for the other side.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/propose", tag = "meetings", request_body = SlotInput,
    params(("id" = i64, Path, description = "meeting id")),
    responses((status = 200, body = Meeting), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn propose(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<SlotInput>,
) -> ApiResult<Json<Meeting>> {
    let (meeting, standing) = visible(&state, &caller, id).await?;
    let side = require_awaited(standing, &meeting)?;
    let slot = offered_slot(&state, &meeting, input.slot_id).await?;
    let mut plan = plan_of(&meeting, slot.clone());
    if side == MeetingSide::Company && plan.staff_id.is_none() {
        plan.staff_id = Some(caller.user.id);
    }
    let now = state.now_ms();
    let write = Update {
        id,
        from_state: "requested",
        to_state: "requested",
        awaiting: side.other(),
        expires_ms: (now + state.config.meeting_hold_ms()).min(slot.starts_ms),
        moved: true,
    };
    place_and_tell(&state, &caller, &plan, write, Change::Moved).await
}

/// A slot the meeting may move to: in the future and offered by the company.
async fn offered_slot(state: &AppState, meeting: &Meeting, slot_id: i64) -> ApiResult<MeetingSlot> {
    let slot = load_slot(state, slot_id).await?;
    if slot.starts_ms <= state.now_ms() {
        return Err(ApiError::validation("that slot has already started"));
    }
    if slot.id == meeting.slot_id {
        return Err(ApiError::validation("the meeting is in that slot already"));
    }
    let offered: i64 = sqlx::query_scalar(
        "select count(*) from company_slots where company_id = $1 and slot_id = $2",
    )
    .bind(meeting.company_id)
    .bind(slot_id)
    .fetch_one(state.store.pool())
    .await?;
    if offered == 0 {
        return Err(ApiError::validation(
            "the company does not take meetings in that slot",
        ));
    }
    Ok(slot)
}

/// Either side (or an organizer) moves a confirmed meeting to another slot in one change: the
/// same meeting and calendar event, with a higher sequence. A taken slot answers `slot_taken`
/// and the meeting stays where it was.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/reschedule", tag = "meetings", request_body = SlotInput,
    params(("id" = i64, Path, description = "meeting id")),
    responses((status = 200, body = Meeting), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn reschedule(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<SlotInput>,
) -> ApiResult<Json<Meeting>> {
    let (meeting, standing) = visible(&state, &caller, id).await?;
    if standing == Standing::Interpreter {
        return Err(ApiError::forbidden(
            "only the meeting's two sides reschedule it",
        ));
    }
    if meeting.state != MeetingState::Confirmed {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!(
                "only confirmed meetings are rescheduled; this one is {}",
                meeting.state.as_str()
            ),
        ));
    }
    let slot = offered_slot(&state, &meeting, input.slot_id).await?;
    let write = Update::keeping_hold(&meeting, "confirmed", "confirmed", true);
    let plan = plan_of(&meeting, slot);
    let answer = place_and_tell(&state, &caller, &plan, write, Change::Moved).await?;
    metrics::counter!("expo_meetings_rescheduled_total").increment(1);
    Ok(answer)
}

/// The side a request waits for declines it; the slot is free again.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/decline", tag = "meetings", request_body = ReasonInput,
    params(("id" = i64, Path, description = "meeting id")),
    responses((status = 200, body = Meeting), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn decline(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<ReasonInput>,
) -> ApiResult<Json<Meeting>> {
    let (meeting, standing) = visible(&state, &caller, id).await?;
    require_awaited(standing, &meeting)?;
    end(
        &state,
        id,
        "declined",
        input.reason.as_deref(),
        caller.user.id,
        "m.state = 'requested'",
    )
    .await
}

/// Either side (or an organizer) cancels a requested or confirmed meeting.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/cancel", tag = "meetings", request_body = Option<ReasonInput>,
    params(("id" = i64, Path, description = "meeting id")),
    responses((status = 200, body = Meeting), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    input: Option<JsonBody<ReasonInput>>,
) -> ApiResult<Json<Meeting>> {
    let (_, standing) = visible(&state, &caller, id).await?;
    if standing == Standing::Interpreter {
        return Err(ApiError::forbidden(
            "only the meeting's two sides cancel it",
        ));
    }
    let reason = input.and_then(|JsonBody(i)| i.reason);
    end(
        &state,
        id,
        "cancelled",
        reason.as_deref(),
        caller.user.id,
        &format!(
            "m.state in {} and m.closed_ms is null",
            crate::meetings::ACTIVE
        ),
    )
    .await
}

async fn end(
    state: &AppState,
    id: i64,
    to: &str,
    reason: Option<&str>,
    by: i64,
    from: &str,
) -> ApiResult<Json<Meeting>> {
    // An expired hold is neither declined nor cancelled: it has ended already.
    crate::meetings::expire_holds(state).await?;
    let sql = format!(
        "update meetings set state = $1, decline_reason = coalesce($2, decline_reason), \
         updated_ms = $3, cancelled_by = $5, table_id = null \
         where id = $4 and id in (select m.id from meetings m where m.id = $4 and {from})"
    );
    let done = sqlx::query(&sql)
        .bind(to)
        .bind(reason.map(|r| r.chars().take(500).collect::<String>()))
        .bind(state.now_ms())
        .bind(id)
        .bind(by)
        .execute(state.store.pool())
        .await?;
    let meeting = load(state, id).await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!(
                "the meeting is {} and cannot become {to}",
                meeting.state.as_str()
            ),
        ));
    }
    metrics::counter!("expo_meetings_ended_total", "state" => to.to_string()).increment(1);
    changed(state, &meeting, Change::Ended).await;
    Ok(Json(crate::meetings::redacted(meeting)))
}
