//! Questions and polls of a show (issue 14, the stage chat). Viewers ask the host questions
//! and upvote them; the host's staff and organizers mark them answered or hide them, and run
//! polls (one vote per viewer, which a second vote changes, until closed).
//!
//! At broadcast scale a vote must not become one event per vote per viewer: a vote is
//! stored at once and marks its question or poll "moved" on this node; once a second the
//! node publishes the current totals of what moved (`show_question_update`, `show_poll`),
//! read from the store, so every node's viewers converge on the same figures. New
//! questions, answers, hides, and polls opened or closed go out at once.

use super::edit::runs_show;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, JsonBody, Path};
use crate::events;
use crate::hub::Hub;
use crate::store::{now_ms, Store};
use crate::tasks::Tasks;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use expo_schema::api::{
    PollInput, PollList, PollVote, QuestionInput, QuestionList, Show, ShowPoll, ShowQuestion,
};
use expo_schema::protocol::room::Room as RoomName;
use expo_schema::protocol::RoomEvent;
use expo_schema::{ErrorBody, ErrorCode, Role, UserSummary};
use sqlx::Row;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use utoipa_axum::{router::OpenApiRouter, routes};

/// How often a node publishes the totals of what moved.
pub const EVERY: Duration = Duration::from_secs(1);
const MAX_QUESTION_CHARS: usize = 500;
const MAX_POLL_TEXT_CHARS: usize = 200;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(questions, ask))
        .routes(routes!(upvote))
        .routes(routes!(answer))
        .routes(routes!(hide))
        .routes(routes!(polls, open_poll))
        .routes(routes!(vote))
        .routes(routes!(close_poll))
}

/// Questions and polls whose totals moved on this node since the last publish.
#[derive(Clone, Default)]
pub struct Moved {
    inner: Arc<Mutex<(HashSet<i64>, HashSet<i64>)>>,
}

impl Moved {
    /// Starts the task that publishes what moved, once a second (supervised).
    pub fn start(store: Store, hub: Hub, tasks: &Tasks, shutdown: CancellationToken) -> Moved {
        let moved = Moved::default();
        let task = moved.clone();
        let stop = shutdown.clone();
        tasks.spawn("show-votes", shutdown, move || {
            task.clone().run(store.clone(), hub.clone(), stop.clone())
        });
        moved
    }

    fn question(&self, id: i64) {
        self.inner.lock().expect("moved").0.insert(id);
    }

    fn poll(&self, id: i64) {
        self.inner.lock().expect("moved").1.insert(id);
    }

    async fn run(self, store: Store, hub: Hub, shutdown: CancellationToken) {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = shutdown.cancelled() => return,
            }
            let (questions, polls) = std::mem::take(&mut *self.inner.lock().expect("moved"));
            for id in questions {
                match load_question(&store, id, None).await {
                    Ok(Some((q, hidden))) => publish_update(&hub, &q, hidden).await,
                    Ok(None) => {}
                    Err(error) => {
                        tracing::warn!(?error, id, "publishing a question's votes failed")
                    }
                }
            }
            for id in polls {
                match load_poll(&store, id, None).await {
                    Ok(Some(poll)) => publish_poll(&hub, poll).await,
                    Ok(None) => {}
                    Err(error) => tracing::warn!(?error, id, "publishing a poll's results failed"),
                }
            }
        }
    }
}

async fn publish_update(hub: &Hub, q: &ShowQuestion, hidden: bool) {
    let event = RoomEvent::ShowQuestionUpdate {
        show_id: q.show_id,
        question_id: q.id,
        votes: q.votes,
        answered: q.answered,
        hidden,
    };
    events::publish(hub, RoomName::Show(q.show_id), event).await;
}

async fn publish_poll(hub: &Hub, mut poll: ShowPoll) {
    poll.my_vote = None;
    let show_id = poll.show_id;
    events::publish(hub, RoomName::Show(show_id), RoomEvent::ShowPoll { poll }).await;
}

async fn show_of(state: &AppState, id: i64) -> ApiResult<Show> {
    Ok(super::load_show(state, id, "en").await?.show)
}

