//! Meeting endpoints: the slot grid (organizers), availability and seats (the company), and
//! requests with their answers (buyers and the company's staff).
//!
//! One file per sub-resource: the slot grid (`grid.rs`), a company's availability
//! (`availability.rs`), requests as a collection (`requests.rs`), answering and changing one
//! (`answers.rs`), interpreters (`interpreters.rs`), check-in (`checkin.rs`), what came of a
//! meeting (`outcome.rs`), tables (`tables.rs`) and busy slots (`busy.rs`). This file
//! assembles the router.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::meetings::place::Plan;
use crate::meetings::{load, Standing};
use crate::AppState;
use expo_schema::{Meeting, MeetingSlot};
use utoipa_axum::{router::OpenApiRouter, routes};

pub mod answers;
pub mod availability;
pub mod busy;
pub mod checkin;
pub mod grid;
pub mod interpreters;
pub mod outcome;
pub mod requests;
pub mod tables;

pub use answers::*;
pub use availability::*;
pub use busy::*;
pub use checkin::*;
pub use grid::*;
pub use interpreters::*;
pub use outcome::*;
pub use requests::*;
pub use tables::*;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_grid))
        .routes(routes!(list_slots))
        .routes(routes!(availability, set_availability))
        .routes(routes!(request, mine))
        .routes(routes!(one))
        .routes(routes!(accept))
        .routes(routes!(decline))
        .routes(routes!(propose))
        .routes(routes!(reschedule))
        .routes(routes!(cancel))
        .routes(routes!(interpreter_suggestions))
        .routes(routes!(assign_interpreter, unassign_interpreter))
        .routes(routes!(report))
        .routes(routes!(set_outcome))
        .routes(routes!(checkin))
        .routes(routes!(list_tables))
        .routes(routes!(table_qr))
        .routes(routes!(create_tables))
        .routes(routes!(my_busy, set_busy))
}

/// Loads a meeting the caller may see: its participants and organizers.
async fn visible(state: &AppState, caller: &Caller, id: i64) -> ApiResult<(Meeting, Standing)> {
    let meeting = load(state, id).await?;
    match Standing::of(&caller.user, &meeting) {
        Standing::Outsider => Err(ApiError::not_found("no such meeting")),
        standing => Ok((meeting, standing)),
    }
}

fn plan_of(meeting: &Meeting, slot: MeetingSlot) -> Plan {
    Plan {
        company_id: meeting.company_id,
        buyer_id: meeting.buyer.id,
        staff_id: meeting.staff.as_ref().map(|s| s.id),
        interpreter_id: meeting.interpreter.as_ref().map(|i| i.id),
        slot,
        mode: meeting.mode,
    }
}
