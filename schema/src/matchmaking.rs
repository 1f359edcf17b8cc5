//! Matchmaking (issue 13): the scheduler's input and output, and the REST types of marks,
//! suggestions, pairs and runs. Plain serde types, ready to go over HTTP or into a database.
//! Ids are the database's (`i64`); slots are indices into the grid that [`Fair`] describes
//! (the server's `matchmaking::Problem::slots` gives their times). The scheduler itself is
//! in the server (`server/src/matchmaking/`).

use crate::api::Recommendation;
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A wall-clock window of a day, `start` to `end`; `end <= start` wraps past midnight
/// (a night of 22:00–07:00).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Window {
    #[schema(value_type = String, example = "09:00:00")]
    pub start: NaiveTime,
    #[schema(value_type = String, example = "18:00:00")]
    pub end: NaiveTime,
}

impl Window {
    /// `start`–`end` from hours and minutes; panics on an impossible time (for literals).
    pub fn hm(start_h: u32, start_m: u32, end_h: u32, end_m: u32) -> Window {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("a valid time of day");
        Window {
            start: t(start_h, start_m),
            end: t(end_h, end_m),
        }
    }
}

/// One fair day: its date in the fair's zone and the hours it offers per mode (fair-local).
/// A day without a window for a mode offers no slots of that mode.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FairDay {
    #[schema(value_type = String, example = "2026-12-08")]
    pub date: NaiveDate,
    pub onsite: Option<Window>,
    pub online: Option<Window>,
}

/// The fair: its zone, grid and the knobs of the scheduler.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Fair {
    /// IANA zone of the fair (`Asia/Seoul`); the days' windows are in it.
    pub zone: String,
    /// Length of a slot (and of a meeting), minutes.
    pub slot_minutes: u16,
    pub days: Vec<FairDay>,
    /// Local night of every participant: nobody is ever booked in it. Default 22:00–07:00.
    #[serde(default = "default_night")]
    pub night: Window,
    /// At most this many meetings in a row for a person, then a free slot. Default 3.
    #[serde(default = "default_max_run")]
    pub max_run: u8,
    #[serde(default)]
    pub weights: Weights,
    /// Seed of the tie-breaks: the same input and seed give the same schedule.
    #[serde(default)]
    pub seed: u64,
}

fn default_night() -> Window {
    Window::hm(22, 0, 7, 0)
}

fn default_max_run() -> u8 {
    3
}

/// Weight of a placed pair by its priority (placement is weighed before anything else).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Weights {
    pub must_meet: u32,
    pub would_meet: u32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            must_meet: 3,
            would_meet: 1,
        }
    }
}

/// A buyer, a company's side or an interpreter: who, where, when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Participant {
    pub id: i64,
    /// IANA zone of home (`Europe/Moscow`). On a day spent onsite the fair's zone counts.
    pub zone: String,
    /// BCP 47 language codes (`ko`, `en`, `zh`, `ru`, `mn`, `ja`).
    pub languages: Vec<String>,
    /// Local business hours (preferred, not required). Default 09:00–18:00.
    #[serde(default = "default_business_hours")]
    pub business_hours: Window,
    /// Fair days (indices) the participant takes meetings on; `None`: every day.
    #[serde(default)]
    pub days: Option<Vec<u16>>,
    /// Slots the participant cannot take.
    #[serde(default)]
    pub blocked: Vec<u32>,
    /// Fair days (indices) the participant is in the hall; onsite meetings need both sides
    /// (and the interpreter) there. `None`: every day.
    #[serde(default)]
    pub onsite_days: Option<Vec<u16>>,
}

fn default_business_hours() -> Window {
    Window::hm(9, 0, 18, 0)
}

impl Participant {
    /// A participant with default hours, every day, no blocked slot.
    pub fn new(id: i64, zone: &str, languages: &[&str]) -> Participant {
        Participant {
            id,
            zone: zone.to_string(),
            languages: languages.iter().map(|l| l.to_string()).collect(),
            business_hours: default_business_hours(),
            days: None,
            blocked: Vec::new(),
            onsite_days: None,
        }
    }
}

/// An exporting company: its people and how many meetings it runs at once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Company {
    #[serde(flatten)]
    pub person: Participant,
    /// Meetings at the same time (staff or tables it can run). At least 1.
    pub capacity: u16,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    MustMeet,
    WouldMeet,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Onsite,
    Online,
}

/// The modes a pair accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ModeWish {
    Onsite,
    Online,
    Either,
}

impl ModeWish {
    pub fn allows(self, mode: Mode) -> bool {
        matches!(
            (self, mode),
            (ModeWish::Either, _)
                | (ModeWish::Onsite, Mode::Onsite)
                | (ModeWish::Online, Mode::Online)
        )
    }
}

