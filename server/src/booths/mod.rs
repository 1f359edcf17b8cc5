//! Virtual booths: halls, exhibiting companies, their products, media, live state and leads.
//!
//! - `mod.rs`: reading booths (in the viewer's language) and the permission rules;
//! - `edit.rs`: halls, companies and products for organizers and staff;
//! - `media.rs`: logos, photos, brochures and videos (uploads checked by content);
//! - `live.rs`: staff on duty, visitors inside, visits, coalesced lobby updates;
//! - `lobby.rs`: search, filters and recommendations;
//! - `leads.rs`: the exhibitor's leads and their CSV export;
//! - `import.rs`: bulk import from CSV or XLSX;
//! - `taxonomy.rs`: the product taxonomy that search and recommendations expand through.

pub mod commands;
pub mod edit;
pub mod import;
pub mod import_buyers;
pub mod leads;
pub mod live;
pub mod lobby;
pub mod media;
pub mod taxonomy;

use crate::auth::{user_from_row, Caller, USER_COLUMNS};
use crate::error::{ApiError, ApiResult};
use crate::error::{Path, Query};
use crate::store::json::decode_list;
use crate::store::{Store, StoreKind};
use crate::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use expo_schema::api::{CompanyDetail, CompanyList, FairSummary, HallList, StaffMember};
use expo_schema::api::{CompanyFilter, LangQuery};
use expo_schema::{Company, ErrorBody, Hall, MediaKind, Product, Role};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;
use utoipa_axum::{router::OpenApiRouter, routes};

/// Languages booth texts may be given in: the fair's.
pub const LANGUAGES: &[&str] = expo_schema::LANGUAGES;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(fair_summary))
        .routes(routes!(list_halls, edit::create_hall))
        .routes(routes!(edit::update_hall))
        .routes(routes!(list_companies, edit::create_company))
        .routes(routes!(company_detail, edit::update_company))
        .merge(edit::router())
        .merge(media::router())
        .merge(lobby::router())
        .merge(leads::router())
        .merge(import::router())
}

/// The viewer's language: `?lang=`, else the first of `Accept-Language`, else English.
pub fn viewer_lang(query: Option<&str>, headers: &HeaderMap) -> String {
    let pick = |tag: &str| {
        let primary = tag
            .split(['-', '_', ';'])
            .next()
            .unwrap_or("")
            .trim()
            .to_lowercase();
        LANGUAGES.contains(&primary.as_str()).then_some(primary)
    };
    if let Some(lang) = query.and_then(pick) {
        return lang;
    }
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').find_map(pick))
        .unwrap_or_else(|| "en".into())
}

/// The columns [`company_from_row`] reads; use with [`COMPANY_FROM`].
pub(crate) const COMPANY_FIELDS: &str = "c.id, c.reg_no, c.name, c.hall_id, c.country, c.region, \
     c.tagline, c.description, c.website, c.founded_year, c.tags, c.export_countries, \
     c.logo_media_id, t.name as t_name, t.tagline as t_tagline, t.description as t_description";

/// Companies with their texts in the language bound as `$1`.
pub(crate) const COMPANY_FROM: &str =
    "from companies c left join company_texts t on t.company_id = c.id and t.lang = $1";

/// Reads a company row selected with [`COMPANY_FIELDS`], preferring the translated texts.
pub(crate) fn company_from_row(row: &AnyRow, lang: &str) -> sqlx::Result<Company> {
    let t_name: Option<String> = row.try_get("t_name")?;
    let t_tagline: Option<String> = row.try_get("t_tagline")?;
    let t_description: Option<String> = row.try_get("t_description")?;
    let translated = t_name.is_some() || t_tagline.is_some() || t_description.is_some();
    let logo: Option<i64> = row.try_get("logo_media_id")?;
    Ok(Company {
        id: row.try_get("id")?,
        reg_no: row.try_get("reg_no")?,
        name: t_name.unwrap_or(row.try_get("name")?),
        hall_id: row.try_get("hall_id")?,
        country: row.try_get("country")?,
        region: row.try_get("region")?,
        tagline: t_tagline.or(row.try_get("tagline")?),
        description: t_description.or(row.try_get("description")?),
        website: row.try_get("website")?,
        founded_year: row.try_get("founded_year")?,
        tags: decode_list(&row.try_get::<String, _>("tags")?),
        export_countries: decode_list(&row.try_get::<String, _>("export_countries")?),
        logo_url: logo.map(|id| format!("/api/v1/media/{id}")),
        lang: if translated {
            lang.to_string()
        } else {
            "en".into()
        },
    })
}

