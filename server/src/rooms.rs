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
use expo_schema::{ErrorBody, ErrorCode, Role};

/// The longest room name accepted.
pub const MAX_ROOM_LEN: usize = 128;

/// Whether the caller may subscribe to (or list) a room.
pub async fn authorize(state: &AppState, caller: &Caller, room: &str) -> Result<(), ErrorBody> {
    let unknown = || ErrorBody::new(ErrorCode::UnknownRoom, format!("no room named {room:?}"));
    if room.is_empty() || room.len() > MAX_ROOM_LEN {
        return Err(unknown());
    }
    match room.split_once(':') {
        None => match room {
            "lobby" | "fair" => Ok(()),
            "organizers" | "dashboard" if caller.user.role == Role::Organizer => Ok(()),
            "organizers" | "dashboard" => Err(ErrorBody::new(
                ErrorCode::Forbidden,
                "only organizers enter this room",
            )),
            _ => Err(unknown()),
        },
        Some((kind, id)) => {
            let id: i64 = id.parse().map_err(|_| unknown())?;
            // One name per room: `booth:01`, `booth:+1` and `booth:1` would otherwise be
            // three rooms for one booth (parallel visits, split presence).
            if id.to_string() != room[kind.len() + 1..] {
                return Err(unknown());
            }
            let table = match kind {
                "hall" => "halls",
                "booth" => "companies",
                "user" if id == caller.user.id => return Ok(()),
                "chat" => {
                    return Err(ErrorBody::new(
                        ErrorCode::Forbidden,
                        "enter chat rooms with chat_join",
                    ))
                }
                "duty" => {
                    return Err(ErrorBody::new(
                        ErrorCode::Forbidden,
                        "staff go on duty with set_duty",
                    ))
                }
                "meet" => {
                    return Err(ErrorBody::new(
                        ErrorCode::Forbidden,
                        "enter meeting rooms with meeting_join",
                    ))
                }
                "user" => {
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
