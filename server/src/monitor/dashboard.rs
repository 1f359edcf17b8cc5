//! The organizers' live dashboard: room `dashboard`, a snapshot every few seconds.
//!
//! A snapshot is built from presence (people online: the quiet room `~online`; booths: each
//! booth's and duty room's members) and from a handful of indexed counts (today's
//! meetings, check-ins, chat messages in the last minute, missed talk requests), once per
//! tick, never per event. Every node builds its own for its own viewers from the same shared
//! sources, so the figures are the same whichever node an organizer is connected to. The
//! fair-level gauges in `/metrics` are set from the same snapshot.

use super::ONLINE_ROOM;
use crate::auth::Caller;
use crate::booths::live::summarize;
use crate::error::ApiResult;
use crate::store::now_ms;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use chrono::TimeZone;
use expo_schema::protocol::room::Room;
use expo_schema::protocol::RoomEvent;
use expo_schema::{BoothNow, DashboardSnapshot, HallNow, Role, ShowNow};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use utoipa_axum::{router::OpenApiRouter, routes};

pub const DASHBOARD_ROOM: &str = expo_schema::protocol::room::named::DASHBOARD;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(now))
}

/// The fair day `at_ms` falls on, and its bounds, in the fair's time zone.
pub fn fair_day(state: &AppState, at_ms: i64) -> (String, i64, i64) {
    let tz: chrono_tz::Tz = state
        .config
        .fair_timezone
        .parse()
        .unwrap_or(chrono_tz::Asia::Seoul);
    let local = chrono::DateTime::from_timestamp_millis(at_ms)
        .unwrap_or_default()
        .with_timezone(&tz);
    let day = local.date_naive();
    let bound = |d: chrono::NaiveDate| {
        tz.from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
            .earliest()
            .map(|t| t.timestamp_millis())
            .unwrap_or(at_ms)
    };
    let next = day.succ_opt().unwrap_or(day);
    (day.format("%Y-%m-%d").to_string(), bound(day), bound(next))
}

