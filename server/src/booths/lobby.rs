//! The lobby: search and filters over booths, and recommendations for buyers.
//!
//! A query is split into units through the product taxonomy (`taxonomy.rs`): the longest runs
//! of words that name a concept ("кимчи", "sheet mask", "無人機") or a certification
//! ("HACCP", "ISO 13485"), else single words; a number is also an HS heading. A booth matches
//! when every unit matches it in one of these ways, best first: a concept tag of the company
//! or of one of its products (the concept or one under it), a certification or an HS code of
//! one of its products, or the engine's full-text index over the search document (Postgres
//! `tsvector` with a GIN index; SQLite FTS5; every word a prefix; Hangul words also in Latin
//! letters). Booths are ranked by the sum of their units' best matches, then by name.
//! The other filters are plain SQL; "staffed now" and the visitor counts come from this
//! node's live summary, so the page is cut after that filter. A fair has hundreds of booths,
//! not millions: reading all matches and paging in memory is cheap and keeps the live filter
//! exact.

use super::taxonomy::{self, QueryUnit, Taxonomy};
use super::{company_from_row, viewer_lang, LangQuery, COMPANY_FIELDS, COMPANY_FROM};
use crate::auth::Caller;
use crate::error::Query;
use crate::error::{ApiError, ApiResult};
use crate::store::dialect;
use crate::store::json::decode_list;
use crate::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use expo_schema::api::BoothQuery;
use expo_schema::api::{
    BoothPage, BoothSummary, ConceptLabel, Recommendation, RecommendationList, RecommendationReason,
};
use expo_schema::{ErrorBody, Role};
use sqlx::Row;
use std::collections::{BTreeSet, HashMap};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(recommendations))
        .routes(routes!(taxonomy_view))
        .routes(routes!(taxonomy_extension, import_taxonomy_extension))
}

/// How well a unit matched a booth (the best way counts).
const CONCEPT_OF_COMPANY: i64 = 10;
const CONCEPT_OF_PRODUCT: i64 = 8;
const CERTIFICATION: i64 = 6;
const HS_CODE: i64 = 6;
const FULL_TEXT: i64 = 3;

/// What a free-text query found: booths (company id → score) matching every unit, and the
/// products (company id → product ids) a concept, certification or HS heading matched.
pub struct TextMatches {
    pub scores: HashMap<i64, i64>,
    pub products: HashMap<i64, BTreeSet<i64>>,
}

/// Booths matching every unit of a free-text query.
pub async fn text_scores(
    state: &AppState,
    taxonomy: &Taxonomy,
    units: &[QueryUnit],
) -> ApiResult<TextMatches> {
    let pool = state.store.pool();
    let tags = sqlx::query("select company_id, product_id, concept, source from concept_tags")
        .fetch_all(pool)
        .await?;
    let products = sqlx::query(
        "select id, company_id, coalesce(hs_code, '') as hs_code, certifications from products",
    )
    .fetch_all(pool)
    .await?;
    let mut matched: Vec<HashMap<i64, i64>> = Vec::new();
    let mut product_hits: HashMap<i64, BTreeSet<i64>> = HashMap::new();
    // Products tagged only through their tags (often the company's tags copied to every
    // product) are named when nothing more specific (an HS code, the name) matched.
    let mut weak_hits: HashMap<i64, BTreeSet<i64>> = HashMap::new();
    for unit in units {
        let mut best: HashMap<i64, i64> = HashMap::new();
        let mut hit = |company: i64, score: i64| {
            let entry = best.entry(company).or_insert(0);
            *entry = (*entry).max(score);
        };
        let wanted: std::collections::BTreeSet<String> = unit
            .concepts
            .iter()
            .flat_map(|&c| taxonomy.with_descendants(c))
            .collect();
        if !wanted.is_empty() {
            for row in &tags {
                let concept: String = row.try_get("concept")?;
                if wanted.contains(&concept) {
                    let product: i64 = row.try_get("product_id")?;
                    let company: i64 = row.try_get("company_id")?;
                    if product != 0 {
                        let source: String = row.try_get("source")?;
                        let hits = if source == "tag" {
                            &mut weak_hits
                        } else {
                            &mut product_hits
                        };
                        hits.entry(company).or_default().insert(product);
                    }
                    hit(
                        company,
                        if product == 0 {
                            CONCEPT_OF_COMPANY
                        } else {
                            CONCEPT_OF_PRODUCT
                        },
                    );
                }
            }
        }
        if !unit.certifications.is_empty() || unit.hs.is_some() {
            for row in &products {
                let company: i64 = row.try_get("company_id")?;
                let certs = decode_list(&row.try_get::<String, _>("certifications")?);
                if unit.certifications.iter().any(|id| {
                    certs
                        .iter()
                        .any(|c| taxonomy::same_certification(taxonomy, c, id))
                }) {
                    hit(company, CERTIFICATION);
                    product_hits
                        .entry(company)
                        .or_default()
                        .insert(row.try_get("id")?);
                }
                if let Some(prefix) = &unit.hs {
                    let hs: String = row
                        .try_get::<String, _>("hs_code")?
                        .chars()
                        .filter(char::is_ascii_digit)
                        .collect();
                    if hs.starts_with(prefix.as_str()) {
                        hit(company, HS_CODE);
                        product_hits
                            .entry(company)
                            .or_default()
                            .insert(row.try_get("id")?);
                    }
                }
            }
        }
        // Full text: the words as typed, and Hangul words in Latin letters too.
        let mut alternatives = vec![unit.words.clone()];
        let romanized: Vec<String> = unit.words.iter().map(|w| taxonomy::romanize(w)).collect();
        if romanized != unit.words {
            alternatives.push(romanized);
        }
        let kind = state.store.kind();
        let ids: Vec<i64> = sqlx::query_scalar(dialect::company_text_match(kind))
            .bind(dialect::text_query(kind, &alternatives))
            .fetch_all(pool)
            .await?;
        for id in ids {
            hit(id, FULL_TEXT);
        }
        matched.push(best);
    }
    // A word no booth has anywhere ("корейская" in "корейская косметика", "Korean", "韩国")
    // narrows nothing down once another word matched: it is left out. A query where nothing
    // matches finds nothing.
    let mut total: Option<HashMap<i64, i64>> = None;
    for best in matched.into_iter().filter(|m| !m.is_empty()) {
        total = Some(match total {
            None => best,
            Some(so_far) => so_far
                .into_iter()
                .filter_map(|(id, score)| best.get(&id).map(|b| (id, score + b)))
                .collect(),
        });
    }
    let scores = total.unwrap_or_default();
    for (company, weak) in weak_hits {
        product_hits.entry(company).or_insert(weak);
    }
    product_hits.retain(|company, _| scores.contains_key(company));
    Ok(TextMatches {
        scores,
        products: product_hits,
    })
}

