//! Meeting endpoints: the slot grid (organizers), availability and seats (the company), and
//! requests with their answers (buyers and the company's staff).

use super::place::{place_or_refuse, NewRequest, Plan, Update, Write};
use super::{changed, for_user, load, load_slot, Change, Loader, Standing, MEETING_FIELDS};
use crate::auth::Caller;
use crate::booths::require_editor;
use crate::error::{ApiError, ApiResult, JsonBody};
use crate::error::{Path, Query};
use crate::store::flag;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::{NaiveDate, NaiveTime, TimeZone};
use expo_schema::{
    ErrorBody, ErrorCode, Meeting, MeetingMode, MeetingOutcome, MeetingSide, MeetingSlot,
    MeetingState, MeetingTable, Role, UserSummary,
};
use serde::{Deserialize, Serialize};
use sqlx::Row;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/meetings/grid", post(create_grid))
        .route("/api/v1/meetings/slots", get(list_slots))
        .route(
            "/api/v1/companies/{id}/availability",
            get(availability).put(set_availability),
        )
        .route("/api/v1/meetings", post(request).get(mine))
        .route("/api/v1/meetings/{id}", get(one))
        .route("/api/v1/meetings/{id}/accept", post(accept))
        .route("/api/v1/meetings/{id}/decline", post(decline))
        .route("/api/v1/meetings/{id}/propose", post(propose))
        .route("/api/v1/meetings/{id}/reschedule", post(reschedule))
        .route("/api/v1/meetings/{id}/cancel", post(cancel))
        .route(
            "/api/v1/meetings/{id}/interpreters",
            get(interpreter_suggestions),
        )
        .route(
            "/api/v1/meetings/{id}/interpreter",
            post(assign_interpreter).delete(unassign_interpreter),
        )
        .route("/api/v1/meetings/{id}/report", post(report))
        .route("/api/v1/meetings/{id}/outcome", put(set_outcome))
        .route("/api/v1/meetings/checkin", post(checkin))
        .route("/api/v1/meetings/tables", get(list_tables))
        .route("/api/v1/meetings/tables/{id}/qr.svg", get(table_qr))
        .route("/api/v1/halls/{id}/tables", post(create_tables))
        .route("/api/v1/me/busy", get(my_busy).put(set_busy))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Break {
    /// Local time, `HH:MM`.
    pub start: String,
    pub end: String,
}

/// One fair day's grid, in local time of `timezone`.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GridInput {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// IANA time zone the times are in, e.g. `Asia/Seoul`.
    pub timezone: String,
    /// `HH:MM`.
    pub start: String,
    pub end: String,
    pub slot_minutes: i64,
    #[serde(default)]
    pub breaks: Vec<Break>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SlotList {
    pub slots: Vec<MeetingSlot>,
}

fn time(value: &str) -> ApiResult<NaiveTime> {
    NaiveTime::parse_from_str(value, "%H:%M")
        .map_err(|_| ApiError::validation(format!("{value:?} is not a HH:MM time")))
}

/// Local slots of a day, as UTC milliseconds; DST gaps are refused, folds take the earlier.
pub fn grid_slots(input: &GridInput) -> ApiResult<Vec<(i64, i64)>> {
    let tz: chrono_tz::Tz = input
        .timezone
        .parse()
        .map_err(|_| ApiError::validation("timezone is not an IANA time zone"))?;
    let day = NaiveDate::parse_from_str(&input.day, "%Y-%m-%d")
        .map_err(|_| ApiError::validation("day must be YYYY-MM-DD"))?;
    if !(5..=240).contains(&input.slot_minutes) {
        return Err(ApiError::validation("slot_minutes must be 5 to 240"));
    }
    let (start, end) = (time(&input.start)?, time(&input.end)?);
    if end <= start {
        return Err(ApiError::validation("end must be after start"));
    }
    let breaks = input
        .breaks
        .iter()
        .map(|b| Ok((time(&b.start)?, time(&b.end)?)))
        .collect::<ApiResult<Vec<_>>>()?;
    let step = chrono::Duration::minutes(input.slot_minutes);
    let mut out = Vec::new();
    let mut at = start;
    while at + step <= end {
        let until = at + step;
        let in_break = breaks.iter().any(|(bs, be)| at < *be && until > *bs);
        if !in_break {
            let utc = |t: NaiveTime| {
                tz.from_local_datetime(&day.and_time(t))
                    .earliest()
                    .map(|d| d.timestamp_millis())
                    .ok_or_else(|| ApiError::validation(format!("{t} does not exist on that day")))
            };
            out.push((utc(at)?, utc(until)?));
        }
        at = until;
    }
    Ok(out)
}