fn moderates(caller: &Caller, show: &Show) -> ApiResult<()> {
    if runs_show(caller, show) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only organizers and the host company's staff moderate a show",
        ))
    }
}

// ---------------------------------------------------------------- questions

const QUESTION_SELECT: &str = "select q.id, q.show_id, q.body, q.created_ms, q.answered_ms, \
     q.hidden_ms, (select count(*) from show_question_votes v where v.question_id = q.id) as votes, \
     u.id as asker_id, u.name as asker_name, u.role as asker_role, u.company_id as asker_company_id, \
     coalesce(c.name, u.buyer_company) as asker_company, u.country as asker_country \
     from show_questions q join users u on u.id = q.asker_id \
     left join companies c on c.id = u.company_id";

fn question_from_row(row: &sqlx::any::AnyRow) -> sqlx::Result<(ShowQuestion, bool)> {
    let role: String = row.try_get("asker_role")?;
    let hidden: Option<i64> = row.try_get("hidden_ms")?;
    let answered: Option<i64> = row.try_get("answered_ms")?;
    Ok((
        ShowQuestion {
            id: row.try_get("id")?,
            show_id: row.try_get("show_id")?,
            asker: UserSummary {
                id: row.try_get("asker_id")?,
                name: row.try_get("asker_name")?,
                role: Role::parse(&role).unwrap_or(Role::Buyer),
                company_id: row.try_get("asker_company_id")?,
                company_name: row.try_get("asker_company")?,
                country: row.try_get("asker_country")?,
                anonymous: false,
            },
            body: row.try_get("body")?,
            created_ms: row.try_get("created_ms")?,
            votes: row.try_get("votes")?,
            voted: false,
            answered: answered.is_some(),
        },
        hidden.is_some(),
    ))
}

/// A question and whether it is hidden; `reader` fills in `voted`.
async fn load_question(
    store: &Store,
    id: i64,
    reader: Option<i64>,
) -> sqlx::Result<Option<(ShowQuestion, bool)>> {
    let row = sqlx::query(&format!("{QUESTION_SELECT} where q.id = $1"))
        .bind(id)
        .fetch_optional(store.pool())
        .await?;
    let Some(row) = row else { return Ok(None) };
    let (mut q, hidden) = question_from_row(&row)?;
    if let Some(reader) = reader {
        q.voted = voted(store, id, reader).await?;
    }
    Ok(Some((q, hidden)))
}

async fn voted(store: &Store, question: i64, user: i64) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "select count(*) from show_question_votes where question_id = $1 and user_id = $2",
    )
    .bind(question)
    .bind(user)
    .fetch_one(store.pool())
    .await?;
    Ok(n > 0)
}

async fn question_or_404(state: &AppState, id: i64, reader: i64) -> ApiResult<ShowQuestion> {
    match load_question(&state.store, id, Some(reader)).await? {
        Some((q, false)) => Ok(q),
        _ => Err(ApiError::not_found("no such question")),
    }
}

/// A show's questions, most upvoted first (hidden ones left out).
#[utoipa::path(get, path = "/api/v1/shows/{id}/questions", tag = "stage",
    params(("id" = i64, Path, description = "show id")),
    responses((status = 200, body = QuestionList), (status = 404, body = ErrorBody)))]
pub async fn questions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<QuestionList>> {
    show_of(&state, id).await?;
    let rows = sqlx::query(&format!(
        "{QUESTION_SELECT} where q.show_id = $1 and q.hidden_ms is null \
         order by votes desc, q.created_ms, q.id limit 500"
    ))
    .bind(id)
    .fetch_all(state.store.pool())
    .await?;
    let mine: HashSet<i64> = sqlx::query_scalar(
        "select v.question_id from show_question_votes v join show_questions q \
         on q.id = v.question_id where q.show_id = $1 and v.user_id = $2",
    )
    .bind(id)
    .bind(caller.user.id)
    .fetch_all(state.store.pool())
    .await?
    .into_iter()
    .collect();
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let (mut q, _) = question_from_row(row)?;
        q.voted = mine.contains(&q.id);
        out.push(q);
    }
    Ok(Json(QuestionList { questions: out }))
}

