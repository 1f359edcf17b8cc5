//! The one error type at the HTTP edge, and its websocket twin.
//!
//! Every failure a client can see carries a stable [`ErrorCode`]. Database and unexpected
//! errors are logged in full and answered as a plain `internal` without internals.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use expo_schema::{ErrorBody, ErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A failure the client caused or can act on.
    #[error("{0}")]
    Client(ErrorBody),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError::Client(ErrorBody::new(code, message))
    }

    pub fn validation(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::Validation, message)
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::Forbidden, message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::NotFound, message)
    }

    /// The body a client sees. Internal errors are logged here, once, in full.
    pub fn body(&self) -> ErrorBody {
        match self {
            ApiError::Client(body) => body.clone(),
            ApiError::Database(error) if unreachable_db(error) => {
                tracing::error!(%error, "the database is not reachable");
                unavailable()
            }
            ApiError::Database(error) => {
                tracing::error!(%error, "database error");
                ErrorBody::new(ErrorCode::Internal, "internal error")
            }
            ApiError::Other(error) if unreachable(error) => {
                tracing::error!(
                    error = format!("{error:#}"),
                    "a dependency is not reachable"
                );
                unavailable()
            }
            ApiError::Other(error) => {
                tracing::error!(error = format!("{error:#}"), "internal error");
                ErrorBody::new(ErrorCode::Internal, "internal error")
            }
        }
    }
}

fn unavailable() -> ErrorBody {
    ErrorBody::new(
        ErrorCode::Unavailable,
        "a service this needs is not reachable right now; nothing was changed, try again",
    )
}

/// Whether a database error means the database is out of reach (not that the query was
/// wrong): the pool cannot connect, the connection broke, or the server is shutting down.
pub fn unreachable_db(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Tls(_) => true,
        // Class 08 (connection exception) and 57P0x (the server is shutting down or starting).
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || c.starts_with("57P0")),
        _ => false,
    }
}

/// Whether an error comes from an unreachable dependency (Redis, or the database).
fn unreachable(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<redis::RedisError>().is_some()
            || cause
                .downcast_ref::<sqlx::Error>()
                .is_some_and(unreachable_db)
    })
}

/// The HTTP status that goes with each code.
pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::BadRequest
        | ErrorCode::UnknownCommand
        | ErrorCode::InvalidCommand
        | ErrorCode::UnknownRoom
        | ErrorCode::NotSubscribed => StatusCode::BAD_REQUEST,
        ErrorCode::Validation | ErrorCode::UnknownPhrase | ErrorCode::Filtered => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        ErrorCode::MessageTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::RateLimited | ErrorCode::SlowMode => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::Unauthorized
        | ErrorCode::InvalidCredentials
        | ErrorCode::TokenExpired
        | ErrorCode::TokenRevoked => StatusCode::UNAUTHORIZED,
        ErrorCode::AccountPending
        | ErrorCode::AccountDisabled
        | ErrorCode::AccountRejected
        | ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Conflict | ErrorCode::SlotTaken => StatusCode::CONFLICT,
        ErrorCode::SlowConsumer | ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::ShuttingDown | ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = self.body();
        metrics::counter!("expo_http_errors_total", "code" => body.code.as_str()).increment(1);
        (status_of(body.code), Json(body)).into_response()
    }
}

/// Turns a unique-key violation into a `conflict` with a clear message; anything else passes.
pub fn on_unique_violation(error: sqlx::Error, message: &str) -> ApiError {
    if let sqlx::Error::Database(db) = &error {
        if db.is_unique_violation() {
            return ApiError::new(ErrorCode::Conflict, message);
        }
    }
    ApiError::Database(error)
}

/// Defines a wrapper of one of axum's extractors of request parts whose rejection is a typed
/// error (`bad_request`, 400) like every other failure, not axum's plain-text answer.
macro_rules! typed_parts_extractor {
    ($(#[$doc:meta])* $name:ident wraps $axum:ident, $what:literal) => {
        $(#[$doc])*
        pub struct $name<T>(pub T);

        impl<S, T> axum::extract::FromRequestParts<S> for $name<T>
        where
            T: serde::de::DeserializeOwned + Send,
            S: Send + Sync,
        {
            type Rejection = ApiError;

            async fn from_request_parts(
                parts: &mut axum::http::request::Parts,
                state: &S,
            ) -> Result<Self, ApiError> {
                match axum::extract::$axum::<T>::from_request_parts(parts, state).await {
                    Ok(axum::extract::$axum(value)) => Ok($name(value)),
                    Err(rejection) => Err(ApiError::new(
                        ErrorCode::BadRequest,
                        format!(concat!($what, " is not valid: {}"), rejection.body_text()),
                    )),
                }
            }
        }
    };
}

typed_parts_extractor!(
    /// A path parameter whose rejection is a typed error (`bad_request`, 400). Use it instead
    /// of `axum::extract::Path`.
    Path wraps Path, "the address"
);

typed_parts_extractor!(
    /// A query string whose rejection is a typed error (`bad_request`, 400). Use it instead of
    /// `axum::extract::Query`.
    Query wraps Query, "the query string"
);

/// The largest JSON request body (axum's default body limit); larger ones get 413.
pub const MAX_JSON_BODY_BYTES: usize = 2 * 1024 * 1024;

/// A JSON request body whose rejections are typed errors like every other failure:
/// `bad_request` for a body that is not JSON (or not sent as JSON), `validation` for JSON of
/// the wrong shape. Use it instead of `axum::Json` for request bodies.
pub struct JsonBody<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for JsonBody<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let bytes = json_bytes(req, state).await?;
        parse_json_object(&bytes).map(JsonBody)
    }
}

