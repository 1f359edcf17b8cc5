//! Scheduler runs over the fair's records: the input is read from the database, the pure
//! scheduler ([`crate::matchmaking::run`]) answers off the async threads, and the run is
//! stored for review, hand moves and publishing.
//!
//! How the records become the scheduler's input:
//! - the grid is the fair's meeting slots still ahead (`meeting_slots`) of the grid's own
//!   length (the most common; a slot of another length is left alone); each fair day runs
//!   from its first slot to its last in the fair's zone (`EXPO_FAIR_TIMEZONE`), and a gap in
//!   it (a break) is a slot nobody can take;
//! - buyers and companies are those of the accepted pairs; a company's languages are its
//!   active staff's, its capacity its meeting seats, its free slots those it offers
//!   (`company_slots`; a company that offers none takes any), minus the slots its seats are
//!   all booked in; a person's busy slots and active meetings block their slots;
//! - interpreters are the fair's active interpreters, with their languages and zone;
//! - onsite tables are the fair's meeting tables (no tables: onsite meetings are not limited
//!   by tables), online seats as many as asked (default: no limit);
//! - a pair whose meeting is already confirmed is fixed where it is.

use super::marks::all_marks;
use super::pairs::load_pairs;
use crate::auth::Caller;
use crate::error::Path;
use crate::error::{ApiError, ApiResult, JsonBody};
use crate::matchmaking::{self, Problem};
use crate::store::json::decode_list;
use crate::store::now_ms;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{NaiveDate, TimeZone as _};
use expo_schema::matchmaking::{
    Company, Fair, FairDay, Input, Interpreting, MarkLevel, MatchPair, Mode, MoveInput,
    MoveRefused, Pair, Participant, Placement, Pool, Resources, Run, RunInput, RunSlot,
    ScheduleRun, Window,
};
use expo_schema::{ErrorBody, Role};
use serde::{Deserialize, Serialize};
use sqlx::Row as _;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What a run stores besides its input: the answer and what the review pages need.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stored {
    pub run: Run,
    pub slots: Vec<RunSlot>,
    pub pairs: Vec<MatchPair>,
    pub interpreters: BTreeMap<i64, String>,
}

/// The scheduler's input read from the records, with the grid mapping and names.
pub struct Built {
    pub input: Input,
    pub slots: Vec<RunSlot>,
    pub pairs: Vec<MatchPair>,
    pub interpreters: BTreeMap<i64, String>,
}

struct DbSlot {
    id: i64,
    day: String,
    starts_ms: i64,
    ends_ms: i64,
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::validation(message)
}

