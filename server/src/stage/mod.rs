//! The live stage (issue 14): stages and the shows scheduled on them (`mod.rs`: reading them
//! in the viewer's language, the lobby's "live now and next"), organizers' editing
//! (`edit.rs`), and the video plane's control side (`rtmp.rs`): the media server's publish
//! callbacks, the stream keys, and going live and ended. `commerce.rs`: quote and sample
//! requests for a product (from a show or a booth) and what each show brought in.
//!
//! Expo Hub never carries video bytes. A studio encoder publishes over RTMP to the media
//! server (nginx with its RTMP module, docs/stage.md) under the show's secret stream key; the
//! media server asks Expo Hub whether to accept it and renames it to the public
//! `show-{id}`, which is all viewers ever see in the HLS address.

pub mod broadcast;
pub mod chat;
pub mod commerce;
pub mod edit;
pub mod peaks;
pub mod qa;
pub mod rtmp;

use crate::auth::Caller;
use crate::booths::viewer_lang;
use crate::error::{ApiError, ApiResult, Path, Query};
use crate::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use expo_schema::api::{
    LangQuery, PinnedProduct, Show, ShowList, ShowPin, ShowPinList, ShowState, ShowText, Stage,
    StageKind, StageList, StageNow,
};
use expo_schema::protocol::room::Room;
use expo_schema::ErrorBody;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::BTreeMap;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_stages))
        .routes(routes!(stage_shows))
        .routes(routes!(get_show))
        .routes(routes!(show_pins))
        .merge(edit::router())
        .merge(chat::router())
        .merge(qa::router())
        .merge(commerce::router())
        .merge(rtmp::router())
}

/// The columns [`show_from_row`] reads.
pub(crate) const SHOW_SELECT: &str = "select s.id, s.stage_id, s.title, s.description, \
     s.texts, s.host_company_id, c.name as host_company_name, s.starts_ms, s.ends_ms, \
     s.featured, s.stream_key, s.external_url, s.state, s.live_since_ms, s.ended_ms, s.pinned_product_id, \
     s.peak_viewers, s.peak_ms, s.recording, s.recording_ms \
     from shows s left join companies c on c.id = s.host_company_id";

/// A show row as stored (the texts in every language).
pub(crate) struct ShowRow {
    pub show: Show,
    pub stream_key: Option<String>,
}

pub(crate) fn stage_from_row(row: &AnyRow) -> sqlx::Result<Stage> {
    let kind: String = row.try_get("kind")?;
    Ok(Stage {
        id: row.try_get("id")?,
        slug: row.try_get("slug")?,
        name: row.try_get("name")?,
        kind: StageKind::parse(&kind).unwrap_or(StageKind::Studio),
        position: row.try_get("position")?,
    })
}

/// The public name the media server gives a show's stream (its HLS playlist is
/// `{name}.m3u8`): never the stream key.
pub fn public_name(show_id: i64) -> String {
    format!("show-{show_id}")
}

/// A show from a [`SHOW_SELECT`] row, its title and description in `lang`.
pub(crate) fn show_from_row(state: &AppState, row: &AnyRow, lang: &str) -> sqlx::Result<ShowRow> {
    let id: i64 = row.try_get("id")?;
    let texts: String = row.try_get("texts")?;
    let texts: BTreeMap<String, ShowText> = serde_json::from_str(&texts).unwrap_or_default();
    let featured: String = row.try_get("featured")?;
    let featured_product_ids: Vec<i64> = serde_json::from_str(&featured).unwrap_or_default();
    let base_title: String = row.try_get("title")?;
    let base_description: String = row.try_get("description")?;
    let own = texts.get(lang);
    let title = own
        .and_then(|t| t.title.clone())
        .filter(|t| !t.trim().is_empty())
        .unwrap_or(base_title);
    let description = own
        .and_then(|t| t.description.clone())
        .filter(|t| !t.trim().is_empty())
        .unwrap_or(base_description);
    let state_text: String = row.try_get("state")?;
    let stream_key: Option<String> = row.try_get("stream_key")?;
    let external_url: Option<String> = row.try_get("external_url")?;
    let hls_url = external_url.is_none().then(|| {
        format!(
            "{}/{}.m3u8",
            state.config.stage_hls_base.trim_end_matches('/'),
            public_name(id)
        )
    });
    Ok(ShowRow {
        show: Show {
            id,
            stage_id: row.try_get("stage_id")?,
            title,
            description,
            texts,
            host_company_id: row.try_get("host_company_id")?,
            host_company_name: row.try_get("host_company_name")?,
            starts_ms: row.try_get("starts_ms")?,
            ends_ms: row.try_get("ends_ms")?,
            featured_product_ids,
            state: ShowState::parse(&state_text).unwrap_or(ShowState::Scheduled),
            live_since_ms: row.try_get("live_since_ms")?,
            ended_ms: row.try_get("ended_ms")?,
            hls_url,
            external_url,
            viewers: 0,
            peak_viewers: row.try_get::<i64, _>("peak_viewers")?.max(0) as u64,
            peak_ms: row.try_get("peak_ms")?,
            pinned_product_id: row.try_get("pinned_product_id")?,
            pinned_product: None,
            replay_url: row
                .try_get::<Option<String>, _>("recording")?
                .map(|file| state.config.replay_url(&file)),
            recording_ms: row.try_get("recording_ms")?,
        },
        stream_key,
    })
}

