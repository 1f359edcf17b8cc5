//! Domain types: who takes part in the fair and where.
//!
//! These are the shapes the server returns and the clients read; the tables behind them live in
//! the migrations. Times on the wire are UTC milliseconds since the Unix epoch (`*_ms`), so every
//! client converts them to the viewer's own time zone itself.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The languages the fair works in (its interface, booth texts, mails, interpreters), as
/// BCP 47 tags in the fair's order. The first, [`BASE_LANGUAGE`], is the one booth texts are
/// written in first and the fallback wherever a text is missing.
pub const LANGUAGES: &[&str] = &[BASE_LANGUAGE, "ko", "zh", "ru", "mn", "ja"];

/// English: the fair's base language (see [`LANGUAGES`]).
pub const BASE_LANGUAGE: &str = "en";

/// What a person does at the fair. It decides what they may see and do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the fair: approves buyers, invites exhibitors, watches attendance.
    Organizer,
    /// Staff of one exhibiting company.
    Exhibitor,
    /// A foreign buyer browsing booths and booking meetings.
    Buyer,
    /// Interprets meetings between buyers and exhibitors.
    Interpreter,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Organizer => "organizer",
            Role::Exhibitor => "exhibitor",
            Role::Buyer => "buyer",
            Role::Interpreter => "interpreter",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "organizer" => Some(Role::Organizer),
            "exhibitor" => Some(Role::Exhibitor),
            "buyer" => Some(Role::Buyer),
            "interpreter" => Some(Role::Interpreter),
            _ => None,
        }
    }
}

/// Whether an account may sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Active,
    /// A self-registered buyer waiting for organizer approval.
    Pending,
    Disabled,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Pending => "pending",
            AccountStatus::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Option<AccountStatus> {
        match s {
            "active" => Some(AccountStatus::Active),
            "pending" => Some(AccountStatus::Pending),
            "disabled" => Some(AccountStatus::Disabled),
            _ => None,
        }
    }
}

/// The little everyone else may know about a person: enough to show them in a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct UserSummary {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// The exhibiting company, for exhibitor staff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_id: Option<i64>,
    /// The company name: the exhibitor's, or the buyer's own firm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// A buyer who did not agree to share contact details, as others see them in presence:
    /// no name (clients show "a visitor" in their own language), no company.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub anonymous: bool,
}

/// A person's full profile, as they (and organizers) see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct UserProfile {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub status: AccountStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_id: Option<i64>,
    /// True for the one staff member who administers an exhibiting company.
    #[serde(default)]
    pub company_admin: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// IANA time zone, e.g. `Asia/Seoul`.
    pub timezone: String,
    /// Spoken languages as BCP 47 tags (`ko`, `en`, `zh`, `ru`, `mn`, `ja` ...).
    #[serde(default)]
    pub languages: Vec<String>,
    /// A buyer's sourcing interests (category tags).
    #[serde(default)]
    pub interests: Vec<String>,
    /// A buyer's consent to show their contact details to the exhibitors they visit.
    #[serde(default)]
    pub share_contact: bool,
    /// A buyer's sourcing interests as HS codes (digits only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hs_codes: Vec<String>,
    /// A rejected registration: the organizer's reason, as they wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<String>,
    pub created_ms: i64,
}

impl UserProfile {
    pub fn summary(&self) -> UserSummary {
        UserSummary {
            id: self.id,
            name: self.name.clone(),
            role: self.role,
            company_id: self.company_id,
            company_name: self.company_name.clone(),
            country: self.country.clone(),
            anonymous: false,
        }
    }
}

/// An exhibition hall, grouped by industry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct Hall {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub industry: String,
    pub company_count: i64,
}

/// An exhibiting company and its booth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct Company {
    pub id: i64,
    /// The business registration number: the stable key for imports.
    pub reg_no: String,
    pub name: String,
    pub hall_id: Option<i64>,
    pub country: String,
    pub region: Option<String>,
    pub tagline: Option<String>,
    pub description: Option<String>,
    pub website: Option<String>,
    pub founded_year: Option<i64>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Countries the company already exports to (ISO 3166-1 alpha-2).
    #[serde(default)]
    pub export_countries: Vec<String>,
    /// Where the logo image is served, if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    /// The language the texts above are in (the viewer's, where the booth has it).
    #[serde(default)]
    pub lang: String,
}

