//! Meeting scheduling: the fair's slot grid, each company's availability and seats, requests
//! that can never double-book, answers and moves, interpreters, onsite tables, check-in,
//! no-shows and outcomes, calendars, email, reminders and the video room.
//!
//! No person and no seat or table is ever in two active meetings that overlap. On Postgres the
//! database refuses it with exclusion constraints (`btree_gist`, see the migrations): a booking
//! tries the company's seats in order and a constraint violation means "that seat is taken"
//! (or "the buyer is busy"), so there is no check-then-insert race. On SQLite the check runs
//! inside one write transaction that first takes the database's write lock, so two bookings
//! cannot interleave. A loser gets `slot_taken` with the next free slots, never a 500. The
//! placing logic is in [`place`]; every write that gives a meeting a time, a person or a table
//! goes through it.

pub mod calendar;
pub mod jobs;
pub mod place;
pub mod room;
pub mod routes;

use crate::error::{ApiError, ApiResult};
use crate::AppState;
use expo_schema::protocol::room::Room;
use expo_schema::protocol::RoomEvent;
use expo_schema::{
    Attendance, CheckIns, LocalTime, Meeting, MeetingMode, MeetingOutcome, MeetingSide,
    MeetingSlot, MeetingState, MeetingTable, Role, UserProfile,
};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;

/// States that hold a slot.
pub const ACTIVE: &str = "('requested', 'confirmed')";

/// The video room opens this long before the start.
pub const ROOM_OPENS_MS: i64 = expo_schema::protocol::limits::MEETING_ROOM_OPENS_MS;

pub(crate) const MEETING_FIELDS: &str = "m.id, m.company_id, m.buyer_id, m.staff_id, \
     m.interpreter_id, m.slot_id, m.seat, m.starts_ms, m.ends_ms, m.mode, m.state, m.message, \
     m.decline_reason, m.expires_ms, m.awaiting, m.sequence, m.requested_by, m.products, \
     m.interpreter_languages, m.table_id, m.buyer_checkin_ms, m.company_checkin_ms, \
     m.interpreter_checkin_ms, m.closed_ms, m.buyer_no_show, m.company_no_show, \
     m.buyer_says_held, m.company_says_held, m.consult_usd, m.contract_usd, m.mou_signed, \
     m.samples_requested, m.outcome_notes, m.rating, m.outcome_ms, m.cancelled_by, \
     c.country as company_country, c.name as company_name \
     from meetings m join companies c on c.id = m.company_id";

/// The home time zone of a company from one of the fair's countries, used until a staff
/// member (with their own zone) takes the meeting.
pub fn home_zone(country: &str) -> &'static str {
    match country {
        "CN" => "Asia/Shanghai",
        "JP" => "Asia/Tokyo",
        "MN" => "Asia/Ulaanbaatar",
        "RU" => "Asia/Vladivostok",
        _ => "Asia/Seoul",
    }
}

/// A meeting's time on one participant's clock.
pub fn local_time(who: &str, zone: &str, starts_ms: i64, ends_ms: i64) -> LocalTime {
    let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::Asia::Seoul);
    let at = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap_or_default()
            .with_timezone(&tz)
    };
    let (start, end) = (at(starts_ms), at(ends_ms));
    let city = tz.name().rsplit('/').next().unwrap_or("").replace('_', " ");
    LocalTime {
        who: who.to_string(),
        timezone: tz.name().to_string(),
        label: format!("{} in {city}", start.format("%H:%M")),
        city,
        starts_local: start.to_rfc3339(),
        ends_local: end.to_rfc3339(),
    }
}

fn list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

/// Reads meetings, loading each person and table once per call (an agenda names the same
/// people again and again).
pub struct Loader<'a> {
    state: &'a AppState,
    users: HashMap<i64, UserProfile>,
    tables: HashMap<i64, MeetingTable>,
}

