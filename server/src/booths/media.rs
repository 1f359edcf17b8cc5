//! Booth media: logos, product photos, brochures (PDF) and videos, uploaded or linked.
//!
//! An upload is the raw request body (`POST /api/v1/companies/{id}/media?kind=…&title=…&
//! file_name=…`), received by [`crate::uploads`]: streamed to a temporary file with a size
//! cap, typed by its first bytes (never by its name), and only then moved to a random name
//! and recorded here. Every refusal removes the temporary file: a bad upload leaves nothing
//! behind.

use super::edit::announce;
use super::require_editor;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, JsonBody};
use crate::error::{Path, Query};
use crate::store::{now_ms, Store};
use crate::uploads::quota::{self, UploadKind};
use crate::uploads::{
    check_file_name, close_after_refusal, receive_file, remove_files, serve_stored, MAX_IMAGE_BYTES,
};
use crate::AppState;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use expo_schema::api::UploadQuery;
use expo_schema::api::VideoLinkInput;
use expo_schema::{ErrorBody, MediaItem, MediaKind};
use sqlx::any::AnyRow;
use sqlx::Row;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(
            routes!(upload)
                .layer(DefaultBodyLimit::disable())
                .layer(axum::middleware::map_response(close_after_refusal)),
        )
        .routes(routes!(add_video_link))
        .routes(routes!(serve, remove))
}

fn media_from_row(row: &AnyRow) -> sqlx::Result<MediaItem> {
    let id: i64 = row.try_get("id")?;
    let kind: String = row.try_get("kind")?;
    let external: Option<String> = row.try_get("external_url")?;
    Ok(MediaItem {
        id,
        company_id: row.try_get("company_id")?,
        product_id: row.try_get("product_id")?,
        kind: MediaKind::parse(&kind).unwrap_or(MediaKind::Photo),
        title: row.try_get("title")?,
        file_name: row.try_get("file_name")?,
        content_type: row.try_get("content_type")?,
        size_bytes: row.try_get("size_bytes")?,
        url: external.unwrap_or_else(|| format!("/api/v1/media/{id}")),
    })
}

const MEDIA_FIELDS: &str = "id, company_id, product_id, kind, title, file_name, content_type, \
     size_bytes, external_url";

/// Every media item of a company, oldest first.
pub async fn list_for_company(store: &Store, company_id: i64) -> ApiResult<Vec<MediaItem>> {
    let sql = format!("select {MEDIA_FIELDS} from media where company_id = $1 order by id");
    let rows = sqlx::query(&sql)
        .bind(company_id)
        .fetch_all(store.pool())
        .await?;
    Ok(rows
        .iter()
        .map(media_from_row)
        .collect::<sqlx::Result<Vec<_>>>()?)
}

/// The stored files of a product's photos (to delete them with the product).
pub async fn stored_names_of_product(store: &Store, product_id: i64) -> ApiResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "select stored_name from media where product_id = $1 and stored_name is not null",
    )
    .bind(product_id)
    .fetch_all(store.pool())
    .await?)
}

/// The content types each kind accepts, decided from the file's first bytes.
pub fn accepted(kind: MediaKind, mime: &str) -> bool {
    match kind {
        MediaKind::Logo | MediaKind::Photo => {
            matches!(
                mime,
                "image/png" | "image/jpeg" | "image/webp" | "image/gif"
            )
        }
        MediaKind::Brochure => mime == "application/pdf",
        MediaKind::Video => matches!(mime, "video/mp4" | "video/webm" | "video/quicktime"),
    }
}

