//! Leads: the buyers who visited a booth, for its staff and organizers, and their CSV export.
//!
//! A buyer appears by name only with the consent they gave at registration
//! (`share_contact`); every other buyer visit is counted, anonymously. Other roles
//! (organizers, interpreters, other exhibitors) visiting are neither.
//!
//! A buyer who asked for a quote or a sample (`quote_requests`, with consent to share their
//! contact with this company) is a lead too, with their requests; the report counts what
//! each show brought the company (`shows`).
//!
//! The company's staff keep notes, a rating, tags and a follow-up state per lead
//! (`lead_notes`). They are the company's own working notes: organizers see the leads
//! without them.

use super::require_editor;
use crate::auth::Caller;
use crate::error::Path;
use crate::error::{ApiError, ApiResult, JsonBody};
use crate::http::guard::csv_cell;
use crate::store::json::{decode_list, encode_list};
use crate::store::now_ms;
use crate::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use expo_schema::api::{Lead, LeadFollowUp, LeadReport, OpenedItem, LEAD_FOLLOWUPS};
use expo_schema::{ErrorBody, Role};
use sqlx::Row;
use std::collections::{BTreeMap, HashMap, HashSet};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(leads))
        .routes(routes!(leads_csv))
        .routes(routes!(annotate))
}

/// Whether this caller is one of the company's own staff (who alone see and keep notes).
fn own_staff(caller: &Caller, company_id: i64) -> bool {
    caller.user.role == Role::Exhibitor && caller.user.company_id == Some(company_id)
}

/// How much a lead's notes may hold.
const MAX_NOTES_CHARS: usize = 4000;
const MAX_TAGS: usize = 12;
const MAX_TAG_CHARS: usize = 40;

/// Checks and tidies a lead note: trimmed notes and tags, no empty or repeated tag.
fn clean_note(mut input: LeadFollowUp) -> ApiResult<LeadFollowUp> {
    input.notes = input.notes.trim().to_string();
    if input.notes.chars().count() > MAX_NOTES_CHARS {
        return Err(ApiError::validation(format!(
            "notes may hold at most {MAX_NOTES_CHARS} characters"
        )));
    }
    if input.rating.is_some_and(|r| !(1..=5).contains(&r)) {
        return Err(ApiError::validation("a rating is 1 to 5 stars"));
    }
    if !LEAD_FOLLOWUPS.contains(&input.followup.as_str()) {
        return Err(ApiError::validation(
            "followup is new, contacted, meeting, won or lost",
        ));
    }
    let mut tags: Vec<String> = Vec::new();
    for tag in &input.tags {
        let tag = tag.trim();
        if tag.is_empty() || tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
            continue;
        }
        if tag.chars().count() > MAX_TAG_CHARS {
            return Err(ApiError::validation(format!(
                "a tag may have at most {MAX_TAG_CHARS} characters"
            )));
        }
        tags.push(tag.to_string());
    }
    if tags.len() > MAX_TAGS {
        return Err(ApiError::validation(format!(
            "at most {MAX_TAGS} tags per lead"
        )));
    }
    input.tags = tags;
    Ok(input)
}

