//! Two-way interest: a buyer marks companies, a company's staff mark buyers (must meet,
//! would meet, no thanks), and each side sees who wants to meet them. Exhibitors find buyers
//! in the directory of approved buyers, with contact details only by the buyer's consent.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, JsonBody};
use crate::store::json::decode_list;
use crate::store::now_ms;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use expo_schema::matchmaking::{
    BuyerCard, BuyerDirectory, Mark, MarkInput, MarkLevel, MarkSide, MarksView,
};
use expo_schema::{ErrorBody, Role};
use sqlx::any::AnyRow;
use sqlx::Row as _;
use std::collections::HashMap;

/// Both sides' marks on every pair of the fair, by (buyer, company).
pub async fn all_marks(
    state: &AppState,
) -> ApiResult<HashMap<(i64, i64), (Option<MarkLevel>, Option<MarkLevel>)>> {
    let rows = sqlx::query("select buyer_id, company_id, side, level from match_marks")
        .fetch_all(state.store.pool())
        .await?;
    let mut out: HashMap<(i64, i64), (Option<MarkLevel>, Option<MarkLevel>)> = HashMap::new();
    for row in rows {
        let key = (row.try_get("buyer_id")?, row.try_get("company_id")?);
        let level = MarkLevel::parse(&row.try_get::<String, _>("level")?);
        let entry = out.entry(key).or_default();
        if row.try_get::<String, _>("side")? == "buyer" {
            entry.0 = level;
        } else {
            entry.1 = level;
        }
    }
    Ok(out)
}