/// Define (or extend) a day of the meeting grid (organizers). Idempotent.
#[utoipa::path(post, path = "/api/v1/meetings/grid", tag = "meetings", request_body = GridInput,
    responses((status = 200, body = SlotList), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_grid(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<GridInput>,
) -> ApiResult<Json<SlotList>> {
    caller.require_role(Role::Organizer)?;
    for (starts, ends) in grid_slots(&input)? {
        sqlx::query(
            "insert into meeting_slots (day, starts_ms, ends_ms) values ($1, $2, $3) \
             on conflict (starts_ms, ends_ms) do nothing",
        )
        .bind(&input.day)
        .bind(starts)
        .bind(ends)
        .execute(state.store.pool())
        .await?;
    }
    Ok(Json(SlotList {
        slots: slots_of(&state, Some(&input.day)).await?,
    }))
}

async fn slots_of(state: &AppState, day: Option<&str>) -> ApiResult<Vec<MeetingSlot>> {
    let rows = sqlx::query(
        "select id, day, starts_ms, ends_ms from meeting_slots where ($1 = '' or day = $1) order by starts_ms",
    )
    .bind(day.unwrap_or(""))
    .fetch_all(state.store.pool())
    .await?;
    rows.iter()
        .map(super::slot_from_row)
        .collect::<sqlx::Result<Vec<_>>>()
        .map_err(ApiError::from)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DayQuery {
    /// Only this fair day (`YYYY-MM-DD`).
    day: Option<String>,
}

/// The meeting grid.
#[utoipa::path(get, path = "/api/v1/meetings/slots", tag = "meetings", params(DayQuery),
    responses((status = 200, body = SlotList)))]
pub async fn list_slots(
    State(state): State<AppState>,
    _caller: Caller,
    Query(query): Query<DayQuery>,
) -> ApiResult<Json<SlotList>> {
    Ok(Json(SlotList {
        slots: slots_of(&state, query.day.as_deref()).await?,
    }))
}

