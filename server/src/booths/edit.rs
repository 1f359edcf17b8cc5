//! Editing the fair: halls (organizers), companies and products (organizers and the
//! company's own staff). Every write rebuilds the company's search document in the same
//! transaction and, after commit, tells the booth's visitors and the lobby.

use super::{load_company, reindex, require_editor, viewer_lang, LangQuery, LANGUAGES};
use crate::auth::{check_country, Caller};
use crate::error::{on_unique_violation, ApiError, ApiResult, JsonBody};
use crate::error::{Path, Query};
use crate::store::json::encode_list;
use crate::store::now_ms;
use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use expo_schema::api::{CompanyInput, HallInput, ProductInput};
use expo_schema::protocol::room::Room;
use expo_schema::protocol::RoomEvent;
use expo_schema::{Company, ErrorBody, Hall, Product, Role};
use sqlx::Row;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_product))
        .routes(routes!(update_product, delete_product))
}

/// Why a field was refused: a code (like `too_long`) with params that clients word themselves
/// (the bulk import sends it as `import.{code}`), and, as `Display`, the English sentence
/// the editors answer with. The one source of each rule for the editors and the import.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FieldError {
    /// The input field refused (`name`, `tags`, `website`, …).
    pub field: &'static str,
    pub code: &'static str,
    pub params: Vec<(&'static str, String)>,
    message: String,
}

impl FieldError {
    fn new(
        field: &'static str,
        code: &'static str,
        params: Vec<(&'static str, String)>,
        message: String,
    ) -> FieldError {
        FieldError {
            field,
            code,
            params,
            message,
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<FieldError> for ApiError {
    fn from(error: FieldError) -> ApiError {
        ApiError::validation(error.message)
    }
}

type FieldResult<T> = Result<T, FieldError>;

fn text(value: &Option<String>, field: &'static str, max: usize) -> FieldResult<Option<String>> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) if v.chars().count() > max => Err(FieldError::new(
            field,
            "too_long",
            vec![("max", max.to_string())],
            format!("{field} may have at most {max} characters"),
        )),
        Some(v) => Ok(Some(v.to_string())),
    }
}

fn required(value: &str, field: &'static str, max: usize) -> FieldResult<String> {
    text(&Some(value.to_string()), field, max)?
        .ok_or_else(|| FieldError::new(field, "required", vec![], format!("{field} is required")))
}

fn tags(values: &[String], field: &'static str) -> FieldResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        let t = v.trim().to_lowercase();
        if t.is_empty() {
            continue;
        }
        if t.chars().count() > 40 {
            return Err(FieldError::new(
                field,
                "tag_too_long",
                vec![("value", t), ("max", "40".into())],
                "a tag may have at most 40 characters".into(),
            ));
        }
        if !out.contains(&t) {
            out.push(t);
        }
    }
    if out.len() > 30 {
        return Err(FieldError::new(
            field,
            "too_many_tags",
            vec![("max", "30".into())],
            "at most 30 tags".into(),
        ));
    }
    Ok(out)
}

fn check_lang(lang: &str) -> FieldResult<()> {
    if LANGUAGES.contains(&lang) {
        Ok(())
    } else {
        let allowed = LANGUAGES.join(", ");
        Err(FieldError::new(
            "texts",
            "bad_language",
            vec![("value", lang.to_string()), ("allowed", allowed.clone())],
            format!("language {lang:?} is not one of {allowed}"),
        ))
    }
}

/// A country code checked by the accounts' rule ([`check_country`]).
fn country(field: &'static str, code: &str) -> FieldResult<()> {
    check_country(code).map_err(|error| {
        let message = match error {
            ApiError::Client(body) => body.message,
            other => other.to_string(),
        };
        FieldError::new(
            field,
            "bad_country",
            vec![("value", code.to_string())],
            message,
        )
    })
}

/// Tells the booth's visitors and the lobby that a booth changed.
pub async fn announce(state: &AppState, company_id: i64, section: &str) {
    let event = RoomEvent::BoothUpdated {
        company_id,
        section: section.to_string(),
    };
    for room in [Room::Booth(company_id), Room::Lobby] {
        crate::events::publish(&state.hub, room, event.clone()).await;
    }
}

