//! The query strings of REST routes: read by the server (`Query<T>`, documented with
//! `IntoParams`) and written by clients (every absent field left out).

use crate::domain::Role;
use serde::{Deserialize, Serialize};

/// `GET /api/v1/booths`: the lobby's search; every field optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::IntoParams)]
pub struct BoothQuery {
    /// Free text over companies and products, in every language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hall_id: Option<i64>,
    /// A category tag of the company or one of its products.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// The company's country (ISO 3166-1 alpha-2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// A language some staff member speaks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff_lang: Option<String>,
    /// Only booths with staff on duty now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staffed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_page: Option<i64>,
    /// Texts in this language where the booth has them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

/// `GET /api/v1/companies`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::IntoParams)]
pub struct CompanyFilter {
    /// Only companies in this hall.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hall_id: Option<i64>,
    /// Texts in this language where the booth has them (`en`, `ko`, `zh`, `ru`, `mn`, `ja`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

/// The viewer's language, where a route answers in one.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::IntoParams)]
pub struct LangQuery {
    /// Texts in this language where the booth has them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

/// `POST /api/v1/companies/{id}/media`: what the uploaded file is.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::IntoParams)]
pub struct UploadQuery {
    /// `logo`, `photo` (needs `product_id`), `brochure` or `video`.
    #[param(pattern = "^(logo|photo|brochure|video)$")]
    pub kind: String,
    /// Shown to visitors; defaults to the file name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The uploader's file name: shown only, never used as a path.
    pub file_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_id: Option<i64>,
}

/// `POST /api/v1/import/{kind}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::IntoParams)]
pub struct ImportQuery {
    /// Check every row and count what would change, but write nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// `GET /api/v1/users`; every field optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::IntoParams)]
pub struct UserFilter {
    /// Only this role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Only this status (`pending` lists buyers waiting for approval).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Words found in the name, email or company (case-insensitive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
}

/// `GET /api/v1/meetings/slots`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::IntoParams)]
pub struct DayQuery {
    /// Only this fair day (`YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day: Option<String>,
}

/// `GET /api/v1/companies/{id}/talk-requests`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::IntoParams)]
pub struct TalkFilter {
    /// `open`, `accepted`, `missed` or `cancelled`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// `POST /api/v1/chat/rooms/{id}/attachments`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::IntoParams)]
pub struct AttachmentQuery {
    /// The uploader's file name: shown only, never used as a path.
    pub file_name: String,
}

/// `GET /api/v1/match/suggestions`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::IntoParams)]
pub struct SuggestionQuery {
    /// The buyer (organizers); a buyer always gets their own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buyer_id: Option<i64>,
    /// The viewer's language for the reason line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

/// The span of a report: `GET /api/v1/reports…` and `/companies/{id}/stats`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::IntoParams)]
pub struct RangeQuery {
    /// Start: UTC milliseconds, or a fair day `YYYY-MM-DD` (from its midnight, fair time).
    #[param(pattern = "^(-?[0-9]{1,18}|[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8]))?$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// End (exclusive): UTC milliseconds, or a fair day `YYYY-MM-DD` (to its end).
    #[param(pattern = "^(-?[0-9]{1,18}|[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8]))?$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Width of the concurrency curve's buckets (default 15).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket_minutes: Option<i64>,
}
