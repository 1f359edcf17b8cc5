//! Meeting endpoints: the slot grid (organizers), availability and seats (the company), and
//! requests with their answers (buyers and the company's staff).

use super::{announce, book, load, load_slot, Booking, ACTIVE, MEETING_FIELDS};
use crate::auth::Caller;
use crate::booths::require_editor;
use crate::error::{ApiError, ApiResult, JsonBody};
use crate::store::now_ms;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{NaiveDate, NaiveTime, TimeZone};
use expo_schema::{ErrorBody, ErrorCode, Meeting, MeetingMode, MeetingSlot, Role};
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
        .route("/api/v1/meetings/{id}/accept", post(accept))
        .route("/api/v1/meetings/{id}/decline", post(decline))
        .route("/api/v1/meetings/{id}/cancel", post(cancel))
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
        .bind(now_ms())
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
}

/// A buyer asks for a meeting in one of the company's slots. The slot is held for both
/// sides until the request expires; a taken slot answers `slot_taken` with the next free
/// ones.
#[utoipa::path(post, path = "/api/v1/meetings", tag = "meetings", request_body = MeetingRequest,
    responses((status = 201, body = Meeting), (status = 409, description = "slot_taken", body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn request(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<MeetingRequest>,
) -> ApiResult<(StatusCode, Json<Meeting>)> {
    caller.require_role(Role::Buyer)?;
    let slot = load_slot(&state, input.slot_id).await?;
    if slot.starts_ms <= now_ms() {
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
    let message = input
        .message
        .map(|m| m.trim().chars().take(2000).collect::<String>())
        .filter(|m| !m.is_empty());
    let meeting = book(
        &state,
        &Booking {
            company_id: input.company_id,
            buyer_id: caller.user.id,
            requested_by: caller.user.id,
            slot,
            mode: input.mode,
            message,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(meeting)))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MeetingList {
    pub meetings: Vec<Meeting>,
}

/// Your meetings: a buyer's own, a company's for its staff, all for organizers.
#[utoipa::path(get, path = "/api/v1/meetings", tag = "meetings",
    responses((status = 200, body = MeetingList)))]
pub async fn mine(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<MeetingList>> {
    let (filter, id) = match caller.user.role {
        Role::Buyer => ("buyer_id = $1", caller.user.id),
        Role::Exhibitor => ("company_id = $1", caller.user.company_id.unwrap_or(-1)),
        Role::Interpreter => ("interpreter_id = $1", caller.user.id),
        Role::Organizer => ("$1 = $1", 0),
    };
    let sql = format!(
        "select {MEETING_FIELDS} from meetings where {filter} order by starts_ms, id limit 2000"
    );
    let rows = sqlx::query(&sql)
        .bind(id)
        .fetch_all(state.store.pool())
        .await?;
    let mut meetings = Vec::new();
    for row in &rows {
        meetings.push(super::meeting_from_row(&state, row).await?);
    }
    Ok(Json(MeetingList { meetings }))
}

#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AcceptInput {
    /// The staff member who takes it (default: the caller).
    #[serde(default)]
    pub staff_id: Option<i64>,
}

/// The company accepts a requested meeting, naming who takes it.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/accept", tag = "meetings", request_body = AcceptInput,
    params(("id" = i64, Path, description = "meeting id")),
    responses((status = 200, body = Meeting), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<AcceptInput>,
) -> ApiResult<Json<Meeting>> {
    let meeting = load(&state, id).await?;
    require_company_side(&caller, meeting.company_id)?;
    if meeting.state != expo_schema::MeetingState::Requested {
        return Err(not_pending(&meeting));
    }
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
    super::expire_holds(&state).await?;
    let mut tx = state.store.pool().begin().await?;
    // Same serialisation as booking on SQLite; on Postgres the staff constraint decides.
    if state.store.kind() == crate::store::StoreKind::Sqlite {
        sqlx::query("update meeting_lock set bookings = bookings + 1 where id = 1")
            .execute(&mut *tx)
            .await?;
        let busy: i64 = sqlx::query_scalar(&format!(
            "select count(*) from meetings where staff_id = $1 and id <> $2 and state in {ACTIVE} \
             and starts_ms < $3 and ends_ms > $4"
        ))
        .bind(staff)
        .bind(id)
        .bind(meeting.ends_ms)
        .bind(meeting.starts_ms)
        .fetch_one(&mut *tx)
        .await?;
        if busy > 0 {
            return Err(staff_busy());
        }
    }
    let done = sqlx::query(
        "update meetings set state = 'confirmed', staff_id = $1, updated_ms = $2 \
         where id = $3 and state = 'requested'",
    )
    .bind(staff)
    .bind(now_ms())
    .bind(id)
    .execute(&mut *tx)
    .await;
    let done = match done {
        Ok(done) => done,
        Err(e) if super::exclusion(&e).is_some() => return Err(staff_busy()),
        Err(e) => return Err(e.into()),
    };
    if done.rows_affected() == 0 {
        return Err(not_pending(&load(&state, id).await?));
    }
    tx.commit().await?;
    let meeting = load(&state, id).await?;
    announce(&state, &meeting).await;
    Ok(Json(meeting))
}

fn staff_busy() -> ApiError {
    ApiError::new(
        ErrorCode::SlotTaken,
        "that staff member already has a meeting at that time",
    )
}

fn not_pending(meeting: &Meeting) -> ApiError {
    ApiError::new(
        ErrorCode::Conflict,
        format!("the meeting is {}, not requested", meeting.state.as_str()),
    )
}

fn require_company_side(caller: &Caller, company_id: i64) -> ApiResult<()> {
    if caller.user.role == Role::Exhibitor && caller.user.company_id == Some(company_id) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only the company's staff answer its meeting requests",
        ))
    }
}

