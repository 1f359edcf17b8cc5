//! Uploads, for booth media and chat attachments alike: a request body streamed to a
//! temporary file under the uploads directory with a size cap, typed by its first bytes
//! (never by its name), then moved to a random name; every refusal removes the temporary
//! file. Uploaded file names are checked (no paths, no `..`) and only ever shown, never used
//! to build a path. Also serving a stored file, deleting files, and the daily quotas
//! (`quota.rs`). The booth's media (`booths/media.rs`) and the chat's attachments
//! (`chat/routes.rs`) both build on this module.

pub mod quota;

use crate::error::{ApiError, ApiResult};
use crate::AppState;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use expo_schema::ErrorCode;
use futures_util::StreamExt;
use std::path::PathBuf;
use tokio::io::AsyncWriteExt;
use tower::ServiceExt;

/// Images never need more than this.
pub const MAX_IMAGE_BYTES: u64 = 5 * 1024 * 1024;

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
}
