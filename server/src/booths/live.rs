//! Booths, live: who is inside, which staff are on duty, and the visits behind the leads.
//!
//! Truth lives in presence: a booth's visitors are the members of room `booth:{id}` who are
//! not its staff, and its staff on duty are the members of room `duty:{id}` (so going away,
//! closing the tab or losing a node takes staff off duty by itself). Every node watches
//! traffic in those rooms (through the hub, which sees every room's traffic from every node),
//! marks the booth dirty, and once a second recomputes dirty booths from presence. When a
//! booth's state changed, the node sends `booth_live` to its own members of `lobby` and
//! `booth:{id}` directly: each viewer gets it once, from its own node, at most once a second
//! per booth, and the bus carries nothing extra.

use crate::hub::Hub;
use crate::store::{now_ms, Store};
use expo_schema::protocol::room::Room;
use expo_schema::protocol::RoomEvent;
use expo_schema::{BoothLive, PresenceEntry, Role, UserSummary};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often dirty booths are recomputed and announced.
const COALESCE: Duration = Duration::from_secs(1);
/// How often every booth is recomputed anyway (lapsed presence, lost notifications).
const FULL_SWEEP: Duration = Duration::from_secs(15);

struct Inner {
    store: Store,
    hub: Hub,
    /// The last announced state of each booth with anybody in it.
    cache: Mutex<HashMap<i64, BoothLive>>,
    dirty: Mutex<HashSet<i64>>,
}

/// A cheap handle on the live booth state of this node.
#[derive(Clone)]
pub struct Booths {
    inner: Arc<Inner>,
}

fn company_of(room: &str) -> Option<i64> {
    room.strip_prefix("booth:")
        .or_else(|| room.strip_prefix("duty:"))
        .and_then(|id| id.parse().ok())
}

/// Reduces presence lists to a booth's live state: distinct visitors (not the company's
/// own staff) and distinct staff on duty, in the order they arrived.
pub fn summarize(
    company_id: i64,
    inside: &[PresenceEntry],
    on_duty: &[PresenceEntry],
) -> BoothLive {
    let is_staff = |u: &UserSummary| u.role == Role::Exhibitor && u.company_id == Some(company_id);
    let visitors: HashSet<i64> = inside
        .iter()
        .filter(|e| !is_staff(&e.user))
        .map(|e| e.user.id)
        .collect();
    let mut seen = HashSet::new();
    let staff_on_duty = on_duty
        .iter()
        .filter(|e| is_staff(&e.user) && seen.insert(e.user.id))
        .map(|e| e.user.clone())
        .collect();
    BoothLive {
        company_id,
        visitors_now: visitors.len() as i64,
        staff_on_duty,
    }
}

impl Booths {
    /// Starts watching booth traffic. Every company is computed once at start, so a node
    /// that joins a running fair knows the state without waiting for traffic.
    pub async fn start(store: Store, hub: Hub) -> Booths {
        let booths = Booths {
            inner: Arc::new(Inner {
                store,
                hub: hub.clone(),
                cache: Mutex::default(),
                dirty: Mutex::default(),
            }),
        };
        let ids: Vec<i64> = sqlx::query_scalar("select id from companies")
            .fetch_all(booths.inner.store.pool())
            .await
            .unwrap_or_default();
        booths.inner.dirty.lock().expect("dirty").extend(ids);
        let rooms = std::sync::Mutex::new(Some(hub.watch_rooms(&["booth:", "duty:"])));
        let shutdown = hub.shutdown_token().clone();
        let (watcher, h) = (booths.clone(), hub.clone());
        hub.tasks().spawn("booth_watch", shutdown.clone(), move || {
            let rx = rooms.lock().expect("rooms").take();
            // A restart watches anew; the next full sweep repairs what passed meanwhile.
            let rx = rx.unwrap_or_else(|| h.watch_rooms(&["booth:", "duty:"]));
            watcher.clone().watch(rx)
        });
        let ticker = booths.clone();
        hub.tasks()
            .spawn("booth_tick", shutdown, move || ticker.clone().tick());
        booths
    }

