//! Bulk import of halls, companies, staff and products from CSV or XLSX.
//!
//! `POST /api/v1/import/{kind}?dry_run=` takes the file itself as the body. Every row is
//! checked first, against the database and against the rows before it; only when no row is
//! bad, and it is not a dry run, are all rows written, in one transaction. Rows match stored
//! records on their keys (hall slug, company registration number, staff email, product code
//! within its company), so importing the same file again changes nothing. A column that the
//! file does not have leaves the stored value alone; an empty cell clears it.
//!
//! The formats, with examples, are in `docs/import.md`. Buyers are planned and written in
//! `import_buyers.rs`, with the reading and error machinery of this file.

use super::edit::{
    announce, insert_product, save_company_row, slug_of, update_product_row, validate_company,
    validate_product, write_company_texts, write_product_texts, CompanyFields, FieldError,
    ProductFields,
};
use super::import_buyers::{plan_buyers, write_buyers, BuyerAction};
use super::{reindex, LANGUAGES};
use crate::auth::{normalize_email, password, Caller};
use crate::error::{on_unique_violation, ApiError, ApiResult};
use crate::store::json::{decode_list, encode_list};
use crate::store::{flag, now_ms, StoreKind};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use expo_schema::api::ImportQuery;
use expo_schema::api::{
    CompanyInput, CompanyText, ImportReport, ImportRowError, InvitationLink, ProductInput,
    ProductText,
};
use expo_schema::{ErrorBody, ErrorCode, Role};
use sqlx::{AnyConnection, Row as _};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

/// The largest import file accepted.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// How long an imported staff member's invitation may wait (as for invitations by hand).
pub(crate) const INVITATION_TTL_MS: i64 = 14 * 24 * 3600 * 1000;
/// Separates the values of a list cell (tags, countries, languages, certifications).
pub(crate) const LIST_SEPARATOR: char = ';';
/// At most this many row errors are listed; a last entry counts the rest.
const MAX_ERRORS: usize = 1000;
/// The most rows a sheet or CSV file may have (the header included).
pub const MAX_SHEET_ROWS: usize = 20_000;
/// The most columns a sheet or CSV file may have.
pub const MAX_SHEET_COLUMNS: usize = 128;
/// The most non-empty cells a sheet may have.
pub const MAX_SHEET_CELLS: usize = 500_000;
/// The longest CSV line (record) in bytes.
pub const MAX_CSV_LINE_BYTES: usize = 64 * 1024;
/// What all the parts of an XLSX file may inflate to together.
pub const MAX_XLSX_INFLATED_BYTES: u64 = 64 * 1024 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import).layer(DefaultBodyLimit::max(MAX_FILE_BYTES)))
        .routes(routes!(template))
}

/// A CSV template for a kind of import (organizers): the header row with every base column.
#[utoipa::path(get, path = "/api/v1/import/{kind}/template.csv", tag = "booths",
    params(("kind" = String, Path, description = "halls, companies, staff, products or buyers")),
    responses((status = 200, description = "text/csv: the header row", content_type = "text/csv"),
        (status = 403, body = ErrorBody), (status = 404, description = "unknown kind", body = ErrorBody)))]
pub async fn template(caller: Caller, Path(kind): Path<String>) -> ApiResult<Response> {
    caller.require_role(Role::Organizer)?;
    let kind = Kind::parse(&kind).ok_or_else(|| unknown_kind(&kind))?;
    let body = format!("{}\r\n", kind.base_columns().join(","));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}-template.csv\"", kind.as_str()),
            ),
        ],
        body,
    )
        .into_response())
}

fn unknown_kind(kind: &str) -> ApiError {
    ApiError::not_found(format!(
        "unknown import kind {kind:?}; one of halls, companies, staff, products, buyers"
    ))
}

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Halls,
    Companies,
    Staff,
    Products,
    Buyers,
}

impl Kind {
    fn parse(raw: &str) -> Option<Kind> {
        match raw {
            "halls" => Some(Kind::Halls),
            "companies" => Some(Kind::Companies),
            "staff" => Some(Kind::Staff),
            "products" => Some(Kind::Products),
            "buyers" => Some(Kind::Buyers),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Kind::Halls => "halls",
            Kind::Companies => "companies",
            Kind::Staff => "staff",
            Kind::Products => "products",
            Kind::Buyers => "buyers",
        }
    }

    /// The base columns, in documentation order.
    fn base_columns(self) -> &'static [&'static str] {
        match self {
            Kind::Halls => &["slug", "name", "industry", "position"],
            Kind::Companies => &[
                "reg_no",
                "name",
                "hall",
                "country",
                "region",
                "tagline",
                "description",
                "website",
                "founded_year",
                "tags",
                "export_countries",
            ],
            Kind::Staff => &["reg_no", "email", "name", "languages", "company_admin"],
            Kind::Products => &[
                "reg_no",
                "code",
                "name",
                "description",
                "hs_code",
                "category",
                "tags",
                "min_order",
                "price_range",
                "certifications",
            ],
            Kind::Buyers => super::import_buyers::COLUMNS,
        }
    }

    /// The base columns that also come translated, as `{column}_{lang}`.
    fn translated_columns(self) -> &'static [&'static str] {
        match self {
            Kind::Companies => &["name", "tagline", "description"],
            Kind::Products => &["name", "description"],
            Kind::Halls | Kind::Staff | Kind::Buyers => &[],
        }
    }

    /// The columns a file must have: the keys.
    fn key_columns(self) -> &'static [&'static str] {
        match self {
            Kind::Halls => &["slug"],
            Kind::Companies => &["reg_no"],
            Kind::Staff => &["reg_no", "email"],
            Kind::Products => &["reg_no", "code"],
            Kind::Buyers => &["email"],
        }
    }

    fn accepts(self, column: &str) -> bool {
        if self.base_columns().contains(&column) {
            return true;
        }
        column.rsplit_once('_').is_some_and(|(base, lang)| {
            self.translated_columns().contains(&base) && text_langs().any(|l| l == lang)
        })
    }

    fn describe_columns(self) -> String {
        let mut out = self.base_columns().join(", ");
        let translated = self.translated_columns();
        if !translated.is_empty() {
            let langs = text_langs().collect::<Vec<_>>().join(", ");
            let forms = translated
                .iter()
                .map(|c| format!("{c}_xx"))
                .collect::<Vec<_>>()
                .join(", ");
            out.push_str(&format!(", and {forms} for xx in {langs}"));
        }
        out
    }
}

/// The languages that have their own text columns (English is in the base columns).
fn text_langs() -> impl Iterator<Item = &'static str> {
    LANGUAGES.iter().copied().filter(|l| *l != "en")
}

/// Import halls, companies, staff or products from a CSV or XLSX file (organizers).
///
/// The body is the file itself: UTF-8 CSV (comma separated, optional BOM) or XLSX (first
/// sheet), recognized by its content. The first row names the columns; see `docs/import.md`.
/// Nothing is written unless every row is good; then all rows are written at once.
#[utoipa::path(post, path = "/api/v1/import/{kind}", tag = "booths",
    params(("kind" = String, Path, description = "halls, companies, staff or products"), ImportQuery),
    request_body(content = Vec<u8>, content_type = "text/csv",
        description = "a CSV file, or an XLSX workbook (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet)"),
    responses((status = 200, description = "applied, or a clean dry run", body = ImportReport),
        (status = 403, body = ErrorBody), (status = 404, description = "unknown kind", body = ErrorBody),
        (status = 413, description = "message_too_large", body = ErrorBody),
        (status = 422, description = "bad rows; nothing was written", body = ImportReport)))]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Path(kind): Path<String>,
    query: Result<Query<ImportQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<ImportReport>)> {
    caller.require_role(Role::Organizer)?;
    let kind = Kind::parse(&kind).ok_or_else(|| unknown_kind(&kind))?;
    let Query(query) = query.map_err(|e| ApiError::new(ErrorCode::BadRequest, e.body_text()))?;
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                ErrorCode::MessageTooLarge,
                format!(
                    "an import file may have at most {} MiB",
                    MAX_FILE_BYTES >> 20
                ),
            )
        } else {
            ApiError::new(ErrorCode::BadRequest, e.body_text())
        }
    })?;

    let mut errors = Errors::default();
    let table = read_table(&body, kind, &mut errors);
    let pool = state.store.pool();
    let (counts, plan) = {
        let mut conn = pool.acquire().await?;
        plan(&mut conn, kind, &table, &mut errors).await?
    };
    let clean = errors.0.is_empty();
    let applied = clean && !query.dry_run;
    let mut links = Vec::new();
    let mut mailed = false;
    if applied {
        let mut tx = state.store.begin_write().await?;
        let (touched, invited) = write(&mut tx, state.store.kind(), caller.user.id, &plan).await?;
        links = invited;
        tx.commit().await?;
        // The invitations go out once they are stored, each in its invitee's language.
        for link in &links {
            mailed |= crate::auth::people::mail_invitation(
                &state,
                &link.email,
                &link.name,
                &link.language,
                &link.accept_path,
                now_ms() + INVITATION_TTL_MS,
            );
        }
        let section = match kind {
            Kind::Companies => Some("profile"),
            Kind::Products => Some("products"),
            Kind::Halls | Kind::Staff | Kind::Buyers => None,
        };
        if let Some(section) = section {
            for company_id in touched {
                announce(&state, company_id, section).await;
            }
        }
        tracing::info!(
            kind = kind.as_str(),
            rows = table.lines.len(),
            created = counts.created,
            updated = counts.updated,
            unchanged = counts.unchanged,
            invitations = counts.invitations,
            by = caller.user.id,
            "import applied"
        );
    }
    let report = ImportReport {
        kind: kind.as_str().into(),
        dry_run: query.dry_run,
        applied,
        rows: table.lines.len(),
        created: counts.created,
        updated: counts.updated,
        unchanged: counts.unchanged,
        invitations: counts.invitations,
        invitation_links: links,
        mailed,
        errors: errors.into_list(),
    };
    let status = if clean {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(report)))
}