/// Keeps the company's notes, rating, tags and follow-up state for one lead (the company's
/// own staff only, and only for a buyer who shared their contact with this booth's visit).
#[utoipa::path(put, path = "/api/v1/companies/{id}/leads/{user_id}", tag = "booths",
    request_body = LeadFollowUp,
    params(("id" = i64, Path, description = "company id"), ("user_id" = i64, Path, description = "the lead's user id")),
    responses((status = 200, body = Lead), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn annotate(
    State(state): State<AppState>,
    caller: Caller,
    Path((company_id, user_id)): Path<(i64, i64)>,
    JsonBody(input): JsonBody<LeadFollowUp>,
) -> ApiResult<Json<Lead>> {
    if !own_staff(&caller, company_id) {
        return Err(ApiError::forbidden(
            "only the company's own staff keep notes on its leads",
        ));
    }
    let input = clean_note(input)?;
    let report = report(&state, company_id).await?;
    if !report.leads.iter().any(|l| l.user_id == user_id) {
        return Err(ApiError::not_found("no such lead for this booth"));
    }
    sqlx::query(
        "insert into lead_notes (company_id, user_id, notes, rating, tags, followup, updated_ms, updated_by) \
         values ($1, $2, $3, $4, $5, $6, $7, $8) \
         on conflict (company_id, user_id) do update set notes = excluded.notes, \
         rating = excluded.rating, tags = excluded.tags, followup = excluded.followup, \
         updated_ms = excluded.updated_ms, updated_by = excluded.updated_by",
    )
    .bind(company_id)
    .bind(user_id)
    .bind(&input.notes)
    .bind(input.rating)
    .bind(encode_list(&input.tags))
    .bind(&input.followup)
    .bind(now_ms())
    .bind(caller.user.id)
    .execute(state.store.pool())
    .await?;
    let lead = report
        .leads
        .into_iter()
        .find(|l| l.user_id == user_id)
        .map(|lead| Lead {
            follow: input,
            ..lead
        })
        .ok_or_else(|| ApiError::not_found("no such lead for this booth"))?;
    Ok(Json(lead))
}

/// Fills in the company's notes on each lead.
async fn with_notes(state: &AppState, mut report: LeadReport) -> ApiResult<LeadReport> {
    let rows = sqlx::query(
        "select user_id, notes, rating, tags, followup from lead_notes where company_id = $1",
    )
    .bind(report.company_id)
    .fetch_all(state.store.pool())
    .await?;
    let mut notes: HashMap<i64, sqlx::any::AnyRow> = HashMap::new();
    for row in rows {
        notes.insert(row.try_get("user_id")?, row);
    }
    for lead in &mut report.leads {
        if let Some(row) = notes.get(&lead.user_id) {
            lead.follow = LeadFollowUp {
                notes: row.try_get("notes")?,
                rating: row.try_get("rating")?,
                tags: decode_list(&row.try_get::<String, _>("tags")?),
                followup: row.try_get("followup")?,
            };
        }
    }
    Ok(report)
}

/// The report as this caller may see it: with the notes for the company's own staff.
async fn report_for(state: &AppState, caller: &Caller, company_id: i64) -> ApiResult<LeadReport> {
    let report = report(state, company_id).await?;
    if own_staff(caller, company_id) {
        with_notes(state, report).await
    } else {
        Ok(report)
    }
}

/// Builds a booth's lead report from its visit records.
pub async fn report(state: &AppState, company_id: i64) -> ApiResult<LeadReport> {
    let pool = state.store.pool();
    let visits = sqlx::query(
        "select v.id, v.user_id, v.entered_ms, v.left_ms, u.name, u.email, u.buyer_company, \
         u.country, u.interests, u.languages, u.share_contact \
         from booth_visits v join users u on u.id = v.user_id \
         where v.company_id = $1 and u.role = 'buyer' order by v.entered_ms, v.id",
    )
    .bind(company_id)
    .fetch_all(pool)
    .await?;
    let opens = sqlx::query(
        "select o.visit_id, o.kind, o.item_id, o.opened_ms from visit_opens o \
         join booth_visits v on v.id = o.visit_id where v.company_id = $1 order by o.opened_ms, o.id",
    )
    .bind(company_id)
    .fetch_all(pool)
    .await?;
    let mut titles: HashMap<(String, i64), String> = HashMap::new();
    for row in sqlx::query("select id, name from products where company_id = $1")
        .bind(company_id)
        .fetch_all(pool)
        .await?
    {
        titles.insert(("product".into(), row.try_get("id")?), row.try_get("name")?);
    }
    for row in sqlx::query("select id, kind, title from media where company_id = $1")
        .bind(company_id)
        .fetch_all(pool)
        .await?
    {
        titles.insert(
            (row.try_get("kind")?, row.try_get("id")?),
            row.try_get("title")?,
        );
    }
    let mut opened_by_visit: HashMap<i64, Vec<OpenedItem>> = HashMap::new();
    for row in opens {
        let kind: String = row.try_get("kind")?;
        let item_id: i64 = row.try_get("item_id")?;
        let title = titles
            .get(&(kind.clone(), item_id))
            .cloned()
            .unwrap_or_else(|| format!("{kind} {item_id} (removed)"));
        opened_by_visit
            .entry(row.try_get("visit_id")?)
            .or_default()
            .push(OpenedItem {
                kind,
                item_id,
                title,
                opened_ms: row.try_get("opened_ms")?,
            });
    }
    let now = now_ms();
    let mut leads: BTreeMap<i64, Lead> = BTreeMap::new();
    let mut anonymous_visitors = HashSet::new();
    let mut anonymous_visits = 0;
    let total_visits = visits.len() as i64;
    for row in visits {
        let user_id: i64 = row.try_get("user_id")?;
        let visit_id: i64 = row.try_get("id")?;
        let entered: i64 = row.try_get("entered_ms")?;
        let left: Option<i64> = row.try_get("left_ms")?;
        if row.try_get::<i64, _>("share_contact")? == 0 {
            anonymous_visitors.insert(user_id);
            anonymous_visits += 1;
            continue;
        }
        let lead = match leads.entry(user_id) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => e.insert(Lead {
                user_id,
                name: row.try_get("name")?,
                email: row.try_get("email")?,
                company_name: row.try_get("buyer_company")?,
                country: row.try_get("country")?,
                interests: decode_list(&row.try_get::<String, _>("interests")?),
                languages: decode_list(&row.try_get::<String, _>("languages")?),
                visits: 0,
                first_visit_ms: entered,
                last_visit_ms: entered,
                dwell_ms: 0,
                opened: vec![],
                quote_requests: vec![],
                follow: LeadFollowUp::default(),
            }),
        };
        lead.visits += 1;
        lead.last_visit_ms = lead.last_visit_ms.max(entered);
        lead.dwell_ms += (left.unwrap_or(now) - entered).max(0);
        lead.opened
            .extend(opened_by_visit.remove(&visit_id).unwrap_or_default());
    }
    // A quote or sample request came with the buyer's consent to share their contact with
    // this company, so its sender is a lead whatever they chose at registration.
    for request in crate::stage::commerce::requests_of(state, company_id).await? {
        let at = request.created_ms;
        let lead = match leads.entry(request.buyer.id) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                let profile = sqlx::query("select interests, languages from users where id = $1")
                    .bind(request.buyer.id)
                    .fetch_one(pool)
                    .await?;
                e.insert(Lead {
                    user_id: request.buyer.id,
                    name: request.buyer.name.clone(),
                    email: request.buyer.email.clone(),
                    company_name: request.buyer.company_name.clone(),
                    country: request.buyer.country.clone(),
                    interests: decode_list(&profile.try_get::<String, _>("interests")?),
                    languages: decode_list(&profile.try_get::<String, _>("languages")?),
                    visits: 0,
                    first_visit_ms: at,
                    last_visit_ms: at,
                    dwell_ms: 0,
                    opened: vec![],
                    quote_requests: vec![],
                    follow: LeadFollowUp::default(),
                })
            }
        };
        if lead.visits == 0 {
            lead.last_visit_ms = lead.last_visit_ms.max(at);
        }
        lead.quote_requests.push(request);
    }
    let mut leads: Vec<Lead> = leads.into_values().collect();
    leads.sort_by_key(|lead| std::cmp::Reverse(lead.last_visit_ms));
    Ok(LeadReport {
        company_id,
        leads,
        anonymous_visitors: anonymous_visitors.len() as i64,
        anonymous_visits,
        total_visits,
        shows: crate::stage::commerce::company_show_counts(state, company_id).await?,
    })
}