/// An accepted buyer–company pair: one meeting of one slot to place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Pair {
    pub id: i64,
    pub buyer: i64,
    pub company: i64,
    pub priority: Priority,
    pub mode: ModeWish,
}

/// A count of a resource in one slot, overriding the pool's default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SlotCount {
    pub slot: u32,
    pub count: u32,
}

/// Tables in the hall or video seats: `count` in every slot unless overridden.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Pool {
    pub count: u32,
    #[serde(default)]
    pub overrides: Vec<SlotCount>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Resources {
    /// Onsite tables (numbered 0..count in each slot).
    pub tables: Pool,
    /// Online video seats (numbered 0..count in each slot).
    pub seats: Pool,
}

/// Everything the scheduler reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Input {
    pub fair: Fair,
    pub buyers: Vec<Participant>,
    pub companies: Vec<Company>,
    #[serde(default)]
    pub interpreters: Vec<Participant>,
    pub resources: Resources,
    pub pairs: Vec<Pair>,
    /// Confirmed meetings: kept where they are, they hold their people and resources.
    #[serde(default)]
    pub fixed: Vec<Placement>,
}

/// Who interprets a meeting and between which languages.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct Interpreting {
    pub interpreter: i64,
    pub buyer_language: String,
    pub company_language: String,
}

/// One placed meeting.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct Placement {
    pub pair: i64,
    pub slot: u32,
    pub mode: Mode,
    /// The table (onsite) or video seat (online) number in that slot.
    pub resource: u32,
    #[serde(default)]
    pub interpreting: Option<Interpreting>,
    /// A confirmed meeting the scheduler kept.
    #[serde(default)]
    pub fixed: bool,
}

/// A participant by kind and id, for reasons and conflicts.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Who {
    Buyer(i64),
    Company(i64),
    Interpreter(i64),
}

/// A buyer language and a company language an interpreter would bridge.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
pub struct LanguagePair {
    pub buyer: String,
    pub company: String,
}

/// How often each obstacle blocked the pair's otherwise possible slots (parameters of a
/// contested [`Reason`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Blocked {
    /// Slots (and modes) that pass the pair's availability, night and interpreter checks.
    pub candidates: u32,
    pub buyer_busy: u32,
    pub company_full: u32,
    pub run_limit: u32,
    pub tables_full: u32,
    pub seats_full: u32,
    pub interpreters_busy: u32,
}

/// Why a pair was left out: a code with parameters, localized by the client.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// A meeting's side or its pair is not in the input.
    UnknownParticipant {
        who: Who,
    },
    /// The pair accepts only onsite meetings and `who` is never in the hall when the other
    /// side is free.
    NotOnsite {
        who: Who,
    },
    /// The two sides are never free in the same slot of an accepted mode.
    NoCommonFreeSlot,
    /// They are, but only in someone's local night (`who`: the side whose night covers them
    /// all, or the buyer and then the company when both nights share it).
    NightOnlyOverlap {
        who: Vec<Who>,
    },
    /// The sides share no language and no interpreter bridges them.
    NoInterpreterForLanguages {
        buyer_languages: Vec<String>,
        company_languages: Vec<String>,
    },
    /// Interpreters for these language pairs exist, but none is available and awake in a
    /// common slot on these days.
    NoInterpreterOnDays {
        languages: Vec<LanguagePair>,
        days: Vec<u16>,
    },
    /// The company's seats are taken in most of the common slots.
    CompanyCapacityFull {
        company: i64,
        blocked: Blocked,
    },
    /// The buyer is booked in most of the common slots.
    BuyerFullyBooked {
        buyer: i64,
        blocked: Blocked,
    },
    /// A meeting would make a too long run of meetings for someone.
    RunLimit {
        max_run: u8,
        blocked: Blocked,
    },
    TablesFull {
        blocked: Blocked,
    },
    SeatsFull {
        blocked: Blocked,
    },
    InterpretersBusy {
        languages: Vec<LanguagePair>,
        blocked: Blocked,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Unplaced {
    pub pair: i64,
    pub reason: Reason,
}

/// Why a meeting cannot be at a place (a hand move refused, a confirmed meeting that no
/// longer fits).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Conflict {
    /// The input itself cannot be scheduled.
    InvalidInput {
        error: InputError,
    },
    UnknownPair {
        pair: i64,
    },
    UnknownSlot {
        slot: u32,
    },
    UnknownInterpreter {
        interpreter: i64,
    },
    UnknownParticipant {
        who: Who,
    },
    /// The pair does not accept this mode.
    ModeNotAccepted {
        mode: Mode,
    },
    /// The fair offers no slot of this mode at that time.
    SlotClosed {
        slot: u32,
        mode: Mode,
    },
    Unavailable {
        who: Who,
        slot: u32,
    },
    NotOnsite {
        who: Who,
        day: u16,
    },
    Night {
        who: Who,
        slot: u32,
    },
    BuyerBusy {
        buyer: i64,
        pair: i64,
    },
    CompanyFull {
        company: i64,
        pairs: Vec<i64>,
    },
    TablesFull {
        slot: u32,
    },
    SeatsFull {
        slot: u32,
    },
    InterpreterNeeded,
    InterpreterNotNeeded {
        interpreter: i64,
    },
    InterpreterLanguages {
        interpreter: i64,
    },
    InterpreterBusy {
        interpreter: i64,
        pair: i64,
    },
    /// `who` would have `run` meetings in a row (more than the fair's `max_run`).
    RunTooLong {
        who: Who,
        run: u32,
    },
}

