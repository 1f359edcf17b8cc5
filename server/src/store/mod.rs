//! Records: one pool over SQLite (embedded) or Postgres (scale-out), chosen by configuration.
//!
//! Queries are runtime `sqlx` queries through the `any` driver, written once in the SQL both
//! engines understand (`$1` placeholders, `returning`, `on conflict`). Where the engines
//! differ in spelling (full-text search, `greatest`, SQLite's lock row) the SQL comes from
//! [`dialect`]; only the meeting placer branches on [`StoreKind`] itself.
//! The shared end-to-end scenarios, run on both engines, are the check that the SQL is right;
//! `docs/ARCHITECTURE.md` says why this beats compile-time checked queries here.

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

pub mod batch;
pub mod dialect;
pub mod json;

/// Which database engine holds the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    Sqlite,
    Postgres,
}

impl StoreKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StoreKind::Sqlite => "sqlite",
            StoreKind::Postgres => "postgres",
        }
    }
}

/// A cheap, cloneable handle on the record store.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    kind: StoreKind,
}

static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator =
    sqlx::migrate!("../schema/migrations/postgres");
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../schema/migrations/sqlite");

impl Store {
    /// Opens the store: Postgres when `database_url` is given, else `expo.db` in `data_dir`.
    /// Runs the engine's migrations before returning.
    pub async fn open(database_url: Option<&str>, data_dir: &Path) -> anyhow::Result<Store> {
        sqlx::any::install_default_drivers();
        let (url, kind) = match database_url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                (url.to_string(), StoreKind::Postgres)
            }
            Some(url) if url.starts_with("sqlite:") => (url.to_string(), StoreKind::Sqlite),
            Some(other) => anyhow::bail!(
                "EXPO_DATABASE_URL must start with postgres:// or sqlite:, got {:?}",
                other.split(':').next().unwrap_or_default()
            ),
            None => {
                std::fs::create_dir_all(data_dir).with_context(|| {
                    format!("creating the data directory {}", data_dir.display())
                })?;
                let file = data_dir.join("expo.db");
                (
                    format!("sqlite://{}?mode=rwc", file.display()),
                    StoreKind::Sqlite,
                )
            }
        };
        let options = AnyConnectOptions::from_str(&url).context("parsing the database URL")?;
        let pool = AnyPoolOptions::new()
            .max_connections(match kind {
                // One writer at a time is SQLite's nature; a few readers beside it are plenty.
                StoreKind::Sqlite => 8,
                StoreKind::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if kind == StoreKind::Sqlite {
                        // WAL lets readers run beside the writer; busy_timeout makes a second
                        // writer wait instead of failing at once.
                        conn.execute("pragma journal_mode = wal").await?;
                        conn.execute("pragma synchronous = normal").await?;
                        conn.execute("pragma busy_timeout = 10000").await?;
                        conn.execute("pragma foreign_keys = on").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .with_context(|| format!("connecting to the {} store", kind.as_str()))?;
        let migrator = match kind {
            StoreKind::Postgres => &POSTGRES_MIGRATIONS,
            StoreKind::Sqlite => &SQLITE_MIGRATIONS,
        };
        migrator
            .run(&pool)
            .await
            .context("running database migrations")?;
        Ok(Store { pool, kind })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn kind(&self) -> StoreKind {
        self.kind
    }

    /// A transaction that will write after reading. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads first fails with
    /// `SQLITE_BUSY_SNAPSHOT` (code 517, "database is locked", not retried by the busy
    /// timeout) when another connection commits before its first write.
    /// Every write transaction starts here (`clippy.toml` forbids `Pool::begin` elsewhere).
    #[allow(clippy::disallowed_methods)]
    pub async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Any>> {
        match self.kind {
            StoreKind::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            StoreKind::Postgres => self.pool.begin().await,
        }
    }

    /// True when the database answers a trivial query within a second.
    pub async fn ping(&self) -> bool {
        let probe = sqlx::query_scalar::<_, i64>("select 1").fetch_one(&self.pool);
        matches!(
            tokio::time::timeout(Duration::from_secs(1), probe).await,
            Ok(Ok(1))
        )
    }

    /// Closes every pooled connection; waits for queries in flight.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// This fair's secret for links that must not be guessable (made once, shared by every
    /// node that uses the same database).
    pub async fn secret(&self) -> sqlx::Result<String> {
        let fresh = crate::auth::password::new_token().0;
        sqlx::query(
            "insert into meta (key, value) values ('secret', $1) on conflict (key) do nothing",
        )
        .bind(&fresh)
        .execute(self.pool())
        .await?;
        Ok(self.meta("secret").await?.unwrap_or(fresh))
    }

    /// Reads a `meta` value.
    pub async fn meta(&self, key: &str) -> sqlx::Result<Option<String>> {
        sqlx::query_scalar("select value from meta where key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
    }
}

/// The current time as UTC milliseconds since the epoch, the unit of every `*_ms` column.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Flags are stored as 0/1 integers on both engines.
pub fn flag(value: bool) -> i64 {
    i64::from(value)
}

/// The `values` list of a multi-row insert: `rows` tuples of `cols` numbered placeholders,
/// `($1, $2), ($3, $4)`, in the order the values are bound.
pub fn values_rows(rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| {
            let cells: Vec<String> = (1..=cols).map(|c| format!("${}", r * cols + c)).collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod values_tests {
    #[test]
    fn values_rows_numbers_placeholders_in_binding_order() {
        assert_eq!(super::values_rows(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(super::values_rows(1, 1), "($1)");
    }
}