/// Loads one company in a language.
pub async fn load_company(store: &Store, id: i64, lang: &str) -> ApiResult<Company> {
    let sql = format!("select {COMPANY_FIELDS} {COMPANY_FROM} where c.id = $2");
    let row = sqlx::query(&sql)
        .bind(lang)
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .ok_or_else(|| ApiError::not_found("no such company"))?;
    Ok(company_from_row(&row, lang)?)
}

/// Organizers may edit every booth; exhibitor staff their own company's.
pub fn require_editor(caller: &Caller, company_id: i64) -> ApiResult<()> {
    let own_staff =
        caller.user.role == Role::Exhibitor && caller.user.company_id == Some(company_id);
    if caller.is_organizer() || own_staff {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only organizers and the company's own staff may do this",
        ))
    }
}

/// The fair at a glance. Public: the sign-in page shows it.
#[utoipa::path(get, path = "/api/v1/fair", tag = "fair",
    responses((status = 200, body = FairSummary)))]
pub async fn fair_summary(State(state): State<AppState>) -> ApiResult<Json<FairSummary>> {
    let row = sqlx::query(
        "select (select count(*) from halls) as halls, \
                (select count(*) from companies) as companies, \
                (select count(*) from products) as products, \
                (select count(*) from users where role = 'buyer' and status = 'active') as buyers, \
                (select count(*) from users where role = 'interpreter') as interpreters, \
                (select count(distinct country) from users where role = 'buyer' and status = 'active') as buyer_countries, \
                (select value from meta where key = 'fair_name') as name",
    )
    .fetch_one(state.store.pool())
    .await?;
    Ok(Json(FairSummary {
        name: row
            .try_get::<Option<String>, _>("name")?
            .unwrap_or_else(|| "Expo Hub".into()),
        halls: row.try_get("halls")?,
        companies: row.try_get("companies")?,
        products: row.try_get("products")?,
        buyers: row.try_get("buyers")?,
        interpreters: row.try_get("interpreters")?,
        buyer_countries: row.try_get("buyer_countries")?,
    }))
}

/// The halls, in floor-plan order, with how many companies exhibit in each.
#[utoipa::path(get, path = "/api/v1/halls", tag = "fair",
    responses((status = 200, body = HallList), (status = 401, body = ErrorBody)))]
pub async fn list_halls(
    State(state): State<AppState>,
    _caller: Caller,
) -> ApiResult<Json<HallList>> {
    let rows = sqlx::query(
        "select h.id, h.slug, h.name, h.industry, \
         (select count(*) from companies c where c.hall_id = h.id) as company_count \
         from halls h order by h.position, h.id",
    )
    .fetch_all(state.store.pool())
    .await?;
    let halls = rows
        .iter()
        .map(|row| {
            Ok(Hall {
                id: row.try_get("id")?,
                slug: row.try_get("slug")?,
                name: row.try_get("name")?,
                industry: row.try_get("industry")?,
                company_count: row.try_get("company_count")?,
            })
        })
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok(Json(HallList { halls }))
}

/// Exhibiting companies, by name.
#[utoipa::path(get, path = "/api/v1/companies", tag = "fair", params(CompanyFilter),
    responses((status = 200, body = CompanyList), (status = 401, body = ErrorBody)))]
pub async fn list_companies(
    State(state): State<AppState>,
    _caller: Caller,
    headers: HeaderMap,
    Query(filter): Query<CompanyFilter>,
) -> ApiResult<Json<CompanyList>> {
    let lang = viewer_lang(filter.lang.as_deref(), &headers);
    let sql = format!(
        "select {COMPANY_FIELDS} {COMPANY_FROM} where ($2 = 0 or c.hall_id = $2) order by c.name"
    );
    let rows = sqlx::query(&sql)
        .bind(&lang)
        .bind(filter.hall_id.unwrap_or(0))
        .fetch_all(state.store.pool())
        .await?;
    let companies = rows
        .iter()
        .map(|row| company_from_row(row, &lang))
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok(Json(CompanyList { companies }))
}

