//! Organizer monitoring: scripted visits, check-ins, chat and meetings produce exactly the
//! expected dashboard figures and report rows (and CSV/XLSX exports that match), on both
//! engine pairs and across two nodes; a killed node's sessions close at presence expiry; only
//! organizers see the fair, an exhibitor only its own figures.

use crate::both_engines;
use crate::helpers::*;
use expo_client::api::RangeQuery;
use expo_client::{Api, Hub, Incoming};
use expo_schema::api::*;
use expo_schema::protocol::{Command, RoomEvent, ServerFrame};
use expo_schema::{DashboardSnapshot, ErrorCode, Meeting, MeetingMode};
use expo_server::config::Clock;
use serde_json::Value;
use std::time::Duration;

both_engines!(
    dashboard_and_reports_match_a_scripted_day,
    only_organizers_see_the_fair
);

async fn sign_in(app: &TestApp, email: &str) -> (Api, expo_schema::UserProfile) {
    let (api, me) = app.api.login(email, DEMO_PASSWORD).await.unwrap();
    (api, me.user)
}

/// Waits for a dashboard event that satisfies `check`; returns it.
async fn dashboard_until(
    hub: &mut Hub,
    what: &str,
    check: impl Fn(&DashboardSnapshot) -> bool,
) -> DashboardSnapshot {
    let mut last = None;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while tokio::time::Instant::now() < deadline {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if let Some(Incoming::Frame(ServerFrame::Event {
            event: RoomEvent::Dashboard { snapshot },
            ..
        })) = hub.next(left).await
        {
            if check(&snapshot) {
                return snapshot;
            }
            last = Some(snapshot);
        }
    }
    panic!("the dashboard never showed {what}; last: {last:#?}")
}

fn booth(s: &DashboardSnapshot, company: i64) -> (i64, i64) {
    let b = s.booths.iter().find(|b| b.company_id == company).unwrap();
    (b.visitors_now, b.staff_on_duty)
}

fn section<'a>(report: &'a Report, name: &str) -> &'a ReportSection {
    report
        .sections
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no section {name}"))
}

/// The row of a section whose first matching column equals `key`.
fn row<'a>(section: &'a ReportSection, column: &str, key: impl Into<Value>) -> &'a Vec<Value> {
    let key = key.into();
    let i = section.columns.iter().position(|c| c == column).unwrap();
    section
        .rows
        .iter()
        .find(|r| r[i] == key)
        .unwrap_or_else(|| panic!("no row {key} in {}", section.name))
}

fn cell(section: &ReportSection, row: &[Value], column: &str) -> i64 {
    let i = section
        .columns
        .iter()
        .position(|c| c == column)
        .unwrap_or_else(|| panic!("no column {column}"));
    row[i].as_i64().unwrap()
}

