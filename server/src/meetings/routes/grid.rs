//! The meeting grid: the fair's slots, defined per day in local time (organizers).

use crate::auth::Caller;
use crate::error::Query;
use crate::error::{ApiError, ApiResult, JsonBody};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use chrono::{NaiveDate, NaiveTime, TimeZone};
use expo_schema::api::DayQuery;
use expo_schema::api::{GridInput, SlotList};
use expo_schema::{ErrorBody, MeetingSlot, Role};

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
        .map(crate::meetings::slot_from_row)
        .collect::<sqlx::Result<Vec<_>>>()
        .map_err(ApiError::from)
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

#[cfg(test)]
mod tests {
    use super::*;
    use expo_schema::api::Break;

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
