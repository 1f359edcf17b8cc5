//! REST endpoints for sign-in, registration, approval and invitations.

use super::{
    authenticate, check_country, check_status, check_timezone, create_session, load_user,
    normalize_email, password, throttle, user_from_row, Caller, SESSION_COOKIE, USER_COLUMNS,
};
use crate::engine::BusMessage;
use crate::error::{on_unique_violation, ApiError, ApiResult, JsonBody};
use crate::error::{Path, Query};
use crate::http::guard::ClientAddress;
use crate::store::json::encode_list;
use crate::store::{flag, now_ms};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use expo_schema::api::UserFilter;
use expo_schema::api::*;
use expo_schema::{AccountStatus, Application, ErrorBody, ErrorCode, Role, UserProfile};
use sqlx::Row;
use utoipa_axum::{router::OpenApiRouter, routes};

/// How long an invitation may wait to be accepted.
pub(crate) const INVITATION_TTL_MS: i64 = 14 * 24 * 3600 * 1000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(register))
        .routes(routes!(list_users))
        .routes(routes!(approve))
        .routes(routes!(disable))
        .routes(routes!(invite))
        .routes(routes!(accept_invitation))
        .merge(super::people::router())
}

fn session_cookie(state: &AppState, token: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if state.config.cookie_secure() {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    ))
    .expect("a token is always a valid header value")
}

async fn signed_in(state: &AppState, user: UserProfile) -> ApiResult<Response> {
    let ttl = state.config.session_ttl_secs;
    let (token, expires_ms) = create_session(&state.store, user.id, ttl).await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::SET_COOKIE,
        session_cookie(state, &token, ttl as i64),
    );
    Ok((
        headers,
        Json(LoginResponse {
            token,
            expires_ms,
            user,
        }),
    )
        .into_response())
}

/// Sign in with email and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; also sets the session cookie", body = LoginResponse),
        (status = 401, description = "invalid_credentials", body = ErrorBody),
        (status = 403, description = "account_pending (with `application`), account_rejected (with the reason) or account_disabled", body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    address: ClientAddress,
    JsonBody(req): JsonBody<LoginRequest>,
) -> ApiResult<Response> {
    let email = req.email.trim().to_lowercase();
    if email.len() > 254 || req.password.len() > 1024 {
        return Err(ApiError::new(
            ErrorCode::InvalidCredentials,
            "email or password is wrong",
        ));
    }
    // Over the limits, the attempt is refused before anything is hashed.
    throttle::check(&state, &email, &address.0).await?;
    let row = sqlx::query("select id, password_hash from users where email = $1")
        .bind(&email)
        .fetch_optional(state.store.pool())
        .await?;
    let invalid = || ApiError::new(ErrorCode::InvalidCredentials, "email or password is wrong");
    let turn = throttle::hashing_turn().await?;
    let (id, ok) = match row {
        Some(row) => {
            let id: i64 = row.try_get("id")?;
            let phc: String = row.try_get("password_hash")?;
            (Some(id), password::verify(req.password, phc).await)
        }
        None => {
            // Spend the same time as a real check, so timing does not reveal which emails
            // exist; the miss counts against the email and the address like any other.
            let _ = password::verify(req.password, password::dummy_hash().await).await;
            (None, false)
        }
    };
    drop(turn);
    let Some(id) = id.filter(|_| ok) else {
        throttle::failed(&state, &email, &address.0).await?;
        tracing::info!(address = %address.0, "failed sign-in");
        return Err(invalid());
    };
    throttle::succeeded(&state, &email).await?;
    let user = load_user(&state.store, id).await?.ok_or_else(invalid)?;
    if user.status != AccountStatus::Active {
        return Err(refusal(&state, &user).await?);
    }
    signed_in(&state, user).await
}

