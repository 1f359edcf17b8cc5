//! Publishing a run: every placed meeting becomes a confirmed meeting, all in one
//! transaction, through the meeting placer ([`crate::meetings::place::place_in`]), the same
//! code (and the same database constraints) as a booking by hand. If any one of them no
//! longer fits (someone booked that buyer meanwhile, a table went away), nothing is
//! published and the answer names the pair and why. After the commit everyone hears of
//! their meetings live on `/ws`, by email and in their calendar feed.

use super::runs::{load, Loaded};
use crate::auth::Caller;
use crate::error::Path;
use crate::error::{ApiError, ApiResult};
use crate::meetings::place::{place_in, retrying, Lost, NewRequest, Plan, Update, Write};
use crate::meetings::{self, Change};
use crate::store::now_ms;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use expo_schema::matchmaking::{Mode, Placement, PublishResult};
use expo_schema::{ErrorBody, ErrorCode, MeetingMode, MeetingSide, MeetingSlot, Role};

/// Why one placement could not be written.
fn refused(run: &Loaded, placement: &Placement, lost: &Lost) -> ApiError {
    let pair = run
        .stored
        .pairs
        .iter()
        .find(|p| p.id == placement.pair)
        .map(|p| format!("{} – {}", p.buyer_name, p.company_name))
        .unwrap_or_default();
    ApiError::new(
        ErrorCode::SlotTaken,
        format!(
            "nothing was published: the meeting of pair {} ({pair}) no longer fits ({lost:?}); \
             run the scheduler again",
            placement.pair
        ),
    )
}

async fn publish_once(state: &AppState, caller: &Caller, id: i64) -> ApiResult<Vec<i64>> {
    meetings::expire_holds(state).await?;
    let mut tx = state.store.begin_write().await?;
    // Claim the run first: the write takes SQLite's lock at once, and on Postgres a second
    // publish of the same run waits here and then finds it published.
    let claimed = sqlx::query(
        "update match_runs set published_ms = $1 where id = $2 and published_ms is null",
    )
    .bind(now_ms())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let run = load(&mut tx, id).await?;
    if claimed.rows_affected() == 0 {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "this run is already published",
        ));
    }
    let mut created = Vec::new();
    for placement in run
        .stored
        .run
        .schedule
        .placements
        .iter()
        .filter(|p| !p.fixed)
    {
        let pair = run
            .stored
            .pairs
            .iter()
            .find(|p| p.id == placement.pair)
            .ok_or_else(|| ApiError::validation("the run names a pair it does not have"))?;
        let slot = run
            .stored
            .slots
            .iter()
            .find(|s| s.index == placement.slot)
            .ok_or_else(|| ApiError::validation("the run names a slot it does not have"))?;
        let slot = MeetingSlot {
            id: slot.slot_id,
            day: slot.day.clone(),
            starts_ms: slot.starts_ms,
            ends_ms: slot.ends_ms,
        };
        let plan = Plan {
            company_id: pair.company_id,
            buyer_id: pair.buyer_id,
            staff_id: None,
            interpreter_id: placement.interpreting.as_ref().map(|i| i.interpreter),
            slot: slot.clone(),
            mode: match placement.mode {
                Mode::Onsite => MeetingMode::Onsite,
                Mode::Online => MeetingMode::Online,
            },
        };
        let expires_ms = slot.starts_ms.max(state.now_ms() + 60_000);
        let request = Write::Insert(NewRequest {
            show_id: None,
            requested_by: caller.user.id,
            awaiting: MeetingSide::Company,
            message: None,
            product_ids: Vec::new(),
            interpreter_languages: placement
                .interpreting
                .as_ref()
                .map(|i| vec![i.buyer_language.clone(), i.company_language.clone()])
                .unwrap_or_default(),
            expires_ms,
        });
        let meeting = match place_in(state, &mut tx, &plan, &request).await? {
            Ok(meeting) => meeting,
            Err(lost) => return Err(refused(&run, placement, &lost)),
        };
        let confirm = Write::Update(Update {
            id: meeting,
            from_state: "requested",
            to_state: "confirmed",
            awaiting: MeetingSide::Company,
            expires_ms,
            moved: false,
        });
        if let Err(lost) = place_in(state, &mut tx, &plan, &confirm).await? {
            return Err(refused(&run, placement, &lost));
        }
        sqlx::query("update match_pairs set meeting_id = $1 where id = $2")
            .bind(meeting)
            .bind(pair.id)
            .execute(&mut *tx)
            .await?;
        created.push(meeting);
    }
    tx.commit().await?;
    Ok(created)
}

/// Publishes a run (organizers): all its meetings are booked and confirmed at once, or none
/// is. Everyone hears of their meetings live, by email and in their calendar feed.
#[utoipa::path(post, path = "/api/v1/match/runs/{id}/publish", tag = "matchmaking",
    params(("id" = i64, Path, description = "Run id")),
    responses((status = 200, body = PublishResult), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<PublishResult>> {
    caller.require_role(Role::Organizer)?;
    let created = retrying(|| publish_once(&state, &caller, id)).await?;
    metrics::counter!("expo_match_published_meetings_total").increment(created.len() as u64);
    for meeting in meetings::load_many(&state, &created).await? {
        meetings::changed(&state, &meeting, Change::Confirmed).await;
    }
    Ok(Json(PublishResult {
        run_id: id,
        meetings: created,
    }))
}