/// A confirmed meeting that breaks a rule of the current input (kept all the same).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FixedIssue {
    pub pair: i64,
    pub conflicts: Vec<Conflict>,
}

/// The scheduler's answer: deterministic for an input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Schedule {
    /// Sorted by slot, then pair.
    pub placements: Vec<Placement>,
    /// Sorted by pair id order of the input.
    pub unplaced: Vec<Unplaced>,
    #[serde(default)]
    pub fixed_issues: Vec<FixedIssue>,
}

/// The input cannot be scheduled at all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum InputError {
    UnknownZone { zone: String },
    EmptyGrid,
    BadSlotMinutes { slot_minutes: u16 },
    DuplicateId { who: Who },
    DuplicatePair { pair: i64 },
    ZeroCapacity { company: i64 },
    FixedUnknownPair { pair: i64 },
    FixedUnknownParticipant { pair: i64 },
    FixedUnknownSlot { pair: i64, slot: u32 },
    FixedUnknownInterpreter { pair: i64, interpreter: i64 },
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "matchmaking input: {self:?}")
    }
}

impl std::error::Error for InputError {}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Quality {
    pub pairs: u32,
    pub placed: u32,
    /// placed / pairs.
    pub placement_rate: f64,
    /// Placed weight / all weight (the fair's priority weights).
    pub weighted_rate: f64,
    pub weighted_placed: u32,
    pub must_meet_rate: f64,
    /// Placed meetings inside both sides' local business hours.
    pub business: u32,
    pub business_share: f64,
    /// Longest run of back-to-back meetings of any person (buyer or interpreter).
    pub longest_run: u32,
    /// `longest_runs[k]`: persons with a meeting whose longest run is `k + 1` meetings.
    pub longest_runs: Vec<u32>,
    /// Pairs of back-to-back meetings, summed over buyers and interpreters.
    pub back_to_back: u32,
    /// Interpreted meetings / slots interpreters are free and awake.
    pub interpreter_utilisation: f64,
    pub interpreted: u32,
    /// Pairs left out by reason code.
    pub unplaced_by_reason: BTreeMap<String, u32>,
    pub runtime_ms: f64,
}

/// A schedule with its report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Run {
    pub schedule: Schedule,
    pub quality: Quality,
}

/// Where the organizer drops a meeting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MoveTo {
    pub slot: u32,
    pub mode: Mode,
    /// The interpreter to take; `None`: keep the current one if free, else the scheduler's
    /// pick.
    #[serde(default)]
    pub interpreter: Option<i64>,
}

// ---- REST: marks, the buyer directory, suggestions, pairs, runs ----

/// How much one side wants to meet the other.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MarkLevel {
    MustMeet,
    WouldMeet,
    /// Never matched, never scheduled.
    NoThanks,
}

impl MarkLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            MarkLevel::MustMeet => "must_meet",
            MarkLevel::WouldMeet => "would_meet",
            MarkLevel::NoThanks => "no_thanks",
        }
    }

    pub fn parse(raw: &str) -> Option<MarkLevel> {
        match raw {
            "must_meet" => Some(MarkLevel::MustMeet),
            "would_meet" => Some(MarkLevel::WouldMeet),
            "no_thanks" => Some(MarkLevel::NoThanks),
            _ => None,
        }
    }
}

/// A buyer marks a company (`company_id`), or an exhibitor marks a buyer (`buyer_id`) for
/// their own company. `level: null` takes the mark back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MarkInput {
    #[serde(default)]
    pub company_id: Option<i64>,
    #[serde(default)]
    pub buyer_id: Option<i64>,
    pub level: Option<MarkLevel>,
}

/// Which side of a pair made a mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MarkSide {
    Buyer,
    Company,
}

/// One mark, with both sides named.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Mark {
    pub buyer_id: i64,
    pub buyer_name: String,
    /// The buyer's own firm.
    pub buyer_company: Option<String>,
    pub company_id: i64,
    pub company_name: String,
    pub side: MarkSide,
    pub level: MarkLevel,
    pub updated_ms: i64,
}

