//! Organizers' editing of stages and shows, the ingest address (organizers and the host
//! company's staff), and marking an external show live or ended by hand.

use super::{load_show, rtmp, stage_from_row, with_viewers};
use crate::auth::Caller;
use crate::error::{on_unique_violation, ApiError, ApiResult, JsonBody, Path};
use crate::events;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use expo_schema::api::{Ingest, PinInput, Show, ShowInput, ShowPin, ShowState, Stage, StageInput};
use expo_schema::protocol::room::Room as RoomName;
use expo_schema::protocol::RoomEvent;
use expo_schema::{ErrorBody, ErrorCode, Role, LANGUAGES};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_stage))
        .routes(routes!(update_stage))
        .routes(routes!(create_show))
        .routes(routes!(update_show))
        .routes(routes!(show_ingest))
        .routes(routes!(mark_live))
        .routes(routes!(mark_ended))
        .routes(routes!(pin_product))
}

/// Whether the caller runs this show: an organizer, or staff of its host company.
/// Organizers and the host company's staff run a show (pins, chat rules, the ingest).
pub(crate) fn runs_show(caller: &Caller, show: &Show) -> bool {
    caller.is_organizer()
        || (caller.user.role == Role::Exhibitor
            && caller.user.company_id.is_some()
            && caller.user.company_id == show.host_company_id)
}

fn check_stage(input: &StageInput) -> ApiResult<()> {
    let slug_ok = !input.slug.is_empty()
        && input.slug.len() <= 40
        && input
            .slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !input.slug.starts_with('-');
    if !slug_ok {
        return Err(ApiError::validation(
            "slug: 1 to 40 lower-case letters, digits and dashes",
        ));
    }
    if input.name.trim().is_empty() || input.name.chars().count() > 200 {
        return Err(ApiError::validation("name: 1 to 200 characters"));
    }
    if !(0..=9999).contains(&input.position) {
        return Err(ApiError::validation("position: 0 to 9999"));
    }
    Ok(())
}

/// Creates a stage (organizers).
#[utoipa::path(post, path = "/api/v1/stages", tag = "stage", request_body = StageInput,
    responses((status = 200, body = Stage), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn create_stage(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<StageInput>,
) -> ApiResult<Json<Stage>> {
    caller.require_role(Role::Organizer)?;
    let mut conn = state.store.pool().acquire().await?;
    let id = save_stage(&mut conn, None, &input).await?;
    drop(conn);
    load_stage(&state, id).await.map(Json)
}

/// Checks and writes a stage: a new one, or stage `id` (404 if there is none); its id.
pub async fn save_stage(
    conn: &mut sqlx::AnyConnection,
    id: Option<i64>,
    input: &StageInput,
) -> ApiResult<i64> {
    check_stage(input)?;
    let sql = match id {
        None => {
            "insert into stages (slug, name, kind, position) values ($1, $2, $3, $4) \
             returning id"
        }
        Some(_) => {
            "update stages set slug = $1, name = $2, kind = $3, position = $4 where id = $5 \
             returning id"
        }
    };
    let query = sqlx::query_scalar(sql)
        .bind(&input.slug)
        .bind(input.name.trim())
        .bind(input.kind.as_str())
        .bind(input.position);
    let query = match id {
        Some(id) => query.bind(id),
        None => query,
    };
    query
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| on_unique_violation(e, "a stage has that slug"))?
        .ok_or_else(|| ApiError::not_found("no such stage"))
}

