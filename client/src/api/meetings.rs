//! The slot grid, availability, requests and answers, interpreters, tables, check-in,
//! outcomes and calendars (`server/src/meetings/`).

use super::NoQuery;
use crate::{Api, Result};
use expo_schema::api::{
    AcceptInput, Availability, AvailabilityInput, BusySlots, CheckinInput, DayQuery, FeedUrl,
    GridInput, HeldInput, InterpreterInput, InterpreterOptions, MeetingList, MeetingRequest,
    ReasonInput, SlotInput, SlotList, TableList, TablesInput,
};
use expo_schema::{Meeting, MeetingOutcome};

impl Api {
    /// `GET /api/v1/meetings/{id}`.
    pub async fn meeting(&self, id: i64) -> Result<Meeting> {
        self.get(&format!("/api/v1/meetings/{id}")).await
    }

    /// `DELETE /api/v1/meetings/{id}/interpreter`: takes the interpreter off the meeting.
    pub async fn unassign_interpreter(&self, id: i64) -> Result<Meeting> {
        self.delete_json(&format!("/api/v1/meetings/{id}/interpreter"))
            .await
    }

    /// `PUT /api/v1/meetings/{id}/outcome`: what the meeting achieved.
    pub async fn set_outcome(&self, id: i64, input: &MeetingOutcome) -> Result<Meeting> {
        self.put(&format!("/api/v1/meetings/{id}/outcome"), input)
            .await
    }

    /// `GET /api/v1/meetings/tables/{id}/qr.svg`: the table's check-in code.
    pub async fn table_qr(&self, id: i64) -> Result<String> {
        self.get_text(&format!("/api/v1/meetings/tables/{id}/qr.svg"), &NoQuery {})
            .await
    }

    /// `GET /api/v1/meetings/{id}/ics`: one meeting as an iCalendar file.
    pub async fn meeting_ics(&self, id: i64) -> Result<String> {
        self.get_text(&format!("/api/v1/meetings/{id}/ics"), &NoQuery {})
            .await
    }

    /// `GET /api/v1/calendar/{file}`: a private calendar feed (no sign-in: the file name is
    /// the secret). `file` is the last part of the feed's URL.
    pub async fn calendar_feed(&self, file: &str) -> Result<String> {
        self.get_text(&format!("/api/v1/calendar/{file}"), &NoQuery {})
            .await
    }
}

impl Api {
    /// `POST /api/v1/meetings/grid` (organizers): one fair day's slots.
    pub async fn create_grid(&self, input: &GridInput) -> Result<SlotList> {
        self.post("/api/v1/meetings/grid", input).await
    }

    /// `GET /api/v1/meetings/slots`, optionally of one fair day (`YYYY-MM-DD`).
    pub async fn slots(&self, day: Option<&str>) -> Result<SlotList> {
        self.get_query(
            "/api/v1/meetings/slots",
            &DayQuery {
                day: day.map(str::to_string),
            },
        )
        .await
    }

    /// `GET /api/v1/companies/{id}/availability`.
    pub async fn availability(&self, company_id: i64) -> Result<Availability> {
        self.get(&format!("/api/v1/companies/{company_id}/availability"))
            .await
    }

    /// `PUT /api/v1/companies/{id}/availability`: the slots the company takes meetings in.
    pub async fn set_availability(
        &self,
        company_id: i64,
        input: &AvailabilityInput,
    ) -> Result<Availability> {
        self.put(
            &format!("/api/v1/companies/{company_id}/availability"),
            input,
        )
        .await
    }

    /// `POST /api/v1/meetings`: asks a company for a meeting.
    pub async fn request_meeting(&self, input: &MeetingRequest) -> Result<Meeting> {
        self.post("/api/v1/meetings", input).await
    }

    /// `GET /api/v1/meetings`: the caller's meetings.
    pub async fn meetings(&self) -> Result<MeetingList> {
        self.get("/api/v1/meetings").await
    }