/// One booth: profile, products with photos, brochures, videos, staff and live state.
#[utoipa::path(get, path = "/api/v1/companies/{id}", tag = "fair",
    params(("id" = i64, Path, description = "company id"), LangQuery),
    responses((status = 200, body = CompanyDetail), (status = 404, body = ErrorBody)))]
pub async fn company_detail(
    State(state): State<AppState>,
    _caller: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(query): Query<LangQuery>,
) -> ApiResult<Json<CompanyDetail>> {
    let lang = viewer_lang(query.lang.as_deref(), &headers);
    let company = load_company(&state.store, id, &lang).await?;
    let hall_name: Option<String> = match company.hall_id {
        Some(hall) => {
            sqlx::query_scalar("select name from halls where id = $1")
                .bind(hall)
                .fetch_optional(state.store.pool())
                .await?
        }
        None => None,
    };
    let media = media::list_for_company(&state.store, id).await?;
    let mut photos: HashMap<i64, Vec<expo_schema::MediaItem>> = HashMap::new();
    let mut brochures = Vec::new();
    let mut videos = Vec::new();
    for item in media {
        match (item.kind, item.product_id) {
            (MediaKind::Photo, Some(product)) => photos.entry(product).or_default().push(item),
            (MediaKind::Brochure, _) => brochures.push(item),
            (MediaKind::Video, _) => videos.push(item),
            _ => {}
        }
    }
    let products = load_products(&state.store, id, &lang)
        .await?
        .into_iter()
        .map(|mut p| {
            p.photos = photos.remove(&p.id).unwrap_or_default();
            p
        })
        .collect();
    let sql = format!(
        "select {USER_COLUMNS} where u.company_id = $1 and u.status = 'active' order by u.company_admin desc, u.id"
    );
    let staff = sqlx::query(&sql)
        .bind(id)
        .fetch_all(state.store.pool())
        .await?
        .iter()
        .map(|row| {
            user_from_row(row).map(|u| StaffMember {
                languages: u.languages.clone(),
                company_admin: u.company_admin,
                user: u.summary(),
            })
        })
        .collect::<sqlx::Result<Vec<_>>>()?;
    let mut languages: Vec<String> =
        sqlx::query_scalar("select lang from company_texts where company_id = $1 order by lang")
            .bind(id)
            .fetch_all(state.store.pool())
            .await?;
    if !languages.iter().any(|l| l == "en") {
        languages.insert(0, "en".into());
    }
    let live = state.booths.live_of(id).await;
    Ok(Json(CompanyDetail {
        company,
        hall_name,
        products,
        staff,
        brochures,
        videos,
        live,
        languages,
    }))
}

/// A company's products in a language, in their set order.
pub async fn load_products(store: &Store, company_id: i64, lang: &str) -> ApiResult<Vec<Product>> {
    let rows = sqlx::query(
        "select p.id, p.company_id, p.name, p.description, p.hs_code, p.tags, p.code, p.category, \
         p.min_order, p.price_range, p.certifications, t.name as t_name, t.description as t_description \
         from products p left join product_texts t on t.product_id = p.id and t.lang = $1 \
         where p.company_id = $2 order by p.position, p.id",
    )
    .bind(lang)
    .bind(company_id)
    .fetch_all(store.pool())
    .await?;
    let products = rows
        .iter()
        .map(|row| {
            let t_name: Option<String> = row.try_get("t_name")?;
            let t_description: Option<String> = row.try_get("t_description")?;
            Ok(Product {
                id: row.try_get("id")?,
                company_id: row.try_get("company_id")?,
                name: t_name.unwrap_or(row.try_get("name")?),
                description: t_description.or(row.try_get("description")?),
                hs_code: row.try_get("hs_code")?,
                tags: decode_list(&row.try_get::<String, _>("tags")?),
                code: row.try_get("code")?,
                category: row.try_get("category")?,
                min_order: row.try_get("min_order")?,
                price_range: row.try_get("price_range")?,
                certifications: decode_list(&row.try_get::<String, _>("certifications")?),
                photos: vec![],
            })
        })
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok(products)
}

