//! Buyers as data: `POST /api/v1/import/buyers` plans and writes buyer accounts from a CSV or
//! XLSX file, with the reading, dry run and all-or-nothing write of `import.rs`.
//!
//! A row is matched on its email. A new buyer gets an account holding their data (company,
//! country, IANA time zone, languages, sourcing interests as taxonomy concepts and HS codes,
//! consent to share contact) and an invitation in their language: accepting it sets the
//! password, with no approval to wait for. A buyer already stored is updated; one who never
//! set a password and has no open invitation is invited again. Every finding carries a code
//! and parameters (`import.bad_timezone` …), so the client words it in the organizer's
//! language.

use super::import::{
    country_code, email_cell, list, parse_flag, BadEmailParams, Counts, Errors, Keys, Row, Table,
    INVITATION_TTL_MS,
};
use super::taxonomy::{self, Taxonomy};
use crate::auth::{check_timezone, is_country_code, password};
use crate::error::ApiResult;
use crate::mail::language_of_list;
use crate::store::json::{decode_list, encode_list};
use crate::store::{flag, now_ms};
use expo_schema::api::InvitationLink;
use expo_schema::{Role, LANGUAGES};
use sqlx::{AnyConnection, Row as _};

/// The columns of a buyers file, in documentation order; `email` is the key.
pub const COLUMNS: &[&str] = &[
    "email",
    "name",
    "company",
    "country",
    "timezone",
    "languages",
    "interests",
    "hs_codes",
    "share_contact",
];

/// The time zone of a new buyer whose file has none.
const DEFAULT_TIMEZONE: &str = "Asia/Seoul";

/// One buyer to write: created (no `id`) or updated, and perhaps invited.
pub(crate) struct BuyerAction {
    id: Option<i64>,
    data: BuyerData,
    invite: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct BuyerData {
    email: String,
    name: String,
    company: Option<String>,
    country: Option<String>,
    timezone: String,
    languages: Vec<String>,
    interests: Vec<String>,
    hs_codes: Vec<String>,
    share_contact: bool,
}

/// A stored account with this email.
struct Stored {
    id: i64,
    role: String,
    has_password: bool,
    data: BuyerData,
}

async fn stored(conn: &mut AnyConnection, email: &str) -> ApiResult<Option<Stored>> {
    let row = sqlx::query(
        "select id, role, password_hash, name, buyer_company, country, timezone, languages, \
         interests, hs_codes, share_contact from users where email = $1",
    )
    .bind(email)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(Stored {
        id: row.try_get("id")?,
        role: row.try_get("role")?,
        has_password: !row.try_get::<String, _>("password_hash")?.is_empty(),
        data: BuyerData {
            email: email.to_string(),
            name: row.try_get("name")?,
            company: row.try_get("buyer_company")?,
            country: row.try_get("country")?,
            timezone: row.try_get("timezone")?,
            languages: decode_list(&row.try_get::<String, _>("languages")?),
            interests: decode_list(&row.try_get::<String, _>("interests")?),
            hs_codes: decode_list(&row.try_get::<String, _>("hs_codes")?),
            share_contact: row.try_get::<i64, _>("share_contact")? != 0,
        },
    }))
}

/// An HS code as digits: 2, 4, 6, 8 or 10 of them, dots and spaces allowed between.
pub fn hs_digits(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
    let ok = digits.chars().all(|c| c.is_ascii_digit()) && [2, 4, 6, 8, 10].contains(&digits.len());
    ok.then_some(digits)
}

/// A text cell of at most `max` characters; `required` refuses an empty one.
fn text_cell(
    errors: &mut Errors,
    n: usize,
    column: &str,
    value: &str,
    max: usize,
    required: bool,
) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        if required {
            errors.add_code(
                n,
                column,
                "import.required",
                &[("column", column)],
                format!("{column} is required"),
            );
        }
        return None;
    }
    if value.chars().count() > max {
        let max_text = max.to_string();
        errors.add_code(
            n,
            column,
            "import.too_long",
            &[("column", column), ("max", &max_text)],
            format!("{column} may have at most {max} characters"),
        );
        return None;
    }
    Some(value.to_string())
}