// ---------------------------------------------------------------------------------------------
// Reading the file

/// Row errors, in the order found.
#[derive(Debug, Default)]
pub(crate) struct Errors(Vec<ImportRowError>);

impl Errors {
    /// A finding clients word themselves: `code` (one of [`FINDING_CODES`]) with `params`;
    /// `message` is the English sentence for people reading the JSON.
    pub(crate) fn push(
        &mut self,
        row: usize,
        column: Option<&str>,
        code: &str,
        params: Vec<(&str, String)>,
        message: impl Into<String>,
    ) {
        debug_assert!(
            FINDING_CODES.contains(&code),
            "{code} is not in FINDING_CODES"
        );
        self.0.push(ImportRowError {
            row,
            column: column.map(str::to_string),
            message: message.into(),
            code: Some(code.to_string()),
            params: params
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        });
    }

    /// A finding on a column, with `params` borrowed.
    pub(crate) fn add_code(
        &mut self,
        row: usize,
        column: &str,
        code: &str,
        params: &[(&str, &str)],
        message: impl Into<String>,
    ) {
        let params = params.iter().map(|(k, v)| (*k, v.to_string())).collect();
        self.push(row, Some(column), code, params, message);
    }

    /// A shared validator's refusal of `column` (its `column` param is the file's column).
    fn refused(&mut self, row: usize, column: &str, error: FieldError) {
        let message = column_message(&error.to_string(), error.field, column);
        let code = format!("import.{}", error.code);
        let mut params = vec![("column", column.to_string())];
        params.extend(error.params);
        self.push(row, Some(column), &code, params, message);
    }

    /// An empty cell where a value is required.
    pub(crate) fn required(&mut self, row: usize, column: &str) {
        self.push(
            row,
            Some(column),
            "import.required",
            vec![("column", column.to_string())],
            format!("{column} is required"),
        );
    }

    /// A cell that is not a number; `what` says what it should be, in English.
    fn bad_number(&mut self, row: usize, column: &str, raw: &str, what: &str) {
        self.push(
            row,
            Some(column),
            "import.bad_number",
            vec![("column", column.to_string()), ("value", raw.to_string())],
            format!("{column} {raw:?} is not {what}"),
        );
    }

    pub(crate) fn count(&self) -> usize {
        self.0.len()
    }

    /// The errors by row (stable, so a row's errors keep their column order), capped.
    fn into_list(self) -> Vec<ImportRowError> {
        let mut list = self.0;
        list.sort_by_key(|e| e.row);
        if list.len() > MAX_ERRORS {
            let more = list.len() - MAX_ERRORS;
            let last_row = list.last().map(|e| e.row).unwrap_or(0);
            list.truncate(MAX_ERRORS);
            list.push(ImportRowError {
                row: last_row,
                column: None,
                message: format!("and {more} more errors"),
                code: Some("import.more_errors".into()),
                params: BTreeMap::from([("count".to_string(), more.to_string())]),
            });
        }
        list
    }
}

/// Every code a finding can have; each has its text `importPage.finding.<code after
/// "import.">` in every locale file (see `every_finding_code_has_a_text` below). The codes
/// and their params are listed in `docs/import.md`.
pub(crate) const FINDING_CODES: &[&str] = &[
    // Reading the file
    "import.empty_file",
    "import.bad_csv",
    "import.not_utf8",
    "import.bad_xlsx",
    "import.file_too_big",
    "import.too_many_rows",
    "import.too_many_columns",
    "import.too_many_cells",
    "import.line_too_long",
    // The header row
    "import.unknown_column",
    "import.wrong_separator",
    "import.duplicate_column",
    "import.missing_column",
    "import.unnamed_column",
    // Cells, every kind
    "import.required",
    "import.too_long",
    "import.bad_number",
    "import.out_of_range",
    "import.bad_url",
    "import.bad_slug",
    "import.bad_country",
    "import.bad_language",
    "import.bad_language_code",
    "import.bad_email",
    "import.bad_flag",
    "import.bad_timezone",
    "import.bad_hs_code",
    "import.bad_product_hs_code",
    "import.tag_too_long",
    "import.too_many_tags",
    "import.unknown_concept",
    "import.unknown_hall",
    "import.unknown_company",
    "import.duplicate_in_file",
    // Accounts
    "import.not_buyer",
    "import.not_staff",
    "import.staff_elsewhere",
    "import.invited_elsewhere",
    // The list
    "import.more_errors",
];

/// One non-empty row of the file, with its 1-based row number.
#[derive(Debug)]
pub(crate) struct Line {
    number: usize,
    cells: Vec<String>,
}

/// The data rows, and where each named column is.
#[derive(Debug, Default)]
pub(crate) struct Table {
    columns: HashMap<String, usize>,
    lines: Vec<Line>,
    /// False when a key column is missing: then the rows cannot be matched, nor checked.
    has_keys: bool,
}

impl Table {
    pub(crate) fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.lines.iter().map(|line| Row {
            number: line.number,
            cells: &line.cells,
            columns: &self.columns,
        })
    }
}

/// One data row, read by column name.
#[derive(Clone, Copy)]
pub(crate) struct Row<'a> {
    pub(crate) number: usize,
    cells: &'a [String],
    columns: &'a HashMap<String, usize>,
}

impl<'a> Row<'a> {
    /// The trimmed cell of a column; `None` when the file has no such column.
    pub(crate) fn get(&self, column: &str) -> Option<&'a str> {
        let index = *self.columns.get(column)?;
        Some(self.cells.get(index).map(|c| c.trim()).unwrap_or(""))
    }

    /// A text column: `None` when absent, `Some(None)` when the cell is empty.
    pub(crate) fn text(&self, column: &str) -> Option<Option<String>> {
        self.get(column).map(non_empty)
    }
}

/// Which parameters an `import.bad_email` finding carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BadEmailParams {
    /// `column` and `value`, as every other finding (the staff file).
    ColumnAndValue,
    /// `value` only (the buyers file, as it has always answered).
    Value,
}

/// The row's `email` cell, normalized; `None` after recording why there is none
/// (`import.required` when empty, `import.bad_email` when it is no email address).
pub(crate) fn email_cell(
    errors: &mut Errors,
    row: Row<'_>,
    params: BadEmailParams,
) -> Option<String> {
    let raw = row.get("email").unwrap_or("");
    match normalize_email(raw) {
        Ok(email) => Some(email),
        Err(_) if raw.is_empty() => {
            errors.required(row.number, "email");
            None
        }
        Err(_) => {
            let with_column = [("column", "email"), ("value", raw)];
            errors.add_code(
                row.number,
                "email",
                "import.bad_email",
                match params {
                    BadEmailParams::ColumnAndValue => &with_column,
                    BadEmailParams::Value => &with_column[1..],
                },
                format!("email {raw:?} is not an email address"),
            );
            None
        }
    }
}

fn non_empty(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_string())
}

/// The ZIP signature every XLSX file starts with.
const ZIP_SIGNATURE: &[u8] = b"PK\x03\x04";

/// What the importer reads from a file, for the fuzz targets in `fuzz/`: the data rows, the
/// widest row's cells and the errors of reading it as a halls import (CSV or XLSX, by its
/// first bytes). Not part of the API.
#[doc(hidden)]
pub fn read_for_fuzzing(body: &[u8]) -> (usize, usize, usize) {
    let mut errors = Errors::default();
    let table = read_table(body, Kind::Halls, &mut errors);
    let widest = table.lines.iter().map(|l| l.cells.len()).max().unwrap_or(0);
    (table.lines.len(), widest, errors.count())
}

