//! Meeting tables in the halls: setting them up, listing them, their QR codes.

use crate::auth::Caller;
use crate::error::Path;
use crate::error::{ApiError, ApiResult, JsonBody};
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use axum::Json;
use expo_schema::api::{TableList, TablesInput};
use expo_schema::{ErrorBody, Role};

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
    let hall: Option<i64> = sqlx::query_scalar("select id from halls where id = $1")
        .bind(hall_id)
        .fetch_optional(state.store.pool())
        .await?;
    if hall.is_none() {
        return Err(ApiError::not_found("no such hall"));
    }
    add_tables(state.store.pool(), hall_id, input.count).await?;
    list_tables(State(state), caller).await
}

/// Creates tables 1..count in a hall, keeping those that exist: one statement (a hall has
/// at most 999 tables, 2,997 parameters).
pub async fn add_tables<'c, E>(executor: E, hall_id: i64, count: i64) -> sqlx::Result<()>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    if count < 1 {
        return Ok(());
    }
    let sql = format!(
        "insert into meeting_tables (hall_id, number, code) values {} \
         on conflict (hall_id, number) do nothing",
        crate::store::values_rows(count as usize, 3)
    );
    let mut query = sqlx::query(&sql);
    for number in 1..=count {
        query = query
            .bind(hall_id)
            .bind(number)
            .bind(crate::auth::password::new_token().0);
    }
    query.execute(executor).await?;
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
        .map(crate::meetings::table_from_row)
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
