//! Daily upload quotas per user, for booth media and chat attachments alike.
//!
//! Each stored upload leaves a row in `upload_ledger` that outlives its file (a deleted photo
//! or a swept attachment still counts), so deleting and uploading again does not reset a
//! quota. A user may store at most so many files and so many bytes of each kind in any 24
//! hours; the check runs before the body is read, and the bytes still allowed cap the upload
//! (413 beyond them). Concurrent uploads of one user may each pass the check, so the quota can
//! be exceeded by what is in flight at once.

use crate::error::{ApiError, ApiResult};
use crate::store::now_ms;
use crate::AppState;
use expo_schema::ErrorCode;

const DAY_MS: i64 = 24 * 3600 * 1000;

/// What an upload is, for its quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadKind {
    /// Booth media: logos, photos, brochures, videos.
    Media,
    /// A chat attachment.
    Attachment,
}

impl UploadKind {
    fn as_str(self) -> &'static str {
        match self {
            UploadKind::Media => "media",
            UploadKind::Attachment => "attachment",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            UploadKind::Media => "booth media files",
            UploadKind::Attachment => "attachments",
        }
    }

    /// (files, bytes) a user may upload in 24 hours.
    fn limits(self, state: &AppState) -> (u64, u64) {
        let config = &state.config;
        match self {
            UploadKind::Media => (config.media_uploads_per_day, config.media_quota_bytes),
            UploadKind::Attachment => (config.uploads_per_day, config.upload_quota_bytes),
        }
    }
}

/// The bytes `user_id` may still upload of `kind` today; refuses (`rate_limited`, 429) when
/// their files or bytes of the last 24 hours are used up.
pub async fn remaining(state: &AppState, user_id: i64, kind: UploadKind) -> ApiResult<u64> {
    let (count, bytes): (i64, Option<i64>) = sqlx::query_as(
        "select count(*), coalesce(cast(sum(size_bytes) as bigint), 0) from upload_ledger \
         where user_id = $1 and kind = $2 and created_ms > $3",
    )
    .bind(user_id)
    .bind(kind.as_str())
    .bind(now_ms() - DAY_MS)
    .fetch_one(state.store.pool())
    .await?;
    let (max_files, max_bytes) = kind.limits(state);
    if count as u64 >= max_files {
        return Err(ApiError::new(
            ErrorCode::RateLimited,
            format!(
                "at most {max_files} {} a day; try again tomorrow",
                kind.noun()
            ),
        ));
    }
    let used = bytes.unwrap_or(0).max(0) as u64;
    if used >= max_bytes {
        return Err(ApiError::new(
            ErrorCode::RateLimited,
            format!(
                "at most {} MiB of {} a day; try again tomorrow",
                max_bytes >> 20,
                kind.noun()
            ),
        ));
    }
    Ok(max_bytes - used)
}

/// Records a stored upload (in the transaction that stores its row), and forgets the user's
/// records older than a day.
pub async fn record(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    kind: UploadKind,
    size: u64,
) -> ApiResult<()> {
    let now = now_ms();
    sqlx::query("delete from upload_ledger where user_id = $1 and created_ms <= $2")
        .bind(user_id)
        .bind(now - DAY_MS)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "insert into upload_ledger (user_id, kind, size_bytes, created_ms) \
         values ($1, $2, $3, $4)",
    )
    .bind(user_id)
    .bind(kind.as_str())
    .bind(size as i64)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
