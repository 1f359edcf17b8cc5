//! A show's chat and reactions at broadcast scale.
//!
//! The chat is a chat room of kind `show` (`chat_open` with `show:{id}`, or
//! `GET /shows/{id}/chat`): stored and group-committed like every room, moderated by the
//! organizers and the host company's staff, and delivered in batched frames (the hub batches
//! the room on every node that has its viewers). Its slow mode is a column of the show, set
//! here and announced to the room (`chat_settings`).
//!
//! Reactions are counted, never relayed one by one: each node adds up its viewers' reactions
//! per show for [`REACTION_WINDOW`] and then publishes one `show_reactions` with the counts.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, JsonBody, Path};
use crate::events;
use crate::hub::{ConnHandle, Hub};
use crate::tasks::Tasks;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use expo_schema::api::{ChatMode, ShowChat, ShowChatInput};
use expo_schema::protocol::room::Room as RoomName;
use expo_schema::protocol::{Reaction, ReactionCount, ReplyData, RoomEvent};
use expo_schema::{ErrorBody, ErrorCode, Role, UserSummary};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use utoipa_axum::{router::OpenApiRouter, routes};

/// How long a node adds up reactions before it tells the show's viewers.
pub const REACTION_WINDOW: Duration = Duration::from_secs(1);
/// Reactions one user may send a second, on average (a burst of twice that).
const REACTIONS_PER_SEC: u32 = 5;
/// The longest slow mode, in seconds.
const MAX_SLOW_MODE_S: i64 = 600;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_show_chat, set_show_chat))
}

/// The show's chat room (made on first use) and its rules, as `user` sees them.
async fn show_chat(state: &AppState, caller: &Caller, id: i64) -> ApiResult<ShowChat> {
    let user = caller.user.summary();
    let info = crate::chat::commands::open(state, &user, &format!("show:{id}"))
        .await
        .map_err(|e| match e {
            ApiError::Client(body) if body.code == ErrorCode::UnknownRoom => {
                ApiError::not_found("no such show")
            }
            other => other,
        })?;
    let mode: String = sqlx::query_scalar("select chat_mode from shows where id = $1")
        .bind(id)
        .fetch_one(state.store.pool())
        .await?;
    Ok(ShowChat {
        show_id: id,
        room_id: info.id,
        slow_mode_s: info.slow_mode_s,
        mode: ChatMode::parse(&mode).unwrap_or_default(),
    })
}

/// Who may write in a show's chat and ask its host questions, under the show's chat mode:
/// everyone (`open`), approved buyers (`buyers`), or buyers who marked the host company in
/// matchmaking (`followers`); the host's staff and organizers always.
pub async fn check_mode(state: &AppState, user: &UserSummary, show_id: i64) -> ApiResult<()> {
    let row: Option<(String, Option<i64>)> =
        sqlx::query_as("select chat_mode, host_company_id from shows where id = $1")
            .bind(show_id)
            .fetch_optional(state.store.pool())
            .await?;
    let Some((mode, host)) = row else {
        return Err(ApiError::not_found("no such show"));
    };
    let runs_it = user.role == Role::Organizer
        || (user.role == Role::Exhibitor && user.company_id.is_some() && user.company_id == host);
    if runs_it {
        return Ok(());
    }
    match ChatMode::parse(&mode).unwrap_or_default() {
        ChatMode::Open => Ok(()),
        ChatMode::Buyers if user.role == Role::Buyer => Ok(()),
        ChatMode::Buyers => Err(ApiError::forbidden(
            "only buyers write in this show's chat now",
        )),
        ChatMode::Followers => {
            let follows: i64 = sqlx::query_scalar(
                "select count(*) from match_marks where buyer_id = $1 and company_id = $2 \
                 and side = 'buyer' and level in ('must_meet', 'would_meet')",
            )
            .bind(user.id)
            .bind(host.unwrap_or(-1))
            .fetch_one(state.store.pool())
            .await?;
            if user.role == Role::Buyer && follows > 0 {
                Ok(())
            } else {
                Err(ApiError::forbidden(
                    "only the host's followers (buyers who marked the company) write here now",
                ))
            }
        }
    }
}

