//! Booth media: logos, product photos, brochures (PDF) and videos, uploaded or linked.
//!
//! An upload is the raw request body (`POST /api/v1/companies/{id}/media?kind=…&title=…&
//! file_name=…`). It is streamed to a temporary file under the uploads directory with a size
//! cap, its type is decided by its first bytes (never by its name), and only then moved to a
//! random name and recorded. Every refusal removes the temporary file: a bad upload leaves
//! nothing behind. Uploaded names are checked (no paths, no `..`) and only ever shown, never
//! used to build a path.

use super::edit::announce;
use super::quota::UploadKind;
use super::require_editor;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, JsonBody};
use crate::error::{Path, Query};
use crate::store::{now_ms, Store};
use crate::AppState;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use expo_schema::api::VideoLinkInput;
use expo_schema::{ErrorBody, ErrorCode, MediaItem, MediaKind};
use futures_util::StreamExt;
use serde::Deserialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::path::PathBuf;
use tokio::io::AsyncWriteExt;
use tower::ServiceExt;

/// Images never need more than this.
pub const MAX_IMAGE_BYTES: u64 = 5 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/companies/{id}/media",
            post(upload)
                .layer(DefaultBodyLimit::disable())
                .layer(axum::middleware::map_response(close_after_refusal)),
        )
        .route("/api/v1/companies/{id}/videos", post(add_video_link))
        .route("/api/v1/media/{id}", get(serve).delete(remove))
}

