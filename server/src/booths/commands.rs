//! The booth's rules on the hub: entering and leaving a booth room records a visit, staff go
//! on duty (or away) with `set_duty` and never by `unsubscribe`, and a visitor's opened items
//! count for the booth's leads. `ws.rs` only dispatches to these.

use crate::error::ApiError;
use crate::hub::ConnHandle;
use crate::AppState;
use expo_schema::protocol::room::{kind, Room};
use expo_schema::protocol::ReplyData;
use expo_schema::{ErrorBody, ErrorCode, Role};

/// The booth a room name is, if it is one.
fn booth_of(room: &str) -> Option<i64> {
    match room.parse() {
        Ok(Room::Booth(company)) => Some(company),
        _ => None,
    }
}

/// After a `subscribe`: a connection that newly entered a booth starts a visit there.
pub async fn entered(state: &AppState, conn: &ConnHandle, room: &str, fresh: bool) {
    if let (true, Some(company)) = (fresh, booth_of(room)) {
        state
            .booths
            .enter(&conn.identity.user, &conn.id, company)
            .await;
    }
}

/// Before an `unsubscribe`: staff leave duty with `set_duty`, never by leaving its room.
pub fn may_leave(room: &str) -> Result<(), ErrorBody> {
    if room.starts_with(&format!("{}:", kind::DUTY)) {
        return Err(ErrorBody::new(
            ErrorCode::Forbidden,
            "staff go off duty with set_duty",
        ));
    }
    Ok(())
}

/// After a connection left a room (by `unsubscribe` or by closing): a booth's visit ends.
pub async fn left(state: &AppState, conn_id: &str, room: &str) {
    if let Some(company) = booth_of(room) {
        state.booths.leave(conn_id, company).await;
    }
}

/// `set_duty`: exhibitor staff go on duty (or away) in their company's booth.
pub async fn set_duty(
    state: &AppState,
    conn: &ConnHandle,
    on_duty: bool,
) -> Result<ReplyData, ErrorBody> {
    let user = &conn.identity.user;
    let company = match (user.role, user.company_id) {
        (Role::Exhibitor, Some(company)) => company,
        _ => {
            return Err(ErrorBody::new(
                ErrorCode::Forbidden,
                "only exhibitor staff go on duty",
            ))
        }
    };
    let room = Room::Duty(company).to_string();
    let hub = &state.hub;
    if on_duty {
        hub.enter(conn, &room)
            .await
            .map_err(|e| ApiError::Other(e).body())?;
    } else {
        hub.leave(conn, &room).await;
    }
    Ok(ReplyData::Duty {
        company_id: company,
        on_duty,
    })
}

/// `open_item`: a visitor inside a booth opened a product, brochure, video or photo.
pub async fn open_item(
    state: &AppState,
    conn: &ConnHandle,
    company_id: i64,
    kind: &str,
    item_id: i64,
) -> Result<ReplyData, ErrorBody> {
    if !["product", "brochure", "video", "photo"].contains(&kind) {
        return Err(ErrorBody::new(
            ErrorCode::Validation,
            "kind is product, brochure, video or photo",
        ));
    }
    if !state
        .hub
        .rooms_of(&conn.id)
        .contains(&Room::Booth(company_id).to_string())
    {
        return Err(ErrorBody::new(
            ErrorCode::NotSubscribed,
            "enter the booth (subscribe to its room) first",
        ));
    }
    let user = conn.identity.user.id;
    state
        .booths
        .record_open(user, company_id, kind, item_id)
        .await;
    Ok(ReplyData::Recorded)
}
