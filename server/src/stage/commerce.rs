//! Commerce in the stream (issue 14, item 4): a buyer asks the company behind a product for a
//! quote or a sample, from the show that pinned it or from the booth page, consenting to the
//! exhibitor getting their contact; the company's staff hear of it at once
//! (`quote_requested` in their `user:{id}` rooms) and find it in their leads. Quote
//! requests and meetings booked from a show are counted per show
//! (`GET /shows/{id}/commerce`, and per company in the leads report).

use super::edit::runs_show;
use super::load_show;
use crate::auth::Caller;
use crate::booths::require_editor;
use crate::error::{ApiError, ApiResult, JsonBody, Path};
use crate::events;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use expo_schema::api::{QuoteRequestInput, QuoteRequestList, ShowCommerce};
use expo_schema::protocol::room::Room;
use expo_schema::protocol::RoomEvent;
use expo_schema::{ErrorBody, QuoteBuyer, QuoteKind, QuoteRequest, Role};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::BTreeMap;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(request_quote))
        .routes(routes!(company_quote_requests))
        .routes(routes!(show_commerce))
}

const MAX_QUANTITY_CHARS: usize = 100;
const MAX_MESSAGE_CHARS: usize = 2000;

/// The columns [`request_from_row`] reads.
const REQUEST_SELECT: &str = "select q.id, q.company_id, q.product_id, p.name as product_name, \
     q.show_id, q.kind, q.quantity, q.message, q.consent, q.created_ms, q.buyer_id, \
     u.name as buyer_name, u.email as buyer_email, u.buyer_company, u.country as buyer_country \
     from quote_requests q join users u on u.id = q.buyer_id \
     left join products p on p.id = q.product_id";

fn request_from_row(row: &AnyRow) -> sqlx::Result<QuoteRequest> {
    let kind: String = row.try_get("kind")?;
    Ok(QuoteRequest {
        id: row.try_get("id")?,
        company_id: row.try_get("company_id")?,
        product_id: row.try_get("product_id")?,
        product_name: row.try_get("product_name")?,
        buyer: QuoteBuyer {
            id: row.try_get("buyer_id")?,
            name: row.try_get("buyer_name")?,
            email: row.try_get("buyer_email")?,
            company_name: row.try_get("buyer_company")?,
            country: row.try_get("buyer_country")?,
        },
        show_id: row.try_get("show_id")?,
        kind: QuoteKind::parse(&kind).unwrap_or(QuoteKind::Quote),
        quantity: row.try_get("quantity")?,
        message: row.try_get("message")?,
        consent: row.try_get::<i64, _>("consent")? == 1,
        created_ms: row.try_get("created_ms")?,
    })
}

/// A trimmed optional text of at most `max` characters; blank is none.
fn clean_text(field: &str, value: Option<&str>, max: usize) -> ApiResult<Option<String>> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > max {
        return Err(ApiError::validation(format!(
            "{field}: at most {max} characters"
        )));
    }
    Ok(Some(value.to_string()))
}

/// A company's quote and sample requests, oldest first.
pub async fn requests_of(state: &AppState, company_id: i64) -> ApiResult<Vec<QuoteRequest>> {
    let rows = sqlx::query(&format!(
        "{REQUEST_SELECT} where q.company_id = $1 order by q.created_ms, q.id"
    ))
    .bind(company_id)
    .fetch_all(state.store.pool())
    .await?;
    Ok(rows
        .iter()
        .map(request_from_row)
        .collect::<sqlx::Result<Vec<_>>>()?)
}

/// What each show brought the company: its quote and sample requests and the meetings
/// booked from it, by show.
pub async fn company_show_counts(
    state: &AppState,
    company_id: i64,
) -> ApiResult<Vec<ShowCommerce>> {
    let pool = state.store.pool();
    let mut shows: BTreeMap<i64, ShowCommerce> = BTreeMap::new();
    let requests: Vec<(i64, String, i64)> = sqlx::query_as(
        "select show_id, kind, count(*) from quote_requests \
         where company_id = $1 and show_id is not null group by show_id, kind",
    )
    .bind(company_id)
    .fetch_all(pool)
    .await?;
    for (show_id, kind, n) in requests {
        count(shows.entry(show_id).or_default(), &kind, n);
    }
    let meetings: Vec<(i64, i64)> = sqlx::query_as(
        "select show_id, count(*) from meetings \
         where company_id = $1 and show_id is not null group by show_id",
    )
    .bind(company_id)
    .fetch_all(pool)
    .await?;
    for (show_id, n) in meetings {
        shows.entry(show_id).or_default().meetings_booked = n;
    }
    Ok(shows
        .into_iter()
        .map(|(show_id, counts)| ShowCommerce { show_id, ..counts })
        .collect())
}

fn count(counts: &mut ShowCommerce, kind: &str, n: i64) {
    match QuoteKind::parse(kind) {
        Some(QuoteKind::Quote) => counts.quote_requests += n,
        Some(QuoteKind::Sample) => counts.sample_requests += n,
        None => {}
    }
}