/// The slots a company takes meetings in, and how many at once.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AvailabilityInput {
    pub slot_ids: Vec<i64>,
    /// Tables or video seats: meetings it can hold at once.
    pub seats: i64,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SlotAvailability {
    pub slot: MeetingSlot,
    pub free_seats: i64,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Availability {
    pub company_id: i64,
    pub seats: i64,
    pub slots: Vec<SlotAvailability>,
}

/// Set the slots a company takes meetings in, and its seats (its staff and organizers).
#[utoipa::path(put, path = "/api/v1/companies/{id}/availability", tag = "meetings",
    request_body = AvailabilityInput, params(("id" = i64, Path, description = "company id")),
    responses((status = 200, body = Availability), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_availability(
    State(state): State<AppState>,
    caller: Caller,
    Path(company_id): Path<i64>,
    JsonBody(input): JsonBody<AvailabilityInput>,
) -> ApiResult<Json<Availability>> {
    require_editor(&caller, company_id)?;
    if !(1..=50).contains(&input.seats) {
        return Err(ApiError::validation("seats must be 1 to 50"));
    }
    let mut tx = state.store.pool().begin().await?;
    sqlx::query("update companies set meeting_seats = $1 where id = $2")
        .bind(input.seats)
        .bind(company_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("delete from company_slots where company_id = $1")
        .bind(company_id)
        .execute(&mut *tx)
        .await?;
    for slot in &input.slot_ids {
        sqlx::query(
            "insert into company_slots (company_id, slot_id) select $1, id from meeting_slots where id = $2 \
             on conflict (company_id, slot_id) do nothing",
        )
        .bind(company_id)
        .bind(slot)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    availability_of(&state, company_id).await.map(Json)
}

async fn availability_of(state: &AppState, company_id: i64) -> ApiResult<Availability> {
    let seats: i64 = sqlx::query_scalar("select meeting_seats from companies where id = $1")
        .bind(company_id)
        .fetch_optional(state.store.pool())
        .await?
        .ok_or_else(|| ApiError::not_found("no such company"))?;
    let sql = format!(
        "select s.id, s.day, s.starts_ms, s.ends_ms, \
         (select count(*) from meetings m where m.company_id = $1 and {} \
          and m.starts_ms < s.ends_ms and m.ends_ms > s.starts_ms) as booked \
         from meeting_slots s join company_slots cs on cs.slot_id = s.id and cs.company_id = $1 \
         order by s.starts_ms",
        super::active_at("$2")
    );
    let rows = sqlx::query(&sql)
        .bind(company_id)
        .bind(state.now_ms())
        .fetch_all(state.store.pool())
        .await?;
    let slots = rows
        .iter()
        .map(|row| {
            let booked: i64 = row.try_get("booked")?;
            Ok(SlotAvailability {
                slot: super::slot_from_row(row)?,
                free_seats: (seats - booked).max(0),
            })
        })
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok(Availability {
        company_id,
        seats,
        slots,
    })
}

/// A company's slots with their free seats.
#[utoipa::path(get, path = "/api/v1/companies/{id}/availability", tag = "meetings",
    params(("id" = i64, Path, description = "company id")),
    responses((status = 200, body = Availability), (status = 404, body = ErrorBody)))]
pub async fn availability(
    State(state): State<AppState>,
    _caller: Caller,
    Path(company_id): Path<i64>,
) -> ApiResult<Json<Availability>> {
    availability_of(&state, company_id).await.map(Json)
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MeetingRequest {
    pub company_id: i64,
    pub slot_id: i64,
    pub mode: MeetingMode,
    #[serde(default)]
    pub message: Option<String>,
    /// Products of interest (the company's own).
    #[serde(default)]
    pub product_ids: Vec<i64>,
    /// Languages an interpreter must speak (empty: none needed).
    #[serde(default)]
    pub interpreter_languages: Vec<String>,
    /// When company staff ask a buyer: which buyer.
    #[serde(default)]
    pub buyer_id: Option<i64>,
}

const LANGUAGES: &[&str] = expo_schema::LANGUAGES;

/// A buyer asks a company for a meeting in one of its slots, or company staff ask a buyer.
/// The slot is held for both sides until the request expires; a taken slot answers
/// `slot_taken` with the next free ones.
#[utoipa::path(post, path = "/api/v1/meetings", tag = "meetings", request_body = MeetingRequest,
    responses((status = 201, body = Meeting), (status = 409, description = "slot_taken", body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
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
    });
    let id = place_or_refuse(&state, &plan, &write).await?;
    let meeting = load(&state, id).await?;
    metrics::counter!("expo_meetings_requested_total").increment(1);
    changed(&state, &meeting, Change::Requested).await;
    Ok((StatusCode::CREATED, Json(for_user(meeting, &caller.user))))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MeetingList {
    pub meetings: Vec<Meeting>,
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

/// Loads a meeting the caller may see: its participants and organizers.
async fn visible(state: &AppState, caller: &Caller, id: i64) -> ApiResult<(Meeting, Standing)> {
    let meeting = load(state, id).await?;
    match Standing::of(&caller.user, &meeting) {
        Standing::Outsider => Err(ApiError::not_found("no such meeting")),
        standing => Ok((meeting, standing)),
    }
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

fn plan_of(meeting: &Meeting, slot: MeetingSlot) -> Plan {
    Plan {
        company_id: meeting.company_id,
        buyer_id: meeting.buyer.id,
        staff_id: meeting.staff.as_ref().map(|s| s.id),
        interpreter_id: meeting.interpreter.as_ref().map(|i| i.id),
        slot,
        mode: meeting.mode,
    }
}

#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AcceptInput {
    /// The staff member who takes it (company side; default: the caller).
    #[serde(default)]
    pub staff_id: Option<i64>,
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
    let write = Write::Update(Update {
        id,
        from_state: "requested",
        to_state: "confirmed",
        awaiting: meeting.awaiting,
        expires_ms: meeting.expires_ms,
        moved: false,
    });
    place_or_refuse(&state, &plan, &write).await?;
    let meeting = load(&state, id).await?;
    metrics::counter!("expo_meetings_confirmed_total").increment(1);
    changed(&state, &meeting, Change::Confirmed).await;
    Ok(Json(for_user(meeting, &caller.user)))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SlotInput {
    pub slot_id: i64,
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
    let write = Write::Update(Update {
        id,
        from_state: "requested",
        to_state: "requested",
        awaiting: side.other(),
        expires_ms: (now + state.config.meeting_hold_ms()).min(slot.starts_ms),
        moved: true,
    });
    place_or_refuse(&state, &plan, &write).await?;
    let meeting = load(&state, id).await?;
    changed(&state, &meeting, Change::Moved).await;
    Ok(Json(for_user(meeting, &caller.user)))
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
    let write = Write::Update(Update {
        id,
        from_state: "confirmed",
        to_state: "confirmed",
        awaiting: meeting.awaiting,
        expires_ms: meeting.expires_ms,
        moved: true,
    });
    place_or_refuse(&state, &plan_of(&meeting, slot), &write).await?;
    let meeting = load(&state, id).await?;
    metrics::counter!("expo_meetings_rescheduled_total").increment(1);
    changed(&state, &meeting, Change::Moved).await;
    Ok(Json(for_user(meeting, &caller.user)))
}

#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReasonInput {
    #[serde(default)]
    pub reason: Option<String>,
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
#[utoipa::path(post, path = "/api/v1/meetings/{id}/cancel", tag = "meetings", request_body = ReasonInput,
    params(("id" = i64, Path, description = "meeting id")),
    responses((status = 200, body = Meeting), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    input: Option<Json<ReasonInput>>,
) -> ApiResult<Json<Meeting>> {
    let (_, standing) = visible(&state, &caller, id).await?;
    if standing == Standing::Interpreter {
        return Err(ApiError::forbidden(
            "only the meeting's two sides cancel it",
        ));
    }
    let reason = input.and_then(|Json(i)| i.reason);
    end(
        &state,
        id,
        "cancelled",
        reason.as_deref(),
        caller.user.id,
        &format!("m.state in {} and m.closed_ms is null", super::ACTIVE),
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
    super::expire_holds(state).await?;
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
    Ok(Json(super::redacted(meeting)))
}

/// An interpreter who could take a meeting.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InterpreterOption {
    pub interpreter: UserSummary,
    pub languages: Vec<String>,
    /// Meetings they already have that day.
    pub meetings_that_day: i64,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InterpreterOptions {
    pub interpreters: Vec<InterpreterOption>,
}

/// Free interpreters who speak every language the meeting needs, least busy first
/// (organizers).
#[utoipa::path(get, path = "/api/v1/meetings/{id}/interpreters", tag = "meetings",
    params(("id" = i64, Path, description = "meeting id")),
    responses((status = 200, body = InterpreterOptions), (status = 403, body = ErrorBody)))]
pub async fn interpreter_suggestions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<InterpreterOptions>> {
    caller.require_role(Role::Organizer)?;
    let meeting = load(&state, id).await?;
    Ok(Json(InterpreterOptions {
        interpreters: suggest(&state, &meeting).await?,
    }))
}

async fn suggest(state: &AppState, meeting: &Meeting) -> ApiResult<Vec<InterpreterOption>> {
    let day = load_slot(state, meeting.slot_id).await?.day;
    let sql = format!(
        "select u.id, u.languages, \
         (select count(*) from meetings m join meeting_slots s on s.id = m.slot_id \
          where m.interpreter_id = u.id and s.day = $4 and m.state in {active}) as that_day \
         from users u where u.role = 'interpreter' and u.status = 'active' \
         and not exists (select 1 from meetings m where m.interpreter_id = u.id and m.id <> $1 \
             and m.state in {active} and m.starts_ms < $2 and m.ends_ms > $3) \
         and not exists (select 1 from busy_slots b join meeting_slots s on s.id = b.slot_id \
             where b.user_id = u.id and s.starts_ms < $2 and s.ends_ms > $3) \
         order by that_day, u.id",
        active = super::ACTIVE
    );
    let rows = sqlx::query(&sql)
        .bind(meeting.id)
        .bind(meeting.ends_ms)
        .bind(meeting.starts_ms)
        .bind(&day)
        .fetch_all(state.store.pool())
        .await?;
    let mut loader = Loader::new(state);
    let mut out = Vec::new();
    for row in &rows {
        let languages: Vec<String> =
            serde_json::from_str(&row.try_get::<String, _>("languages")?).unwrap_or_default();
        if !meeting
            .interpreter_languages
            .iter()
            .all(|l| languages.contains(l))
        {
            continue;
        }
        let that_day: i64 = row.try_get("that_day")?;
        let limit = state.config.interpreter_meetings_per_day;
        if limit > 0 && that_day >= limit {
            continue;
        }
        out.push(InterpreterOption {
            interpreter: loader.user(row.try_get("id")?).await?.summary(),
            languages,
            meetings_that_day: that_day,
        });
    }
    Ok(out)
}

#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InterpreterInput {
    /// Default: the first suggestion.
    #[serde(default)]
    pub interpreter_id: Option<i64>,
}

/// Assigns an interpreter (organizers). The same no-overlap guarantee as for everyone else:
/// an interpreter is never in two active meetings at once.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/interpreter", tag = "meetings", request_body = InterpreterInput,
    params(("id" = i64, Path, description = "meeting id")),
    responses((status = 200, body = Meeting), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn assign_interpreter(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<InterpreterInput>,
) -> ApiResult<Json<Meeting>> {
    caller.require_role(Role::Organizer)?;
    let meeting = load(&state, id).await?;
    let interpreter = match input.interpreter_id {
        Some(id) => {
            let row = sqlx::query(
                "select languages from users where id = $1 and role = 'interpreter' and status = 'active'",
            )
            .bind(id)
            .fetch_optional(state.store.pool())
            .await?
            .ok_or_else(|| ApiError::validation("interpreter_id is not an active interpreter"))?;
            let languages: Vec<String> =
                serde_json::from_str(&row.try_get::<String, _>("languages")?).unwrap_or_default();
            if let Some(missing) = meeting
                .interpreter_languages
                .iter()
                .find(|l| !languages.contains(l))
            {
                return Err(ApiError::validation(format!(
                    "that interpreter does not speak {missing}"
                )));
            }
            id
        }
        None => suggest(&state, &meeting)
            .await?
            .first()
            .map(|o| o.interpreter.id)
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::SlotTaken,
                    "no free interpreter speaks those languages then",
                )
            })?,
    };
    set_interpreter(&state, &meeting, Some(interpreter)).await
}

async fn set_interpreter(
    state: &AppState,
    meeting: &Meeting,
    interpreter: Option<i64>,
) -> ApiResult<Json<Meeting>> {
    let from = match meeting.state {
        MeetingState::Requested => "requested",
        MeetingState::Confirmed => "confirmed",
        other => {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                format!("the meeting is {}", other.as_str()),
            ))
        }
    };
    let mut plan = plan_of(meeting, load_slot(state, meeting.slot_id).await?);
    plan.interpreter_id = interpreter;
    let write = Write::Update(Update {
        id: meeting.id,
        from_state: from,
        to_state: from,
        awaiting: meeting.awaiting,
        expires_ms: meeting.expires_ms,
        moved: false,
    });
    place_or_refuse(state, &plan, &write).await?;
    let updated = load(state, meeting.id).await?;
    // The interpreter who was removed hears about it too.
    if let Some(old) = meeting
        .interpreter
        .as_ref()
        .filter(|o| Some(o.id) != interpreter)
    {
        super::tell(state, &format!("user:{}", old.id), &updated).await;
    }
    changed(state, &updated, Change::Moved).await;
    Ok(Json(updated))
}

