//! Meeting requests as a collection: asking for a meeting, listing one's meetings, one meeting.

use super::visible;
use crate::auth::Caller;
use crate::error::Path;
use crate::error::{ApiError, ApiResult, JsonBody};
use crate::meetings::place::{place_or_refuse, NewRequest, Plan, Write};
use crate::meetings::{changed, for_user, load, load_slot, Change, Loader, MEETING_FIELDS};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use expo_schema::api::{MeetingList, MeetingRequest};
use expo_schema::{ErrorBody, Meeting, MeetingSide, Role};

const LANGUAGES: &[&str] = expo_schema::LANGUAGES;

/// A buyer asks a company for a meeting in one of its slots, or company staff ask a buyer.
/// The slot is held for both sides until the request expires; a taken slot answers
/// `slot_taken` with the next free ones. A meeting booked from a stage show names it
/// (`show_id`, 404 if there is no such show), for the show's commerce counts.
#[utoipa::path(post, path = "/api/v1/meetings", tag = "meetings", request_body = MeetingRequest,
    responses((status = 201, body = Meeting), (status = 409, description = "slot_taken", body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn request(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<MeetingRequest>,
) -> ApiResult<(StatusCode, Json<Meeting>)> {
    let (buyer_id, staff_id, awaiting) = match caller.user.role {
        Role::Buyer if input.buyer_id.is_none() => (caller.user.id, None, MeetingSide::Company),
        Role::Exhibitor if caller.user.company_id == Some(input.company_id) => {
            let buyer = input
                .buyer_id
                .ok_or_else(|| ApiError::validation("buyer_id names the buyer to meet"))?;
            let role: Option<String> =
                sqlx::query_scalar("select role from users where id = $1 and status = 'active'")
                    .bind(buyer)
                    .fetch_optional(state.store.pool())
                    .await?;
            if role.as_deref() != Some("buyer") {
                return Err(ApiError::validation("buyer_id is not an active buyer"));
            }
            (buyer, Some(caller.user.id), MeetingSide::Buyer)
        }
        _ => {
            return Err(ApiError::forbidden(
                "buyers request meetings for themselves; staff only for their own company",
            ))
        }
    };
    let slot = load_slot(&state, input.slot_id).await?;
    let now = state.now_ms();
    if slot.starts_ms <= now {
        return Err(ApiError::validation("that slot has already started"));
    }
    let offered: i64 = sqlx::query_scalar(
        "select count(*) from company_slots where company_id = $1 and slot_id = $2",
    )
    .bind(input.company_id)
    .bind(input.slot_id)
    .fetch_one(state.store.pool())
    .await?;
    if offered == 0 {
        return Err(ApiError::validation(
            "the company does not take meetings in that slot",
        ));
    }
    let mut languages = input.interpreter_languages.clone();
    languages.sort();
    languages.dedup();
    if let Some(bad) = languages.iter().find(|l| !LANGUAGES.contains(&l.as_str())) {
        return Err(ApiError::validation(format!(
            "interpreter language {bad:?} is not one of {LANGUAGES:?}"
        )));
    }
    let mut products = input.product_ids.clone();
    products.sort_unstable();
    products.dedup();
    for product in &products {
        let owner: Option<i64> =
            sqlx::query_scalar("select company_id from products where id = $1")
                .bind(product)
                .fetch_optional(state.store.pool())
                .await?;
        if owner != Some(input.company_id) {
            return Err(ApiError::validation(format!(
                "product {product} is not this company's"
            )));
        }
    }
    if let Some(show_id) = input.show_id {
        crate::stage::load_show(&state, show_id, "en").await?;
    }
    let message = input
        .message
        .map(|m| m.trim().chars().take(2000).collect::<String>())
        .filter(|m| !m.is_empty());
    let plan = Plan {
        company_id: input.company_id,
        buyer_id,
        staff_id,
        interpreter_id: None,
        slot: slot.clone(),
        mode: input.mode,
    };
    let write = Write::Insert(NewRequest {
        requested_by: caller.user.id,
        awaiting,
        message,
        product_ids: products,
        interpreter_languages: languages,
        expires_ms: (now + state.config.meeting_hold_ms()).min(slot.starts_ms),
        show_id: input.show_id,
    });
    let id = place_or_refuse(&state, &plan, &write).await?;
    let meeting = load(&state, id).await?;
    metrics::counter!("expo_meetings_requested_total").increment(1);
    changed(&state, &meeting, Change::Requested).await;
    Ok((StatusCode::CREATED, Json(for_user(meeting, &caller.user))))
}

/// Your meetings: a buyer's own, a company's for its staff, an interpreter's, all for
/// organizers.
#[utoipa::path(get, path = "/api/v1/meetings", tag = "meetings",
    responses((status = 200, body = MeetingList)))]
pub async fn mine(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<MeetingList>> {
    let meetings = meetings_of(&state, &caller.user)
        .await?
        .into_iter()
        .map(|m| for_user(m, &caller.user))
        .collect();
    Ok(Json(MeetingList { meetings }))
}

/// The meetings a person takes part in (all of them for organizers), by start.
pub async fn meetings_of(
    state: &AppState,
    user: &expo_schema::UserProfile,
) -> ApiResult<Vec<Meeting>> {
    let (filter, id) = match user.role {
        Role::Buyer => ("m.buyer_id = $1", user.id),
        Role::Exhibitor => ("m.company_id = $1", user.company_id.unwrap_or(-1)),
        Role::Interpreter => ("m.interpreter_id = $1", user.id),
        Role::Organizer => ("$1 = $1", 0),
    };
    let sql =
        format!("select {MEETING_FIELDS} where {filter} order by m.starts_ms, m.id limit 2000");
    let rows = sqlx::query(&sql)
        .bind(id)
        .fetch_all(state.store.pool())
        .await?;
    let mut loader = Loader::new(state);
    let mut meetings = Vec::with_capacity(rows.len());
    for row in &rows {
        meetings.push(loader.meeting(row).await?);
    }
    Ok(meetings)
}

/// One meeting (its participants and organizers).
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meetings",
    params(("id" = i64, Path, description = "meeting id")),
    responses((status = 200, body = Meeting), (status = 404, body = ErrorBody)))]
pub async fn one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Meeting>> {
    let meeting = visible(&state, &caller, id).await?.0;
    Ok(Json(for_user(meeting, &caller.user)))
}
