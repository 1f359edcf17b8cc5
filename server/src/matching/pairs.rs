//! Suggestions and the organizer's accepted pairs.
//!
//! A buyer's suggestions are the booth recommendations ([`crate::booths::lobby::ranked`]:
//! taxonomy concepts, shared languages) with the marks weighed in (a mutual must-meet first,
//! a must-meet from either side next), the buyer's HS codes that head the company's products'
//! codes (+3 each), and the company exporting to the buyer's country already (+1); a "no
//! thanks" from either side removes the company. The organizer accepts pairs one by one or
//! the best few of every buyer at once.

use super::marks::all_marks;
use crate::auth::Caller;
use crate::booths::{lobby, viewer_lang};
use crate::error::{on_unique_violation, ApiError, ApiResult, JsonBody};
use crate::error::{Path, Query};
use crate::store::now_ms;
use crate::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use expo_schema::api::SuggestionQuery;
use expo_schema::matchmaking::{
    AutoPairInput, AutoPairResult, MarkLevel, MatchPair, ModeWish, PairInput, PairList, Priority,
    Suggestion, SuggestionList,
};
use expo_schema::{ErrorBody, Role, UserProfile};
use sqlx::any::AnyRow;
use sqlx::Row as _;
use std::collections::{HashMap, HashSet};

fn mark_points(level: Option<MarkLevel>) -> i64 {
    match level {
        Some(MarkLevel::MustMeet) => 20,
        Some(MarkLevel::WouldMeet) => 8,
        _ => 0,
    }
}

/// A buyer's suggested companies, best first.
pub async fn suggest(
    state: &AppState,
    buyer: &UserProfile,
    lang: &str,
) -> ApiResult<Vec<Suggestion>> {
    let marks = all_marks(state).await?;
    let pairs = pair_ids(state, buyer.id).await?;
    let hs = hs_matches(state, &buyer.hs_codes).await?;
    let mut ranked = lobby::ranked(state, lang, &buyer.interests, &buyer.languages).await?;
    // Companies someone marked, or whose products carry an HS heading the buyer sources, are
    // suggested even when the booth ranking did not list them (no shared concept or language).
    let listed: HashSet<i64> = ranked.iter().map(|r| r.booth.company.id).collect();
    let wanted: HashSet<i64> = marks
        .iter()
        .filter(|((b, _), (bm, cm))| *b == buyer.id && (bm.is_some() || cm.is_some()))
        .map(|((_, c), _)| *c)
        .chain(hs.keys().copied())
        .filter(|c| !listed.contains(c))
        .collect();
    if !wanted.is_empty() {
        for booth in lobby::matching(state, &expo_schema::api::BoothQuery::default(), lang).await? {
            if wanted.contains(&booth.company.id) {
                ranked.push(expo_schema::api::Recommendation {
                    booth,
                    score: 0,
                    reason: expo_schema::api::RecommendationReason {
                        makes: Vec::new(),
                        staff_speak: Vec::new(),
                        staffed_now: false,
                    },
                });
            }
        }
    }
    let mut out: Vec<Suggestion> = ranked
        .into_iter()
        .filter_map(|mut recommendation| {
            let company = recommendation.booth.company.id;
            let (buyer_mark, company_mark) =
                marks.get(&(buyer.id, company)).copied().unwrap_or_default();
            if buyer_mark == Some(MarkLevel::NoThanks) || company_mark == Some(MarkLevel::NoThanks)
            {
                return None;
            }
            let exports_to_buyer_country = buyer.country.as_ref().is_some_and(|c| {
                recommendation
                    .booth
                    .company
                    .export_countries
                    .iter()
                    .any(|e| e.eq_ignore_ascii_case(c))
            });
            let hs_matches = hs.get(&company).cloned().unwrap_or_default();
            recommendation.score += mark_points(buyer_mark)
                + mark_points(company_mark)
                + if buyer_mark.is_some() && company_mark.is_some() {
                    10
                } else {
                    0
                }
                + 3 * hs_matches.len() as i64
                + i64::from(exports_to_buyer_country);
            Some(Suggestion {
                recommendation,
                buyer_mark,
                company_mark,
                exports_to_buyer_country,
                hs_matches,
                pair_id: pairs.get(&company).copied(),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.recommendation
            .score
            .cmp(&a.recommendation.score)
            .then_with(|| {
                a.recommendation
                    .booth
                    .company
                    .id
                    .cmp(&b.recommendation.booth.company.id)
            })
    });
    Ok(out)
}

/// The digits of an HS code (`1905.90` → `190590`).
fn hs_digits(code: &str) -> String {
    code.chars().filter(char::is_ascii_digit).collect()
}

/// For each company, the buyer's HS codes that head one of its products' HS codes (a buyer
/// sourcing `1905` matches a product under `1905.90`).
async fn hs_matches(state: &AppState, codes: &[String]) -> ApiResult<HashMap<i64, Vec<String>>> {
    let wanted: Vec<(String, String)> = codes
        .iter()
        .map(|c| (c.clone(), hs_digits(c)))
        .filter(|(_, d)| d.len() >= 2)
        .collect();
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    if wanted.is_empty() {
        return Ok(out);
    }
    let rows = sqlx::query("select company_id, hs_code from products where hs_code is not null")
        .fetch_all(state.store.pool())
        .await?;
    for row in rows {
        let product = hs_digits(&row.try_get::<String, _>("hs_code")?);
        let company: i64 = row.try_get("company_id")?;
        for (code, digits) in &wanted {
            if product.starts_with(digits.as_str()) {
                let entry = out.entry(company).or_default();
                if !entry.contains(code) {
                    entry.push(code.clone());
                }
            }
        }
    }
    Ok(out)
}

async fn pair_ids(state: &AppState, buyer: i64) -> ApiResult<HashMap<i64, i64>> {
    let rows = sqlx::query("select id, company_id from match_pairs where buyer_id = $1")
        .bind(buyer)
        .fetch_all(state.store.pool())
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("company_id")?, r.try_get("id")?)))
        .collect::<sqlx::Result<_>>()
        .map_err(ApiError::from)
}

