//! A meeting's interpreter: suggestions, assigning and removing one (organizers).

use super::plan_of;
use crate::auth::Caller;
use crate::error::Path;
use crate::error::{ApiError, ApiResult, JsonBody};
use crate::meetings::place::{place_or_refuse, Update, Write};
use crate::meetings::{changed, load, load_slot, Change, Loader};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use expo_schema::api::{InterpreterInput, InterpreterOption, InterpreterOptions};
use expo_schema::{ErrorBody, ErrorCode, Meeting, MeetingState, Role};
use sqlx::Row;

/// Free interpreters who speak every language the meeting needs, least busy first
/// (organizers).
#[utoipa::path(get, path = "/api/v1/meetings/{id}/interpreters", tag = "meetings",
    params(("id" = i64, Path, description = "meeting id")),
    responses((status = 200, body = InterpreterOptions), (status = 403, body = ErrorBody)))]
pub async fn interpreter_suggestions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<InterpreterOptions>> {
    caller.require_role(Role::Organizer)?;
    let meeting = load(&state, id).await?;
    Ok(Json(InterpreterOptions {
        interpreters: suggest(&state, &meeting).await?,
    }))
}

async fn suggest(state: &AppState, meeting: &Meeting) -> ApiResult<Vec<InterpreterOption>> {
    let day = load_slot(state, meeting.slot_id).await?.day;
    let sql = format!(
        "select u.id, u.languages, \
         (select count(*) from meetings m join meeting_slots s on s.id = m.slot_id \
          where m.interpreter_id = u.id and s.day = $4 and m.state in {active}) as that_day \
         from users u where u.role = 'interpreter' and u.status = 'active' \
         and not exists (select 1 from meetings m where m.interpreter_id = u.id and m.id <> $1 \
             and m.state in {active} and m.starts_ms < $2 and m.ends_ms > $3) \
         and not exists (select 1 from busy_slots b join meeting_slots s on s.id = b.slot_id \
             where b.user_id = u.id and s.starts_ms < $2 and s.ends_ms > $3) \
         order by that_day, u.id",
        active = crate::meetings::ACTIVE
    );
    let rows = sqlx::query(&sql)
        .bind(meeting.id)
        .bind(meeting.ends_ms)
        .bind(meeting.starts_ms)
        .bind(&day)
        .fetch_all(state.store.pool())
        .await?;
    let mut loader = Loader::new(state);
    let mut out = Vec::new();
    for row in &rows {
        let languages: Vec<String> =
            serde_json::from_str(&row.try_get::<String, _>("languages")?).unwrap_or_default();
        if !meeting
            .interpreter_languages
            .iter()
            .all(|l| languages.contains(l))
        {
            continue;
        }
        let that_day: i64 = row.try_get("that_day")?;
        let limit = state.config.interpreter_meetings_per_day;
        if limit > 0 && that_day >= limit {
            continue;
        }
        out.push(InterpreterOption {
            interpreter: loader.user(row.try_get("id")?).await?.summary(),
            languages,
            meetings_that_day: that_day,
        });
    }
    Ok(out)
}

/// Assigns an interpreter (organizers). The same no-overlap guarantee as for everyone else:
/// an interpreter is never in two active meetings at once.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/interpreter", tag = "meetings", request_body = InterpreterInput,
    params(("id" = i64, Path, description = "meeting id")),
    responses((status = 200, body = Meeting), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn assign_interpreter(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<InterpreterInput>,
) -> ApiResult<Json<Meeting>> {
    caller.require_role(Role::Organizer)?;
    let meeting = load(&state, id).await?;
    let interpreter = match input.interpreter_id {
        Some(id) => {
            let row = sqlx::query(
                "select languages from users where id = $1 and role = 'interpreter' and status = 'active'",
            )
            .bind(id)
            .fetch_optional(state.store.pool())
            .await?
            .ok_or_else(|| ApiError::validation("interpreter_id is not an active interpreter"))?;
            let languages: Vec<String> =
                serde_json::from_str(&row.try_get::<String, _>("languages")?).unwrap_or_default();
            if let Some(missing) = meeting
                .interpreter_languages
                .iter()
                .find(|l| !languages.contains(l))
            {
                return Err(ApiError::validation(format!(
                    "that interpreter does not speak {missing}"
                )));
            }
            id
        }
        None => suggest(&state, &meeting)
            .await?
            .first()
            .map(|o| o.interpreter.id)
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::SlotTaken,
                    "no free interpreter speaks those languages then",
                )
            })?,
    };
    set_interpreter(&state, &meeting, Some(interpreter)).await
}

async fn set_interpreter(
    state: &AppState,
    meeting: &Meeting,
    interpreter: Option<i64>,
) -> ApiResult<Json<Meeting>> {
    let from = match meeting.state {
        MeetingState::Requested => "requested",
        MeetingState::Confirmed => "confirmed",
        other => {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                format!("the meeting is {}", other.as_str()),
            ))
        }
    };
    let mut plan = plan_of(meeting, load_slot(state, meeting.slot_id).await?);
    plan.interpreter_id = interpreter;
    let write = Write::Update(Update::keeping_hold(meeting, from, from, false));
    place_or_refuse(state, &plan, &write).await?;
    let updated = load(state, meeting.id).await?;
    // The interpreter who was removed hears about it too.
    if let Some(old) = meeting
        .interpreter
        .as_ref()
        .filter(|o| Some(o.id) != interpreter)
    {
        crate::meetings::tell(
            state,
            expo_schema::protocol::room::Room::User(old.id),
            &updated,
        )
        .await;
    }
    changed(state, &updated, Change::Moved).await;
    Ok(Json(updated))
}

/// Removes the interpreter (organizers).
#[utoipa::path(delete, path = "/api/v1/meetings/{id}/interpreter", tag = "meetings",
    params(("id" = i64, Path, description = "meeting id")),
    responses((status = 200, body = Meeting), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn unassign_interpreter(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Meeting>> {
    caller.require_role(Role::Organizer)?;
    let meeting = load(&state, id).await?;
    set_interpreter(&state, &meeting, None).await
}