/// Upload a logo, product photo, brochure or video (the body is the file).
#[utoipa::path(post, path = "/api/v1/companies/{id}/media", tag = "booths",
    params(("id" = i64, Path, description = "company id"), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = MediaItem), (status = 403, body = ErrorBody),
        (status = 413, description = "message_too_large", body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, description = "rate_limited: the uploader's daily quota is used up", body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    Path(company_id): Path<i64>,
    Query(query): Query<UploadQuery>,
    request: Request,
) -> ApiResult<(StatusCode, Json<MediaItem>)> {
    require_editor(&caller, company_id)?;
    super::load_company(&state.store, company_id, "en").await?;
    let kind = MediaKind::parse(&query.kind)
        .ok_or_else(|| ApiError::validation("kind must be logo, photo, brochure or video"))?;
    let file_name = check_file_name(&query.file_name)?;
    let title = query
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or(&file_name)
        .chars()
        .take(200)
        .collect::<String>();
    match (kind, query.product_id) {
        (MediaKind::Photo, None) => {
            return Err(ApiError::validation(
                "a photo belongs to a product: give product_id",
            ))
        }
        (MediaKind::Photo, Some(product)) => {
            let owner: Option<i64> =
                sqlx::query_scalar("select company_id from products where id = $1")
                    .bind(product)
                    .fetch_optional(state.store.pool())
                    .await?;
            if owner != Some(company_id) {
                return Err(ApiError::validation("no such product in this booth"));
            }
        }
        (_, Some(_)) => return Err(ApiError::validation("only photos belong to a product")),
        (_, None) => {}
    }
    let remaining = quota::remaining(&state, caller.user.id, UploadKind::Media).await?;
    let limit = match kind {
        MediaKind::Logo | MediaKind::Photo => MAX_IMAGE_BYTES.min(state.config.max_upload_bytes),
        _ => state.config.max_upload_bytes,
    }
    .min(remaining);
    let (mut temp, stored, mime, size) = receive_file(
        &state,
        request,
        limit,
        |mime| accepted(kind, mime),
        kind.as_str(),
        &company_id.to_string(),
    )
    .await?;
    let mut tx = state.store.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "insert into media (company_id, product_id, kind, title, file_name, stored_name, \
         content_type, size_bytes, uploaded_by, created_ms) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id",
    )
    .bind(company_id)
    .bind(query.product_id)
    .bind(kind.as_str())
    .bind(&title)
    .bind(&file_name)
    .bind(&stored)
    .bind(&mime)
    .bind(size as i64)
    .bind(caller.user.id)
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await?;
    quota::record(&mut tx, caller.user.id, UploadKind::Media, size).await?;
    let mut replaced_logo = Vec::new();
    if kind == MediaKind::Logo {
        // One logo per company: the new one replaces the old.
        replaced_logo = sqlx::query_scalar(
            "select stored_name from media where company_id = $1 and kind = 'logo' and id <> $2",
        )
        .bind(company_id)
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        sqlx::query("delete from media where company_id = $1 and kind = 'logo' and id <> $2")
            .bind(company_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("update companies set logo_media_id = $1 where id = $2")
            .bind(id)
            .bind(company_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    temp.keep();
    remove_files(&state, &replaced_logo).await;
    announce(&state, company_id, "media").await;
    let sql = format!("select {MEDIA_FIELDS} from media where id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_one(state.store.pool())
        .await?;
    Ok((StatusCode::CREATED, Json(media_from_row(&row)?)))
}

/// Add a video hosted elsewhere (a link).
#[utoipa::path(post, path = "/api/v1/companies/{id}/videos", tag = "booths", request_body = VideoLinkInput,
    params(("id" = i64, Path, description = "company id")),
    responses((status = 201, body = MediaItem), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_video_link(
    State(state): State<AppState>,
    caller: Caller,
    Path(company_id): Path<i64>,
    JsonBody(input): JsonBody<VideoLinkInput>,
) -> ApiResult<(StatusCode, Json<MediaItem>)> {
    require_editor(&caller, company_id)?;
    super::load_company(&state.store, company_id, "en").await?;
    let url = input.url.trim();
    if !url.starts_with("https://")
        || url.chars().count() > 500
        || url.chars().any(char::is_whitespace)
    {
        return Err(ApiError::validation("a video link is an https:// URL"));
    }
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(ApiError::validation("title must have 1 to 200 characters"));
    }
    let id: i64 = sqlx::query_scalar(
        "insert into media (company_id, kind, title, external_url, uploaded_by, created_ms) \
         values ($1, 'video', $2, $3, $4, $5) returning id",
    )
    .bind(company_id)
    .bind(title)
    .bind(url)
    .bind(caller.user.id)
    .bind(now_ms())
    .fetch_one(state.store.pool())
    .await?;
    announce(&state, company_id, "media").await;
    Ok((
        StatusCode::CREATED,
        Json(MediaItem {
            id,
            company_id,
            product_id: None,
            kind: MediaKind::Video,
            title: title.to_string(),
            file_name: None,
            content_type: None,
            size_bytes: None,
            url: url.to_string(),
        }),
    ))
}

async fn load_media(state: &AppState, id: i64) -> ApiResult<(MediaItem, Option<String>)> {
    let sql = format!("select {MEDIA_FIELDS}, stored_name from media where id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(state.store.pool())
        .await?
        .ok_or_else(|| ApiError::not_found("no such media"))?;
    Ok((media_from_row(&row)?, row.try_get("stored_name")?))
}

/// Download (or view) an uploaded file. Opening a brochure or video counts for the booth's
/// leads when the viewer is inside the booth.
#[utoipa::path(get, path = "/api/v1/media/{id}", tag = "booths",
    params(("id" = i64, Path, description = "media id")),
    responses((status = 200, description = "the file"),
        (status = 307, description = "a video hosted elsewhere: its https:// address in Location"),
        (status = 404, body = ErrorBody)))]
pub async fn serve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    request: Request,
) -> ApiResult<Response> {
    let (item, stored) = load_media(&state, id).await?;
    let Some(stored) = stored else {
        return Ok(axum::response::Redirect::temporary(&header_safe(&item.url)).into_response());
    };
    if matches!(item.kind, MediaKind::Brochure | MediaKind::Video) {
        // A range request for the rest of a video is the same viewing, not a new one.
        if request.headers().get(header::RANGE).is_none() {
            state
                .booths
                .record_open(caller.user.id, item.company_id, item.kind.as_str(), id)
                .await;
        }
    }
    let name = item.file_name.unwrap_or_else(|| stored.clone());
    serve_stored(&state, &stored, &name, request).await
}

/// A link as a header value: every byte outside visible ASCII percent-encoded, as a browser
/// does (a stored video link may hold any character but spaces).
fn header_safe(url: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(url.len());
    for byte in url.bytes() {
        if (0x21..=0x7e).contains(&byte) {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// Remove a media item (and its file).
#[utoipa::path(delete, path = "/api/v1/media/{id}", tag = "booths",
    params(("id" = i64, Path, description = "media id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    let (item, stored) = load_media(&state, id).await?;
    require_editor(&caller, item.company_id)?;
    let mut tx = state.store.begin_write().await?;
    sqlx::query("delete from media where id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if item.kind == MediaKind::Logo {
        sqlx::query("update companies set logo_media_id = null where logo_media_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    if let Some(stored) = stored {
        remove_files(&state, &[stored]).await;
    }
    announce(&state, item.company_id, "media").await;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_become_header_values() {
        let safe = header_safe("https://example.com/видео?x=1\u{7f}");
        assert_eq!(
            safe,
            "https://example.com/%D0%B2%D0%B8%D0%B4%D0%B5%D0%BE?x=1%7F"
        );
        assert!(axum::http::HeaderValue::from_str(&safe).is_ok());
    }

    #[test]
    fn kinds_accept_by_content() {
        assert!(accepted(MediaKind::Brochure, "application/pdf"));
        assert!(!accepted(MediaKind::Brochure, "image/png"));
        assert!(accepted(MediaKind::Logo, "image/png"));
        assert!(!accepted(MediaKind::Video, "application/pdf"));
    }
}