/// Rebuilds a company's search document (profile and products, every language, normalized,
/// Korean also romanized) and, on SQLite, its FTS5 row, and its taxonomy concepts (from its
/// tags, its products' HS codes, categories and tags, and the names in every language). Runs
/// inside the caller's transaction.
pub async fn reindex(
    conn: &mut sqlx::AnyConnection,
    kind: StoreKind,
    company_id: i64,
) -> sqlx::Result<()> {
    let taxonomy = taxonomy::load(&mut *conn).await?;
    // (product id or 0, concept index) → where the tag came from.
    let mut tags: std::collections::BTreeMap<(i64, usize), &'static str> =
        std::collections::BTreeMap::new();
    let mut parts: Vec<String> = Vec::new();
    let row = sqlx::query(
        "select name, coalesce(tagline, '') as tagline, coalesce(description, '') as description, \
         coalesce(region, '') as region, tags from companies where id = $1",
    )
    .bind(company_id)
    .fetch_one(&mut *conn)
    .await?;
    for column in ["name", "tagline", "description", "region"] {
        parts.push(row.try_get(column)?);
    }
    for column in ["name", "tagline"] {
        let text: String = row.try_get(column)?;
        for c in taxonomy.concepts_in_text(&text, None) {
            tags.entry((0, c)).or_insert("text");
        }
    }
    // A tag "!concept" (an id or any term) is the exhibitor's veto: the booth, or that
    // product, is not tagged with it however its HS codes and names read.
    let mut vetoes: Vec<(i64, usize)> = Vec::new();
    for tag in decode_list(&row.try_get::<String, _>("tags")?) {
        if let Some(vetoed) = tag.strip_prefix('!') {
            vetoes.extend(taxonomy.concept_of_tag(vetoed).map(|c| (0, c)));
            continue;
        }
        if let Some(c) = taxonomy.concept_of_tag(&tag) {
            tags.entry((0, c)).or_insert("tag");
        }
        parts.push(tag);
    }
    let texts = sqlx::query(
        "select coalesce(name, '') as name, coalesce(tagline, '') as tagline, \
         coalesce(description, '') as description from company_texts where company_id = $1",
    )
    .bind(company_id)
    .fetch_all(&mut *conn)
    .await?;
    for t in &texts {
        for column in ["name", "tagline", "description"] {
            let text: String = t.try_get(column)?;
            if column != "description" {
                for c in taxonomy.concepts_in_text(&text, None) {
                    tags.entry((0, c)).or_insert("text");
                }
            }
            parts.push(text);
        }
    }
    let products = sqlx::query(
        "select p.id, p.name, coalesce(p.description, '') as description, coalesce(p.category, '') as category, \
         p.tags, coalesce(p.hs_code, '') as hs_code from products p where p.company_id = $1",
    )
    .bind(company_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut hs_of: HashMap<i64, String> = HashMap::new();
    for p in &products {
        let id: i64 = p.try_get("id")?;
        let hs: String = p.try_get("hs_code")?;
        for c in taxonomy.concepts_of_hs(&hs) {
            tags.insert((id, c), "hs");
        }
        // The most specific source is kept: an HS heading, then the name, then tags.
        let name: String = p.try_get("name")?;
        for c in taxonomy.concepts_in_text(&name, Some(&hs)) {
            tags.entry((id, c)).or_insert("text");
        }
        let category: String = p.try_get("category")?;
        let product_tags = decode_list(&p.try_get::<String, _>("tags")?);
        for tag in std::iter::once(&category).chain(product_tags.iter()) {
            if let Some(vetoed) = tag.strip_prefix('!') {
                vetoes.extend(taxonomy.concept_of_tag(vetoed).map(|c| (id, c)));
            } else if let Some(c) = taxonomy.concept_of_tag(tag) {
                tags.entry((id, c)).or_insert("tag");
            }
        }
        for column in ["name", "description", "category", "hs_code"] {
            parts.push(p.try_get(column)?);
        }
        parts.extend(product_tags.into_iter().filter(|t| !t.starts_with('!')));
        hs_of.insert(id, hs);
    }
    let product_texts = sqlx::query(
        "select t.product_id, coalesce(t.name, '') as name, coalesce(t.description, '') as description \
         from product_texts t join products p on p.id = t.product_id where p.company_id = $1",
    )
    .bind(company_id)
    .fetch_all(&mut *conn)
    .await?;
    for t in &product_texts {
        let id: i64 = t.try_get("product_id")?;
        let name: String = t.try_get("name")?;
        let hs = hs_of.get(&id).map(String::as_str);
        for c in taxonomy.concepts_in_text(&name, hs) {
            let source = tags.entry((id, c)).or_insert("text");
            if *source == "tag" {
                *source = "text";
            }
        }
        for column in ["name", "description"] {
            parts.push(t.try_get(column)?);
        }
    }
    // Tags like "health-food" are searchable as "health food" too; Korean is also searchable
    // in Latin letters (설악 as "seorak"), and everything as the query will be normalized.
    let doc = parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut p = taxonomy::normalize(&p);
            if p.contains('-') {
                p = format!("{p} {}", p.replace('-', " "));
            }
            if p.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c)) {
                p = format!("{p} {}", taxonomy::romanize(&p));
            }
            p
        })
        .collect::<Vec<_>>()
        .join(" ");
    sqlx::query("update companies set search_doc = $1 where id = $2")
        .bind(&doc)
        .bind(company_id)
        .execute(&mut *conn)
        .await?;
    crate::store::dialect::index_company_text(conn, kind, company_id, &doc).await?;
    tags.retain(|&(product, concept), _| {
        !vetoes
            .iter()
            .any(|&(p, c)| c == concept && (p == 0 || p == product))
    });
    sqlx::query("delete from concept_tags where company_id = $1")
        .bind(company_id)
        .execute(&mut *conn)
        .await?;
    for ((product_id, concept), source) in tags {
        // Two nodes re-tagging at once after a taxonomy change may both insert.
        sqlx::query(
            "insert into concept_tags (company_id, product_id, concept, source) values ($1, $2, $3, $4) \
             on conflict (company_id, product_id, concept) do update set source = excluded.source",
        )
        .bind(company_id)
        .bind(product_id)
        .bind(&taxonomy.concepts[concept].id)
        .bind(source)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Imports an organizer's taxonomy file into the store (checked first: a bad file stops
/// the start), so that every node of the fair uses it.
pub async fn import_taxonomy_file(store: &Store, path: &std::path::Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
    taxonomy::with_extension(Some(&text))
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    store_taxonomy_extension(store.pool(), &text).await?;
    Ok(())
}

/// Stores a checked taxonomy extension for the fair.
pub async fn store_taxonomy_extension<'c, E>(executor: E, text: &str) -> sqlx::Result<()>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(
        "insert into meta (key, value) values ($1, $2) \
         on conflict (key) do update set value = excluded.value",
    )
    .bind(taxonomy::EXTENSION_KEY)
    .bind(text)
    .execute(executor)
    .await?;
    Ok(())
}