/// The fair's grid as the scheduler's days, and each scheduler slot's fair slot (if any).
async fn grid(state: &AppState) -> ApiResult<(Fair, Vec<Option<DbSlot>>)> {
    let rows = sqlx::query(
        "select id, day, starts_ms, ends_ms from meeting_slots where starts_ms > $1 \
         order by starts_ms",
    )
    .bind(state.now_ms())
    .fetch_all(state.store.pool())
    .await?;
    let mut slots = Vec::with_capacity(rows.len());
    for row in rows {
        slots.push(DbSlot {
            id: row.try_get("id")?,
            day: row.try_get("day")?,
            starts_ms: row.try_get("starts_ms")?,
            ends_ms: row.try_get("ends_ms")?,
        });
    }
    // The grid's own slot length (the most common one, the shortest on a tie); a slot of
    // another length (a special session) is not the scheduler's to fill.
    let mut lengths: BTreeMap<i64, usize> = BTreeMap::new();
    for s in &slots {
        *lengths.entry(s.ends_ms - s.starts_ms).or_default() += 1;
    }
    let Some(length) = lengths
        .iter()
        .filter(|(l, _)| **l > 0 && **l % 60_000 == 0)
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(l, _)| *l)
    else {
        return Err(invalid(
            "no meeting slots ahead (in whole minutes): define the grid's days first",
        ));
    };
    slots.retain(|s| s.ends_ms - s.starts_ms == length);
    let zone = state.config.fair_timezone.clone();
    let tz: chrono_tz::Tz = zone
        .parse()
        .map_err(|_| invalid("the fair's time zone is not an IANA zone"))?;
    let mut days: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for s in &slots {
        let e = days
            .entry(s.day.clone())
            .or_insert((s.starts_ms, s.ends_ms));
        e.0 = e.0.min(s.starts_ms);
        e.1 = e.1.max(s.ends_ms);
    }
    let local = |ms: i64| {
        tz.timestamp_millis_opt(ms)
            .single()
            .map(|t| t.naive_local())
            .ok_or_else(|| invalid("a slot time does not exist in the fair's zone"))
    };
    let mut fair_days = Vec::new();
    for (day, (start, end)) in &days {
        let date = NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .map_err(|_| invalid("a slot's day is not YYYY-MM-DD"))?;
        let (start, end) = (local(*start)?, local(*end)?);
        if end.date() != date || start.date() != date {
            return Err(invalid("a fair day's slots must stay within that day"));
        }
        let window = Window {
            start: start.time(),
            end: end.time(),
        };
        fair_days.push(FairDay {
            date,
            onsite: Some(window),
            online: Some(window),
        });
    }
    let fair = Fair {
        zone,
        slot_minutes: u16::try_from(length / 60_000).map_err(|_| invalid("slots too long"))?,
        days: fair_days,
        night: Window::hm(22, 0, 7, 0),
        max_run: 3,
        weights: Default::default(),
        seed: 0,
    };
    let probe = Input {
        fair: fair.clone(),
        buyers: Vec::new(),
        companies: Vec::new(),
        interpreters: Vec::new(),
        resources: Resources::default(),
        pairs: Vec::new(),
        fixed: Vec::new(),
    };
    let problem = Problem::new(&probe).map_err(|e| invalid(e.to_string()))?;
    let mut by_start: HashMap<i64, DbSlot> = slots.into_iter().map(|s| (s.starts_ms, s)).collect();
    let mapped = problem
        .slots
        .iter()
        .map(|s| by_start.remove(&s.start_ms))
        .collect();
    Ok((fair, mapped))
}