/// Edits a stage (organizers).
#[utoipa::path(put, path = "/api/v1/stages/{id}", tag = "stage", request_body = StageInput,
    params(("id" = i64, Path, description = "stage id")),
    responses((status = 200, body = Stage), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn update_stage(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<StageInput>,
) -> ApiResult<Json<Stage>> {
    caller.require_role(Role::Organizer)?;
    let mut conn = state.store.pool().acquire().await?;
    save_stage(&mut conn, Some(id), &input).await?;
    drop(conn);
    load_stage(&state, id).await.map(Json)
}

async fn load_stage(state: &AppState, id: i64) -> ApiResult<Stage> {
    let row = sqlx::query("select id, slug, name, kind, position from stages where id = $1")
        .bind(id)
        .fetch_optional(state.store.pool())
        .await?
        .ok_or_else(|| ApiError::not_found("no such stage"))?;
    Ok(stage_from_row(&row)?)
}

/// Checks a show's fields and that what it names exists (404 otherwise); returns the texts
/// and featured products as stored (JSON).
async fn check_show(
    conn: &mut sqlx::AnyConnection,
    input: &ShowInput,
) -> ApiResult<(String, String)> {
    if input.title.trim().is_empty() || input.title.chars().count() > 200 {
        return Err(ApiError::validation("title: 1 to 200 characters"));
    }
    if input.description.chars().count() > 4000 {
        return Err(ApiError::validation("description: at most 4000 characters"));
    }
    for (lang, text) in &input.texts {
        if !LANGUAGES.contains(&lang.as_str()) {
            return Err(ApiError::validation(format!("texts: no language {lang:?}")));
        }
        if text
            .title
            .as_deref()
            .is_some_and(|t| t.chars().count() > 200)
            || text
                .description
                .as_deref()
                .is_some_and(|t| t.chars().count() > 4000)
        {
            return Err(ApiError::validation(format!("texts.{lang}: too long")));
        }
    }
    if !(0..=4_102_444_800_000).contains(&input.starts_ms) {
        return Err(ApiError::validation("starts_ms: 0 to 4102444800000"));
    }
    if !(1..=1440).contains(&input.duration_minutes) {
        return Err(ApiError::validation("duration_minutes: 1 to 1440"));
    }
    if input.featured_product_ids.len() > 20 {
        return Err(ApiError::validation("featured_product_ids: at most 20"));
    }
    if let Some(url) = &input.external_url {
        let url = url.trim();
        if url.chars().count() > 500
            || !url.starts_with("https://")
            || url.contains(char::is_whitespace)
        {
            return Err(ApiError::validation(
                "external_url: an https:// address without spaces",
            ));
        }
    }
    exists(conn, "stages", input.stage_id).await?;
    if let Some(company) = input.host_company_id {
        exists(conn, "companies", company).await?;
    }
    let mut featured = Vec::new();
    for &product in &input.featured_product_ids {
        exists(conn, "products", product).await?;
        if !featured.contains(&product) {
            featured.push(product);
        }
    }
    let texts = serde_json::to_string(&input.texts).map_err(anyhow::Error::from)?;
    let featured = serde_json::to_string(&featured).map_err(anyhow::Error::from)?;
    Ok((texts, featured))
}

/// 404 unless `table` has a row `id`.
async fn exists(conn: &mut sqlx::AnyConnection, table: &'static str, id: i64) -> ApiResult<()> {
    let sql = format!("select count(*) from {table} where id = $1");
    let found: i64 = sqlx::query_scalar(&sql)
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    if found == 1 {
        Ok(())
    } else {
        Err(ApiError::not_found(format!("no such {table} row: {id}")))
    }
}

fn external(input: &ShowInput) -> Option<String> {
    input
        .external_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_string)
}