/// Sets (or with `None` clears) one side's mark on a buyer–company pair: the one writer of
/// `match_marks`.
pub async fn write_mark(
    conn: &mut sqlx::AnyConnection,
    buyer_id: i64,
    company_id: i64,
    side: MarkSide,
    level: Option<MarkLevel>,
    marked_by: i64,
) -> sqlx::Result<()> {
    let side = match side {
        MarkSide::Buyer => "buyer",
        MarkSide::Company => "company",
    };
    match level {
        Some(level) => {
            sqlx::query(
                "insert into match_marks (buyer_id, company_id, side, level, marked_by, updated_ms) \
                 values ($1, $2, $3, $4, $5, $6) \
                 on conflict (buyer_id, company_id, side) do update set level = excluded.level, \
                 marked_by = excluded.marked_by, updated_ms = excluded.updated_ms",
            )
            .bind(buyer_id)
            .bind(company_id)
            .bind(side)
            .bind(level.as_str())
            .bind(marked_by)
            .bind(now_ms())
            .execute(&mut *conn)
            .await?;
        }
        None => {
            sqlx::query(
                "delete from match_marks where buyer_id = $1 and company_id = $2 and side = $3",
            )
            .bind(buyer_id)
            .bind(company_id)
            .bind(side)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Marks a company (as a buyer) or a buyer (as a company's staff member); `level: null`
/// takes the mark back.
#[utoipa::path(put, path = "/api/v1/match/marks", tag = "matchmaking", request_body = MarkInput,
    responses((status = 200, body = MarksView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_mark(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<MarkInput>,
) -> ApiResult<Json<MarksView>> {
    let (buyer_id, company_id, side) =
        match (caller.user.role, input.buyer_id, input.company_id) {
            (Role::Buyer, None, Some(company)) => (caller.user.id, company, "buyer"),
            (Role::Exhibitor, Some(buyer), None) => (
                buyer,
                caller
                    .user
                    .company_id
                    .ok_or_else(|| ApiError::forbidden("staff without a company"))?,
                "company",
            ),
            (Role::Buyer | Role::Exhibitor, _, _) => return Err(ApiError::validation(
                "a buyer marks a company (company_id); a company's staff mark a buyer (buyer_id)",
            )),
            _ => return Err(ApiError::forbidden("only buyers and exhibitors mark")),
        };
    let company: Option<i64> = sqlx::query_scalar("select id from companies where id = $1")
        .bind(company_id)
        .fetch_optional(state.store.pool())
        .await?;
    let buyer: Option<i64> = sqlx::query_scalar(
        "select id from users where id = $1 and role = 'buyer' and status = 'active'",
    )
    .bind(buyer_id)
    .fetch_optional(state.store.pool())
    .await?;
    if company.is_none() || buyer.is_none() {
        return Err(ApiError::not_found("no such company or approved buyer"));
    }
    let side = if side == "buyer" {
        MarkSide::Buyer
    } else {
        MarkSide::Company
    };
    let mut conn = state.store.pool().acquire().await?;
    write_mark(
        &mut conn,
        buyer_id,
        company_id,
        side,
        input.level,
        caller.user.id,
    )
    .await?;
    drop(conn);
    view(&state, &caller).await.map(Json)
}

/// The caller's marks, and who on the other side wants to meet the caller (a buyer: companies
/// that marked them; an exhibitor: buyers that marked their company).
#[utoipa::path(get, path = "/api/v1/match/marks", tag = "matchmaking",
    responses((status = 200, body = MarksView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn marks(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<MarksView>> {
    view(&state, &caller).await.map(Json)
}

const MARK_COLUMNS: &str = "m.buyer_id, u.name as buyer_name, u.buyer_company, m.company_id, \
     c.name as company_name, m.side, m.level, m.updated_ms \
     from match_marks m join users u on u.id = m.buyer_id join companies c on c.id = m.company_id";

fn mark_from_row(row: &AnyRow) -> sqlx::Result<Mark> {
    let side: String = row.try_get("side")?;
    let level: String = row.try_get("level")?;
    Ok(Mark {
        buyer_id: row.try_get("buyer_id")?,
        buyer_name: row.try_get("buyer_name")?,
        buyer_company: row.try_get("buyer_company")?,
        company_id: row.try_get("company_id")?,
        company_name: row.try_get("company_name")?,
        side: if side == "buyer" {
            MarkSide::Buyer
        } else {
            MarkSide::Company
        },
        level: MarkLevel::parse(&level)
            .ok_or_else(|| sqlx::Error::Decode("unknown mark level".into()))?,
        updated_ms: row.try_get("updated_ms")?,
    })
}

async fn view(state: &AppState, caller: &Caller) -> ApiResult<MarksView> {
    let (column, id, own_side) = match caller.user.role {
        Role::Buyer => ("m.buyer_id", caller.user.id, "buyer"),
        Role::Exhibitor => (
            "m.company_id",
            caller
                .user
                .company_id
                .ok_or_else(|| ApiError::forbidden("staff without a company"))?,
            "company",
        ),
        _ => return Err(ApiError::forbidden("only buyers and exhibitors have marks")),
    };
    let sql = format!("select {MARK_COLUMNS} where {column} = $1 order by m.updated_ms desc");
    let rows = sqlx::query(&sql)
        .bind(id)
        .fetch_all(state.store.pool())
        .await?;
    let mut out = MarksView {
        mine: Vec::new(),
        incoming: Vec::new(),
    };
    for row in &rows {
        let mark = mark_from_row(row)?;
        let own = row.try_get::<String, _>("side")? == own_side;
        if own {
            out.mine.push(mark);
        } else if mark.level != MarkLevel::NoThanks {
            // A "no thanks" is the marker's own business: the other side is not told.
            out.incoming.push(mark);
        }
    }
    Ok(out)
}

/// Approved buyers, for exhibitors looking for whom to meet and for organizers. E-mail only
/// where the buyer consented to share contact details.
#[utoipa::path(get, path = "/api/v1/match/buyers", tag = "matchmaking",
    responses((status = 200, body = BuyerDirectory), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn directory(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<BuyerDirectory>> {
    let company = match caller.user.role {
        Role::Exhibitor => caller.user.company_id,
        Role::Organizer => None,
        _ => {
            return Err(ApiError::forbidden(
                "only exhibitors and organizers see the buyer directory",
            ))
        }
    };
    let rows = sqlx::query(
        "select id, name, buyer_company, country, timezone, languages, interests, email, \
         share_contact from users where role = 'buyer' and status = 'active' order by name, id",
    )
    .fetch_all(state.store.pool())
    .await?;
    let marks = match company {
        Some(_) => all_marks(&state).await?,
        None => HashMap::new(),
    };
    let mut buyers = Vec::with_capacity(rows.len());
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let consent = row.try_get::<i64, _>("share_contact")? != 0;
        let (buyer_mark, company_mark) = company
            .and_then(|c| marks.get(&(id, c)).copied())
            .unwrap_or_default();
        buyers.push(BuyerCard {
            id,
            name: row.try_get("name")?,
            buyer_company: row.try_get("buyer_company")?,
            country: row.try_get("country")?,
            timezone: row.try_get("timezone")?,
            languages: decode_list(&row.try_get::<String, _>("languages")?),
            interests: decode_list(&row.try_get::<String, _>("interests")?),
            email: (consent || caller.is_organizer())
                .then(|| row.try_get("email"))
                .transpose()?,
            company_mark,
            // A buyer's "no thanks" is theirs alone.
            buyer_mark: buyer_mark.filter(|m| *m != MarkLevel::NoThanks),
        });
    }
    Ok(Json(BuyerDirectory { buyers }))
}