/// Removes the interpreter (organizers).
#[utoipa::path(delete, path = "/api/v1/meetings/{id}/interpreter", tag = "meetings",
    params(("id" = i64, Path, description = "meeting id")),
    responses((status = 200, body = Meeting), (status = 403, body = ErrorBody)))]
pub async fn unassign_interpreter(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Meeting>> {
    caller.require_role(Role::Organizer)?;
    let meeting = load(&state, id).await?;
    set_interpreter(&state, &meeting, None).await
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CheckinInput {
    /// The code of the table's QR (onsite).
    #[serde(default)]
    pub table_code: Option<String>,
    #[serde(default)]
    pub meeting_id: Option<i64>,
}

/// Checks the caller in to a meeting: by the table's QR code (their meeting at that table
/// now) or by id. Only inside the meeting's window (10 minutes before to the end).
#[utoipa::path(post, path = "/api/v1/meetings/checkin", tag = "meetings", request_body = CheckinInput,
    responses((status = 200, body = Meeting), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
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
            .bind(super::ROOM_OPENS_MS)
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
    if now < meeting.starts_ms - super::ROOM_OPENS_MS || now >= meeting.ends_ms {
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

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HeldInput {
    pub held: bool,
}

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
    responses((status = 200, body = Meeting), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
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

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TablesInput {
    /// Tables numbered 1..count (existing ones are kept).
    pub count: i64,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TableList {
    pub tables: Vec<MeetingTable>,
}

/// Sets up a hall's meeting tables (organizers). Idempotent.
#[utoipa::path(post, path = "/api/v1/halls/{id}/tables", tag = "meetings", request_body = TablesInput,
    params(("id" = i64, Path, description = "hall id")),
    responses((status = 200, body = TableList), (status = 403, body = ErrorBody)))]
pub async fn create_tables(
    State(state): State<AppState>,
    caller: Caller,
    Path(hall_id): Path<i64>,
    JsonBody(input): JsonBody<TablesInput>,
) -> ApiResult<Json<TableList>> {
    caller.require_role(Role::Organizer)?;
    if !(1..=999).contains(&input.count) {
        return Err(ApiError::validation("count must be 1 to 999"));
    }
    add_tables(&state.store, hall_id, input.count).await?;
    list_tables(State(state), caller).await
}

/// Creates tables 1..count in a hall, keeping those that exist.
pub async fn add_tables(store: &crate::store::Store, hall_id: i64, count: i64) -> ApiResult<()> {
    for number in 1..=count {
        sqlx::query(
            "insert into meeting_tables (hall_id, number, code) values ($1, $2, $3) \
             on conflict (hall_id, number) do nothing",
        )
        .bind(hall_id)
        .bind(number)
        .bind(crate::auth::password::new_token().0)
        .execute(store.pool())
        .await?;
    }
    Ok(())
}

/// Every meeting table with its hall.
#[utoipa::path(get, path = "/api/v1/meetings/tables", tag = "meetings",
    responses((status = 200, body = TableList)))]
pub async fn list_tables(
    State(state): State<AppState>,
    _caller: Caller,
) -> ApiResult<Json<TableList>> {
    let rows = sqlx::query(
        "select t.id, t.hall_id, h.name as hall_name, t.number from meeting_tables t \
         join halls h on h.id = t.hall_id order by h.position, h.id, t.number",
    )
    .fetch_all(state.store.pool())
    .await?;
    let tables = rows
        .iter()
        .map(super::table_from_row)
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok(Json(TableList { tables }))
}

/// The QR code to print on a table (organizers): it opens the check-in page for that table.
#[utoipa::path(get, path = "/api/v1/meetings/tables/{id}/qr.svg", tag = "meetings",
    params(("id" = i64, Path, description = "table id")),
    responses((status = 200, content_type = "image/svg+xml"), (status = 403, body = ErrorBody)))]