/// A refused upload may leave most of its body unread; `Connection: close` tells the client
/// not to reuse the connection, whose unread bytes would otherwise spoil the next request.
pub async fn close_after_refusal(mut response: Response) -> Response {
    if !response.status().is_success() {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
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

/// Deletes stored files; a file already gone is fine.
pub async fn remove_files(state: &AppState, stored: &[String]) {
    let dir = state.config.uploads_dir();
    for name in stored {
        if let Err(error) = tokio::fs::remove_file(dir.join(name)).await {
            if error.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(?error, name, "could not delete an uploaded file");
            }
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct UploadQuery {
    /// `logo`, `photo` (needs `product_id`), `brochure` or `video`.
    kind: String,
    /// Shown to visitors; defaults to the file name.
    title: Option<String>,
    /// The uploader's file name: shown only, never used as a path.
    file_name: String,
    product_id: Option<i64>,
}

/// Checks an uploaded file name: a plain name, no path, no `..`, no control characters.
pub fn check_file_name(name: &str) -> ApiResult<String> {
    let name = name.trim();
    let bad = name.is_empty()
        || name.chars().count() > 120
        || name.contains('/')
        || name.contains('\\')
        || name.contains("..")
        || name
            .chars()
            .any(|c| c.is_control() || crate::http::guard::is_bidi_control(c));
    if bad {
        Err(ApiError::validation(
            "file_name must be a plain file name (no paths, no \"..\", no control or \
             direction characters, at most 120 characters)",
        ))
    } else {
        Ok(name.to_string())
    }
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

fn random_name(ext: &str) -> String {
    use rand::Rng;
    let n: u128 = rand::thread_rng().gen();
    format!("{n:032x}.{ext}")
}

/// Removes a file when dropped unless it was kept: the temporary upload never outlives a
/// refusal, whatever path the handler leaves by.
pub struct TempFile {
    path: PathBuf,
    keep: bool,
}

impl TempFile {
    /// The upload is recorded: keep the file.
    pub fn keep(&mut self) {
        self.keep = true;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Streams an upload to the uploads directory under a random name: capped at `limit` bytes,
/// typed by its first bytes (`accept` decides), never by its name. Returns the guard (call
/// `keep()` once the upload is recorded), the stored name, the content type and the size.
/// On every refusal the partial file is removed.
pub async fn receive_file(
    state: &AppState,
    request: Request,
    limit: u64,
    accept: impl Fn(&str) -> bool,
    what: &str,
    prefix: &str,
) -> ApiResult<(TempFile, String, String, u64)> {
    let too_big = || {
        ApiError::new(
            ErrorCode::MessageTooLarge,
            format!("uploads of this kind may have at most {limit} bytes"),
        )
    };
    if let Some(length) = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
    {
        if length > limit {
            return Err(too_big());
        }
    }
    let dir = state.config.uploads_dir();
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| anyhow::anyhow!("creating the uploads directory: {e}"))?;
    let mut temp = TempFile {
        path: dir.join(format!("incoming-{}", random_name("part"))),
        keep: false,
    };
    let mut file = tokio::fs::File::create(&temp.path)
        .await
        .map_err(|e| anyhow::anyhow!("creating an upload file: {e}"))?;
    let mut head: Vec<u8> = Vec::with_capacity(8192);
    let mut size: u64 = 0;
    let mut stream = request.into_body().into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| ApiError::validation("the upload was interrupted"))?;
        size += chunk.len() as u64;
        if size > limit {
            return Err(too_big());
        }
        if head.len() < 8192 {
            let take = (8192 - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..take]);
        }
        file.write_all(&chunk)
            .await
            .map_err(|e| anyhow::anyhow!("writing an upload: {e}"))?;
    }
    file.flush()
        .await
        .map_err(|e| anyhow::anyhow!("writing an upload: {e}"))?;
    drop(file);
    if size == 0 {
        return Err(ApiError::validation("the upload is empty"));
    }
    let (mime, ext) = sniff(&head, accept, what)?;
    let stored = format!("{prefix}-{}", random_name(ext));
    tokio::fs::rename(&temp.path, dir.join(&stored))
        .await
        .map_err(|e| anyhow::anyhow!("storing an upload: {e}"))?;
    temp.path = dir.join(&stored);
    Ok((temp, stored, mime, size))
}

/// Types an upload by its first bytes (at most 8 KiB of them): its content type and file
/// extension, or a `validation` error when `accept` refuses the type, the type is unknown, or
/// an image declares dimensions beyond the limits. Fuzzed in `fuzz/` (`upload_sniffing`).
pub fn sniff(
    head: &[u8],
    accept: impl Fn(&str) -> bool,
    what: &str,
) -> ApiResult<(String, &'static str)> {
    let (mime, ext) = match infer::get(head) {
        Some(t) if accept(t.mime_type()) => (t.mime_type().to_string(), t.extension()),
        Some(t) => {
            return Err(ApiError::validation(format!(
                "a {what} cannot be {} content",
                t.mime_type()
            )))
        }
        None => {
            return Err(ApiError::validation(format!(
                "the content is not an accepted {what} type"
            )))
        }
    };
    if mime.starts_with("image/") {
        // A few kilobytes can declare a picture of gigapixels that every browser showing it
        // must inflate; refuse images beyond the limits.
        crate::http::guard::check_image_dimensions(head).map_err(ApiError::validation)?;
    }
    Ok((mime, ext))
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
    let remaining = super::quota::remaining(&state, caller.user.id, UploadKind::Media).await?;
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
    let mut tx = state.store.pool().begin().await?;
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
    super::quota::record(&mut tx, caller.user.id, UploadKind::Media, size).await?;
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
    if !url.starts_with("https://") || url.len() > 500 || url.chars().any(char::is_whitespace) {
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
    responses((status = 200, description = "the file"), (status = 404, body = ErrorBody)))]
pub async fn serve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    request: Request,
) -> ApiResult<Response> {
    let (item, stored) = load_media(&state, id).await?;
    let Some(stored) = stored else {
        return Ok(axum::response::Redirect::temporary(&item.url).into_response());
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

/// Serves a stored upload (ranges included, for video seeking) under a safe display name,
/// with `nosniff` so a browser never second-guesses the checked type.
pub async fn serve_stored(
    state: &AppState,
    stored: &str,
    file_name: &str,
    request: Request,
) -> ApiResult<Response> {
    let mut response = if let Some((mime, bytes)) = crate::demo::embedded(stored) {
        // The demo booths' built-in media (no file on disk).
        (
            [
                (header::CONTENT_TYPE, mime),
                (header::CACHE_CONTROL, "private, max-age=86400"),
            ],
            bytes,
        )
            .into_response()
    } else {
        let path = state.config.uploads_dir().join(stored);
        tower_http::services::ServeFile::new(path)
            .oneshot(request)
            .await
            .map_err(|e| anyhow::anyhow!("serving a file: {e}"))?
            .map(Body::new)
    };
    if response.status() == StatusCode::NOT_FOUND {
        return Err(ApiError::not_found("the file is gone"));
    }
    let safe: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{safe}\"")) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(response)
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
    let mut tx = state.store.pool().begin().await?;
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
    fn file_names() {
        assert!(check_file_name("catalogue 2026.pdf").is_ok());
        assert!(check_file_name("카탈로그.pdf").is_ok());
        for bad in [
            "../etc/passwd",
            "a/b.pdf",
            "..\\x.pdf",
            "",
            "x\u{0}.pdf",
            "..pdf",
        ] {
            assert!(check_file_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn kinds_accept_by_content() {
        assert!(accepted(MediaKind::Brochure, "application/pdf"));
        assert!(!accepted(MediaKind::Brochure, "image/png"));
        assert!(accepted(MediaKind::Logo, "image/png"));
        assert!(!accepted(MediaKind::Video, "application/pdf"));
    }
}