impl<'a> Loader<'a> {
    pub fn new(state: &'a AppState) -> Loader<'a> {
        Loader {
            state,
            users: HashMap::new(),
            tables: HashMap::new(),
        }
    }

    pub async fn user(&mut self, id: i64) -> ApiResult<UserProfile> {
        if let Some(user) = self.users.get(&id) {
            return Ok(user.clone());
        }
        let user = crate::auth::load_user(&self.state.store, id)
            .await?
            .ok_or_else(|| ApiError::not_found("no such user"))?;
        self.users.insert(id, user.clone());
        Ok(user)
    }

    async fn table(&mut self, id: i64) -> ApiResult<MeetingTable> {
        if let Some(table) = self.tables.get(&id) {
            return Ok(table.clone());
        }
        let row = sqlx::query(
            "select t.id, t.hall_id, h.name as hall_name, t.number from meeting_tables t \
             join halls h on h.id = t.hall_id where t.id = $1",
        )
        .bind(id)
        .fetch_one(self.state.store.pool())
        .await?;
        let table = table_from_row(&row)?;
        self.tables.insert(id, table.clone());
        Ok(table)
    }

    pub async fn meeting(&mut self, row: &AnyRow) -> ApiResult<Meeting> {
        let now = self.state.now_ms();
        let flag = |name: &str| -> sqlx::Result<Option<bool>> {
            Ok(row.try_get::<Option<i64>, _>(name)?.map(|v| v != 0))
        };
        let id: i64 = row.try_get("id")?;
        let mode: String = row.try_get("mode")?;
        let st: String = row.try_get("state")?;
        let expires_ms: i64 = row.try_get("expires_ms")?;
        let starts_ms: i64 = row.try_get("starts_ms")?;
        let ends_ms: i64 = row.try_get("ends_ms")?;
        let buyer = self.user(row.try_get("buyer_id")?).await?;
        let staff = match row.try_get::<Option<i64>, _>("staff_id")? {
            Some(id) => Some(self.user(id).await?),
            None => None,
        };
        let interpreter = match row.try_get::<Option<i64>, _>("interpreter_id")? {
            Some(id) => Some(self.user(id).await?),
            None => None,
        };
        let table = match row.try_get::<Option<i64>, _>("table_id")? {
            Some(id) => Some(self.table(id).await?),
            None => None,
        };
        let country: String = row.try_get("company_country")?;
        let company_zone = staff
            .as_ref()
            .map(|s| s.timezone.clone())
            .unwrap_or_else(|| home_zone(&country).to_string());
        let mut times = vec![
            local_time("buyer", &buyer.timezone, starts_ms, ends_ms),
            local_time("company", &company_zone, starts_ms, ends_ms),
        ];
        if let Some(i) = &interpreter {
            times.push(local_time("interpreter", &i.timezone, starts_ms, ends_ms));
        }
        let outcome = match row.try_get::<Option<i64>, _>("outcome_ms")? {
            Some(_) => Some(MeetingOutcome {
                consult_usd: row.try_get::<Option<i64>, _>("consult_usd")?.unwrap_or(0),
                contract_usd: row.try_get::<Option<i64>, _>("contract_usd")?.unwrap_or(0),
                mou_signed: flag("mou_signed")?.unwrap_or(false),
                samples_requested: flag("samples_requested")?.unwrap_or(false),
                notes: row.try_get("outcome_notes")?,
                rating: row.try_get("rating")?,
            }),
            None => None,
        };
        let awaiting: String = row.try_get("awaiting")?;
        let products: String = row.try_get("products")?;
        let languages: String = row.try_get("interpreter_languages")?;
        let video_url = self.state.config.video_url_template.as_ref().map(|t| {
            t.replace("{meeting_id}", &id.to_string())
                .replace("{key}", &video_key(&self.state.secret, id))
        });
        Ok(Meeting {
            id,
            company_id: row.try_get("company_id")?,
            company_name: row.try_get("company_name")?,
            buyer: buyer.summary(),
            staff: staff.map(|s| s.summary()),
            slot_id: row.try_get("slot_id")?,
            seat: row.try_get("seat")?,
            starts_ms,
            ends_ms,
            mode: if mode == "onsite" {
                MeetingMode::Onsite
            } else {
                MeetingMode::Online
            },
            state: match MeetingState::parse(&st).unwrap_or(MeetingState::Cancelled) {
                // A hold that ran out is expired whether or not a write has marked it yet,
                // so reads need not write.
                MeetingState::Requested if expires_ms <= now => MeetingState::Expired,
                other => other,
            },
            message: row.try_get("message")?,
            decline_reason: row.try_get("decline_reason")?,
            expires_ms,
            awaiting: if awaiting == "buyer" {
                MeetingSide::Buyer
            } else {
                MeetingSide::Company
            },
            sequence: row.try_get("sequence")?,
            requested_by: row.try_get("requested_by")?,
            product_ids: serde_json::from_str(&products).unwrap_or_default(),
            interpreter_languages: list(&languages),
            interpreter: interpreter.map(|i| i.summary()),
            table,
            times,
            checkins: CheckIns {
                buyer_ms: row.try_get("buyer_checkin_ms")?,
                company_ms: row.try_get("company_checkin_ms")?,
                interpreter_ms: row.try_get("interpreter_checkin_ms")?,
            },
            attendance: Attendance {
                closed_ms: row.try_get("closed_ms")?,
                buyer_no_show: flag("buyer_no_show")?.unwrap_or(false),
                company_no_show: flag("company_no_show")?.unwrap_or(false),
                buyer_says_held: flag("buyer_says_held")?,
                company_says_held: flag("company_says_held")?,
            },
            outcome,
            video_url,
            cancelled_by: row.try_get("cancelled_by")?,
        })
    }
}

/// The per-meeting secret in external video links: not guessable from the meeting id alone.
fn video_key(secret: &str, id: i64) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("expo-video:{secret}:{id}"));
    hex::encode(&digest[..8])
}

