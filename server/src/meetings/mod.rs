//! Meeting scheduling, first part: the fair's slot grid, each company's availability and
//! seats, and meeting requests that can never double-book.
//!
//! No person and no seat is ever in two active meetings that overlap. On Postgres the
//! database refuses it with exclusion constraints (`btree_gist`, see the migration): a booking
//! tries the company's seats in order and a constraint violation means "that seat is taken"
//! (or "the buyer is busy"), so there is no check-then-insert race. On SQLite the check runs
//! inside one write transaction that first takes the database's write lock, so two bookings
//! cannot interleave. A loser gets `slot_taken` with the next free slots, never a 500.

pub mod routes;

use crate::error::{ApiError, ApiResult};
use crate::store::{now_ms, StoreKind};
use crate::AppState;
use expo_schema::protocol::{RoomEvent, ServerFrame};
use expo_schema::{ErrorCode, Meeting, MeetingMode, MeetingSlot, MeetingState, UserSummary};
use sqlx::any::AnyRow;
use sqlx::Row;

/// States that hold a slot.
pub const ACTIVE: &str = "('requested', 'confirmed')";

/// How long a pending request holds the slot (it also ends when the slot starts).
pub const HOLD_MS: i64 = 48 * 3600 * 1000;

const MEETING_FIELDS: &str = "id, company_id, buyer_id, staff_id, slot_id, seat, starts_ms, \
     ends_ms, mode, state, message, decline_reason, expires_ms";

async fn summary(state: &AppState, id: i64) -> ApiResult<UserSummary> {
    crate::auth::load_user(&state.store, id)
        .await?
        .map(|u| u.summary())
        .ok_or_else(|| ApiError::not_found("no such user"))
}

pub async fn meeting_from_row(state: &AppState, row: &AnyRow) -> ApiResult<Meeting> {
    let mode: String = row.try_get("mode")?;
    let st: String = row.try_get("state")?;
    let staff: Option<i64> = row.try_get("staff_id")?;
    let expires_ms: i64 = row.try_get("expires_ms")?;
    Ok(Meeting {
        id: row.try_get("id")?,
        company_id: row.try_get("company_id")?,
        buyer: summary(state, row.try_get("buyer_id")?).await?,
        staff: match staff {
            Some(id) => Some(summary(state, id).await?),
            None => None,
        },
        slot_id: row.try_get("slot_id")?,
        seat: row.try_get("seat")?,
        starts_ms: row.try_get("starts_ms")?,
        ends_ms: row.try_get("ends_ms")?,
        mode: if mode == "onsite" {
            MeetingMode::Onsite
        } else {
            MeetingMode::Online
        },
        state: match MeetingState::parse(&st).unwrap_or(MeetingState::Cancelled) {
            // A hold that ran out is expired whether or not a write has marked it yet, so
            // reads need not write.
            MeetingState::Requested if expires_ms <= now_ms() => MeetingState::Expired,
            other => other,
        },
        message: row.try_get("message")?,
        decline_reason: row.try_get("decline_reason")?,
        expires_ms,
    })
}

