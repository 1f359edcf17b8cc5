//! Accounts, roles and sessions.
//!
//! Passwords are argon2id hashes. A login creates an opaque random token; only its sha-256 is
//! stored, with an expiry and a revocation time. Logging out revokes the session and tells
//! every node (over the bus) to close the websockets opened with it. Buyers register
//! themselves and wait for approval; exhibitor staff and interpreters are invited.

pub mod password;
pub mod people;
pub mod routes;
pub mod throttle;

use crate::error::{ApiError, ApiResult};
use crate::store::json::decode_list;
use crate::store::{now_ms, Store};
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use expo_schema::{AccountStatus, ErrorCode, Role, UserProfile};
use sqlx::any::AnyRow;
use sqlx::Row;

/// The name of the browser session cookie.
pub const SESSION_COOKIE: &str = "expo_session";

/// The columns every user query selects, in the order [`user_from_row`] reads them.
pub(crate) const USER_COLUMNS: &str = "u.id, u.email, u.name, u.role, u.status, u.company_id, \
     u.company_admin, coalesce(c.name, u.buyer_company) as company_name, u.country, u.timezone, \
     u.languages, u.interests, u.share_contact, u.hs_codes, u.rejection_reason, u.created_ms \
     from users u left join companies c on c.id = u.company_id";

pub(crate) fn user_from_row(row: &AnyRow) -> sqlx::Result<UserProfile> {
    let role: String = row.try_get("role")?;
    let status: String = row.try_get("status")?;
    let languages: String = row.try_get("languages")?;
    let interests: String = row.try_get("interests")?;
    Ok(UserProfile {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        role: Role::parse(&role).ok_or_else(|| sqlx::Error::Decode("unknown role".into()))?,
        status: AccountStatus::parse(&status)
            .ok_or_else(|| sqlx::Error::Decode("unknown status".into()))?,
        company_id: row.try_get("company_id")?,
        company_admin: row.try_get::<i64, _>("company_admin")? != 0,
        company_name: row.try_get("company_name")?,
        country: row.try_get("country")?,
        timezone: row.try_get("timezone")?,
        languages: decode_list(&languages),
        interests: decode_list(&interests),
        share_contact: row.try_get::<i64, _>("share_contact")? != 0,
        hs_codes: decode_list(&row.try_get::<String, _>("hs_codes")?),
        rejection_reason: row.try_get("rejection_reason")?,
        created_ms: row.try_get("created_ms")?,
    })
}

/// Loads one user by id.
pub async fn load_user(store: &Store, id: i64) -> sqlx::Result<Option<UserProfile>> {
    let sql = format!("select {USER_COLUMNS} where u.id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(store.pool())
        .await?;
    row.as_ref().map(user_from_row).transpose()
}

/// Who is calling: an authenticated, active user and the session they used.
#[derive(Debug, Clone)]
pub struct Caller {
    pub session_id: i64,
    pub expires_ms: i64,
    pub user: UserProfile,
}

impl Caller {
    pub fn require_role(&self, role: Role) -> ApiResult<()> {
        if self.user.role == role {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "only {}s may do this",
                role.as_str()
            )))
        }
    }

    pub fn is_organizer(&self) -> bool {
        self.user.role == Role::Organizer
    }
}

/// Resolves a session token to its caller, with the precise reason when it cannot.
pub async fn authenticate(store: &Store, token: &str) -> ApiResult<Caller> {
    let hash = password::token_hash(token);
    // One query for the session and its user: every websocket (and every request) pays it,
    // and a reconnect wave pays it ten thousand times at once. Sessions go with their user
    // (`on delete cascade`), so the inner join misses nothing.
    let sql = format!(
        "select s.id as session_id, s.expires_ms as session_expires_ms, \
         s.revoked_ms as session_revoked_ms, {USER_COLUMNS} \
         join sessions s on s.user_id = u.id where s.token_hash = $1"
    );
    let row = sqlx::query(&sql)
        .bind(&hash)
        .fetch_optional(store.pool())
        .await?;
    let Some(row) = row else {
        return Err(ApiError::new(
            ErrorCode::Unauthorized,
            "unknown session token; sign in",
        ));
    };
    let session_id: i64 = row.try_get("session_id")?;
    let expires_ms: i64 = row.try_get("session_expires_ms")?;
    let revoked_ms: Option<i64> = row.try_get("session_revoked_ms")?;
    if revoked_ms.is_some() {
        return Err(ApiError::new(
            ErrorCode::TokenRevoked,
            "this session has ended; sign in again",
        ));
    }
    if expires_ms <= now_ms() {
        return Err(ApiError::new(
            ErrorCode::TokenExpired,
            "this session has expired; sign in again",
        ));
    }
    let user = user_from_row(&row)?;
    check_status(user.status)?;
    Ok(Caller {
        session_id,
        expires_ms,
        user,
    })
}

/// Refuses sign-in for accounts that may not use the fair.
pub fn check_status(status: AccountStatus) -> ApiResult<()> {
    match status {
        AccountStatus::Active => Ok(()),
        AccountStatus::Pending => Err(ApiError::new(
            ErrorCode::AccountPending,
            "the account waits for an organizer's approval",
        )),
        AccountStatus::Disabled => Err(ApiError::new(
            ErrorCode::AccountDisabled,
            "the account has been disabled",
        )),
    }
}

