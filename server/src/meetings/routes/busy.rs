//! The slots a person marked busy.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, JsonBody};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use expo_schema::api::BusySlots;
use expo_schema::ErrorBody;

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
    let mut tx = state.store.begin_write().await?;
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
