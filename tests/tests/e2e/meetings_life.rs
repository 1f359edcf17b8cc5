//! Meetings after the booking: proposals and reschedules as one change, limits and busy
//! slots, interpreters (including a race for one interpreter), onsite tables, calendars
//! parsed with a real iCalendar library, time zones across a daylight-saving change,
//! reminders/expiry/no-shows driven by a controllable clock exactly once across two nodes,
//! check-in and outcomes, the video room's signalling relay, and email to a real SMTP server.

use crate::both_engines;
use crate::helpers::*;
use crate::meetings::{buyers, pool};
use expo_client::{Api, Hub, Incoming};
use expo_schema::api::*;
use expo_schema::protocol::{Command, ReplyData, RoomEvent, ServerFrame};
use expo_schema::{ErrorCode, Meeting, MeetingMode, MeetingOutcome, MeetingSide, MeetingState};
use expo_server::config::Clock;
use serde_json::json;
use std::time::Duration;

both_engines!(
    proposals_and_reschedules_move_one_meeting,
    one_interpreter_is_never_double_booked,
    reminders_expiry_and_no_shows_happen_once_across_nodes,
    video_room_relays_only_between_participants_in_the_window,
    times_are_right_across_daylight_saving,
);

fn day_ahead(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// The organizer's grid for `day` (Seoul time) and the company's availability in all of it.
async fn grid_on(
    app: &TestApp,
    staff: &Api,
    company: i64,
    day: &str,
    end: &str,
    seats: i64,
) -> Vec<(i64, i64, i64)> {
    let admin = app.admin().await;
    let slots = admin
        .create_grid(&grid_input(day, "Asia/Seoul", "09:00", end, 30))
        .await
        .unwrap();
    let slots: Vec<(i64, i64, i64)> = slots
        .slots
        .iter()
        .map(|s| (s.id, s.starts_ms, s.ends_ms))
        .collect();
    let ids: Vec<i64> = slots.iter().map(|s| s.0).collect();
    staff
        .set_availability(
            company,
            &AvailabilityInput {
                slot_ids: ids,
                seats,
            },
        )
        .await
        .unwrap();
    slots
}

async fn sign_in(app: &TestApp, email: &str) -> (Api, expo_schema::UserProfile) {
    let (api, me) = app.api.login(email, DEMO_PASSWORD).await.unwrap();
    (api, me.user)
}

/// Parses an iCalendar text with the `ical` crate: (calendar properties, each event's
/// properties). A parameter appears as its own entry, `DTSTART.TZID` say; the calendar's
/// `VTIMEZONE` observances appear among the calendar properties as
/// `VTIMEZONE.{tzid}` = `{kind} {dtstart} {offset from} {offset to}`.
type Props = Vec<(String, String)>;
fn parse_ics(bytes: &[u8]) -> (Props, Vec<Props>) {
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(bytes));
    let calendar = parser
        .next()
        .expect("one calendar")
        .expect("valid iCalendar");
    let props = |list: &Vec<ical::property::Property>| {
        let mut out = Props::new();
        for p in list {
            out.push((p.name.clone(), p.value.clone().unwrap_or_default()));
            for (param, values) in p.params.iter().flatten() {
                out.push((format!("{}.{param}", p.name), values.join(",")));
            }
        }
        out
    };
    let mut top = props(&calendar.properties);
    for zone in &calendar.timezones {
        let zone_props = props(&zone.properties);
        let tzid = prop(&zone_props, "TZID").to_string();
        for t in &zone.transitions {
            let tp = props(&t.properties);
            let kind = match t.transition {
                ical::parser::ical::component::IcalTimeZoneTransitionType::STANDARD => "STANDARD",
                _ => "DAYLIGHT",
            };
            top.push((
                format!("VTIMEZONE.{tzid}"),
                format!(
                    "{kind} {} {} {}",
                    prop(&tp, "DTSTART"),
                    prop(&tp, "TZOFFSETFROM"),
                    prop(&tp, "TZOFFSETTO")
                ),
            ));
        }
    }
    (
        top,
        calendar
            .events
            .iter()
            .map(|e| props(&e.properties))
            .collect(),
    )
}

/// Every value of a repeated entry.
fn props_all<'a>(props: &'a Props, name: &str) -> Vec<&'a str> {
    props
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

fn prop<'a>(props: &'a Props, name: &str) -> &'a str {
    props
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} in {props:?}"))
}

/// `ms` on the clock of `zone`, as an iCalendar local date-time.
fn ics_local(ms: i64, zone: &str) -> String {
    let tz: chrono_tz::Tz = zone.parse().unwrap();
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .with_timezone(&tz)
        .format("%Y%m%dT%H%M%S")
        .to_string()
}