/// Why an account that gave the right password may not sign in. A registration waiting for
/// approval, or rejected, says where it stands (codes and times; the client words it), so the
/// applicant sees a waiting page rather than a bare refusal.
async fn refusal(state: &AppState, user: &UserProfile) -> ApiResult<ApiError> {
    let rejected_ms: Option<i64> =
        sqlx::query_scalar("select rejected_ms from users where id = $1")
            .bind(user.id)
            .fetch_one(state.store.pool())
            .await?;
    let (code, message) = match (user.status, rejected_ms) {
        (AccountStatus::Pending, _) => (
            ErrorCode::AccountPending,
            "the account waits for an organizer's approval",
        ),
        (AccountStatus::Disabled, Some(_)) => (
            ErrorCode::AccountRejected,
            "an organizer rejected this registration",
        ),
        (status, _) => {
            return Ok(check_status(status)
                .err()
                .unwrap_or_else(|| ApiError::new(ErrorCode::Internal, "not refused")))
        }
    };
    let mut body = ErrorBody::new(code, message);
    body.application = Some(Box::new(Application {
        registered_ms: user.created_ms,
        rejected_ms,
        reason: user.rejection_reason.clone(),
    }));
    Ok(ApiError::Client(body))
}

/// End this session. Every websocket opened with it closes (on every node).
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "Signed out"), (status = 401, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    sqlx::query("update sessions set revoked_ms = $1 where id = $2 and revoked_ms is null")
        .bind(now_ms())
        .bind(caller.session_id)
        .execute(state.store.pool())
        .await?;
    state
        .engine
        .bus
        .publish(BusMessage::CloseSession {
            session_id: caller.session_id,
        })
        .await?;
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, session_cookie(&state, "", 0));
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}

/// The signed-in user's profile.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = UserProfile), (status = 401, body = ErrorBody)))]
pub async fn me(caller: Caller) -> Json<UserProfile> {
    Json(caller.user)
}

/// A buyer registers; the account waits for an organizer's approval. The answer is the same
/// whether or not the email already had an account (then nothing changes).
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth",
    request_body = RegisterBuyerRequest,
    responses((status = 202, body = RegistrationReceived), (status = 422, body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<RegisterBuyerRequest>,
) -> ApiResult<(StatusCode, Json<RegistrationReceived>)> {
    let email = normalize_email(&req.email)?;
    password::check_strength_for(&req.password, &email).map_err(ApiError::validation)?;
    check_country(&req.country)?;
    check_timezone(&req.timezone)?;
    let name = required_text(&req.name, "name")?;
    let company = required_text(&req.company_name, "company_name")?;
    let phc = {
        let _turn = throttle::hashing_turn().await?;
        password::hash(req.password).await?
    };
    let inserted = sqlx::query(
        "insert into users (email, name, role, status, password_hash, buyer_company, country, \
         timezone, languages, interests, share_contact, created_ms) \
         values ($1, $2, 'buyer', 'pending', $3, $4, $5, $6, $7, $8, $9, $10) \
         on conflict (email) do nothing",
    )
    .bind(&email)
    .bind(name)
    .bind(phc)
    .bind(company)
    .bind(&req.country)
    .bind(&req.timezone)
    .bind(encode_list(&req.languages))
    .bind(encode_list(&req.interests))
    .bind(flag(req.share_contact))
    .bind(now_ms())
    .execute(state.store.pool())
    .await?;
    if inserted.rows_affected() == 0 {
        tracing::info!("registration for an email that already has an account");
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(RegistrationReceived {
            email,
            name: name.to_string(),
            status: AccountStatus::Pending,
        }),
    ))
}

fn required_text<'a>(value: &'a str, field: &str) -> ApiResult<&'a str> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 200 {
        Err(ApiError::validation(format!(
            "{field} must have 1 to 200 characters"
        )))
    } else {
        Ok(trimmed)
    }
}

/// Users, for organizers.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(UserFilter),
    responses((status = 200, body = UserList), (status = 403, body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
    Query(filter): Query<UserFilter>,
) -> ApiResult<Json<UserList>> {
    caller.require_role(Role::Organizer)?;
    let sql = format!(
        "select {USER_COLUMNS} where ($1 = '' or u.role = $1) and ($2 = '' or u.status = $2) \
         and ($3 = '' or lower(u.name || ' ' || u.email || ' ' || coalesce(c.name, u.buyer_company, '')) \
         like $3) order by u.id limit 5000"
    );
    let q = filter.q.unwrap_or_default().trim().to_lowercase();
    let pattern = if q.is_empty() {
        String::new()
    } else {
        let escaped = q.replace(['%', '_'], "");
        format!("%{escaped}%")
    };
    let rows = sqlx::query(&sql)
        .bind(filter.role.map(|r| r.as_str()).unwrap_or_default())
        .bind(filter.status.unwrap_or_default())
        .bind(pattern)
        .fetch_all(state.store.pool())
        .await?;
    let users = rows
        .iter()
        .map(user_from_row)
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok(Json(UserList { users }))
}

/// Approve a pending buyer.
#[utoipa::path(post, path = "/api/v1/users/{id}/approve", tag = "users",
    params(("id" = i64, Path, description = "user id")),
    responses((status = 200, body = UserProfile), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<UserProfile>> {
    caller.require_role(Role::Organizer)?;
    let was_pending = load_user(&state.store, id)
        .await?
        .is_some_and(|u| u.status == AccountStatus::Pending);
    sqlx::query("update users set rejected_ms = null, rejection_reason = null where id = $1")
        .bind(id)
        .execute(state.store.pool())
        .await?;
    let user = set_status(&state, id, "active").await?;
    if was_pending {
        super::people::mail_approval(&state, &user);
    }
    Ok(user)
}

/// Disable an account; its open websockets close at once.
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "users",
    params(("id" = i64, Path, description = "user id")),
    responses((status = 200, body = UserProfile), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "organizers cannot disable themselves")))]
