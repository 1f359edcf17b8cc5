//! The demo fair's data, as files under `server/demo/` built into the binary: halls,
//! companies, products and staff in the import's CSV formats, buyers in the buyers import's,
//! and the people desk, chat history, meetings, attendance and matchmaking marks as JSON.
//! Times are offsets (hours ago, days from today, minutes after the opening): the code turns
//! them into times when the demo loads.

use expo_schema::matchmaking::MarkLevel;
use expo_schema::{ChatRoomKind, MeetingMode, MeetingSide};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Halls, in the import's `halls` format.
pub const HALLS: &str = include_str!("../../demo/halls.csv");
/// Companies, in the import's `companies` format (with Korean names and taglines).
pub const COMPANIES: &str = include_str!("../../demo/companies.csv");
/// Products, in the import's `products` format.
pub const PRODUCTS: &str = include_str!("../../demo/products.csv");
const STAFF: &str = include_str!("../../demo/staff.csv");
const BUYERS: &str = include_str!("../../demo/buyers.csv");
const MEDIA: &str = include_str!("../../demo/media.csv");
const PEOPLE: &str = include_str!("../../demo/people.json");
const CHAT: &str = include_str!("../../demo/chat.json");
const MEETINGS: &str = include_str!("../../demo/meetings.json");
const ATTENDANCE: &str = include_str!("../../demo/attendance.json");
const MARKS: &str = include_str!("../../demo/marks.json");
const STAGE: &str = include_str!("../../demo/stage.json");

/// A list cell of the import's formats: `a;b;c`.
fn list(cell: &str) -> Vec<String> {
    cell.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn rows<T: DeserializeOwned>(file: &str, text: &str) -> anyhow::Result<Vec<T>> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow::anyhow!("demo file {file}: {e}"))
}

fn json<T: DeserializeOwned>(file: &str, text: &str) -> anyhow::Result<T> {
    serde_json::from_str(text).map_err(|e| anyhow::anyhow!("demo file {file}: {e}"))
}

/// A staff member of a company (`staff.csv`, the import's `staff` format), who gets an
/// account rather than an invitation.
#[derive(Debug, Deserialize)]
pub struct Staff {
    pub reg_no: String,
    pub email: String,
    pub name: String,
    languages: String,
    pub company_admin: bool,
}

impl Staff {
    pub fn languages(&self) -> Vec<String> {
        list(&self.languages)
    }
}

pub fn staff() -> anyhow::Result<Vec<Staff>> {
    rows("staff.csv", STAFF)
}

/// A buyer (`buyers.csv`, the buyers import's format). The demo keeps languages outside the
/// fair's six (Vietnamese, Kazakh …), which the import would refuse.
#[derive(Debug, Deserialize)]
pub struct Buyer {
    pub email: String,
    pub name: String,
    pub company: String,
    pub country: String,
    pub timezone: String,
    languages: String,
    interests: String,
    pub share_contact: bool,
}

impl Buyer {
    pub fn languages(&self) -> Vec<String> {
        list(&self.languages)
    }
    pub fn interests(&self) -> Vec<String> {
        list(&self.interests)
    }
}

pub fn buyers() -> anyhow::Result<Vec<Buyer>> {
    rows("buyers.csv", BUYERS)
}

/// A booth's media item naming a built-in file (`media.csv`): of a product when `code` is
/// given, else of the booth.
#[derive(Debug, Deserialize)]
pub struct Media {
    pub reg_no: String,
    pub code: Option<String>,
    pub kind: String,
    pub title: String,
    pub file: String,
}

pub fn media() -> anyhow::Result<Vec<Media>> {
    rows("media.csv", MEDIA)
}

/// The people desk (`people.json`): interpreters, registrations waiting for approval,
/// invitations.
#[derive(Debug, Deserialize)]
pub struct People {
    pub interpreters: Vec<Interpreter>,
    pub pending_buyers: Vec<PendingBuyer>,
    pub invitations: Vec<Invitation>,
}

