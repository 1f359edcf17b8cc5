//! A company's availability: the slots it takes meetings in, its seats and what is free.

use crate::auth::Caller;
use crate::booths::require_editor;
use crate::error::Path;
use crate::error::{ApiError, ApiResult, JsonBody};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use expo_schema::api::{Availability, AvailabilityInput, SlotAvailability};
use expo_schema::ErrorBody;
use sqlx::Row;

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
    let mut tx = state.store.begin_write().await?;
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
        crate::meetings::active_at("$2")
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
                slot: crate::meetings::slot_from_row(row)?,
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
