//! Halls, exhibiting companies and their products: the fair's shop windows.
//!
//! The foundation serves them read-only to signed-in users; the booth issue adds editing,
//! search, uploads and leads here.

use crate::auth::{user_from_row, Caller, USER_COLUMNS};
use crate::error::{ApiError, ApiResult};
use crate::store::json::decode_list;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use expo_schema::api::{CompanyDetail, CompanyList, FairSummary, HallList};
use expo_schema::{Company, ErrorBody, Hall, Product};
use serde::Deserialize;
use sqlx::any::AnyRow;
use sqlx::Row;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/fair", get(fair_summary))
        .route("/api/v1/halls", get(list_halls))
        .route("/api/v1/companies", get(list_companies))
        .route("/api/v1/companies/{id}", get(company_detail))
}

const COMPANY_COLUMNS: &str = "id, reg_no, name, hall_id, country, region, tagline, description, \
     website, founded_year, tags from companies";

fn company_from_row(row: &AnyRow) -> sqlx::Result<Company> {
    Ok(Company {
        id: row.try_get("id")?,
        reg_no: row.try_get("reg_no")?,
        name: row.try_get("name")?,
        hall_id: row.try_get("hall_id")?,
        country: row.try_get("country")?,
        region: row.try_get("region")?,
        tagline: row.try_get("tagline")?,
        description: row.try_get("description")?,
        website: row.try_get("website")?,
        founded_year: row.try_get("founded_year")?,
        tags: decode_list(&row.try_get::<String, _>("tags")?),
    })
}

/// The fair at a glance.
#[utoipa::path(get, path = "/api/v1/fair", tag = "fair",
    responses((status = 200, body = FairSummary), (status = 401, body = ErrorBody)))]
pub async fn fair_summary(
    State(state): State<AppState>,
    _caller: Caller,
) -> ApiResult<Json<FairSummary>> {
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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CompanyFilter {
    /// Only companies in this hall.
    hall_id: Option<i64>,
}

/// Exhibiting companies, by name.
#[utoipa::path(get, path = "/api/v1/companies", tag = "fair", params(CompanyFilter),
    responses((status = 200, body = CompanyList), (status = 401, body = ErrorBody)))]
pub async fn list_companies(
    State(state): State<AppState>,
    _caller: Caller,
    Query(filter): Query<CompanyFilter>,
) -> ApiResult<Json<CompanyList>> {
    let sql = format!("select {COMPANY_COLUMNS} where ($1 = 0 or hall_id = $1) order by name");
    let rows = sqlx::query(&sql)
        .bind(filter.hall_id.unwrap_or(0))
        .fetch_all(state.store.pool())
        .await?;
    let companies = rows
        .iter()
        .map(company_from_row)
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok(Json(CompanyList { companies }))
}

/// One company with its products and staff.
#[utoipa::path(get, path = "/api/v1/companies/{id}", tag = "fair",
    params(("id" = i64, Path, description = "company id")),
    responses((status = 200, body = CompanyDetail), (status = 404, body = ErrorBody)))]
pub async fn company_detail(
    State(state): State<AppState>,
    _caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<CompanyDetail>> {
    let sql = format!("select {COMPANY_COLUMNS} where id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(state.store.pool())
        .await?
        .ok_or_else(|| ApiError::not_found("no such company"))?;
    let company = company_from_row(&row)?;
    let products = sqlx::query(
        "select id, company_id, name, description, hs_code, tags from products \
         where company_id = $1 order by id",
    )
    .bind(id)
    .fetch_all(state.store.pool())
    .await?
    .iter()
    .map(|row| {
        Ok(Product {
            id: row.try_get("id")?,
            company_id: row.try_get("company_id")?,
            name: row.try_get("name")?,
            description: row.try_get("description")?,
            hs_code: row.try_get("hs_code")?,
            tags: decode_list(&row.try_get::<String, _>("tags")?),
        })
    })
    .collect::<sqlx::Result<Vec<_>>>()?;
    let sql = format!(
        "select {USER_COLUMNS} where u.company_id = $1 and u.status = 'active' order by u.id"
    );
    let staff = sqlx::query(&sql)
        .bind(id)
        .fetch_all(state.store.pool())
        .await?
        .iter()
        .map(|row| user_from_row(row).map(|u| u.summary()))
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok(Json(CompanyDetail {
        company,
        products,
        staff,
    }))
}