/// Reads one show, or 404.
pub(crate) async fn load_show(state: &AppState, id: i64, lang: &str) -> ApiResult<ShowRow> {
    let row = sqlx::query(&format!("{SHOW_SELECT} where s.id = $1"))
        .bind(id)
        .fetch_optional(state.store.pool())
        .await?
        .ok_or_else(|| ApiError::not_found("no such show"))?;
    Ok(show_from_row(state, &row, lang)?)
}

/// Fills in how many watch the show now (its room, over every node). A presence failure
/// leaves the count at zero rather than failing the page.
pub(crate) async fn with_viewers(state: &AppState, mut show: Show) -> Show {
    match state.hub.snapshot(&Room::Show(show.id).to_string()).await {
        Ok(snapshot) => {
            show.viewers = snapshot.total as u64;
            // The sampler may not have caught a rise of the last second yet.
            show.peak_viewers = show.peak_viewers.max(show.viewers);
        }
        Err(error) => tracing::debug!(?error, "counting a show's viewers failed"),
    }
    show
}

/// The stages, each with the show live on it now and the next one to come, texts in the
/// viewer's language (`?lang=`, else `Accept-Language`), times in UTC milliseconds.
#[utoipa::path(get, path = "/api/v1/stages", tag = "stage", params(LangQuery),
    responses((status = 200, body = StageList)))]
pub async fn list_stages(
    State(state): State<AppState>,
    _caller: Caller,
    headers: HeaderMap,
    Query(query): Query<LangQuery>,
) -> ApiResult<Json<StageList>> {
    let lang = viewer_lang(query.lang.as_deref(), &headers);
    let now = state.now_ms();
    let rows =
        sqlx::query("select id, slug, name, kind, position from stages order by position, id")
            .fetch_all(state.store.pool())
            .await?;
    let mut stages = Vec::with_capacity(rows.len());
    for row in &rows {
        let stage = stage_from_row(row)?;
        let live = sqlx::query(&format!(
            "{SHOW_SELECT} where s.stage_id = $1 and s.state = 'live' \
             order by s.live_since_ms desc, s.id desc limit 1"
        ))
        .bind(stage.id)
        .fetch_optional(state.store.pool())
        .await?;
        let live = match live {
            Some(row) => Some(with_viewers(&state, show_from_row(&state, &row, &lang)?.show).await),
            None => None,
        };
        let next = sqlx::query(&format!(
            "{SHOW_SELECT} where s.stage_id = $1 and s.state = 'scheduled' and s.ends_ms > $2 \
             order by s.starts_ms, s.id limit 1"
        ))
        .bind(stage.id)
        .bind(now)
        .fetch_optional(state.store.pool())
        .await?;
        let next = match next {
            Some(row) => Some(show_from_row(&state, &row, &lang)?.show),
            None => None,
        };
        let replay = sqlx::query(&format!(
            "{SHOW_SELECT} where s.stage_id = $1 and s.state = 'ended' \
             and s.recording is not null order by s.starts_ms desc, s.id desc limit 1"
        ))
        .bind(stage.id)
        .fetch_optional(state.store.pool())
        .await?;
        let replay = match replay {
            Some(row) => Some(show_from_row(&state, &row, &lang)?.show),
            None => None,
        };
        stages.push(StageNow {
            stage,
            live,
            next,
            replay,
        });
    }
    Ok(Json(StageList { stages }))
}

