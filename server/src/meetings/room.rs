//! The video meeting room: the hub relays WebRTC signalling between a meeting's participants,
//! and only inside its window (10 minutes before the start to the end). Media flows between
//! the browsers (through TURN when they cannot reach each other); the server never sees it.
//!
//! Participants are the buyer, the staff member who takes the meeting (any of the company's
//! staff while nobody is named) and the assigned interpreter. Nobody else can enter the room
//! `meet:{id}` (plain `subscribe` refuses it) or send signals into it.

use super::routes::check_in;
use super::{load, Standing, ROOM_OPENS_MS};
use crate::error::{ApiError, ApiResult};
use crate::hub::ConnHandle;
use crate::AppState;
use base64::Engine as _;
use expo_schema::protocol::room::Room;
use expo_schema::protocol::{IceServer, ReplyData, RoomEvent};
use expo_schema::{ErrorCode, Meeting, MeetingMode, MeetingState, UserSummary};
use hmac::{KeyInit, Mac};

/// The largest signalling payload relayed (an SDP with many candidates fits easily).
pub const MAX_SIGNAL_BYTES: usize = expo_schema::protocol::limits::MAX_SIGNAL_BYTES;

/// The participants' user ids.
pub fn participants(meeting: &Meeting) -> Vec<i64> {
    let mut ids = vec![meeting.buyer.id];
    ids.extend(meeting.staff.as_ref().map(|s| s.id));
    ids.extend(meeting.interpreter.as_ref().map(|i| i.id));
    ids
}

/// The caller's standing, if they are a participant of an open online meeting.
fn admit(state: &AppState, user: &UserSummary, meeting: &Meeting) -> ApiResult<Standing> {
    let standing = Standing::of_summary(user, meeting);
    let named = participants(meeting).contains(&user.id);
    let allowed = match standing {
        Standing::Buyer | Standing::Interpreter => true,
        // Any staff member of the company while nobody is named; else only the one named.
        Standing::Company => meeting.staff.is_none() || named,
        _ => false,
    };
    if !allowed {
        return Err(ApiError::forbidden(
            "only this meeting's participants enter its room",
        ));
    }
    if meeting.state != MeetingState::Confirmed {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!("the meeting is {}", meeting.state.as_str()),
        ));
    }
    if meeting.mode != MeetingMode::Online {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "this meeting is onsite, at its hall table",
        ));
    }
    let now = state.now_ms();
    if now < meeting.starts_ms - ROOM_OPENS_MS || now >= meeting.ends_ms {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "the room opens 10 minutes before the start and closes at the end",
        ));
    }
    Ok(standing)
}

/// ICE servers for one user: the STUN list, and TURN with coturn REST-API credentials
/// (`username = expiry:user`, `credential = base64(HMAC-SHA1(secret, username))`).
pub fn ice_servers(state: &AppState, user_id: i64) -> Vec<IceServer> {
    let config = &state.config;
    let mut servers = Vec::new();
    if !config.stun_urls.is_empty() {
        servers.push(IceServer {
            urls: config.stun_urls.clone(),
            username: None,
            credential: None,
        });
    }
    if let (false, Some(secret)) = (config.turn_urls.is_empty(), &config.turn_secret) {
        let expiry = chrono::Utc::now().timestamp() + config.turn_ttl_secs as i64;
        let username = format!("{expiry}:{user_id}");
        servers.push(IceServer {
            urls: config.turn_urls.clone(),
            credential: Some(turn_credential(secret, &username)),
            username: Some(username),
        });
    }
    servers
}

pub fn turn_credential(secret: &str, username: &str) -> String {
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(username.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// `meeting_join`: enter the room, check in, get the ICE servers and who is there.
pub async fn join(state: &AppState, conn: &ConnHandle, meeting_id: i64) -> ApiResult<ReplyData> {
    let meeting = load(state, meeting_id).await?;
    let standing = admit(state, &conn.identity.user, &meeting)?;
    let room = Room::Meet(meeting_id).to_string();
    let snapshot = state.hub.join(conn, &room).await.map_err(ApiError::Other)?;
    let meeting = check_in(state, &meeting, standing).await?;
    let me = conn.identity.user.id;
    // A meeting's room holds its few participants: the snapshot lists them all.
    let mut peers: Vec<i64> = snapshot
        .members
        .iter()
        .filter(|m| m.conn_id != conn.id && m.user.id != me)
        .map(|m| m.user.id)
        .collect();
    peers.sort_unstable();
    peers.dedup();
    Ok(ReplyData::MeetingRoom {
        ice_servers: ice_servers(state, me),
        meeting,
        room,
        peers,
    })
}

/// `meeting_leave`.
pub async fn leave(state: &AppState, conn: &ConnHandle, meeting_id: i64) -> ApiResult<ReplyData> {
    state
        .hub
        .leave(conn, &Room::Meet(meeting_id).to_string())
        .await;
    Ok(ReplyData::MeetingOk { meeting_id })
}

/// `meeting_signal`: relay an offer, answer or candidate to one other participant.
pub async fn signal(
    state: &AppState,
    conn: &ConnHandle,
    meeting_id: i64,
    to: i64,
    data: serde_json::Value,
) -> ApiResult<ReplyData> {
    let room = Room::Meet(meeting_id).to_string();
    if !state.hub.rooms_of(&conn.id).contains(&room) {
        return Err(ApiError::new(
            ErrorCode::NotSubscribed,
            "enter the room with meeting_join first",
        ));
    }
    let size = serde_json::to_string(&data).map(|s| s.len()).unwrap_or(0);
    if size > MAX_SIGNAL_BYTES {
        return Err(ApiError::new(
            ErrorCode::MessageTooLarge,
            format!("signals are at most {MAX_SIGNAL_BYTES} bytes"),
        ));
    }
    let meeting = load(state, meeting_id).await?;
    // Checked again on every signal: the window closes and people can be removed.
    admit(state, &conn.identity.user, &meeting)?;
    let from = conn.identity.user.id;
    if to == from || !participants(&meeting).contains(&to) {
        return Err(ApiError::validation("`to` is not another participant"));
    }
    let event = RoomEvent::MeetingSignal {
        meeting_id,
        from,
        to,
        data,
    };
    crate::events::try_publish(&state.hub, Room::Meet(meeting_id), event)
        .await
        .map_err(ApiError::Other)?;
    metrics::counter!("expo_meeting_signals_total").increment(1);
    Ok(ReplyData::MeetingOk { meeting_id })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turn_credential_matches_coturn_rest_api() {
        // The reference value computed with coturn's documented recipe:
        // echo -n "1700000000:42" | openssl dgst -binary -sha1 -hmac "north" | base64
        assert_eq!(
            turn_credential("north", "1700000000:42"),
            "DWX3FI7DiPIpadEYQAZsnZBAagI="
        );
    }
}