/// Schedules a show (organizers). A show without `external_url` gets a fresh secret stream
/// key for its encoder (see `/shows/{id}/ingest`).
#[utoipa::path(post, path = "/api/v1/shows", tag = "stage", request_body = ShowInput,
    responses((status = 200, body = Show), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn create_show(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<ShowInput>,
) -> ApiResult<Json<Show>> {
    caller.require_role(Role::Organizer)?;
    let mut conn = state.store.pool().acquire().await?;
    let id = save_show(&mut conn, None, &input, state.now_ms()).await?;
    drop(conn);
    Ok(Json(load_show(&state, id, "en").await?.show))
}

/// Checks and writes a show: a new one, or show `id` (404 if there is none); its id. A show
/// without `external_url` has a secret stream key: a fresh one, or the one it had; a show
/// switched to an external stream loses its key.
pub async fn save_show(
    conn: &mut sqlx::AnyConnection,
    id: Option<i64>,
    input: &ShowInput,
    now_ms: i64,
) -> ApiResult<i64> {
    let current_key: Option<String> = match id {
        None => None,
        Some(id) => sqlx::query_scalar("select stream_key from shows where id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| ApiError::not_found("no such show"))?,
    };
    let (texts, featured) = check_show(conn, input).await?;
    let external_url = external(input);
    let key = match external_url {
        Some(_) => None,
        None => Some(current_key.unwrap_or_else(|| crate::auth::password::new_token().0)),
    };
    let sql = match id {
        None => {
            "insert into shows (stage_id, title, description, texts, host_company_id, \
             starts_ms, ends_ms, featured, stream_key, external_url, state, created_ms) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'scheduled', $11) returning id"
        }
        Some(_) => {
            "update shows set stage_id = $1, title = $2, description = $3, texts = $4, \
             host_company_id = $5, starts_ms = $6, ends_ms = $7, featured = $8, \
             stream_key = $9, external_url = $10 where id = $11 returning id"
        }
    };
    let query = sqlx::query_scalar(sql)
        .bind(input.stage_id)
        .bind(input.title.trim())
        .bind(&input.description)
        .bind(&texts)
        .bind(input.host_company_id)
        .bind(input.starts_ms)
        .bind(input.starts_ms + input.duration_minutes * 60_000)
        .bind(&featured)
        .bind(key)
        .bind(&external_url);
    let query = match id {
        Some(id) => query.bind(id),
        None => query.bind(now_ms),
    };
    Ok(query.fetch_one(&mut *conn).await?)
}

/// Edits a show (organizers). Switching between an external stream and the media server
/// gives the show a stream key or takes it away; an existing key stays.
#[utoipa::path(put, path = "/api/v1/shows/{id}", tag = "stage", request_body = ShowInput,
    params(("id" = i64, Path, description = "show id")),
    responses((status = 200, body = Show), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn update_show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<ShowInput>,
) -> ApiResult<Json<Show>> {
    caller.require_role(Role::Organizer)?;
    let mut conn = state.store.pool().acquire().await?;
    save_show(&mut conn, Some(id), &input, state.now_ms()).await?;
    drop(conn);
    Ok(Json(load_show(&state, id, "en").await?.show))
}

/// Where the studio's encoder publishes the show: the RTMP address and the secret stream
/// key (organizers, and the staff of the host company). 409 for a show streamed elsewhere.
#[utoipa::path(get, path = "/api/v1/shows/{id}/ingest", tag = "stage",
    params(("id" = i64, Path, description = "show id")),
    responses((status = 200, body = Ingest), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn show_ingest(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Ingest>> {
    let row = load_show(&state, id, "en").await?;
    if !runs_show(&caller, &row.show) {
        return Err(ApiError::forbidden(
            "only organizers and the host company's staff see the stream key",
        ));
    }
    let Some(stream_key) = row.stream_key else {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "this show streams from an external address",
        ));
    };
    let rtmp_url = state
        .config
        .stage_rtmp_url
        .trim_end_matches('/')
        .to_string();
    Ok(Json(Ingest {
        show_id: id,
        publish_url: format!("{rtmp_url}/{stream_key}"),
        rtmp_url,
        stream_key,
    }))
}

/// The organizer's hand on a show streamed elsewhere: 409 for a media-server show, whose
/// encoder decides.
async fn mark(state: &AppState, caller: &Caller, id: i64, to: ShowState) -> ApiResult<Show> {
    caller.require_role(Role::Organizer)?;
    let row = load_show(state, id, "en").await?;
    if row.show.external_url.is_none() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "this show goes live when its encoder publishes",
        ));
    }
    rtmp::go(state, id, to).await?;
    let show = load_show(state, id, "en").await?.show;
    Ok(with_viewers(state, show).await)
}