/// The booth's leads (its staff and organizers only).
#[utoipa::path(get, path = "/api/v1/companies/{id}/leads", tag = "booths",
    params(("id" = i64, Path, description = "company id")),
    responses((status = 200, body = LeadReport), (status = 403, body = ErrorBody)))]
pub async fn leads(
    State(state): State<AppState>,
    caller: Caller,
    Path(company_id): Path<i64>,
) -> ApiResult<Json<LeadReport>> {
    require_editor(&caller, company_id)?;
    super::load_company(&state.store, company_id, "en").await?;
    Ok(Json(report_for(&state, &caller, company_id).await?))
}

fn utc(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// Renders a lead report as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read
/// Korean and Cyrillic names right).
pub fn to_csv(report: &LeadReport) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        writer.write_record([
            "name",
            "email",
            "company",
            "country",
            "interests",
            "languages",
            "visits",
            "first_visit_utc",
            "last_visit_utc",
            "dwell_seconds",
            "opened",
            "followup",
            "rating",
            "tags",
            "notes",
            "quote_requests",
        ])?;
        for lead in &report.leads {
            let opened = lead
                .opened
                .iter()
                .map(|o| format!("{}: {}", o.kind, o.title))
                .collect::<Vec<_>>()
                .join("; ");
            let requests = lead
                .quote_requests
                .iter()
                .map(|q| {
                    let product = q.product_name.as_deref().unwrap_or("(removed)");
                    match &q.quantity {
                        Some(quantity) => format!("{}: {product} ({quantity})", q.kind.as_str()),
                        None => format!("{}: {product}", q.kind.as_str()),
                    }
                })
                .collect::<Vec<_>>()
                .join("; ");
            // Every cell a person typed goes through `csv_cell`: a name such as
            // `=HYPERLINK(...)` must reach the spreadsheet as text, not as a formula.
            let cells = [
                lead.name.as_str(),
                lead.email.as_str(),
                lead.company_name.as_deref().unwrap_or(""),
                lead.country.as_deref().unwrap_or(""),
                &lead.interests.join("; "),
                &lead.languages.join("; "),
                &lead.visits.to_string(),
                &utc(lead.first_visit_ms),
                &utc(lead.last_visit_ms),
                &(lead.dwell_ms / 1000).to_string(),
                &opened,
                &lead.follow.followup,
                &lead
                    .follow
                    .rating
                    .map(|r| r.to_string())
                    .unwrap_or_default(),
                &lead.follow.tags.join("; "),
                &lead.follow.notes,
                &requests,
            ];
            writer.write_record(cells.iter().map(|c| csv_cell(c).into_owned()))?;
        }
        writer.flush()?;
    }
    Ok(out)
}

