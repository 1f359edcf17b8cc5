//! Meetings: the slot grid, availability, requests and answers, interpreters, tables,
//! check-in, outcomes, busy slots and calendar feeds.

use crate::domain::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FeedUrl {
    /// Subscribe to this in any calendar app. Anyone with it can read your meetings: keep it
    /// private, and ask for a new one if it leaks.
    pub url: String,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BusySlots {
    pub slot_ids: Vec<i64>,
}

#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AcceptInput {
    /// The staff member who takes it (company side; default: the caller).
    #[serde(default)]
    pub staff_id: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SlotInput {
    pub slot_id: i64,
}

#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReasonInput {
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CheckinInput {
    /// The code of the table's QR (onsite).
    #[serde(default)]
    pub table_code: Option<String>,
    #[serde(default)]
    pub meeting_id: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Break {
    /// Local time, `HH:MM`.
    pub start: String,
    pub end: String,
}

/// One fair day's grid, in local time of `timezone`.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GridInput {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// IANA time zone the times are in, e.g. `Asia/Seoul`.
    pub timezone: String,
    /// `HH:MM`.
    pub start: String,
    pub end: String,
    pub slot_minutes: i64,
    #[serde(default, deserialize_with = "super::objects::list")]
    pub breaks: Vec<Break>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SlotList {
    pub slots: Vec<MeetingSlot>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MeetingRequest {
    pub company_id: i64,
    pub slot_id: i64,
    pub mode: MeetingMode,
    #[serde(default)]
    pub message: Option<String>,
    /// Products of interest (the company's own).
    #[serde(default)]
    pub product_ids: Vec<i64>,
    /// Languages an interpreter must speak (empty: none needed).
    #[serde(default)]
    pub interpreter_languages: Vec<String>,
    /// When company staff ask a buyer: which buyer.
    #[serde(default)]
    pub buyer_id: Option<i64>,
    /// The stage show the meeting was booked from (it must exist), counted in the show's
    /// commerce and the company's leads report.
    #[serde(default)]
    pub show_id: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MeetingList {
    pub meetings: Vec<Meeting>,
}

/// An interpreter who could take a meeting.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InterpreterOption {
    pub interpreter: UserSummary,
    pub languages: Vec<String>,
    /// Meetings they already have that day.
    pub meetings_that_day: i64,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InterpreterOptions {
    pub interpreters: Vec<InterpreterOption>,
}

#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InterpreterInput {
    /// Default: the first suggestion.
    #[serde(default)]
    pub interpreter_id: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HeldInput {
    pub held: bool,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TablesInput {
    /// Tables numbered 1..count (existing ones are kept), 1 to 999.
    #[schema(minimum = 1, maximum = 999)]
    pub count: i64,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TableList {
    pub tables: Vec<MeetingTable>,
}

/// The slots a company takes meetings in, and how many at once.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AvailabilityInput {
    pub slot_ids: Vec<i64>,
    /// Tables or video seats: meetings it can hold at once, 1 to 50.
    #[schema(minimum = 1, maximum = 50)]
    pub seats: i64,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SlotAvailability {
    pub slot: MeetingSlot,
    pub free_seats: i64,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Availability {
    pub company_id: i64,
    pub seats: i64,
    pub slots: Vec<SlotAvailability>,
}