/// The caller's marks and the other side's marks on the caller (for an exhibitor: on their
/// company). A no-thanks from the other side is not shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MarksView {
    pub mine: Vec<Mark>,
    pub incoming: Vec<Mark>,
}

/// An approved buyer as exhibitors see them. `email` only with the buyer's consent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BuyerCard {
    pub id: i64,
    pub name: String,
    pub buyer_company: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub timezone: String,
    pub languages: Vec<String>,
    /// Taxonomy concept ids and HS codes.
    pub interests: Vec<String>,
    pub email: Option<String>,
    /// The viewing company's mark on this buyer, and the buyer's on the viewing company.
    pub company_mark: Option<MarkLevel>,
    pub buyer_mark: Option<MarkLevel>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BuyerDirectory {
    pub buyers: Vec<BuyerCard>,
}

/// A company suggested for a buyer: the booth recommendation (score and reason line in the
/// viewer's language) plus what matchmaking adds.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Suggestion {
    #[serde(flatten)]
    pub recommendation: Recommendation,
    pub buyer_mark: Option<MarkLevel>,
    pub company_mark: Option<MarkLevel>,
    /// The company exports to the buyer's country already.
    pub exports_to_buyer_country: bool,
    /// The buyer's HS codes that head one of the company's products' HS codes.
    #[serde(default)]
    pub hs_matches: Vec<String>,
    /// The accepted pair, when there is one.
    pub pair_id: Option<i64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SuggestionList {
    pub buyer_id: i64,
    pub lang: String,
    pub suggestions: Vec<Suggestion>,
}

/// A pair the organizer accepts for scheduling.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PairInput {
    pub buyer_id: i64,
    pub company_id: i64,
    pub priority: Priority,
    #[serde(default = "either")]
    pub mode: ModeWish,
}

fn either() -> ModeWish {
    ModeWish::Either
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MatchPair {
    pub id: i64,
    pub buyer_id: i64,
    pub buyer_name: String,
    pub company_id: i64,
    pub company_name: String,
    pub priority: Priority,
    pub mode: ModeWish,
    /// The active meeting publishing placed for the pair.
    pub meeting_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PairList {
    pub pairs: Vec<MatchPair>,
}

/// Accept the best suggestions of every approved buyer as pairs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AutoPairInput {
    /// Pairs per buyer at most (mutual must-meets first). Default 3.
    #[serde(default = "three")]
    #[schema(minimum = 1, maximum = 20)]
    pub per_buyer: u16,
}

fn three() -> u16 {
    3
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AutoPairResult {
    pub added: u32,
    pub pairs: Vec<MatchPair>,
}

/// The knobs of a run; the grid, people, tables and pairs come from the fair's records.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RunInput {
    /// Most meetings in a row for a person. Default 3.
    #[serde(default)]
    #[schema(maximum = 255)]
    pub max_run: Option<u8>,
    /// Online video seats per slot. Default: one per accepted pair (no limit).
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 4294967295_i64)]
    pub online_seats: Option<u32>,
    /// Seed of the tie-breaks, 0 to 2^63 - 1. Default: a fixed one.
    #[serde(default)]
    #[schema(maximum = 9223372036854775807_i64)]
    pub seed: Option<u64>,
}

/// A slot of the run's grid: its index in the scheduler's grid and the fair's slot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RunSlot {
    pub index: u32,
    pub slot_id: i64,
    pub day: String,
    pub starts_ms: i64,
    pub ends_ms: i64,
}

/// A scheduler run as stored: its answer and quality, the grid it used, and the names of
/// everyone in it (for the review pages).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ScheduleRun {
    pub id: i64,
    pub created_ms: i64,
    pub published_ms: Option<i64>,
    pub run: Run,
    pub slots: Vec<RunSlot>,
    pub pairs: Vec<MatchPair>,
    /// Interpreters' names by id (the keys are ids written as JSON object keys).
    #[schema(value_type = BTreeMap<String, String>)]
    pub interpreters: BTreeMap<i64, String>,
}

/// The organizer moves one meeting of an unpublished run by hand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MoveInput {
    pub pair: i64,
    pub to: MoveTo,
}

/// A hand move refused (`409`): `code` is `conflict`, and `conflicts` lists every rule the
/// move would break (empty when the run itself cannot change, being published).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MoveRefused {
    pub code: crate::ErrorCode,
    pub message: String,
    pub conflicts: Vec<Conflict>,
}

/// What publishing created: one confirmed meeting per placement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublishResult {
    pub run_id: i64,
    pub meetings: Vec<i64>,
}