/// The booth's leads as CSV.
#[utoipa::path(get, path = "/api/v1/companies/{id}/leads.csv", tag = "booths",
    params(("id" = i64, Path, description = "company id")),
    responses((status = 200, description = "CSV", content_type = "text/csv"), (status = 403, body = ErrorBody)))]
pub async fn leads_csv(
    State(state): State<AppState>,
    caller: Caller,
    Path(company_id): Path<i64>,
) -> ApiResult<Response> {
    require_editor(&caller, company_id)?;
    super::load_company(&state.store, company_id, "en").await?;
    let body = to_csv(&report_for(&state, &caller, company_id).await?)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"leads-{company_id}.csv\""),
            ),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_escapes_and_marks_utf8() {
        let report = LeadReport {
            company_id: 1,
            leads: vec![Lead {
                user_id: 9,
                name: "Иван, \"Ваня\" Петров".into(),
                email: "ivan@example.ru".into(),
                company_name: Some("Primorye".into()),
                country: Some("RU".into()),
                interests: vec!["food".into(), "seafood".into()],
                languages: vec!["ru".into()],
                visits: 2,
                first_visit_ms: 0,
                last_visit_ms: 60_000,
                dwell_ms: 125_000,
                opened: vec![],
                quote_requests: vec![],
                follow: LeadFollowUp {
                    notes: "Wants samples,\nin March".into(),
                    rating: Some(4),
                    tags: vec!["hot".into(), "seafood".into()],
                    followup: "contacted".into(),
                },
            }],
            anonymous_visitors: 0,
            anonymous_visits: 0,
            total_visits: 2,
            shows: vec![],
        };
        let bytes = to_csv(&report).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with('\u{feff}'));
        let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let row = reader.records().next().unwrap().unwrap();
        assert_eq!(&row[0], "Иван, \"Ваня\" Петров");
        assert_eq!(&row[4], "food; seafood");
        assert_eq!(&row[7], "1970-01-01T00:00:00Z");
        assert_eq!(&row[9], "125");
        assert_eq!(&row[11], "contacted");
        assert_eq!(&row[12], "4");
        assert_eq!(&row[13], "hot; seafood");
        assert_eq!(&row[14], "Wants samples,\nin March");
    }
}