    async fn watch(self, mut rooms: tokio::sync::mpsc::UnboundedReceiver<String>) {
        while let Some(room) = rooms.recv().await {
            if let Some(id) = company_of(&room) {
                self.inner.dirty.lock().expect("dirty").insert(id);
            }
        }
    }

    async fn tick(self) {
        let shutdown = self.inner.hub.shutdown_token().clone();
        let mut every = tokio::time::interval(COALESCE);
        let mut sweep = tokio::time::Instant::now() + FULL_SWEEP;
        loop {
            tokio::select! {
                _ = every.tick() => {}
                _ = shutdown.cancelled() => return,
            }
            if tokio::time::Instant::now() >= sweep {
                sweep = tokio::time::Instant::now() + FULL_SWEEP;
                // Every booth, not only the ones this node believes busy: a notification lost
                // on the bus (a Redis reconnect, say) must not leave a booth wrong for good.
                let all: Vec<i64> = sqlx::query_scalar("select id from companies")
                    .fetch_all(self.inner.store.pool())
                    .await
                    .unwrap_or_else(|_| {
                        self.inner
                            .cache
                            .lock()
                            .expect("cache")
                            .keys()
                            .copied()
                            .collect()
                    });
                self.inner.dirty.lock().expect("dirty").extend(all);
            }
            let dirty: Vec<i64> = self.inner.dirty.lock().expect("dirty").drain().collect();
            for id in dirty {
                if let Err(error) = self.refresh(id).await {
                    tracing::warn!(?error, company = id, "booth live refresh failed");
                    self.inner.dirty.lock().expect("dirty").insert(id);
                }
            }
        }
    }

    async fn compute(&self, company_id: i64) -> anyhow::Result<BoothLive> {
        let hub = &self.inner.hub;
        let inside = hub.presence(&Room::Booth(company_id).to_string()).await?;
        let on_duty = hub.presence(&Room::Duty(company_id).to_string()).await?;
        Ok(summarize(company_id, &inside, &on_duty))
    }

    /// Recomputes one booth; announces it to this node's viewers when it changed.
    async fn refresh(&self, company_id: i64) -> anyhow::Result<()> {
        let live = self.compute(company_id).await?;
        let changed = {
            let mut cache = self.inner.cache.lock().expect("cache");
            let empty = live.visitors_now == 0 && live.staff_on_duty.is_empty();
            let before = cache.get(&company_id).cloned();
            let changed = before.as_ref() != Some(&live) && !(before.is_none() && empty);
            if empty {
                cache.remove(&company_id);
            } else {
                cache.insert(company_id, live.clone());
            }
            changed
        };
        if changed {
            let event = RoomEvent::BoothLive { live };
            for room in [Room::Booth(company_id), Room::Lobby] {
                if self.inner.hub.has_local_members(&room.to_string()) {
                    crate::events::send_local(&self.inner.hub, room, event.clone());
                }
            }
        }
        Ok(())
    }

    /// A booth's live state now (from this node's summary; computed if it has none).
    pub async fn live_of(&self, company_id: i64) -> BoothLive {
        if let Some(live) = self.inner.cache.lock().expect("cache").get(&company_id) {
            return live.clone();
        }
        self.compute(company_id)
            .await
            .unwrap_or_else(|_| summarize(company_id, &[], &[]))
    }

    /// Every booth with anybody in it, by company id.
    pub fn snapshot(&self) -> BTreeMap<i64, BoothLive> {
        self.inner
            .cache
            .lock()
            .expect("cache")
            .iter()
            .map(|(id, live)| (*id, live.clone()))
            .collect()
    }