async fn dashboard_and_reports_match_a_scripted_day(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let clock = Clock::default();
    let node_a = env
        .start_with(|c| {
            c.metrics_token = Some("metrics-token".into());
            c.demo = true;
            c.clock = clock.clone();
        })
        .await;
    let node_b = match engines {
        Engines::Services => Some(env.start_with(|c| c.clock = clock.clone()).await),
        Engines::Embedded => None,
    };
    let other = node_b.as_ref().unwrap_or(&node_a);
    // The organizer watches from the other node.
    let admin = other.admin().await;
    let mut watch = admin.connect().await.unwrap();
    watch.subscribe("dashboard").await.unwrap();
    let base = dashboard_until(&mut watch, "a first snapshot", |_| true).await;
    let t0 = chrono::Utc::now().timestamp_millis();
    let (ivan, ivan_me) = sign_in(&node_a, "buyer@demo.expo").await;
    let (olga, olga_me) = sign_in(other, "olga.smirnova@demo.expo").await;
    let (wang, wang_me) = sign_in(&node_a, "wang.wei@demo.expo").await;
    let (staff, staff_me) = sign_in(other, "exhibitor@demo.expo").await;
    let first = staff_me.company_id.unwrap();
    let companies = ivan.companies(None, None).await.unwrap();
    let second = companies
        .companies
        .iter()
        .map(|c| c.id)
        .find(|id| *id != first)
        .unwrap();
    let ivan_hub = ivan.connect().await.unwrap();
    let olga_hub = olga.connect().await.unwrap();
    let wang_hub = wang.connect().await.unwrap();
    let staff_hub = staff.connect().await.unwrap();
    ivan_hub.subscribe(&format!("booth:{first}")).await.unwrap();
    olga_hub.subscribe(&format!("booth:{first}")).await.unwrap();
    wang_hub
        .subscribe(&format!("booth:{second}"))
        .await
        .unwrap();
    staff_hub
        .request(Command::SetDuty { on_duty: true })
        .await
        .unwrap();
    let (v1, s1) = booth(&base, first);
    let (v2, _) = booth(&base, second);
    let now = dashboard_until(
        &mut watch,
        "three buyers in two booths, staff on duty",
        |s| {
            s.online_now == base.online_now + 4
                && booth(s, first) == (v1 + 2, s1 + 1)
                && booth(s, second).0 == v2 + 1
        },
    )
    .await;
    let role = |s: &DashboardSnapshot, r: &str| s.online_by_role.get(r).copied().unwrap_or(0);
    assert_eq!(role(&now, "buyer"), role(&base, "buyer") + 3);
    assert_eq!(role(&now, "exhibitor"), role(&base, "exhibitor") + 1);
    let country = |s: &DashboardSnapshot, c: &str| s.online_by_country.get(c).copied().unwrap_or(0);
    assert_eq!(country(&now, "CN"), country(&base, "CN") + 1);
    assert_eq!(now.booths_unstaffed, base.booths_unstaffed - 1);
    // The fair gauges in /metrics come from the same snapshots.
    let metrics = String::from_utf8(
        node_a
            .api
            .with_token("metrics-token")
            .get_bytes("/metrics")
            .await
            .unwrap(),
    )
    .unwrap();
    for gauge in [
        "expo_fair_online_people",
        "expo_fair_booths_unstaffed",
        "expo_fair_meetings_in_progress",
        "expo_fair_booth_visitors",
    ] {
        assert!(
            metrics.contains(&format!("{gauge} ")),
            "{gauge} in /metrics"
        );
    }
    let hall_id = |company: i64| {
        now.booths
            .iter()
            .find(|b| b.company_id == company)
            .unwrap()
            .hall_id
    };
    let hall_of = |s: &DashboardSnapshot, company: i64| {
        s.halls
            .iter()
            .find(|h| Some(h.hall_id) == hall_id(company))
            .unwrap()
            .visitors_now
    };
    assert_eq!(
        hall_of(&now, first) - hall_of(&base, first),
        if hall_id(first) == hall_id(second) {
            3
        } else {
            2
        }
    );
    // Onsite: the organizer scans Ivan at the entrance, the booth's staff scan Olga there.
    let ivan_badge = ivan.my_badge().await.unwrap();
    let olga_badge = olga.my_badge().await.unwrap();
    let scan = admin.scan(&badge(&ivan_badge.code)).await.unwrap();
    assert_eq!(
        (scan.place.as_str(), scan.user.id),
        ("entrance", ivan_me.id)
    );
    // A typed code works in lower case too.
    let code = olga_badge.code.to_lowercase();
    let scan = staff.scan(&badge(&code)).await.unwrap();
    assert_eq!(scan.place, "booth");
    assert_eq!(scan.company_id, Some(first));
    let error = staff
        .scan(&ScanInput {
            company_id: Some(second),
            ..badge(&olga_badge.code)
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    let error = ivan.scan(&badge(&olga_badge.code)).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    let error = admin.scan(&badge("EXPO-NOSUCHCODE")).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::NotFound));
    // Chat: two messages in the booth's room.
    let room = match ivan_hub
        .request(Command::ChatOpen {
            target: format!("booth:{first}"),
        })
        .await
        .unwrap()
    {
        expo_schema::protocol::ReplyData::ChatRoom { room } => room,
        other => panic!("{other:?}"),
    };
    ivan_hub
        .request(Command::ChatJoin {
            room_id: room.id,
            after_seq: 0,
        })
        .await
        .unwrap();
    for (i, body) in ["Hello", "Do you ship to Vladivostok?"].iter().enumerate() {
        ivan_hub
            .request(Command::ChatSend {
                room_id: room.id,
                body: body.to_string(),
                key: format!("monitor-{i}"),
                attachment_id: None,
                phrase: None,
            })
            .await
            .unwrap();
    }
    let onsite = dashboard_until(
        &mut watch,
        "two onsite check-ins and two chat messages",
        |s| {
            s.onsite_today == base.onsite_today + 2
                && s.chat_messages_last_minute >= base.chat_messages_last_minute + 2
        },
    )
    .await;
    assert_eq!(
        onsite.both_today,
        base.both_today + 2,
        "both were online today too"
    );
    // Ivan leaves the booth; the figures follow.
    ivan_hub
        .unsubscribe(&format!("booth:{first}"))
        .await
        .unwrap();
    dashboard_until(&mut watch, "Ivan out of the booth", |s| {
        booth(s, first).0 == v1 + 1
    })
    .await;
    // Meetings on a day of their own, then the clock moves past them.
    let day = (chrono::Utc::now() + chrono::Duration::days(7))
        .format("%Y-%m-%d")
        .to_string();
    let slots = admin
        .create_grid(&grid_input(&day, "Asia/Seoul", "09:00", "10:00", 30))
        .await
        .unwrap();
    let slot = |i: usize| slots.slots[i].id;
    let ids: Vec<i64> = (0..2).map(slot).collect();
    for company in [first, second] {
        admin
            .set_availability(
                company,
                &AvailabilityInput {
                    slot_ids: ids.clone(),
                    seats: 3,
                },
            )
            .await
            .unwrap();
    }
    let ask = |api: &Api, company: i64, slot: i64, languages: Vec<String>| {
        let api = api.clone();
        async move {
            api.request_meeting(&MeetingRequest {
                show_id: None,
                interpreter_languages: languages,
                ..meeting_request(company, slot, MeetingMode::Online)
            })
            .await
            .unwrap()
        }
    };
    let held = ask(&ivan, first, ids[0], strings(["ru"])).await;
    let missed = ask(&olga, first, ids[1], vec![]).await;
    let cancelled = ask(&wang, second, ids[0], vec![]).await;
    for m in [&held, &missed] {
        let _: Meeting = staff
            .accept_meeting(m.id, &AcceptInput::default())
            .await
            .unwrap();
    }
    let _: Meeting = admin
        .assign_interpreter(held.id, &InterpreterInput::default())
        .await
        .unwrap();
    let _: Meeting = wang
        .cancel_meeting(cancelled.id, &ReasonInput::default())
        .await
        .unwrap();
    // The held one: both check in; the missed one: nobody comes.
    clock.set(held.starts_ms + 60_000);
    for api in [&ivan, &staff] {
        api.meeting_checkin(&CheckinInput {
            table_code: None,
            meeting_id: Some(held.id),
        })
        .await
        .unwrap();
    }
    clock.set(missed.ends_ms + 60_000);
    expo_server::meetings::jobs::tick(&node_a.state)
        .await
        .unwrap();
    staff
        .set_outcome(
            held.id,
            &expo_schema::MeetingOutcome {
                consult_usd: 12000,
                contract_usd: 90000,
                mou_signed: true,
                samples_requested: false,
                notes: None,
                rating: Some(4),
            },
        )
        .await
        .unwrap();
    // The fair report for the meetings' day.
    let report = admin
        .report(&RangeQuery {
            from: Some(day.clone()),
            to: Some(day.clone()),
            bucket_minutes: None,
        })
        .await
        .unwrap();
    let by_country = section(&report, "meetings_by_country");
    let ru = row(by_country, "buyer_country", "RU");
    assert_eq!(
        [
            cell(by_country, ru, "requested"),
            cell(by_country, ru, "confirmed"),
            cell(by_country, ru, "held"),
            cell(by_country, ru, "no_show"),
            cell(by_country, ru, "cancelled"),
            cell(by_country, ru, "with_interpreter"),
        ],
        [2, 2, 1, 1, 0, 1]
    );
    let cn = row(by_country, "buyer_country", "CN");
    assert_eq!(
        (
            cell(by_country, cn, "requested"),
            cell(by_country, cn, "cancelled")
        ),
        (1, 1)
    );
    let money = section(&report, "amounts_by_country");
    let ru_money = row(money, "buyer_country", "RU");
    assert_eq!(
        [
            cell(money, ru_money, "meetings_with_outcome"),
            cell(money, ru_money, "consult_usd"),
            cell(money, ru_money, "contract_usd"),
            cell(money, ru_money, "mou_signed"),
        ],
        [1, 12000, 90000, 1]
    );
    let summary = section(&report, "summary");
    let figure = |name: &str| cell(summary, row(summary, "figure", name), "value");
    assert_eq!(
        (
            figure("meetings_requested"),
            figure("meetings_held"),
            figure("meetings_no_show")
        ),
        (3, 1, 1)
    );
    assert_eq!(figure("consult_usd"), 12000);
    let interpreters = section(&report, "interpreters");
    assert_eq!(interpreters.rows.len(), 1);
    // Today's attendance, from the scripted start, up to one instant: an open visit's dwell
    // grows with the clock, and the exports below must describe the same range.
    let cut = clock.now_ms();
    let report = admin
        .report(&RangeQuery {
            from: Some(t0.to_string()),
            to: Some(cut.to_string()),
            bucket_minutes: Some(1),
        })
        .await
        .unwrap();
    let summary = section(&report, "summary");
    let figure = |name: &str| cell(summary, row(summary, "figure", name), "value");
    assert_eq!(
        (
            figure("buyers_online"),
            figure("buyers_onsite"),
            figure("buyers_both"),
            figure("buyers_total")
        ),
        (3, 2, 2, 3)
    );
    let booths = section(&report, "booths");
    let mine = row(booths, "company_id", first);
    assert_eq!(
        [
            cell(booths, mine, "visits"),
            cell(booths, mine, "unique_visitors"),
            cell(booths, mine, "onsite_visits"),
        ],
        [3, 2, 1],
        "Ivan and Olga online, and Olga's booth scan"
    );
    let theirs = row(booths, "company_id", second);
    assert_eq!(cell(booths, theirs, "visits"), 1);
    let curve = section(&report, "concurrency");
    let peak = curve
        .rows
        .iter()
        .map(|r| r[2].as_i64().unwrap())
        .max()
        .unwrap();
    assert!(
        peak >= 5,
        "four of ours and the organizer were online together: {peak}"
    );
    // The CSV export is the same table.
    let csv = admin
        .report_csv(
            "booths.csv",
            &RangeQuery {
                from: Some(t0.to_string()),
                to: Some(cut.to_string()),
                bucket_minutes: None,
            },
        )
        .await
        .unwrap();
    assert!(csv.starts_with('\u{feff}'), "UTF-8 BOM for spreadsheets");
    let mut reader = csv::Reader::from_reader(&csv.as_bytes()[3..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, booths.columns);
    let records: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let json_rows: Vec<Vec<String>> = booths
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    assert_eq!(records, json_rows);
    let xlsx = admin
        .report_xlsx(&RangeQuery {
            from: Some(t0.to_string()),
            ..RangeQuery::default()
        })
        .await
        .unwrap();
    assert!(xlsx.starts_with(b"PK"), "an XLSX is a zip");
    // The exhibitor sees its own figures, the same numbers for the same range (the clock
    // runs on: without the cut, the open visit's dwell has grown by now).
    let own = staff
        .company_stats(
            first,
            &RangeQuery {
                from: Some(t0.to_string()),
                to: Some(cut.to_string()),
                bucket_minutes: None,
            },
        )
        .await
        .unwrap();
    let own_booths = section(&own, "booths");
    assert_eq!(own_booths.rows.len(), 1);
    assert_eq!(row(own_booths, "company_id", first), mine);
    let _ = (olga_me, wang_me);
    drop((ivan_hub, olga_hub, wang_hub, staff_hub));
    stop_nodes(node_a, node_b).await;
}

async fn only_organizers_see_the_fair(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start_with(|c| c.demo = true).await;
    let (staff, me) = sign_in(&app, "exhibitor@demo.expo").await;
    let (ivan, _) = sign_in(&app, "buyer@demo.expo").await;
    for api in [&staff, &ivan] {
        let dashboard = api.dashboard().await.map(drop);
        let report = api.report(&RangeQuery::default()).await.map(drop);
        for (path, result) in [
            ("/api/v1/dashboard", dashboard),
            ("/api/v1/reports", report),
        ] {
            let error = result.unwrap_err();
            assert_eq!(error.code(), Some(ErrorCode::Forbidden), "{path}");
        }
        let error = api
            .report_csv("booths.csv", &RangeQuery::default())
            .await
            .unwrap_err();
        assert!(
            matches!(error.code(), Some(ErrorCode::Forbidden)),
            "{error}"
        );
        let hub = api.connect().await.unwrap();
        let error = hub.subscribe("dashboard").await.unwrap_err();
        assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    }
    let own = me.company_id.unwrap();
    let other = own + 1;
    let all = RangeQuery::default();
    let error = staff.company_stats(other, &all).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    let error = ivan.company_stats(own, &all).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    let stats = staff.company_stats(own, &all).await.unwrap();
    for section in &stats.sections {
        assert_ne!(
            section.name, "summary",
            "no fair-wide figures for an exhibitor"
        );
        assert_ne!(section.name, "concurrency");
    }
    // The demo's held meetings of this company show in its own amounts only.
    let amounts = section(&stats, "amounts_by_company");
    for r in &amounts.rows {
        assert_eq!(r[0], me.company_name.clone().unwrap());
    }
    let admin = app.admin().await;
    let fair = admin.report(&all).await.unwrap();
    let fair_amounts = section(&fair, "amounts_by_company");
    assert!(
        fair_amounts.rows.len() > 1,
        "the demo has outcomes of several companies"
    );
    let error = admin
        .report(&RangeQuery {
            from: Some("2026-13-40".into()),
            ..RangeQuery::default()
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Validation));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_nodes_sessions_close_at_presence_expiry() {
    let env = TestEnv::new(Engines::Services).await;
    let ttl = |c: &mut expo_server::Config| {
        c.presence_ttl_secs = 2;
        c.demo = true;
    };
    let node_a = env.start_with(ttl).await;
    // Node B is a real process, so it can die without a word.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = std::process::Command::new(server_binary())
        .env("EXPO_LISTEN", format!("127.0.0.1:{port}"))
        .env("EXPO_DATA_DIR", env.data_dir.join("node-b"))
        .env("EXPO_DATABASE_URL", env.database_url().unwrap())
        .env("EXPO_REDIS_URL", "redis://127.0.0.1:6379/")
        .env("EXPO_REDIS_PREFIX", &env.redis_prefix)
        .env("EXPO_NODE_ID", "node-doomed")
        .env("EXPO_PRESENCE_TTL_SECS", "2")
        .env("EXPO_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("EXPO_ADMIN_EMAIL", ADMIN_EMAIL)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let b = Api::new(format!("http://127.0.0.1:{port}"));
    eventually(Duration::from_secs(30), "node B is ready", || {
        let b = b.clone();
        async move { b.get_bytes("/readyz").await.is_ok() }
    })
    .await;
    let admin = node_a.admin().await;
    let mut watch = admin.connect().await.unwrap();
    watch.subscribe("dashboard").await.unwrap();
    let base = dashboard_until(&mut watch, "a first snapshot", |_| true).await;
    let (ivan, ivan_me) = b.login("buyer@demo.expo", DEMO_PASSWORD).await.unwrap();
    let ivan_hub = ivan.connect().await.unwrap();
    let company = 1;
    ivan_hub
        .subscribe(&format!("booth:{company}"))
        .await
        .unwrap();
    dashboard_until(&mut watch, "Ivan online on node B", |s| {
        s.online_now == base.online_now + 1 && booth(s, company).0 == booth(&base, company).0 + 1
    })
    .await;
    // Kill B mid-session.
    child.kill().unwrap();
    let killed_at = chrono::Utc::now().timestamp_millis();
    child.wait().unwrap();
    drop(ivan_hub);
    let gone = dashboard_until(&mut watch, "Ivan gone after B died", |s| {
        s.online_now == base.online_now && booth(s, company).0 == booth(&base, company).0
    })
    .await;
    let dropped_after = gone.at_ms - killed_at;
    assert!(
        dropped_after < 15_000,
        "dropped within the presence timeout: {dropped_after} ms"
    );
    // The records: closed at B's presence expiry (its last beat plus the timeout), as lost.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&env.database_url().unwrap())
        .await
        .unwrap();
    eventually(Duration::from_secs(15), "B's session is closed", || {
        let pool = pool.clone();
        async move {
            let open: i64 = sqlx::query_scalar(
                "select count(*) from online_sessions where node = 'node-doomed' and disconnected_ms is null",
            )
            .fetch_one(&pool)
            .await
            .unwrap();
            open == 0
        }
    })
    .await;
    let (ended, closed_at, seen): (String, i64, i64) = sqlx::query_as(
        "select s.ended, s.disconnected_ms, b.seen_ms from online_sessions s \
         join node_beats b on b.node = s.node where s.user_id = $1 and s.node = 'node-doomed'",
    )
    .bind(ivan_me.user.id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(ended, "node_lost");
    assert_eq!(closed_at, seen + 2000, "closed when its presence expired");
    assert!(closed_at <= killed_at + 2000 && closed_at > killed_at - 2000);
    let open_visits: i64 = sqlx::query_scalar(
        "select count(*) from booth_visits where conn_id like 'node-doomed-%' and left_ms is null",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(open_visits, 0, "the booth visit is closed too");
    pool.close().await;
    node_a.stop().await;
}

/// A scan of this badge code, where the scanner is.
fn badge(code: &str) -> ScanInput {
    ScanInput {
        badge_code: code.into(),
        company_id: None,
    }
}