pub fn table_from_row(row: &AnyRow) -> sqlx::Result<MeetingTable> {
    Ok(MeetingTable {
        id: row.try_get("id")?,
        hall_id: row.try_get("hall_id")?,
        hall_name: row.try_get("hall_name")?,
        number: row.try_get("number")?,
    })
}

pub async fn load(state: &AppState, id: i64) -> ApiResult<Meeting> {
    let sql = format!("select {MEETING_FIELDS} where m.id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(state.store.pool())
        .await?
        .ok_or_else(|| ApiError::not_found("no such meeting"))?;
    Loader::new(state).meeting(&row).await
}

/// Loads the meetings with these ids, in the order given.
pub async fn load_many(state: &AppState, ids: &[i64]) -> ApiResult<Vec<Meeting>> {
    let mut loader = Loader::new(state);
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let sql = format!("select {MEETING_FIELDS} where m.id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_one(state.store.pool())
            .await?;
        out.push(loader.meeting(&row).await?);
    }
    Ok(out)
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

/// Marks pending requests whose hold ran out as expired, freeing their slots, and tells both
/// sides. Runs before every write that depends on which meetings are active (the constraints
/// see only `state`) and from the job loop. The `update … returning` claims each expiry for
/// exactly one caller, so each is announced once whichever node ran it.
pub async fn expire_holds(state: &AppState) -> ApiResult<()> {
    let now = state.now_ms();
    let ids: Vec<i64> = sqlx::query_scalar(
        "update meetings set state = 'expired', updated_ms = $1 \
         where state = 'requested' and expires_ms <= $1 returning id",
    )
    .bind(now)
    .fetch_all(state.store.pool())
    .await?;
    for meeting in load_many(state, &ids).await? {
        metrics::counter!("expo_meetings_expired_total").increment(1);
        changed(state, &meeting, Change::Ended).await;
    }
    Ok(())
}

/// How a caller stands to a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Buyer,
    /// Any active staff member of the company.
    Company,
    Interpreter,
    Organizer,
    Outsider,
}

impl Standing {
    pub fn of(user: &UserProfile, meeting: &Meeting) -> Standing {
        Standing::judge(user.id, user.role, user.company_id, meeting)
    }

    pub fn of_summary(user: &expo_schema::UserSummary, meeting: &Meeting) -> Standing {
        Standing::judge(user.id, user.role, user.company_id, meeting)
    }

    fn judge(id: i64, role: Role, company_id: Option<i64>, meeting: &Meeting) -> Standing {
        match role {
            Role::Organizer => Standing::Organizer,
            Role::Buyer if meeting.buyer.id == id => Standing::Buyer,
            Role::Exhibitor if company_id == Some(meeting.company_id) => Standing::Company,
            Role::Interpreter if meeting.interpreter.as_ref().map(|i| i.id) == Some(id) => {
                Standing::Interpreter
            }
            _ => Standing::Outsider,
        }
    }

    pub fn side(self) -> Option<MeetingSide> {
        match self {
            Standing::Buyer => Some(MeetingSide::Buyer),
            Standing::Company => Some(MeetingSide::Company),
            _ => None,
        }
    }
}

/// What happened to a meeting, for the notices that follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Requested,
    Confirmed,
    /// A new time: a proposal or a reschedule.
    Moved,
    /// Declined, cancelled or expired.
    Ended,
    /// Anything else (check-in, report, outcome, interpreter, table).
    Updated,
}

