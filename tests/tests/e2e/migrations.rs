//! The two migration sets (schema/migrations/postgres and schema/migrations/sqlite) must build
//! the same tables with the same columns, each as nullable or not in both, so that a query
//! written once reads the same records on either engine. Both sets are applied for real, by
//! the server at start-up, and the catalogues of the two databases are compared.

use crate::helpers::{Engines, TestEnv};
use sqlx::Row as _;
use std::collections::BTreeMap;

/// Where the engines differ on purpose, each with its reason. Only these are left out.
/// - Full-text search: Postgres keeps a generated `tsvector` column on `companies`, SQLite
///   an FTS5 virtual table (`company_fts` and its shadow tables) keyed by the company's rowid.
/// - `meeting_lock`: the one row whose update takes SQLite's write lock first in a meeting
///   placement (`meetings::place`); Postgres locks the rows themselves instead.
const POSTGRES_ONLY_COLUMNS: &[(&str, &str)] = &[("companies", "search_tsv")];
const SQLITE_ONLY_TABLES: &[&str] = &["company_fts", "meeting_lock"];

/// table → column → nullable
type Columns = BTreeMap<String, BTreeMap<String, bool>>;

async fn postgres_columns(pool: &sqlx::AnyPool) -> Columns {
    let rows = sqlx::query(
        "select table_name::text as t, column_name::text as c, is_nullable::text as n \
         from information_schema.columns where table_schema = current_schema()",
    )
    .fetch_all(pool)
    .await
    .expect("the Postgres catalogue");
    let mut out = Columns::new();
    for row in rows {
        let table: String = row.get("t");
        let column: String = row.get("c");
        let nullable: String = row.get("n");
        if table == "_sqlx_migrations"
            || POSTGRES_ONLY_COLUMNS.contains(&(table.as_str(), column.as_str()))
        {
            continue;
        }
        out.entry(table)
            .or_default()
            .insert(column, nullable == "YES");
    }
    out
}

async fn sqlite_columns(pool: &sqlx::AnyPool) -> Columns {
    // A column of the primary key is never null in practice (an `integer primary key` is the
    // rowid), though SQLite's catalogue marks it nullable.
    let rows = sqlx::query(
        "select m.name as t, p.name as c, p.\"notnull\" as nn, p.pk as pk \
         from sqlite_master m join pragma_table_info(m.name) p \
         where m.type = 'table' and m.name not like 'sqlite_%' and m.name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .expect("the SQLite catalogue");
    let mut out = Columns::new();
    for row in rows {
        let table: String = row.get("t");
        let column: String = row.get("c");
        let not_null: i64 = row.get("nn");
        let pk: i64 = row.get("pk");
        if SQLITE_ONLY_TABLES
            .iter()
            .any(|t| table == *t || table.starts_with(&format!("{t}_")))
        {
            continue;
        }
        out.entry(table)
            .or_default()
            .insert(column, not_null == 0 && pk == 0);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_migration_sets_make_the_same_tables_and_columns() {
    let embedded_env = TestEnv::new(Engines::Embedded).await;
    let services_env = TestEnv::new(Engines::Services).await;
    let embedded = embedded_env.start().await;
    let services = services_env.start().await;

    let sqlite = sqlite_columns(embedded.state.store.pool()).await;
    let postgres = postgres_columns(services.state.store.pool()).await;
    assert!(
        sqlite.contains_key("users") && postgres.contains_key("users"),
        "both catalogues were read: {:?} / {:?}",
        sqlite.keys().collect::<Vec<_>>(),
        postgres.keys().collect::<Vec<_>>()
    );

    let mut differences = Vec::new();
    let tables: std::collections::BTreeSet<&String> =
        sqlite.keys().chain(postgres.keys()).collect();
    for table in tables {
        let (Some(lite), Some(pg)) = (sqlite.get(table), postgres.get(table)) else {
            let only = if sqlite.contains_key(table) {
                "SQLite"
            } else {
                "Postgres"
            };
            differences.push(format!("table {table} only in {only}"));
            continue;
        };
        let columns: std::collections::BTreeSet<&String> = lite.keys().chain(pg.keys()).collect();
        for column in columns {
            match (lite.get(column), pg.get(column)) {
                (Some(a), Some(b)) if a == b => {}
                (Some(a), Some(b)) => differences.push(format!(
                    "{table}.{column}: nullable in SQLite {a}, in Postgres {b}"
                )),
                (Some(_), None) => differences.push(format!("{table}.{column} only in SQLite")),
                (None, _) => differences.push(format!("{table}.{column} only in Postgres")),
            }
        }
    }
    embedded.stop().await;
    services.stop().await;
    assert!(
        differences.is_empty(),
        "the migration sets disagree:\n{}",
        differences.join("\n")
    );
}

/// Migration 0017 widens `chat_rooms.kind` to take show rooms (in place on SQLite, see the
/// migration's comment). On both engines, several pooled connections at once (not only the
/// one that migrated) store a show room and still refuse a kind that is no kind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn show_rooms_pass_the_widened_kind_check() {
    for engines in [Engines::Embedded, Engines::Services] {
        let env = TestEnv::new(engines).await;
        let app = env.start().await;
        let pool = app.state.store.pool();
        let mut held = Vec::new();
        for _ in 0..4 {
            held.push(pool.acquire().await.expect("a pooled connection"));
        }
        for (i, conn) in held.iter_mut().enumerate() {
            sqlx::query("insert into chat_rooms (kind, target, created_ms) values ('show', $1, 0)")
                .bind(format!("check:{i}"))
                .execute(&mut **conn)
                .await
                .unwrap_or_else(|e| panic!("{engines:?}: connection {i} refused a show room: {e}"));
            let refused = sqlx::query(
                "insert into chat_rooms (kind, target, created_ms) values ('stage', $1, 0)",
            )
            .bind(format!("bad:{i}"))
            .execute(&mut **conn)
            .await;
            assert!(
                refused.is_err(),
                "{engines:?}: connection {i} took a room of kind 'stage'"
            );
        }
        drop(held);
        let shows: i64 = sqlx::query_scalar("select count(*) from chat_rooms where kind = 'show'")
            .fetch_one(pool)
            .await
            .expect("counting");
        assert_eq!(shows, 4, "{engines:?}");
        app.stop().await;
    }
}
