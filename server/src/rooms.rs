//! Room names and who may enter them.
//!
//! | room | who |
//! | --- | --- |
//! | `lobby`, `fair` | everyone signed in |
//! | `organizers`, `dashboard` | organizers (`dashboard`: the live figures every few seconds) |
//! | `hall:{id}` | everyone, if the hall exists |
//! | `booth:{company_id}` | everyone, if the company exists |
//! | `user:{id}` | that user only (their personal notifications) |
//! | `duty:{company_id}` | never directly: staff enter it with `set_duty` |
//! | `chat:{room_id}` | never directly: `chat_join` checks who may read |
//! | `meet:{meeting_id}` | never directly: `meeting_join` checks participants and the window |
//! | `show:{show_id}` | everyone, if the show exists (its viewers; `viewers` counts them) |

use crate::auth::Caller;
use crate::error::ApiError;
use crate::AppState;
use expo_schema::protocol::room::Room;
use expo_schema::{ErrorBody, ErrorCode, Role};

/// Whether the caller may subscribe to (or list) a room. The names themselves follow
/// [`expo_schema::protocol::room::parse`] (one name per room: `booth:01`, `booth:+1` and
/// `booth:1` would otherwise be three rooms for one booth, with parallel visits and split
/// presence).
pub async fn authorize(state: &AppState, caller: &Caller, room: &str) -> Result<(), ErrorBody> {
    let unknown = || ErrorBody::new(ErrorCode::UnknownRoom, format!("no room named {room:?}"));
    let forbidden = |message: &str| Err(ErrorBody::new(ErrorCode::Forbidden, message));
    let (table, id) = match room.parse::<Room>().map_err(|_| unknown())? {
        Room::Lobby | Room::Fair => return Ok(()),
        Room::Organizers | Room::Dashboard if caller.user.role == Role::Organizer => return Ok(()),
        Room::Organizers | Room::Dashboard => return forbidden("only organizers enter this room"),
        Room::Hall(id) => ("halls", id),
        Room::Booth(id) => ("companies", id),
        Room::Show(id) => ("shows", id),
        Room::User(id) if id == caller.user.id => return Ok(()),
        Room::Chat(_) => return forbidden("enter chat rooms with chat_join"),
        Room::Duty(_) => return forbidden("staff go on duty with set_duty"),
        Room::Meet(_) => return forbidden("enter meeting rooms with meeting_join"),
        Room::User(_) => return forbidden("a personal room is for its owner only"),
    };
    let sql = format!("select count(*) from {table} where id = $1");
    let found: i64 = sqlx::query_scalar(&sql)
        .bind(id)
        .fetch_one(state.store.pool())
        .await
        .map_err(|e| ApiError::Database(e).body())?;
    if found == 1 {
        Ok(())
    } else {
        Err(unknown())
    }
}
