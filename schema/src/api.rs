//! Request and response bodies of the REST API under `/api/v1/`.

use crate::domain::{BoothLive, Company, Hall, MediaItem, Product, Role, UserProfile, UserSummary};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

mod chat;
mod meetings;
mod monitor;
mod objects;
mod queries;
mod stage;
pub use chat::*;
pub use meetings::*;
pub use monitor::*;
pub use queries::*;
pub use stage::*;

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

/// The answer to a registration. It is the same whether or not the email already had an
/// account, so registering reveals nothing about other people's accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RegistrationReceived {
    pub email: String,
    pub name: String,
    /// Always `pending`: an organizer approves new buyers.
    pub status: crate::domain::AccountStatus,
}

/// A buyer's self-registration; the account waits for organizer approval.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RegisterBuyerRequest {
    /// Something `@` something with a dot, at most 254 characters.
    #[schema(
        max_length = 254,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*[^@\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000][^@]*@[\\s\\S]*\\."
    )]
    pub email: String,
    /// 8 to 1024 characters, at least 5 different ones, not a well-known password.
    #[schema(min_length = 8, max_length = 1024)]
    pub password: String,
    /// 1 to 200 characters, not only spaces.
    #[schema(
        max_length = 200,
        pattern = "[^\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
    )]
    pub name: String,
    /// The buyer's own firm: 1 to 200 characters, not only spaces.
    #[schema(
        max_length = 200,
        pattern = "[^\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
    )]
    pub company_name: String,
    /// ISO 3166-1 alpha-2, upper case, e.g. `RU`.
    #[schema(pattern = "^[A-Z]{2}$")]
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
    /// Something `@` something with a dot, at most 254 characters.
    #[schema(
        max_length = 254,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*[^@\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000][^@]*@[\\s\\S]*\\."
    )]
    pub email: String,
    /// 1 to 200 characters, not only spaces.
    #[schema(
        max_length = 200,
        pattern = "[^\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
    )]
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
    /// True when the server mailed the link (SMTP configured); else pass it on yourself.
    #[serde(default)]
    pub mailed: bool,
}

/// Reject a pending registration. The reason is the organizer's own text; the applicant sees
/// it on the sign-in page and in the mail, inside a sentence in their language.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RejectRequest {
    /// 1 to 1000 characters, not only spaces.
    #[schema(
        max_length = 1000,
        pattern = "[^\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
    )]
    pub reason: String,
}

/// Approve several pending registrations at once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApproveManyRequest {
    /// 1 to 500 account ids.
    #[schema(min_items = 1, max_items = 500)]
    pub ids: Vec<i64>,
}

/// The accounts approved now, and the ids that were not pending (left as they were).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApproveManyResponse {
    pub approved: Vec<UserProfile>,
    pub skipped: Vec<i64>,
}

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvitationState {
    Open,
    Accepted,
    Expired,
    Revoked,
}

/// An invitation, for organizers (the token is never shown again; resend makes a new one).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InvitationInfo {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// The language the invitation is written in.
    pub language: String,
    pub state: InvitationState,
    pub created_ms: i64,
    /// When the current link was made (creation or the last resend).
    pub sent_ms: i64,
    pub expires_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invited_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InvitationList {
    pub invitations: Vec<InvitationInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AcceptInvitationRequest {
    pub token: String,
    /// 8 to 1024 characters, at least 5 different ones, not a well-known password.
    #[schema(min_length = 8, max_length = 1024)]
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

/// A company's booth: profile, products, media, staff with their languages, and live state.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CompanyDetail {
    pub company: Company,
    #[serde(default)]
    pub hall_name: Option<String>,
    pub products: Vec<Product>,
    pub staff: Vec<StaffMember>,
    #[serde(default)]
    pub brochures: Vec<MediaItem>,
    #[serde(default)]
    pub videos: Vec<MediaItem>,
    pub live: BoothLive,
    /// Languages the booth's texts exist in.
    #[serde(default)]
    pub languages: Vec<String>,
}

/// A staff member as visitors see them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StaffMember {
    pub user: UserSummary,
    pub languages: Vec<String>,
    pub company_admin: bool,
}

/// One booth in the lobby's results.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BoothSummary {
    pub company: Company,
    #[serde(default)]
    pub hall_name: Option<String>,
    pub product_count: i64,
    /// Every language some staff member of the booth speaks.
    pub staff_languages: Vec<String>,
    pub visitors_now: i64,
    pub staffed_now: bool,
    /// In search results: the booth's products the query found (by the concepts,
    /// certifications or HS headings it names), named in the viewer's language.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matched_products: Vec<MatchedProduct>,
}

/// A product a search found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MatchedProduct {
    pub id: i64,
    pub name: String,
}

/// The product taxonomy in one language (`GET /api/v1/taxonomy`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TaxonomyView {
    pub lang: String,
    pub concepts: Vec<TaxonomyConcept>,
    /// Certification schemes search recognizes.
    pub certifications: Vec<String>,
}