/// Create a hall (organizers).
#[utoipa::path(post, path = "/api/v1/halls", tag = "booths", request_body = HallInput,
    responses((status = 201, body = Hall), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_hall(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<HallInput>,
) -> ApiResult<(StatusCode, Json<Hall>)> {
    caller.require_role(Role::Organizer)?;
    let slug = slug_of(&input.slug)?;
    let name = required(&input.name, "name", 120)?;
    let industry = required(&input.industry, "industry", 60)?;
    let id: i64 = sqlx::query_scalar(
        "insert into halls (slug, name, industry, position) values ($1, $2, $3, $4) returning id",
    )
    .bind(&slug)
    .bind(&name)
    .bind(&industry)
    .bind(input.position)
    .fetch_one(state.store.pool())
    .await
    .map_err(|e| on_unique_violation(e, "a hall with this slug exists"))?;
    Ok((
        StatusCode::CREATED,
        Json(Hall {
            id,
            slug,
            name,
            industry,
            company_count: 0,
        }),
    ))
}

/// Edit a hall (organizers).
#[utoipa::path(put, path = "/api/v1/halls/{id}", tag = "booths", request_body = HallInput,
    params(("id" = i64, Path, description = "hall id")),
    responses((status = 200, body = Hall), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn update_hall(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<HallInput>,
) -> ApiResult<Json<Hall>> {
    caller.require_role(Role::Organizer)?;
    let slug = slug_of(&input.slug)?;
    let name = required(&input.name, "name", 120)?;
    let industry = required(&input.industry, "industry", 60)?;
    let done = sqlx::query(
        "update halls set slug = $1, name = $2, industry = $3, position = $4 where id = $5",
    )
    .bind(&slug)
    .bind(&name)
    .bind(&industry)
    .bind(input.position)
    .bind(id)
    .execute(state.store.pool())
    .await
    .map_err(|e| on_unique_violation(e, "a hall with this slug exists"))?;
    if done.rows_affected() == 0 {
        return Err(ApiError::not_found("no such hall"));
    }
    let company_count: i64 =
        sqlx::query_scalar("select count(*) from companies where hall_id = $1")
            .bind(id)
            .fetch_one(state.store.pool())
            .await?;
    Ok(Json(Hall {
        id,
        slug,
        name,
        industry,
        company_count,
    }))
}

pub(crate) fn slug_of(raw: &str) -> FieldResult<String> {
    let slug = raw.trim().to_lowercase();
    let ok = !slug.is_empty()
        && slug.len() <= 60
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(slug)
    } else {
        Err(FieldError::new(
            "slug",
            "bad_slug",
            vec![("value", raw.trim().to_string()), ("max", "60".into())],
            "a slug has 1 to 60 lowercase letters, digits and dashes".into(),
        ))
    }
}

/// A company's validated fields, ready to write.
#[derive(Debug, PartialEq)]
pub(crate) struct CompanyFields {
    pub reg_no: String,
    pub name: String,
    pub hall_id: Option<i64>,
    pub country: String,
    pub region: Option<String>,
    pub tagline: Option<String>,
    pub description: Option<String>,
    pub website: Option<String>,
    pub founded_year: Option<i64>,
    pub tags: Vec<String>,
    pub export_countries: Vec<String>,
}

pub(crate) fn validate_company(input: &CompanyInput) -> FieldResult<CompanyFields> {
    let reg_no = required(&input.reg_no, "reg_no", 40)?;
    country("country", &input.country)?;
    for c in &input.export_countries {
        country("export_countries", c)?;
    }
    if let Some(year) = input.founded_year {
        if !(1800..=2100).contains(&year) {
            return Err(FieldError::new(
                "founded_year",
                "out_of_range",
                vec![
                    ("value", year.to_string()),
                    ("min", "1800".into()),
                    ("max", "2100".into()),
                ],
                "founded_year is not a plausible year".into(),
            ));
        }
    }
    let website = text(&input.website, "website", 200)?;
    if let Some(w) = &website {
        if !(w.starts_with("https://") || w.starts_with("http://")) {
            return Err(FieldError::new(
                "website",
                "bad_url",
                vec![("value", w.clone())],
                "website must start with http:// or https://".into(),
            ));
        }
    }
    for lang in input.texts.keys() {
        check_lang(lang)?;
    }
    Ok(CompanyFields {
        reg_no,
        name: required(&input.name, "name", 120)?,
        hall_id: input.hall_id,
        country: input.country.clone(),
        region: text(&input.region, "region", 80)?,
        tagline: text(&input.tagline, "tagline", 200)?,
        description: text(&input.description, "description", 5000)?,
        website,
        founded_year: input.founded_year,
        tags: tags(&input.tags, "tags")?,
        export_countries: input.export_countries.clone(),
    })
}

/// Inserts a company (`id` none) or overwrites its fields; returns its id.
pub(crate) async fn save_company_row(
    conn: &mut sqlx::AnyConnection,
    id: Option<i64>,
    f: &CompanyFields,
) -> ApiResult<i64> {
    let sql = match id {
        None => {
            "insert into companies (reg_no, name, hall_id, country, region, tagline, \
             description, website, founded_year, tags, export_countries, created_ms, \
             updated_ms) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) \
             returning id"
        }
        Some(_) => {
            "update companies set reg_no = $1, name = $2, hall_id = $3, country = $4, \
             region = $5, tagline = $6, description = $7, website = $8, founded_year = $9, \
             tags = $10, export_countries = $11, updated_ms = $12 where id = $13 returning id"
        }
    };
    let mut query = sqlx::query_scalar(sql)
        .bind(&f.reg_no)
        .bind(&f.name)
        .bind(f.hall_id)
        .bind(&f.country)
        .bind(&f.region)
        .bind(&f.tagline)
        .bind(&f.description)
        .bind(&f.website)
        .bind(f.founded_year)
        .bind(encode_list(&f.tags))
        .bind(encode_list(&f.export_countries))
        .bind(now_ms());
    if let Some(id) = id {
        query = query.bind(id);
    }
    query
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| on_unique_violation(e, "a company with this registration number exists"))
}

