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

use crate::auth::Caller;
use crate::error::ApiError;
use crate::AppState;
use expo_schema::protocol::room::{self, kind, named, RoomName};
use expo_schema::{ErrorBody, ErrorCode, Role};

/// Whether the caller may subscribe to (or list) a room. The names themselves follow
/// [`room::parse`] (one name per room: `booth:01`, `booth:+1` and `booth:1` would otherwise be
/// three rooms for one booth, with parallel visits and split presence).
pub async fn authorize(state: &AppState, caller: &Caller, room: &str) -> Result<(), ErrorBody> {
    let unknown = || ErrorBody::new(ErrorCode::UnknownRoom, format!("no room named {room:?}"));
    match room::parse(room).ok_or_else(unknown)? {
        RoomName::Named(named::LOBBY | named::FAIR) => Ok(()),
        RoomName::Named(named::ORGANIZERS | named::DASHBOARD)
            if caller.user.role == Role::Organizer =>
        {
            Ok(())
        }
        RoomName::Named(named::ORGANIZERS | named::DASHBOARD) => Err(ErrorBody::new(
            ErrorCode::Forbidden,
            "only organizers enter this room",
        )),
        RoomName::Named(_) => Err(unknown()),
        RoomName::Kind { kind: prefix, id } => {
            let table = match prefix {
                kind::HALL => "halls",
                kind::BOOTH => "companies",
                kind::USER if id == caller.user.id => return Ok(()),
                kind::CHAT => {
                    return Err(ErrorBody::new(
                        ErrorCode::Forbidden,
                        "enter chat rooms with chat_join",
                    ))
                }
                kind::DUTY => {
                    return Err(ErrorBody::new(
                        ErrorCode::Forbidden,
                        "staff go on duty with set_duty",
                    ))
                }
                kind::MEET => {
                    return Err(ErrorBody::new(
                        ErrorCode::Forbidden,
                        "enter meeting rooms with meeting_join",
                    ))
                }
                kind::USER => {
                    return Err(ErrorBody::new(
                        ErrorCode::Forbidden,
                        "a personal room is for its owner only",
                    ))
                }
                _ => return Err(unknown()),
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
    }
}