/// One concept of the product taxonomy.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TaxonomyConcept {
    pub id: String,
    #[serde(default)]
    pub parent: Option<String>,
    /// Its name in the language asked for.
    pub label: String,
    /// Its HS heading prefixes.
    pub hs: Vec<String>,
}

/// A page of lobby results.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BoothPage {
    pub booths: Vec<BoothSummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// A product taxonomy concept, named in the viewer's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConceptLabel {
    /// The concept's id (`kimchi`, `auto-parts`; see `schema/data/taxonomy.json`).
    pub id: String,
    /// Its name in the language asked for, from the taxonomy.
    pub label: String,
}

/// Why a booth is recommended: data the client words in the viewer's language (one line:
/// "makes cosmetics; staff speak Russian; staffed now").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecommendationReason {
    /// What the buyer is looking for that the booth makes, labelled from the taxonomy.
    pub makes: Vec<ConceptLabel>,
    /// Languages (BCP 47 codes) the buyer speaks that some staff member of the booth speaks.
    pub staff_speak: Vec<String>,
    /// Staff are on duty now.
    pub staffed_now: bool,
}

/// A booth worth visiting, and why.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Recommendation {
    pub booth: BoothSummary,
    pub score: i64,
    pub reason: RecommendationReason,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecommendationList {
    /// The language the booth texts and concept labels are in.
    pub lang: String,
    pub recommendations: Vec<Recommendation>,
}

/// Create or edit a hall (organizers).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HallInput {
    /// 1 to 60 letters, digits and dashes (kept in lower case).
    #[schema(
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*[A-Za-z0-9-]{1,60}[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub slug: String,
    /// 1 to 120 characters, not only spaces.
    #[schema(
        max_length = 120,
        pattern = "[^\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
    )]
    pub name: String,
    /// 1 to 60 characters, not only spaces.
    #[schema(
        max_length = 60,
        pattern = "[^\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
    )]
    pub industry: String,
    #[serde(default)]
    pub position: i64,
}

/// Texts of a booth in one language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CompanyText {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub tagline: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// Create (organizers) or edit (organizers and the company's staff) a company's booth. The
/// base texts are the default (English); `texts` adds or replaces other languages.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CompanyInput {
    /// 1 to 40 characters, not only spaces.
    #[schema(
        max_length = 40,
        pattern = "[^\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
    )]
    pub reg_no: String,
    /// 1 to 120 characters, not only spaces.
    #[schema(
        max_length = 120,
        pattern = "[^\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
    )]
    pub name: String,
    #[serde(default)]
    pub hall_id: Option<i64>,
    /// ISO 3166-1 alpha-2, upper case, e.g. `KR`.
    #[schema(pattern = "^[A-Z]{2}$")]
    pub country: String,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub tagline: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    /// 1800 to 2100.
    #[serde(default)]
    #[schema(minimum = 1800, maximum = 2100)]
    pub founded_year: Option<i64>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub export_countries: Vec<String>,
    /// Texts in other languages, by language code.
    #[serde(default, deserialize_with = "objects::map")]
    #[schema(schema_with = company_texts)]
    pub texts: BTreeMap<String, CompanyText>,
}

/// Texts of a product in one language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProductText {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// Create or edit a product.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProductInput {
    pub name: String,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// At least 4 digits, optionally with dots (e.g. `3304.99`), at most 12 characters.
    #[serde(default)]
    #[schema(
        max_length = 12,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$|^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*(\\.*[0-9]){4}[0-9.]*[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub hs_code: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub min_order: Option<String>,
    #[serde(default)]
    pub price_range: Option<String>,
    #[serde(default)]
    pub certifications: Vec<String>,
    /// Texts in other languages, by language code.
    #[serde(default, deserialize_with = "objects::map")]
    #[schema(schema_with = product_texts)]
    pub texts: BTreeMap<String, ProductText>,
}

/// A video hosted elsewhere.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VideoLinkInput {
    /// 1 to 200 characters, not only spaces.
    #[schema(
        max_length = 200,
        pattern = "[^\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
    )]
    pub title: String,
    /// An `https://` address without spaces, at most 500 characters.
    #[schema(
        max_length = 500,
        pattern = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*https://[^\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$"
    )]
    pub url: String,
}

/// Something a visitor opened in a booth.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OpenedItem {
    pub kind: String,
    pub item_id: i64,
    pub title: String,
    pub opened_ms: i64,
}

/// A buyer who visited, as the exhibitor sees them (only with the buyer's consent).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Lead {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub company_name: Option<String>,
    pub country: Option<String>,
    pub interests: Vec<String>,
    pub languages: Vec<String>,
    pub visits: i64,
    pub first_visit_ms: i64,
    pub last_visit_ms: i64,
    /// Total time inside, over every finished visit (and open visits up to now).
    pub dwell_ms: i64,
    pub opened: Vec<OpenedItem>,
    /// The quote and sample requests this buyer sent the company, oldest first (each given
    /// with consent to share the contact; a buyer who only sent requests is a lead with no
    /// visits, their first and last request's times as `first_visit_ms` and `last_visit_ms`).
    #[serde(default)]
    pub quote_requests: Vec<crate::QuoteRequest>,
    /// The company's own follow-up (its staff only; blank, `new`, for organizers). Its
    /// fields sit beside the others on the wire.
    #[serde(flatten)]
    pub follow: LeadFollowUp,
}

