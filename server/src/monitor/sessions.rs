//! The `online_sessions` records, written in batches: at the fair's opening thousands of
//! connections open within seconds, and one commit per connection would make the store the
//! bottleneck of the burst. Each open and close waits for its batch's commit (so the record
//! is there once the connection is served), but a batch holds every record that arrived while
//! the previous one committed.

use crate::store::batch::Batcher;
use crate::store::Store;
use crate::tasks::Tasks;
use tokio_util::sync::CancellationToken;

/// Records written in one transaction at most (6 bound values per opened session).
const MAX_BATCH: usize = 1000;

/// A change to the records.
#[derive(Debug, Clone)]
pub enum SessionEvent {
    Opened {
        user_id: i64,
        role: String,
        country: Option<String>,
        node: String,
        conn_id: String,
        at_ms: i64,
    },
    Closed {
        conn_id: String,
        at_ms: i64,
    },
}

/// The node's writer of session records. Cheap to clone.
#[derive(Clone)]
pub struct SessionLog {
    batcher: Batcher<SessionEvent, bool>,
}

impl SessionLog {
    pub fn start(store: Store, tasks: &Tasks) -> SessionLog {
        let batcher = Batcher::start(
            tasks,
            "session-log",
            CancellationToken::new(),
            MAX_BATCH,
            move |batch: Vec<SessionEvent>| {
                let store = store.clone();
                async move {
                    let n = batch.len();
                    match write(&store, &batch).await {
                        Ok(()) => vec![true; n],
                        Err(error) => {
                            tracing::warn!(?error, records = n, "writing session records failed");
                            vec![false; n]
                        }
                    }
                }
            },
        );
        SessionLog { batcher }
    }

    /// Records `event`; true once it is committed.
    pub async fn record(&self, event: SessionEvent) -> bool {
        self.batcher.submit(event).await.unwrap_or(false)
    }
}

async fn write(store: &Store, batch: &[SessionEvent]) -> sqlx::Result<()> {
    let mut tx = store.begin_write().await?;
    write_in(&mut tx, batch).await?;
    tx.commit().await
}

/// Writes a batch of session records inside the caller's transaction (the demo fair writes
/// yesterday's sessions with it, each opened and closed).
pub(crate) async fn write_in(
    conn: &mut sqlx::AnyConnection,
    batch: &[SessionEvent],
) -> sqlx::Result<()> {
    // Opens before closes: a connection that opens and closes within one batch ends closed.
    let opened: Vec<_> = batch
        .iter()
        .filter_map(|e| match e {
            SessionEvent::Opened {
                user_id,
                role,
                country,
                node,
                conn_id,
                at_ms,
            } => Some((user_id, role, country, node, conn_id, at_ms)),
            SessionEvent::Closed { .. } => None,
        })
        .collect();
    if !opened.is_empty() {
        let mut sql = String::from(
            "insert into online_sessions (user_id, role, country, node, conn_id, connected_ms) \
             values ",
        );
        sql.push_str(&crate::store::values_rows(opened.len(), 6));
        let mut insert = sqlx::query(&sql);
        for (user_id, role, country, node, conn_id, at_ms) in opened {
            insert = insert
                .bind(*user_id)
                .bind(role.as_str())
                .bind(country.as_deref())
                .bind(node.as_str())
                .bind(conn_id.as_str())
                .bind(*at_ms);
        }
        insert.execute(&mut *conn).await?;
    }
    for event in batch {
        if let SessionEvent::Closed { conn_id, at_ms } = event {
            sqlx::query(
                "update online_sessions set disconnected_ms = $1, ended = 'closed' \
                 where conn_id = $2 and disconnected_ms is null",
            )
            .bind(*at_ms)
            .bind(conn_id.as_str())
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}