/// A buyer asks the product's company for a quote or a sample, consenting that the
/// exhibitor gets their contact (422 without). From a show, `show_id` names it: it must
/// exist (404) and the product be its host's or featured in it (422). The company's staff
/// hear `quote_requested` at once, on every node.
#[utoipa::path(post, path = "/api/v1/products/{id}/quote-requests", tag = "stage",
    request_body = QuoteRequestInput,
    params(("id" = i64, Path, description = "product id")),
    responses((status = 201, body = QuoteRequest), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn request_quote(
    State(state): State<AppState>,
    caller: Caller,
    Path(product_id): Path<i64>,
    JsonBody(input): JsonBody<QuoteRequestInput>,
) -> ApiResult<(StatusCode, Json<QuoteRequest>)> {
    caller.require_role(Role::Buyer)?;
    if !input.consent {
        return Err(ApiError::validation(
            "consent: the exhibitor gets your contact details only if you agree",
        ));
    }
    let quantity = clean_text("quantity", input.quantity.as_deref(), MAX_QUANTITY_CHARS)?;
    let message = clean_text("message", input.message.as_deref(), MAX_MESSAGE_CHARS)?;
    let company_id: i64 = sqlx::query_scalar("select company_id from products where id = $1")
        .bind(product_id)
        .fetch_optional(state.store.pool())
        .await?
        .ok_or_else(|| ApiError::not_found("no such product"))?;
    if let Some(show_id) = input.show_id {
        let show = load_show(&state, show_id, "en").await?.show;
        let shown = show.host_company_id == Some(company_id)
            || show.featured_product_ids.contains(&product_id);
        if !shown {
            return Err(ApiError::validation(
                "show_id: the product is neither the host's nor featured in that show",
            ));
        }
    }
    let mut conn = state.store.pool().acquire().await?;
    let new = NewRequest {
        company_id,
        product_id,
        buyer_id: caller.user.id,
        show_id: input.show_id,
        kind: input.kind,
        quantity: quantity.as_deref(),
        message: message.as_deref(),
    };
    let id = write_request(&mut conn, &new, state.now_ms()).await?;
    drop(conn);
    let row = sqlx::query(&format!("{REQUEST_SELECT} where q.id = $1"))
        .bind(id)
        .fetch_one(state.store.pool())
        .await?;
    let request = request_from_row(&row)?;
    tell_staff(&state, &request).await;
    Ok((StatusCode::CREATED, Json(request)))
}

/// A checked quote or sample request, consented, as it is stored.
pub(crate) struct NewRequest<'a> {
    pub company_id: i64,
    pub product_id: i64,
    pub buyer_id: i64,
    pub show_id: Option<i64>,
    pub kind: QuoteKind,
    pub quantity: Option<&'a str>,
    pub message: Option<&'a str>,
}

/// The only SQL that stores a quote request (the route above and the demo fair); its id.
pub(crate) async fn write_request(
    conn: &mut sqlx::AnyConnection,
    request: &NewRequest<'_>,
    at_ms: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into quote_requests (company_id, product_id, buyer_id, show_id, kind, quantity, \
         message, consent, created_ms) values ($1, $2, $3, $4, $5, $6, $7, 1, $8) returning id",
    )
    .bind(request.company_id)
    .bind(request.product_id)
    .bind(request.buyer_id)
    .bind(request.show_id)
    .bind(request.kind.as_str())
    .bind(request.quantity)
    .bind(request.message)
    .bind(at_ms)
    .fetch_one(&mut *conn)
    .await
}

/// Tells every active staff member of the company (in their `user:{id}` rooms, so every
/// device and node of theirs hears it, on duty or not).
async fn tell_staff(state: &AppState, request: &QuoteRequest) {
    let staff: Vec<i64> = sqlx::query_scalar(
        "select id from users where role = 'exhibitor' and company_id = $1 and status = 'active'",
    )
    .bind(request.company_id)
    .fetch_all(state.store.pool())
    .await
    .unwrap_or_default();
    for id in staff {
        let event = RoomEvent::QuoteRequested {
            request: request.clone(),
        };
        events::publish(&state.hub, Room::User(id), event).await;
    }
}

/// The company's quote and sample requests, newest first, with each buyer's contact (they
/// consented): the company's staff and organizers.
#[utoipa::path(get, path = "/api/v1/companies/{id}/quote-requests", tag = "stage",
    params(("id" = i64, Path, description = "company id")),
    responses((status = 200, body = QuoteRequestList), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn company_quote_requests(
    State(state): State<AppState>,
    caller: Caller,
    Path(company_id): Path<i64>,
) -> ApiResult<Json<QuoteRequestList>> {
    require_editor(&caller, company_id)?;
    crate::booths::load_company(&state.store, company_id, "en").await?;
    let mut requests = requests_of(&state, company_id).await?;
    requests.reverse();
    Ok(Json(QuoteRequestList { requests }))
}

/// What a show brought in, over every company: quote requests, sample requests, meetings
/// booked from it (organizers and the host company's staff).
#[utoipa::path(get, path = "/api/v1/shows/{id}/commerce", tag = "stage",
    params(("id" = i64, Path, description = "show id")),
    responses((status = 200, body = ShowCommerce), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn show_commerce(
    State(state): State<AppState>,
    caller: Caller,
    Path(show_id): Path<i64>,
) -> ApiResult<Json<ShowCommerce>> {
    let show = load_show(&state, show_id, "en").await?.show;
    if !runs_show(&caller, &show) {
        return Err(ApiError::forbidden(
            "only organizers and the host company's staff see a show's commerce",
        ));
    }
    let pool = state.store.pool();
    let mut counts = ShowCommerce {
        show_id,
        ..ShowCommerce::default()
    };
    let requests: Vec<(String, i64)> = sqlx::query_as(
        "select kind, count(*) from quote_requests where show_id = $1 group by kind",
    )
    .bind(show_id)
    .fetch_all(pool)
    .await?;
    for (kind, n) in requests {
        count(&mut counts, &kind, n);
    }
    counts.meetings_booked = sqlx::query_scalar("select count(*) from meetings where show_id = $1")
        .bind(show_id)
        .fetch_one(pool)
        .await?;
    Ok(Json(counts))
}
