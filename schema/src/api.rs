//! Request and response bodies of the REST API under `/api/v1/`.

use crate::domain::{Company, Hall, Product, Role, UserProfile, UserSummary};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// A fresh session. Send `token` as `Authorization: Bearer <token>`, or rely on the
/// `expo_session` cookie that the same response sets for browsers.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LoginResponse {
    pub token: String,
    pub expires_ms: i64,
    pub user: UserProfile,
}

/// A buyer's self-registration; the account waits for organizer approval.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RegisterBuyerRequest {
    pub email: String,
    pub password: String,
    pub name: String,
    /// The buyer's own firm.
    pub company_name: String,
    /// ISO 3166-1 alpha-2, e.g. `RU`.
    pub country: String,
    /// IANA time zone, e.g. `Asia/Vladivostok`.
    pub timezone: String,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub interests: Vec<String>,
    /// Consent to share contact details with the exhibitors the buyer visits.
    #[serde(default)]
    pub share_contact: bool,
}

/// An invitation for exhibitor staff (to a company) or an interpreter.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InviteRequest {
    pub email: String,
    pub name: String,
    /// `exhibitor` or `interpreter`.
    pub role: Role,
    /// Required for exhibitor staff.
    #[serde(default)]
    pub company_id: Option<i64>,
    /// Make this staff member the company's admin (organizers only).
    #[serde(default)]
    pub company_admin: bool,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub timezone: Option<String>,
}

/// The one-time token that lets the invitee set a password. It is shown once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InviteResponse {
    pub invitation_id: i64,
    pub token: String,
    pub expires_ms: i64,
    /// The path of the web page that accepts it.
    pub accept_path: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AcceptInvitationRequest {
    pub token: String,
    pub password: String,
}

/// A page of users, for organizers.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UserList {
    pub users: Vec<UserProfile>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HallList {
    pub halls: Vec<Hall>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CompanyList {
    pub companies: Vec<Company>,
}

/// A company with its products and on-site staff.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CompanyDetail {
    pub company: Company,
    pub products: Vec<Product>,
    pub staff: Vec<UserSummary>,
}

/// Counts that show the fair is alive.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FairSummary {
    pub name: String,
    pub halls: i64,
    pub companies: i64,
    pub products: i64,
    pub buyers: i64,
    pub interpreters: i64,
    pub buyer_countries: i64,
}

/// `/readyz` body: each dependency and whether it answered.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Readiness {
    pub ready: bool,
    pub store: String,
    pub store_ok: bool,
    pub engine: String,
    pub engine_ok: bool,
}
