//! Peak audiences that hold across nodes. Viewers now is the show's room over every node
//! (presence, the shared truth); the peak is a column of the show, raised by a conditional
//! update (`where peak_viewers < $1`), so every node may sample and the largest count wins
//! whichever node saw it. Every node samples its live shows once a second: a peak lasting a
//! second is caught even when a node is down.

use crate::hub::Hub;
use crate::store::{now_ms, Store};
use crate::tasks::Tasks;
use expo_schema::protocol::room::Room;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often each node samples its live shows.
pub const EVERY: Duration = Duration::from_secs(1);

/// Starts the sampler (supervised: restarted if it ever ends, shown in `/readyz`).
pub fn start(store: Store, hub: Hub, tasks: &Tasks, shutdown: CancellationToken) {
    let stop = shutdown.clone();
    tasks.spawn("show-peaks", shutdown, move || {
        run(store.clone(), hub.clone(), stop.clone())
    });
}

async fn run(store: Store, hub: Hub, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.cancelled() => return,
        }
        if let Err(error) = sample(&store, &hub).await {
            // The next tick tries again (a database or Redis outage passes).
            metrics::counter!("expo_show_peak_errors_total").increment(1);
            tracing::warn!(
                error = format!("{error:#}"),
                "sampling the shows' audiences failed"
            );
        }
    }
}

/// Raises each live show's peak to its viewers now, where that is more.
pub async fn sample(store: &Store, hub: &Hub) -> anyhow::Result<()> {
    let live: Vec<i64> = sqlx::query_scalar("select id from shows where state = 'live'")
        .fetch_all(store.pool())
        .await?;
    for id in live {
        let viewers = hub.snapshot(&Room::Show(id).to_string()).await?.total as i64;
        sqlx::query(
            "update shows set peak_viewers = $1, peak_ms = $2 where id = $3 and peak_viewers < $1",
        )
        .bind(viewers)
        .bind(now_ms())
        .bind(id)
        .execute(store.pool())
        .await?;
    }
    Ok(())
}
