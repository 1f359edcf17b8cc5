//! Meeting scheduling: the grid, availability, and no double booking under a race, on both
//! engines and across two nodes; the request state machine.

use crate::both_engines;
use crate::helpers::*;
use expo_client::Api;
use expo_schema::api::{AvailabilityInput, MeetingRequest, ReasonInput};
use expo_schema::{ErrorCode, Meeting, MeetingMode, MeetingState};
use sqlx::Row;

both_engines!(
    two_hundred_buyers_race_for_twenty_slots,
    request_state_machine
);

/// A fair day two days from now.
fn fair_day() -> String {
    (chrono::Utc::now() + chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string()
}

pub(crate) async fn pool(env: &TestEnv) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    let url = env
        .database_url()
        .unwrap_or_else(|| format!("sqlite://{}", env.data_dir.join("expo.db").display()));
    sqlx::AnyPool::connect(&url).await.unwrap()
}

/// Pairs of active meetings that overlap in time for one seat of a company or for one buyer:
/// zero when nothing is double-booked.
pub(crate) async fn overlaps(env: &TestEnv) -> i64 {
    let pool = pool(env).await;
    let clashes: i64 = sqlx::query_scalar(
        "select count(*) from meetings a join meetings b on a.id < b.id \
         and a.state in ('requested', 'confirmed') and b.state in ('requested', 'confirmed') \
         and a.starts_ms < b.ends_ms and b.starts_ms < a.ends_ms \
         and ((a.company_id = b.company_id and a.seat = b.seat) or a.buyer_id = b.buyer_id)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    clashes
}

/// Creates `n` approved buyers with sessions straight in the database (no password hashing:
/// the race is about booking, not signing in).
pub(crate) async fn buyers(env: &TestEnv, n: usize) -> Vec<String> {
    let pool = pool(env).await;
    let mut tokens = Vec::new();
    for i in 0..n {
        let id: i64 = sqlx::query_scalar(
            "insert into users (email, name, role, status, password_hash, buyer_company, country, timezone, created_ms) \
             values ($1, $2, 'buyer', 'active', 'none', 'Race Co', 'RU', 'Asia/Vladivostok', 0) returning id",
        )
        .bind(format!("racer{i}@race.example"))
        .bind(format!("Racer {i}"))
        .fetch_one(&pool)
        .await
        .unwrap();
        let token = format!("race-token-{i}-{}", rand::random::<u64>());
        sqlx::query("insert into sessions (token_hash, user_id, created_ms, expires_ms) values ($1, $2, 0, $3)")
            .bind(expo_server::auth::password::token_hash(&token))
            .bind(id)
            .bind(i64::MAX / 2)
            .execute(&pool)
            .await
            .unwrap();
        tokens.push(token);
    }
    pool.close().await;
    tokens
}

/// The organizer's grid for one day and the exhibitor's availability in all of it.
async fn grid(app: &TestApp, staff: &Api, company: i64, end: &str, seats: i64) -> Vec<i64> {
    let admin = app.admin().await;
    let slots = admin
        .create_grid(&grid_input(&fair_day(), "Asia/Seoul", "09:00", end, 30))
        .await
        .unwrap();
    let ids: Vec<i64> = slots.slots.iter().map(|s| s.id).collect();
    staff
        .set_availability(
            company,
            &AvailabilityInput {
                slot_ids: ids.clone(),
                seats,
            },
        )
        .await
        .unwrap();
    ids
}

async fn two_hundred_buyers_race_for_twenty_slots(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let node_a = env.start_with(|c| c.demo = true).await;
    // On Postgres and Redis the requests are spread over two nodes.
    let node_b = if engines == Engines::Services {
        Some(env.start().await)
    } else {
        None
    };
    let (staff, me) = node_a
        .api
        .login("exhibitor@demo.expo", DEMO_PASSWORD)
        .await
        .unwrap();
    let company = me.user.company_id.unwrap();
    let slots = grid(&node_a, &staff, company, "19:00", 1).await;
    assert_eq!(slots.len(), 20);
    let tokens = buyers(&env, 200).await;
    let mut tasks = Vec::new();
    for (i, token) in tokens.into_iter().enumerate() {
        let base = match (&node_b, i % 2) {
            (Some(b), 1) => b.api.clone(),
            _ => node_a.api.clone(),
        };
        let api = base.with_token(token);
        let slot = slots[i % 20];
        tasks.push(tokio::spawn(async move {
            api.request_meeting(&meeting_request(company, slot, MeetingMode::Online))
                .await
        }));
    }
    let mut won = Vec::new();
    let mut lost = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(meeting) => won.push(meeting),
            Err(error) => {
                assert_eq!(
                    error.code(),
                    Some(ErrorCode::SlotTaken),
                    "a loser gets slot_taken: {error}"
                );
                lost += 1;
            }
        }
    }
    // One seat, twenty slots: exactly one winner per slot.
    assert_eq!(won.len(), 20);
    assert_eq!(lost, 180);
    let mut won_slots: Vec<i64> = won.iter().map(|m| m.slot_id).collect();
    won_slots.sort();
    let mut all = slots.clone();
    all.sort();
    assert_eq!(won_slots, all);
    // And the records agree: no two active meetings of one seat (or one buyer) overlap.
    assert_eq!(overlaps(&env).await, 0);
    let pool = pool(&env).await;
    let row = sqlx::query(
        "select count(*) as n from meetings m join users u on u.id = m.buyer_id \
         where u.email like 'racer%'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        row.try_get::<i64, _>("n").unwrap(),
        20,
        "losers stored nothing"
    );
    pool.close().await;
    stop_nodes(node_a, node_b).await;
}