async fn buyer_profile(state: &AppState, id: i64) -> ApiResult<UserProfile> {
    crate::auth::load_user(&state.store, id)
        .await?
        .filter(|u| u.role == Role::Buyer)
        .ok_or_else(|| ApiError::not_found("no such buyer"))
}

/// Suggested companies for a buyer, with the reason line in the viewer's language.
#[utoipa::path(get, path = "/api/v1/match/suggestions", tag = "matchmaking",
    params(SuggestionQuery),
    responses((status = 200, body = SuggestionList), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn suggestions(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(query): Query<SuggestionQuery>,
) -> ApiResult<Json<SuggestionList>> {
    let buyer = match (caller.user.role, query.buyer_id) {
        (Role::Buyer, None) => caller.user.clone(),
        (Role::Buyer, Some(id)) if id == caller.user.id => caller.user.clone(),
        (Role::Organizer, Some(id)) => buyer_profile(&state, id).await?,
        (Role::Organizer, None) => return Err(ApiError::validation("buyer_id is required")),
        _ => {
            return Err(ApiError::forbidden(
                "buyers see their own suggestions, organizers everyone's",
            ))
        }
    };
    let lang = viewer_lang(query.lang.as_deref(), &headers);
    let suggestions = suggest(&state, &buyer, &lang).await?;
    Ok(Json(SuggestionList {
        buyer_id: buyer.id,
        lang,
        suggestions,
    }))
}

const PAIR_COLUMNS: &str = "p.id, p.buyer_id, u.name as buyer_name, p.company_id, \
     c.name as company_name, p.priority, p.mode, p.meeting_id \
     from match_pairs p join users u on u.id = p.buyer_id join companies c on c.id = p.company_id";

pub fn priority_str(p: Priority) -> &'static str {
    match p {
        Priority::MustMeet => "must_meet",
        Priority::WouldMeet => "would_meet",
    }
}

pub fn mode_str(m: ModeWish) -> &'static str {
    match m {
        ModeWish::Onsite => "onsite",
        ModeWish::Online => "online",
        ModeWish::Either => "either",
    }
}

fn pair_from_row(row: &AnyRow) -> sqlx::Result<MatchPair> {
    let priority: String = row.try_get("priority")?;
    let mode: String = row.try_get("mode")?;
    Ok(MatchPair {
        id: row.try_get("id")?,
        buyer_id: row.try_get("buyer_id")?,
        buyer_name: row.try_get("buyer_name")?,
        company_id: row.try_get("company_id")?,
        company_name: row.try_get("company_name")?,
        priority: if priority == "must_meet" {
            Priority::MustMeet
        } else {
            Priority::WouldMeet
        },
        mode: match mode.as_str() {
            "onsite" => ModeWish::Onsite,
            "online" => ModeWish::Online,
            _ => ModeWish::Either,
        },
        meeting_id: row.try_get("meeting_id")?,
    })
}

/// Every accepted pair, by buyer then company.
pub async fn load_pairs(state: &AppState) -> ApiResult<Vec<MatchPair>> {
    let sql = format!("select {PAIR_COLUMNS} order by p.buyer_id, p.company_id");
    let rows = sqlx::query(&sql).fetch_all(state.store.pool()).await?;
    rows.iter()
        .map(pair_from_row)
        .collect::<sqlx::Result<_>>()
        .map_err(ApiError::from)
}