#[derive(Debug, Deserialize)]
pub struct Interpreter {
    pub name: String,
    pub email: String,
    pub languages: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct PendingBuyer {
    pub name: String,
    pub email: String,
    pub company: String,
    pub country: String,
    pub timezone: String,
    pub languages: Vec<String>,
    pub interests: Vec<String>,
    pub registered_hours_ago: i64,
}

/// An invitation; nobody holds its link (the demo's accounts sign in with the demo password).
#[derive(Debug, Deserialize)]
pub struct Invitation {
    pub name: String,
    pub email: String,
    pub role: String,
    /// The company's registration number, for staff.
    pub company: Option<String>,
    pub languages: Vec<String>,
    pub sent_hours_ago: i64,
    pub accepted_hours_ago: Option<i64>,
}

pub fn people() -> anyhow::Result<People> {
    json("people.json", PEOPLE)
}

/// Chat history (`chat.json`): the rooms, the messages in order (a sender `admin` is the
/// first organizer), and a missed talk-to-staff request.
#[derive(Debug, Deserialize)]
pub struct Chat {
    pub rooms: Vec<ChatRoom>,
    pub messages: Vec<ChatMessage>,
    pub missed_talk: MissedTalk,
}

#[derive(Debug, Deserialize)]
pub struct ChatRoom {
    pub name: String,
    pub kind: ChatRoomKind,
    pub company: Option<String>,
    pub buyer: Option<String>,
}

/// Free text, or a phrasebook phrase as the sender picked it in their language.
#[derive(Debug, Deserialize)]
pub struct ChatMessage {
    pub room: String,
    pub sender: String,
    pub text: Option<String>,
    pub phrase: Option<Phrase>,
}

#[derive(Debug, Deserialize)]
pub struct Phrase {
    pub lang: String,
    pub id: String,
    #[serde(default)]
    pub params: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
pub struct MissedTalk {
    pub company: String,
    pub buyer: String,
    pub minutes_ago: i64,
    pub expired_after_seconds: i64,
}

pub fn chat() -> anyhow::Result<Chat> {
    json("chat.json", CHAT)
}

/// The meeting grid and the meetings (`meetings.json`).
#[derive(Debug, Deserialize)]
pub struct Meetings {
    pub grid: Grid,
    pub seats: i64,
    pub tables_per_hall: i64,
    pub live: Live,
    pub upcoming: Vec<Upcoming>,
    pub held_yesterday: Vec<Held>,
}

/// The fair's days (from today), each from `start` to `end` local time in slots.
#[derive(Debug, Deserialize)]
pub struct Grid {
    pub timezone: String,
    pub start: String,
    pub end: String,
    pub slot_minutes: i64,
    pub breaks: Vec<Break>,
    pub days: Vec<i64>,
}

#[derive(Debug, Deserialize)]
pub struct Break {
    pub start: String,
    pub end: String,
}

/// The README's video meeting, open from the last five-minute mark for `minutes`.
#[derive(Debug, Deserialize)]
pub struct Live {
    pub company: String,
    pub buyer: String,
    pub staff: String,
    pub interpreter: String,
    pub minutes: i64,
    pub message: String,
    pub interpreter_languages: Vec<String>,
}

/// A meeting on a coming fair day: `day` days from today, the grid's `slot`-th slot.
#[derive(Debug, Deserialize)]
pub struct Upcoming {
    pub company: String,
    pub buyer: String,
    pub staff: Option<String>,
    pub interpreter: Option<String>,
    pub day: i64,
    pub slot: usize,
    pub mode: MeetingMode,
    pub state: String,
    pub awaiting: MeetingSide,
    pub message: String,
    pub interpreter_languages: Vec<String>,
    pub requested_by: String,
}

/// A consultation held yesterday in the grid's `slot`-th slot, with its outcome.
#[derive(Debug, Deserialize)]
pub struct Held {
    pub company: String,
    pub buyer: String,
    pub staff: String,
    pub interpreter: Option<String>,
    pub slot: usize,
    pub mode: MeetingMode,
    pub message: String,
    pub interpreter_languages: Vec<String>,
    pub outcome: Outcome,
}

#[derive(Debug, Deserialize)]
pub struct Outcome {
    pub buyer_came: bool,
    pub consult_usd: i64,
    pub contract_usd: i64,
    pub mou_signed: bool,
    pub samples_requested: bool,
    pub notes: String,
    pub rating: i64,
}

pub fn meetings() -> anyhow::Result<Meetings> {
    json("meetings.json", MEETINGS)
}

/// Yesterday's attendance (`attendance.json`), in minutes after the opening.
#[derive(Debug, Deserialize)]
pub struct Attendance {
    pub opening: String,
    pub timezone: String,
    pub sessions: Vec<Stretch>,
    pub visits: Vec<Visit>,
    pub checkins: Vec<CheckIn>,
}

/// Online from `from` to `to`.
#[derive(Debug, Deserialize)]
pub struct Stretch {
    pub user: String,
    pub from: i64,
    pub to: i64,
}

#[derive(Debug, Deserialize)]
pub struct Visit {
    pub user: String,
    pub company: String,
    pub from: i64,
    pub to: i64,
}

/// A badge scanned at the entrance, then at a booth.
#[derive(Debug, Deserialize)]
pub struct CheckIn {
    pub user: String,
    pub entrance: i64,
    pub booth: String,
    pub booth_at: i64,
}

pub fn attendance() -> anyhow::Result<Attendance> {
    json("attendance.json", ATTENDANCE)
}

/// A two-way matchmaking mark (`marks.json`).
#[derive(Debug, Deserialize)]
pub struct Mark {
    pub buyer: String,
    pub company: String,
    pub buyer_mark: Option<MarkLevel>,
    pub company_mark: Option<MarkLevel>,
}

pub fn marks() -> anyhow::Result<Vec<Mark>> {
    json("marks.json", MARKS)
}

/// The stages and their shows (`stage.json`): the studio's show under way now, one later
/// today, and the opening on the main stage streamed elsewhere (an external URL).
#[derive(Debug, Deserialize)]
pub struct Stages {
    /// The fair's chat word filter (booth and show rooms).
    #[serde(default)]
    pub filter_words: Vec<String>,
    pub stages: Vec<expo_schema::api::StageInput>,
    pub shows: Vec<DemoShow>,
}

/// A line of a show's chat: its sender by email and how long ago it was sent.
#[derive(Debug, Deserialize)]
pub struct DemoShowLine {
    pub sender: String,
    pub minutes_ago: i64,
    pub text: String,
}

/// A show: its stage by slug, its host by registration number, its featured products by the
/// host's product codes, and its start in minutes from now.
#[derive(Debug, Deserialize)]
pub struct DemoShow {
    pub stage: String,
    pub title: String,
    pub description: String,
    #[serde(default)]
    pub texts: BTreeMap<String, expo_schema::api::ShowText>,
    #[serde(default)]
    pub host: Option<String>,
    pub starts_in_minutes: i64,
    pub duration_minutes: i64,
    #[serde(default)]
    pub featured: Vec<String>,
    /// The featured product (by code) the host has pinned for viewers.
    #[serde(default)]
    pub pinned: Option<String>,
    #[serde(default)]
    pub external_url: Option<String>,
    /// The chat's slow mode, in seconds.
    #[serde(default)]
    pub slow_mode_s: i64,
    /// The chat so far.
    #[serde(default)]
    pub chat: Vec<DemoShowLine>,
    #[serde(default)]
    pub questions: Vec<DemoQuestion>,
    #[serde(default)]
    pub polls: Vec<DemoPoll>,
    /// Buyers' quote and sample requests for the host's products from the show.
    #[serde(default)]
    pub quote_requests: Vec<DemoQuoteRequest>,
    /// A show of earlier today that the demo's studio feed records as a short take when a
    /// media server is at hand, so the fair has a replay with its chat and pins
    /// (`stage/broadcast.rs`).
    #[serde(default)]
    pub take: Option<DemoTake>,
}

/// A short take of a show: how long it runs, and what happens when (seconds from going live).
#[derive(Debug, Clone, Deserialize)]
pub struct DemoTake {
    pub seconds: i64,
    #[serde(default)]
    pub pins: Vec<DemoTakePin>,
    #[serde(default)]
    pub chat: Vec<DemoTakeLine>,
}

/// The host pins a product (by the host's code) this many seconds into the take.
#[derive(Debug, Clone, Deserialize)]
pub struct DemoTakePin {
    pub at_s: i64,
    pub product: String,
}

/// A chat line (sender by email) this many seconds into the take.
#[derive(Debug, Clone, Deserialize)]
pub struct DemoTakeLine {
    pub at_s: i64,
    pub sender: String,
    pub text: String,
}

/// A quote or sample request from a show: the buyer by email, the product by the host's code.
#[derive(Debug, Deserialize)]
pub struct DemoQuoteRequest {
    pub buyer: String,
    pub product: String,
    pub kind: expo_schema::QuoteKind,
    #[serde(default)]
    pub quantity: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    pub minutes_ago: i64,
}

/// A question to the host so far: who asked and upvoted it (by email), and whether it was
/// answered.
#[derive(Debug, Deserialize)]
pub struct DemoQuestion {
    pub sender: String,
    pub minutes_ago: i64,
    pub text: String,
    #[serde(default)]
    pub upvoters: Vec<String>,
    #[serde(default)]
    pub answered: bool,
}

/// A poll of the show, still open, with the votes so far (email to option index).
#[derive(Debug, Deserialize)]
pub struct DemoPoll {
    pub question: String,
    pub options: Vec<String>,
    pub minutes_ago: i64,
    #[serde(default)]
    pub votes: BTreeMap<String, i64>,
}

pub fn stages() -> anyhow::Result<Stages> {
    json("stage.json", STAGE)
}
