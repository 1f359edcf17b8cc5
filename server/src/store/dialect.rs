//! The SQL the two engines write differently, in one place. Everything else is one SQL text
//! for both (`$1` placeholders, `returning`, `on conflict`); domain code asks here instead of
//! branching on [`StoreKind`] itself. The one domain module that still branches is the meeting
//! placer (`meetings/place.rs`), whose locking and overlap checks are two strategies, not two
//! spellings; `docs/ARCHITECTURE.md` lists every remaining branch.

use super::StoreKind;
use sqlx::AnyConnection;

/// The larger of two SQL expressions: `greatest(a, b)` on Postgres, `max(a, b)` on SQLite
/// (whose two-argument `max` is a scalar function).
pub fn greatest(kind: StoreKind, a: &str, b: &str) -> String {
    match kind {
        StoreKind::Postgres => format!("greatest({a}, {b})"),
        StoreKind::Sqlite => format!("max({a}, {b})"),
    }
}

/// The engine's full-text query for "every word, as a prefix", or any of several such
/// alternatives: a `tsquery` on Postgres, an FTS5 match expression on SQLite.
pub fn text_query(kind: StoreKind, alternatives: &[Vec<String>]) -> String {
    let all = |terms: &Vec<String>| match kind {
        StoreKind::Postgres => terms
            .iter()
            .map(|t| format!("{t}:*"))
            .collect::<Vec<_>>()
            .join(" & "),
        StoreKind::Sqlite => terms
            .iter()
            .map(|t| format!("\"{t}\"*"))
            .collect::<Vec<_>>()
            .join(" AND "),
    };
    let alternatives: Vec<String> = alternatives
        .iter()
        .filter(|a| !a.is_empty())
        .map(|a| format!("({})", all(a)))
        .collect();
    alternatives.join(match kind {
        StoreKind::Postgres => " | ",
        StoreKind::Sqlite => " OR ",
    })
}

/// The query for the ids of companies whose search document matches `$1`, a
/// [`text_query`]: the generated `tsvector` column on Postgres, the FTS5 table on SQLite.
pub fn company_text_match(kind: StoreKind) -> &'static str {
    match kind {
        StoreKind::Postgres => {
            "select id from companies where search_tsv @@ to_tsquery('simple', $1)"
        }
        StoreKind::Sqlite => "select rowid as id from company_fts where company_fts match $1",
    }
}

/// Indexes a company's new search document for full-text search, inside the caller's
/// transaction: on SQLite its FTS5 row is replaced; Postgres indexes the `search_doc` column
/// itself (a generated `tsvector`), so there is nothing to do.
pub async fn index_company_text(
    conn: &mut AnyConnection,
    kind: StoreKind,
    company_id: i64,
    doc: &str,
) -> sqlx::Result<()> {
    if kind == StoreKind::Sqlite {
        sqlx::query("delete from company_fts where rowid = $1")
            .bind(company_id)
            .execute(&mut *conn)
            .await?;
        sqlx::query("insert into company_fts (rowid, search_doc) values ($1, $2)")
            .bind(company_id)
            .bind(doc)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Takes SQLite's booking lock (an update of the `meeting_lock` row, so the write lock is
/// taken at once and nothing else books until commit). Postgres placements lock rows
/// instead (`meetings/place.rs`), so there is nothing to do there. Must be the transaction's
/// first statement on SQLite.
pub async fn lock_bookings(conn: &mut AnyConnection, kind: StoreKind) -> sqlx::Result<()> {
    if kind == StoreKind::Sqlite {
        sqlx::query("update meeting_lock set bookings = bookings + 1 where id = 1")
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_syntax() {
        let alternatives = vec![
            vec!["kimchi".to_string(), "1kg".to_string()],
            vec!["seorak".to_string()],
        ];
        assert_eq!(
            text_query(StoreKind::Postgres, &alternatives),
            "(kimchi:* & 1kg:*) | (seorak:*)"
        );
        assert_eq!(
            text_query(StoreKind::Sqlite, &alternatives),
            "(\"kimchi\"* AND \"1kg\"*) OR (\"seorak\"*)"
        );
    }

    #[test]
    fn the_larger_of_two() {
        assert_eq!(
            greatest(
                StoreKind::Postgres,
                "chat_reads.read_seq",
                "excluded.read_seq"
            ),
            "greatest(chat_reads.read_seq, excluded.read_seq)"
        );
        assert_eq!(
            greatest(
                StoreKind::Sqlite,
                "chat_reads.read_seq",
                "excluded.read_seq"
            ),
            "max(chat_reads.read_seq, excluded.read_seq)"
        );
    }
}