/// A product shown in a booth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct Product {
    pub id: i64,
    pub company_id: i64,
    pub name: String,
    pub description: Option<String>,
    /// Harmonized System code (customs classification).
    pub hs_code: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The company's own product code: the stable key for imports.
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    /// Minimum order, as the exhibitor states it ("500 boxes").
    #[serde(default)]
    pub min_order: Option<String>,
    /// Price range, as the exhibitor states it ("USD 3-5 FOB Busan").
    #[serde(default)]
    pub price_range: Option<String>,
    #[serde(default)]
    pub certifications: Vec<String>,
    #[serde(default)]
    pub photos: Vec<MediaItem>,
}

/// What a media item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Logo,
    Photo,
    Brochure,
    Video,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Logo => "logo",
            MediaKind::Photo => "photo",
            MediaKind::Brochure => "brochure",
            MediaKind::Video => "video",
        }
    }

    pub fn parse(s: &str) -> Option<MediaKind> {
        match s {
            "logo" => Some(MediaKind::Logo),
            "photo" => Some(MediaKind::Photo),
            "brochure" => Some(MediaKind::Brochure),
            "video" => Some(MediaKind::Video),
            _ => None,
        }
    }
}

/// A logo, product photo, brochure or video of a booth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct MediaItem {
    pub id: i64,
    pub company_id: i64,
    #[serde(default)]
    pub product_id: Option<i64>,
    pub kind: MediaKind,
    pub title: String,
    #[serde(default)]
    pub file_name: Option<String>,
    #[serde(default)]
    pub content_type: Option<String>,
    #[serde(default)]
    pub size_bytes: Option<i64>,
    /// Where to get it: `/api/v1/media/{id}` for uploads, the external link for hosted videos.
    pub url: String,
}

/// A booth's live state: who is inside and which staff are on duty, right now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct BoothLive {
    pub company_id: i64,
    /// Distinct visitors inside now (the company's own staff not counted).
    pub visitors_now: i64,
    pub staff_on_duty: Vec<UserSummary>,
}

/// One connection's entry in a room's presence list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct PresenceEntry {
    /// The connection, unique across nodes. A user with two tabs has two entries.
    pub conn_id: String,
    pub user: UserSummary,
    /// When this connection joined the room (UTC ms).
    pub since_ms: i64,
}

/// What a chat room is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChatRoomKind {
    /// A booth's public room: visitors and staff.
    Booth,
    /// A hall's room (organizer announcements).
    Hall,
    /// The whole fair's room (organizer announcements).
    Fair,
    /// One buyer and one company (any of its staff), plus invited interpreters.
    Private,
    /// A stage show's chat: every viewer, the host company's staff and organizers moderate.
    /// Live events come in batched frames (`batch`), a few a second.
    Show,
}

impl ChatRoomKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChatRoomKind::Booth => "booth",
            ChatRoomKind::Hall => "hall",
            ChatRoomKind::Fair => "fair",
            ChatRoomKind::Private => "private",
            ChatRoomKind::Show => "show",
        }
    }

    pub fn parse(s: &str) -> Option<ChatRoomKind> {
        match s {
            "booth" => Some(ChatRoomKind::Booth),
            "hall" => Some(ChatRoomKind::Hall),
            "fair" => Some(ChatRoomKind::Fair),
            "private" => Some(ChatRoomKind::Private),
            "show" => Some(ChatRoomKind::Show),
            _ => None,
        }
    }
}

