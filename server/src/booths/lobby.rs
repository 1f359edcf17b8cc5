//! The lobby: search and filters over booths, and recommendations for buyers.
//!
//! Text search uses the engine's own index over each company's search document (Postgres
//! `tsvector` with a GIN index; SQLite FTS5), prefix-matching every word. The other filters
//! are plain SQL; "staffed now" and the visitor counts come from this node's live summary, so
//! the page is cut after that filter. A fair has hundreds of booths, not millions: reading all
//! matches and paging in memory is cheap and keeps the live filter exact.

use super::{company_from_row, viewer_lang, COMPANY_FIELDS, COMPANY_FROM};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::store::json::decode_list;
use crate::store::StoreKind;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use expo_schema::api::{BoothPage, BoothSummary, Recommendation, RecommendationList};
use expo_schema::{ErrorBody, Role};
use serde::Deserialize;
use sqlx::Row;
use std::collections::{BTreeSet, HashMap};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/booths", get(search))
        .route("/api/v1/recommendations", get(recommendations))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct BoothQuery {
    /// Free text over companies and products, in every language.
    pub q: Option<String>,
    pub hall_id: Option<i64>,
    /// A category tag of the company or one of its products.
    pub tag: Option<String>,
    /// The company's country (ISO 3166-1 alpha-2).
    pub country: Option<String>,
    /// A language some staff member speaks.
    pub staff_lang: Option<String>,
    /// Only booths with staff on duty now.
    pub staffed: Option<bool>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
    /// Texts in this language where the booth has them.
    pub lang: Option<String>,
}

/// Splits free text into searchable words (letters and digits, any script), at most eight.
pub fn search_terms(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(|t| t.to_lowercase())
        .take(8)
        .collect()
}

