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
use axum::routing::{get, post, put};
use axum::Router;
use expo_schema::{Meeting, MeetingSlot};

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

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/meetings/grid", post(create_grid))
        .route("/api/v1/meetings/slots", get(list_slots))
        .route(
            "/api/v1/companies/{id}/availability",
            get(availability).put(set_availability),
        )
        .route("/api/v1/meetings", post(request).get(mine))
        .route("/api/v1/meetings/{id}", get(one))
        .route("/api/v1/meetings/{id}/accept", post(accept))
        .route("/api/v1/meetings/{id}/decline", post(decline))
        .route("/api/v1/meetings/{id}/propose", post(propose))
        .route("/api/v1/meetings/{id}/reschedule", post(reschedule))
        .route("/api/v1/meetings/{id}/cancel", post(cancel))
        .route(
            "/api/v1/meetings/{id}/interpreters",
            get(interpreter_suggestions),
        )
        .route(
            "/api/v1/meetings/{id}/interpreter",
            post(assign_interpreter).delete(unassign_interpreter),
        )
        .route("/api/v1/meetings/{id}/report", post(report))
        .route("/api/v1/meetings/{id}/outcome", put(set_outcome))
        .route("/api/v1/meetings/checkin", post(checkin))
        .route("/api/v1/meetings/tables", get(list_tables))
        .route("/api/v1/meetings/tables/{id}/qr.svg", get(table_qr))
        .route("/api/v1/halls/{id}/tables", post(create_tables))
        .route("/api/v1/me/busy", get(my_busy).put(set_busy))
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