/// Every booth matching the filters (before the live filter and paging): best first when
/// there is a query, else by name.
pub async fn matching(
    state: &AppState,
    query: &BoothQuery,
    lang: &str,
) -> ApiResult<Vec<BoothSummary>> {
    let taxonomy = taxonomy::load(state.store.pool()).await?;
    let units = taxonomy.parse_query(query.q.as_deref().unwrap_or(""));
    let found = if units.is_empty() {
        None
    } else {
        Some(text_scores(state, &taxonomy, &units).await?)
    };
    let scores = found.as_ref().map(|f| &f.scores);
    let mut product_names: HashMap<i64, Vec<expo_schema::api::MatchedProduct>> = HashMap::new();
    if let Some(found) = &found {
        let wanted: BTreeSet<i64> = found.products.values().flatten().copied().collect();
        if !wanted.is_empty() {
            let rows = sqlx::query(
                "select p.id, p.company_id, coalesce(t.name, p.name) as name from products p \
                 left join product_texts t on t.product_id = p.id and t.lang = $1 \
                 order by p.position, p.id",
            )
            .bind(lang)
            .fetch_all(state.store.pool())
            .await?;
            for row in rows {
                let id: i64 = row.try_get("id")?;
                if wanted.contains(&id) {
                    product_names
                        .entry(row.try_get("company_id")?)
                        .or_default()
                        .push(expo_schema::api::MatchedProduct {
                            id,
                            name: row.try_get("name")?,
                        });
                }
            }
        }
    }
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
         order by c.name"
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
        .fetch_all(state.store.pool())
        .await?;
    let languages = staff_languages(state).await?;
    let live = state.booths.snapshot();
    let mut booths = rows
        .iter()
        .filter(|row| {
            scores.is_none_or(|s| {
                row.try_get::<i64, _>("id")
                    .is_ok_and(|id| s.contains_key(&id))
            })
        })
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
                matched_products: product_names.remove(&company.id).unwrap_or_default(),
                company,
            })
        })
        .collect::<sqlx::Result<Vec<_>>>()
        .map_err(ApiError::from)?;
    if let Some(scores) = scores {
        // Stable: equal scores keep the order by name.
        booths.sort_by_key(|b| std::cmp::Reverse(scores.get(&b.company.id).copied()));
    }
    Ok(booths)
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
        // A page far past the end is empty (not an overflow: `page` is any i64).
        .skip(usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX))
        .take(per_page as usize)
        .collect();
    Ok(Json(BoothPage {
        booths,
        total,
        page,
        per_page,
    }))
}