#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeclineInput {
    #[serde(default)]
    pub reason: Option<String>,
}

/// The company declines a requested meeting; the slot is free again.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/decline", tag = "meetings", request_body = DeclineInput,
    params(("id" = i64, Path, description = "meeting id")),
    responses((status = 200, body = Meeting), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn decline(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<DeclineInput>,
) -> ApiResult<Json<Meeting>> {
    let meeting = load(&state, id).await?;
    require_company_side(&caller, meeting.company_id)?;
    transition(
        &state,
        id,
        "declined",
        input.reason.as_deref(),
        "state = 'requested'",
    )
    .await
}

/// Either side (or an organizer) cancels a requested or confirmed meeting.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/cancel", tag = "meetings",
    params(("id" = i64, Path, description = "meeting id")),
    responses((status = 200, body = Meeting), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Meeting>> {
    let meeting = load(&state, id).await?;
    let allowed = caller.is_organizer()
        || meeting.buyer.id == caller.user.id
        || (caller.user.role == Role::Exhibitor
            && caller.user.company_id == Some(meeting.company_id));
    if !allowed {
        return Err(ApiError::forbidden(
            "only the meeting's two sides cancel it",
        ));
    }
    transition(&state, id, "cancelled", None, &format!("state in {ACTIVE}")).await
}

async fn transition(
    state: &AppState,
    id: i64,
    to: &str,
    reason: Option<&str>,
    from: &str,
) -> ApiResult<Json<Meeting>> {
    // An expired hold is neither declined nor cancelled: it has ended already.
    super::expire_holds(state).await?;
    let sql = format!(
        "update meetings set state = $1, decline_reason = coalesce($2, decline_reason), updated_ms = $3 \
         where id = $4 and {from}"
    );
    let done = sqlx::query(&sql)
        .bind(to)
        .bind(reason.map(|r| r.chars().take(500).collect::<String>()))
        .bind(now_ms())
        .bind(id)
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
    announce(state, &meeting).await;
    Ok(Json(meeting))
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