/// The user ids that hear about a meeting: the buyer, the company's active staff, and the
/// interpreter.
pub async fn audience(state: &AppState, meeting: &Meeting) -> Vec<i64> {
    let staff: Vec<i64> = sqlx::query_scalar(
        "select id from users where role = 'exhibitor' and company_id = $1 and status = 'active'",
    )
    .bind(meeting.company_id)
    .fetch_all(state.store.pool())
    .await
    .unwrap_or_default();
    let mut ids = vec![meeting.buyer.id];
    ids.extend(staff);
    ids.extend(meeting.interpreter.as_ref().map(|i| i.id));
    ids
}

/// A meeting without the company's private outcome.
pub fn redacted(mut meeting: Meeting) -> Meeting {
    meeting.outcome = None;
    meeting
}

/// A meeting as this user may see it: the outcome only for the company's staff and
/// organizers.
pub fn for_user(meeting: Meeting, user: &UserProfile) -> Meeting {
    match Standing::of(user, &meeting) {
        Standing::Company | Standing::Organizer => meeting,
        _ => redacted(meeting),
    }
}

/// Publishes `meeting_updated` to one room.
pub async fn tell(state: &AppState, room: Room, meeting: &Meeting) {
    let event = RoomEvent::MeetingUpdated {
        meeting: meeting.clone(),
    };
    crate::events::publish(&state.hub, room, event).await;
}

/// Tells every participant, live and (for the changes people want in their inbox) by email.
pub async fn changed(state: &AppState, meeting: &Meeting, change: Change) {
    // Organizers follow every meeting of the fair.
    let rooms = audience(state, meeting)
        .await
        .into_iter()
        .map(Room::User)
        .chain([Room::Organizers]);
    // The outcome (rating, notes, amounts) is the company's private record: the buyer and the
    // interpreter hear of every change without it.
    let private = redacted(meeting.clone());
    let outsiders = [
        Some(meeting.buyer.id),
        meeting.interpreter.as_ref().map(|i| i.id),
    ];
    for room in rooms {
        let seen = if outsiders.iter().flatten().any(|id| room == Room::User(*id)) {
            &private
        } else {
            meeting
        };
        tell(state, room, seen).await;
    }
    if change != Change::Updated {
        crate::mail::meeting_changed(state, meeting, change);
    }
}
