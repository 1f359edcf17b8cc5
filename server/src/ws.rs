//! The `/ws` endpoint: checks the Origin and the session, upgrades, and dispatches commands.
//!
//! This is where the hub meets the domains: the hub runs connections and rooms, and the
//! [`AppDispatch`] here decides who may enter which room and routes domain commands.

use crate::auth::{self, Caller};
use crate::engine::Admission;
use crate::error::Query;
use crate::error::{ApiError, ApiResult};
use crate::http::guard::ClientAddress;
use crate::hub::session::{self, Dispatch};
use crate::hub::{ConnHandle, Identity};
use crate::{booths, chat, meetings, monitor, rooms, stage, AppState};
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use expo_schema::protocol::{Command, ReplyData};
use expo_schema::{ErrorBody, ErrorCode, Role};
use futures_util::future::BoxFuture;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, Deserialize)]
pub struct WsQuery {
    /// A session token, for clients that can send neither a header nor the cookie.
    token: Option<String>,
}

/// `GET /ws`: the live hub.
pub async fn upgrade(
    State(state): State<AppState>,
    Query(query): Query<WsQuery>,
    address: ClientAddress,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> ApiResult<Response> {
    check_origin(&state, &headers)?;
    if state.hub.shutdown_token().is_cancelled() {
        // Draining: a new socket here would be closed again at once. 503 sends the client
        // (or the load balancer) to another node.
        return Err(ApiError::new(
            ErrorCode::ShuttingDown,
            "this node is shutting down; connect to another",
        ));
    }
    let limits = state.hub.limits();
    // The transport refuses frames over four times the hub's limit outright (close 1009);
    // frames between the two limits get a typed `message_too_large` reply and the
    // connection lives on. A small read buffer keeps idle connections cheap.
    let ws = ws
        .read_buffer_size(4 * 1024)
        .write_buffer_size(16 * 1024)
        // Back-pressure belongs to the bounded queue, not to a socket buffer: a peer that
        // stops reading fills this small buffer, then its queue, and is dropped.
        .max_write_buffer_size((1024 * 1024).max(limits.max_frame_bytes * 4))
        .max_message_size(limits.max_frame_bytes * 4)
        .max_frame_size(limits.max_frame_bytes * 4);
    let caller = match authenticate(&state, &headers, query.token.as_deref()).await {
        Ok(caller) => caller,
        // A browser only sees "1006" for a refused upgrade. So an unauthenticated socket is
        // accepted, told why in a `closing` frame, and closed with 4001: the page can tell a
        // dead session from a dead network.
        Err(ApiError::Client(body)) => {
            return Ok(ws.on_upgrade(move |socket| session::refuse(socket, body)));
        }
        Err(other) => return Err(other),
    };
    let slot = ConnSlot::take(&state, caller.user.id, &address.0).await?;
    let identity = Identity {
        user: public_summary(&caller.user),
        session_id: caller.session_id,
        expires_ms: caller.expires_ms,
    };
    let hub = state.hub.clone();
    let dispatcher: Arc<dyn Dispatch> = Arc::new(AppDispatch {
        state: state.clone(),
        caller,
    });
    Ok(ws.on_upgrade(move |socket| async move {
        session::run(hub, socket, identity, dispatcher).await;
        drop(slot);
    }))
}

/// Open websockets on this process by node and client address. A plain mutex: short critical
/// sections, never held across an await. (Per user they are counted by the engine's limiter,
/// over all nodes.)
static OPEN_BY_ADDRESS: std::sync::LazyLock<Mutex<HashMap<(String, String), usize>>> =
    std::sync::LazyLock::new(Default::default);

/// One counted websocket: taken before the upgrade, given back when the session ends.
struct ConnSlot {
    node: String,
    address: String,
    /// The user's key in the limiter, when it counted this connection.
    user_key: Option<String>,
    limiter: crate::engine::Limiter,
}

impl ConnSlot {
    /// Counts a new connection, or refuses it (`rate_limited`, 429) when the user already has
    /// as many open on all nodes, or the address on this node, as the limits allow.
    async fn take(state: &AppState, user_id: i64, address: &str) -> ApiResult<ConnSlot> {
        let node = state.hub.node_id().to_string();
        let refused = |what: &str, max: usize| {
            ApiError::new(
                ErrorCode::RateLimited,
                format!("too many open connections for this {what} (at most {max})"),
            )
        };
        let max_address = state.config.max_conns_per_address;
        {
            let mut open = OPEN_BY_ADDRESS.lock().expect("connection counts");
            let count = open.entry((node.clone(), address.to_string())).or_insert(0);
            if max_address > 0 && *count >= max_address {
                return Err(refused("address", max_address));
            }
            *count += 1;
        }
        let mut slot = ConnSlot {
            node,
            address: address.to_string(),
            user_key: None,
            limiter: state.engine.limiter.clone(),
        };
        let key = format!("user:{user_id}");
        let max_user = state.config.max_conns_per_user;
        match slot.limiter.open(&key, max_user as u64).await {
            Admission::Counted => slot.user_key = Some(key),
            // Dropping the slot gives the address's count back.
            Admission::Refused => return Err(refused("user", max_user)),
            Admission::Uncounted => {}
        }
        Ok(slot)
    }
}

impl Drop for ConnSlot {
    fn drop(&mut self) {
        let mut open = OPEN_BY_ADDRESS.lock().expect("connection counts");
        let key = (
            std::mem::take(&mut self.node),
            std::mem::take(&mut self.address),
        );
        if let Some(count) = open.get_mut(&key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&key);
            }
        }
        drop(open);
        if let Some(user_key) = self.user_key.take() {
            let limiter = self.limiter.clone();
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move { limiter.close(&user_key).await });
            }
        }
    }
}

