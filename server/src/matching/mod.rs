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
use axum::routing::{delete, get, post, put};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/match/marks",
            put(marks::put_mark).get(marks::marks),
        )
        .route("/api/v1/match/buyers", get(marks::directory))
        .route("/api/v1/match/suggestions", get(pairs::suggestions))
        .route("/api/v1/match/pairs", get(pairs::list).post(pairs::add))
        .route("/api/v1/match/pairs/auto", post(pairs::auto))
        .route("/api/v1/match/pairs/{id}", delete(pairs::remove))
        .route("/api/v1/match/runs", post(runs::create))
        .route("/api/v1/match/runs/{id}", get(runs::one))
        .route("/api/v1/match/runs/{id}/move", post(runs::move_one))
        .route("/api/v1/match/runs/{id}/publish", post(publish::publish))
}