/// Reads the scheduler's input from the records.
pub async fn build(state: &AppState, knobs: &RunInput) -> ApiResult<Built> {
    if knobs.seed.is_some_and(|seed| i64::try_from(seed).is_err()) {
        return Err(ApiError::validation("seed is 0 to 2^63 - 1"));
    }
    let (mut fair, grid) = grid(state).await?;
    fair.max_run = knobs.max_run.unwrap_or(3).max(1);
    fair.seed = knobs.seed.unwrap_or(0);
    let index_of: HashMap<i64, u32> = grid
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.as_ref().map(|s| (s.id, i as u32)))
        .collect();
    let gaps: Vec<u32> = grid
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_none())
        .map(|(i, _)| i as u32)
        .collect();
    // Slots a slot id's time overlaps, by the grid's times (a busy slot or a meeting).
    let overlapping = |starts: i64, ends: i64| -> Vec<u32> {
        grid.iter()
            .enumerate()
            .filter_map(|(i, s)| {
                s.as_ref()
                    .filter(|s| s.starts_ms < ends && s.ends_ms > starts)
                    .map(|_| i as u32)
            })
            .collect()
    };
    // A pair either side has since said "no thanks" to is never scheduled (one already
    // published keeps its meeting until someone cancels it).
    let marks = all_marks(state).await?;
    let pairs: Vec<MatchPair> = load_pairs(state)
        .await?
        .into_iter()
        .filter(|p| {
            let (b, c) = marks
                .get(&(p.buyer_id, p.company_id))
                .copied()
                .unwrap_or_default();
            p.meeting_id.is_some() || ![b, c].contains(&Some(MarkLevel::NoThanks))
        })
        .collect();
    let pool = state.store.pool();

    // Active meetings: who is taken when, and the confirmed meetings of pairs.
    let rows = sqlx::query(
        "select id, company_id, buyer_id, interpreter_id, slot_id, starts_ms, ends_ms, mode, \
         state, interpreter_languages from meetings where state in ('requested', 'confirmed')",
    )
    .fetch_all(pool)
    .await?;
    let pair_meetings: HashMap<i64, i64> = pairs
        .iter()
        .filter_map(|p| p.meeting_id.map(|m| (m, p.id)))
        .collect();
    let mut taken: HashMap<i64, BTreeSet<u32>> = HashMap::new();
    let mut company_load: HashMap<(i64, u32), i64> = HashMap::new();
    let mut fixed = Vec::new();
    let mut fixed_resources: HashMap<(u32, Mode), u32> = HashMap::new();
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        let starts: i64 = row.try_get("starts_ms")?;
        let ends: i64 = row.try_get("ends_ms")?;
        let over = overlapping(starts, ends);
        let mode = if row.try_get::<String, _>("mode")? == "onsite" {
            Mode::Onsite
        } else {
            Mode::Online
        };
        let interpreter: Option<i64> = row.try_get("interpreter_id")?;
        let confirmed = row.try_get::<String, _>("state")? == "confirmed";
        let slot_id: i64 = row.try_get("slot_id")?;
        if let (true, Some(&pair), Some(&slot)) =
            (confirmed, pair_meetings.get(&id), index_of.get(&slot_id))
        {
            let n = fixed_resources.entry((slot, mode)).or_insert(0);
            let languages = decode_list(&row.try_get::<String, _>("interpreter_languages")?);
            fixed.push(Placement {
                pair,
                slot,
                mode,
                resource: *n,
                interpreting: match (interpreter, languages.as_slice()) {
                    (Some(interpreter), [buyer, company, ..]) => Some(Interpreting {
                        interpreter,
                        buyer_language: buyer.clone(),
                        company_language: company.clone(),
                    }),
                    _ => None,
                },
                fixed: true,
            });
            *n += 1;
            continue;
        }
        let buyer: i64 = row.try_get("buyer_id")?;
        let company: i64 = row.try_get("company_id")?;
        taken.entry(buyer).or_default().extend(&over);
        if let Some(i) = interpreter {
            taken.entry(i).or_default().extend(&over);
        }
        for s in over {
            *company_load.entry((company, s)).or_default() += 1;
        }
    }
    let busy = sqlx::query(
        "select b.user_id, s.starts_ms, s.ends_ms from busy_slots b \
         join meeting_slots s on s.id = b.slot_id",
    )
    .fetch_all(pool)
    .await?;
    for row in &busy {
        let over = overlapping(row.try_get("starts_ms")?, row.try_get("ends_ms")?);
        taken
            .entry(row.try_get("user_id")?)
            .or_default()
            .extend(over);
    }
    let blocked_for = |id: i64| -> Vec<u32> {
        let mut b: BTreeSet<u32> = gaps.iter().copied().collect();
        if let Some(t) = taken.get(&id) {
            b.extend(t);
        }
        b.into_iter().collect()
    };

    let buyer_ids: BTreeSet<i64> = pairs.iter().map(|p| p.buyer_id).collect();
    let mut buyers = Vec::new();
    for id in &buyer_ids {
        let row = sqlx::query("select timezone, languages from users where id = $1")
            .bind(id)
            .fetch_one(pool)
            .await?;
        let mut p = Participant::new(*id, &row.try_get::<String, _>("timezone")?, &[]);
        p.languages = decode_list(&row.try_get::<String, _>("languages")?);
        p.blocked = blocked_for(*id);
        buyers.push(p);
    }

    let company_ids: BTreeSet<i64> = pairs.iter().map(|p| p.company_id).collect();
    let mut companies = Vec::new();
    for id in &company_ids {
        let seats: i64 = sqlx::query_scalar("select meeting_seats from companies where id = $1")
            .bind(id)
            .fetch_one(pool)
            .await?;
        let mut languages = BTreeSet::new();
        let staff: Vec<String> = sqlx::query_scalar(
            "select languages from users where role = 'exhibitor' and status = 'active' \
             and company_id = $1",
        )
        .bind(id)
        .fetch_all(pool)
        .await?;
        for l in staff {
            languages.extend(decode_list(&l));
        }
        let offered: Vec<i64> =
            sqlx::query_scalar("select slot_id from company_slots where company_id = $1")
                .bind(id)
                .fetch_all(pool)
                .await?;
        let offered: BTreeSet<u32> = offered
            .iter()
            .filter_map(|s| index_of.get(s))
            .copied()
            .collect();
        let mut blocked: BTreeSet<u32> = gaps.iter().copied().collect();
        for s in 0..grid.len() as u32 {
            let full = company_load.get(&(*id, s)).copied().unwrap_or(0) >= seats;
            if full || (!offered.is_empty() && !offered.contains(&s)) {
                blocked.insert(s);
            }
        }
        let mut person = Participant::new(*id, &fair.zone, &[]);
        person.languages = languages.into_iter().collect();
        person.blocked = blocked.into_iter().collect();
        companies.push(Company {
            person,
            capacity: u16::try_from(seats.max(1)).unwrap_or(u16::MAX),
        });
    }

    let rows = sqlx::query(
        "select id, name, timezone, languages from users \
         where role = 'interpreter' and status = 'active' order by id",
    )
    .fetch_all(pool)
    .await?;
    let mut interpreters = Vec::new();
    let mut interpreter_names = BTreeMap::new();
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let mut p = Participant::new(id, &row.try_get::<String, _>("timezone")?, &[]);
        p.languages = decode_list(&row.try_get::<String, _>("languages")?);
        p.blocked = blocked_for(id);
        interpreter_names.insert(id, row.try_get::<String, _>("name")?);
        interpreters.push(p);
    }

    let tables: i64 = sqlx::query_scalar("select count(*) from meeting_tables")
        .fetch_one(pool)
        .await?;
    let unlimited = u32::try_from(pairs.len()).unwrap_or(u32::MAX).max(1);
    let resources = Resources {
        tables: Pool {
            count: if tables == 0 {
                unlimited
            } else {
                u32::try_from(tables).unwrap_or(u32::MAX)
            },
            overrides: Vec::new(),
        },
        seats: Pool {
            count: knobs.online_seats.unwrap_or(unlimited),
            overrides: Vec::new(),
        },
    };
    let input = Input {
        fair,
        buyers,
        companies,
        interpreters,
        resources,
        pairs: pairs
            .iter()
            .map(|p| Pair {
                id: p.id,
                buyer: p.buyer_id,
                company: p.company_id,
                priority: p.priority,
                mode: p.mode,
            })
            .collect(),
        fixed,
    };
    let slots = grid
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            s.as_ref().map(|s| RunSlot {
                index: i as u32,
                slot_id: s.id,
                day: s.day.clone(),
                starts_ms: s.starts_ms,
                ends_ms: s.ends_ms,
            })
        })
        .collect();
    Ok(Built {
        input,
        slots,
        pairs,
        interpreters: interpreter_names,
    })
}

