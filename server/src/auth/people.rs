//! The organizer's people desk: rejecting a registration with a reason, approving many at
//! once, and the invitations (list, resend with a new link, revoke). Mail goes out in each
//! person's language when SMTP is configured; the links are shown to the organizer anyway.

use super::routes::INVITATION_TTL_MS;
use super::{load_user, password, Caller};
use crate::error::Path;
use crate::error::{ApiError, ApiResult, JsonBody};
use crate::mail;
use crate::store::now_ms;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use expo_schema::api::{
    ApproveManyRequest, ApproveManyResponse, InvitationInfo, InvitationList, InvitationState,
    InviteResponse, RejectRequest,
};
use expo_schema::{ErrorBody, ErrorCode, Role, UserProfile};
use sqlx::any::AnyRow;
use sqlx::Row;
use utoipa_axum::{router::OpenApiRouter, routes};

/// The longest rejection reason.
pub const MAX_REASON_CHARS: usize = 1000;
/// The most accounts one bulk approval takes.
pub const MAX_BULK: usize = 500;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(reject))
        .routes(routes!(approve_many))
        .routes(routes!(list_invitations))
        .routes(routes!(resend))
        .routes(routes!(revoke))
}

/// Mails an invitation in `lang` (no-op without SMTP); true when mail is configured.
pub fn mail_invitation(
    state: &AppState,
    email: &str,
    name: &str,
    lang: &str,
    accept_path: &str,
    expires_ms: i64,
) -> bool {
    let link = mail::page_url(state, accept_path);
    let letter = mail::invitation_letter(lang, name, &link, expires_ms);
    mail::send_letter(state, name, email, letter)
}

/// Tells a buyer their registration is approved, in their language.
pub fn mail_approval(state: &AppState, user: &UserProfile) {
    let link = mail::page_url(state, "/#/login");
    let letter = mail::approval_letter(mail::language_of(user), &user.name, &link);
    mail::send_letter(state, &user.name, &user.email, letter);
}

/// Reject a pending registration with a reason (organizers). The account is disabled; the
/// applicant sees the reason when signing in, and by mail in their language.
#[utoipa::path(post, path = "/api/v1/users/{id}/reject", tag = "users",
    params(("id" = i64, Path, description = "user id")), request_body = RejectRequest,
    responses((status = 200, body = UserProfile), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "not pending", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(req): JsonBody<RejectRequest>,
) -> ApiResult<Json<UserProfile>> {
    caller.require_role(Role::Organizer)?;
    let reason = req.reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        return Err(ApiError::validation(format!(
            "reason must have 1 to {MAX_REASON_CHARS} characters"
        )));
    }
    let done = sqlx::query(
        "update users set status = 'disabled', rejected_ms = $1, rejection_reason = $2 \
         where id = $3 and status = 'pending'",
    )
    .bind(now_ms())
    .bind(reason)
    .bind(id)
    .execute(state.store.pool())
    .await?;
    let user = load_user(&state.store, id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such user"))?;
    if done.rows_affected() == 0 {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "only registrations waiting for approval are rejected",
        ));
    }
    let letter = mail::rejection_letter(mail::language_of(&user), &user.name, reason);
    mail::send_letter(&state, &user.name, &user.email, letter);
    tracing::info!(user = id, by = caller.user.id, "registration rejected");
    Ok(Json(user))
}