/// How a connection shows in presence (booths, halls, the lobby) to everyone in its rooms. A
/// buyer who did not agree to share contact details is an anonymous visitor there: no name
/// (clients say "a visitor" in their own language), no company, `anonymous` set. Their
/// conversations and meetings still name them, from the records.
fn public_summary(user: &expo_schema::UserProfile) -> expo_schema::UserSummary {
    let mut summary = user.summary();
    if user.role == Role::Buyer && !user.share_contact {
        summary.name = String::new();
        summary.company_name = None;
        summary.anonymous = true;
    }
    summary
}

async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    query_token: Option<&str>,
) -> ApiResult<Caller> {
    let mut parts = axum::http::Request::new(()).into_parts().0;
    parts.headers = headers.clone();
    let token = auth::token_from_parts(&parts)
        .or_else(|| query_token.map(str::to_string))
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::Unauthorized,
                "sign in first: send a session token",
            )
        })?;
    auth::routes::caller_from_token(state, &token).await
}

/// Browsers always send Origin on a websocket; it must be ours or an allowed one.
/// Non-browser clients send none and pass (they hold a token all the same).
fn check_origin(state: &AppState, headers: &HeaderMap) -> ApiResult<()> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let allowed = &state.config.allowed_origins;
    let same_host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|host| {
            origin
                .split_once("://")
                .is_some_and(|(_, rest)| rest.trim_end_matches('/') == host)
        });
    let listed = allowed
        .iter()
        .any(|a| a.trim().trim_end_matches('/') == origin.trim_end_matches('/'));
    if listed || (allowed.is_empty() && same_host) {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "origin {origin} may not open the hub"
        )))
    }
}

/// Routes each command of one connection.
struct AppDispatch {
    state: AppState,
    caller: Caller,
}