/// The engine's query syntax for "every word, as a prefix".
pub fn text_query(kind: StoreKind, terms: &[String]) -> String {
    match kind {
        StoreKind::Postgres => terms
            .iter()
            .map(|t| format!("{t}:*"))
            .collect::<Vec<_>>()
            .join(" & "),
        StoreKind::Sqlite => terms
            .iter()
            .map(|t| format!("\"{t}\"*"))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// Every booth matching the filters (before the live filter and paging), by name.
pub async fn matching(
    state: &AppState,
    query: &BoothQuery,
    lang: &str,
) -> ApiResult<Vec<BoothSummary>> {
    let terms = search_terms(query.q.as_deref().unwrap_or(""));
    let text_filter = match (terms.is_empty(), state.store.kind()) {
        // The parameter is still bound (as ''), so it must appear in the SQL.
        (true, _) => "and $6 = ''",
        (false, StoreKind::Postgres) => "and c.search_tsv @@ to_tsquery('simple', $6)",
        (false, StoreKind::Sqlite) => {
            "and c.id in (select rowid from company_fts where company_fts match $6)"
        }
    };
    let sql = format!(
        "select {COMPANY_FIELDS}, \
         (select count(*) from products p where p.company_id = c.id) as product_count, \
         (select name from halls h where h.id = c.hall_id) as hall_name {COMPANY_FROM} \
         where ($2 = 0 or c.hall_id = $2) and ($3 = '' or c.country = $3) \
         and ($4 = '' or c.tags like '%\"' || $4 || '\"%' or exists (select 1 from products p \
              where p.company_id = c.id and (p.tags like '%\"' || $4 || '\"%' \
              or lower(coalesce(p.category, '')) = $4))) \
         and ($5 = '' or exists (select 1 from users u where u.company_id = c.id \
              and u.status = 'active' and u.languages like '%\"' || $5 || '\"%')) \
         {text_filter} order by c.name"
    );
    let rows = sqlx::query(&sql)
        .bind(lang)
        .bind(query.hall_id.unwrap_or(0))
        .bind(query.country.clone().unwrap_or_default().to_uppercase())
        .bind(query.tag.clone().unwrap_or_default().trim().to_lowercase())
        .bind(
            query
                .staff_lang
                .clone()
                .unwrap_or_default()
                .trim()
                .to_lowercase(),
        )
        .bind(text_query(state.store.kind(), &terms))
        .fetch_all(state.store.pool())
        .await?;
    let languages = staff_languages(state).await?;
    let live = state.booths.snapshot();
    rows.iter()
        .map(|row| {
            let company = company_from_row(row, lang)?;
            let now = live.get(&company.id);
            Ok(BoothSummary {
                hall_name: row.try_get("hall_name")?,
                product_count: row.try_get("product_count")?,
                staff_languages: languages
                    .get(&company.id)
                    .map(|s| s.iter().cloned().collect())
                    .unwrap_or_default(),
                visitors_now: now.map(|l| l.visitors_now).unwrap_or(0),
                staffed_now: now.is_some_and(|l| !l.staff_on_duty.is_empty()),
                company,
            })
        })
        .collect::<sqlx::Result<Vec<_>>>()
        .map_err(ApiError::from)
}

async fn staff_languages(state: &AppState) -> ApiResult<HashMap<i64, BTreeSet<String>>> {
    let rows = sqlx::query(
        "select company_id, languages from users where role = 'exhibitor' and status = 'active'",
    )
    .fetch_all(state.store.pool())
    .await?;
    let mut out: HashMap<i64, BTreeSet<String>> = HashMap::new();
    for row in rows {
        let company: i64 = row.try_get("company_id")?;
        out.entry(company)
            .or_default()
            .extend(decode_list(&row.try_get::<String, _>("languages")?));
    }
    Ok(out)
}

/// Browse and search booths.
#[utoipa::path(get, path = "/api/v1/booths", tag = "booths", params(BoothQuery),
    responses((status = 200, body = BoothPage), (status = 401, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    _caller: Caller,
    headers: HeaderMap,
    Query(query): Query<BoothQuery>,
) -> ApiResult<Json<BoothPage>> {
    let lang = viewer_lang(query.lang.as_deref(), &headers);
    let per_page = query.per_page.unwrap_or(24).clamp(1, 100);
    let page = query.page.unwrap_or(1).max(1);
    let mut booths = matching(&state, &query, &lang).await?;
    if query.staffed == Some(true) {
        booths.retain(|b| b.staffed_now);
    }
    let total = booths.len() as i64;
    let booths = booths
        .into_iter()
        .skip(((page - 1) * per_page) as usize)
        .take(per_page as usize)
        .collect();
    Ok(Json(BoothPage {
        booths,
        total,
        page,
        per_page,
    }))
}

fn language_name(code: &str) -> &str {
    match code {
        "en" => "English",
        "ko" => "Korean",
        "zh" => "Chinese",
        "ru" => "Russian",
        "mn" => "Mongolian",
        "ja" => "Japanese",
        "vi" => "Vietnamese",
        "kk" => "Kazakh",
        "de" => "German",
        "hi" => "Hindi",
        other => other,
    }
}

/// Scores one booth for a buyer; `None` when nothing connects them.
pub fn score(
    interests: &[String],
    languages: &[String],
    booth: &BoothSummary,
    product_tags: &BTreeSet<String>,
) -> Option<(i64, String)> {
    let mut score = 0;
    let mut makes: Vec<&str> = Vec::new();
    for interest in interests {
        if booth.company.tags.contains(interest) {
            score += 3;
            makes.push(interest);
        } else if product_tags.contains(interest) {
            score += 2;
            makes.push(interest);
        }
    }
    let spoken: Vec<&str> = languages
        .iter()
        .filter(|l| booth.staff_languages.contains(l))
        .map(|l| language_name(l))
        .collect();
    if makes.is_empty() && spoken.iter().all(|l| *l == "English") {
        return None;
    }
    score += 2 * spoken.len() as i64;
    let mut parts = Vec::new();
    if !makes.is_empty() {
        parts.push(format!("makes {}", makes.join(", ").replace('-', " ")));
    }
    if !spoken.is_empty() {
        parts.push(format!("staff speak {}", spoken.join(", ")));
    }
    if booth.staffed_now {
        score += 1;
        parts.push("staffed now".into());
    }
    Some((score, parts.join("; ")))
}

/// Booths worth visiting for the signed-in buyer, best first, each with a one-line reason.
#[utoipa::path(get, path = "/api/v1/recommendations", tag = "booths",
    responses((status = 200, body = RecommendationList), (status = 403, body = ErrorBody)))]
pub async fn recommendations(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
) -> ApiResult<Json<RecommendationList>> {
    caller.require_role(Role::Buyer)?;
    let lang = viewer_lang(None, &headers);
    let booths = matching(&state, &BoothQuery::default(), &lang).await?;
    let rows =
        sqlx::query("select company_id, tags, coalesce(category, '') as category from products")
            .fetch_all(state.store.pool())
            .await?;
    let mut product_tags: HashMap<i64, BTreeSet<String>> = HashMap::new();
    for row in rows {
        let set = product_tags.entry(row.try_get("company_id")?).or_default();
        set.extend(decode_list(&row.try_get::<String, _>("tags")?));
        let category: String = row.try_get("category")?;
        if !category.is_empty() {
            set.insert(category.to_lowercase());
        }
    }
    let empty = BTreeSet::new();
    let mut scored: Vec<Recommendation> = booths
        .into_iter()
        .filter_map(|booth| {
            let tags = product_tags.get(&booth.company.id).unwrap_or(&empty);
            score(&caller.user.interests, &caller.user.languages, &booth, tags).map(
                |(score, reason)| Recommendation {
                    booth,
                    score,
                    reason,
                },
            )
        })
        .collect();
    scored.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.booth.company.name.cmp(&b.booth.company.name))
    });
    scored.truncate(12);
    Ok(Json(RecommendationList {
        recommendations: scored,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use expo_schema::Company;

    fn booth(tags: &[&str], langs: &[&str], staffed: bool) -> BoothSummary {
        BoothSummary {
            company: Company {
                id: 1,
                reg_no: "1".into(),
                name: "Donghae Deep Sea Cosmetics".into(),
                hall_id: None,
                country: "KR".into(),
                region: None,
                tagline: None,
                description: None,
                website: None,
                founded_year: None,
                tags: tags.iter().map(|s| s.to_string()).collect(),
                export_countries: vec![],
                logo_url: None,
                lang: "en".into(),
            },
            hall_name: None,
            product_count: 2,
            staff_languages: langs.iter().map(|s| s.to_string()).collect(),
            visitors_now: 0,
            staffed_now: staffed,
        }
    }

    #[test]
    fn terms_and_engine_syntax() {
        let terms = search_terms("Kimchi, 김치 & (o'brien)");
        assert_eq!(terms, ["kimchi", "김치", "o", "brien"]);
        assert_eq!(
            text_query(StoreKind::Postgres, &terms[..2]),
            "kimchi:* & 김치:*"
        );
        assert_eq!(
            text_query(StoreKind::Sqlite, &terms[..2]),
            "\"kimchi\"* \"김치\"*"
        );
        assert!(search_terms("  --  ").is_empty());
    }

    #[test]
    fn recommendation_reasons() {
        let interests = vec!["cosmetics".to_string(), "skincare".to_string()];
        let languages = vec!["ru".to_string(), "en".to_string()];
        let b = booth(&["cosmetics", "marine"], &["ko", "ru", "en"], true);
        let (score, reason) = score(&interests, &languages, &b, &BTreeSet::new()).unwrap();
        assert_eq!(
            reason,
            "makes cosmetics; staff speak Russian, English; staffed now"
        );
        assert_eq!(score, 3 + 4 + 1);
        // English alone connects nobody: every booth has it.
        let unrelated = booth(&["auto-parts"], &["en"], false);
        assert!(super::score(&interests, &languages, &unrelated, &BTreeSet::new()).is_none());
    }
}