/// A chat room as one user sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct ChatRoomInfo {
    pub id: i64,
    pub kind: ChatRoomKind,
    /// The hub room carrying its live events: `chat:{id}`.
    pub hub_room: String,
    pub title: String,
    #[serde(default)]
    pub company_id: Option<i64>,
    #[serde(default)]
    pub hall_id: Option<i64>,
    /// The buyer of a private conversation.
    #[serde(default)]
    pub buyer: Option<UserSummary>,
    /// The sequence of the newest message (0: none yet).
    pub last_seq: i64,
    /// The newest sequence this user has read (on any device).
    pub read_seq: i64,
    /// Messages after `read_seq` that others sent.
    pub unread: i64,
    /// Private conversations: whether any of the company's staff is on duty now.
    #[serde(default)]
    pub staff_online: Option<bool>,
    /// Show rooms: the show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_id: Option<i64>,
    /// Show rooms: the per-sender cooldown in seconds (0: off). Moderators are exempt.
    #[serde(default)]
    pub slow_mode_s: i64,
    /// Whether this user moderates the room (deletes messages, mutes and bans, is marked).
    #[serde(default)]
    pub moderator: bool,
}

/// One stored chat message. A deleted message keeps its place (`seq`) but loses its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct ChatMessage {
    pub id: i64,
    pub room_id: i64,
    /// The message's place in its room: 1, 2, 3 ... with no gaps, the same on every node.
    pub seq: i64,
    pub sender: UserSummary,
    /// Plain text, never HTML. `None` once deleted.
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub deleted: bool,
    /// A shared file (an image or a PDF); gone once the message is deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<ChatAttachment>,
    /// A phrasebook phrase (`GET /api/v1/phrases`): readers show it in their own language
    /// (`body` is the sender's rendering of it). Gone once the message is deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phrase: Option<crate::phrases::PhraseRef>,
    pub created_ms: i64,
}

/// A file shared in a chat room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct ChatAttachment {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// `/api/v1/chat/attachments/{id}`.
    pub url: String,
}

/// The state of a visitor's request to talk to a booth's staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TalkState {
    Open,
    Accepted,
    Missed,
    /// The visitor withdrew it before anyone answered.
    Cancelled,
}

/// A visitor's request to talk to a booth's staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct TalkRequest {
    pub id: i64,
    pub company_id: i64,
    pub buyer: UserSummary,
    pub state: TalkState,
    #[serde(default)]
    pub accepted_by: Option<UserSummary>,
    /// The private conversation it opened, once accepted.
    #[serde(default)]
    pub room_id: Option<i64>,
    pub created_ms: i64,
    /// While open: when it will be recorded as missed if nobody takes it.
    #[serde(default)]
    pub expires_ms: i64,
    /// When it was accepted, missed or cancelled.
    #[serde(default)]
    pub resolved_ms: Option<i64>,
}

/// What a buyer asks an exhibitor for about a product: a price quote, or a sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuoteKind {
    Quote,
    Sample,
}

impl QuoteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QuoteKind::Quote => "quote",
            QuoteKind::Sample => "sample",
        }
    }

    pub fn parse(value: &str) -> Option<QuoteKind> {
        match value {
            "quote" => Some(QuoteKind::Quote),
            "sample" => Some(QuoteKind::Sample),
            _ => None,
        }
    }
}

/// The buyer behind a quote request, with the contact they agreed to give the exhibitor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct QuoteBuyer {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// The buyer's own firm.
    #[serde(default)]
    pub company_name: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    #[serde(default)]
    pub country: Option<String>,
}

/// A buyer's request for a quote or a sample of a product (issue 14, commerce in the
/// stream): from a show (`show_id`) or from the booth. Stored only with the buyer's consent
/// that the exhibitor gets their contact, so the exhibitor's staff see `buyer` in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct QuoteRequest {
    pub id: i64,
    pub company_id: i64,
    /// Null once the product was deleted.
    #[serde(default)]
    pub product_id: Option<i64>,
    /// The product's name in the base language (null once it was deleted).
    #[serde(default)]
    pub product_name: Option<String>,
    pub buyer: QuoteBuyer,
    /// The show it was sent from; null from a booth page (or once the show was deleted).
    #[serde(default)]
    pub show_id: Option<i64>,
    pub kind: QuoteKind,
    /// As the buyer wrote it ("2 pallets").
    #[serde(default)]
    pub quantity: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    /// Always true: the buyer agreed that the exhibitor gets their contact details.
    pub consent: bool,
    pub created_ms: i64,
}