/// Asks the host a question (the show chat's rules apply: its mode, sanctions in its room,
/// the word filter). Every viewer hears `show_question` at once.
#[utoipa::path(post, path = "/api/v1/shows/{id}/questions", tag = "stage", request_body = QuestionInput,
    params(("id" = i64, Path, description = "show id")),
    responses((status = 201, body = ShowQuestion), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn ask(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<QuestionInput>,
) -> ApiResult<(StatusCode, Json<ShowQuestion>)> {
    show_of(&state, id).await?;
    let body = input.body.trim();
    let chars = body.chars().count();
    if chars == 0 || chars > MAX_QUESTION_CHARS {
        return Err(ApiError::validation(format!(
            "body: 1 to {MAX_QUESTION_CHARS} characters"
        )));
    }
    let user = caller.user.summary();
    super::chat::check_mode(&state, &user, id).await?;
    // The show chat's sanctions hold for its questions too.
    let room = crate::chat::commands::open(&state, &user, &format!("show:{id}")).await?;
    let room = crate::chat::store::load_room(&state, room.id).await?;
    crate::chat::access::check_post(&state, &user, &room).await?;
    crate::chat::filter::check(&state, body).await?;
    let mut conn = state.store.pool().acquire().await?;
    let qid = write_question(&mut conn, id, caller.user.id, body, now_ms()).await?;
    drop(conn);
    let question = question_or_404(&state, qid, caller.user.id).await?;
    let event = RoomEvent::ShowQuestion {
        question: question.clone(),
    };
    events::publish(&state.hub, RoomName::Show(id), event).await;
    Ok((StatusCode::CREATED, Json(question)))
}

/// Upvotes a question (once per viewer; again is the same). Totals go out once a second.
#[utoipa::path(post, path = "/api/v1/questions/{id}/vote", tag = "stage",
    params(("id" = i64, Path, description = "question id")),
    responses((status = 200, body = ShowQuestion), (status = 404, body = ErrorBody)))]
