//! The HTTP surface: the domains' routers merged, plus health, metrics, the API documents,
//! the websocket endpoint and the web client.

pub mod guard;

use crate::{auth, booths, chat, matching, meetings, monitor, stage, ws, AppState};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use expo_schema::api::Readiness;
use std::time::Instant;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Expo Hub API", description = "REST API of Expo Hub, the hybrid trade fair server. \
        Everything live (presence, chat, meeting updates) travels on the websocket at /ws, \
        described by /api/v1/protocol.json. Every request body is one JSON object; no text, in a \
        body, a path or a query, may hold the NUL character (U+0000)."),
    tags((name = "auth", description = "Sign-in and sessions"),
         (name = "users", description = "Accounts, approval and invitations"),
         (name = "fair", description = "Halls, companies and products"),
         (name = "booths", description = "Booth editing, media, search, recommendations, leads"),
         (name = "chat", description = "Inbox, talk-to-staff follow-up, moderation, blocks, the phrasebook"),
         (name = "meetings", description = "Slot grid, availability, requests and answers, interpreters, tables, check-in, outcomes, calendars"),
         (name = "matchmaking", description = "Two-way interest, the buyer directory, suggestions, accepted pairs, scheduler runs, hand moves and publishing"),
         (name = "stage", description = "Stages and shows; where encoders publish; the media server's publish callbacks"),
         (name = "monitoring", description = "Badges and check-ins, the live dashboard, reports, exhibitor figures"),
         (name = "ops", description = "Health and readiness")),
    // Referenced by the `texts` maps, whose schemas are written by hand (`schema_with`).
    components(schemas(expo_schema::api::CompanyText, expo_schema::api::ProductText, expo_schema::api::ShowText)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

/// Every REST route with its OpenAPI description: each domain registers its handlers with
/// `routes!`, which takes the path, method and responses from the handler's own
/// `#[utoipa::path]`, so a route cannot be served without being documented.
fn api() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::{router::OpenApiRouter, routes};
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(auth::routes::router())
        .merge(booths::router())
        .merge(chat::routes::router())
        .merge(meetings::routes::router())
        .merge(meetings::calendar::router())
        .merge(monitor::router())
        .merge(matching::router())
        .merge(stage::router())
        .routes(routes!(healthz))
        .routes(routes!(readyz))
}

/// The REST routes and the published OpenAPI document: the routes' own descriptions plus
/// the refusals every route shares ([`Refusals`]).
fn api_parts() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (routes, mut doc) = api().split_for_parts();
    utoipa::Modify::modify(&Refusals, &mut doc);
    (routes, doc)
}

/// The published OpenAPI document (served at `/api/v1/openapi.json`).
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    api_parts().1
}

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Operations anyone may call without signing in (every other one takes a session).
const PUBLIC: &[(&str, &str)] = &[
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/register"),
    ("post", "/api/v1/invitations/accept"),
    ("get", "/api/v1/fair"),
    ("get", "/api/v1/calendar/{file}"),
    // The media server's callbacks: a shared secret in the query, not a session.
    ("post", "/api/v1/stage/rtmp/publish"),
    ("post", "/api/v1/stage/rtmp/publish-done"),
    ("post", "/api/v1/stage/rtmp/record-done"),
    ("get", "/healthz"),
    ("get", "/readyz"),
];

/// The refusals every route shares, documented on every operation where they can happen,
/// so the document cannot leave one out: `401` on every signed-in route (with its bearer
/// requirement), `400` where a path or query parameter can fail to parse (`error::Path`,
/// `error::Query`), `404` where a path names a record, `422` where a query value can be out
/// of range, and `400`, `413` and `422` where a JSON body can be not JSON, too large or of
/// the wrong shape (`error::JsonBody`). Each is an `ErrorBody`.
struct Refusals;

impl utoipa::Modify for Refusals {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{Operation, ParameterIn};
        use utoipa::openapi::security::SecurityRequirement;
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let refusal = |what: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(what)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorBody")))
                            .build(),
                    )
                    .build(),
            )
        };
        let add = |op: &mut Operation, status: &str, what: &str| {
            op.responses
                .responses
                .entry(status.to_string())
                .or_insert_with(|| refusal(what));
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let ops = [
                ("get", &mut item.get),
                ("put", &mut item.put),
                ("post", &mut item.post),
                ("delete", &mut item.delete),
                ("patch", &mut item.patch),
            ];
            for (method, op) in ops {
                let Some(op) = op.as_mut() else { continue };
                if !PUBLIC.contains(&(method, path.as_str())) {
                    op.security = Some(vec![SecurityRequirement::new(
                        "bearer",
                        Vec::<String>::new(),
                    )]);
                    add(op, "401", "not signed in, or the session expired");
                }
                let in_path = op
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| matches!(p.parameter_in, ParameterIn::Path));
                let in_query = op
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| matches!(p.parameter_in, ParameterIn::Query));
                if in_path || in_query {
                    add(op, "400", "a path or query parameter is not valid");
                }
                if in_path {
                    add(op, "404", "nothing has that id");
                }
                if in_query {
                    add(op, "422", "a query value is out of range");
                }
                if op.request_body.is_some() {
                    add(op, "400", "the body is not JSON");
                    add(op, "413", "the body is too large");
                    add(op, "422", "the body does not have the expected shape");
                }
            }
        }
    }
}

