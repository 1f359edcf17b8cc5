//! The live stage (issue 14): stages, their shows, where an encoder publishes, and the
//! media server's publish callbacks. Video never passes through Expo Hub: viewers play the
//! show's HLS from the media server (or its external stream).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// What a stage is: the fair's main stage, or a smaller studio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    Main,
    Studio,
}

impl StageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StageKind::Main => "main",
            StageKind::Studio => "studio",
        }
    }

    pub fn parse(value: &str) -> Option<StageKind> {
        match value {
            "main" => Some(StageKind::Main),
            "studio" => Some(StageKind::Studio),
            _ => None,
        }
    }
}

/// Where a show stands: `scheduled` until its encoder starts publishing (or the organizer
/// marks an external show live), `live` while it publishes, `ended` after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ShowState {
    Scheduled,
    Live,
    Ended,
}

impl ShowState {
    pub fn as_str(self) -> &'static str {
        match self {
            ShowState::Scheduled => "scheduled",
            ShowState::Live => "live",
            ShowState::Ended => "ended",
        }
    }

    pub fn parse(value: &str) -> Option<ShowState> {
        match value {
            "scheduled" => Some(ShowState::Scheduled),
            "live" => Some(ShowState::Live),
            "ended" => Some(ShowState::Ended),
            _ => None,
        }
    }
}

/// Create or edit a stage (organizers).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StageInput {
    /// Lower-case letters, digits and dashes, 1 to 40, starting with a letter or digit.
    #[schema(pattern = "^[a-z0-9][a-z0-9-]{0,39}$")]
    pub slug: String,
    /// 1 to 200 characters, not only spaces.
    #[schema(
        max_length = 200,
        pattern = "[^\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
    )]
    pub name: String,
    pub kind: StageKind,
    /// Order in the lobby, smallest first (0 to 9999).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 9999)]
    pub position: i64,
}

/// A stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Stage {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub kind: StageKind,
    pub position: i64,
}

/// A show's texts in one language (a translation of the base-language title and
/// description).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ShowText {
    /// At most 200 characters.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub title: Option<String>,
    /// At most 4000 characters.
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub description: Option<String>,
}

/// Schedule or edit a show (organizers).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ShowInput {
    pub stage_id: i64,
    /// The title in the fair's base language: 1 to 200 characters, not only spaces.
    #[schema(
        max_length = 200,
        pattern = "[^\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
    )]
    pub title: String,
    /// The description in the base language, at most 4000 characters.
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub description: String,
    /// Translations by language code (`ko`, `zh`, `ru`, `mn`, `ja`; `en` overrides the base).
    #[serde(default, deserialize_with = "super::objects::map")]
    #[schema(schema_with = show_texts)]
    pub texts: BTreeMap<String, ShowText>,
    /// The exhibitor hosting the show: its staff may read the stream key.
    #[serde(default)]
    pub host_company_id: Option<i64>,
    /// When the show starts, UTC milliseconds (the client shows it in the viewer's zone).
    #[schema(minimum = 0, maximum = 4102444800000i64)]
    pub starts_ms: i64,
    /// How long it is scheduled for, 1 to 1440 minutes.
    #[schema(minimum = 1, maximum = 1440)]
    pub duration_minutes: i64,
    /// Products shown on stage, at most 20, each a product of the fair.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub featured_product_ids: Vec<i64>,
    /// A stream hosted elsewhere (an `https://` HLS or embed address, at most 500
    /// characters, no spaces). Such a show has no stream key: the organizer marks it live
    /// and ended by hand.
    #[serde(default)]
    #[schema(
        max_length = 500,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*https://[^\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub external_url: Option<String>,
}

fn show_texts() -> utoipa::openapi::Object {
    super::texts_schema("ShowText")
}