pub async fn disable(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<UserProfile>> {
    caller.require_role(Role::Organizer)?;
    if id == caller.user.id {
        return Err(ApiError::validation("organizers cannot disable themselves"));
    }
    let user = set_status(&state, id, "disabled").await?;
    sqlx::query("update sessions set revoked_ms = $1 where user_id = $2 and revoked_ms is null")
        .bind(now_ms())
        .bind(id)
        .execute(state.store.pool())
        .await?;
    state
        .engine
        .bus
        .publish(BusMessage::CloseUser { user_id: id })
        .await?;
    Ok(user)
}

async fn set_status(state: &AppState, id: i64, status: &str) -> ApiResult<Json<UserProfile>> {
    let done = sqlx::query("update users set status = $1 where id = $2")
        .bind(status)
        .bind(id)
        .execute(state.store.pool())
        .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::not_found("no such user"));
    }
    let user = load_user(&state.store, id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such user"))?;
    Ok(Json(user))
}

/// Invite exhibitor staff (organizers, or a company's admin for their own company) or an
/// interpreter (organizers). The token is returned once; send it to the invitee.
#[utoipa::path(post, path = "/api/v1/invitations", tag = "users",
    request_body = InviteRequest,
    responses((status = 201, body = InviteResponse), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn invite(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(req): JsonBody<InviteRequest>,
) -> ApiResult<(StatusCode, Json<InviteResponse>)> {
    let email = normalize_email(&req.email)?;
    let name = required_text(&req.name, "name")?;
    if let Some(tz) = &req.timezone {
        check_timezone(tz)?;
    }
    match req.role {
        Role::Exhibitor => {
            let company_id = req
                .company_id
                .ok_or_else(|| ApiError::validation("exhibitor staff need a company_id"))?;
            let own_company_admin = caller.user.role == Role::Exhibitor
                && caller.user.company_admin
                && caller.user.company_id == Some(company_id);
            if !(caller.is_organizer() || own_company_admin) {
                return Err(ApiError::forbidden(
                    "only organizers and the company's admin invite its staff",
                ));
            }
            if req.company_admin && !caller.is_organizer() {
                return Err(ApiError::forbidden(
                    "only organizers appoint company admins",
                ));
            }
            let exists: Option<i64> = sqlx::query_scalar("select id from companies where id = $1")
                .bind(company_id)
                .fetch_optional(state.store.pool())
                .await?;
            if exists.is_none() {
                return Err(ApiError::not_found("no such company"));
            }
        }
        Role::Interpreter => {
            caller.require_role(Role::Organizer)?;
            if req.company_id.is_some() {
                return Err(ApiError::validation("interpreters belong to no company"));
            }
        }
        Role::Buyer | Role::Organizer => {
            return Err(ApiError::validation(
                "only exhibitor staff and interpreters are invited; buyers register themselves",
            ))
        }
    }
    let (token, hash) = password::new_token();
    let now = now_ms();
    let expires_ms = now + INVITATION_TTL_MS;
    let language = crate::mail::language_of_list(&req.languages);
    let invitation_id: i64 = sqlx::query_scalar(
        "insert into invitations (token_hash, email, name, role, company_id, company_admin, \
         languages, timezone, invited_by, created_ms, expires_ms, language, sent_ms) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $10) returning id",
    )
    .bind(hash)
    .bind(&email)
    .bind(name)
    .bind(req.role.as_str())
    .bind(req.company_id)
    .bind(flag(req.company_admin))
    .bind(encode_list(&req.languages))
    .bind(req.timezone.as_deref())
    .bind(caller.user.id)
    .bind(now)
    .bind(expires_ms)
    .bind(language)
    .fetch_one(state.store.pool())
    .await?;
    let accept_path = format!("/#/accept?token={token}");
    let mailed =
        super::people::mail_invitation(&state, &email, name, language, &accept_path, expires_ms);
    Ok((
        StatusCode::CREATED,
        Json(InviteResponse {
            invitation_id,
            accept_path,
            token,
            expires_ms,
            mailed,
        }),
    ))
}

/// Accept an invitation: set a password, and be signed in.
#[utoipa::path(post, path = "/api/v1/invitations/accept", tag = "users",
    request_body = AcceptInvitationRequest,
    responses((status = 200, body = LoginResponse), (status = 404, description = "unknown, used or expired token", body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn accept_invitation(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<AcceptInvitationRequest>,
) -> ApiResult<Response> {
    password::check_strength(&req.password).map_err(ApiError::validation)?;
    let hash = password::token_hash(&req.token);
    // Check the token before the (deliberately slow) hashing, so made-up tokens cost nothing.
    let usable: i64 = sqlx::query_scalar(
        "select count(*) from invitations where token_hash = $1 and accepted_ms is null \
         and revoked_ms is null and expires_ms > $2",
    )
    .bind(&hash)
    .bind(now_ms())
    .fetch_one(state.store.pool())
    .await?;
    if usable == 0 {
        return Err(ApiError::not_found(
            "this invitation is unknown, used or expired",
        ));
    }
    let phc = {
        let _turn = throttle::hashing_turn().await?;
        password::hash(req.password).await?
    };
    let mut tx = state.store.begin_write().await?;
    // Claiming the invitation and creating the account happen in one transaction, so a token
    // can be used once only even when two tabs race.
    let claimed = sqlx::query(
        "update invitations set accepted_ms = $1 where token_hash = $2 and accepted_ms is null \
         and revoked_ms is null and expires_ms > $1 \
         returning email, name, role, company_id, company_admin, languages, timezone, user_id",
    )
    .bind(now_ms())
    .bind(&hash)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(inv) = claimed else {
        return Err(ApiError::not_found(
            "this invitation is unknown, used or expired",
        ));
    };
    let timezone: Option<String> = inv.try_get("timezone")?;
    // An imported buyer's account exists already, with their data: it gets its password.
    if let Some(user_id) = inv.try_get::<Option<i64>, _>("user_id")? {
        let done = sqlx::query(
            "update users set password_hash = $1, status = 'active' where id = $2 and role = 'buyer'",
        )
        .bind(phc.clone())
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(ApiError::not_found(
                "this invitation is unknown, used or expired",
            ));
        }
        tx.commit().await?;
        let user = load_user(&state.store, user_id)
            .await?
            .ok_or_else(|| ApiError::not_found("the account vanished"))?;
        return signed_in(&state, user).await;
    }
    let id: i64 = sqlx::query_scalar(
        "insert into users (email, name, role, status, password_hash, company_id, company_admin, \
         timezone, languages, created_ms) values ($1, $2, $3, 'active', $4, $5, $6, $7, $8, $9) returning id",
    )
    .bind(inv.try_get::<String, _>("email")?)
    .bind(inv.try_get::<String, _>("name")?)
    .bind(inv.try_get::<String, _>("role")?)
    .bind(phc)
    .bind(inv.try_get::<Option<i64>, _>("company_id")?)
    .bind(inv.try_get::<i64, _>("company_admin")?)
    .bind(timezone.unwrap_or_else(|| "Asia/Seoul".into()))
    .bind(inv.try_get::<String, _>("languages")?)
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| on_unique_violation(e, "an account with this email exists"))?;
    tx.commit().await?;
    let user = load_user(&state.store, id)
        .await?
        .ok_or_else(|| ApiError::not_found("the new account vanished"))?;
    signed_in(&state, user).await
}

/// Used by the websocket upgrade: the token may also come as `?token=` there, because
/// browsers cannot set headers on a websocket from another origin.
pub async fn caller_from_token(state: &AppState, token: &str) -> ApiResult<Caller> {
    authenticate(&state.store, token).await
}