async fn proposals_and_reschedules_move_one_meeting(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env
        .start_with(|c| {
            c.demo = true;
            c.buyer_meetings_per_day = 3;
        })
        .await;
    let (staff, me) = sign_in(&app, "exhibitor@demo.expo").await;
    let company = me.company_id.unwrap();
    let day = day_ahead(5);
    let slots = grid_on(&app, &staff, company, &day, "12:00", 1).await;
    assert_eq!(slots.len(), 6);
    let (ivan, ivan_me) = sign_in(&app, "buyer@demo.expo").await;
    let (olga, olga_me) = sign_in(&app, "olga.smirnova@demo.expo").await;
    let ask = |api: &Api, slot: i64| {
        let api = api.clone();
        async move {
            api.request_meeting(&meeting_request(company, slot, MeetingMode::Online))
                .await
        }
    };
    let asked = ask(&ivan, slots[0].0).await.unwrap();
    assert_eq!(asked.awaiting, MeetingSide::Company);
    assert_eq!(asked.sequence, 0);
    // The company proposes another slot: the same request moves, now waiting for the buyer.
    let proposed: Meeting = staff
        .propose_slot(asked.id, &to_slot(slots[1].0))
        .await
        .unwrap();
    assert_eq!(proposed.id, asked.id);
    assert_eq!(proposed.state, MeetingState::Requested);
    assert_eq!(proposed.awaiting, MeetingSide::Buyer);
    assert_eq!((proposed.slot_id, proposed.sequence), (slots[1].0, 1));
    // The company cannot accept its own proposal; the old slot is free for someone else.
    let error = accept_as(&staff, asked.id).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    let olgas = ask(&olga, slots[0].0).await.unwrap();
    let confirmed: Meeting = accept_as(&ivan, asked.id).await.unwrap();
    assert_eq!(confirmed.state, MeetingState::Confirmed);
    assert_eq!(confirmed.staff.as_ref().map(|s| s.id), Some(me.id));
    let ics = ivan.meeting_ics(asked.id).await.unwrap();
    let (_, events) = parse_ics(ics.as_bytes());
    let uid = prop(&events[0], "UID").to_string();
    assert_eq!(uid, format!("meeting-{}@127.0.0.1", asked.id));
    assert_eq!(prop(&events[0], "SEQUENCE"), "1");
    // Rescheduling into a taken slot fails and leaves the meeting where it was.
    let error = ivan
        .reschedule_meeting(asked.id, &to_slot(slots[0].0))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::SlotTaken));
    // The refusal names the next free slots, for the client to offer.
    let expo_client::ClientError::Server(body) = &error else {
        panic!("a typed error")
    };
    let next: Vec<i64> = body.next_slots.iter().map(|s| s.id).collect();
    assert_eq!(next, vec![slots[2].0, slots[3].0, slots[4].0]);
    let unchanged = ivan.meeting(asked.id).await.unwrap();
    assert_eq!((unchanged.slot_id, unchanged.sequence), (slots[1].0, 1));
    assert_eq!(unchanged.state, MeetingState::Confirmed);
    // A reschedule is one change: same meeting, same calendar UID, higher SEQUENCE.
    let moved: Meeting = ivan
        .reschedule_meeting(asked.id, &to_slot(slots[2].0))
        .await
        .unwrap();
    assert_eq!(
        (moved.id, moved.slot_id, moved.sequence),
        (asked.id, slots[2].0, 2)
    );
    assert_eq!(moved.state, MeetingState::Confirmed);
    assert_eq!(moved.starts_ms, slots[2].1);
    let ics = ivan.meeting_ics(asked.id).await.unwrap();
    let (calendar, events) = parse_ics(ics.as_bytes());
    assert_eq!(prop(&calendar, "METHOD"), "PUBLISH");
    assert_eq!(prop(&calendar, "X-WR-TIMEZONE"), "Asia/Vladivostok");
    assert_eq!(prop(&events[0], "UID"), uid);
    assert_eq!(prop(&events[0], "SEQUENCE"), "2");
    // On Ivan's own clock (Vladivostok), with the zone defined in the file.
    assert_eq!(prop(&events[0], "DTSTART.TZID"), "Asia/Vladivostok");
    assert_eq!(
        prop(&events[0], "DTSTART"),
        ics_local(slots[2].1, "Asia/Vladivostok")
    );
    assert_eq!(
        prop(&events[0], "DTEND"),
        ics_local(slots[2].2, "Asia/Vladivostok")
    );
    assert_eq!(
        props_all(&calendar, "VTIMEZONE.Asia/Vladivostok")
            .iter()
            .map(|o| o.rsplit(' ').next().unwrap())
            .collect::<Vec<_>>(),
        vec!["+1000"]
    );
    assert_eq!(prop(&events[0], "STATUS"), "CONFIRMED");
    // The slot it left is free again (one seat).
    let availability = ivan.availability(company).await.unwrap();
    let free = |slot: i64| {
        availability
            .slots
            .iter()
            .find(|s| s.slot.id == slot)
            .unwrap()
            .free_seats
    };
    assert_eq!((free(slots[1].0), free(slots[2].0)), (1, 0));
    // The private feed: no sign-in, the same event; a new link retires the old one.
    let feed = ivan.calendar_feed_url().await.unwrap();
    let url = feed.url.clone();
    let body = reqwest::get(&url).await.unwrap();
    assert_eq!(body.status(), 200);
    let (_, events) = parse_ics(&body.bytes().await.unwrap());
    let ours = events.iter().find(|e| prop(e, "UID") == uid).unwrap();
    assert_eq!(prop(ours, "SEQUENCE"), "2");
    let renewed = ivan.new_calendar_feed_url().await.unwrap();
    assert_ne!(renewed.url, feed.url);
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 404);
    // A cancellation reaches calendars as a CANCEL of the same event.
    let _: Meeting = staff
        .cancel_meeting(
            asked.id,
            &ReasonInput {
                reason: Some("ill".into()),
            },
        )
        .await
        .unwrap();
    let ics = ivan.meeting_ics(asked.id).await.unwrap();
    let (calendar, events) = parse_ics(ics.as_bytes());
    assert_eq!(prop(&calendar, "METHOD"), "CANCEL");
    assert_eq!(prop(&events[0], "STATUS"), "CANCELLED");
    assert_eq!(prop(&events[0], "UID"), uid);
    // The company can ask a buyer; then only the buyer accepts.
    let invited: Meeting = staff
        .request_meeting(&MeetingRequest {
            show_id: None,
            buyer_id: Some(ivan_me.id),
            message: Some("Come taste our tea".into()),
            ..meeting_request(company, slots[3].0, MeetingMode::Onsite)
        })
        .await
        .unwrap();
    assert_eq!(invited.awaiting, MeetingSide::Buyer);
    let error = accept_as(&staff, invited.id).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    let accepted: Meeting = accept_as(&ivan, invited.id).await.unwrap();
    assert_eq!(accepted.state, MeetingState::Confirmed);
    assert_eq!(accepted.staff.as_ref().map(|s| s.id), Some(me.id));
    // A buyer may not request on another buyer's behalf.
    let error = ivan
        .request_meeting(&MeetingRequest {
            show_id: None,
            buyer_id: Some(olga_me.id),
            ..meeting_request(company, slots[4].0, MeetingMode::Online)
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    // Busy slots: a buyer's busy time cannot be booked, not even by the company.
    olga.set_busy(&BusySlots {
        slot_ids: vec![slots[4].0],
    })
    .await
    .unwrap();
    let error = staff
        .request_meeting(&MeetingRequest {
            show_id: None,
            buyer_id: Some(olga_me.id),
            ..meeting_request(company, slots[4].0, MeetingMode::Online)
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::SlotTaken));
    assert!(error.to_string().contains("busy"), "{error}");
    // A busy staff member cannot be named to take a meeting.
    staff
        .set_busy(&BusySlots {
            slot_ids: vec![slots[0].0],
        })
        .await
        .unwrap();
    let error = accept_as(&staff, olgas.id).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::SlotTaken));
    staff
        .set_busy(&BusySlots { slot_ids: vec![] })
        .await
        .unwrap();
    // The day's limit (3 for buyers here): the fourth active meeting is refused.
    staff
        .set_availability(
            company,
            &AvailabilityInput {
                slot_ids: slots.iter().map(|s| s.0).collect(),
                seats: 3,
            },
        )
        .await
        .unwrap();
    ask(&ivan, slots[4].0).await.unwrap();
    ask(&ivan, slots[5].0).await.unwrap();
    let error = ask(&ivan, slots[0].0).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Conflict));
    assert!(error.to_string().contains("3 meetings"), "{error}");
    app.stop().await;
}

