//! Organizer monitoring: attendance records, node liveness, QR badges and onsite check-ins,
//! the live dashboard (`dashboard.rs`) and reports (`reports.rs`).
//!
//! Every websocket connection is an `online_sessions` row, opened when the welcome frame goes
//! out and closed when the connection ends. A node that dies cannot close its rows, so every
//! node beats into `node_beats`; any node that finds a beat older than the presence timeout
//! closes that node's open sessions and booth visits at the time its presence expired (its
//! last beat plus the timeout), which is when everyone else saw those people leave.

pub mod dashboard;
pub mod reports;
pub mod sessions;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, JsonBody};
use crate::hub::ConnHandle;
use crate::store::now_ms;
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use axum::Json;
use expo_schema::api::{Badge, ScanInput};
use expo_schema::{CheckIn, ErrorBody, Role};
use sessions::SessionEvent;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use utoipa_axum::{router::OpenApiRouter, routes};

/// The quiet room every connection is counted in, for who is online across nodes.
pub const ONLINE_ROOM: &str = "~online";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_badge))
        .routes(routes!(my_badge_svg))
        .routes(routes!(scan))
        .merge(dashboard::router())
        .merge(reports::router())
}

/// A connection opened: record the session and count it online.
pub async fn session_opened(state: &AppState, conn: &ConnHandle) {
    let user = &conn.identity.user;
    let (counted, _) = tokio::join!(
        state.hub.count_in(conn, ONLINE_ROOM),
        state.sessions.record(SessionEvent::Opened {
            user_id: user.id,
            role: user.role.as_str().to_string(),
            country: user.country.clone(),
            node: state.hub.node_id().to_string(),
            conn_id: conn.id.clone(),
            at_ms: now_ms(),
        })
    );
    if let Err(error) = counted {
        tracing::debug!(?error, "joining the online room failed");
    }
}

/// A connection ended.
pub async fn session_closed(state: &AppState, conn: &ConnHandle) {
    state
        .sessions
        .record(SessionEvent::Closed {
            conn_id: conn.id.clone(),
            at_ms: now_ms(),
        })
        .await;
}

/// Beats for this node and sweeps up after dead ones, until shutdown; then marks the node
/// stopped (its connections have been drained and closed their own records by then).
pub async fn run(state: AppState, shutdown: CancellationToken) {
    let node = state.hub.node_id().to_string();
    let ttl = state.config.presence_ttl().as_millis() as i64;
    let started = now_ms();
    // A previous life of this node id (a crash, then a restart) left rows open.
    if let Err(error) = close_lost(&state, Some((&node, started)), ttl).await {
        tracing::warn!(?error, "closing a previous run's sessions failed");
    }
    let every = Duration::from_millis((ttl / 3).max(200) as u64);
    let mut ticker = tokio::time::interval(every);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = ticker.tick() => {}
        }
        let beat = sqlx::query(
            "insert into node_beats (node, started_ms, seen_ms) values ($1, $2, $3) \
             on conflict (node) do update set seen_ms = excluded.seen_ms, \
             started_ms = excluded.started_ms, stopped_ms = null",
        )
        .bind(&node)
        .bind(started)
        .bind(now_ms())
        .execute(state.store.pool())
        .await;
        if let Err(error) = beat {
            tracing::warn!(?error, "node beat failed");
        }
        if let Err(error) = close_lost(&state, None, ttl).await {
            tracing::warn!(?error, "sweeping lost nodes failed");
        }
    }
    // Wait for the drain (connections close their own rows), then say goodbye.
    state.hub.shutdown_token().cancelled().await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let _ = sqlx::query("update node_beats set stopped_ms = $1 where node = $2")
        .bind(now_ms())
        .bind(&node)
        .execute(state.store.pool())
        .await;
}