/// Schedules the accepted pairs (organizers): reads the records, runs the scheduler and
/// stores the run for review. Nothing is booked until it is published.
#[utoipa::path(post, path = "/api/v1/match/runs", tag = "matchmaking", request_body = RunInput,
    responses((status = 200, body = ScheduleRun), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(knobs): JsonBody<RunInput>,
) -> ApiResult<Json<ScheduleRun>> {
    caller.require_role(Role::Organizer)?;
    let built = build(&state, &knobs).await?;
    let input = built.input.clone();
    // Up to a few seconds of CPU for a big fair: off the async threads.
    let run = tokio::task::spawn_blocking(move || matchmaking::run(&input))
        .await
        .map_err(|e| ApiError::Other(anyhow::anyhow!("the scheduler stopped: {e}")))?
        .map_err(|e| invalid(e.to_string()))?;
    metrics::counter!("expo_match_runs_total").increment(1);
    let stored = Stored {
        run,
        slots: built.slots,
        pairs: built.pairs,
        interpreters: built.interpreters,
    };
    let now = now_ms();
    let id: i64 = sqlx::query_scalar(
        "insert into match_runs (created_by, created_ms, input, result) values ($1, $2, $3, $4) \
         returning id",
    )
    .bind(caller.user.id)
    .bind(now)
    .bind(encode(&built.input)?)
    .bind(encode(&stored)?)
    .fetch_one(state.store.pool())
    .await?;
    Ok(Json(view(id, now, None, stored)))
}