    /// Records that a connection entered a booth (not for the company's own staff).
    pub async fn enter(&self, user: &UserSummary, conn_id: &str, company_id: i64) {
        if user.role == Role::Exhibitor && user.company_id == Some(company_id) {
            return;
        }
        let result = record_visit(
            self.inner.store.pool(),
            company_id,
            user.id,
            conn_id,
            now_ms(),
            None,
        )
        .await;
        if let Err(error) = result {
            tracing::warn!(?error, company_id, "recording a booth visit failed");
        }
    }

    /// Records that a connection left a booth.
    pub async fn leave(&self, conn_id: &str, company_id: i64) {
        let result = sqlx::query(
            "update booth_visits set left_ms = $1 where conn_id = $2 and company_id = $3 and left_ms is null",
        )
        .bind(now_ms())
        .bind(conn_id)
        .bind(company_id)
        .execute(self.inner.store.pool())
        .await;
        if let Err(error) = result {
            tracing::warn!(?error, company_id, "closing a booth visit failed");
        }
    }

    /// Records that a user opened something in a booth, against their current visit there.
    /// Returns false when they are not inside the booth.
    pub async fn record_open(
        &self,
        user_id: i64,
        company_id: i64,
        kind: &str,
        item_id: i64,
    ) -> bool {
        let visit: Option<i64> = sqlx::query_scalar(
            "select id from booth_visits where user_id = $1 and company_id = $2 and left_ms is null \
             order by entered_ms desc limit 1",
        )
        .bind(user_id)
        .bind(company_id)
        .fetch_optional(self.inner.store.pool())
        .await
        .ok()
        .flatten();
        let Some(visit) = visit else { return false };
        // Opening the same thing twice in one visit (a click, then the download it starts)
        // is one open.
        sqlx::query(
            "insert into visit_opens (visit_id, kind, item_id, opened_ms) \
             select $1, $2, $3, $4 where not exists (select 1 from visit_opens \
             where visit_id = $1 and kind = $2 and item_id = $3)",
        )
        .bind(visit)
        .bind(kind)
        .bind(item_id)
        .bind(now_ms())
        .execute(self.inner.store.pool())
        .await
        .is_ok()
    }
}

/// Records a visit to a booth: entered, and left when `left_ms` is given (else `leave` closes
/// it). The demo fair writes yesterday's visits with it.
pub(crate) async fn record_visit<'c, E>(
    executor: E,
    company_id: i64,
    user_id: i64,
    conn_id: &str,
    entered_ms: i64,
    left_ms: Option<i64>,
) -> sqlx::Result<()>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(
        "insert into booth_visits (company_id, user_id, conn_id, entered_ms, left_ms) \
         values ($1, $2, $3, $4, $5)",
    )
    .bind(company_id)
    .bind(user_id)
    .bind(conn_id)
    .bind(entered_ms)
    .bind(left_ms)
    .execute(executor)
    .await
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(conn: &str, user: i64, role: Role, company: Option<i64>) -> PresenceEntry {
        PresenceEntry {
            conn_id: conn.into(),
            user: UserSummary {
                id: user,
                name: format!("u{user}"),
                role,
                company_id: company,
                company_name: None,
                country: None,
                anonymous: false,
            },
            since_ms: 0,
        }
    }

    #[test]
    fn visitors_are_distinct_and_exclude_own_staff() {
        let inside = [
            entry("a", 1, Role::Buyer, None),
            entry("b", 1, Role::Buyer, None),
            entry("c", 2, Role::Buyer, None),
            entry("d", 3, Role::Exhibitor, Some(7)),
            entry("e", 4, Role::Exhibitor, Some(8)),
        ];
        let duty = [
            entry("d", 3, Role::Exhibitor, Some(7)),
            entry("f", 3, Role::Exhibitor, Some(7)),
        ];
        let live = summarize(7, &inside, &duty);
        assert_eq!(
            live.visitors_now, 3,
            "buyers 1 and 2, and staff of another company"
        );
        assert_eq!(live.staff_on_duty.len(), 1);
        assert_eq!(company_of("booth:7"), Some(7));
        assert_eq!(company_of("duty:12"), Some(12));
        assert_eq!(company_of("lobby"), None);
    }
}