pub async fn upvote(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<ShowQuestion>> {
    question_or_404(&state, id, caller.user.id).await?;
    let mut conn = state.store.pool().acquire().await?;
    write_upvote(&mut conn, id, caller.user.id, now_ms()).await?;
    drop(conn);
    state.votes.question(id);
    question_or_404(&state, id, caller.user.id).await.map(Json)
}

async fn moderate_question(
    state: &AppState,
    caller: &Caller,
    id: i64,
    column: &str,
) -> ApiResult<ShowQuestion> {
    // A hidden question is still the moderators' (hiding again, answering are no-ops).
    let (question, _) = load_question(&state.store, id, None)
        .await?
        .ok_or_else(|| ApiError::not_found("no such question"))?;
    moderates(caller, &show_of(state, question.show_id).await?)?;
    let mut conn = state.store.pool().acquire().await?;
    mark_question(&mut conn, id, column, now_ms()).await?;
    drop(conn);
    let (q, hidden) = load_question(&state.store, id, Some(caller.user.id))
        .await?
        .ok_or_else(|| ApiError::not_found("no such question"))?;
    publish_update(&state.hub, &q, hidden).await;
    Ok(q)
}

/// Marks a question answered (moderators); every viewer hears it at once.
#[utoipa::path(post, path = "/api/v1/questions/{id}/answered", tag = "stage",
    params(("id" = i64, Path, description = "question id")),
    responses((status = 200, body = ShowQuestion), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn answer(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<ShowQuestion>> {
    moderate_question(&state, &caller, id, "answered_ms")
        .await
        .map(Json)
}

/// Hides a question from every viewer (moderators).
#[utoipa::path(post, path = "/api/v1/questions/{id}/hide", tag = "stage",
    params(("id" = i64, Path, description = "question id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn hide(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    moderate_question(&state, &caller, id, "hidden_ms").await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- polls

/// A poll with its counts; `reader` fills in `my_vote`.
async fn load_poll(store: &Store, id: i64, reader: Option<i64>) -> sqlx::Result<Option<ShowPoll>> {
    let row = sqlx::query(
        "select id, show_id, question, options, created_ms, closed_ms from show_polls where id = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let options: Vec<String> =
        serde_json::from_str(&row.try_get::<String, _>("options")?).unwrap_or_default();
    let mut counts = vec![0i64; options.len()];
    let tally: Vec<(i64, i64)> = sqlx::query_as(
        "select option_index, count(*) from show_poll_votes where poll_id = $1 group by option_index",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?;
    for (option, n) in tally {
        if let Some(slot) = counts.get_mut(option as usize) {
            *slot = n;
        }
    }
    let my_vote = match reader {
        Some(user) => {
            sqlx::query_scalar(
                "select option_index from show_poll_votes where poll_id = $1 and user_id = $2",
            )
            .bind(id)
            .bind(user)
            .fetch_optional(store.pool())
            .await?
        }
        None => None,
    };
    Ok(Some(ShowPoll {
        id: row.try_get("id")?,
        show_id: row.try_get("show_id")?,
        question: row.try_get("question")?,
        options,
        counts,
        closed: row.try_get::<Option<i64>, _>("closed_ms")?.is_some(),
        created_ms: row.try_get("created_ms")?,
        my_vote,
    }))
}

async fn poll_or_404(state: &AppState, id: i64, reader: i64) -> ApiResult<ShowPoll> {
    load_poll(&state.store, id, Some(reader))
        .await?
        .ok_or_else(|| ApiError::not_found("no such poll"))
}

/// A show's polls, newest first, with their results and the reader's vote.
#[utoipa::path(get, path = "/api/v1/shows/{id}/polls", tag = "stage",
    params(("id" = i64, Path, description = "show id")),
    responses((status = 200, body = PollList), (status = 404, body = ErrorBody)))]
pub async fn polls(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<PollList>> {
    show_of(&state, id).await?;
    let ids: Vec<i64> = sqlx::query_scalar(
        "select id from show_polls where show_id = $1 order by created_ms desc, id desc limit 50",
    )
    .bind(id)
    .fetch_all(state.store.pool())
    .await?;
    let mut out = Vec::with_capacity(ids.len());
    for poll in ids {
        out.push(poll_or_404(&state, poll, caller.user.id).await?);
    }
    Ok(Json(PollList { polls: out }))
}

/// Opens a poll (moderators): a question and 2 to 6 options. Every viewer hears `show_poll`.
#[utoipa::path(post, path = "/api/v1/shows/{id}/polls", tag = "stage", request_body = PollInput,
    params(("id" = i64, Path, description = "show id")),
    responses((status = 201, body = ShowPoll), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn open_poll(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<PollInput>,
) -> ApiResult<(StatusCode, Json<ShowPoll>)> {
    moderates(&caller, &show_of(&state, id).await?)?;
    let fits = |s: &str| (1..=MAX_POLL_TEXT_CHARS).contains(&s.trim().chars().count());
    if !fits(&input.question) {
        return Err(ApiError::validation(format!(
            "question: 1 to {MAX_POLL_TEXT_CHARS} characters"
        )));
    }
    if !(2..=6).contains(&input.options.len()) || !input.options.iter().all(|o| fits(o)) {
        return Err(ApiError::validation(format!(
            "options: 2 to 6, each 1 to {MAX_POLL_TEXT_CHARS} characters"
        )));
    }
    let options: Vec<String> = input.options.iter().map(|o| o.trim().to_string()).collect();
    let mut conn = state.store.pool().acquire().await?;
    let pid = write_poll(
        &mut conn,
        id,
        input.question.trim(),
        &options,
        Some(caller.user.id),
        now_ms(),
    )
    .await?;
    drop(conn);
    let poll = poll_or_404(&state, pid, caller.user.id).await?;
    publish_poll(&state.hub, poll.clone()).await;
    Ok((StatusCode::CREATED, Json(poll)))
}

/// Votes in an open poll (one vote per viewer; a second vote changes it). Results go out
/// once a second.
#[utoipa::path(post, path = "/api/v1/polls/{id}/vote", tag = "stage", request_body = PollVote,
    params(("id" = i64, Path, description = "poll id")),
    responses((status = 200, body = ShowPoll), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn vote(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<PollVote>,
) -> ApiResult<Json<ShowPoll>> {
    let poll = poll_or_404(&state, id, caller.user.id).await?;
    if poll.closed {
        return Err(ApiError::new(ErrorCode::Conflict, "this poll is closed"));
    }
    if input.option < 0 || input.option as usize >= poll.options.len() {
        return Err(ApiError::validation("option: one of the poll's options"));
    }
    let mut conn = state.store.pool().acquire().await?;
    write_vote(&mut conn, id, caller.user.id, input.option, now_ms()).await?;
    drop(conn);
    state.votes.poll(id);
    poll_or_404(&state, id, caller.user.id).await.map(Json)
}

/// Closes a poll (moderators); every viewer hears the final results at once.
#[utoipa::path(post, path = "/api/v1/polls/{id}/close", tag = "stage",
    params(("id" = i64, Path, description = "poll id")),
    responses((status = 200, body = ShowPoll), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn close_poll(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<ShowPoll>> {
    let poll = poll_or_404(&state, id, caller.user.id).await?;
    moderates(&caller, &show_of(&state, poll.show_id).await?)?;
    sqlx::query("update show_polls set closed_ms = $1 where id = $2 and closed_ms is null")
        .bind(now_ms())
        .bind(id)
        .execute(state.store.pool())
        .await?;
    let poll = poll_or_404(&state, id, caller.user.id).await?;
    publish_poll(&state.hub, poll.clone()).await;
    Ok(Json(poll))
}

// ---------------------------------------------------------------- the writers

// The only SQL that writes questions, upvotes, polls and votes; the routes above and the demo
// fair use it.

/// Stores a question; its id.
pub(crate) async fn write_question(
    conn: &mut sqlx::AnyConnection,
    show_id: i64,
    asker_id: i64,
    body: &str,
    at_ms: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into show_questions (show_id, asker_id, body, created_ms) values ($1, $2, $3, $4) \
         returning id",
    )
    .bind(show_id)
    .bind(asker_id)
    .bind(body)
    .bind(at_ms)
    .fetch_one(&mut *conn)
    .await
}

/// Stores an upvote (a second one of the same viewer is none).
pub(crate) async fn write_upvote(
    conn: &mut sqlx::AnyConnection,
    question_id: i64,
    user_id: i64,
    at_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into show_question_votes (question_id, user_id, created_ms) values ($1, $2, $3) \
         on conflict (question_id, user_id) do nothing",
    )
    .bind(question_id)
    .bind(user_id)
    .bind(at_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Marks a question answered (`answered_ms`) or hidden (`hidden_ms`), once.
pub(crate) async fn mark_question(
    conn: &mut sqlx::AnyConnection,
    question_id: i64,
    column: &str,
    at_ms: i64,
) -> sqlx::Result<()> {
    debug_assert!(matches!(column, "answered_ms" | "hidden_ms"));
    sqlx::query(&format!(
        "update show_questions set {column} = $1 where id = $2 and {column} is null"
    ))
    .bind(at_ms)
    .bind(question_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Stores a poll (its options already checked); its id.
pub(crate) async fn write_poll(
    conn: &mut sqlx::AnyConnection,
    show_id: i64,
    question: &str,
    options: &[String],
    by: Option<i64>,
    at_ms: i64,
) -> sqlx::Result<i64> {
    let options = serde_json::to_string(options).map_err(|e| sqlx::Error::Encode(e.into()))?;
    sqlx::query_scalar(
        "insert into show_polls (show_id, question, options, created_by, created_ms) \
         values ($1, $2, $3, $4, $5) returning id",
    )
    .bind(show_id)
    .bind(question)
    .bind(options)
    .bind(by)
    .bind(at_ms)
    .fetch_one(&mut *conn)
    .await
}

/// Stores a viewer's vote, or changes it.
pub(crate) async fn write_vote(
    conn: &mut sqlx::AnyConnection,
    poll_id: i64,
    user_id: i64,
    option: i64,
    at_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into show_poll_votes (poll_id, user_id, option_index, created_ms) \
         values ($1, $2, $3, $4) on conflict (poll_id, user_id) \
         do update set option_index = excluded.option_index, created_ms = excluded.created_ms",
    )
    .bind(poll_id)
    .bind(user_id)
    .bind(option)
    .bind(at_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
