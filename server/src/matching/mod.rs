//! Matchmaking over the fair's records (issue 13): marks between buyers and companies, the
//! buyer directory, suggestions, the organizer's accepted pairs, and scheduler runs that are
//! reviewed, moved by hand and published as confirmed meetings.
//!
//! The scheduler itself is pure and lives in [`crate::matchmaking`]; this module reads its
//! input from the database ([`runs`]) and writes its answer back through the meeting placer
//! ([`crate::meetings::place`]), all in one transaction ([`publish`]).

pub mod marks;
pub mod pairs;
pub mod publish;
pub mod runs;

use crate::AppState;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(marks::put_mark, marks::marks))
        .routes(routes!(marks::directory))
        .routes(routes!(pairs::suggestions))
        .routes(routes!(pairs::list, pairs::add))
        .routes(routes!(pairs::auto))
        .routes(routes!(pairs::remove))
        .routes(routes!(runs::create))
        .routes(routes!(runs::one))
        .routes(routes!(runs::move_one))
        .routes(routes!(publish::publish))
}