fn followup_new() -> String {
    "new".to_string()
}

/// The follow-up states of a lead, in their usual order.
pub const LEAD_FOLLOWUPS: [&str; 5] = ["new", "contacted", "meeting", "won", "lost"];

/// What a company's staff keep about one lead: the body of
/// `PUT /api/v1/companies/{id}/leads/{user_id}` (the whole record, replaced) and part of each
/// [`Lead`] they read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LeadFollowUp {
    /// At most 4,000 characters.
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub notes: String,
    /// 1 to 5 stars, or none.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 5)]
    pub rating: Option<i64>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Where the follow-up stands: `new`, `contacted`, `meeting`, `won` or `lost`.
    #[serde(default = "followup_new")]
    #[schema(pattern = "^(new|contacted|meeting|won|lost)$")]
    pub followup: String,
}

impl Default for LeadFollowUp {
    fn default() -> Self {
        LeadFollowUp {
            notes: String::new(),
            rating: None,
            tags: vec![],
            followup: followup_new(),
        }
    }
}

/// A booth's leads, plus counts for the visitors who did not share their contact.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LeadReport {
    pub company_id: i64,
    pub leads: Vec<Lead>,
    pub anonymous_visitors: i64,
    pub anonymous_visits: i64,
    pub total_visits: i64,
    /// Per show the company's products were asked about, or a meeting with it was booked
    /// from: its quote requests, sample requests and meetings booked.
    #[serde(default)]
    pub shows: Vec<ShowCommerce>,
}

/// One refused row of an import file.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImportRowError {
    /// 1-based row number in the file, the header being row 1.
    pub row: usize,
    #[serde(default)]
    pub column: Option<String>,
    /// An English sentence, for people reading the JSON.
    pub message: String,
    /// For clients to word the finding in their language (`import.bad_timezone` ...), with
    /// its `params`; absent on the older checks, whose `message` is all there is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
}

/// What an import did, or (dry run, or any bad row) would do.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImportReport {
    pub kind: String,
    pub dry_run: bool,
    /// True when the data were written (not a dry run, and no bad rows).
    pub applied: bool,
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub invitations: usize,
    /// The invitations made by this import, each shown once: send every invitee their link.
    #[serde(default)]
    pub invitation_links: Vec<InvitationLink>,
    /// True when the invitations were also mailed (SMTP configured).
    #[serde(default)]
    pub mailed: bool,
    pub errors: Vec<ImportRowError>,
}

/// One invitation made by an import.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InvitationLink {
    pub email: String,
    pub name: String,
    pub token: String,
    /// The web page that accepts it.
    pub accept_path: String,
    /// The language the invitation is written in (the invitee's first of the fair's six).
    #[serde(default)]
    pub language: String,
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
    /// Redis answers (always true in process) and the bus subscription is up.
    pub engine_ok: bool,
    /// This node hears the other nodes: its bus subscription is up.
    pub bus_subscribed: bool,
    /// Background tasks that stopped and wait to be restarted (none when healthy).
    pub tasks_down: Vec<String>,
}

/// A taxonomy file (`schema/data/taxonomy.json`, or a fair's extension of it): concepts with
/// their terms per language and HS headings, and certifications.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct TaxonomyFile {
    #[serde(default, deserialize_with = "objects::list")]
    pub concepts: Vec<TaxonomyConceptDef>,
    #[serde(default, deserialize_with = "objects::list")]
    pub certifications: Vec<TaxonomyCertDef>,
}

/// One concept of a taxonomy file.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TaxonomyConceptDef {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// HS headings (4 or 6 digits) whose products are tagged with this concept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hs: Vec<String>,
    /// When given, text mentions tag only products under these HS headings (a "tea set" of
    /// porcelain is not tea).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub text_hs: Vec<String>,
    /// Terms per language code (`ko`, `en`, `zh`, `ru`, `mn`, `ja`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub terms: BTreeMap<String, Vec<String>>,
}

/// One certification of a taxonomy file, with the terms that name it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TaxonomyCertDef {
    pub id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub terms: Vec<String>,
}

/// The schema of a `texts` map: one entry per language of [`crate::LANGUAGES`], no other key.
fn texts_schema(item: &str) -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder};
    let mut object = ObjectBuilder::new();
    for lang in crate::LANGUAGES {
        object = object.property(*lang, utoipa::openapi::Ref::from_schema_name(item));
    }
    object
        .additional_properties(Some(AdditionalProperties::FreeForm(false)))
        .build()
}

fn company_texts() -> utoipa::openapi::Object {
    texts_schema("CompanyText")
}

fn product_texts() -> utoipa::openapi::Object {
    texts_schema("ProductText")
}