/// Every show of a stage, by start, texts in the viewer's language.
#[utoipa::path(get, path = "/api/v1/stages/{id}/shows", tag = "stage",
    params(("id" = i64, Path, description = "stage id"), LangQuery),
    responses((status = 200, body = ShowList)))]
pub async fn stage_shows(
    State(state): State<AppState>,
    _caller: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(query): Query<LangQuery>,
) -> ApiResult<Json<ShowList>> {
    let lang = viewer_lang(query.lang.as_deref(), &headers);
    let found: Option<i64> = sqlx::query_scalar("select id from stages where id = $1")
        .bind(id)
        .fetch_optional(state.store.pool())
        .await?;
    if found.is_none() {
        return Err(ApiError::not_found("no such stage"));
    }
    let rows = sqlx::query(&format!(
        "{SHOW_SELECT} where s.stage_id = $1 order by s.starts_ms, s.id"
    ))
    .bind(id)
    .fetch_all(state.store.pool())
    .await?;
    let shows = rows
        .iter()
        .map(|row| show_from_row(&state, row, &lang).map(|r| r.show))
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok(Json(ShowList { shows }))
}

/// One show: texts in the viewer's language, where to play it, its state and viewer count.
#[utoipa::path(get, path = "/api/v1/shows/{id}", tag = "stage",
    params(("id" = i64, Path, description = "show id"), LangQuery),
    responses((status = 200, body = Show), (status = 404, body = ErrorBody)))]
pub async fn get_show(
    State(state): State<AppState>,
    _caller: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(query): Query<LangQuery>,
) -> ApiResult<Json<Show>> {
    let lang = viewer_lang(query.lang.as_deref(), &headers);
    let mut show = load_show(&state, id, &lang).await?.show;
    if let Some(product) = show.pinned_product_id {
        show.pinned_product = pinned_product(&state, product, &lang).await?;
    }
    Ok(Json(with_viewers(&state, show).await))
}

/// A pinned product's card in `lang` (its translation where there is one).
async fn pinned_product(
    state: &AppState,
    product_id: i64,
    lang: &str,
) -> ApiResult<Option<PinnedProduct>> {
    let row = sqlx::query(
        "select p.id, p.company_id, c.name as company_name, \
         coalesce(t.name, p.name) as name, coalesce(t.description, p.description) as description, \
         p.min_order, p.price_range \
         from products p join companies c on c.id = p.company_id \
         left join product_texts t on t.product_id = p.id and t.lang = $2 \
         where p.id = $1",
    )
    .bind(product_id)
    .bind(lang)
    .fetch_optional(state.store.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(PinnedProduct {
        id: row.try_get("id")?,
        company_id: row.try_get("company_id")?,
        company_name: row.try_get("company_name")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        min_order: row.try_get("min_order")?,
        price_range: row.try_get("price_range")?,
    }))
}

/// Every pin of a show and every taking down, in order (signed in), each product's name in
/// the viewer's language: the replay shows each at its moment.
#[utoipa::path(get, path = "/api/v1/shows/{id}/pins", tag = "stage",
    params(("id" = i64, Path, description = "show id"), LangQuery),
    responses((status = 200, body = ShowPinList), (status = 404, body = ErrorBody)))]
pub async fn show_pins(
    State(state): State<AppState>,
    _caller: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(query): Query<LangQuery>,
) -> ApiResult<Json<ShowPinList>> {
    let lang = viewer_lang(query.lang.as_deref(), &headers);
    load_show(&state, id, "en").await?;
    let pins: Vec<(Option<i64>, i64, Option<String>)> = sqlx::query_as(
        "select sp.product_id, sp.at_ms, coalesce(t.name, p.name) \
         from show_pins sp left join products p on p.id = sp.product_id \
         left join product_texts t on t.product_id = p.id and t.lang = $2 \
         where sp.show_id = $1 order by sp.at_ms, sp.id",
    )
    .bind(id)
    .bind(&lang)
    .fetch_all(state.store.pool())
    .await?;
    Ok(Json(ShowPinList {
        pins: pins
            .into_iter()
            .map(|(product_id, at_ms, product_name)| ShowPin {
                show_id: id,
                product_id,
                at_ms,
                product_name,
            })
            .collect(),
    }))
}