/// Closes the open sessions and booth visits of nodes whose beat is older than the presence
/// timeout (or, at start-up, what this node id's previous run left open before `started`), at
/// the time their presence expired. Idempotent: a row is closed once, whichever node gets
/// there first.
async fn close_lost(state: &AppState, restart: Option<(&str, i64)>, ttl: i64) -> ApiResult<()> {
    let cut = now_ms() - ttl;
    let lost: Vec<(String, i64)> =
        match restart {
            Some((node, _)) => {
                sqlx::query_as("select node, seen_ms from node_beats where node = $1")
                    .bind(node)
                    .fetch_all(state.store.pool())
                    .await?
            }
            None => sqlx::query_as(
                "select node, seen_ms from node_beats where seen_ms < $1 and stopped_ms is null",
            )
            .bind(cut)
            .fetch_all(state.store.pool())
            .await?,
        };
    for (node, seen) in lost {
        let gone = match restart {
            Some((_, started)) => (seen + ttl).min(started),
            None => seen + ttl,
        };
        let sessions = sqlx::query(
            "update online_sessions set disconnected_ms = $1, ended = 'node_lost' \
             where node = $2 and disconnected_ms is null and connected_ms < $1",
        )
        .bind(gone)
        .bind(&node)
        .execute(state.store.pool())
        .await?
        .rows_affected();
        let visits = sqlx::query(
            "update booth_visits set left_ms = $1 where left_ms is null and source = 'online' \
             and conn_id like $2 and entered_ms < $1",
        )
        .bind(gone)
        .bind(format!("{node}-%"))
        .execute(state.store.pool())
        .await?
        .rows_affected();
        if node_is_gone(state, &node, cut).await? {
            sqlx::query("update node_beats set stopped_ms = $1 where node = $2 and seen_ms < $3")
                .bind(gone)
                .bind(&node)
                .bind(cut)
                .execute(state.store.pool())
                .await?;
        }
        if sessions + visits > 0 {
            metrics::counter!("expo_lost_node_sessions_closed_total").increment(sessions);
            tracing::info!(node, sessions, visits, "closed the records of a lost node");
        }
    }
    Ok(())
}

async fn node_is_gone(state: &AppState, node: &str, cut: i64) -> ApiResult<bool> {
    let seen: Option<i64> = sqlx::query_scalar("select seen_ms from node_beats where node = $1")
        .bind(node)
        .fetch_optional(state.store.pool())
        .await?;
    Ok(seen.is_some_and(|s| s < cut))
}

/// The letters and digits of badge codes: none that people confuse (no 0/O, 1/I/L).
const BADGE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A scanned or typed badge code in its stored form (`EXPO-` and ten code letters, upper
/// case), or `None` when it cannot be one: what a camera reads from any QR code is refused
/// before it reaches a query.
pub fn badge_code(input: &str) -> Option<String> {
    let code = input.trim();
    if code.len() > 64 {
        return None;
    }
    let code = code.to_ascii_uppercase();
    let rest = code.strip_prefix("EXPO-")?;
    (rest.len() == 10 && rest.bytes().all(|b| BADGE_ALPHABET.contains(&b))).then_some(code)
}

async fn badge_of(state: &AppState, user_id: i64) -> ApiResult<String> {
    let current: Option<String> = sqlx::query_scalar("select badge_code from users where id = $1")
        .bind(user_id)
        .fetch_one(state.store.pool())
        .await?;
    if let Some(code) = current {
        return Ok(code);
    }
    // Short enough to type from a printed badge, long enough not to guess (31^10 ≈ 8·10^14),
    // in letters and digits nobody confuses (no 0/O, 1/I/L).
    const ALPHABET: &[u8] = BADGE_ALPHABET;
    let code: String = {
        use rand::Rng;
        let mut rng = rand::thread_rng();
        (0..10)
            .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
            .collect()
    };
    let code = format!("EXPO-{code}");
    sqlx::query("update users set badge_code = $1 where id = $2 and badge_code is null")
        .bind(&code)
        .bind(user_id)
        .execute(state.store.pool())
        .await?;
    let stored: Option<String> = sqlx::query_scalar("select badge_code from users where id = $1")
        .bind(user_id)
        .fetch_one(state.store.pool())
        .await?;
    Ok(stored.unwrap_or(code))
}

/// Your badge code (made on first request).
#[utoipa::path(get, path = "/api/v1/me/badge", tag = "monitoring",
    responses((status = 200, body = Badge)))]
pub async fn my_badge(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Badge>> {
    Ok(Json(Badge {
        code: badge_of(&state, caller.user.id).await?,
        name: caller.user.name.clone(),
    }))
}

/// Your badge as a QR code to show at the entrance or print.
#[utoipa::path(get, path = "/api/v1/me/badge.svg", tag = "monitoring",
    responses((status = 200, content_type = "image/svg+xml")))]
pub async fn my_badge_svg(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    let code = badge_of(&state, caller.user.id).await?;
    crate::http::qr_svg(&code)
}

/// A scan of the same badge at the same place within this long of an earlier one is a repeat.
const REPEAT_SCAN_WINDOW_MS: i64 = 24 * 60 * 60 * 1000;