/// One slot of the fair's meeting grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct MeetingSlot {
    pub id: i64,
    /// The fair day (YYYY-MM-DD in the grid's time zone).
    pub day: String,
    pub starts_ms: i64,
    pub ends_ms: i64,
}

/// Where a meeting happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeetingMode {
    Online,
    Onsite,
}

/// Where a meeting stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeetingState {
    /// Asked for; holds the slot for both sides until it expires.
    Requested,
    Confirmed,
    Declined,
    Cancelled,
    /// Nobody answered before the hold ran out.
    Expired,
}

impl MeetingState {
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingState::Requested => "requested",
            MeetingState::Confirmed => "confirmed",
            MeetingState::Declined => "declined",
            MeetingState::Cancelled => "cancelled",
            MeetingState::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<MeetingState> {
        match s {
            "requested" => Some(MeetingState::Requested),
            "confirmed" => Some(MeetingState::Confirmed),
            "declined" => Some(MeetingState::Declined),
            "cancelled" => Some(MeetingState::Cancelled),
            "expired" => Some(MeetingState::Expired),
            _ => None,
        }
    }
}

/// One side of a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeetingSide {
    Buyer,
    Company,
}

impl MeetingSide {
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingSide::Buyer => "buyer",
            MeetingSide::Company => "company",
        }
    }

    pub fn other(self) -> MeetingSide {
        match self {
            MeetingSide::Buyer => MeetingSide::Company,
            MeetingSide::Company => MeetingSide::Buyer,
        }
    }
}

/// A meeting's time as one participant sees it on their own clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct LocalTime {
    /// `buyer`, `company` or `interpreter`.
    pub who: String,
    /// IANA time zone, e.g. `Asia/Vladivostok`.
    pub timezone: String,
    /// The zone's city, e.g. `Vladivostok`.
    pub city: String,
    /// RFC 3339 with that zone's offset, e.g. `2026-11-28T09:00:00+10:00`.
    pub starts_local: String,
    pub ends_local: String,
    /// e.g. `09:00 in Vladivostok`.
    pub label: String,
}

/// An onsite meeting table in a hall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct MeetingTable {
    pub id: i64,
    pub hall_id: i64,
    pub hall_name: String,
    pub number: i64,
}

/// When each side checked in (video room joined or table QR scanned).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct CheckIns {
    #[serde(default)]
    pub buyer_ms: Option<i64>,
    #[serde(default)]
    pub company_ms: Option<i64>,
    #[serde(default)]
    pub interpreter_ms: Option<i64>,
}

/// After the slot: who never checked in (set once, by the no-show job) and what each side
/// reported.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct Attendance {
    /// Set when the meeting was closed after its end.
    #[serde(default)]
    pub closed_ms: Option<i64>,
    pub buyer_no_show: bool,
    pub company_no_show: bool,
    /// Did it happen, as the buyer says (null: not said).
    #[serde(default)]
    pub buyer_says_held: Option<bool>,
    #[serde(default)]
    pub company_says_held: Option<bool>,
}

/// What the exhibitor recorded about a held meeting. Amounts are whole US dollars.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct MeetingOutcome {
    /// Consultation amount (whole USD, 0 to 10 billion).
    #[schema(minimum = 0, maximum = 10000000000_i64)]
    pub consult_usd: i64,
    /// Expected contract amount (whole USD, 0 to 10 billion).
    #[schema(minimum = 0, maximum = 10000000000_i64)]
    pub contract_usd: i64,
    pub mou_signed: bool,
    pub samples_requested: bool,
    #[serde(default)]
    pub notes: Option<String>,
    /// 1 to 5.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 5)]
    pub rating: Option<i64>,
}