pub async fn table_qr(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    caller.require_role(Role::Organizer)?;
    let code: String = sqlx::query_scalar("select code from meeting_tables where id = $1")
        .bind(id)
        .fetch_optional(state.store.pool())
        .await?
        .ok_or_else(|| ApiError::not_found("no such table"))?;
    let link = format!("{}/#/checkin/table/{code}", state.config.public_url());
    crate::http::qr_svg(&link)
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BusySlots {
    pub slot_ids: Vec<i64>,
}

/// The slots you marked busy.
#[utoipa::path(get, path = "/api/v1/me/busy", tag = "meetings",
    responses((status = 200, body = BusySlots)))]
pub async fn my_busy(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<BusySlots>> {
    let slot_ids: Vec<i64> =
        sqlx::query_scalar("select slot_id from busy_slots where user_id = $1 order by slot_id")
            .bind(caller.user.id)
            .fetch_all(state.store.pool())
            .await?;
    Ok(Json(BusySlots { slot_ids }))
}

/// Marks the slots you cannot take (buyers, staff, interpreters): nobody books you then.
#[utoipa::path(put, path = "/api/v1/me/busy", tag = "meetings", request_body = BusySlots,
    responses((status = 200, body = BusySlots), (status = 403, body = ErrorBody)))]
pub async fn set_busy(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<BusySlots>,
) -> ApiResult<Json<BusySlots>> {
    if caller.is_organizer() {
        return Err(ApiError::forbidden("organizers take no meetings"));
    }
    let mut tx = state.store.pool().begin().await?;
    sqlx::query("delete from busy_slots where user_id = $1")
        .bind(caller.user.id)
        .execute(&mut *tx)
        .await?;
    for slot in &input.slot_ids {
        sqlx::query(
            "insert into busy_slots (user_id, slot_id) select $1, id from meeting_slots where id = $2 \
             on conflict (user_id, slot_id) do nothing",
        )
        .bind(caller.user.id)
        .bind(slot)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    my_busy(State(state), caller).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(day: &str, tz: &str) -> GridInput {
        GridInput {
            day: day.into(),
            timezone: tz.into(),
            start: "09:00".into(),
            end: "12:00".into(),
            slot_minutes: 30,
            breaks: vec![Break {
                start: "10:00".into(),
                end: "10:30".into(),
            }],
        }
    }

    #[test]
    fn grid_in_seoul_skips_breaks() {
        let slots = grid_slots(&grid("2026-11-28", "Asia/Seoul")).unwrap();
        assert_eq!(slots.len(), 5, "six half hours minus the break");
        // 09:00 in Seoul is 00:00 UTC.
        let first = chrono::DateTime::from_timestamp_millis(slots[0].0).unwrap();
        assert_eq!(first.to_rfc3339(), "2026-11-28T00:00:00+00:00");
        assert!(slots.windows(2).all(|w| w[0].1 <= w[1].0));
    }

    #[test]
    fn grid_follows_daylight_saving() {
        // Los Angeles: 09:00 is 16:00 UTC in summer and 17:00 UTC in winter.
        let summer = grid_slots(&grid("2026-07-01", "America/Los_Angeles")).unwrap();
        let winter = grid_slots(&grid("2026-12-01", "America/Los_Angeles")).unwrap();
        let hour = |ms: i64| {
            chrono::DateTime::from_timestamp_millis(ms)
                .unwrap()
                .format("%H")
                .to_string()
        };
        assert_eq!(hour(summer[0].0), "16");
        assert_eq!(hour(winter[0].0), "17");
        assert!(grid_slots(&grid("2026-11-28", "Mars/Base")).is_err());
    }
}