pub fn router(state: AppState) -> Router {
    let assets = state.config.assets_dir();
    // Players fetch the stage's HLS and recordings from the media server: its origins are
    // media sources.
    let mut media_origins: Vec<String> = [
        state.config.stage_hls_base.clone(),
        state.config.replay_base(),
    ]
    .iter()
    .filter_map(|base| guard::origin_of(base))
    .collect();
    media_origins.dedup();
    let security = guard::SecurityHeaders::new(state.config.cookie_secure(), &media_origins);
    let static_files = ServeDir::new(&assets)
        .append_index_html_on_directories(true)
        .fallback(ServeFile::new(assets.join("index.html")));
    let (api_routes, doc) = api_parts();
    let doc: std::sync::Arc<str> = serde_json::to_string(&doc)
        .expect("the OpenAPI document serializes")
        .into();
    api_routes
        .route("/ws", get(ws::upgrade))
        .route("/metrics", get(metrics_text))
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let doc = doc.clone();
                async move {
                    (
                        [(header::CONTENT_TYPE, "application/json")],
                        doc.to_string(),
                    )
                }
            }),
        )
        .route("/api/v1/protocol.json", get(protocol))
        .route("/api/{*rest}", axum::routing::any(api_not_found))
        .fallback_service(static_files)
        .layer(middleware::from_fn(refuse_nul_in_uri))
        .layer(middleware::from_fn(record_http))
        .layer(middleware::from_fn_with_state(
            security,
            guard::security_headers,
        ))
        // Spans name the route template, never the raw address: `/ws?token=…` and
        // `/api/v1/calendar/{token}.ics` carry secrets that must not reach a log line.
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                let route = request
                    .extensions()
                    .get::<MatchedPath>()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_else(|| "static".into());
                tracing::debug_span!("http", method = %request.method(), route)
            }),
        )
        .with_state(state)
}

/// Counts requests and their latency by route template (never by raw path).
async fn record_http(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "static".into());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("expo_http_requests_total", "route" => route.clone(), "method" => method, "status" => status)
        .increment(1);
    metrics::histogram!("expo_http_request_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200, description = "alive")))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// The store and (when configured) Redis answer and the bus is subscribed; 503 otherwise.
#[utoipa::path(get, path = "/readyz", tag = "ops",
    responses((status = 200, body = Readiness), (status = 503, body = Readiness)))]
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let (store_ok, engine_ok) = tokio::join!(state.store.ping(), state.engine.ping());
    let shutting_down = state.hub.shutdown_token().is_cancelled();
    let bus_subscribed = state.engine.bus.is_subscribed();
    let tasks_down = state.hub.tasks().down();
    let ready = store_ok && engine_ok && bus_subscribed && tasks_down.is_empty() && !shutting_down;
    metrics::gauge!("expo_store_ok").set(if store_ok { 1.0 } else { 0.0 });
    metrics::gauge!("expo_engine_ok").set(if engine_ok { 1.0 } else { 0.0 });
    let body = Readiness {
        ready,
        store: state.store.kind().as_str().into(),
        store_ok,
        engine: state.engine.name.into(),
        engine_ok,
        bus_subscribed,
        tasks_down,
    };
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}

/// A NUL character (`%00`) in a path or query reaches no handler: Postgres cannot store it in
/// text, and no name, search or file name needs one.
async fn refuse_nul_in_uri(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let has_nul = |s: &str| s.to_ascii_lowercase().contains("%00");
    if has_nul(uri.path()) || uri.query().is_some_and(has_nul) {
        return crate::error::ApiError::new(
            expo_schema::ErrorCode::BadRequest,
            "the address holds a NUL character",
        )
        .into_response();
    }
    next.run(request).await
}

/// Prometheus figures, for a scraper holding `EXPO_METRICS_TOKEN` as a bearer token. Without a
/// configured token the endpoint does not exist.
async fn metrics_text(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    let Some(expected) = state
        .config
        .metrics_token
        .as_deref()
        .filter(|t| !t.is_empty())
    else {
        return api_not_found().await.into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "a metrics token is required",
        )
            .into_response();
    }
    metrics::gauge!("expo_node_connections").set(state.hub.connection_count() as f64);
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

/// Compares two secrets in time that depends on their lengths only.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Unknown API paths get a JSON 404, not the web client's page.
async fn api_not_found() -> crate::error::ApiError {
    crate::error::ApiError::not_found("no such API endpoint")
}

async fn protocol() -> Json<serde_json::Value> {
    Json(expo_schema::protocol::json_schema())
}

/// `text` as a QR code, an SVG response (table check-in links, badges).
pub fn qr_svg(text: &str) -> crate::error::ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let qr = qrcode::QrCode::new(text.as_bytes())
        .map_err(|e| crate::error::ApiError::Other(anyhow::anyhow!("qr code: {e}")))?;
    let svg = qr
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .build();
    Ok(([(axum::http::header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}