    /// `POST /api/v1/meetings/{id}/accept` (`AcceptInput::default()` names nobody).
    pub async fn accept_meeting(&self, id: i64, input: &AcceptInput) -> Result<Meeting> {
        self.post(&format!("/api/v1/meetings/{id}/accept"), input)
            .await
    }

    /// `POST /api/v1/meetings/{id}/decline`.
    pub async fn decline_meeting(&self, id: i64, input: &ReasonInput) -> Result<Meeting> {
        self.post(&format!("/api/v1/meetings/{id}/decline"), input)
            .await
    }

    /// `POST /api/v1/meetings/{id}/cancel` (the reason is optional, and so is the body).
    pub async fn cancel_meeting(&self, id: i64, input: &ReasonInput) -> Result<Meeting> {
        self.post(&format!("/api/v1/meetings/{id}/cancel"), input)
            .await
    }

    /// `POST /api/v1/meetings/{id}/propose`: the company proposes another slot.
    pub async fn propose_slot(&self, id: i64, input: &SlotInput) -> Result<Meeting> {
        self.post(&format!("/api/v1/meetings/{id}/propose"), input)
            .await
    }

    /// `POST /api/v1/meetings/{id}/reschedule`: moves an accepted meeting.
    pub async fn reschedule_meeting(&self, id: i64, input: &SlotInput) -> Result<Meeting> {
        self.post(&format!("/api/v1/meetings/{id}/reschedule"), input)
            .await
    }

    /// `GET /api/v1/meetings/{id}/interpreters`: who could interpret it.
    pub async fn interpreter_options(&self, id: i64) -> Result<InterpreterOptions> {
        self.get(&format!("/api/v1/meetings/{id}/interpreters"))
            .await
    }

    /// `POST /api/v1/meetings/{id}/interpreter`: assigns an interpreter (`None`: the
    /// least busy one who fits).
    pub async fn assign_interpreter(&self, id: i64, input: &InterpreterInput) -> Result<Meeting> {
        self.post(&format!("/api/v1/meetings/{id}/interpreter"), input)
            .await
    }

    /// `POST /api/v1/meetings/{id}/report`: whether it was held.
    pub async fn report_held(&self, id: i64, input: &HeldInput) -> Result<Meeting> {
        self.post(&format!("/api/v1/meetings/{id}/report"), input)
            .await
    }

    /// `POST /api/v1/meetings/checkin`: by a table's code or a meeting's id.
    pub async fn meeting_checkin(&self, input: &CheckinInput) -> Result<Meeting> {
        self.post("/api/v1/meetings/checkin", input).await
    }

    /// `GET /api/v1/meetings/tables`.
    pub async fn tables(&self) -> Result<TableList> {
        self.get("/api/v1/meetings/tables").await
    }

    /// `POST /api/v1/halls/{id}/tables` (organizers).
    pub async fn create_tables(&self, hall_id: i64, input: &TablesInput) -> Result<TableList> {
        self.post(&format!("/api/v1/halls/{hall_id}/tables"), input)
            .await
    }

    /// `GET /api/v1/me/busy`: the slots the caller marked busy.
    pub async fn my_busy(&self) -> Result<BusySlots> {
        self.get("/api/v1/me/busy").await
    }

    /// `PUT /api/v1/me/busy`.
    pub async fn set_busy(&self, input: &BusySlots) -> Result<BusySlots> {
        self.put("/api/v1/me/busy", input).await
    }

    /// `GET /api/v1/me/calendar`: the caller's private feed URL.
    pub async fn calendar_feed_url(&self) -> Result<FeedUrl> {
        self.get("/api/v1/me/calendar").await
    }

    /// `POST /api/v1/me/calendar`: a new feed URL (the old one stops working).
    pub async fn new_calendar_feed_url(&self) -> Result<FeedUrl> {
        self.post_nothing("/api/v1/me/calendar").await
    }
}
