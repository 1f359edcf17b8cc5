//! Matchmaking: the automatic scheduling of export consultations (issue 13).
//!
//! A pure core, no database and no HTTP: an [`Input`] (the fair's grid, buyers, companies,
//! interpreters, tables and video seats, the accepted pairs and the confirmed meetings) goes
//! in, a [`Schedule`] (placed meetings, the pairs left out with a typed [`Reason`]) comes out,
//! the same for the same input. [`run`] adds a [`Quality`] report, [`run_greedy`] is the
//! plain baseline, [`check`] verifies any schedule on a separate code path and
//! [`move_meeting`] is the organizer's hand move. The model and the algorithm are described
//! in `docs/scheduler.md`.

mod check;
mod explain;
mod finish;
pub mod generate;
mod greedy;
mod model;
mod moves;
pub mod problem;
mod quality;
mod rng;
mod solve;
mod state;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_cases;
#[cfg(test)]
mod tests_check;

pub use check::{check, Violation};
pub use greedy::greedy;
pub use model::*;
pub use moves::move_meeting;
pub use problem::Problem;
pub use quality::{quality, reason_code, run, run_greedy};
pub use solve::solve;