/// Reads the rows of a CSV or XLSX file and checks its header against the kind's columns.
pub(crate) fn read_table(body: &[u8], kind: Kind, errors: &mut Errors) -> Table {
    let raw = if body.starts_with(ZIP_SIGNATURE) {
        read_xlsx(body, errors)
    } else {
        read_csv(body, errors)
    };
    let mut lines = raw
        .into_iter()
        .filter(|line| line.cells.iter().any(|c| !c.trim().is_empty()));
    let Some(header) = lines.next() else {
        if errors.count() == 0 {
            errors.push(
                1,
                None,
                "import.empty_file",
                vec![],
                "the file is empty; its first row must name the columns",
            );
        }
        return Table::default();
    };
    let mut columns = HashMap::new();
    let mut named = HashSet::new();
    for (index, cell) in header.cells.iter().enumerate() {
        let name = cell
            .trim()
            .trim_start_matches('\u{feff}')
            .trim()
            .to_lowercase();
        if name.is_empty() {
            continue;
        }
        named.insert(index);
        if !kind.accepts(&name) {
            let separated = name.contains(';') || name.contains('\t');
            let (code, hint) = if separated {
                (
                    "import.wrong_separator",
                    "; the file seems separated by semicolons or tabs, but CSV files here are \
                     separated by commas",
                )
            } else {
                ("import.unknown_column", "")
            };
            let columns = kind.describe_columns();
            errors.push(
                header.number,
                Some(&name),
                code,
                vec![("column", name.clone()), ("columns", columns.clone())],
                format!(
                    "unknown column {name:?}; the columns of {} are {columns}{hint}",
                    kind.as_str(),
                ),
            );
        } else if columns.insert(name.clone(), index).is_some() {
            errors.push(
                header.number,
                Some(&name),
                "import.duplicate_column",
                vec![("column", name.clone())],
                format!("the column {name:?} appears twice"),
            );
        }
    }
    let mut has_keys = true;
    for key in kind.key_columns() {
        if !columns.contains_key(*key) {
            has_keys = false;
            errors.push(
                header.number,
                Some(key),
                "import.missing_column",
                vec![("column", key.to_string())],
                format!("the column {key:?} is missing; it is required"),
            );
        }
    }
    let lines: Vec<Line> = lines.collect();
    for line in &lines {
        let stray = line
            .cells
            .iter()
            .enumerate()
            .find(|(i, c)| !named.contains(i) && !c.trim().is_empty());
        if let Some((index, _)) = stray {
            let position = (index + 1).to_string();
            errors.push(
                line.number,
                None,
                "import.unnamed_column",
                vec![("position", position.clone())],
                format!(
                    "the row has a value in column {position}, which has no name in the header row"
                ),
            );
        }
    }
    Table {
        columns,
        lines,
        has_keys,
    }
}

fn read_csv(body: &[u8], errors: &mut Errors) -> Vec<Line> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body);
    let mut lines = Vec::new();
    for (index, record) in reader.byte_records().enumerate() {
        let number = index + 1;
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                errors.push(
                    number,
                    None,
                    "import.bad_csv",
                    vec![("line", number.to_string())],
                    format!("the file is not readable CSV: {error}"),
                );
                break;
            }
        };
        if number > MAX_SHEET_ROWS {
            errors.push(
                number,
                None,
                "import.too_many_rows",
                vec![("max", MAX_SHEET_ROWS.to_string())],
                format!("a file may have at most {MAX_SHEET_ROWS} rows; split the file"),
            );
            return Vec::new();
        }
        if record.len() > MAX_SHEET_COLUMNS {
            errors.push(
                number,
                None,
                "import.too_many_columns",
                vec![("max", MAX_SHEET_COLUMNS.to_string())],
                format!("a row may have at most {MAX_SHEET_COLUMNS} columns"),
            );
            return Vec::new();
        }
        if record.as_slice().len() > MAX_CSV_LINE_BYTES {
            let kib = MAX_CSV_LINE_BYTES >> 10;
            errors.push(
                number,
                None,
                "import.line_too_long",
                vec![("kib", kib.to_string())],
                format!("a line may have at most {kib} KiB"),
            );
            return Vec::new();
        }
        let cells = record
            .iter()
            .map(|field| String::from_utf8(field.to_vec()))
            .collect::<Result<Vec<_>, _>>();
        match cells {
            Ok(cells) => lines.push(Line { number, cells }),
            Err(_) => errors.push(
                number,
                None,
                "import.not_utf8",
                vec![],
                "the row is not UTF-8 text; save the CSV as UTF-8 (or upload XLSX)",
            ),
        }
    }
    lines
}

fn read_xlsx(body: &[u8], errors: &mut Errors) -> Vec<Line> {
    use calamine::{Reader, Xlsx};
    let unreadable = |errors: &mut Errors, detail: String| {
        errors.push(
            1,
            None,
            "import.bad_xlsx",
            vec![],
            format!("the file is not a readable XLSX workbook: {detail}"),
        );
        Vec::new()
    };
    // A few kilobytes of ZIP can declare gigabytes of XML; refuse before inflating any.
    match check_zip_sizes(body) {
        Ok(()) => {}
        Err(ZipProblem::Damaged(detail)) => return unreadable(errors, detail),
        Err(ZipProblem::TooBig) => {
            let mib = MAX_XLSX_INFLATED_BYTES >> 20;
            errors.push(
                1,
                None,
                "import.file_too_big",
                vec![("mib", mib.to_string())],
                format!(
                    "the file is not a readable XLSX workbook: its contents would inflate \
                     beyond {mib} MiB"
                ),
            );
            return Vec::new();
        }
    }
    let mut book = match Xlsx::new(std::io::Cursor::new(body)) {
        Ok(book) => book,
        Err(error) => return unreadable(errors, error.to_string()),
    };
    let Some(first) = book.sheet_names().into_iter().next() else {
        return unreadable(errors, "it has no sheet".into());
    };
    // Cells are streamed one by one and kept sparse: a sheet that declares (or uses) the cells
    // A1 and XFD1048576 must not become a dense grid of 17 billion cells.
    let mut reader = match book.worksheet_cells_reader(&first) {
        Ok(reader) => reader,
        Err(error) => return unreadable(errors, error.to_string()),
    };
    let mut rows: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    let mut cells = 0usize;
    loop {
        let cell = match reader.next_cell() {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            Err(error) => return unreadable(errors, error.to_string()),
        };
        let (row, col) = cell.get_position();
        let value = cell_text(&calamine::Data::from(cell.get_value().clone()));
        if value.is_empty() {
            continue;
        }
        if let Err((code, params, message)) = check_sheet_cell(row, col, cells, rows.len()) {
            errors.push(row as usize + 1, None, code, params, message);
            return Vec::new();
        }
        cells += 1;
        let line = rows.entry(row).or_default();
        if line.len() <= col as usize {
            line.resize(col as usize + 1, String::new());
        }
        line[col as usize] = value;
    }
    rows.into_iter()
        .map(|(row, cells)| Line {
            number: row as usize + 1,
            cells,
        })
        .collect()
}

/// Refuses a cell beyond the sheet limits (see `docs/limits.md`); `cells` and `rows` are the
/// non-empty cells and rows read so far.
fn check_sheet_cell(row: u32, col: u32, cells: usize, rows: usize) -> Result<(), SheetLimit> {
    if row as usize >= MAX_SHEET_ROWS || rows >= MAX_SHEET_ROWS {
        return Err((
            "import.too_many_rows",
            vec![("max", MAX_SHEET_ROWS.to_string())],
            format!("a sheet may have at most {MAX_SHEET_ROWS} rows; split the file"),
        ));
    }
    if col as usize >= MAX_SHEET_COLUMNS {
        return Err((
            "import.too_many_columns",
            vec![("max", MAX_SHEET_COLUMNS.to_string())],
            format!(
                "a sheet may have at most {MAX_SHEET_COLUMNS} columns; cell in column {} is beyond",
                col as usize + 1
            ),
        ));
    }
    if cells >= MAX_SHEET_CELLS {
        return Err((
            "import.too_many_cells",
            vec![("max", MAX_SHEET_CELLS.to_string())],
            format!("a sheet may have at most {MAX_SHEET_CELLS} non-empty cells; split the file"),
        ));
    }
    Ok(())
}

/// A sheet limit a cell goes beyond: the finding's code, params and message.
type SheetLimit = (&'static str, Vec<(&'static str, String)>, String);

/// Why a ZIP's directory is refused.
enum ZipProblem {
    /// Damaged, or no ZIP at all: the detail.
    Damaged(String),
    /// It would inflate beyond [`MAX_XLSX_INFLATED_BYTES`].
    TooBig,
}

/// Checks the sizes a ZIP's central directory declares: no entry, and not all together, may
/// inflate beyond [`MAX_XLSX_INFLATED_BYTES`].
fn check_zip_sizes(body: &[u8]) -> Result<(), ZipProblem> {
    const EOCD: &[u8] = b"PK\x05\x06";
    const CENTRAL: &[u8] = b"PK\x01\x02";
    let too_big = || ZipProblem::TooBig;
    let search_from = body.len().saturating_sub(22 + 65_535);
    let Some(eocd) = body[search_from..]
        .windows(4)
        .rposition(|w| w == EOCD)
        .map(|p| p + search_from)
    else {
        return Err(ZipProblem::Damaged("it has no ZIP directory".into()));
    };
    let le16 = |at: usize| -> Option<usize> {
        body.get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
    };
    let le32 = |at: usize| -> Option<u64> {
        body.get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as u64)
    };
    let bad = || ZipProblem::Damaged("its ZIP directory is damaged".to_string());
    let entries = le16(eocd + 10).ok_or_else(bad)?;
    let mut at = le32(eocd + 16).ok_or_else(bad)? as usize;
    let mut total = 0u64;
    for _ in 0..entries {
        if body.get(at..at + 4) != Some(CENTRAL) {
            return Err(bad());
        }
        let inflated = le32(at + 24).ok_or_else(bad)?;
        // ZIP64 entries (0xFFFFFFFF) declare more than 4 GiB: far beyond any limit here.
        if inflated > MAX_XLSX_INFLATED_BYTES {
            return Err(too_big());
        }
        total += inflated;
        if total > MAX_XLSX_INFLATED_BYTES {
            return Err(too_big());
        }
        let name = le16(at + 28).ok_or_else(bad)?;
        let extra = le16(at + 30).ok_or_else(bad)?;
        let comment = le16(at + 32).ok_or_else(bad)?;
        at += 46 + name + extra + comment;
    }
    Ok(())
}