/// Reads one row into the data it asks for: the file's cells over what is stored (a column
/// the file lacks keeps the stored value; for a new buyer, its default).
fn read_row(
    taxonomy: &Taxonomy,
    row: Row<'_>,
    email: String,
    before: Option<&BuyerData>,
    errors: &mut Errors,
) -> BuyerData {
    let n = row.number;
    let mut data = before.cloned().unwrap_or(BuyerData {
        email,
        name: String::new(),
        company: None,
        country: None,
        timezone: DEFAULT_TIMEZONE.into(),
        languages: vec![],
        interests: vec![],
        hs_codes: vec![],
        share_contact: false,
    });
    if let Some(name) = row.get("name") {
        data.name = text_cell(errors, n, "name", name, 200, true).unwrap_or_default();
    } else if before.is_none() {
        errors.add_code(
            n,
            "name",
            "import.required",
            &[("column", "name")],
            "name is required",
        );
    }
    if let Some(company) = row.get("company") {
        data.company = text_cell(errors, n, "company", company, 200, false);
    }
    if let Some(raw) = row.get("country") {
        let code = country_code(raw);
        data.country = if raw.is_empty() {
            None
        } else if is_country_code(&code) {
            Some(code)
        } else {
            errors.add_code(
                n,
                "country",
                "import.bad_country",
                &[("value", raw)],
                format!("country {raw:?} is not an ISO 3166-1 two-letter country code"),
            );
            None
        };
    }
    if let Some(raw) = row.get("timezone") {
        if raw.is_empty() {
            data.timezone = DEFAULT_TIMEZONE.into();
        } else if check_timezone(raw).is_ok() {
            data.timezone = raw.to_string();
        } else {
            errors.add_code(
                n,
                "timezone",
                "import.bad_timezone",
                &[("value", raw)],
                format!("timezone {raw:?} is not an IANA time zone (like Asia/Seoul)"),
            );
        }
    }
    if let Some(raw) = row.get("languages") {
        data.languages.clear();
        for lang in list(raw) {
            let lang = lang.to_lowercase();
            if !LANGUAGES.contains(&lang.as_str()) {
                errors.add_code(
                    n,
                    "languages",
                    "import.bad_language",
                    &[("value", &lang), ("allowed", &LANGUAGES.join(", "))],
                    format!(
                        "languages {lang:?} is not one of the fair's languages ({})",
                        LANGUAGES.join(", ")
                    ),
                );
            } else if !data.languages.contains(&lang) {
                data.languages.push(lang);
            }
        }
    }
    if let Some(raw) = row.get("interests") {
        data.interests.clear();
        for interest in list(raw) {
            match taxonomy.concept_of_tag(&interest) {
                Some(c) => {
                    let id = taxonomy.concepts[c].id.clone();
                    if !data.interests.contains(&id) {
                        data.interests.push(id);
                    }
                }
                None => errors.add_code(
                    n,
                    "interests",
                    "import.unknown_concept",
                    &[("value", &interest)],
                    format!("interests {interest:?} is not a concept of the fair's taxonomy"),
                ),
            }
        }
    }
    if let Some(raw) = row.get("hs_codes") {
        data.hs_codes.clear();
        for code in list(raw) {
            match hs_digits(&code) {
                Some(digits) if !data.hs_codes.contains(&digits) => data.hs_codes.push(digits),
                Some(_) => {}
                None => errors.add_code(
                    n,
                    "hs_codes",
                    "import.bad_hs_code",
                    &[("value", &code)],
                    format!("hs_codes {code:?} is not an HS code (2 to 10 digits, like 0902.10)"),
                ),
            }
        }
    }
    if let Some(raw) = row.get("share_contact") {
        match parse_flag(raw) {
            Some(value) => data.share_contact = value,
            None => errors.add_code(
                n,
                "share_contact",
                "import.bad_flag",
                &[("column", "share_contact"), ("value", raw)],
                format!("share_contact {raw:?} is not true/false, yes/no or 1/0"),
            ),
        }
    }
    data
}

