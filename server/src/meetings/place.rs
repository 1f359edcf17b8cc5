//! Placing a meeting: every write that gives a meeting a time, a seat, a person or a table.
//!
//! One transaction per placement. It first serialises what the database cannot judge by
//! itself (per-day limits, busy slots): on SQLite by taking the write lock (an update of the
//! `meeting_lock` row), on Postgres by locking, in one global order, the hall (for a table),
//! the company (for a seat) and the people's user rows. Two placements that could collide on
//! any exclusion constraint therefore share a lock and run one after the other: concurrent
//! inserts that check an exclusion constraint against each other would otherwise deadlock
//! (Postgres has no "wait for the other inserter" rule for exclusion constraints as it has for
//! unique indexes). A deadlock or serialization failure that still happens (against another
//! writer of `meetings`) is retried here, so callers get a decision, never a 500. Then:
//! - on Postgres each candidate seat (and table) is tried inside a savepoint and the exclusion
//!   constraints decide, atomically, whether it overlaps another active meeting;
//! - on SQLite the overlaps are checked with queries, which is safe because no other writer
//!   can run until the transaction ends.

use super::{MeetingSlot, ACTIVE};
use crate::error::{ApiError, ApiResult};
use crate::store::StoreKind;
use crate::AppState;
use expo_schema::{ErrorCode, MeetingMode, MeetingSide};
use sqlx::AnyConnection;

/// Who and when.
#[derive(Debug, Clone)]
pub struct Plan {
    pub company_id: i64,
    pub buyer_id: i64,
    pub staff_id: Option<i64>,
    pub interpreter_id: Option<i64>,
    pub slot: MeetingSlot,
    pub mode: MeetingMode,
}

/// A brand-new request.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub requested_by: i64,
    pub awaiting: MeetingSide,
    pub message: Option<String>,
    pub product_ids: Vec<i64>,
    pub interpreter_languages: Vec<String>,
    pub expires_ms: i64,
    /// The stage show it was booked from.
    pub show_id: Option<i64>,
}

/// A change to an existing meeting (the row must still be in `from_state`).
#[derive(Debug, Clone)]
pub struct Update {
    pub id: i64,
    pub from_state: &'static str,
    pub to_state: &'static str,
    pub awaiting: MeetingSide,
    pub expires_ms: i64,
    /// A new time: bumps the sequence.
    pub moved: bool,
}