/// Approve several pending registrations (organizers); ids that are not pending are skipped.
#[utoipa::path(post, path = "/api/v1/users/approve", tag = "users",
    request_body = ApproveManyRequest,
    responses((status = 200, body = ApproveManyResponse), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn approve_many(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(req): JsonBody<ApproveManyRequest>,
) -> ApiResult<Json<ApproveManyResponse>> {
    caller.require_role(Role::Organizer)?;
    if req.ids.is_empty() || req.ids.len() > MAX_BULK {
        return Err(ApiError::validation(format!(
            "ids must name 1 to {MAX_BULK} accounts"
        )));
    }
    let mut approved = Vec::new();
    let mut skipped = Vec::new();
    for id in req.ids {
        if approved.iter().any(|u: &UserProfile| u.id == id) || skipped.contains(&id) {
            continue;
        }
        let done = sqlx::query(
            "update users set status = 'active', rejected_ms = null, rejection_reason = null \
             where id = $1 and status = 'pending'",
        )
        .bind(id)
        .execute(state.store.pool())
        .await?;
        if done.rows_affected() == 0 {
            skipped.push(id);
            continue;
        }
        if let Some(user) = load_user(&state.store, id).await? {
            mail_approval(&state, &user);
            approved.push(user);
        }
    }
    tracing::info!(
        approved = approved.len(),
        skipped = skipped.len(),
        by = caller.user.id,
        "registrations approved"
    );
    Ok(Json(ApproveManyResponse { approved, skipped }))
}

const INVITATION_COLUMNS: &str = "i.id, i.email, i.name, i.role, i.company_id, \
     c.name as company_name, i.language, i.created_ms, coalesce(i.sent_ms, i.created_ms) as sent_ms, \
     i.expires_ms, i.accepted_ms, i.revoked_ms, b.name as invited_by_name \
     from invitations i left join companies c on c.id = i.company_id \
     left join users b on b.id = i.invited_by";

fn invitation_from_row(row: &AnyRow, now: i64) -> sqlx::Result<InvitationInfo> {
    let role: String = row.try_get("role")?;
    let accepted_ms: Option<i64> = row.try_get("accepted_ms")?;
    let revoked_ms: Option<i64> = row.try_get("revoked_ms")?;
    let expires_ms: i64 = row.try_get("expires_ms")?;
    let state = if accepted_ms.is_some() {
        InvitationState::Accepted
    } else if revoked_ms.is_some() {
        InvitationState::Revoked
    } else if expires_ms <= now {
        InvitationState::Expired
    } else {
        InvitationState::Open
    };
    Ok(InvitationInfo {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        role: Role::parse(&role).ok_or_else(|| sqlx::Error::Decode("unknown role".into()))?,
        company_id: row.try_get("company_id")?,
        company_name: row.try_get("company_name")?,
        language: row.try_get("language")?,
        state,
        created_ms: row.try_get("created_ms")?,
        sent_ms: row.try_get("sent_ms")?,
        expires_ms,
        accepted_ms,
        revoked_ms,
        invited_by: row.try_get("invited_by_name")?,
    })
}

async fn load_invitation(state: &AppState, id: i64) -> ApiResult<InvitationInfo> {
    let sql = format!("select {INVITATION_COLUMNS} where i.id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(state.store.pool())
        .await?
        .ok_or_else(|| ApiError::not_found("no such invitation"))?;
    Ok(invitation_from_row(&row, now_ms())?)
}

/// Every invitation, newest first (organizers).
#[utoipa::path(get, path = "/api/v1/invitations", tag = "users",
    responses((status = 200, body = InvitationList), (status = 403, body = ErrorBody)))]
pub async fn list_invitations(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<InvitationList>> {
    caller.require_role(Role::Organizer)?;
    let sql = format!("select {INVITATION_COLUMNS} order by i.id desc limit 5000");
    let rows = sqlx::query(&sql).fetch_all(state.store.pool()).await?;
    let now = now_ms();
    let invitations = rows
        .iter()
        .map(|r| invitation_from_row(r, now))
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok(Json(InvitationList { invitations }))
}

/// Send an invitation again (organizers): a new link, valid for another 14 days. The old
/// link stops working at once (only one token per invitation is ever valid).
#[utoipa::path(post, path = "/api/v1/invitations/{id}/resend", tag = "users",
    params(("id" = i64, Path, description = "invitation id")),
    responses((status = 200, body = InviteResponse), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "accepted already", body = ErrorBody)))]
pub async fn resend(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<InviteResponse>> {
    caller.require_role(Role::Organizer)?;
    let before = load_invitation(&state, id).await?;
    let (token, hash) = password::new_token();
    let now = now_ms();
    let expires_ms = now + INVITATION_TTL_MS;
    // A revoked invitation may be sent again: that undoes the revocation.
    let done = sqlx::query(
        "update invitations set token_hash = $1, sent_ms = $2, expires_ms = $3, revoked_ms = null \
         where id = $4 and accepted_ms is null",
    )
    .bind(hash)
    .bind(now)
    .bind(expires_ms)
    .bind(id)
    .execute(state.store.pool())
    .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "this invitation has been accepted",
        ));
    }
    let accept_path = format!("/#/accept?token={token}");
    let mailed = mail_invitation(
        &state,
        &before.email,
        &before.name,
        &before.language,
        &accept_path,
        expires_ms,
    );
    tracing::info!(invitation = id, by = caller.user.id, "invitation resent");
    Ok(Json(InviteResponse {
        invitation_id: id,
        token,
        expires_ms,
        accept_path,
        mailed,
    }))
}

/// Revoke an open invitation (organizers): its link is refused from now on.
#[utoipa::path(post, path = "/api/v1/invitations/{id}/revoke", tag = "users",
    params(("id" = i64, Path, description = "invitation id")),
    responses((status = 200, body = InvitationInfo), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "accepted already", body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<InvitationInfo>> {
    caller.require_role(Role::Organizer)?;
    load_invitation(&state, id).await?;
    let done = sqlx::query(
        "update invitations set revoked_ms = $1 where id = $2 and accepted_ms is null \
         and revoked_ms is null",
    )
    .bind(now_ms())
    .bind(id)
    .execute(state.store.pool())
    .await?;
    let info = load_invitation(&state, id).await?;
    if done.rows_affected() == 0 && info.state == InvitationState::Accepted {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "this invitation has been accepted",
        ));
    }
    tracing::info!(invitation = id, by = caller.user.id, "invitation revoked");
    Ok(Json(info))
}