/// Checks every row against the store and the rows before it; writes nothing.
pub(crate) async fn plan_buyers(
    conn: &mut AnyConnection,
    table: &Table,
    errors: &mut Errors,
) -> ApiResult<(Counts, Vec<BuyerAction>)> {
    let taxonomy = taxonomy::load(&mut *conn).await?;
    let mut counts = Counts::default();
    let mut actions = Vec::new();
    let mut keys = Keys::default();
    let now = now_ms();
    for row in table.rows() {
        let n = row.number;
        let Some(email) = email_cell(errors, row, BadEmailParams::Value) else {
            continue;
        };
        if keys.repeated(errors, n, "email", &email, &email) {
            continue;
        }
        let before_errors = errors.count();
        let existing = stored(conn, &email).await?;
        if let Some(account) = &existing {
            if account.role != Role::Buyer.as_str() {
                errors.add_code(
                    n,
                    "email",
                    "import.not_buyer",
                    &[("value", &email), ("role", &account.role)],
                    format!(
                        "{email:?} belongs to an account of a(n) {}, not a buyer",
                        account.role
                    ),
                );
                continue;
            }
        }
        let data = read_row(
            &taxonomy,
            row,
            email,
            existing.as_ref().map(|s| &s.data),
            errors,
        );
        if errors.count() > before_errors {
            continue;
        }
        // Invited: a new buyer, or a stored one without a password and no usable invitation.
        let invite = match &existing {
            None => true,
            Some(account) if account.has_password => false,
            Some(account) => {
                let open: i64 = sqlx::query_scalar(
                    "select count(*) from invitations where user_id = $1 and accepted_ms is null \
                     and revoked_ms is null and expires_ms > $2",
                )
                .bind(account.id)
                .bind(now)
                .fetch_one(&mut *conn)
                .await?;
                open == 0
            }
        };
        if invite {
            counts.invitations += 1;
        }
        let same = existing.as_ref().is_some_and(|s| s.data == data);
        let id = existing.as_ref().map(|s| s.id);
        if same && invite {
            // Nothing to change but the invitation.
            counts.unchanged += 1;
            actions.push(BuyerAction { id, data, invite });
        } else {
            counts.count(id, same, BuyerAction { id, data, invite }, &mut actions);
        }
    }
    Ok((counts, actions))
}

/// Writes the planned buyers and their invitations (inside the import's transaction); the
/// links go back to the organizer once.
pub(crate) async fn write_buyers(
    conn: &mut sqlx::AnyConnection,
    invited_by: i64,
    actions: &[BuyerAction],
) -> ApiResult<Vec<InvitationLink>> {
    let now = now_ms();
    let mut links = Vec::new();
    for a in actions {
        let d = &a.data;
        let id: i64 = match a.id {
            Some(id) => {
                sqlx::query(
                    "update users set name = $1, buyer_company = $2, country = $3, timezone = $4, \
                     languages = $5, interests = $6, hs_codes = $7, share_contact = $8 where id = $9",
                )
                .bind(&d.name)
                .bind(d.company.as_deref())
                .bind(d.country.as_deref())
                .bind(&d.timezone)
                .bind(encode_list(&d.languages))
                .bind(encode_list(&d.interests))
                .bind(encode_list(&d.hs_codes))
                .bind(flag(d.share_contact))
                .bind(id)
                .execute(&mut *conn)
                .await?;
                id
            }
            None => {
                // No password yet (an empty hash never verifies): accepting the invitation
                // sets it. Imported buyers need no approval.
                sqlx::query_scalar(
                    "insert into users (email, name, role, status, password_hash, buyer_company, \
                     country, timezone, languages, interests, hs_codes, share_contact, created_ms) \
                     values ($1, $2, 'buyer', 'active', '', $3, $4, $5, $6, $7, $8, $9, $10) \
                     returning id",
                )
                .bind(&d.email)
                .bind(&d.name)
                .bind(d.company.as_deref())
                .bind(d.country.as_deref())
                .bind(&d.timezone)
                .bind(encode_list(&d.languages))
                .bind(encode_list(&d.interests))
                .bind(encode_list(&d.hs_codes))
                .bind(flag(d.share_contact))
                .bind(now)
                .fetch_one(&mut *conn)
                .await?
            }
        };
        if !a.invite {
            continue;
        }
        let (token, hash) = password::new_token();
        let language = language_of_list(&d.languages);
        sqlx::query(
            "insert into invitations (token_hash, email, name, role, company_id, company_admin, \
             languages, timezone, invited_by, created_ms, expires_ms, language, sent_ms, user_id) \
             values ($1, $2, $3, 'buyer', null, 0, $4, $5, $6, $7, $8, $9, $7, $10)",
        )
        .bind(hash)
        .bind(&d.email)
        .bind(&d.name)
        .bind(encode_list(&d.languages))
        .bind(&d.timezone)
        .bind(invited_by)
        .bind(now)
        .bind(now + INVITATION_TTL_MS)
        .bind(language)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        links.push(InvitationLink {
            email: d.email.clone(),
            name: d.name.clone(),
            accept_path: format!("/#/accept?token={token}"),
            token,
            language: language.to_string(),
        });
    }
    Ok(links)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hs_codes_are_digits_of_even_length() {
        assert_eq!(hs_digits("0902.10").as_deref(), Some("090210"));
        assert_eq!(hs_digits("33").as_deref(), Some("33"));
        assert_eq!(hs_digits("8703 23 19 10").as_deref(), Some("8703231910"));
        assert_eq!(hs_digits("090"), None);
        assert_eq!(hs_digits("tea"), None);
        assert_eq!(hs_digits("123456789012"), None);
    }
}