impl Update {
    /// A change of `meeting` from one state to another that keeps whom it waits for and
    /// until when.
    pub fn keeping_hold(
        meeting: &expo_schema::Meeting,
        from_state: &'static str,
        to_state: &'static str,
        moved: bool,
    ) -> Update {
        Update {
            id: meeting.id,
            from_state,
            to_state,
            awaiting: meeting.awaiting,
            expires_ms: meeting.expires_ms,
            moved,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Write {
    Insert(NewRequest),
    Update(Update),
}

/// Why a placement lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lost {
    BuyerBusy,
    StaffBusy,
    InterpreterBusy,
    NoSeat,
    NoTable,
    /// `who` marked that time busy.
    Blocked(&'static str),
    /// `who` has reached the day's limit.
    Limit(&'static str, i64),
    /// The meeting is no longer in the state the change expects.
    Gone,
}

impl Lost {
    pub fn error(&self, next: &[MeetingSlot]) -> ApiError {
        let listed = next
            .iter()
            .map(|s| s.starts_ms.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let why = match self {
            Lost::BuyerBusy => "the buyer already has a meeting at that time".to_string(),
            Lost::StaffBusy => "that staff member already has a meeting at that time".into(),
            Lost::InterpreterBusy => "the interpreter already has a meeting at that time".into(),
            Lost::NoSeat => "every seat of this company is booked at that time".into(),
            Lost::NoTable => "every meeting table in the company's hall is taken then".into(),
            Lost::Blocked(who) => format!("the {who} marked that time busy"),
            Lost::Limit(who, n) => {
                return ApiError::new(
                    ErrorCode::Conflict,
                    format!("the {who} already has {n} meetings that day, the most allowed"),
                )
            }
            Lost::Gone => {
                return ApiError::new(
                    ErrorCode::Conflict,
                    "the meeting changed meanwhile; reload it",
                )
            }
        };
        metrics::counter!("expo_meetings_slot_taken_total").increment(1);
        let mut body = expo_schema::ErrorBody::new(
            ErrorCode::SlotTaken,
            format!("{why}; next free slots (UTC ms): [{listed}]"),
        );
        body.next_slots = next.to_vec();
        ApiError::Client(body)
    }
}

/// How often a placement that hit a deadlock or serialization failure is tried again.
const ATTEMPTS: u32 = 8;

/// Whether a database error means "try the whole transaction again".
fn retryable(error: &ApiError) -> bool {
    match error {
        ApiError::Database(sqlx::Error::Database(db)) => {
            matches!(db.code().as_deref(), Some("40P01") | Some("40001"))
        }
        _ => false,
    }
}

/// Places a meeting. `Ok(Ok(id))` on success, `Ok(Err(lost))` when the time is not free.
pub async fn place(state: &AppState, plan: &Plan, write: &Write) -> ApiResult<Result<i64, Lost>> {
    retrying(|| place_once(state, plan, write)).await
}

/// Runs a whole transaction again (from scratch) when it hit a deadlock or a serialization
/// failure, a few times, with a growing random pause.
pub async fn retrying<T, F, Fut>(mut attempt_once: F) -> ApiResult<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ApiResult<T>>,
{
    let mut attempt = 1;
    loop {
        match attempt_once().await {
            Err(error) if attempt < ATTEMPTS && retryable(&error) => {
                metrics::counter!("expo_meetings_place_retries_total").increment(1);
                tracing::debug!(attempt, "placement hit a deadlock; trying again");
                let jitter = rand::Rng::gen_range(&mut rand::thread_rng(), 1..=20u64);
                tokio::time::sleep(std::time::Duration::from_millis(
                    jitter * u64::from(attempt),
                ))
                .await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

async fn place_once(state: &AppState, plan: &Plan, write: &Write) -> ApiResult<Result<i64, Lost>> {
    super::expire_holds(state).await?;
    let mut tx = state.store.begin_write().await?;
    let placed = place_in(state, &mut tx, plan, write).await?;
    if placed.is_ok() {
        tx.commit().await?;
    }
    // A lost placement rolls back when `tx` drops.
    Ok(placed)
}

/// Places a meeting inside the caller's transaction: the locks, the checks, the write and the
/// table. Several placements in one transaction (publishing a schedule) stand or fall
/// together; callers that hold expired holds must run [`super::expire_holds`] first.
pub async fn place_in(
    state: &AppState,
    tx: &mut AnyConnection,
    plan: &Plan,
    write: &Write,
) -> ApiResult<Result<i64, Lost>> {
    place_by(Rules::of(state), tx, plan, write).await
}

/// What a placement needs of the node: the engine, and the per-day limits (0: no limit).
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub kind: StoreKind,
    pub buyer_per_day: i64,
    pub staff_per_day: i64,
    pub interpreter_per_day: i64,
}

impl Rules {
    pub fn of(state: &AppState) -> Rules {
        let config = &state.config;
        Rules {
            kind: state.store.kind(),
            buyer_per_day: config.buyer_meetings_per_day,
            staff_per_day: config.staff_meetings_per_day,
            interpreter_per_day: config.interpreter_meetings_per_day,
        }
    }
}

/// [`place_in`] for a caller without a running node (the demo fair, loaded before the node
/// serves): the same locks, checks and writes, under the given rules.
pub async fn place_by(
    rules: Rules,
    tx: &mut AnyConnection,
    plan: &Plan,
    write: &Write,
) -> ApiResult<Result<i64, Lost>> {
    let own_id = match write {
        Write::Insert(_) => -1,
        Write::Update(u) => u.id,
    };
    let postgres = rules.kind == StoreKind::Postgres;
    if postgres {
        // One global order: hall, company, people by id. A placement that may take a table
        // locks the hall (tables are per hall, shared by its companies); every placement locks
        // the company (its seats). Limits and busy slots are counts, which constraints cannot
        // judge: lock the people too.
        let confirming = matches!(write, Write::Update(u) if u.to_state == "confirmed");
        if confirming && plan.mode == MeetingMode::Onsite {
            sqlx::query(
                "select h.id from halls h join companies c on c.hall_id = h.id \
                 where c.id = $1 for no key update of h",
            )
            .bind(plan.company_id)
            .fetch_optional(&mut *tx)
            .await?;
        }
        sqlx::query("select id from companies where id = $1 for no key update")
            .bind(plan.company_id)
            .fetch_optional(&mut *tx)
            .await?;
        let mut people = vec![plan.buyer_id];
        people.extend(plan.staff_id);
        people.extend(plan.interpreter_id);
        people.sort_unstable();
        for id in people {
            sqlx::query("select id from users where id = $1 for no key update")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        }
    } else {
        // Writing first takes SQLite's write lock at once: nothing else books until commit.
        crate::store::dialect::lock_bookings(&mut *tx, rules.kind).await?;
    }
    // Read after the locks: on SQLite the first statement must be the write that takes the lock.
    let seats: i64 = sqlx::query_scalar("select meeting_seats from companies where id = $1")
        .bind(plan.company_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| ApiError::not_found("no such company"))?;
    if let Some(lost) = check_people(rules, tx, plan, own_id).await? {
        return Ok(Err(lost));
    }
    let id = if postgres {
        match place_postgres(tx, plan, write, seats).await? {
            Ok(id) => id,
            Err(lost) => return Ok(Err(lost)),
        }
    } else {
        match place_sqlite(tx, plan, write, seats, own_id).await? {
            Ok(id) => id,
            Err(lost) => return Ok(Err(lost)),
        }
    };
    let confirmed = match write {
        Write::Insert(_) => false,
        Write::Update(u) => u.to_state == "confirmed",
    };
    if confirmed && plan.mode == MeetingMode::Onsite {
        if let Err(lost) = pick_table(tx, plan, id, postgres).await? {
            return Ok(Err(lost));
        }
    }
    Ok(Ok(id))
}

/// Limits per day and busy slots, for each person in the plan.
async fn check_people(
    rules: Rules,
    conn: &mut AnyConnection,
    plan: &Plan,
    own_id: i64,
) -> ApiResult<Option<Lost>> {
    let people = [
        (
            "buyer",
            "buyer_id",
            Some(plan.buyer_id),
            rules.buyer_per_day,
        ),
        (
            "staff member",
            "staff_id",
            plan.staff_id,
            rules.staff_per_day,
        ),
        (
            "interpreter",
            "interpreter_id",
            plan.interpreter_id,
            rules.interpreter_per_day,
        ),
    ];
    for (who, column, id, limit) in people {
        let Some(id) = id else { continue };
        let busy: i64 = sqlx::query_scalar(
            "select count(*) from busy_slots b join meeting_slots s on s.id = b.slot_id \
             where b.user_id = $1 and s.starts_ms < $2 and s.ends_ms > $3",
        )
        .bind(id)
        .bind(plan.slot.ends_ms)
        .bind(plan.slot.starts_ms)
        .fetch_one(&mut *conn)
        .await?;
        if busy > 0 {
            return Ok(Some(Lost::Blocked(who)));
        }
        if limit > 0 {
            let sql = format!(
                "select count(*) from meetings m join meeting_slots s on s.id = m.slot_id \
                 where s.day = $1 and m.{column} = $2 and m.state in {ACTIVE} and m.id <> $3"
            );
            let count: i64 = sqlx::query_scalar(&sql)
                .bind(&plan.slot.day)
                .bind(id)
                .bind(own_id)
                .fetch_one(&mut *conn)
                .await?;
            if count >= limit {
                return Ok(Some(Lost::Limit(who, limit)));
            }
        }
    }
    Ok(None)
}

const INSERT: &str = "insert into meetings (company_id, buyer_id, staff_id, interpreter_id, \
     slot_id, seat, starts_ms, ends_ms, mode, state, message, requested_by, created_ms, \
     updated_ms, expires_ms, awaiting, products, interpreter_languages, show_id) \
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'requested', $10, $11, $12, $12, $13, $14, $15, $16, $17) \
     returning id";

const UPDATE: &str = "update meetings set seat = $1, slot_id = $2, starts_ms = $3, ends_ms = $4, \
     staff_id = $5, interpreter_id = $6, state = $7, awaiting = $8, expires_ms = $9, \
     sequence = sequence + $10, updated_ms = $11, table_id = null \
     where id = $12 and state = $13 returning id";

/// One attempt at writing the meeting with this seat.
async fn write_seat(
    conn: &mut AnyConnection,
    plan: &Plan,
    write: &Write,
    seat: i64,
) -> sqlx::Result<Option<i64>> {
    let now = crate::store::now_ms();
    let mode = match plan.mode {
        MeetingMode::Online => "online",
        MeetingMode::Onsite => "onsite",
    };
    match write {
        Write::Insert(r) => sqlx::query_scalar(INSERT)
            .bind(plan.company_id)
            .bind(plan.buyer_id)
            .bind(plan.staff_id)
            .bind(plan.interpreter_id)
            .bind(plan.slot.id)
            .bind(seat)
            .bind(plan.slot.starts_ms)
            .bind(plan.slot.ends_ms)
            .bind(mode)
            .bind(&r.message)
            .bind(r.requested_by)
            .bind(now)
            .bind(r.expires_ms)
            .bind(r.awaiting.as_str())
            .bind(serde_json::to_string(&r.product_ids).unwrap_or_else(|_| "[]".into()))
            .bind(serde_json::to_string(&r.interpreter_languages).unwrap_or_else(|_| "[]".into()))
            .bind(r.show_id)
            .fetch_one(&mut *conn)
            .await
            .map(Some),
        Write::Update(u) => {
            sqlx::query_scalar(UPDATE)
                .bind(seat)
                .bind(plan.slot.id)
                .bind(plan.slot.starts_ms)
                .bind(plan.slot.ends_ms)
                .bind(plan.staff_id)
                .bind(plan.interpreter_id)
                .bind(u.to_state)
                .bind(u.awaiting.as_str())
                .bind(u.expires_ms)
                .bind(i64::from(u.moved))
                .bind(now)
                .bind(u.id)
                .bind(u.from_state)
                .fetch_optional(&mut *conn)
                .await
        }
    }
}

/// The name of the exclusion constraint a Postgres error violated, if it is one.
pub fn exclusion(error: &sqlx::Error) -> Option<String> {
    match error {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("23P01") => {
            Some(db.constraint().unwrap_or_default().to_string())
        }
        _ => None,
    }
}

fn lost_by(constraint: &str) -> Lost {
    match constraint {
        "meetings_buyer_free" => Lost::BuyerBusy,
        "meetings_staff_free" => Lost::StaffBusy,
        "meetings_interpreter_free" => Lost::InterpreterBusy,
        "meetings_table_free" => Lost::NoTable,
        _ => Lost::NoSeat,
    }
}

async fn place_postgres(
    conn: &mut AnyConnection,
    plan: &Plan,
    write: &Write,
    seats: i64,
) -> ApiResult<Result<i64, Lost>> {
    for seat in 1..=seats {
        sqlx::query("savepoint place").execute(&mut *conn).await?;
        match write_seat(conn, plan, write, seat).await {
            Ok(Some(id)) => {
                sqlx::query("release savepoint place")
                    .execute(&mut *conn)
                    .await?;
                return Ok(Ok(id));
            }
            Ok(None) => return Ok(Err(Lost::Gone)),
            Err(e) => {
                sqlx::query("rollback to savepoint place")
                    .execute(&mut *conn)
                    .await?;
                match exclusion(&e).as_deref() {
                    Some("meetings_seat_free") => continue,
                    Some(other) => return Ok(Err(lost_by(other))),
                    None => return Err(e.into()),
                }
            }
        }
    }
    Ok(Err(Lost::NoSeat))
}

async fn place_sqlite(
    conn: &mut AnyConnection,
    plan: &Plan,
    write: &Write,
    seats: i64,
    own_id: i64,
) -> ApiResult<Result<i64, Lost>> {
    let overlap = format!("id <> $4 and state in {ACTIVE} and starts_ms < $2 and ends_ms > $3");
    let people = [
        ("buyer_id", Some(plan.buyer_id), Lost::BuyerBusy),
        ("staff_id", plan.staff_id, Lost::StaffBusy),
        ("interpreter_id", plan.interpreter_id, Lost::InterpreterBusy),
    ];
    for (column, id, lost) in people {
        let Some(id) = id else { continue };
        let busy: i64 = sqlx::query_scalar(&format!(
            "select count(*) from meetings where {column} = $1 and {overlap}"
        ))
        .bind(id)
        .bind(plan.slot.ends_ms)
        .bind(plan.slot.starts_ms)
        .bind(own_id)
        .fetch_one(&mut *conn)
        .await?;
        if busy > 0 {
            return Ok(Err(lost));
        }
    }
    let taken: Vec<i64> = sqlx::query_scalar(&format!(
        "select seat from meetings where company_id = $1 and {overlap}"
    ))
    .bind(plan.company_id)
    .bind(plan.slot.ends_ms)
    .bind(plan.slot.starts_ms)
    .bind(own_id)
    .fetch_all(&mut *conn)
    .await?;
    let Some(seat) = (1..=seats).find(|s| !taken.contains(s)) else {
        return Ok(Err(Lost::NoSeat));
    };
    match write_seat(conn, plan, write, seat).await? {
        Some(id) => Ok(Ok(id)),
        None => Ok(Err(Lost::Gone)),
    }
}

/// Gives a confirmed onsite meeting the lowest free table in the company's hall. A hall with
/// no tables leaves it without one; a hall whose tables are all taken loses the placement.
async fn pick_table(
    conn: &mut AnyConnection,
    plan: &Plan,
    id: i64,
    postgres: bool,
) -> ApiResult<Result<(), Lost>> {
    let tables: Vec<i64> = sqlx::query_scalar(
        "select t.id from meeting_tables t join companies c on c.hall_id = t.hall_id \
         where c.id = $1 order by t.number",
    )
    .bind(plan.company_id)
    .fetch_all(&mut *conn)
    .await?;
    if tables.is_empty() {
        return Ok(Ok(()));
    }
    for table in tables {
        if postgres {
            sqlx::query("savepoint table_pick")
                .execute(&mut *conn)
                .await?;
            let done = sqlx::query("update meetings set table_id = $1 where id = $2")
                .bind(table)
                .bind(id)
                .execute(&mut *conn)
                .await;
            match done {
                Ok(_) => {
                    sqlx::query("release savepoint table_pick")
                        .execute(&mut *conn)
                        .await?;
                    return Ok(Ok(()));
                }
                Err(e) => {
                    sqlx::query("rollback to savepoint table_pick")
                        .execute(&mut *conn)
                        .await?;
                    if exclusion(&e).is_none() {
                        return Err(e.into());
                    }
                }
            }
        } else {
            let busy: i64 = sqlx::query_scalar(&format!(
                "select count(*) from meetings where table_id = $1 and id <> $2 \
                 and state in {ACTIVE} and starts_ms < $3 and ends_ms > $4"
            ))
            .bind(table)
            .bind(id)
            .bind(plan.slot.ends_ms)
            .bind(plan.slot.starts_ms)
            .fetch_one(&mut *conn)
            .await?;
            if busy == 0 {
                sqlx::query("update meetings set table_id = $1 where id = $2")
                    .bind(table)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                return Ok(Ok(()));
            }
        }
    }
    Ok(Err(Lost::NoTable))
}

/// The next few slots (after the asked one) the company offers with a free seat, the buyer
/// free and not busy.
pub async fn next_free(
    state: &AppState,
    company_id: i64,
    buyer_id: i64,
    after_ms: i64,
) -> ApiResult<Vec<MeetingSlot>> {
    let sql = format!(
        "select s.id, s.day, s.starts_ms, s.ends_ms from meeting_slots s \
         join company_slots cs on cs.slot_id = s.id and cs.company_id = $1 \
         where s.starts_ms > $2 \
         and (select count(*) from meetings m where m.company_id = $1 and {active} \
              and m.starts_ms < s.ends_ms and m.ends_ms > s.starts_ms) \
             < (select meeting_seats from companies where id = $1) \
         and not exists (select 1 from meetings m where m.buyer_id = $3 and {active} \
              and m.starts_ms < s.ends_ms and m.ends_ms > s.starts_ms) \
         and not exists (select 1 from busy_slots b where b.user_id = $3 and b.slot_id = s.id) \
         order by s.starts_ms limit 3",
        active = super::active_at("$4")
    );
    let rows = sqlx::query(&sql)
        .bind(company_id)
        .bind(after_ms)
        .bind(buyer_id)
        .bind(state.now_ms())
        .fetch_all(state.store.pool())
        .await?;
    rows.iter()
        .map(super::slot_from_row)
        .collect::<sqlx::Result<Vec<_>>>()
        .map_err(ApiError::from)
}

/// Places, turning a loss into its `slot_taken` (with the next free slots) or `conflict`.
pub async fn place_or_refuse(state: &AppState, plan: &Plan, write: &Write) -> ApiResult<i64> {
    match place(state, plan, write).await? {
        Ok(id) => Ok(id),
        Err(lost) => {
            let next =
                next_free(state, plan.company_id, plan.buyer_id, plan.slot.starts_ms).await?;
            Err(lost.error(&next))
        }
    }
}