/// Builds the snapshot.
pub async fn snapshot(state: &AppState) -> ApiResult<DashboardSnapshot> {
    let now = now_ms();
    let (day, from, to) = fair_day(state, now);
    let pool = state.store.pool();
    let online = state
        .hub
        .presence(ONLINE_ROOM)
        .await
        .map_err(crate::error::ApiError::Other)?;
    let mut people = HashMap::new();
    for entry in &online {
        people
            .entry(entry.user.id)
            .or_insert_with(|| entry.user.clone());
    }
    let mut by_role = BTreeMap::new();
    let mut by_country = BTreeMap::new();
    for user in people.values() {
        *by_role.entry(user.role.as_str().to_string()).or_insert(0) += 1;
        if user.role != Role::Organizer {
            let country = user.country.clone().unwrap_or_else(|| "??".into());
            *by_country.entry(country).or_insert(0) += 1;
        }
    }
    let online_today: HashSet<i64> = sqlx::query_scalar(
        "select distinct user_id from online_sessions \
         where connected_ms < $2 and (disconnected_ms is null or disconnected_ms >= $1)",
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?
    .into_iter()
    .collect();
    let onsite_today: HashSet<i64> = sqlx::query_scalar(
        "select distinct user_id from onsite_checkins where at_ms >= $1 and at_ms < $2",
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?
    .into_iter()
    .collect();
    let companies: Vec<(i64, String, Option<i64>)> =
        sqlx::query_as("select id, name, hall_id from companies order by id")
            .fetch_all(pool)
            .await?;
    let halls: Vec<(i64, String)> =
        sqlx::query_as("select id, name from halls order by position, id")
            .fetch_all(pool)
            .await?;
    // Read from presence itself (the shared truth), not from this node's booth cache, which
    // follows bus notifications and could trail them: every node must show the same figures.
    let live = futures_util::future::join_all(companies.iter().map(|(id, _, _)| async move {
        let inside = state.hub.presence(&Room::Booth(*id).to_string()).await?;
        let on_duty = state.hub.presence(&Room::Duty(*id).to_string()).await?;
        anyhow::Ok(summarize(*id, &inside, &on_duty))
    }))
    .await
    .into_iter()
    .collect::<anyhow::Result<Vec<_>>>()
    .map_err(crate::error::ApiError::Other)?;
    let mut booths = Vec::with_capacity(companies.len());
    let mut per_hall: HashMap<i64, i64> = HashMap::new();
    for ((id, name, hall_id), live) in companies.into_iter().zip(live) {
        let (visitors_now, staff_on_duty) = (live.visitors_now, live.staff_on_duty.len() as i64);
        if let Some(hall) = hall_id {
            *per_hall.entry(hall).or_insert(0) += visitors_now;
        }
        booths.push(BoothNow {
            company_id: id,
            name,
            hall_id,
            visitors_now,
            staff_on_duty,
        });
    }
    let booths_unstaffed = booths.iter().filter(|b| b.staff_on_duty == 0).count() as i64;
    let meetings_in_progress: i64 = sqlx::query_scalar(
        "select count(*) from meetings where state = 'confirmed' and starts_ms <= $1 and ends_ms > $1",
    )
    .bind(now)
    .fetch_one(pool)
    .await?;
    let states: Vec<(String, i64)> = sqlx::query_as(
        "select state, count(*) from meetings where starts_ms >= $1 and starts_ms < $2 group by state",
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    let mut meetings_today: BTreeMap<String, i64> = states.into_iter().collect();
    let (held, no_show): (i64, i64) = sqlx::query_as(
        "select coalesce(sum(case when buyer_no_show = 0 and company_no_show = 0 then 1 else 0 end), 0), \
         coalesce(sum(case when buyer_no_show = 1 or company_no_show = 1 then 1 else 0 end), 0) \
         from meetings where state = 'confirmed' and closed_ms is not null \
         and starts_ms >= $1 and starts_ms < $2",
    )
    .bind(from)
    .bind(to)
    .fetch_one(pool)
    .await?;
    meetings_today.insert("held".into(), held);
    meetings_today.insert("no_show".into(), no_show);
    let chat_messages_last_minute: i64 =
        sqlx::query_scalar("select count(*) from chat_messages where created_ms > $1")
            .bind(now - 60_000)
            .fetch_one(pool)
            .await?;
    let talk_missed_today: i64 = sqlx::query_scalar(
        "select count(*) from talk_requests where state = 'missed' and created_ms >= $1 and created_ms < $2",
    )
    .bind(from)
    .bind(to)
    .fetch_one(pool)
    .await?;
    let shows = shows_today(state, from, to).await?;
    Ok(DashboardSnapshot {
        at_ms: now,
        day,
        online_now: people.len() as i64,
        online_by_role: by_role,
        online_by_country: by_country,
        online_today: online_today.len() as i64,
        onsite_today: onsite_today.len() as i64,
        both_today: online_today.intersection(&onsite_today).count() as i64,
        halls: halls
            .into_iter()
            .map(|(hall_id, name)| HallNow {
                visitors_now: per_hall.get(&hall_id).copied().unwrap_or(0),
                hall_id,
                name,
            })
            .collect(),
        booths,
        booths_unstaffed,
        meetings_in_progress,
        meetings_today,
        chat_messages_last_minute,
        talk_missed_today,
        shows,
    })
}

/// The stage panel: shows live now or scheduled within the fair day, by start, with their
/// viewers now (presence over every node) and peak (`stage::peaks`).
async fn shows_today(state: &AppState, from: i64, to: i64) -> ApiResult<Vec<ShowNow>> {
    let rows: Vec<(i64, i64, String, String, i64, i64, i64)> = sqlx::query_as(
        "select id, stage_id, title, state, starts_ms, ends_ms, peak_viewers from shows \
         where state = 'live' or (starts_ms < $2 and ends_ms > $1) order by starts_ms, id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(state.store.pool())
    .await?;
    let mut shows = Vec::with_capacity(rows.len());
    for (show_id, stage_id, title, show_state, starts_ms, ends_ms, peak) in rows {
        let viewers_now = state
            .hub
            .snapshot(&Room::Show(show_id).to_string())
            .await
            .map_err(crate::error::ApiError::Other)?
            .total as i64;
        shows.push(ShowNow {
            show_id,
            stage_id,
            title,
            state: show_state,
            starts_ms,
            ends_ms,
            viewers_now,
            // The sampler may not have caught a rise of the last second yet.
            peak_viewers: peak.max(viewers_now),
        });
    }
    Ok(shows)
}

/// Sets the fair-level gauges in `/metrics`.
fn gauges(state: &AppState, s: &DashboardSnapshot) {
    metrics::gauge!("expo_fair_online_people").set(s.online_now as f64);
    for (role, n) in &s.online_by_role {
        metrics::gauge!("expo_fair_online_people_by_role", "role" => role.clone()).set(*n as f64);
    }
    metrics::gauge!("expo_fair_booth_visitors")
        .set(s.booths.iter().map(|b| b.visitors_now).sum::<i64>() as f64);
    metrics::gauge!("expo_fair_booths_unstaffed").set(s.booths_unstaffed as f64);
    metrics::gauge!("expo_fair_meetings_in_progress").set(s.meetings_in_progress as f64);
    metrics::gauge!("expo_fair_onsite_today").set(s.onsite_today as f64);
    metrics::gauge!("expo_fair_chat_messages_last_minute").set(s.chat_messages_last_minute as f64);
    metrics::gauge!("expo_node_connections").set(state.hub.connection_count() as f64);
}

/// Pushes a snapshot to this node's dashboard viewers every `EXPO_DASHBOARD_INTERVAL_MS`, and
/// keeps the gauges fresh (every tick while someone watches, else every fifth).
pub async fn run(state: AppState, shutdown: CancellationToken) {
    let every = Duration::from_millis(state.config.dashboard_interval_ms.max(200));
    let mut ticker = tokio::time::interval(every);
    let mut n: u64 = 0;
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = ticker.tick() => {}
        }
        n += 1;
        let watched = state.hub.has_local_members(DASHBOARD_ROOM);
        if !watched && n % 5 != 1 {
            continue;
        }
        match snapshot(&state).await {
            Ok(snapshot) => {
                gauges(&state, &snapshot);
                if watched {
                    let event = RoomEvent::Dashboard { snapshot };
                    crate::events::send_local(&state.hub, Room::Dashboard, event);
                }
            }
            Err(error) => tracing::warn!(?error, "dashboard snapshot failed"),
        }
    }
}

/// The dashboard now (organizers); subscribe to room `dashboard` for updates.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "monitoring",
    responses((status = 200, body = DashboardSnapshot), (status = 403, body = expo_schema::ErrorBody)))]
pub async fn now(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<DashboardSnapshot>> {
    caller.require_role(Role::Organizer)?;
    Ok(Json(snapshot(&state).await?))
}