async fn request_state_machine(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start_with(|c| c.demo = true).await;
    let (staff, me, company) = app.demo_exhibitor().await;
    let slots = grid(&app, &staff, company, "11:00", 2).await;
    let ivan = app.demo_user("buyer@demo.expo").await;
    let olga = app.demo_user("olga.smirnova@demo.expo").await;
    let ask = |api: &Api, slot: i64| {
        let api = api.clone();
        async move {
            api.request_meeting(&MeetingRequest {
                show_id: None,
                message: Some("Samples?".into()),
                ..meeting_request(company, slot, MeetingMode::Onsite)
            })
            .await
        }
    };
    let a = ask(&ivan, slots[0]).await.unwrap();
    let b = ask(&olga, slots[0]).await.unwrap();
    assert_eq!((a.seat, b.seat), (1, 2), "two seats, two meetings at once");
    assert_eq!(a.state, MeetingState::Requested);
    // The same buyer cannot be in two meetings at once.
    assert_eq!(
        ask(&ivan, slots[0]).await.unwrap_err().code(),
        Some(ErrorCode::SlotTaken)
    );
    // A buyer cannot answer on the exhibitor's behalf.
    let error = accept_as(&ivan, a.id).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    let confirmed: Meeting = accept_as(&staff, a.id).await.unwrap();
    assert_eq!(confirmed.state, MeetingState::Confirmed);
    assert_eq!(confirmed.staff.as_ref().map(|s| s.id), Some(me.id));
    // One staff member cannot take two meetings at the same time.
    let error = accept_as(&staff, b.id).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::SlotTaken));
    // Declining frees the seat for someone else; a declined request cannot be accepted.
    let declined: Meeting = staff
        .decline_meeting(
            b.id,
            &ReasonInput {
                reason: Some("fully booked".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(declined.state, MeetingState::Declined);
    let error = accept_as(&staff, b.id).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Conflict));
    let again = ask(&olga, slots[0]).await.unwrap();
    assert_eq!(again.seat, 2);
    // Either side cancels; a cancelled meeting stays cancelled.
    let cancelled: Meeting = ivan
        .cancel_meeting(a.id, &ReasonInput::default())
        .await
        .unwrap();
    assert_eq!(cancelled.state, MeetingState::Cancelled);
    let error = ivan
        .cancel_meeting(a.id, &ReasonInput::default())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Conflict));
    let availability = ivan.availability(company).await.unwrap();
    assert_eq!(availability.slots[0].free_seats, 1);
    // A buyer's list holds their own meetings only.
    let mine = ivan.meetings().await.unwrap();
    let ids: Vec<i64> = mine.meetings.iter().map(|m| m.id).collect();
    assert!(ids.contains(&a.id));
    assert!(!ids.contains(&b.id) && !ids.contains(&again.id));
    // A hold that ran out reads as expired and frees its seat, before any write marks it.
    let pool = pool(&env).await;
    sqlx::query("update meetings set expires_ms = 1 where id = $1")
        .bind(again.id)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let theirs = olga.meetings().await.unwrap();
    let held = theirs
        .meetings
        .iter()
        .find(|m| m.id == again.id)
        .unwrap()
        .clone();
    assert_eq!(held.state, MeetingState::Expired);
    let availability = ivan.availability(company).await.unwrap();
    assert_eq!(availability.slots[0].free_seats, 2);
    // And a write path turns it into a stored expiry: it can no longer be accepted.
    let error = accept_as(&staff, again.id).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Conflict));
    app.stop().await;
}