fn encode<T: Serialize>(value: &T) -> ApiResult<String> {
    serde_json::to_string(value).map_err(|e| ApiError::Other(e.into()))
}

fn view(id: i64, created_ms: i64, published_ms: Option<i64>, stored: Stored) -> ScheduleRun {
    ScheduleRun {
        id,
        created_ms,
        published_ms,
        run: stored.run,
        slots: stored.slots,
        pairs: stored.pairs,
        interpreters: stored.interpreters,
    }
}

/// A stored run with its input.
pub struct Loaded {
    pub id: i64,
    pub created_ms: i64,
    pub published_ms: Option<i64>,
    pub input: Input,
    pub stored: Stored,
}

pub async fn load(conn: &mut sqlx::AnyConnection, id: i64) -> ApiResult<Loaded> {
    let row = sqlx::query(
        "select id, created_ms, published_ms, input, result from match_runs where id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| ApiError::not_found("no such run"))?;
    let decode = |column: &str| -> ApiResult<String> { Ok(row.try_get::<String, _>(column)?) };
    Ok(Loaded {
        id: row.try_get("id")?,
        created_ms: row.try_get("created_ms")?,
        published_ms: row.try_get("published_ms")?,
        input: serde_json::from_str(&decode("input")?).map_err(|e| ApiError::Other(e.into()))?,
        stored: serde_json::from_str(&decode("result")?).map_err(|e| ApiError::Other(e.into()))?,
    })
}

/// A stored run: the schedule, its quality, the pairs left out and why.
#[utoipa::path(get, path = "/api/v1/match/runs/{id}", tag = "matchmaking",
    params(("id" = i64, Path, description = "Run id")),
    responses((status = 200, body = ScheduleRun), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<ScheduleRun>> {
    caller.require_role(Role::Organizer)?;
    let mut conn = state.store.pool().acquire().await?;
    let run = load(&mut conn, id).await?;
    Ok(Json(view(
        run.id,
        run.created_ms,
        run.published_ms,
        run.stored,
    )))
}

/// Moves one meeting of an unpublished run by hand (organizers). A move that would break a
/// rule is refused (409) with every conflict, and the run is left as it was.
#[utoipa::path(post, path = "/api/v1/match/runs/{id}/move", tag = "matchmaking",
    params(("id" = i64, Path, description = "Run id")), request_body = MoveInput,
    responses((status = 200, body = ScheduleRun), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = MoveRefused),
        (status = 422, body = ErrorBody)))]
pub async fn move_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<MoveInput>,
) -> ApiResult<Response> {
    caller.require_role(Role::Organizer)?;
    let mut tx = state.store.begin_write().await?;
    // Claims the row first (a write), so two moves of one run take turns on either engine.
    sqlx::query("update match_runs set created_ms = created_ms where id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let mut run = load(&mut tx, id).await?;
    if run.published_ms.is_some() {
        let refused = MoveRefused {
            code: expo_schema::ErrorCode::Conflict,
            message: "this run is published; run the scheduler again to change it".into(),
            conflicts: Vec::new(),
        };
        return Ok((StatusCode::CONFLICT, Json(refused)).into_response());
    }
    let schedule = match matchmaking::move_meeting(
        &run.input,
        &run.stored.run.schedule,
        input.pair,
        &input.to,
    ) {
        Ok(schedule) => schedule,
        Err(conflicts) => {
            let refused = MoveRefused {
                code: expo_schema::ErrorCode::Conflict,
                message: "the move breaks a rule of the schedule".into(),
                conflicts,
            };
            return Ok((StatusCode::CONFLICT, Json(refused)).into_response());
        }
    };
    let problem = Problem::new(&run.input).map_err(|e| invalid(e.to_string()))?;
    let quality = matchmaking::quality(&problem, &schedule, run.stored.run.quality.runtime_ms);
    run.stored.run = Run { schedule, quality };
    sqlx::query("update match_runs set result = $1 where id = $2")
        .bind(encode(&run.stored)?)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Json(view(run.id, run.created_ms, run.published_ms, run.stored)).into_response())
}