/// Scores one booth for a buyer; `None` when nothing connects them. `company` and
/// `products` are the booth's concept tags (its own, its products').
#[allow(clippy::too_many_arguments)]
pub fn score(
    taxonomy: &Taxonomy,
    lang: &str,
    interests: &[String],
    languages: &[String],
    booth: &BoothSummary,
    company: &BTreeSet<String>,
    products: &BTreeSet<String>,
) -> Option<(i64, RecommendationReason)> {
    let mut score = 0;
    let mut makes: Vec<ConceptLabel> = Vec::new();
    for interest in interests {
        let (id, label, wanted) = match taxonomy.concept_of_tag(interest) {
            Some(c) => (
                taxonomy.concepts[c].id.clone(),
                taxonomy.concepts[c].label(lang),
                taxonomy.with_descendants(c),
            ),
            // An interest the taxonomy does not know is matched as a plain tag.
            None => (
                interest.clone(),
                interest.replace('-', " "),
                BTreeSet::from([interest.clone()]),
            ),
        };
        if makes.iter().any(|m| m.id == id) {
            continue;
        }
        let points = if booth.company.tags.iter().any(|t| wanted.contains(t))
            || company.iter().any(|t| wanted.contains(t))
        {
            3
        } else if products.iter().any(|t| wanted.contains(t)) {
            2
        } else {
            continue;
        };
        score += points;
        makes.push(ConceptLabel { id, label });
    }
    let staff_speak: Vec<String> = languages
        .iter()
        .filter(|l| booth.staff_languages.contains(l))
        .cloned()
        .collect();
    // English alone connects nobody: almost every booth has it.
    if makes.is_empty() && staff_speak.iter().all(|l| l == "en") {
        return None;
    }
    score += 2 * staff_speak.len() as i64;
    if booth.staffed_now {
        score += 1;
    }
    Some((
        score,
        RecommendationReason {
            makes,
            staff_speak,
            staffed_now: booth.staffed_now,
        },
    ))
}

/// Booths worth visiting for the signed-in buyer, best first, each with its reason: what it
/// makes (concepts labelled from the taxonomy in the language asked for with `?lang=`, the
/// one the viewer chose), the languages its staff share with the buyer, and whether it is
/// staffed now.
#[utoipa::path(get, path = "/api/v1/recommendations", tag = "booths", params(LangQuery),
    responses((status = 200, body = RecommendationList), (status = 403, body = ErrorBody)))]
pub async fn recommendations(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(query): Query<LangQuery>,
) -> ApiResult<Json<RecommendationList>> {
    caller.require_role(Role::Buyer)?;
    let lang = viewer_lang(query.lang.as_deref(), &headers);
    let mut recommendations = ranked(
        &state,
        &lang,
        &caller.user.interests,
        &caller.user.languages,
    )
    .await?;
    recommendations.truncate(12);
    Ok(Json(RecommendationList {
        lang,
        recommendations,
    }))
}

/// Every booth that matches a buyer's interests or languages, best first, with the reason in
/// `lang` (recommendations show the first few; matchmaking suggestions weigh in the marks).
pub async fn ranked(
    state: &AppState,
    lang: &str,
    interests: &[String],
    languages: &[String],
) -> ApiResult<Vec<Recommendation>> {
    let taxonomy = taxonomy::load(state.store.pool()).await?;
    let booths = matching(state, &BoothQuery::default(), lang).await?;
    let rows = sqlx::query("select company_id, product_id, concept from concept_tags")
        .fetch_all(state.store.pool())
        .await?;
    let mut company_tags: HashMap<i64, BTreeSet<String>> = HashMap::new();
    let mut product_tags: HashMap<i64, BTreeSet<String>> = HashMap::new();
    for row in rows {
        let company: i64 = row.try_get("company_id")?;
        let product: i64 = row.try_get("product_id")?;
        let target = if product == 0 {
            &mut company_tags
        } else {
            &mut product_tags
        };
        target
            .entry(company)
            .or_default()
            .insert(row.try_get("concept")?);
    }
    // Plain product tags and categories still count for interests outside the taxonomy.
    let rows =
        sqlx::query("select company_id, tags, coalesce(category, '') as category from products")
            .fetch_all(state.store.pool())
            .await?;
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
            let id = booth.company.id;
            score(
                &taxonomy,
                lang,
                interests,
                languages,
                &booth,
                company_tags.get(&id).unwrap_or(&empty),
                product_tags.get(&id).unwrap_or(&empty),
            )
            .map(|(score, reason)| Recommendation {
                booth,
                score,
                reason,
            })
        })
        .collect();
    scored.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.booth.company.name.cmp(&b.booth.company.name))
    });
    Ok(scored)
}