async fn one_interpreter_is_never_double_booked(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let node_a = env.start_with(|c| c.demo = true).await;
    let node_b = if engines == Engines::Services {
        Some(env.start().await)
    } else {
        None
    };
    let (staff, me) = sign_in(&node_a, "exhibitor@demo.expo").await;
    let company = me.company_id.unwrap();
    let slots = grid_on(&node_a, &staff, company, &day_ahead(5), "10:00", 12).await;
    // Twelve buyers in the same slot, each needing a Russian interpreter.
    let tokens = buyers(&env, 12).await;
    let mut meetings = Vec::new();
    for token in &tokens {
        let m: Meeting = node_a
            .api
            .with_token(token.clone())
            .request_meeting(&MeetingRequest {
                show_id: None,
                interpreter_languages: strings(["ru"]),
                ..meeting_request(company, slots[0].0, MeetingMode::Online)
            })
            .await
            .unwrap();
        assert_eq!(m.interpreter_languages, vec!["ru".to_string()]);
        meetings.push(m);
    }
    let admin_a = node_a.admin().await;
    let admin_b = match &node_b {
        Some(b) => b.admin().await,
        None => admin_a.clone(),
    };
    let (_, natalia) = sign_in(&node_a, "interpreter@demo.expo").await;
    // All twelve ask for the same interpreter at once, over two nodes.
    let mut tasks = Vec::new();
    for (i, m) in meetings.iter().enumerate() {
        let api = if i % 2 == 0 {
            admin_a.clone()
        } else {
            admin_b.clone()
        };
        let id = m.id;
        let who = natalia.id;
        tasks.push(tokio::spawn(async move {
            api.assign_interpreter(
                id,
                &InterpreterInput {
                    interpreter_id: Some(who),
                },
            )
            .await
        }));
    }
    let mut won = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(m) => won.push(m),
            Err(error) => assert_eq!(error.code(), Some(ErrorCode::SlotTaken), "{error}"),
        }
    }
    assert_eq!(won.len(), 1, "one interpreter, one meeting at a time");
    assert_eq!(won[0].interpreter.as_ref().map(|i| i.id), Some(natalia.id));
    let pool = pool(&env).await;
    let clashes: i64 = sqlx::query_scalar(
        "select count(*) from meetings a join meetings b on a.id < b.id \
         and a.state in ('requested', 'confirmed') and b.state in ('requested', 'confirmed') \
         and a.starts_ms < b.ends_ms and b.starts_ms < a.ends_ms \
         and a.interpreter_id = b.interpreter_id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(clashes, 0);
    pool.close().await;
    // Suggestions: free, speaking Russian, never the one already busy then.
    let other = meetings.iter().find(|m| m.id != won[0].id).unwrap();
    let options = admin_a.interpreter_options(other.id).await.unwrap();
    let options = &options.interpreters;
    assert!(!options.is_empty());
    for o in options {
        assert_ne!(o.interpreter.id, natalia.id);
        assert!(o.languages.contains(&"ru".to_string()));
    }
    // Without a name the first suggestion is taken.
    let auto: Meeting = admin_a
        .assign_interpreter(other.id, &InterpreterInput::default())
        .await
        .unwrap();
    assert_eq!(
        auto.interpreter.as_ref().map(|i| i.id),
        Some(options[0].interpreter.id)
    );
    // An interpreter without the language is refused; only organizers assign.
    let (_, liu) = sign_in(&node_a, "liu.mei@demo.expo").await;
    let third = meetings
        .iter()
        .find(|m| m.id != won[0].id && m.id != other.id)
        .unwrap();
    let error = admin_a
        .assign_interpreter(
            third.id,
            &InterpreterInput {
                interpreter_id: Some(liu.id),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Validation));
    let error = staff
        .assign_interpreter(third.id, &InterpreterInput::default())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    // The interpreter's agenda holds the meeting.
    let (natalia_api, _) = sign_in(&node_a, "interpreter@demo.expo").await;
    let agenda = natalia_api.meetings().await.unwrap();
    assert!(agenda.meetings.iter().any(|m| m.id == won[0].id));
    stop_nodes(node_a, node_b).await;
}

/// Counts, for a while, the events on `hub` that `matches` accepts.
async fn count_events(
    hub: &mut Hub,
    wait: Duration,
    matches: impl Fn(&RoomEvent) -> bool,
) -> usize {
    let mut n = 0;
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match hub.next(left).await {
            Some(Incoming::Frame(ServerFrame::Event { event, .. })) if matches(&event) => n += 1,
            Some(_) => {}
            None => return n,
        }
    }
}

fn reminder(id: i64, kind: &'static str) -> impl Fn(&RoomEvent) -> bool {
    move |e| matches!(e, RoomEvent::MeetingReminder { meeting, when } if meeting.id == id && when == kind)
}