/// Writes a company's translated texts (replacing those given).
pub(crate) async fn write_company_texts(
    conn: &mut sqlx::AnyConnection,
    company_id: i64,
    input: &CompanyInput,
) -> ApiResult<()> {
    for (lang, t) in &input.texts {
        let name = text(&t.name, "name", 120)?;
        let tagline = text(&t.tagline, "tagline", 200)?;
        let description = text(&t.description, "description", 5000)?;
        sqlx::query("delete from company_texts where company_id = $1 and lang = $2")
            .bind(company_id)
            .bind(lang)
            .execute(&mut *conn)
            .await?;
        if name.is_some() || tagline.is_some() || description.is_some() {
            sqlx::query(
                "insert into company_texts (company_id, lang, name, tagline, description) \
                 values ($1, $2, $3, $4, $5)",
            )
            .bind(company_id)
            .bind(lang)
            .bind(name)
            .bind(tagline)
            .bind(description)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

async fn check_hall(state: &AppState, hall_id: Option<i64>) -> ApiResult<()> {
    if let Some(hall) = hall_id {
        let found: i64 = sqlx::query_scalar("select count(*) from halls where id = $1")
            .bind(hall)
            .fetch_one(state.store.pool())
            .await?;
        if found == 0 {
            return Err(ApiError::validation("no such hall"));
        }
    }
    Ok(())
}

/// Create an exhibiting company and its booth (organizers).
#[utoipa::path(post, path = "/api/v1/companies", tag = "booths", request_body = CompanyInput,
    responses((status = 201, body = Company), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_company(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<CompanyInput>,
) -> ApiResult<(StatusCode, Json<Company>)> {
    caller.require_role(Role::Organizer)?;
    let f = validate_company(&input)?;
    check_hall(&state, f.hall_id).await?;
    let mut tx = state.store.begin_write().await?;
    let id = save_company_row(&mut tx, None, &f).await?;
    write_company_texts(&mut tx, id, &input).await?;
    reindex(&mut tx, state.store.kind(), id).await?;
    tx.commit().await?;
    let company = load_company(&state.store, id, "en").await?;
    announce(&state, id, "profile").await;
    Ok((StatusCode::CREATED, Json(company)))
}

/// Edit a booth's profile (organizers, or the company's staff; only organizers move halls).
#[utoipa::path(put, path = "/api/v1/companies/{id}", tag = "booths", request_body = CompanyInput,
    params(("id" = i64, Path, description = "company id"), LangQuery),
    responses((status = 200, body = Company), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_company(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(query): Query<LangQuery>,
    JsonBody(input): JsonBody<CompanyInput>,
) -> ApiResult<Json<Company>> {
    require_editor(&caller, id)?;
    let f = validate_company(&input)?;
    let current = load_company(&state.store, id, "en").await?;
    if !caller.is_organizer() && (f.hall_id != current.hall_id || f.reg_no != current.reg_no) {
        return Err(ApiError::forbidden(
            "only organizers change a company's hall or registration number",
        ));
    }
    check_hall(&state, f.hall_id).await?;
    let mut tx = state.store.begin_write().await?;
    save_company_row(&mut tx, Some(id), &f).await?;
    write_company_texts(&mut tx, id, &input).await?;
    reindex(&mut tx, state.store.kind(), id).await?;
    tx.commit().await?;
    announce(&state, id, "profile").await;
    let lang = viewer_lang(query.lang.as_deref(), &headers);
    Ok(Json(load_company(&state.store, id, &lang).await?))
}

/// A product's validated fields.
#[derive(Debug, PartialEq)]
pub(crate) struct ProductFields {
    pub name: String,
    pub code: Option<String>,
    pub description: Option<String>,
    pub hs_code: Option<String>,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub min_order: Option<String>,
    pub price_range: Option<String>,
    pub certifications: Vec<String>,
}

pub(crate) fn validate_product(input: &ProductInput) -> FieldResult<ProductFields> {
    let hs_code = text(&input.hs_code, "hs_code", 12)?;
    if let Some(hs) = &hs_code {
        let digits = hs.chars().filter(|c| c.is_ascii_digit()).count();
        if digits < 4 || !hs.chars().all(|c| c.is_ascii_digit() || c == '.') {
            return Err(FieldError::new(
                "hs_code",
                "bad_product_hs_code",
                vec![("value", hs.clone())],
                "hs_code has at least 4 digits, optionally with dots (e.g. 3304.99)".into(),
            ));
        }
    }
    for lang in input.texts.keys() {
        check_lang(lang)?;
    }
    Ok(ProductFields {
        name: required(&input.name, "name", 120)?,
        code: text(&input.code, "code", 60)?,
        description: text(&input.description, "description", 5000)?,
        hs_code,
        category: text(&input.category, "category", 60)?,
        tags: tags(&input.tags, "tags")?,
        min_order: text(&input.min_order, "min_order", 80)?,
        price_range: text(&input.price_range, "price_range", 80)?,
        certifications: tags(&input.certifications, "certifications")?,
    })
}

/// Inserts a product at the end of its booth's list and returns its id.
pub(crate) async fn insert_product(
    conn: &mut sqlx::AnyConnection,
    company_id: i64,
    f: &ProductFields,
) -> ApiResult<i64> {
    let position: i64 = sqlx::query_scalar(
        "select coalesce(max(position), 0) + 1 from products where company_id = $1",
    )
    .bind(company_id)
    .fetch_one(&mut *conn)
    .await?;
    let id = sqlx::query_scalar(
        "insert into products (company_id, name, code, description, hs_code, category, tags, \
         min_order, price_range, certifications, position, created_ms) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id",
    )
    .bind(company_id)
    .bind(&f.name)
    .bind(&f.code)
    .bind(&f.description)
    .bind(&f.hs_code)
    .bind(&f.category)
    .bind(encode_list(&f.tags))
    .bind(&f.min_order)
    .bind(&f.price_range)
    .bind(encode_list(&f.certifications))
    .bind(position)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| on_unique_violation(e, "a product with this code exists in the booth"))?;
    Ok(id)
}

/// Overwrites a product's fields.
pub(crate) async fn update_product_row(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    f: &ProductFields,
) -> ApiResult<()> {
    sqlx::query(
        "update products set name = $1, code = $2, description = $3, hs_code = $4, category = $5, \
         tags = $6, min_order = $7, price_range = $8, certifications = $9 where id = $10",
    )
    .bind(&f.name)
    .bind(&f.code)
    .bind(&f.description)
    .bind(&f.hs_code)
    .bind(&f.category)
    .bind(encode_list(&f.tags))
    .bind(&f.min_order)
    .bind(&f.price_range)
    .bind(encode_list(&f.certifications))
    .bind(id)
    .execute(&mut *conn)
    .await
    .map_err(|e| on_unique_violation(e, "a product with this code exists in the booth"))?;
    Ok(())
}

pub(crate) async fn write_product_texts(
    conn: &mut sqlx::AnyConnection,
    product_id: i64,
    input: &ProductInput,
) -> ApiResult<()> {
    for (lang, t) in &input.texts {
        let name = text(&t.name, "name", 120)?;
        let description = text(&t.description, "description", 5000)?;
        sqlx::query("delete from product_texts where product_id = $1 and lang = $2")
            .bind(product_id)
            .bind(lang)
            .execute(&mut *conn)
            .await?;
        if name.is_some() || description.is_some() {
            sqlx::query(
                "insert into product_texts (product_id, lang, name, description) values ($1, $2, $3, $4)",
            )
            .bind(product_id)
            .bind(lang)
            .bind(name)
            .bind(description)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

async fn product_out(state: &AppState, company_id: i64, product_id: i64) -> ApiResult<Product> {
    super::load_products(&state.store, company_id, "en")
        .await?
        .into_iter()
        .find(|p| p.id == product_id)
        .ok_or_else(|| ApiError::not_found("no such product"))
}

/// Add a product to a booth.
#[utoipa::path(post, path = "/api/v1/companies/{id}/products", tag = "booths", request_body = ProductInput,
    params(("id" = i64, Path, description = "company id")),
    responses((status = 201, body = Product), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_product(
    State(state): State<AppState>,
    caller: Caller,
    Path(company_id): Path<i64>,
    JsonBody(input): JsonBody<ProductInput>,
) -> ApiResult<(StatusCode, Json<Product>)> {
    require_editor(&caller, company_id)?;
    load_company(&state.store, company_id, "en").await?;
    let f = validate_product(&input)?;
    let mut tx = state.store.begin_write().await?;
    let id = insert_product(&mut tx, company_id, &f).await?;
    write_product_texts(&mut tx, id, &input).await?;
    reindex(&mut tx, state.store.kind(), company_id).await?;
    tx.commit().await?;
    announce(&state, company_id, "products").await;
    Ok((
        StatusCode::CREATED,
        Json(product_out(&state, company_id, id).await?),
    ))
}

async fn product_company(state: &AppState, product_id: i64) -> ApiResult<i64> {
    sqlx::query("select company_id from products where id = $1")
        .bind(product_id)
        .fetch_optional(state.store.pool())
        .await?
        .map(|row| row.try_get::<i64, _>("company_id"))
        .transpose()?
        .ok_or_else(|| ApiError::not_found("no such product"))
}

/// Edit a product.
#[utoipa::path(put, path = "/api/v1/products/{id}", tag = "booths", request_body = ProductInput,
    params(("id" = i64, Path, description = "product id")),
    responses((status = 200, body = Product), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "another product of the booth has this code")))]
pub async fn update_product(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<ProductInput>,
) -> ApiResult<Json<Product>> {
    let company_id = product_company(&state, id).await?;
    require_editor(&caller, company_id)?;
    let f = validate_product(&input)?;
    let mut tx = state.store.begin_write().await?;
    update_product_row(&mut tx, id, &f).await?;
    write_product_texts(&mut tx, id, &input).await?;
    reindex(&mut tx, state.store.kind(), company_id).await?;
    tx.commit().await?;
    announce(&state, company_id, "products").await;
    Ok(Json(product_out(&state, company_id, id).await?))
}

/// Remove a product (and its photos).
#[utoipa::path(delete, path = "/api/v1/products/{id}", tag = "booths",
    params(("id" = i64, Path, description = "product id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_product(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    let company_id = product_company(&state, id).await?;
    require_editor(&caller, company_id)?;
    let files = super::media::stored_names_of_product(&state.store, id).await?;
    let mut tx = state.store.begin_write().await?;
    sqlx::query("delete from products where id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    reindex(&mut tx, state.store.kind(), company_id).await?;
    tx.commit().await?;
    crate::uploads::remove_files(&state, &files).await;
    announce(&state, company_id, "products").await;
    Ok(StatusCode::NO_CONTENT)
}
