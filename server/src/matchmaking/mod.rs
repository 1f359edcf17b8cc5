//! Matchmaking: the automatic scheduling of export consultations (issue 13).
//!
//! A pure core, no database and no HTTP: an [`Input`] (the fair's grid, buyers, companies,
//! interpreters, tables and video seats, the accepted pairs and the confirmed meetings) goes
//! in, a [`Schedule`] (placed meetings, the pairs left out with a typed [`Reason`]) comes out,
//! the same for the same input. [`greedy`] is the plain baseline and [`move_meeting`] the
//! organizer's hand move.

mod explain;
mod finish;
pub mod generate;
mod greedy;
mod model;
mod moves;
pub mod problem;
mod rng;
mod solve;
mod state;

pub use greedy::greedy;
pub use model::*;
pub use moves::{move_meeting, MoveTo};
pub use problem::Problem;
pub use solve::solve;
