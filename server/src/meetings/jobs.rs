//! Timed meeting work, run by every node and done exactly once across all of them: every
//! piece is claimed through the database before it is acted on.
//!
//! - Expiry: `update … returning` turns run-out holds into `expired`; the rows a node gets
//!   back are its own to announce (another node's identical update finds none left).
//! - Reminders (24 hours, 15 minutes, at the start): a node claims one by inserting
//!   `(meeting, kind, sequence)` into `meeting_notices`; the primary key lets one insert win.
//!   A reschedule raises the sequence, which arms the reminders again for the new time.
//! - Closing: after the end, `update … returning` closes each confirmed meeting once and marks
//!   a side that never checked in as a no-show.

use super::{changed, expire_holds, load_many, Change};
use crate::error::ApiResult;
use crate::mail::{send_about, Topic};
use crate::AppState;
use expo_schema::protocol::room::Room;
use expo_schema::protocol::RoomEvent;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Reminder kinds: `(kind, opens before the start, closes before the start)`. A reminder is
/// due from its opening for [`GRACE_MS`] (and never past its close): a meeting confirmed 20
/// hours ahead gets no stale "24 hours" reminder at once, and one confirmed 10 minutes ahead
/// still gets the 15-minute one.
const REMINDERS: &[(&str, i64, i64)] = &[
    ("24h", 24 * 3600 * 1000, 15 * 60 * 1000),
    ("15m", 15 * 60 * 1000, 0),
];

/// How late a reminder may still go out.
pub const GRACE_MS: i64 = 10 * 60 * 1000;

/// What one pass did (for tests and logs).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub reminders: usize,
    pub closed: usize,
}

/// Runs the job loop until shutdown.
pub async fn run(state: AppState, shutdown: CancellationToken) {
    let every = Duration::from_millis(state.config.job_interval_ms.max(50));
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = ticker.tick() => {}
        }
        if let Err(error) = tick(&state).await {
            tracing::warn!(?error, "meeting jobs failed");
        }
    }
}

/// One pass over due work.
pub async fn tick(state: &AppState) -> ApiResult<Pass> {
    expire_holds(state).await?;
    let mut pass = Pass::default();
    let now = state.now_ms();
    let node = state.hub.node_id().to_string();
    let mut due: Vec<(i64, i64, &str)> = Vec::new();
    for (kind, opens, closes) in REMINDERS {
        // Due while start − opens ≤ now < start − opens + grace and now < start − closes,
        // i.e. for starts in (lo, hi]: a range the index on confirmed starts answers.
        let hi = now + opens;
        let lo = (now + closes).max(now + opens - GRACE_MS);
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "select m.id, m.sequence from meetings m where m.state = 'confirmed' \
             and m.starts_ms > $1 and m.starts_ms <= $2 \
             and not exists (select 1 from meeting_notices n where n.meeting_id = m.id \
                 and n.kind = $3 and n.sequence = m.sequence)",
        )
        .bind(lo)
        .bind(hi)
        .bind(kind)
        .fetch_all(state.store.pool())
        .await?;
        due.extend(rows.into_iter().map(|(id, seq)| (id, seq, *kind)));
    }
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "select m.id, m.sequence from meetings m where m.state = 'confirmed' \
         and m.starts_ms <= $1 and m.starts_ms > $1 - $2 and m.ends_ms > $1 \
         and not exists (select 1 from meeting_notices n where n.meeting_id = m.id \
             and n.kind = 'start' and n.sequence = m.sequence)",
    )
    .bind(now)
    .bind(GRACE_MS)
    .fetch_all(state.store.pool())
    .await?;
    due.extend(rows.into_iter().map(|(id, seq)| (id, seq, "start")));
    for (id, sequence, kind) in due {
        let claimed = sqlx::query(
            "insert into meeting_notices (meeting_id, kind, sequence, node, sent_ms) \
             values ($1, $2, $3, $4, $5) on conflict (meeting_id, kind, sequence) do nothing",
        )
        .bind(id)
        .bind(kind)
        .bind(sequence)
        .bind(&node)
        .bind(now)
        .execute(state.store.pool())
        .await?
        .rows_affected()
            == 1;
        if claimed {
            remind(state, id, kind).await?;
            pass.reminders += 1;
        }
    }
    let closed: Vec<i64> = sqlx::query_scalar(
        "update meetings set closed_ms = $1, updated_ms = $1, \
         buyer_no_show = case when buyer_checkin_ms is null then 1 else 0 end, \
         company_no_show = case when company_checkin_ms is null then 1 else 0 end \
         where state = 'confirmed' and closed_ms is null and ends_ms <= $1 returning id",
    )
    .bind(now)
    .fetch_all(state.store.pool())
    .await?;
    for meeting in load_many(state, &closed).await? {
        if meeting.attendance.buyer_no_show || meeting.attendance.company_no_show {
            metrics::counter!("expo_meeting_no_shows_total").increment(1);
        }
        changed(state, &meeting, Change::Updated).await;
    }
    pass.closed = closed.len();
    Ok(pass)
}

async fn remind(state: &AppState, id: i64, kind: &str) -> ApiResult<()> {
    let Some(meeting) = load_many(state, &[id]).await?.pop() else {
        return Ok(());
    };
    metrics::counter!("expo_meeting_reminders_total", "kind" => kind.to_string()).increment(1);
    for user in super::audience(state, &meeting).await {
        let event = RoomEvent::MeetingReminder {
            meeting: meeting.clone(),
            when: kind.to_string(),
        };
        crate::events::publish(&state.hub, Room::User(user), event).await;
    }
    if kind != "start" {
        send_about(state, &meeting, Topic::Reminder);
    }
    Ok(())
}