/// A meeting between a buyer and an exhibiting company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct Meeting {
    pub id: i64,
    pub company_id: i64,
    pub company_name: String,
    pub buyer: UserSummary,
    #[serde(default)]
    pub staff: Option<UserSummary>,
    pub slot_id: i64,
    /// Which of the company's tables or video seats it takes.
    pub seat: i64,
    pub starts_ms: i64,
    pub ends_ms: i64,
    pub mode: MeetingMode,
    pub state: MeetingState,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub decline_reason: Option<String>,
    /// A pending request holds the slot until this time.
    pub expires_ms: i64,
    /// Who must answer a request: `company` (a buyer asked) or `buyer` (the company asked or
    /// proposed another slot).
    pub awaiting: MeetingSide,
    /// Bumped by every change of time (a proposal or a reschedule); the `.ics` SEQUENCE.
    pub sequence: i64,
    pub requested_by: i64,
    /// Products of interest.
    #[serde(default)]
    pub product_ids: Vec<i64>,
    /// Languages an interpreter must speak; empty when none is needed.
    #[serde(default)]
    pub interpreter_languages: Vec<String>,
    #[serde(default)]
    pub interpreter: Option<UserSummary>,
    /// Onsite meetings: the hall table.
    #[serde(default)]
    pub table: Option<MeetingTable>,
    /// The meeting on each participant's clock (buyer, company, interpreter).
    pub times: Vec<LocalTime>,
    pub checkins: CheckIns,
    pub attendance: Attendance,
    #[serde(default)]
    pub outcome: Option<MeetingOutcome>,
    /// When an external video service is configured: its link for this meeting.
    #[serde(default)]
    pub video_url: Option<String>,
    /// Why it was cancelled (or declined: see `decline_reason`).
    #[serde(default)]
    pub cancelled_by: Option<i64>,
}

/// Visitors inside one booth now, and whether anyone staffs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct BoothNow {
    pub company_id: i64,
    pub name: String,
    #[serde(default)]
    pub hall_id: Option<i64>,
    pub visitors_now: i64,
    pub staff_on_duty: i64,
}

/// Visitors inside one hall's booths now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct HallNow {
    pub hall_id: i64,
    pub name: String,
    pub visitors_now: i64,
}

/// The organizers' live view of the fair, built from presence and counters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct DashboardSnapshot {
    pub at_ms: i64,
    /// The fair day the "today" figures count (`YYYY-MM-DD` in the fair's time zone).
    pub day: String,
    /// People (not connections) online now, on every node.
    pub online_now: i64,
    pub online_by_role: std::collections::BTreeMap<String, i64>,
    pub online_by_country: std::collections::BTreeMap<String, i64>,
    /// Distinct people seen online today, checked in onsite today, and both.
    pub online_today: i64,
    pub onsite_today: i64,
    pub both_today: i64,
    pub halls: Vec<HallNow>,
    pub booths: Vec<BoothNow>,
    pub booths_unstaffed: i64,
    pub meetings_in_progress: i64,
    /// Today's meetings by state (`requested`, `confirmed`, `declined`, `cancelled`,
    /// `expired`), plus `held` and `no_show` among those already over.
    pub meetings_today: std::collections::BTreeMap<String, i64>,
    pub chat_messages_last_minute: i64,
    pub talk_missed_today: i64,
    /// The stage: shows live now or scheduled today, by start.
    #[serde(default)]
    pub shows: Vec<ShowNow>,
}

/// A stage show on the organizers' dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct ShowNow {
    pub show_id: i64,
    pub stage_id: i64,
    /// In the fair's base language.
    pub title: String,
    /// `scheduled`, `live` or `ended`.
    pub state: String,
    pub starts_ms: i64,
    pub ends_ms: i64,
    /// Viewers in the show's room now, over every node.
    pub viewers_now: i64,
    /// The most at once so far.
    pub peak_viewers: i64,
}

/// An onsite scan of a badge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
pub struct CheckIn {
    pub id: i64,
    pub user: UserSummary,
    /// `entrance` or `booth`.
    pub place: String,
    #[serde(default)]
    pub company_id: Option<i64>,
    pub at_ms: i64,
    /// Set on a repeat scan: this badge was already scanned at the same place (the entrance,
    /// or the same booth) within the last 24 hours, first at this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_at_ms: Option<i64>,
}