/// A show, its texts in the viewer's language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Show {
    pub id: i64,
    pub stage_id: i64,
    /// The title in the language asked for, or the base language's.
    pub title: String,
    pub description: String,
    /// Every translation, for editing.
    #[schema(schema_with = show_texts)]
    pub texts: BTreeMap<String, ShowText>,
    pub host_company_id: Option<i64>,
    pub host_company_name: Option<String>,
    pub starts_ms: i64,
    pub ends_ms: i64,
    pub featured_product_ids: Vec<i64>,
    pub state: ShowState,
    pub live_since_ms: Option<i64>,
    pub ended_ms: Option<i64>,
    /// Where viewers play the show: the media server's HLS playlist
    /// (`{EXPO_STAGE_HLS_BASE}/show-{id}.m3u8`), or `null` for an external show.
    pub hls_url: Option<String>,
    /// The external stream, for a show hosted elsewhere.
    pub external_url: Option<String>,
    /// Viewers in the show's room now, over every node.
    pub viewers: u64,
    /// The most viewers the show has had at once, and when (sampled every second).
    #[serde(default)]
    pub peak_viewers: u64,
    #[serde(default)]
    pub peak_ms: Option<i64>,
    /// The product the host has pinned for every viewer now, if any.
    #[serde(default)]
    pub pinned_product_id: Option<i64>,
    /// That product in the viewer's language (`GET /shows/{id}` only; lists leave it out).
    #[serde(default)]
    pub pinned_product: Option<PinnedProduct>,
    /// The show's recording (MP4, `{EXPO_STAGE_REPLAY_BASE}/{file}`), once the media server
    /// has written it after the show: the replay.
    #[serde(default)]
    pub replay_url: Option<String>,
    /// The moment the recording's first frame went out (UTC ms): video time `t` seconds is
    /// `recording_ms + 1000 t`, where the replay shows the chat and the pins of that moment.
    #[serde(default)]
    pub recording_ms: Option<i64>,
}

/// A pinned product's card, in the viewer's language: what a viewer needs to visit the
/// booth, ask for a quote or book a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PinnedProduct {
    pub id: i64,
    pub company_id: i64,
    pub company_name: String,
    pub name: String,
    pub description: Option<String>,
    /// As the exhibitor states it ("500 boxes").
    pub min_order: Option<String>,
    /// As the exhibitor states it ("USD 3-5 FOB Busan").
    pub price_range: Option<String>,
}

/// A stage in the lobby: the show live on it now, the next one scheduled, and its latest
/// show with a replay (an ended show whose recording plays with its chat).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StageNow {
    pub stage: Stage,
    pub live: Option<Show>,
    pub next: Option<Show>,
    #[serde(default)]
    pub replay: Option<Show>,
}

/// `GET /api/v1/stages`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StageList {
    pub stages: Vec<StageNow>,
}

/// Every show of a stage, by start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ShowList {
    pub shows: Vec<Show>,
}

/// Where the studio's encoder publishes a show (organizers and the host's staff only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Ingest {
    pub show_id: i64,
    /// The media server's RTMP application, e.g. `rtmp://stage.example:1935/live`.
    pub rtmp_url: String,
    /// The secret stream key: the stream name the encoder publishes under.
    pub stream_key: String,
    /// `rtmp_url/stream_key`, for encoders that take one address.
    pub publish_url: String,
}

/// What nginx-rtmp's `on_publish`, `on_publish_done` and `on_record_done` send
/// (form-encoded); only `name` (the stream name: the stream key, or `show-{id}` once
/// renamed) and, for a recording, `path` matter to Expo Hub.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct RtmpCallback {
    /// The stream name the encoder published under.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub name: String,
    /// `publish` or `publish_done`.
    #[serde(default)]
    pub call: Option<String>,
    #[serde(default)]
    pub app: Option<String>,
    /// `on_record_done`: the recording's path on the media server (its file name is kept).
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub path: Option<String>,
}

/// The shared secret the media server's callbacks carry in their query.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::IntoParams)]
pub struct CallbackQuery {
    /// `EXPO_STAGE_CALLBACK_SECRET`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// Pin a product for every viewer of a show, or take the pin down (`product_id` null).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PinInput {
    /// One of the host company's products, or a product featured in the show.
    #[serde(default)]
    pub product_id: Option<i64>,
}

/// Who may write in a show's chat and ask questions (everyone may read).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ChatMode {
    /// Everyone signed in.
    #[default]
    Open,
    /// Approved buyers, the host's staff and organizers.
    Buyers,
    /// The host's followers: buyers who marked the host company in matchmaking; and the
    /// host's staff and organizers.
    Followers,
}