pub async fn load(state: &AppState, id: i64) -> ApiResult<Meeting> {
    let sql = format!("select {MEETING_FIELDS} from meetings where id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(state.store.pool())
        .await?
        .ok_or_else(|| ApiError::not_found("no such meeting"))?;
    meeting_from_row(state, &row).await
}

pub async fn load_slot(state: &AppState, id: i64) -> ApiResult<MeetingSlot> {
    let row = sqlx::query("select id, day, starts_ms, ends_ms from meeting_slots where id = $1")
        .bind(id)
        .fetch_optional(state.store.pool())
        .await?
        .ok_or_else(|| ApiError::not_found("no such slot"))?;
    Ok(slot_from_row(&row)?)
}

/// Reads a `meeting_slots` row (`id, day, starts_ms, ends_ms`).
pub fn slot_from_row(row: &AnyRow) -> sqlx::Result<MeetingSlot> {
    Ok(MeetingSlot {
        id: row.try_get("id")?,
        day: row.try_get("day")?,
        starts_ms: row.try_get("starts_ms")?,
        ends_ms: row.try_get("ends_ms")?,
    })
}

/// Active meetings among `m`-aliased rows as of `$now` (bound by the caller): confirmed, or
/// requested with a hold that has not run out. Reads use this instead of writing expiries.
pub fn active_at(now_param: &str) -> String {
    format!("(m.state = 'confirmed' or (m.state = 'requested' and m.expires_ms > {now_param}))")
}

/// Marks pending requests whose hold ran out as expired, freeing their slots. Runs before
/// every write that depends on which meetings are active (the constraints see only `state`).
pub async fn expire_holds(state: &AppState) -> ApiResult<()> {
    sqlx::query(
        "update meetings set state = 'expired', updated_ms = $1 where state = 'requested' and expires_ms <= $1",
    )
    .bind(now_ms())
    .execute(state.store.pool())
    .await?;
    Ok(())
}

/// A new request, as validated by the route.
pub struct Booking {
    pub company_id: i64,
    pub buyer_id: i64,
    pub requested_by: i64,
    pub slot: MeetingSlot,
    pub mode: MeetingMode,
    pub message: Option<String>,
}

/// Why a booking lost.
enum Lost {
    BuyerBusy,
    NoSeat,
}

/// Books a slot: the lowest free seat, or `slot_taken` naming the next free slots.
pub async fn book(state: &AppState, b: &Booking) -> ApiResult<Meeting> {
    expire_holds(state).await?;
    let seats: i64 = sqlx::query_scalar("select meeting_seats from companies where id = $1")
        .bind(b.company_id)
        .fetch_one(state.store.pool())
        .await?;
    let now = now_ms();
    let expires = (now + HOLD_MS).min(b.slot.starts_ms);
    let outcome = match state.store.kind() {
        StoreKind::Postgres => book_postgres(state, b, seats, now, expires).await?,
        StoreKind::Sqlite => book_sqlite(state, b, seats, now, expires).await?,
    };
    match outcome {
        Ok(id) => {
            let meeting = load(state, id).await?;
            announce(state, &meeting).await;
            metrics::counter!("expo_meetings_requested_total").increment(1);
            Ok(meeting)
        }
        Err(lost) => {
            let next = next_free(state, b).await?;
            let listed = next
                .iter()
                .map(|s| s.starts_ms.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            let why = match lost {
                Lost::BuyerBusy => "you already have a meeting at that time",
                Lost::NoSeat => "every seat of this company is booked at that time",
            };
            metrics::counter!("expo_meetings_slot_taken_total").increment(1);
            Err(ApiError::new(
                ErrorCode::SlotTaken,
                format!("{why}; next free slots (UTC ms): [{listed}]"),
            ))
        }
    }
}

const INSERT: &str =
    "insert into meetings (company_id, buyer_id, slot_id, seat, starts_ms, ends_ms, \
     mode, state, message, requested_by, created_ms, updated_ms, expires_ms) \
     values ($1, $2, $3, $4, $5, $6, $7, 'requested', $8, $9, $10, $10, $11) returning id";

async fn insert(
    conn: &mut sqlx::AnyConnection,
    b: &Booking,
    seat: i64,
    now: i64,
    expires: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(INSERT)
        .bind(b.company_id)
        .bind(b.buyer_id)
        .bind(b.slot.id)
        .bind(seat)
        .bind(b.slot.starts_ms)
        .bind(b.slot.ends_ms)
        .bind(match b.mode {
            MeetingMode::Online => "online",
            MeetingMode::Onsite => "onsite",
        })
        .bind(&b.message)
        .bind(b.requested_by)
        .bind(now)
        .bind(expires)
        .fetch_one(&mut *conn)
        .await
}

/// The name of the exclusion constraint a Postgres error violated, if it is one.
fn exclusion(error: &sqlx::Error) -> Option<String> {
    match error {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("23P01") => {
            Some(db.constraint().unwrap_or_default().to_string())
        }
        _ => None,
    }
}

async fn book_postgres(
    state: &AppState,
    b: &Booking,
    seats: i64,
    now: i64,
    expires: i64,
) -> ApiResult<Result<i64, Lost>> {
    let mut conn = state.store.pool().acquire().await?;
    for seat in 1..=seats {
        // Each attempt is its own statement: the constraint decides, atomically.
        match insert(&mut conn, b, seat, now, expires).await {
            Ok(id) => return Ok(Ok(id)),
            Err(e) => match exclusion(&e).as_deref() {
                Some("meetings_seat_free") => continue,
                Some(_) => return Ok(Err(Lost::BuyerBusy)),
                None => return Err(e.into()),
            },
        }
    }
    Ok(Err(Lost::NoSeat))
}

async fn book_sqlite(
    state: &AppState,
    b: &Booking,
    seats: i64,
    now: i64,
    expires: i64,
) -> ApiResult<Result<i64, Lost>> {
    let mut tx = state.store.pool().begin().await?;
    // Writing first takes SQLite's write lock at once, so the checks below and the insert
    // run with no other booking in between.
    sqlx::query("update meeting_lock set bookings = bookings + 1 where id = 1")
        .execute(&mut *tx)
        .await?;
    let overlap = format!("state in {ACTIVE} and starts_ms < $2 and ends_ms > $3");
    let busy: i64 = sqlx::query_scalar(&format!(
        "select count(*) from meetings where buyer_id = $1 and {overlap}"
    ))
    .bind(b.buyer_id)
    .bind(b.slot.ends_ms)
    .bind(b.slot.starts_ms)
    .fetch_one(&mut *tx)
    .await?;
    if busy > 0 {
        return Ok(Err(Lost::BuyerBusy));
    }
    let taken: Vec<i64> = sqlx::query_scalar(&format!(
        "select seat from meetings where company_id = $1 and {overlap}"
    ))
    .bind(b.company_id)
    .bind(b.slot.ends_ms)
    .bind(b.slot.starts_ms)
    .fetch_all(&mut *tx)
    .await?;
    let Some(seat) = (1..=seats).find(|s| !taken.contains(s)) else {
        return Ok(Err(Lost::NoSeat));
    };
    let id = insert(&mut tx, b, seat, now, expires).await?;
    tx.commit().await?;
    Ok(Ok(id))
}

/// The next few slots (after the asked one) the company offers with a free seat and the
/// buyer free.
pub async fn next_free(state: &AppState, b: &Booking) -> ApiResult<Vec<MeetingSlot>> {
    let sql = format!(
        "select s.id, s.day, s.starts_ms, s.ends_ms from meeting_slots s \
         join company_slots cs on cs.slot_id = s.id and cs.company_id = $1 \
         where s.starts_ms > $2 \
         and (select count(*) from meetings m where m.company_id = $1 and m.state in {ACTIVE} \
              and m.starts_ms < s.ends_ms and m.ends_ms > s.starts_ms) \
             < (select meeting_seats from companies where id = $1) \
         and not exists (select 1 from meetings m where m.buyer_id = $3 and m.state in {ACTIVE} \
              and m.starts_ms < s.ends_ms and m.ends_ms > s.starts_ms) \
         order by s.starts_ms limit 3"
    );
    let rows = sqlx::query(&sql)
        .bind(b.company_id)
        .bind(b.slot.starts_ms)
        .bind(b.buyer_id)
        .fetch_all(state.store.pool())
        .await?;
    rows.iter()
        .map(slot_from_row)
        .collect::<sqlx::Result<Vec<_>>>()
        .map_err(ApiError::from)
}

/// Tells the buyer and the company's staff that a meeting changed.
pub async fn announce(state: &AppState, meeting: &Meeting) {
    let staff: Vec<i64> = sqlx::query_scalar(
        "select id from users where role = 'exhibitor' and company_id = $1 and status = 'active'",
    )
    .bind(meeting.company_id)
    .fetch_all(state.store.pool())
    .await
    .unwrap_or_default();
    for user in std::iter::once(meeting.buyer.id).chain(staff) {
        let room = format!("user:{user}");
        let frame = ServerFrame::Event {
            room: room.clone(),
            event: RoomEvent::MeetingUpdated {
                meeting: meeting.clone(),
            },
        };
        if let Err(error) = state.hub.publish(&room, &frame).await {
            tracing::warn!(?error, "meeting announcement failed");
        }
    }
}