/// A spreadsheet cell as the text a CSV would hold: whole numbers without a decimal point.
fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

/// The values of a list cell.
pub(crate) fn list(value: &str) -> Vec<String> {
    value
        .split(LIST_SEPARATOR)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

/// Country codes are accepted in either case ("kr" is "KR"); anything else is left for the
/// validator to refuse with its own message.
pub(crate) fn country_code(value: &str) -> String {
    let value = value.trim();
    if value.len() == 2 && value.chars().all(|c| c.is_ascii_alphabetic()) {
        value.to_ascii_uppercase()
    } else {
        value.to_string()
    }
}

/// A validator's message about `field`, said about the file's `column`.
fn column_message(message: &str, field: &str, column: &str) -> String {
    let message = message.to_string();
    if message.starts_with('"') {
        format!("{column} {message}")
    } else if let Some(rest) = message.strip_prefix(field) {
        format!("{column}{rest}")
    } else {
        message
    }
}

/// A plain text cell with a length limit (halls, staff).
fn checked_text(
    errors: &mut Errors,
    row: usize,
    column: &str,
    value: &str,
    max: usize,
    required: bool,
) -> String {
    let value = value.trim();
    if required && value.is_empty() {
        errors.required(row, column);
    } else if value.chars().count() > max {
        errors.push(
            row,
            Some(column),
            "import.too_long",
            vec![("column", column.to_string()), ("max", max.to_string())],
            format!("{column} may have at most {max} characters"),
        );
    }
    value.to_string()
}

/// Remembers each key's first row; a later row with the same key is an error.
#[derive(Default)]
pub(crate) struct Keys(HashMap<String, usize>);

impl Keys {
    pub(crate) fn repeated(
        &mut self,
        errors: &mut Errors,
        row: usize,
        column: &str,
        key: &str,
        shown: &str,
    ) -> bool {
        match self.0.get(key) {
            Some(first) => {
                errors.push(
                    row,
                    Some(column),
                    "import.duplicate_in_file",
                    vec![
                        ("column", column.to_string()),
                        ("value", shown.to_string()),
                        ("first_row", first.to_string()),
                    ],
                    format!("{column} {shown:?} repeats row {first}"),
                );
                true
            }
            None => {
                self.0.insert(key.to_string(), row);
                false
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Planning: every row checked and compared with what is stored; nothing written.

#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Counts {
    pub(crate) created: usize,
    pub(crate) updated: usize,
    pub(crate) unchanged: usize,
    pub(crate) invitations: usize,
}

impl Counts {
    pub(crate) fn count<T>(
        &mut self,
        existing: Option<i64>,
        same: bool,
        action: T,
        actions: &mut Vec<T>,
    ) {
        match existing {
            None => {
                self.created += 1;
                actions.push(action);
            }
            Some(_) if same => self.unchanged += 1,
            Some(_) => {
                self.updated += 1;
                actions.push(action);
            }
        }
    }
}

/// The writes an import will make (unchanged rows have none).
enum Plan {
    Halls(Vec<HallAction>),
    Companies(Vec<CompanyAction>),
    Staff(Vec<Invitation>),
    Products(Vec<ProductAction>),
    Buyers(Vec<BuyerAction>),
}

/// Plans a file of `kind` against what `conn` sees: every row checked, nothing written.
async fn plan(
    conn: &mut AnyConnection,
    kind: Kind,
    table: &Table,
    errors: &mut Errors,
) -> ApiResult<(Counts, Plan)> {
    Ok(match kind {
        // The header is already an error; every row would only repeat it.
        _ if !table.has_keys => (Counts::default(), Plan::Halls(vec![])),
        Kind::Halls => {
            let (counts, actions) = plan_halls(conn, table, errors).await?;
            (counts, Plan::Halls(actions))
        }
        Kind::Companies => {
            let (counts, actions) = plan_companies(conn, table, errors).await?;
            (counts, Plan::Companies(actions))
        }
        Kind::Staff => {
            let (counts, actions) = plan_staff(conn, table, errors).await?;
            (counts, Plan::Staff(actions))
        }
        Kind::Products => {
            let (counts, actions) = plan_products(conn, table, errors).await?;
            (counts, Plan::Products(actions))
        }
        Kind::Buyers => {
            let (counts, actions) = plan_buyers(conn, table, errors).await?;
            (counts, Plan::Buyers(actions))
        }
    })
}

/// Makes a plan's writes in the caller's transaction: the companies it touched, and the
/// invitations it made.
async fn write(
    conn: &mut AnyConnection,
    store_kind: StoreKind,
    invited_by: i64,
    plan: &Plan,
) -> ApiResult<(Vec<i64>, Vec<InvitationLink>)> {
    Ok(match plan {
        Plan::Halls(actions) => (write_halls(conn, actions).await?, vec![]),
        Plan::Companies(actions) => (write_companies(conn, store_kind, actions).await?, vec![]),
        Plan::Staff(actions) => (vec![], write_staff(conn, invited_by, actions).await?),
        Plan::Products(actions) => (write_products(conn, store_kind, actions).await?, vec![]),
        Plan::Buyers(actions) => (vec![], write_buyers(conn, invited_by, actions).await?),
    })
}

/// Imports a whole file inside the caller's transaction, all or nothing: the same reading,
/// plan and write as `POST /api/v1/import/{kind}`, for a file the server holds (the demo
/// fair's). Any bad row refuses the file, with every finding in the error.
pub(crate) async fn import_in(
    conn: &mut AnyConnection,
    store_kind: StoreKind,
    kind: Kind,
    body: &[u8],
    invited_by: i64,
) -> anyhow::Result<Counts> {
    let mut errors = Errors::default();
    let table = read_table(body, kind, &mut errors);
    let (counts, plan) = plan(conn, kind, &table, &mut errors).await?;
    if !errors.0.is_empty() {
        let found: Vec<String> = errors
            .0
            .iter()
            .map(|e| format!("row {}: {}", e.row, e.message))
            .collect();
        anyhow::bail!("the {} file: {}", kind.as_str(), found.join("; "));
    }
    write(conn, store_kind, invited_by, &plan).await?;
    Ok(counts)
}

struct HallAction {
    id: Option<i64>,
    slug: String,
    name: String,
    industry: String,
    position: i64,
}

async fn plan_halls(
    conn: &mut AnyConnection,
    table: &Table,
    errors: &mut Errors,
) -> ApiResult<(Counts, Vec<HallAction>)> {
    let mut stored: HashMap<String, (i64, String, String, i64)> = HashMap::new();
    for row in sqlx::query("select id, slug, name, industry, position from halls")
        .fetch_all(&mut *conn)
        .await?
    {
        stored.insert(
            row.try_get("slug")?,
            (
                row.try_get("id")?,
                row.try_get("name")?,
                row.try_get("industry")?,
                row.try_get("position")?,
            ),
        );
    }
    let mut counts = Counts::default();
    let mut actions = Vec::new();
    let mut keys = Keys::default();
    for row in table.rows() {
        let n = row.number;
        let raw_slug = row.get("slug").unwrap_or("");
        let slug = match slug_of(raw_slug) {
            Ok(slug) => slug,
            Err(_) if raw_slug.is_empty() => {
                errors.required(n, "slug");
                continue;
            }
            Err(error) => {
                let message = format!("slug {raw_slug:?} is not valid: {error}");
                let mut params = vec![("column", "slug".to_string())];
                params.extend(error.params);
                errors.push(n, Some("slug"), "import.bad_slug", params, message);
                continue;
            }
        };
        if keys.repeated(errors, n, "slug", &slug, &slug) {
            continue;
        }
        let before = errors.count();
        let old = stored.get(&slug);
        let name = row
            .get("name")
            .map(str::to_string)
            .or_else(|| old.map(|h| h.1.clone()))
            .unwrap_or_default();
        let name = checked_text(errors, n, "name", &name, 120, true);
        let industry = row
            .get("industry")
            .map(str::to_string)
            .or_else(|| old.map(|h| h.2.clone()))
            .unwrap_or_default();
        let industry = checked_text(errors, n, "industry", &industry, 60, true);
        let position = match row.get("position") {
            None => old.map(|h| h.3).unwrap_or(0),
            Some("") => 0,
            Some(raw) => raw.parse::<i64>().unwrap_or_else(|_| {
                errors.bad_number(n, "position", raw, "a whole number");
                0
            }),
        };
        if errors.count() > before {
            continue;
        }
        let same = old.is_some_and(|h| h.1 == name && h.2 == industry && h.3 == position);
        let id = old.map(|h| h.0);
        let action = HallAction {
            id,
            slug,
            name,
            industry,
            position,
        };
        counts.count(id, same, action, &mut actions);
    }
    Ok((counts, actions))
}

/// A company as stored, for matching and comparing.
struct StoredCompany {
    id: i64,
    fields: CompanyFields,
    texts: BTreeMap<String, CompanyText>,
}

async fn stored_company(
    conn: &mut AnyConnection,
    reg_no: &str,
) -> ApiResult<Option<StoredCompany>> {
    let row = sqlx::query(
        "select id, reg_no, name, hall_id, country, region, tagline, description, website, \
         founded_year, tags, export_countries from companies where reg_no = $1",
    )
    .bind(reg_no)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let id: i64 = row.try_get("id")?;
    let fields = CompanyFields {
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
        export_countries: decode_list(&row.try_get::<String, _>("export_countries")?),
    };
    let mut texts = BTreeMap::new();
    for t in sqlx::query(
        "select lang, name, tagline, description from company_texts where company_id = $1",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    {
        texts.insert(
            t.try_get("lang")?,
            CompanyText {
                name: t.try_get("name")?,
                tagline: t.try_get("tagline")?,
                description: t.try_get("description")?,
            },
        );
    }
    Ok(Some(StoredCompany { id, fields, texts }))
}

fn normalized_company_text(t: &CompanyText) -> CompanyText {
    CompanyText {
        name: t.name.as_deref().and_then(non_empty),
        tagline: t.tagline.as_deref().and_then(non_empty),
        description: t.description.as_deref().and_then(non_empty),
    }
}

/// A company input that passes validation, to check one field at a time against.
fn probe_company() -> CompanyInput {
    CompanyInput {
        reg_no: "probe".into(),
        name: "probe".into(),
        hall_id: None,
        country: "KR".into(),
        region: None,
        tagline: None,
        description: None,
        website: None,
        founded_year: None,
        tags: vec![],
        export_countries: vec![],
        texts: BTreeMap::new(),
    }
}

/// Copies one field from a company input into another.
/// Copies one field of a row's input into a probe.
type FieldCopy<I> = fn(&I, &mut I);

type CopyCompanyField = FieldCopy<CompanyInput>;

/// The fields of a company input, each checkable on its own.
const COMPANY_CHECKS: &[(&str, CopyCompanyField)] = &[
    ("reg_no", |from, to| to.reg_no.clone_from(&from.reg_no)),
    ("name", |from, to| to.name.clone_from(&from.name)),
    ("country", |from, to| to.country.clone_from(&from.country)),
    ("region", |from, to| to.region.clone_from(&from.region)),
    ("tagline", |from, to| to.tagline.clone_from(&from.tagline)),
    ("description", |from, to| {
        to.description.clone_from(&from.description)
    }),
    ("website", |from, to| to.website.clone_from(&from.website)),
    ("founded_year", |from, to| {
        to.founded_year = from.founded_year
    }),
    ("tags", |from, to| to.tags.clone_from(&from.tags)),
    ("export_countries", |from, to| {
        to.export_countries.clone_from(&from.export_countries)
    }),
];

/// Puts each of `fields` of `input` alone through the shared company validator, and adds an
/// error on the column `{field}{suffix}` for each it refuses.
fn check_company(
    errors: &mut Errors,
    row: usize,
    input: &CompanyInput,
    fields: &[&str],
    suffix: &str,
) {
    let validate = |probe: &CompanyInput| validate_company(probe).map(drop);
    let checks = Checks {
        copies: COMPANY_CHECKS,
        probe: probe_company,
        validate,
    };
    checks.run(errors, row, input, fields, suffix);
}

/// One validator applied field by field: each field copied alone into a probe that is valid
/// otherwise, so a row's errors name every bad column, not only the first.
struct Checks<I: 'static, V> {
    copies: &'static [(&'static str, FieldCopy<I>)],
    probe: fn() -> I,
    validate: V,
}

impl<I, V: Fn(&I) -> Result<(), FieldError>> Checks<I, V> {
    fn run(&self, errors: &mut Errors, row: usize, input: &I, fields: &[&str], suffix: &str) {
        for (field, copy) in self.copies.iter().filter(|(f, _)| fields.contains(f)) {
            let mut probe = (self.probe)();
            copy(input, &mut probe);
            if let Err(error) = (self.validate)(&probe) {
                errors.refused(row, &format!("{field}{suffix}"), error);
            }
        }
    }
}

struct CompanyAction {
    id: Option<i64>,
    input: CompanyInput,
    fields: CompanyFields,
}

async fn plan_companies(
    conn: &mut AnyConnection,
    table: &Table,
    errors: &mut Errors,
) -> ApiResult<(Counts, Vec<CompanyAction>)> {
    let mut halls: HashMap<String, i64> = HashMap::new();
    for row in sqlx::query("select id, slug from halls")
        .fetch_all(&mut *conn)
        .await?
    {
        halls.insert(row.try_get("slug")?, row.try_get("id")?);
    }
    let mut counts = Counts::default();
    let mut actions = Vec::new();
    let mut keys = Keys::default();
    for row in table.rows() {
        let n = row.number;
        let reg_no = row.get("reg_no").unwrap_or("").to_string();
        if reg_no.is_empty() {
            errors.required(n, "reg_no");
            continue;
        }
        if keys.repeated(errors, n, "reg_no", &reg_no, &reg_no) {
            continue;
        }
        let before = errors.count();
        let old = stored_company(conn, &reg_no).await?;
        let was = old.as_ref().map(|o| &o.fields);
        let text = |column: &str, stored: Option<&Option<String>>| -> Option<String> {
            row.text(column)
                .unwrap_or_else(|| stored.cloned().flatten())
        };
        let hall_id = match row.get("hall") {
            None => was.and_then(|w| w.hall_id),
            Some("") => None,
            Some(slug) => match halls.get(&slug.to_lowercase()) {
                Some(id) => Some(*id),
                None => {
                    errors.push(
                        n,
                        Some("hall"),
                        "import.unknown_hall",
                        vec![("column", "hall".into()), ("value", slug.to_string())],
                        format!("hall {slug:?} does not exist"),
                    );
                    None
                }
            },
        };
        let founded_year = match row.get("founded_year") {
            None => was.and_then(|w| w.founded_year),
            Some("") => None,
            Some(raw) => match raw.parse::<i64>() {
                Ok(year) => Some(year),
                Err(_) => {
                    errors.bad_number(n, "founded_year", raw, "a year");
                    None
                }
            },
        };
        let mut input = CompanyInput {
            reg_no: reg_no.clone(),
            name: row
                .get("name")
                .map(str::to_string)
                .or_else(|| was.map(|w| w.name.clone()))
                .unwrap_or_default(),
            hall_id,
            country: row
                .get("country")
                .map(country_code)
                .or_else(|| was.map(|w| w.country.clone()))
                .unwrap_or_default(),
            region: text("region", was.map(|w| &w.region)),
            tagline: text("tagline", was.map(|w| &w.tagline)),
            description: text("description", was.map(|w| &w.description)),
            website: text("website", was.map(|w| &w.website)),
            founded_year,
            tags: row
                .get("tags")
                .map(list)
                .or_else(|| was.map(|w| w.tags.clone()))
                .unwrap_or_default(),
            export_countries: row
                .get("export_countries")
                .map(|v| list(v).iter().map(|c| country_code(c)).collect())
                .or_else(|| was.map(|w| w.export_countries.clone()))
                .unwrap_or_default(),
            texts: BTreeMap::new(),
        };
        for lang in text_langs() {
            let columns = ["name", "tagline", "description"].map(|c| format!("{c}_{lang}"));
            if !columns.iter().any(|c| row.get(c).is_some()) {
                continue;
            }
            let stored = old
                .as_ref()
                .and_then(|o| o.texts.get(lang))
                .cloned()
                .unwrap_or_default();
            input.texts.insert(
                lang.to_string(),
                CompanyText {
                    name: row.text(&columns[0]).unwrap_or(stored.name),
                    tagline: row.text(&columns[1]).unwrap_or(stored.tagline),
                    description: row.text(&columns[2]).unwrap_or(stored.description),
                },
            );
        }

        // Each field through the shared validator on its own, so every bad cell is named.
        let mut fields: Vec<&str> = COMPANY_CHECKS.iter().map(|(f, _)| *f).collect();
        if input.country.is_empty() {
            errors.required(n, "country");
            fields.retain(|f| *f != "country");
        }
        check_company(errors, n, &input, &fields, "");
        for (lang, t) in &input.texts {
            let translated = CompanyInput {
                name: t.name.clone().unwrap_or_default(),
                tagline: t.tagline.clone(),
                description: t.description.clone(),
                ..probe_company()
            };
            let given = [
                ("name", t.name.is_some()),
                ("tagline", t.tagline.is_some()),
                ("description", t.description.is_some()),
            ];
            let fields: Vec<&str> = given.iter().filter(|g| g.1).map(|g| g.0).collect();
            check_company(errors, n, &translated, &fields, &format!("_{lang}"));
        }
        if errors.count() > before {
            continue;
        }
        let fields = match validate_company(&input) {
            Ok(fields) => fields,
            Err(error) => {
                errors.refused(n, error.field, error);
                continue;
            }
        };
        let same = old.as_ref().is_some_and(|o| {
            fields == o.fields
                && input.texts.iter().all(|(lang, t)| {
                    let stored = o.texts.get(lang).cloned().unwrap_or_default();
                    normalized_company_text(t) == normalized_company_text(&stored)
                })
        });
        let id = old.as_ref().map(|o| o.id);
        counts.count(id, same, CompanyAction { id, input, fields }, &mut actions);
    }
    Ok((counts, actions))
}

/// Finds companies by registration number, remembering the answers.
#[derive(Default)]
struct CompanyIds(HashMap<String, Option<i64>>);

impl CompanyIds {
    async fn get(&mut self, conn: &mut AnyConnection, reg_no: &str) -> ApiResult<Option<i64>> {
        if let Some(id) = self.0.get(reg_no) {
            return Ok(*id);
        }
        let id: Option<i64> = sqlx::query_scalar("select id from companies where reg_no = $1")
            .bind(reg_no)
            .fetch_optional(&mut *conn)
            .await?;
        self.0.insert(reg_no.to_string(), id);
        Ok(id)
    }

    /// The company of a row's `reg_no`, or an error on the row.
    async fn of_row(
        &mut self,
        conn: &mut AnyConnection,
        row: Row<'_>,
        errors: &mut Errors,
    ) -> ApiResult<Option<i64>> {
        let reg_no = row.get("reg_no").unwrap_or("");
        if reg_no.is_empty() {
            errors.required(row.number, "reg_no");
            return Ok(None);
        }
        let id = self.get(conn, reg_no).await?;
        if id.is_none() {
            errors.push(
                row.number,
                Some("reg_no"),
                "import.unknown_company",
                vec![("column", "reg_no".into()), ("value", reg_no.to_string())],
                format!("no company has the registration number {reg_no:?}; import it first"),
            );
        }
        Ok(id)
    }
}

struct Invitation {
    email: String,
    name: String,
    company_id: i64,
    company_admin: bool,
    languages: Vec<String>,
}

pub(crate) fn parse_flag(raw: &str) -> Option<bool> {
    match raw.to_ascii_lowercase().as_str() {
        "" | "false" | "no" | "0" => Some(false),
        "true" | "yes" | "1" => Some(true),
        _ => None,
    }
}

async fn plan_staff(
    conn: &mut AnyConnection,
    table: &Table,
    errors: &mut Errors,
) -> ApiResult<(Counts, Vec<Invitation>)> {
    let mut counts = Counts::default();
    let mut actions = Vec::new();
    let mut keys = Keys::default();
    let mut companies = CompanyIds::default();
    let now = now_ms();
    for row in table.rows() {
        let n = row.number;
        let Some(email) = email_cell(errors, row, BadEmailParams::ColumnAndValue) else {
            continue;
        };
        if keys.repeated(errors, n, "email", &email, &email) {
            continue;
        }
        let before = errors.count();
        let company_id = companies.of_row(conn, row, errors).await?;
        let name = checked_text(errors, n, "name", row.get("name").unwrap_or(""), 200, false);
        let mut languages: Vec<String> = Vec::new();
        for lang in list(row.get("languages").unwrap_or("")) {
            let lang = lang.to_lowercase();
            if !(2..=3).contains(&lang.len()) || !lang.chars().all(|c| c.is_ascii_lowercase()) {
                errors.add_code(
                    n,
                    "languages",
                    "import.bad_language_code",
                    &[("column", "languages"), ("value", &lang)],
                    format!("languages {lang:?} is not a language code (like ko, en, ru)"),
                );
            } else if !languages.contains(&lang) {
                languages.push(lang);
            }
        }
        let raw_admin = row.get("company_admin").unwrap_or("");
        let company_admin = parse_flag(raw_admin).unwrap_or_else(|| {
            errors.add_code(
                n,
                "company_admin",
                "import.bad_flag",
                &[("column", "company_admin"), ("value", raw_admin)],
                format!("company_admin {raw_admin:?} is not true/false, yes/no or 1/0"),
            );
            false
        });
        let Some(company_id) = company_id else {
            continue;
        };
        let account = sqlx::query("select role, company_id from users where email = $1")
            .bind(&email)
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(account) = account {
            let role: String = account.try_get("role")?;
            let their_company: Option<i64> = account.try_get("company_id")?;
            if role != Role::Exhibitor.as_str() {
                errors.add_code(
                    n,
                    "email",
                    "import.not_staff",
                    &[("column", "email"), ("value", &email), ("role", &role)],
                    format!("{email:?} belongs to an account of a(n) {role}, not exhibitor staff"),
                );
            } else if their_company != Some(company_id) {
                errors.add_code(
                    n,
                    "email",
                    "import.staff_elsewhere",
                    &[("column", "email"), ("value", &email)],
                    format!("{email:?} is staff of another company"),
                );
            } else if errors.count() == before {
                counts.unchanged += 1;
            }
            continue;
        }
        let pending = sqlx::query(
            "select role, company_id from invitations \
             where email = $1 and accepted_ms is null and revoked_ms is null and expires_ms > $2",
        )
        .bind(&email)
        .bind(now)
        .fetch_all(&mut *conn)
        .await?;
        let mut invited_here = false;
        for invitation in &pending {
            let role: String = invitation.try_get("role")?;
            let their_company: Option<i64> = invitation.try_get("company_id")?;
            if role == Role::Exhibitor.as_str() && their_company == Some(company_id) {
                invited_here = true;
            } else {
                errors.add_code(
                    n,
                    "email",
                    "import.invited_elsewhere",
                    &[("column", "email"), ("value", &email)],
                    format!("{email:?} has a pending invitation to another company or role"),
                );
                break;
            }
        }
        if errors.count() > before {
            continue;
        }
        if invited_here {
            counts.unchanged += 1;
            continue;
        }
        if name.is_empty() {
            errors.required(n, "name");
            continue;
        }
        counts.created += 1;
        counts.invitations += 1;
        actions.push(Invitation {
            email,
            name,
            company_id,
            company_admin,
            languages,
        });
    }
    Ok((counts, actions))
}

/// A product as stored, for matching and comparing.
struct StoredProduct {
    id: i64,
    fields: ProductFields,
    texts: BTreeMap<String, ProductText>,
}

async fn stored_product(
    conn: &mut AnyConnection,
    company_id: i64,
    code: &str,
) -> ApiResult<Option<StoredProduct>> {
    let row = sqlx::query(
        "select id, name, code, description, hs_code, category, tags, min_order, price_range, \
         certifications from products where company_id = $1 and code = $2",
    )
    .bind(company_id)
    .bind(code)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let id: i64 = row.try_get("id")?;
    let fields = ProductFields {
        name: row.try_get("name")?,
        code: row.try_get("code")?,
        description: row.try_get("description")?,
        hs_code: row.try_get("hs_code")?,
        category: row.try_get("category")?,
        tags: decode_list(&row.try_get::<String, _>("tags")?),
        min_order: row.try_get("min_order")?,
        price_range: row.try_get("price_range")?,
        certifications: decode_list(&row.try_get::<String, _>("certifications")?),
    };
    let mut texts = BTreeMap::new();
    for t in sqlx::query("select lang, name, description from product_texts where product_id = $1")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
    {
        texts.insert(
            t.try_get("lang")?,
            ProductText {
                name: t.try_get("name")?,
                description: t.try_get("description")?,
            },
        );
    }
    Ok(Some(StoredProduct { id, fields, texts }))
}

fn normalized_product_text(t: &ProductText) -> ProductText {
    ProductText {
        name: t.name.as_deref().and_then(non_empty),
        description: t.description.as_deref().and_then(non_empty),
    }
}

/// A product input that passes validation, to check one field at a time against.
fn probe_product() -> ProductInput {
    ProductInput {
        name: "probe".into(),
        code: None,
        description: None,
        hs_code: None,
        category: None,
        tags: vec![],
        min_order: None,
        price_range: None,
        certifications: vec![],
        texts: BTreeMap::new(),
    }
}

/// Copies one field from a product input into another.
type CopyProductField = FieldCopy<ProductInput>;

/// The fields of a product input, each checkable on its own.
const PRODUCT_CHECKS: &[(&str, CopyProductField)] = &[
    ("name", |from, to| to.name.clone_from(&from.name)),
    ("code", |from, to| to.code.clone_from(&from.code)),
    ("description", |from, to| {
        to.description.clone_from(&from.description)
    }),
    ("hs_code", |from, to| to.hs_code.clone_from(&from.hs_code)),
    ("category", |from, to| {
        to.category.clone_from(&from.category)
    }),
    ("tags", |from, to| to.tags.clone_from(&from.tags)),
    ("min_order", |from, to| {
        to.min_order.clone_from(&from.min_order)
    }),
    ("price_range", |from, to| {
        to.price_range.clone_from(&from.price_range)
    }),
    ("certifications", |from, to| {
        to.certifications.clone_from(&from.certifications)
    }),
];

/// Puts each of `fields` of `input` alone through the shared product validator, and adds an
/// error on the column `{field}{suffix}` for each it refuses.
fn check_product(
    errors: &mut Errors,
    row: usize,
    input: &ProductInput,
    fields: &[&str],
    suffix: &str,
) {
    let validate = |probe: &ProductInput| validate_product(probe).map(drop);
    let checks = Checks {
        copies: PRODUCT_CHECKS,
        probe: probe_product,
        validate,
    };
    checks.run(errors, row, input, fields, suffix);
}

struct ProductAction {
    company_id: i64,
    id: Option<i64>,
    input: ProductInput,
    fields: ProductFields,
}

async fn plan_products(
    conn: &mut AnyConnection,
    table: &Table,
    errors: &mut Errors,
) -> ApiResult<(Counts, Vec<ProductAction>)> {
    let mut counts = Counts::default();
    let mut actions = Vec::new();
    let mut keys = Keys::default();
    let mut companies = CompanyIds::default();
    for row in table.rows() {
        let n = row.number;
        let reg_no = row.get("reg_no").unwrap_or("");
        let code = row.get("code").unwrap_or("").to_string();
        if code.is_empty() {
            errors.required(n, "code");
            continue;
        }
        let key = format!("{reg_no}\u{0}{code}");
        if keys.repeated(errors, n, "code", &key, &code) {
            continue;
        }
        let before = errors.count();
        let Some(company_id) = companies.of_row(conn, row, errors).await? else {
            continue;
        };
        let old = stored_product(conn, company_id, &code).await?;
        let was = old.as_ref().map(|o| &o.fields);
        let text = |column: &str, stored: Option<&Option<String>>| -> Option<String> {
            row.text(column)
                .unwrap_or_else(|| stored.cloned().flatten())
        };
        let list_of = |column: &str, stored: Option<&Vec<String>>| -> Vec<String> {
            row.get(column)
                .map(list)
                .or_else(|| stored.cloned())
                .unwrap_or_default()
        };
        let mut input = ProductInput {
            name: row
                .get("name")
                .map(str::to_string)
                .or_else(|| was.map(|w| w.name.clone()))
                .unwrap_or_default(),
            code: Some(code.clone()),
            description: text("description", was.map(|w| &w.description)),
            hs_code: text("hs_code", was.map(|w| &w.hs_code)),
            category: text("category", was.map(|w| &w.category)),
            tags: list_of("tags", was.map(|w| &w.tags)),
            min_order: text("min_order", was.map(|w| &w.min_order)),
            price_range: text("price_range", was.map(|w| &w.price_range)),
            certifications: list_of("certifications", was.map(|w| &w.certifications)),
            texts: BTreeMap::new(),
        };
        for lang in text_langs() {
            let columns = ["name", "description"].map(|c| format!("{c}_{lang}"));
            if !columns.iter().any(|c| row.get(c).is_some()) {
                continue;
            }
            let stored = old
                .as_ref()
                .and_then(|o| o.texts.get(lang))
                .cloned()
                .unwrap_or_default();
            input.texts.insert(
                lang.to_string(),
                ProductText {
                    name: row.text(&columns[0]).unwrap_or(stored.name),
                    description: row.text(&columns[1]).unwrap_or(stored.description),
                },
            );
        }

        let fields: Vec<&str> = PRODUCT_CHECKS.iter().map(|(f, _)| *f).collect();
        check_product(errors, n, &input, &fields, "");
        for (lang, t) in &input.texts {
            let translated = ProductInput {
                name: t.name.clone().unwrap_or_default(),
                description: t.description.clone(),
                ..probe_product()
            };
            let given = [
                ("name", t.name.is_some()),
                ("description", t.description.is_some()),
            ];
            let fields: Vec<&str> = given.iter().filter(|g| g.1).map(|g| g.0).collect();
            check_product(errors, n, &translated, &fields, &format!("_{lang}"));
        }
        if errors.count() > before {
            continue;
        }
        let fields = match validate_product(&input) {
            Ok(fields) => fields,
            Err(error) => {
                errors.refused(n, error.field, error);
                continue;
            }
        };
        let same = old.as_ref().is_some_and(|o| {
            fields == o.fields
                && input.texts.iter().all(|(lang, t)| {
                    let stored = o.texts.get(lang).cloned().unwrap_or_default();
                    normalized_product_text(t) == normalized_product_text(&stored)
                })
        });
        let id = old.as_ref().map(|o| o.id);
        counts.count(
            id,
            same,
            ProductAction {
                company_id,
                id,
                input,
                fields,
            },
            &mut actions,
        );
    }
    Ok((counts, actions))
}

// ---------------------------------------------------------------------------------------------
// Writing: all in the caller's one transaction. Each returns the companies it touched.

async fn write_halls(
    conn: &mut sqlx::AnyConnection,
    actions: &[HallAction],
) -> ApiResult<Vec<i64>> {
    for a in actions {
        let done =
            match a.id {
                None => sqlx::query(
                    "insert into halls (slug, name, industry, position) values ($1, $2, $3, $4)",
                )
                .bind(&a.slug)
                .bind(&a.name)
                .bind(&a.industry)
                .bind(a.position)
                .execute(&mut *conn)
                .await,
                Some(id) => {
                    sqlx::query(
                        "update halls set slug = $1, name = $2, industry = $3, position = $4 \
                     where id = $5",
                    )
                    .bind(&a.slug)
                    .bind(&a.name)
                    .bind(&a.industry)
                    .bind(a.position)
                    .bind(id)
                    .execute(&mut *conn)
                    .await
                }
            };
        done.map_err(|e| on_unique_violation(e, "a hall with this slug exists"))?;
    }
    Ok(vec![])
}

async fn write_companies(
    conn: &mut sqlx::AnyConnection,
    kind: StoreKind,
    actions: &[CompanyAction],
) -> ApiResult<Vec<i64>> {
    let mut touched = Vec::new();
    for a in actions {
        let f = &a.fields;
        let id = save_company_row(conn, a.id, f).await?;
        write_company_texts(conn, id, &a.input).await?;
        reindex(conn, kind, id).await?;
        touched.push(id);
    }
    Ok(touched)
}

async fn write_staff(
    conn: &mut sqlx::AnyConnection,
    invited_by: i64,
    actions: &[Invitation],
) -> ApiResult<Vec<InvitationLink>> {
    let now = now_ms();
    let mut links = Vec::new();
    for a in actions {
        // Only the hash is stored; the token goes back to the organizer once, in the report.
        let (token, hash) = password::new_token();
        let language = crate::mail::language_of_list(&a.languages);
        links.push(InvitationLink {
            email: a.email.clone(),
            name: a.name.clone(),
            accept_path: format!("/#/accept?token={token}"),
            token,
            language: language.to_string(),
        });
        sqlx::query(
            "insert into invitations (token_hash, email, name, role, company_id, company_admin, \
             languages, timezone, invited_by, created_ms, expires_ms, language, sent_ms) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $10)",
        )
        .bind(hash)
        .bind(&a.email)
        .bind(&a.name)
        .bind(Role::Exhibitor.as_str())
        .bind(a.company_id)
        .bind(flag(a.company_admin))
        .bind(encode_list(&a.languages))
        .bind(None::<String>)
        .bind(invited_by)
        .bind(now)
        .bind(now + INVITATION_TTL_MS)
        .bind(language)
        .execute(&mut *conn)
        .await?;
    }
    Ok(links)
}

async fn write_products(
    conn: &mut sqlx::AnyConnection,
    kind: StoreKind,
    actions: &[ProductAction],
) -> ApiResult<Vec<i64>> {
    let mut touched = BTreeSet::new();
    for a in actions {
        let f = &a.fields;
        // Inside the import's transaction each insert sees the ones before it, so positions
        // keep counting up within a booth.
        let id: i64 = match a.id {
            None => insert_product(conn, a.company_id, f).await?,
            Some(id) => {
                update_product_row(conn, id, f).await?;
                id
            }
        };
        write_product_texts(conn, id, &a.input).await?;
        touched.insert(a.company_id);
    }
    for company_id in &touched {
        reindex(conn, kind, *company_id).await?;
    }
    Ok(touched.into_iter().collect())
}

#[cfg(test)]
mod tests {
    /// The CSV reader on mutated files: no panic, and never more rows or columns than the
    /// limits allow.
    #[test]
    fn fuzz_csv_reader() {
        use crate::http::guard::fuzzing;
        let seeds: &[&[u8]] = &[
            b"slug,name,industry\nfood,Hall A,food\nsea,\"Sea, Hall\",fish\n",
            b"\xEF\xBB\xBFreg_no,name,country\n101-81-1,Seorak,KR\n",
            b"slug;name\nx;y\n",
        ];
        let mut rng = fuzzing::rng("csv reader");
        for _ in 0..fuzzing::iterations() {
            let body = fuzzing::mutate(&mut rng, seeds);
            let mut errors = Errors::default();
            let table = read_table(&body, Kind::Halls, &mut errors);
            assert!(table.lines.len() <= MAX_SHEET_ROWS);
            assert!(table
                .lines
                .iter()
                .all(|l| l.cells.len() <= MAX_SHEET_COLUMNS));
        }
    }

    /// The XLSX reader on mutated workbooks (and on its ZIP directory): no panic, no
    /// allocation beyond the limits.
    #[test]
    fn fuzz_xlsx_reader() {
        use crate::http::guard::fuzzing;
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, text) in ["slug", "name", "industry"].iter().enumerate() {
            sheet.write_string(0, c as u16, *text).unwrap();
        }
        sheet.write_string(1, 0, "food").unwrap();
        sheet.write_number(1, 1, 2005.0).unwrap();
        sheet.write_string(3, 2, "fish").unwrap();
        let seed = book.save_to_buffer().unwrap();
        let mut errors = Errors::default();
        let clean = read_table(&seed, Kind::Halls, &mut errors);
        assert_eq!(clean.lines.len(), 2, "{errors:?}");
        let mut rng = fuzzing::rng("xlsx reader");
        // Inflating a workbook is slower than reading CSV: a tenth of the iterations.
        for _ in 0..fuzzing::iterations() / 10 {
            let body = fuzzing::mutate(&mut rng, &[&seed]);
            let mut errors = Errors::default();
            let table = read_table(&body, Kind::Halls, &mut errors);
            assert!(table.lines.len() <= MAX_SHEET_ROWS);
        }
    }

    /// A ZIP whose central directory declares one entry of the given inflated size.
    fn zip_declaring(inflated: u32) -> Vec<u8> {
        let mut zip = b"PK\x03\x04".to_vec();
        zip.extend_from_slice(&[0u8; 26]);
        let central_at = zip.len() as u32;
        let mut central = b"PK\x01\x02".to_vec();
        central.extend_from_slice(&[0u8; 20]);
        central.extend_from_slice(&inflated.to_le_bytes());
        central.extend_from_slice(&[0u8; 18]);
        zip.extend_from_slice(&central);
        zip.extend_from_slice(b"PK\x05\x06");
        zip.extend_from_slice(&[0u8; 6]);
        zip.extend_from_slice(&1u16.to_le_bytes());
        zip.extend_from_slice(&(central.len() as u32).to_le_bytes());
        zip.extend_from_slice(&central_at.to_le_bytes());
        zip.extend_from_slice(&[0u8; 2]);
        zip
    }

    #[test]
    fn zip_bombs_are_refused_before_inflating() {
        assert!(check_zip_sizes(&zip_declaring(1000)).is_ok());
        assert!(check_zip_sizes(&zip_declaring(u32::MAX)).is_err());
        assert!(check_zip_sizes(&zip_declaring(100 << 20)).is_err());
        assert!(check_zip_sizes(b"PK\x03\x04 no directory").is_err());
        let mut errors = Errors::default();
        assert!(read_xlsx(&zip_declaring(u32::MAX), &mut errors).is_empty());
        assert!(errors.0[0].message.contains("inflate"), "{:?}", errors.0);
    }

    #[test]
    fn sheet_limits() {
        assert!(check_sheet_cell(0, 0, 0, 0).is_ok());
        assert!(check_sheet_cell(MAX_SHEET_ROWS as u32, 0, 0, 0).is_err());
        assert!(check_sheet_cell(0, MAX_SHEET_COLUMNS as u32, 0, 0).is_err());
        assert!(check_sheet_cell(5, 5, MAX_SHEET_CELLS, 5).is_err());
        assert!(check_sheet_cell(5, 5, 5, MAX_SHEET_ROWS).is_err());
    }

    use super::*;

    fn table(body: &str, kind: Kind) -> (Table, Vec<ImportRowError>) {
        let mut errors = Errors::default();
        let table = read_table(body.as_bytes(), kind, &mut errors);
        (table, errors.into_list())
    }

    #[test]
    fn csv_with_bom_and_case_insensitive_header() {
        let (t, errors) = table(
            "\u{feff}Slug, NAME ,industry\nfood,Food,food\n\n,,\nbeauty,Beauty,beauty\n",
            Kind::Halls,
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(t.lines.len(), 2);
        let rows: Vec<_> = t.rows().collect();
        assert_eq!(rows[0].number, 2);
        assert_eq!(rows[0].get("name"), Some("Food"));
        assert_eq!(rows[0].get("position"), None);
        // The empty line is skipped by the reader; the row of empty cells keeps its number.
        assert_eq!(rows[1].number, 4);
    }

    #[test]
    fn header_problems_are_named() {
        let (_, errors) = table("name,colour,name_ko\nx,y,z\n", Kind::Companies);
        let columns: Vec<_> = errors
            .iter()
            .map(|e| e.column.clone().unwrap_or_default())
            .collect();
        assert_eq!(columns, vec!["colour", "reg_no"]);
        assert!(errors.iter().all(|e| e.row == 1));
        let (_, errors) = table("slug,name\na,b,c\n", Kind::Halls);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].row, 2);
        let (_, errors) = table("", Kind::Halls);
        assert_eq!(
            errors[0].message,
            "the file is empty; its first row must name the columns"
        );
        assert_eq!(errors[0].code.as_deref(), Some("import.empty_file"));
        let (_, errors) = table("name,colour,name_ko,name\nx,y,z,w\n", Kind::Companies);
        let coded: Vec<_> = errors
            .iter()
            .map(|e| {
                (
                    e.code.clone().unwrap_or_default(),
                    e.params.get("column").cloned(),
                )
            })
            .collect();
        assert_eq!(
            coded,
            vec![
                ("import.unknown_column".into(), Some("colour".into())),
                ("import.duplicate_column".into(), Some("name".into())),
                ("import.missing_column".into(), Some("reg_no".into())),
            ]
        );
        let (_, errors) = table("slug;name\n", Kind::Halls);
        assert_eq!(errors[0].code.as_deref(), Some("import.wrong_separator"));
    }

    #[test]
    fn every_finding_code_has_a_text() {
        let locales = [
            ("en", include_str!("../../../assets/locales/en.json")),
            ("ko", include_str!("../../../assets/locales/ko.json")),
            ("zh", include_str!("../../../assets/locales/zh.json")),
            ("ru", include_str!("../../../assets/locales/ru.json")),
            ("mn", include_str!("../../../assets/locales/mn.json")),
            ("ja", include_str!("../../../assets/locales/ja.json")),
        ];
        for (lang, text) in locales {
            let table: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(text).unwrap();
            for code in FINDING_CODES {
                let key = format!(
                    "importPage.finding.{}",
                    code.strip_prefix("import.").unwrap()
                );
                assert!(table.contains_key(&key), "{lang} lacks {key}");
            }
            let known: Vec<String> = FINDING_CODES
                .iter()
                .map(|c| format!("importPage.finding.{}", &c["import.".len()..]))
                .collect();
            for key in table
                .keys()
                .filter(|k| k.starts_with("importPage.finding."))
            {
                assert!(
                    known.contains(key) || key == "importPage.finding.unknown",
                    "{lang} has {key}, which no finding code uses"
                );
            }
        }
    }

    #[test]
    fn validator_refusals_become_coded_findings() {
        let mut errors = Errors::default();
        let mut input = probe_company();
        input.name = "x".repeat(121);
        input.website = Some("ftp://x".into());
        input.founded_year = Some(1700);
        input.tags = vec!["t".repeat(41)];
        check_company(
            &mut errors,
            2,
            &input,
            &["name", "website", "founded_year", "tags"],
            "",
        );
        let list = errors.into_list();
        let codes: Vec<_> = list.iter().map(|e| e.code.clone().unwrap()).collect();
        assert_eq!(
            codes,
            vec![
                "import.too_long",
                "import.bad_url",
                "import.out_of_range",
                "import.tag_too_long"
            ]
        );
        assert_eq!(list[0].params["column"], "name");
        assert_eq!(list[0].params["max"], "120");
        assert_eq!(list[0].message, "name may have at most 120 characters");
        assert_eq!(list[2].params["min"], "1800");
        let mut errors = Errors::default();
        let mut input = probe_product();
        input.hs_code = Some("33x".into());
        check_product(&mut errors, 3, &input, &["hs_code"], "");
        let list = errors.into_list();
        assert_eq!(list[0].code.as_deref(), Some("import.bad_product_hs_code"));
        assert_eq!(list[0].params["value"], "33x");
    }

    #[test]
    fn values_and_messages() {
        assert_eq!(list(" a; b ;;c"), vec!["a", "b", "c"]);
        assert_eq!(country_code(" kr"), "KR");
        assert_eq!(country_code("Korea"), "Korea");
        assert_eq!(parse_flag("Yes"), Some(true));
        assert_eq!(parse_flag("maybe"), None);
        assert_eq!(
            column_message(
                "\"Korea\" is not a two-letter country code",
                "country",
                "country"
            ),
            "country \"Korea\" is not a two-letter country code"
        );
        assert_eq!(
            column_message("name may have at most 120 characters", "name", "name_ko"),
            "name_ko may have at most 120 characters"
        );
        assert_eq!(cell_text(&calamine::Data::Float(2005.0)), "2005");
        assert_eq!(cell_text(&calamine::Data::Float(3304.5)), "3304.5");
        assert!(Kind::Companies.accepts("description_mn"));
        assert!(!Kind::Companies.accepts("description_en"));
        assert!(!Kind::Staff.accepts("name_ko"));
    }
}