/// Scans a badge: organizers at the entrance (or any booth), exhibitor staff at their booth.
/// A booth scan is also an onsite booth visit, so the visitor becomes a lead.
#[utoipa::path(post, path = "/api/v1/checkins", tag = "monitoring", request_body = ScanInput,
    responses((status = 201, body = CheckIn), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn scan(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<ScanInput>,
) -> ApiResult<(axum::http::StatusCode, Json<CheckIn>)> {
    let company = match caller.user.role {
        Role::Organizer => input.company_id,
        Role::Exhibitor => {
            let own = caller.user.company_id;
            if input.company_id.is_some_and(|c| Some(c) != own) {
                return Err(ApiError::forbidden("staff scan badges at their own booth"));
            }
            own
        }
        _ => {
            return Err(ApiError::forbidden(
                "organizers and exhibitor staff scan badges",
            ))
        }
    };
    let code = badge_code(&input.badge_code)
        .ok_or_else(|| ApiError::not_found("no badge with that code"))?;
    let user_id: i64 =
        sqlx::query_scalar("select id from users where badge_code = $1 and status = 'active'")
            .bind(&code)
            .fetch_optional(state.store.pool())
            .await?
            .ok_or_else(|| ApiError::not_found("no badge with that code"))?;
    let user = crate::auth::load_user(&state.store, user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("no badge with that code"))?;
    let now = now_ms();
    let place = if company.is_some() {
        "booth"
    } else {
        "entrance"
    };
    // A repeat scan is recorded like any other, and answered with the time of the first scan
    // at the same place in the last 24 hours, so the scanner can say "already checked in".
    let first_at_ms: Option<i64> = sqlx::query_scalar(
        "select min(at_ms) from onsite_checkins where user_id = $1 and place = $2 \
         and coalesce(company_id, 0) = $3 and at_ms > $4",
    )
    .bind(user_id)
    .bind(place)
    .bind(company.unwrap_or(0))
    .bind(now - REPEAT_SCAN_WINDOW_MS)
    .fetch_one(state.store.pool())
    .await?;
    let mut tx = state.store.begin_write().await?;
    let id = record_checkin(&mut tx, user_id, company, Some(caller.user.id), now).await?;
    tx.commit().await?;
    metrics::counter!("expo_onsite_checkins_total", "place" => place).increment(1);
    Ok((
        axum::http::StatusCode::CREATED,
        Json(CheckIn {
            id,
            user: user.summary(),
            place: place.to_string(),
            company_id: company,
            at_ms: now,
            first_at_ms,
        }),
    ))
}

/// Records a badge scan at the entrance (no company) or at a booth, where it is also an
/// onsite visit; returns the check-in's id. Inside the caller's transaction.
pub(crate) async fn record_checkin(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    company: Option<i64>,
    scanned_by: Option<i64>,
    at_ms: i64,
) -> sqlx::Result<i64> {
    let place = if company.is_some() {
        "booth"
    } else {
        "entrance"
    };
    let id: i64 = sqlx::query_scalar(
        "insert into onsite_checkins (user_id, place, company_id, scanned_by, at_ms) \
         values ($1, $2, $3, $4, $5) returning id",
    )
    .bind(user_id)
    .bind(place)
    .bind(company)
    .bind(scanned_by)
    .bind(at_ms)
    .fetch_one(&mut *conn)
    .await?;
    if let Some(company) = company {
        sqlx::query(
            "insert into booth_visits (company_id, user_id, conn_id, entered_ms, left_ms, source) \
             values ($1, $2, $3, $4, $4, 'onsite')",
        )
        .bind(company)
        .bind(user_id)
        .bind(format!("onsite-{id}"))
        .bind(at_ms)
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

#[cfg(test)]
mod badge_tests {
    use super::*;

    #[test]
    fn badge_codes() {
        assert_eq!(
            badge_code(" expo-abcdefghjk ").as_deref(),
            Some("EXPO-ABCDEFGHJK")
        );
        assert_eq!(badge_code("EXPO-ABCDEFGHJ0"), None, "no zero");
        assert_eq!(badge_code("EXPO-ABC"), None);
        assert_eq!(badge_code("https://evil.example/EXPO-ABCDEFGHJK"), None);
        assert_eq!(badge_code(""), None);
    }

    /// Badge codes from camera or keyboard: no panic, and what passes has the stored shape.
    #[test]
    fn fuzz_badge_codes() {
        use crate::http::guard::fuzzing;
        let seeds: &[&[u8]] = &[
            b"EXPO-ABCDEFGHJK",
            b" expo-23456789ab\n",
            "EXPO-ÄBCDEFGHJK".as_bytes(),
        ];
        let mut rng = fuzzing::rng("badge codes");
        for _ in 0..fuzzing::iterations() {
            let raw = fuzzing::mutate(&mut rng, seeds);
            let text = String::from_utf8_lossy(&raw);
            if let Some(code) = badge_code(&text) {
                assert_eq!(code.len(), 15);
                assert!(code.starts_with("EXPO-"));
                assert!(code[5..].bytes().all(|b| BADGE_ALPHABET.contains(&b)));
                assert_eq!(badge_code(&code).as_deref(), Some(code.as_str()));
            }
        }
    }
}
