//! Sign-in throttling: failed attempts are rows in the database (`login_failures`), so every
//! node counts the same attempts, and an attempt beyond the limits is refused before any
//! password is hashed.
//!
//! An account (an email, whether or not it exists) may fail `EXPO_LOGIN_MAX_FAILURES` times
//! within the login window; after that each further attempt waits a back-off that doubles from
//! 30 seconds with every failure, capped at the window. A client address may fail
//! `EXPO_LOGIN_MAX_FAILURES_PER_ADDRESS` times within the window. Argon2 itself runs at most
//! [`MAX_CONCURRENT_HASHES`] at a time per node; an attempt that cannot get a turn within
//! [`HASH_QUEUE_WAIT`] is refused as `unavailable` rather than queued without end.

use crate::error::{ApiError, ApiResult};
use crate::store::now_ms;
use crate::AppState;
use expo_schema::ErrorCode;
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

/// Password hashes (and checks) that run at once on one node.
pub const MAX_CONCURRENT_HASHES: usize = 4;
/// How long an attempt waits for a hashing turn before it is refused.
pub const HASH_QUEUE_WAIT: Duration = Duration::from_secs(5);
/// The first back-off once an account is over its limit.
pub const FIRST_BACKOFF_MS: i64 = 30_000;

/// A turn at argon2: hold it while hashing or verifying.
pub async fn hashing_turn() -> ApiResult<SemaphorePermit<'static>> {
    hashing_turn_within(HASH_QUEUE_WAIT).await
}

async fn hashing_turn_within(wait: Duration) -> ApiResult<SemaphorePermit<'static>> {
    static TURNS: Semaphore = Semaphore::const_new(MAX_CONCURRENT_HASHES);
    match tokio::time::timeout(wait, TURNS.acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(ApiError::new(
            ErrorCode::Unavailable,
            "too many sign-ins at once; try again in a moment",
        )),
    }
}

/// Whether an attempt for `email` from `address` may be heard now; otherwise a
/// `rate_limited` error that says how many seconds to wait.
pub async fn check(state: &AppState, email: &str, address: &str) -> ApiResult<()> {
    let config = &state.config;
    let now = now_ms();
    let since = now - config.login_window_secs as i64 * 1000;
    let pool = state.store.pool();
    let by_address: i64 = sqlx::query_scalar(
        "select count(*) from login_failures where address = $1 and failed_ms > $2",
    )
    .bind(address)
    .bind(since)
    .fetch_one(pool)
    .await?;
    if by_address >= config.login_max_failures_per_address as i64 {
        let oldest: Option<i64> = sqlx::query_scalar(
            "select min(failed_ms) from login_failures where address = $1 and failed_ms > $2",
        )
        .bind(address)
        .bind(since)
        .fetch_one(pool)
        .await?;
        let until = oldest.unwrap_or(now) + config.login_window_secs as i64 * 1000;
        return Err(wait_error(until - now));
    }
    let row: (i64, Option<i64>) = sqlx::query_as(
        "select count(*), max(failed_ms) from login_failures where email = $1 and failed_ms > $2",
    )
    .bind(email)
    .bind(since)
    .fetch_one(pool)
    .await?;
    let (failures, last) = row;
    if let Some(wait) = backoff_ms(
        failures,
        config.login_max_failures as i64,
        config.login_window_secs as i64 * 1000,
    ) {
        let until = last.unwrap_or(now) + wait;
        if until > now {
            return Err(wait_error(until - now));
        }
    }
    Ok(())
}

/// The back-off after `failures` failures when `max` are free: none up to `max`, then 30 s,
/// 60 s, 120 s, … capped at the window.
pub fn backoff_ms(failures: i64, max: i64, window_ms: i64) -> Option<i64> {
    if failures < max.max(1) {
        return None;
    }
    let doublings = (failures - max.max(1)).min(20) as u32;
    Some(
        FIRST_BACKOFF_MS
            .saturating_mul(1 << doublings)
            .min(window_ms),
    )
}

fn wait_error(wait_ms: i64) -> ApiError {
    let secs = (wait_ms.max(0) + 999) / 1000;
    ApiError::new(
        ErrorCode::RateLimited,
        format!("too many failed sign-ins; try again in {secs} seconds"),
    )
}

/// Records a failed attempt (and forgets those older than the window).
pub async fn failed(state: &AppState, email: &str, address: &str) -> ApiResult<()> {
    let now = now_ms();
    let pool = state.store.pool();
    sqlx::query("insert into login_failures (email, address, failed_ms) values ($1, $2, $3)")
        .bind(email)
        .bind(address)
        .bind(now)
        .execute(pool)
        .await?;
    sqlx::query("delete from login_failures where failed_ms <= $1")
        .bind(now - state.config.login_window_secs as i64 * 1000)
        .execute(pool)
        .await?;
    Ok(())
}

/// A successful sign-in clears the account's failures (its address's stay counted).
pub async fn succeeded(state: &AppState, email: &str) -> ApiResult<()> {
    sqlx::query("delete from login_failures where email = $1")
        .bind(email)
        .execute(state.store.pool())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashing_turns_are_bounded() {
        let wait = Duration::from_millis(50);
        let mut held = Vec::new();
        for _ in 0..MAX_CONCURRENT_HASHES {
            held.push(hashing_turn_within(wait).await.unwrap());
        }
        // Every turn is taken: the next attempt waits its time, then is refused.
        let refused = hashing_turn_within(wait).await.unwrap_err();
        assert_eq!(refused.body().code, ErrorCode::Unavailable);
        held.pop();
        assert!(hashing_turn_within(wait).await.is_ok());
    }

    #[test]
    fn backoff_doubles_up_to_the_window() {
        let window = 15 * 60 * 1000;
        assert_eq!(backoff_ms(4, 5, window), None);
        assert_eq!(backoff_ms(5, 5, window), Some(30_000));
        assert_eq!(backoff_ms(6, 5, window), Some(60_000));
        assert_eq!(backoff_ms(7, 5, window), Some(120_000));
        assert_eq!(backoff_ms(100, 5, window), Some(window));
    }
}