impl ChatMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ChatMode::Open => "open",
            ChatMode::Buyers => "buyers",
            ChatMode::Followers => "followers",
        }
    }

    pub fn parse(s: &str) -> Option<ChatMode> {
        match s {
            "open" => Some(ChatMode::Open),
            "buyers" => Some(ChatMode::Buyers),
            "followers" => Some(ChatMode::Followers),
            _ => None,
        }
    }
}

/// A show's chat rules, as its moderators set them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ShowChatInput {
    /// Slow mode: the seconds each viewer waits between messages, 0 to 600 (0: off).
    /// The host's staff and organizers are exempt.
    #[schema(minimum = 0, maximum = 600)]
    pub slow_mode_s: i64,
    /// Who may write; left out, it stays as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<ChatMode>,
}

/// A show's chat room and its rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ShowChat {
    pub show_id: i64,
    /// The chat room (`chat_join` it; its hub room is `chat:{room_id}`).
    pub room_id: i64,
    pub slow_mode_s: i64,
    #[serde(default)]
    pub mode: ChatMode,
}

/// A viewer's question to the host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, JsonSchema)]
pub struct ShowQuestion {
    pub id: i64,
    pub show_id: i64,
    pub asker: crate::UserSummary,
    pub body: String,
    pub created_ms: i64,
    pub votes: i64,
    /// Whether the reader has upvoted it.
    #[serde(default)]
    pub voted: bool,
    #[serde(default)]
    pub answered: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct QuestionInput {
    /// 1 to 500 characters.
    #[schema(min_length = 1, max_length = 500)]
    pub body: String,
}

/// A show's questions, most upvoted first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct QuestionList {
    pub questions: Vec<ShowQuestion>,
}

/// A poll of a show, with its results so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, JsonSchema)]
pub struct ShowPoll {
    pub id: i64,
    pub show_id: i64,
    pub question: String,
    pub options: Vec<String>,
    /// Votes per option, in the options' order.
    pub counts: Vec<i64>,
    pub closed: bool,
    pub created_ms: i64,
    /// The reader's vote (an option's index), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub my_vote: Option<i64>,
}

/// A new poll: a question and 2 to 6 options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PollInput {
    #[schema(min_length = 1, max_length = 200)]
    pub question: String,
    #[schema(min_items = 2, max_items = 6)]
    pub options: Vec<String>,
}

/// A vote: the option's index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PollVote {
    #[schema(minimum = 0, maximum = 5)]
    pub option: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PollList {
    pub polls: Vec<ShowPoll>,
}

/// A pin (or, with `product_id` null, its taking down) at a moment of a show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ShowPin {
    pub show_id: i64,
    pub product_id: Option<i64>,
    /// When it was made, UTC milliseconds (a replay shows it at this moment of the video).
    pub at_ms: i64,
    /// The product's name in the viewer's language (`GET /shows/{id}/pins?lang=`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
}

/// `GET /api/v1/shows/{id}/pins`: every pin of a show, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ShowPinList {
    pub pins: Vec<ShowPin>,
}

/// `POST /api/v1/products/{id}/quote-requests` (buyers): ask the product's company for a
/// quote or a sample, from a show or the booth page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct QuoteRequestInput {
    pub kind: crate::QuoteKind,
    /// How much, as the buyer puts it ("2 pallets"): at most 100 characters.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub quantity: Option<String>,
    /// At most 2,000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub message: Option<String>,
    /// The show the request comes from (it must exist, and the product be its host's or
    /// featured in it); none from the booth page.
    #[serde(default)]
    pub show_id: Option<i64>,
    /// The buyer agrees that the exhibitor gets their contact details (name, company,
    /// country, email). Required: `false` is refused with 422.
    pub consent: bool,
}

/// `GET /api/v1/companies/{id}/quote-requests`: the company's quote and sample requests,
/// newest first, each with the buyer's contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct QuoteRequestList {
    pub requests: Vec<crate::QuoteRequest>,
}

/// What a show brought in: quote and sample requests sent from it, and meetings requested
/// from it through the booking flow (whatever became of them). `GET /shows/{id}/commerce`
/// counts them for every company; a lead report counts the company's own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ShowCommerce {
    pub show_id: i64,
    pub quote_requests: i64,
    pub sample_requests: i64,
    pub meetings_booked: i64,
}