/// Re-tags every booth when the taxonomy in force differs from the one the stored tags were
/// made with (a first start after this feature, or a changed `EXPO_TAXONOMY_FILE`).
pub async fn retag_if_changed(store: &Store) -> anyhow::Result<()> {
    // The tagging rules' own version: raised when `reindex` tags differently.
    const TAGGING: &str = "2";
    let fingerprint = format!(
        "{}:{TAGGING}",
        taxonomy::load(store.pool()).await?.fingerprint
    );
    if store.meta("taxonomy_fingerprint").await?.as_deref() == Some(fingerprint.as_str()) {
        return Ok(());
    }
    let ids: Vec<i64> = sqlx::query_scalar("select id from companies order by id")
        .fetch_all(store.pool())
        .await?;
    for id in &ids {
        let mut tx = store.begin_write().await?;
        reindex(&mut tx, store.kind(), *id).await?;
        tx.commit().await?;
    }
    sqlx::query(
        "insert into meta (key, value) values ('taxonomy_fingerprint', $1) \
         on conflict (key) do update set value = excluded.value",
    )
    .bind(&fingerprint)
    .execute(store.pool())
    .await?;
    tracing::info!(companies = ids.len(), %fingerprint, "booths tagged with the product taxonomy");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewer_language() {
        let mut headers = HeaderMap::new();
        assert_eq!(viewer_lang(None, &headers), "en");
        headers.insert(
            axum::http::header::ACCEPT_LANGUAGE,
            "ru-RU,ru;q=0.9,en;q=0.8".parse().unwrap(),
        );
        assert_eq!(viewer_lang(None, &headers), "ru");
        assert_eq!(viewer_lang(Some("ko"), &headers), "ko");
        assert_eq!(viewer_lang(Some("xx"), &headers), "ru");
    }
}