impl Dispatch for AppDispatch {
    fn dispatch<'a>(
        &'a self,
        conn: &'a ConnHandle,
        command: Command,
    ) -> BoxFuture<'a, Result<ReplyData, ErrorBody>> {
        Box::pin(async move {
            let hub = &self.state.hub;
            // Postgres cannot store NUL in text; refuse it here for every command alike.
            let text = serde_json::to_string(&command).unwrap_or_default();
            if crate::http::guard::json_has_nul(text.as_bytes()) {
                return Err(ErrorBody::new(
                    ErrorCode::Validation,
                    "text may not contain the NUL character",
                ));
            }
            match command {
                Command::Subscribe { room } => {
                    rooms::authorize(&self.state, &self.caller, &room).await?;
                    if matches!(
                        room.parse::<expo_schema::protocol::room::Room>(),
                        Ok(expo_schema::protocol::room::Room::Show(_))
                    ) {
                        // A show's page is an audience: its viewers are counted, not
                        // announced (its events, a few a second, are not batched).
                        hub.audience_room(&room);
                    }
                    let fresh = !hub.rooms_of(&conn.id).contains(&room);
                    let snapshot = hub.join(conn, &room).await.map_err(internal)?;
                    booths::commands::entered(&self.state, conn, &room, fresh).await;
                    Ok(ReplyData::Subscribed {
                        room,
                        members: snapshot.members,
                        total: snapshot.total,
                    })
                }
                Command::Unsubscribe { room } => {
                    // Quiet rooms (`~online`) are the server's own tallies, not the client's.
                    if crate::hub::is_quiet(&room) {
                        return Err(ErrorBody::new(
                            ErrorCode::NotSubscribed,
                            format!("not subscribed to {room:?}"),
                        ));
                    }
                    booths::commands::may_leave(&room)?;
                    if hub.leave(conn, &room).await {
                        booths::commands::left(&self.state, &conn.id, &room).await;
                        Ok(ReplyData::Unsubscribed { room })
                    } else {
                        Err(ErrorBody::new(
                            ErrorCode::NotSubscribed,
                            format!("not subscribed to {room:?}"),
                        ))
                    }
                }
                Command::Presence { room } => {
                    rooms::authorize(&self.state, &self.caller, &room).await?;
                    let snapshot = hub.snapshot(&room).await.map_err(internal)?;
                    Ok(ReplyData::Presence {
                        room,
                        members: snapshot.members,
                        total: snapshot.total,
                    })
                }
                Command::Ping => Ok(ReplyData::Pong {
                    server_ms: crate::store::now_ms(),
                }),
                Command::Whoami => Ok(ReplyData::Whoami {
                    user: conn.identity.user.clone(),
                    conn_id: conn.id.clone(),
                    node: hub.node_id().to_string(),
                    rooms: hub.rooms_of(&conn.id),
                }),
                Command::SetDuty { on_duty } => {
                    booths::commands::set_duty(&self.state, conn, on_duty).await
                }
                Command::OpenItem {
                    company_id,
                    kind,
                    item_id,
                } => {
                    booths::commands::open_item(&self.state, conn, company_id, &kind, item_id).await
                }
                Command::ChatOpen { target } => {
                    let room = chat::commands::open(&self.state, &conn.identity.user, &target)
                        .await
                        .map_err(|e| e.body())?;
                    Ok(ReplyData::ChatRoom { room })
                }
                Command::ChatJoin { room_id, after_seq } => {
                    chat::commands::join(&self.state, conn, room_id, after_seq)
                        .await
                        .map_err(|e| e.body())
                }
                Command::ChatSend {
                    room_id,
                    body,
                    key,
                    attachment_id,
                    phrase,
                } => chat::commands::send(
                    &self.state,
                    conn,
                    &self.caller.user.summary(),
                    chat::commands::Draft {
                        room_id,
                        body: &body,
                        key: &key,
                        attachment_id,
                        phrase,
                    },
                )
                .await
                .map_err(|e| e.body()),
                Command::ChatHistory {
                    room_id,
                    before_seq,
                    limit,
                } => chat::commands::history(
                    &self.state,
                    &conn.identity.user,
                    room_id,
                    before_seq,
                    limit,
                )
                .await
                .map_err(|e| e.body()),
                Command::ChatRead { room_id, seq } => {
                    chat::commands::read(&self.state, &conn.identity.user, room_id, seq)
                        .await
                        .map_err(|e| e.body())
                }
                Command::ChatTyping { room_id } => {
                    chat::commands::typing(&self.state, conn, room_id)
                        .await
                        .map_err(|e| e.body())
                }
                Command::ChatDelete { message_id } => {
                    chat::commands::delete(&self.state, &conn.identity.user, message_id)
                        .await
                        .map_err(|e| e.body())
                }
                Command::TalkRequest { company_id } => {
                    chat::talk::request(&self.state, conn, company_id)
                        .await
                        .map_err(|e| e.body())
                }
                Command::TalkAccept { request_id } => {
                    chat::talk::accept(&self.state, conn, request_id)
                        .await
                        .map_err(|e| e.body())
                }
                Command::TalkCancel { request_id } => {
                    chat::talk::cancel(&self.state, conn, request_id)
                        .await
                        .map_err(|e| e.body())
                }
                Command::MeetingJoin { meeting_id } => {
                    meetings::room::join(&self.state, conn, meeting_id)
                        .await
                        .map_err(|e| e.body())
                }
                Command::MeetingLeave { meeting_id } => {
                    meetings::room::leave(&self.state, conn, meeting_id)
                        .await
                        .map_err(|e| e.body())
                }
                Command::MeetingSignal {
                    meeting_id,
                    to,
                    data,
                } => meetings::room::signal(&self.state, conn, meeting_id, to, data)
                    .await
                    .map_err(|e| e.body()),
                Command::ShowReact { show_id, reaction } => {
                    stage::chat::react(&self.state, conn, show_id, reaction).await
                }
            }
        })
    }

    fn on_open<'a>(&'a self, conn: &'a ConnHandle) -> BoxFuture<'a, ()> {
        Box::pin(monitor::session_opened(&self.state, conn))
    }

    fn on_close<'a>(&'a self, conn: &'a ConnHandle, rooms: Vec<String>) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            monitor::session_closed(&self.state, conn).await;
            for room in rooms {
                booths::commands::left(&self.state, &conn.id, &room).await;
            }
        })
    }
}

fn internal(error: anyhow::Error) -> ErrorBody {
    ApiError::Other(error).body()
}