/// The accepted pairs (organizers).
#[utoipa::path(get, path = "/api/v1/match/pairs", tag = "matchmaking",
    responses((status = 200, body = PairList), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<PairList>> {
    caller.require_role(Role::Organizer)?;
    Ok(Json(PairList {
        pairs: load_pairs(&state).await?,
    }))
}

async fn insert_pair(state: &AppState, input: &PairInput) -> ApiResult<()> {
    buyer_profile(state, input.buyer_id).await?;
    let company: Option<i64> = sqlx::query_scalar("select id from companies where id = $1")
        .bind(input.company_id)
        .fetch_optional(state.store.pool())
        .await?;
    if company.is_none() {
        return Err(ApiError::not_found("no such company"));
    }
    let mut conn = state.store.pool().acquire().await?;
    write_pair(&mut conn, input)
        .await
        .map_err(|e| on_unique_violation(e, "that buyer and company are already a pair"))?;
    Ok(())
}

/// Accepts a pair: the one writer of new `match_pairs` rows.
pub async fn write_pair(conn: &mut sqlx::AnyConnection, input: &PairInput) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into match_pairs (buyer_id, company_id, priority, mode, created_ms) \
         values ($1, $2, $3, $4, $5) returning id",
    )
    .bind(input.buyer_id)
    .bind(input.company_id)
    .bind(priority_str(input.priority))
    .bind(mode_str(input.mode))
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await
}

/// Accept a pair by hand (organizers). A pair either side said "no thanks" to is refused.
#[utoipa::path(post, path = "/api/v1/match/pairs", tag = "matchmaking", request_body = PairInput,
    responses((status = 200, body = PairList), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<PairInput>,
) -> ApiResult<Json<PairList>> {
    caller.require_role(Role::Organizer)?;
    let marks = all_marks(&state).await?;
    let (b, c) = marks
        .get(&(input.buyer_id, input.company_id))
        .copied()
        .unwrap_or_default();
    if b == Some(MarkLevel::NoThanks) || c == Some(MarkLevel::NoThanks) {
        return Err(ApiError::new(
            expo_schema::ErrorCode::Conflict,
            "one side said no thanks to this pair",
        ));
    }
    insert_pair(&state, &input).await?;
    Ok(Json(PairList {
        pairs: load_pairs(&state).await?,
    }))
}

/// Remove a pair (organizers). A published pair keeps its meeting; cancel that on its own.
#[utoipa::path(delete, path = "/api/v1/match/pairs/{id}", tag = "matchmaking",
    params(("id" = i64, Path, description = "Pair id")),
    responses((status = 200, body = PairList), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<PairList>> {
    caller.require_role(Role::Organizer)?;
    let done = sqlx::query("delete from match_pairs where id = $1")
        .bind(id)
        .execute(state.store.pool())
        .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::not_found("no such pair"));
    }
    Ok(Json(PairList {
        pairs: load_pairs(&state).await?,
    }))
}

/// Accept the best `per_buyer` suggestions of every approved buyer that has fewer pairs
/// (organizers). A mark of must-meet by either side makes a must-meet pair.
#[utoipa::path(post, path = "/api/v1/match/pairs/auto", tag = "matchmaking",
    request_body = AutoPairInput,
    responses((status = 200, body = AutoPairResult), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn auto(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<AutoPairInput>,
) -> ApiResult<Json<AutoPairResult>> {
    caller.require_role(Role::Organizer)?;
    if !(1..=20).contains(&input.per_buyer) {
        return Err(ApiError::validation("per_buyer is 1 to 20"));
    }
    let buyers: Vec<i64> = sqlx::query_scalar(
        "select id from users where role = 'buyer' and status = 'active' order by id",
    )
    .fetch_all(state.store.pool())
    .await?;
    let lang = caller
        .user
        .languages
        .first()
        .cloned()
        .unwrap_or_else(|| "en".into());
    let mut added = 0;
    for id in buyers {
        let buyer = buyer_profile(&state, id).await?;
        let have = pair_ids(&state, id).await?.len();
        let room = usize::from(input.per_buyer).saturating_sub(have);
        for s in suggest(&state, &buyer, &lang)
            .await?
            .into_iter()
            .filter(|s| s.pair_id.is_none())
            .take(room)
        {
            let must = [s.buyer_mark, s.company_mark].contains(&Some(MarkLevel::MustMeet));
            let pair = PairInput {
                buyer_id: id,
                company_id: s.recommendation.booth.company.id,
                priority: if must {
                    Priority::MustMeet
                } else {
                    Priority::WouldMeet
                },
                mode: ModeWish::Either,
            };
            match insert_pair(&state, &pair).await {
                Ok(()) => added += 1,
                // Added meanwhile by another organizer: fine.
                Err(ApiError::Client(body)) if body.code == expo_schema::ErrorCode::Conflict => {}
                Err(error) => return Err(error),
            }
        }
    }
    Ok(Json(AutoPairResult {
        added,
        pairs: load_pairs(&state).await?,
    }))
}
