//! The scheduler's input and output live in the contract crate
//! ([`expo_schema::matchmaking`]), beside the REST types that carry them.

pub use expo_schema::matchmaking::*;