async fn reminders_expiry_and_no_shows_happen_once_across_nodes(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let clock = Clock::default();
    // The job loops wait an hour between passes: the test runs the passes itself, on both
    // nodes at once.
    let node_a = env
        .start_with(|c| {
            c.demo = true;
            c.clock = clock.clone();
            c.job_interval_ms = 3_600_000;
        })
        .await;
    let node_b = match engines {
        Engines::Services => Some(
            env.start_with(|c| {
                c.clock = clock.clone();
                c.job_interval_ms = 3_600_000;
            })
            .await,
        ),
        Engines::Embedded => None,
    };
    let other = node_b.as_ref().unwrap_or(&node_a);
    let (staff, me) = sign_in(&node_a, "exhibitor@demo.expo").await;
    let company = me.company_id.unwrap();
    let slots = grid_on(&node_a, &staff, company, &day_ahead(5), "10:00", 2).await;
    let (start, end) = (slots[0].1, slots[0].2);
    let pool = pool(&env).await;
    // Keep a single meeting table in the company's hall.
    let hall: i64 = sqlx::query_scalar("select hall_id from companies where id = $1")
        .bind(company)
        .fetch_one(&pool)
        .await
        .unwrap();
    sqlx::query("delete from meeting_tables where hall_id = $1 and number > 1")
        .bind(hall)
        .execute(&pool)
        .await
        .unwrap();
    let admin = node_a.admin().await;
    let tables = admin
        .create_tables(hall, &TablesInput { count: 1 })
        .await
        .unwrap();
    let ours: Vec<_> = tables.tables.iter().filter(|t| t.hall_id == hall).collect();
    assert_eq!(ours.len(), 1);
    let (ivan, ivan_me) = sign_in(&node_a, "buyer@demo.expo").await;
    let (olga, olga_me) = sign_in(other, "olga.smirnova@demo.expo").await;
    let first_slot = slots[0].0;
    let onsite = |api: &Api| {
        let api = api.clone();
        async move {
            api.request_meeting(&meeting_request(company, first_slot, MeetingMode::Onsite))
                .await
                .unwrap()
        }
    };
    let m = onsite(&ivan).await;
    let o = onsite(&olga).await;
    let confirmed: Meeting = accept_as(&staff, m.id).await.unwrap();
    let table = confirmed
        .table
        .clone()
        .expect("an onsite meeting gets a table");
    assert_eq!((table.hall_id, table.number), (hall, 1));
    // The hall's only table is taken then: a second onsite meeting cannot be confirmed.
    let second: i64 = sqlx::query_scalar(
        "select id from users where company_id = $1 and role = 'exhibitor' and id <> $2 order by id limit 1",
    )
    .bind(company)
    .bind(me.id)
    .fetch_one(&pool)
    .await
    .unwrap();
    let error = staff
        .accept_meeting(
            o.id,
            &AcceptInput {
                staff_id: Some(second),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::SlotTaken));
    assert!(error.to_string().contains("table"), "{error}");
    // Everyone listens on their own node.
    let mut ivan_hub = ivan.connect().await.unwrap();
    ivan_hub
        .subscribe(&format!("user:{}", ivan_me.id))
        .await
        .unwrap();
    let mut staff_hub = staff
        .with_token(staff.token().unwrap().to_string())
        .connect()
        .await
        .unwrap();
    staff_hub
        .subscribe(&format!("user:{}", me.id))
        .await
        .unwrap();
    let mut olga_hub = olga.connect().await.unwrap();
    olga_hub
        .subscribe(&format!("user:{}", olga_me.id))
        .await
        .unwrap();
    let both = || async {
        let b = node_b.as_ref().map(|b| b.state.clone());
        let a = node_a.state.clone();
        let (x, y) = tokio::join!(
            async { expo_server::meetings::jobs::tick(&a).await.unwrap() },
            async {
                match &b {
                    Some(b) => expo_server::meetings::jobs::tick(b).await.unwrap(),
                    None => expo_server::meetings::jobs::tick(&a).await.unwrap(),
                }
            }
        );
        (x, y)
    };
    // A day before: the 24-hour reminder, once; Olga's request ran out meanwhile, once.
    clock.set(start - 24 * 3_600_000 + 60_000);
    both().await;
    let one = Duration::from_millis(1500);
    assert_eq!(
        count_events(&mut ivan_hub, one, reminder(m.id, "24h")).await,
        1
    );
    assert_eq!(
        count_events(&mut staff_hub, one, reminder(m.id, "24h")).await,
        1
    );
    let expired = |id: i64| move |e: &RoomEvent| matches!(e, RoomEvent::MeetingUpdated { meeting } if meeting.id == id && meeting.state == MeetingState::Expired);
    assert_eq!(count_events(&mut olga_hub, one, expired(o.id)).await, 1);
    // Ten minutes before: the 15-minute reminder, once; check-in opens.
    clock.set(start - 10 * 60_000);
    both().await;
    assert_eq!(
        count_events(&mut ivan_hub, one, reminder(m.id, "15m")).await,
        1
    );
    let error = staff
        .set_outcome(
            m.id,
            &MeetingOutcome {
                consult_usd: 1,
                contract_usd: 1,
                mou_signed: false,
                samples_requested: false,
                notes: None,
                rating: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        error.code(),
        Some(ErrorCode::Conflict),
        "no outcome before the start"
    );
    let code: String = sqlx::query_scalar("select code from meeting_tables where id = $1")
        .bind(table.id)
        .fetch_one(&pool)
        .await
        .unwrap();
    let at_table = CheckinInput {
        table_code: Some(code.clone()),
        meeting_id: None,
    };
    let error = olga.meeting_checkin(&at_table).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::NotFound), "not Olga's table");
    let checked = ivan.meeting_checkin(&at_table).await.unwrap();
    assert_eq!(checked.id, m.id);
    assert!(checked.checkins.buyer_ms.is_some());
    assert!(checked.checkins.company_ms.is_none());
    // At the start: the start reminder, once.
    clock.set(start + 60_000);
    both().await;
    assert_eq!(
        count_events(&mut staff_hub, one, reminder(m.id, "start")).await,
        1
    );
    // After the end the meeting is closed once: the company never checked in.
    clock.set(end + 60_000);
    let (x, y) = both().await;
    assert!(x.closed + y.closed >= 1);
    let closed = |id: i64| move |e: &RoomEvent| matches!(e, RoomEvent::MeetingUpdated { meeting } if meeting.id == id && meeting.attendance.closed_ms.is_some() && meeting.outcome.is_none());
    assert_eq!(count_events(&mut ivan_hub, one, closed(m.id)).await, 1);
    let after = ivan.meeting(m.id).await.unwrap();
    assert!(!after.attendance.buyer_no_show);
    assert!(after.attendance.company_no_show);
    let notices: i64 =
        sqlx::query_scalar("select count(*) from meeting_notices where meeting_id = $1")
            .bind(m.id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(notices, 3, "24h, 15m and start, once each");
    pool.close().await;
    // Reports and the outcome.
    let reported: Meeting = ivan
        .report_held(m.id, &HeldInput { held: true })
        .await
        .unwrap();
    assert_eq!(reported.attendance.buyer_says_held, Some(true));
    let outcome = MeetingOutcome {
        consult_usd: 45000,
        contract_usd: 250000,
        mou_signed: true,
        samples_requested: true,
        notes: Some("Samples by EMS".into()),
        rating: Some(5),
    };
    let error = ivan.set_outcome(m.id, &outcome).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    let bad = MeetingOutcome {
        rating: Some(9),
        ..outcome.clone()
    };
    let error = staff.set_outcome(m.id, &bad).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Validation));
    let done = staff.set_outcome(m.id, &outcome).await.unwrap();
    let got = done.outcome.unwrap();
    assert_eq!((got.consult_usd, got.contract_usd), (45000, 250000));
    assert!(got.mou_signed && got.samples_requested);
    assert_eq!(got.rating, Some(5));
    stop_nodes(node_a, node_b).await;
}