/// The product taxonomy search and recommendations use, labelled in the viewer's language
/// (`?lang=`): for pickers of sourcing interests and product tags.
#[utoipa::path(get, path = "/api/v1/taxonomy", tag = "booths", params(LangQuery),
    responses((status = 200, body = expo_schema::api::TaxonomyView), (status = 401, body = ErrorBody)))]
pub async fn taxonomy_view(
    State(state): State<AppState>,
    _caller: Caller,
    headers: HeaderMap,
    Query(query): Query<LangQuery>,
) -> ApiResult<Json<expo_schema::api::TaxonomyView>> {
    let lang = viewer_lang(query.lang.as_deref(), &headers);
    let taxonomy = taxonomy::load(state.store.pool()).await?;
    Ok(Json(expo_schema::api::TaxonomyView {
        concepts: taxonomy
            .concepts
            .iter()
            .map(|c| expo_schema::api::TaxonomyConcept {
                id: c.id.clone(),
                parent: c.parent.clone(),
                label: c.label(&lang),
                hs: c.hs.clone(),
            })
            .collect(),
        certifications: taxonomy
            .certifications
            .iter()
            .map(|c| c.id.clone())
            .collect(),
        lang,
    }))
}

/// The fair's extension of the product taxonomy as imported (organizers); empty when none.
#[utoipa::path(get, path = "/api/v1/taxonomy/extension", tag = "booths",
    responses((status = 200, body = expo_schema::api::TaxonomyFile), (status = 403, body = ErrorBody)))]
pub async fn taxonomy_extension(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<expo_schema::api::TaxonomyFile>> {
    caller.require_role(Role::Organizer)?;
    let text: Option<String> = sqlx::query_scalar("select value from meta where key = $1")
        .bind(taxonomy::EXTENSION_KEY)
        .fetch_optional(state.store.pool())
        .await?;
    Ok(Json(
        text.and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default(),
    ))
}

/// Imports an extension of the product taxonomy (organizers): a JSON file in the format of
/// `schema/data/taxonomy.json` (`concepts`, `certifications`), merged with the built-in one by
/// id. It replaces the previous extension, takes effect on every node at once, and every
/// booth is re-tagged before the answer. `{}` removes the extension.
#[utoipa::path(put, path = "/api/v1/taxonomy/extension", tag = "booths",
    request_body = expo_schema::api::TaxonomyFile,
    responses((status = 200, body = expo_schema::api::TaxonomyView), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn import_taxonomy_extension(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    crate::error::JsonBody(extension): crate::error::JsonBody<expo_schema::api::TaxonomyFile>,
) -> ApiResult<Json<expo_schema::api::TaxonomyView>> {
    caller.require_role(Role::Organizer)?;
    let text = serde_json::to_string(&extension).map_err(|e| ApiError::Other(e.into()))?;
    taxonomy::with_extension(Some(&text))
        .map_err(|e| ApiError::validation(format!("not a usable taxonomy: {e}")))?;
    super::store_taxonomy_extension(state.store.pool(), &text).await?;
    super::retag_if_changed(&state.store)
        .await
        .map_err(ApiError::Other)?;
    taxonomy_view(
        State(state),
        caller,
        headers,
        Query(LangQuery { lang: None }),
    )
    .await
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
            matched_products: vec![],
        }
    }

    #[test]
    fn recommendation_reasons_in_the_viewers_language() {
        let taxonomy = Taxonomy::parse(&[taxonomy::BUILTIN]).unwrap();
        let interests = vec!["cosmetics".to_string(), "skincare".to_string()];
        let languages = vec!["ru".to_string(), "en".to_string()];
        let b = booth(&["cosmetics", "marine"], &["ko", "ru", "en"], true);
        let none = BTreeSet::new();
        let (score, reason) =
            score(&taxonomy, "ru", &interests, &languages, &b, &none, &none).unwrap();
        assert_eq!(
            reason.makes,
            [ConceptLabel {
                id: "cosmetics".into(),
                label: "косметика".into()
            }]
        );
        assert_eq!(reason.staff_speak, ["ru", "en"]);
        assert!(reason.staffed_now);
        assert_eq!(score, 3 + 4 + 1);
        // Skincare under the booth's products counts too, in Mongolian.
        let products = BTreeSet::from(["sheet-mask".to_string()]);
        let (_, reason) = super::score(
            &taxonomy, "mn", &interests, &languages, &b, &none, &products,
        )
        .unwrap();
        assert_eq!(reason.makes[1].label, "арьс арчилгаа");
        // English alone connects nobody: every booth has it.
        let unrelated = booth(&["auto-parts"], &["en"], false);
        assert!(
            super::score(&taxonomy, "en", &interests, &languages, &unrelated, &none, &none)
                .is_none()
        );
    }
}