/// A show's chat room and its slow mode (any signed-in user; the room is made on first use).
#[utoipa::path(get, path = "/api/v1/shows/{id}/chat", tag = "stage",
    params(("id" = i64, Path, description = "show id")),
    responses((status = 200, body = ShowChat), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn get_show_chat(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<ShowChat>> {
    show_chat(&state, &caller, id).await.map(Json)
}

/// Sets a show's slow mode (organizers and the host company's staff): each viewer then waits
/// `slow_mode_s` seconds between messages, and is told how long is left when they try sooner
/// (`slow_mode`). The room's viewers on every node hear `chat_settings` at once.
#[utoipa::path(put, path = "/api/v1/shows/{id}/chat", tag = "stage", request_body = ShowChatInput,
    params(("id" = i64, Path, description = "show id")),
    responses((status = 200, body = ShowChat), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_show_chat(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<ShowChatInput>,
) -> ApiResult<Json<ShowChat>> {
    let show = super::load_show(&state, id, "en").await?.show;
    if !super::edit::runs_show(&caller, &show) {
        return Err(ApiError::forbidden(
            "only organizers and the host company's staff moderate a show's chat",
        ));
    }
    if !(0..=MAX_SLOW_MODE_S).contains(&input.slow_mode_s) {
        return Err(ApiError::validation(format!(
            "slow_mode_s: 0 to {MAX_SLOW_MODE_S}"
        )));
    }
    let mut conn = state.store.pool().acquire().await?;
    write_rules(&mut conn, id, input.slow_mode_s, input.mode).await?;
    drop(conn);
    let chat = show_chat(&state, &caller, id).await?;
    let event = RoomEvent::ChatSettings {
        room_id: chat.room_id,
        slow_mode_s: chat.slow_mode_s,
        mode: chat.mode,
    };
    events::publish(&state.hub, RoomName::Chat(chat.room_id), event).await;
    Ok(Json(chat))
}

/// Stores a show's chat rules: its slow mode, and who may write when `mode` is given (the
/// demo fair sets its show's rules with it too).
pub(crate) async fn write_rules(
    conn: &mut sqlx::AnyConnection,
    show_id: i64,
    slow_mode_s: i64,
    mode: Option<ChatMode>,
) -> sqlx::Result<()> {
    sqlx::query("update shows set chat_slow_s = $1 where id = $2")
        .bind(slow_mode_s)
        .bind(show_id)
        .execute(&mut *conn)
        .await?;
    if let Some(mode) = mode {
        sqlx::query("update shows set chat_mode = $1 where id = $2")
            .bind(mode.as_str())
            .bind(show_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// This node's reactions of the current window, per show.
#[derive(Clone, Default)]
pub struct Reactions {
    counts: Arc<Mutex<HashMap<i64, BTreeMap<Reaction, u64>>>>,
}

impl Reactions {
    /// Starts the task that publishes each window's counts (restarted if it ever ends).
    pub fn start(hub: Hub, tasks: &Tasks, shutdown: CancellationToken) -> Reactions {
        let reactions = Reactions::default();
        let task = reactions.clone();
        let stop = shutdown.clone();
        tasks.spawn("show-reactions", shutdown, move || {
            task.clone().run(hub.clone(), stop.clone())
        });
        reactions
    }

    fn add(&self, show_id: i64, reaction: Reaction) {
        let mut counts = self.counts.lock().expect("reactions");
        *counts
            .entry(show_id)
            .or_default()
            .entry(reaction)
            .or_default() += 1;
    }

    fn take(&self) -> HashMap<i64, BTreeMap<Reaction, u64>> {
        std::mem::take(&mut *self.counts.lock().expect("reactions"))
    }

    async fn run(self, hub: Hub, shutdown: CancellationToken) {
        let mut tick = tokio::time::interval(REACTION_WINDOW);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = shutdown.cancelled() => return,
            }
            for (show_id, counts) in self.take() {
                let counts = counts
                    .into_iter()
                    .map(|(reaction, count)| ReactionCount { reaction, count })
                    .collect();
                let event = RoomEvent::ShowReactions {
                    show_id,
                    counts,
                    window_ms: REACTION_WINDOW.as_millis() as u64,
                };
                events::publish(&hub, RoomName::Show(show_id), event).await;
            }
        }
    }
}

/// `show_react`: counted for this window (the viewer must be in `show:{id}`).
pub async fn react(
    state: &AppState,
    conn: &ConnHandle,
    show_id: i64,
    reaction: Reaction,
) -> Result<ReplyData, ErrorBody> {
    let room = RoomName::Show(show_id).to_string();
    if !state.hub.rooms_of(&conn.id).contains(&room) {
        return Err(ErrorBody::new(
            ErrorCode::NotSubscribed,
            "subscribe to the show (show:{id}) before reacting",
        ));
    }
    let key = format!("react:{}", conn.identity.user.id);
    let allowed = state
        .engine
        .limiter
        .take(&key, REACTIONS_PER_SEC, REACTIONS_PER_SEC * 2)
        .await;
    if !allowed {
        return Err(ErrorBody::new(
            ErrorCode::RateLimited,
            format!("at most {REACTIONS_PER_SEC} reactions a second"),
        ));
    }
    state.stage.add(show_id, reaction);
    metrics::counter!("expo_show_reactions_total").increment(1);
    Ok(ReplyData::Recorded)
}