async fn video_room_relays_only_between_participants_in_the_window(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let clock = Clock::default();
    let node_a = env
        .start_with(|c| {
            c.demo = true;
            c.clock = clock.clone();
            c.stun_urls = vec!["stun:stun.expo.test:3478".into()];
            c.turn_urls = vec!["turn:turn.expo.test:3478?transport=udp".into()];
            c.turn_secret = Some("north-wind".into());
            c.video_url_template = Some("https://meet.expo.test/expo-{meeting_id}-{key}".into());
        })
        .await;
    let node_b = match engines {
        Engines::Services => Some(env.start_with(|c| c.clock = clock.clone()).await),
        Engines::Embedded => None,
    };
    let other = node_b.as_ref().unwrap_or(&node_a);
    let (ivan, ivan_me) = sign_in(&node_a, "buyer@demo.expo").await;
    let (staff, staff_me) = sign_in(other, "exhibitor@demo.expo").await;
    // The demo's video meeting that is on now.
    let mine = ivan.meetings().await.unwrap();
    let live: Meeting = mine
        .meetings
        .into_iter()
        .find(|m| {
            m.mode == MeetingMode::Online
                && m.state == MeetingState::Confirmed
                && m.interpreter.is_some()
        })
        .expect("the demo has a live video meeting");
    let id = live.id;
    // With an external video service configured, each meeting links to its own room there,
    // under a key that the meeting id alone does not give away.
    let link = live
        .video_url
        .clone()
        .expect("a video link from the template");
    let key = link
        .strip_prefix(&format!("https://meet.expo.test/expo-{id}-"))
        .expect("the template filled in");
    assert_eq!(key.len(), 16);
    assert!(key.chars().all(|c| c.is_ascii_hexdigit()));
    let mut ivan_hub = ivan.connect().await.unwrap();
    let staff_hub = staff.connect().await.unwrap();
    let (olga, _) = sign_in(&node_a, "olga.smirnova@demo.expo").await;
    let olga_hub = olga.connect().await.unwrap();
    // Outsiders are refused, and the room cannot be entered by a plain subscribe.
    let refused = olga_hub
        .request(Command::MeetingJoin { meeting_id: id })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Forbidden));
    let refused = ivan_hub.subscribe(&format!("meet:{id}")).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Forbidden));
    let refused = signal(&ivan_hub, id, staff_me.id, json!({}))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::NotSubscribed));
    // Another staff member of the company is not this meeting's participant.
    let pool = pool(&env).await;
    let colleague: String = sqlx::query_scalar(
        "select email from users where company_id = $1 and role = 'exhibitor' and id <> $2 order by id limit 1",
    )
    .bind(live.company_id)
    .bind(staff_me.id)
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    let (colleague, _) = sign_in(&node_a, &colleague).await;
    let refused = colleague
        .connect()
        .await
        .unwrap()
        .request(Command::MeetingJoin { meeting_id: id })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Forbidden));
    // The buyer enters first: nobody there yet; STUN and short-lived TURN credentials.
    let joined = ivan_hub
        .request(Command::MeetingJoin { meeting_id: id })
        .await
        .unwrap();
    let ReplyData::MeetingRoom {
        peers,
        ice_servers,
        room,
        meeting,
    } = joined
    else {
        panic!("a meeting_room reply, got {joined:?}")
    };
    assert_eq!(room, format!("meet:{id}"));
    assert!(peers.is_empty());
    assert!(meeting.checkins.buyer_ms.is_some(), "joining checks in");
    assert_eq!(
        ice_servers[0].urls,
        vec!["stun:stun.expo.test:3478".to_string()]
    );
    let turn = &ice_servers[1];
    let username = turn.username.clone().unwrap();
    let (expiry, user) = username.split_once(':').unwrap();
    assert_eq!(user, ivan_me.id.to_string());
    let expiry: i64 = expiry.parse().unwrap();
    let now = chrono::Utc::now().timestamp();
    assert!(expiry > now && expiry <= now + 3600 + 5);
    assert_eq!(
        turn.credential.as_deref(),
        Some(expo_server::meetings::room::turn_credential("north-wind", &username).as_str())
    );
    // The staff member enters (on the other node): the buyer is listed, and hears the join.
    let joined = staff_hub
        .request(Command::MeetingJoin { meeting_id: id })
        .await
        .unwrap();
    let ReplyData::MeetingRoom { peers, .. } = joined else {
        panic!("a meeting_room reply")
    };
    assert_eq!(peers, vec![ivan_me.id]);
    let mut staff_hub = staff_hub;
    let heard = ivan_hub
        .wait_for(Duration::from_secs(5), |i| {
            matches!(i, Incoming::Frame(ServerFrame::Event { event, .. }) if event.joined().iter().any(|member| member.user.id == staff_me.id))
        })
        .await;
    assert!(heard.is_some(), "the buyer hears the staff member enter");
    // Signalling crosses nodes to the named participant.
    let offer =
        json!({"description": {"type": "offer", "sdp": "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"}});
    signal(&staff_hub, id, ivan_me.id, offer.clone())
        .await
        .unwrap();
    let got = ivan_hub
        .wait_for(Duration::from_secs(5), |i| {
            matches!(
                i,
                Incoming::Frame(ServerFrame::Event {
                    event: RoomEvent::MeetingSignal { .. },
                    ..
                })
            )
        })
        .await;
    let Some(Incoming::Frame(ServerFrame::Event {
        event: RoomEvent::MeetingSignal { from, to, data, .. },
        ..
    })) = got
    else {
        panic!("the offer arrives")
    };
    assert_eq!((from, to), (staff_me.id, ivan_me.id));
    assert_eq!(data, offer);
    // Not to outsiders, not oversized.
    let (_, olga_me) = sign_in(&node_a, "olga.smirnova@demo.expo").await;
    let refused = signal(&staff_hub, id, olga_me.id, json!({}))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Validation));
    let refused = signal(
        &staff_hub,
        id,
        ivan_me.id,
        json!({"candidate": "x".repeat(20_000)}),
    )
    .await
    .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::MessageTooLarge));
    // The interpreter joins as the third participant and may signal to both.
    let (natalia, natalia_me) = sign_in(&node_a, "interpreter@demo.expo").await;
    let natalia_hub = natalia.connect().await.unwrap();
    let joined = natalia_hub
        .request(Command::MeetingJoin { meeting_id: id })
        .await
        .unwrap();
    let ReplyData::MeetingRoom { peers, .. } = joined else {
        panic!("a meeting_room reply")
    };
    assert_eq!(peers, {
        let mut both = vec![ivan_me.id, staff_me.id];
        both.sort();
        both
    });
    signal(
        &natalia_hub,
        id,
        staff_me.id,
        json!({"candidate": {"candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host"}}),
    )
    .await
    .unwrap();
    let got = staff_hub
        .wait_for(Duration::from_secs(5), |i| {
            matches!(i, Incoming::Frame(ServerFrame::Event { event: RoomEvent::MeetingSignal { from, .. }, .. }) if *from == natalia_me.id)
        })
        .await;
    assert!(
        got.is_some(),
        "the staff member gets the interpreter's candidate"
    );
    let both_in: Meeting = ivan.get(&format!("/api/v1/meetings/{id}")).await.unwrap();
    assert!(both_in.checkins.interpreter_ms.is_some());
    assert!(both_in.checkins.buyer_ms.is_some() && both_in.checkins.company_ms.is_some());
    // After the end the room is closed: no more signals, no joining.
    clock.set(live.ends_ms + 1000);
    let refused = signal(&staff_hub, id, ivan_me.id, offer).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Conflict));
    let refused = ivan_hub
        .request(Command::MeetingJoin { meeting_id: id })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Conflict));
    stop_nodes(node_a, node_b).await;
}