/// An optional JSON body (`Option<JsonBody<T>>`): none when the request names no
/// `Content-Type` (as with `axum::Json`) or its body is empty or `null`; otherwise read
/// exactly like a required one.
impl<S, T> axum::extract::OptionalFromRequest<S> for JsonBody<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(
        req: axum::extract::Request,
        state: &S,
    ) -> Result<Option<Self>, ApiError> {
        if !req.headers().contains_key(axum::http::header::CONTENT_TYPE) {
            return Ok(None);
        }
        let bytes = json_bytes(req, state).await?;
        if matches!(bytes.trim_ascii(), b"" | b"null") {
            return Ok(None);
        }
        parse_json_object(&bytes).map(|value| Some(JsonBody(value)))
    }
}

/// The bytes of a request body sent as JSON: `bad_request` when it is not labelled JSON or
/// cannot be read, `message_too_large` past [`MAX_JSON_BODY_BYTES`].
async fn json_bytes<S: Send + Sync>(
    req: axum::extract::Request,
    state: &S,
) -> Result<axum::body::Bytes, ApiError> {
    use axum::extract::FromRequest;
    let is_json = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| v == "application/json" || v.ends_with("+json"));
    if !is_json {
        return Err(ApiError::new(
            ErrorCode::BadRequest,
            "the body must be JSON: send Content-Type: application/json",
        ));
    }
    match axum::body::Bytes::from_request(req, state).await {
        Ok(bytes) => Ok(bytes),
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError::new(
            ErrorCode::MessageTooLarge,
            format!(
                "a JSON body may have at most {} MiB",
                MAX_JSON_BODY_BYTES >> 20
            ),
        )),
        Err(e) => Err(ApiError::new(
            ErrorCode::BadRequest,
            format!("the body could not be read: {}", e.body_text()),
        )),
    }
}

/// Reads a request body that must be one JSON object (every request body of the API is):
/// `bad_request` for text that is not JSON, `validation` for JSON of another shape (an
/// array, which serde would otherwise take for a struct's fields in order, or a scalar).
fn parse_json_object<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    use axum::extract::rejection::JsonRejection;
    if crate::http::guard::json_has_nul(bytes) {
        return Err(ApiError::validation(
            "text may not contain the NUL character (\\u0000)",
        ));
    }
    if bytes.trim_ascii_start().first() != Some(&b'{')
        && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
    {
        return Err(ApiError::validation("the body must be a JSON object"));
    }
    match Json::<T>::from_bytes(bytes) {
        Ok(Json(value)) => Ok(value),
        Err(JsonRejection::JsonDataError(e)) => {
            let wrong_shape =
                || ApiError::validation(format!("the body has the wrong shape: {}", e.body_text()));
            // JSON has one number type: `5.0` is the integer 5 (as JSON Schema's `integer`
            // says), though serde refuses it for an integer field.
            let value = integral_floats_as_integers(bytes).ok_or_else(wrong_shape)?;
            serde_json::from_value::<T>(value).map_err(|_| wrong_shape())
        }
        Err(e) => Err(ApiError::new(
            ErrorCode::BadRequest,
            format!("the body must be JSON: {}", e.body_text()),
        )),
    }
}

/// The JSON document in `bytes` with every whole-valued float that fits an `i64` written as an
/// integer (`5.0` becomes `5`), or `None` when it has no such float (nothing to retry).
fn integral_floats_as_integers(bytes: &[u8]) -> Option<serde_json::Value> {
    use serde_json::{Number, Value};
    fn walk(value: &mut Value, changed: &mut bool) {
        match value {
            Value::Number(n) if n.is_f64() => {
                let f = n.as_f64().unwrap_or(f64::NAN);
                // Strictly inside ±2^63: a literal just past i64's range reads as exactly
                // ±2^63 and must stay refused.
                if f.fract() == 0.0 && f > i64::MIN as f64 && f < i64::MAX as f64 {
                    *value = Value::Number(Number::from(f as i64));
                    *changed = true;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, changed)),
            Value::Object(fields) => fields.values_mut().for_each(|v| walk(v, changed)),
            _ => {}
        }
    }
    let mut value: Value = serde_json::from_slice(bytes).ok()?;
    let mut changed = false;
    walk(&mut value, &mut changed);
    changed.then_some(value)
}

#[cfg(test)]
mod tests {
    use super::integral_floats_as_integers;

    #[test]
    fn whole_floats_become_integers() {
        let v = integral_floats_as_integers(br#"{"a": 5.0, "b": [-2.0, 1.5], "c": 3}"#).unwrap();
        assert_eq!(v, serde_json::json!({"a": 5, "b": [-2, 1.5], "c": 3}));
        assert!(integral_floats_as_integers(br#"{"a": 1.5, "b": 2}"#).is_none());
        assert!(integral_floats_as_integers(br#"{"a": 1e300}"#).is_none());
        assert!(integral_floats_as_integers(br#"{"a": -9223372036854775809}"#).is_none());
    }
}