/// Marks a show with an external stream live (organizers); everyone watching hears it.
#[utoipa::path(post, path = "/api/v1/shows/{id}/live", tag = "stage",
    params(("id" = i64, Path, description = "show id")),
    responses((status = 200, body = Show), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn mark_live(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Show>> {
    mark(&state, &caller, id, ShowState::Live).await.map(Json)
}

/// Marks a show with an external stream ended (organizers); everyone watching hears it.
#[utoipa::path(post, path = "/api/v1/shows/{id}/end", tag = "stage",
    params(("id" = i64, Path, description = "show id")),
    responses((status = 200, body = Show), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn mark_ended(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Show>> {
    mark(&state, &caller, id, ShowState::Ended).await.map(Json)
}

/// Pins a product for every viewer of the show, or takes the pin down (`product_id` null):
/// organizers and the host company's staff. The product is one of the host's, or featured
/// in the show (422 otherwise); a show that has ended takes no pins (409). Every pin is kept
/// in order for the replay; viewers on every node hear `show_pin` at once.
#[utoipa::path(post, path = "/api/v1/shows/{id}/pin", tag = "stage", request_body = PinInput,
    params(("id" = i64, Path, description = "show id")),
    responses((status = 200, body = ShowPin), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn pin_product(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<PinInput>,
) -> ApiResult<Json<ShowPin>> {
    let show = load_show(&state, id, "en").await?.show;
    if !runs_show(&caller, &show) {
        return Err(ApiError::forbidden(
            "only organizers and the host company's staff pin products",
        ));
    }
    if show.state == ShowState::Ended {
        return Err(ApiError::new(ErrorCode::Conflict, "this show has ended"));
    }
    if let Some(product) = input.product_id {
        let company: Option<i64> =
            sqlx::query_scalar("select company_id from products where id = $1")
                .bind(product)
                .fetch_optional(state.store.pool())
                .await?;
        let Some(company) = company else {
            return Err(ApiError::not_found("no such product"));
        };
        let allowed =
            show.featured_product_ids.contains(&product) || Some(company) == show.host_company_id;
        if !allowed {
            return Err(ApiError::validation(
                "product_id: one of the host's products or a featured one",
            ));
        }
    }
    let at_ms = pin(&state, id, input.product_id, Some(caller.user.id)).await?;
    Ok(Json(ShowPin {
        show_id: id,
        product_id: input.product_id,
        at_ms,
        product_name: None,
    }))
}

/// Pins `product_id` (or takes the pin down) now, stores it and tells every viewer
/// (`show_pin`); returns when. The caller checked who may and what.
pub async fn pin(
    state: &AppState,
    show_id: i64,
    product_id: Option<i64>,
    by: Option<i64>,
) -> ApiResult<i64> {
    let at_ms = state.now_ms();
    let mut tx = state.store.begin_write().await?;
    write_pin(&mut tx, show_id, product_id, by, at_ms).await?;
    tx.commit().await?;
    let event = RoomEvent::ShowPin {
        show_id,
        product_id,
        at_ms,
    };
    events::publish(&state.hub, RoomName::Show(show_id), event).await;
    Ok(at_ms)
}

/// Stores a pin (or its taking down) as the show's current one and in its history, inside
/// the caller's transaction; the caller publishes `show_pin` after the commit.
pub async fn write_pin(
    conn: &mut sqlx::AnyConnection,
    show_id: i64,
    product_id: Option<i64>,
    by: Option<i64>,
    at_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query("update shows set pinned_product_id = $1, pinned_ms = $2 where id = $3")
        .bind(product_id)
        .bind(at_ms)
        .bind(show_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "insert into show_pins (show_id, product_id, pinned_by, at_ms) values ($1, $2, $3, $4)",
    )
    .bind(show_id)
    .bind(product_id)
    .bind(by)
    .bind(at_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