/// Finds the session token in a request: `Authorization: Bearer`, then the session cookie.
pub fn token_from_parts(parts: &Parts) -> Option<String> {
    if let Some(value) = parts.headers.get(axum::http::header::AUTHORIZATION) {
        if let Some(token) = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")) {
            return Some(token.trim().to_string());
        }
    }
    for value in parts.headers.get_all(axum::http::header::COOKIE) {
        let Ok(text) = value.to_str() else { continue };
        for pair in text.split(';') {
            if let Some((name, token)) = pair.trim().split_once('=') {
                if name == SESSION_COOKIE && !token.is_empty() {
                    return Some(token.to_string());
                }
            }
        }
    }
    None
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Caller> {
        let token = token_from_parts(parts).ok_or_else(|| {
            ApiError::new(
                ErrorCode::Unauthorized,
                "sign in first: send Authorization: Bearer <token>",
            )
        })?;
        authenticate(&state.store, &token).await
    }
}

/// Creates a session for a user and returns its token and expiry.
pub async fn create_session(
    store: &Store,
    user_id: i64,
    ttl_secs: u64,
) -> ApiResult<(String, i64)> {
    let (token, hash) = password::new_token();
    let now = now_ms();
    let expires = now + (ttl_secs as i64) * 1000;
    sqlx::query(
        "insert into sessions (token_hash, user_id, created_ms, expires_ms) values ($1, $2, $3, $4)",
    )
    .bind(&hash)
    .bind(user_id)
    .bind(now)
    .bind(expires)
    .execute(store.pool())
    .await?;
    Ok((token, expires))
}

/// Makes sure an organizer exists: from the configured email and password, or with a
/// one-time password printed once. Does nothing when any organizer exists.
pub async fn bootstrap_organizer(
    store: &Store,
    email: &str,
    password_opt: Option<&str>,
) -> anyhow::Result<()> {
    let existing: i64 = sqlx::query_scalar("select count(*) from users where role = 'organizer'")
        .fetch_one(store.pool())
        .await?;
    if existing > 0 {
        return Ok(());
    }
    let (password_text, generated) = match password_opt {
        Some(p) => (p.to_string(), false),
        None => (password::one_time_password(), true),
    };
    let phc = password::hash(password_text.clone()).await?;
    // Nodes started together on a new database race here: one creates the account.
    let created = sqlx::query(
        "insert into users (email, name, role, status, password_hash, timezone, languages, created_ms) \
         values ($1, 'Fair Organizer', 'organizer', 'active', $2, 'Asia/Seoul', '[\"ko\",\"en\"]', $3) \
         on conflict (email) do nothing",
    )
    .bind(email.trim().to_lowercase())
    .bind(phc)
    .bind(now_ms())
    .execute(store.pool())
    .await?
    .rows_affected();
    if created == 0 {
        let organizers: i64 =
            sqlx::query_scalar("select count(*) from users where role = 'organizer'")
                .fetch_one(store.pool())
                .await?;
        anyhow::ensure!(
            organizers > 0,
            "{email} belongs to an account that is not an organizer"
        );
        return Ok(());
    }
    if generated {
        // Printed once, on purpose, to the operator's terminal: nobody else ever sees it.
        println!(
            "\n  First start: organizer account created.\n  email:    {email}\n  password: {password_text}\n  (shown once; set EXPO_ADMIN_PASSWORD to choose it yourself)\n"
        );
    }
    tracing::info!(%email, generated, "organizer account created");
    Ok(())
}

/// Validates an IANA time zone name.
pub fn check_timezone(tz: &str) -> ApiResult<()> {
    tz.parse::<chrono_tz::Tz>()
        .map(|_| ())
        .map_err(|_| ApiError::validation(format!("{tz:?} is not an IANA time zone")))
}

/// Validates an ISO 3166-1 alpha-2 country code (two capital letters).
pub fn check_country(country: &str) -> ApiResult<()> {
    if country.len() == 2 && country.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(ApiError::validation(format!(
            "{country:?} is not a two-letter country code"
        )))
    }
}

/// ISO 3166-1 alpha-2 country codes (the same list as the web client's `countries.js`).
pub const COUNTRY_CODES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF \
     BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV \
     CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI \
     GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP \
     KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML \
     MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG \
     PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR \
     SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE \
     VG VI VN VU WF WS YE YT ZA ZM ZW";

/// True for an assigned ISO 3166-1 alpha-2 code (capital letters).
pub fn is_country_code(code: &str) -> bool {
    code.len() == 2 && COUNTRY_CODES.split_ascii_whitespace().any(|c| c == code)
}

/// Normalizes and checks an email address.
pub fn normalize_email(email: &str) -> ApiResult<String> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
    if valid {
        Ok(email)
    } else {
        Err(ApiError::validation("that is not an email address"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validators() {
        assert!(check_timezone("Asia/Seoul").is_ok());
        assert!(check_timezone("Asia/Vladivostok").is_ok());
        assert!(check_timezone("Mars/Olympus").is_err());
        assert!(check_country("MN").is_ok());
        assert!(check_country("mn").is_err());
        assert!(is_country_code("MN") && is_country_code("ZW") && is_country_code("AD"));
        assert!(!is_country_code("XX") && !is_country_code("mn") && !is_country_code("M"));
        assert_eq!(
            normalize_email(" Kim@Example.COM ").unwrap(),
            "kim@example.com"
        );
        assert!(normalize_email("nobody").is_err());
    }
}