async fn times_are_right_across_daylight_saving(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start_with(|c| c.demo = true).await;
    let (staff, me) = sign_in(&app, "exhibitor@demo.expo").await;
    let company = me.company_id.unwrap();
    let pool = pool(&env).await;
    for (email, zone) in [
        ("buyer@demo.expo", "America/Los_Angeles"),
        ("exhibitor@demo.expo", "Europe/Moscow"),
        ("interpreter@demo.expo", "Asia/Ulaanbaatar"),
    ] {
        sqlx::query("update users set timezone = $1 where email = $2")
            .bind(zone)
            .bind(email)
            .execute(&pool)
            .await
            .unwrap();
    }
    pool.close().await;
    let (ivan, _) = sign_in(&app, "buyer@demo.expo").await;
    let admin = app.admin().await;
    // Daylight saving starts in Los Angeles on Sunday 14 March 2027; Seoul, Moscow and
    // Ulaanbaatar keep their clocks.
    let mut seen = Vec::new();
    for day in ["2027-03-12", "2027-03-15"] {
        let slots = grid_on(&app, &staff, company, day, "10:00", 1).await;
        let m: Meeting = ivan
            .request_meeting(&meeting_request(company, slots[0].0, MeetingMode::Online))
            .await
            .unwrap();
        // Before staff is named the company side is on the company's home clock (Seoul).
        let company_side = m.times.iter().find(|t| t.who == "company").unwrap();
        assert_eq!(company_side.label, "09:00 in Seoul");
        let _: Meeting = accept_as(&staff, m.id).await.unwrap();
        let m: Meeting = admin
            .assign_interpreter(
                m.id,
                &InterpreterInput {
                    interpreter_id: None,
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let _ = m;
        let m = ivan.meeting(m.id).await.unwrap();
        let label = |who: &str| {
            let t = m.times.iter().find(|t| t.who == who).unwrap();
            (t.label.clone(), t.starts_local.clone(), t.timezone.clone())
        };
        seen.push((label("buyer"), label("company"), label("interpreter")));
        let ics = ivan.meeting_ics(m.id).await.unwrap();
        let (calendar, events) = parse_ics(ics.as_bytes());
        assert_eq!(prop(&calendar, "X-WR-TIMEZONE"), "America/Los_Angeles");
        assert_eq!(prop(&events[0], "DTSTART.TZID"), "America/Los_Angeles");
        assert_eq!(
            prop(&events[0], "DTSTART"),
            ics_local(slots[0].1, "America/Los_Angeles")
        );
    }
    // Ivan's feed holds both, in Los Angeles time, with a VTIMEZONE that knows the change:
    // 02:00 PST on 14 March 2027 becomes 03:00 PDT.
    let feed = ivan.calendar_feed_url().await.unwrap();
    let body = reqwest::get(&feed.url)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let (calendar, events) = parse_ics(&body);
    let starts: Vec<&str> = events
        .iter()
        .filter(|e| prop(e, "DTSTART").starts_with("202703"))
        .map(|e| prop(e, "DTSTART"))
        .collect();
    assert!(starts.contains(&"20270311T160000") && starts.contains(&"20270314T170000"));
    let observances = props_all(&calendar, "VTIMEZONE.America/Los_Angeles");
    assert!(
        observances.contains(&"DAYLIGHT 20270314T020000 -0800 -0700"),
        "{observances:?}"
    );
    // 09:00 in Seoul is 00:00 UTC on both days.
    let (before, after) = (&seen[0], &seen[1]);
    assert_eq!(before.0 .0, "16:00 in Los Angeles");
    assert_eq!(before.0 .1, "2027-03-11T16:00:00-08:00");
    assert_eq!(after.0 .0, "17:00 in Los Angeles");
    assert_eq!(after.0 .1, "2027-03-14T17:00:00-07:00");
    for day in [before, after] {
        assert_eq!(day.1 .0, "03:00 in Moscow");
        assert_eq!(day.1 .2, "Europe/Moscow");
        assert_eq!(day.2 .0, "08:00 in Ulaanbaatar");
    }
    app.stop().await;
}

/// A local SMTP server (Python's aiosmtpd) that writes what it receives to a directory.
pub(crate) struct SmtpSink {
    child: std::process::Child,
    pub dir: std::path::PathBuf,
    pub port: u16,
}

impl SmtpSink {
    pub(crate) fn start(dir: std::path::PathBuf) -> SmtpSink {
        let port = crate::helpers::free_port();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/smtp/sink.py");
        let mut child = std::process::Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .arg(&dir)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 with aiosmtpd (scripts/services.sh installs it)");
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP sink starts");
        SmtpSink { child, dir, port }
    }

    /// The messages about one meeting (their link names it), in arrival order.
    fn about(&self, meeting: i64) -> Vec<Vec<u8>> {
        let link = format!("/#/meetings/{meeting}\n");
        self.messages()
            .into_iter()
            .filter(|raw| format!("{}\n", read_mail(raw).2.replace("\r\n", "\n")).contains(&link))
            .collect()
    }

    /// Every message received so far.
    pub(crate) fn messages(&self) -> Vec<Vec<u8>> {
        let mut files: Vec<_> = std::fs::read_dir(&self.dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort_by_key(|p| {
            p.file_stem()
                .and_then(|s| s.to_str())
                .and_then(|s| s.parse::<u32>().ok())
        });
        files.iter().map(|p| std::fs::read(p).unwrap()).collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// (to, subject, plain text, calendar attachments) of one message.
pub(crate) fn read_mail(raw: &[u8]) -> (String, String, String, Vec<String>) {
    let mail = mailparse::parse_mail(raw).unwrap();
    let header = |name: &str| {
        mail.headers
            .iter()
            .find(|h| h.get_key().eq_ignore_ascii_case(name))
            .map(|h| h.get_value())
            .unwrap_or_default()
    };
    let mut text = String::new();
    let mut calendars = Vec::new();
    for part in mail.parts() {
        let kind = part.ctype.mimetype.clone();
        if kind == "text/plain" {
            text = part.get_body().unwrap();
        } else if kind == "text/calendar" {
            calendars.push(part.get_body().unwrap());
        }
    }
    (header("To"), header("Subject"), text, calendars)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meeting_email_reaches_each_side_in_their_language() {
    let env = TestEnv::new(Engines::Embedded).await;
    let sink = SmtpSink::start(env.data_dir.join("mail"));
    let clock = Clock::default();
    let app = env
        .start_with(|c| {
            c.demo = true;
            c.smtp_url = Some(format!("smtp://127.0.0.1:{}", sink.port));
            c.clock = clock.clone();
            c.job_interval_ms = 3_600_000;
        })
        .await;
    let (staff, me) = sign_in(&app, "exhibitor@demo.expo").await;
    let company = me.company_id.unwrap();
    let pool = pool(&env).await;
    // The staff member reads Korean; Olga reads Russian (the demo's profiles).
    sqlx::query("update users set languages = '[\"ko\",\"en\"]' where id = $1")
        .bind(me.id)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let slots = grid_on(&app, &staff, company, &day_ahead(6), "10:00", 1).await;
    let (olga, _) = sign_in(&app, "olga.smirnova@demo.expo").await;
    let m: Meeting = olga
        .request_meeting(&meeting_request(company, slots[0].0, MeetingMode::Online))
        .await
        .unwrap();
    let id = m.id;
    // Each step's mail, found by recipient and subject (the order of arrival is free).
    let find = |to: &'static str, subject: &'static str| {
        let sink = &sink;
        async move {
            let mut found = None;
            eventually(Duration::from_secs(10), "the mail arrives", || {
                found = sink
                    .about(id)
                    .iter()
                    .map(|raw| read_mail(raw))
                    .find(|m| m.0.contains(to) && m.1.starts_with(subject));
                let done = found.is_some();
                async move { done }
            })
            .await;
            found.unwrap()
        }
    };
    // The request goes to the side that answers: the company, in Korean, on Seoul time.
    let (_, _, text, calendars) = find("exhibitor@demo.expo", "새 미팅 요청").await;
    assert!(calendars.is_empty());
    assert!(text.contains("09:00–09:30 (Asia/Seoul)"), "{text}");
    // Confirmation: both sides, each in their language and zone, with the .ics.
    let _: Meeting = accept_as(&staff, m.id).await.unwrap();
    let (_, _, text, calendars) = find("olga.smirnova@demo.expo", "Встреча подтверждена").await;
    // 09:00 in Seoul is 10:00 in Vladivostok.
    assert!(text.contains("10:00–10:30 (Asia/Vladivostok)"), "{text}");
    let (calendar, events) = parse_ics(calendars[0].as_bytes());
    assert_eq!(prop(&calendar, "METHOD"), "PUBLISH");
    assert_eq!(
        prop(&events[0], "UID"),
        format!("meeting-{}@127.0.0.1", m.id)
    );
    assert_eq!(prop(&events[0], "SEQUENCE"), "0");
    let (_, _, _, calendars) = find("exhibitor@demo.expo", "미팅이 확정되었습니다").await;
    assert_eq!(calendars.len(), 1);
    // A reschedule sends the same event with a higher sequence; a cancellation a CANCEL.
    let _: Meeting = olga
        .reschedule_meeting(m.id, &to_slot(slots[1].0))
        .await
        .unwrap();
    let (_, _, _, calendars) = find("olga.smirnova@demo.expo", "Время встречи изменено").await;
    let (_, events) = parse_ics(calendars[0].as_bytes());
    assert_eq!(prop(&events[0], "SEQUENCE"), "1");
    assert_eq!(prop(&events[0], "DTSTART.TZID"), "Asia/Vladivostok");
    assert_eq!(
        prop(&events[0], "DTSTART"),
        ics_local(slots[1].1, "Asia/Vladivostok")
    );
    // A day before, the reminder: by mail too, in each one's language.
    clock.set(slots[1].1 - 24 * 3_600_000 + 60_000);
    expo_server::meetings::jobs::tick(&app.state).await.unwrap();
    let (_, _, text, _) = find("olga.smirnova@demo.expo", "Напоминание о встрече").await;
    assert!(text.contains("10:30–11:00 (Asia/Vladivostok)"), "{text}");
    find("exhibitor@demo.expo", "미팅 알림").await;
    clock.set(chrono::Utc::now().timestamp_millis());
    let _: Meeting = staff
        .cancel_meeting(m.id, &ReasonInput::default())
        .await
        .unwrap();
    let (_, _, _, calendars) = find("olga.smirnova@demo.expo", "Встреча отменена").await;
    let (calendar, events) = parse_ics(calendars[0].as_bytes());
    assert_eq!(prop(&calendar, "METHOD"), "CANCEL");
    assert_eq!(prop(&events[0], "STATUS"), "CANCELLED");
    // By now every earlier mail has long arrived: the requester never got her own request.
    assert!(
        !sink
            .about(id)
            .iter()
            .map(|raw| read_mail(raw))
            .any(|m| m.0.contains("olga") && m.1.starts_with("Новый запрос на встречу")),
        "the requester is not mailed her own request"
    );
    app.stop().await;
}

/// A reminder that falls due while Postgres is unreachable: the job passes on both nodes fail
/// and send nothing; when Postgres is back the reminder goes out exactly once, however many
/// passes run on however many nodes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_due_during_a_postgres_outage_is_sent_once_after() {
    use expo_server::meetings::jobs;
    let proxy = crate::faults::PgProxy::start().await;
    let env = TestEnv::new(Engines::Services).await;
    let db = proxy.url(&env);
    let clock = Clock::default();
    let node_a = env
        .start_with(|c| {
            c.demo = true;
            c.clock = clock.clone();
            c.job_interval_ms = 3_600_000;
            c.database_url = Some(db.clone());
        })
        .await;
    let node_b = env
        .start_with(|c| {
            c.clock = clock.clone();
            c.job_interval_ms = 3_600_000;
            c.database_url = Some(db.clone());
        })
        .await;
    let (staff, me) = sign_in(&node_a, "exhibitor@demo.expo").await;
    let company = me.company_id.unwrap();
    let slots = grid_on(&node_a, &staff, company, &day_ahead(5), "10:00", 2).await;
    let (ivan, ivan_me) = sign_in(&node_b, "buyer@demo.expo").await;
    let m: Meeting = ivan
        .request_meeting(&meeting_request(company, slots[0].0, MeetingMode::Online))
        .await
        .unwrap();
    let _: Meeting = accept_as(&staff, m.id).await.unwrap();
    let mut ivan_hub = ivan.connect().await.unwrap();
    ivan_hub
        .subscribe(&format!("user:{}", ivan_me.id))
        .await
        .unwrap();

    // The 24-hour reminder falls due while the store is unreachable.
    clock.set(slots[0].1 - 24 * 3_600_000 + 60_000);
    proxy.set_down(true);
    let (a, b) = tokio::join!(jobs::tick(&node_a.state), jobs::tick(&node_b.state));
    assert!(
        a.is_err() && b.is_err(),
        "a pass without the store fails: {a:?} {b:?}"
    );
    let one = Duration::from_millis(1500);
    assert_eq!(
        count_events(&mut ivan_hub, one, reminder(m.id, "24h")).await,
        0,
        "nothing is sent while the store is down"
    );

    // Back: passes run on both nodes at once until each has passed twice.
    proxy.set_down(false);
    let mut passed = (0, 0);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while (passed.0 < 2 || passed.1 < 2) && tokio::time::Instant::now() < deadline {
        let (a, b) = tokio::join!(jobs::tick(&node_a.state), jobs::tick(&node_b.state));
        passed.0 += usize::from(a.is_ok());
        passed.1 += usize::from(b.is_ok());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        passed.0 >= 2 && passed.1 >= 2,
        "both nodes pass again: {passed:?}"
    );
    assert_eq!(
        count_events(&mut ivan_hub, Duration::from_secs(3), reminder(m.id, "24h")).await,
        1,
        "the reminder goes out once after the outage"
    );
    node_b.stop().await;
    node_a.stop().await;
}

/// Relays a WebRTC signal to `to` in meeting `meeting_id`'s room.
async fn signal(
    hub: &Hub,
    meeting_id: i64,
    to: i64,
    data: serde_json::Value,
) -> Result<ReplyData, expo_client::ClientError> {
    hub.request(Command::MeetingSignal {
        meeting_id,
        to,
        data,
    })
    .await
}

/// The body that names a slot (to propose or reschedule to).
fn to_slot(slot_id: i64) -> SlotInput {
    SlotInput { slot_id }
}
