//! Booking races that used to deadlock on Postgres: many buyers for the seats of one slot, and
//! buyers asking two companies for the same time at once. Every caller gets a decision
//! (`ok` or `slot_taken`), never a server error; every seat someone asked for is filled;
//! nothing overlaps. On SQLite, one node; on Postgres, one node and two.

use crate::helpers::*;
use crate::meetings::{buyers, overlaps, pool};
use expo_client::Api;
use expo_schema::api::*;
use expo_schema::{ErrorCode, Meeting, MeetingMode};
use std::time::Duration;

/// A one-slot grid two days from now, and `seats` seats at each of `companies` in it.
async fn one_slot(admin: &Api, companies: &[i64], seats: i64) -> i64 {
    let day = (chrono::Utc::now() + chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    let grid = admin
        .create_grid(&grid_input(&day, "Asia/Seoul", "09:00", "09:30", 30))
        .await
        .unwrap();
    let slot = grid.slots[0].id;
    for company in companies {
        admin
            .set_availability(
                *company,
                &AvailabilityInput {
                    slot_ids: vec![slot],
                    seats,
                },
            )
            .await
            .unwrap();
    }
    slot
}

/// Nodes for a race: one, or two on Postgres and Redis.
async fn nodes(env: &TestEnv, two: bool) -> Vec<TestApp> {
    let mut nodes = vec![env.start_with(|c| c.demo = true).await];
    if two {
        nodes.push(env.start().await);
    }
    nodes
}

/// Sorts answers into winners and `slot_taken` losers; anything else fails the test.
fn tally(answers: Vec<Result<Meeting, expo_client::ClientError>>) -> (Vec<Meeting>, usize) {
    let mut won = Vec::new();
    let mut lost = 0;
    for answer in answers {
        match answer {
            Ok(meeting) => won.push(meeting),
            Err(error) => {
                assert_eq!(
                    error.code(),
                    Some(ErrorCode::SlotTaken),
                    "every loser gets slot_taken, never an error: {error}"
                );
                lost += 1;
            }
        }
    }
    (won, lost)
}

async fn sixty_buyers_fill_twenty_seats(engines: Engines, two_nodes: bool) {
    let env = TestEnv::new(engines).await;
    let nodes = nodes(&env, two_nodes).await;
    let admin = nodes[0].admin().await;
    let (_, me) = nodes[0]
        .api
        .login("exhibitor@demo.expo", DEMO_PASSWORD)
        .await
        .unwrap();
    let company = me.user.company_id.unwrap();
    let slot = one_slot(&admin, &[company], 20).await;
    let tokens = buyers(&env, 60).await;
    let tokens_by_index = tokens.clone();
    let mut tasks = Vec::new();
    for (i, token) in tokens.into_iter().enumerate() {
        let api = nodes[i % nodes.len()].api.with_token(token);
        tasks.push(tokio::spawn(async move {
            api.request_meeting(&meeting_request(company, slot, MeetingMode::Online))
                .await
        }));
    }
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    let (won, lost) = tally(answers);
    println!(
        "race: 60 buyers for 20 seats: {} booked, {lost} slot_taken",
        won.len()
    );
    assert_eq!(won.len(), 20, "every seat someone asked for is booked");
    assert_eq!(lost, 40);
    let mut seats: Vec<i64> = won.iter().map(|m| m.seat).collect();
    seats.sort();
    assert_eq!(seats, (1..=20).collect::<Vec<_>>(), "each seat once");
    assert_eq!(overlaps(&env).await, 0);

    // Then the winners cancel while the losers keep asking: cancels (updates of meeting rows)
    // race placements (inserts checked by the exclusion constraints). Every answer is a
    // decision, and the freed seats are taken again, each once.
    let mut cancels = Vec::new();
    let mut retries = Vec::new();
    for (i, token) in tokens_by_index.iter().enumerate() {
        let api = nodes[i % nodes.len()].api.with_token(token.clone());
        // `buyers` names buyer i "Racer i".
        if let Some(meeting) = won.iter().find(|m| m.buyer.name == format!("Racer {i}")) {
            let id = meeting.id;
            cancels.push(tokio::spawn(async move {
                api.cancel_meeting(id, &ReasonInput::default()).await
            }));
        } else {
            retries.push(tokio::spawn(async move {
                let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
                loop {
                    let answer = api
                        .request_meeting(&meeting_request(company, slot, MeetingMode::Online))
                        .await;
                    match answer {
                        Ok(meeting) => return Ok(Some(meeting)),
                        Err(e) if e.code() == Some(ErrorCode::SlotTaken) => {
                            if tokio::time::Instant::now() > deadline {
                                return Ok(None);
                            }
                            tokio::time::sleep(Duration::from_millis(25)).await;
                        }
                        Err(e) => return Err(e),
                    }
                }
            }));
        }
    }
    assert_eq!(cancels.len(), 20);
    for cancel in cancels {
        cancel
            .await
            .unwrap()
            .expect("a cancel is a decision, never an error");
    }
    let mut rebooked = 0;
    for retry in retries {
        let answer = retry
            .await
            .unwrap()
            .expect("a request is ok or slot_taken, never an error");
        if answer.is_some() {
            rebooked += 1;
        }
    }
    println!("race: 20 cancels against 40 retrying buyers: {rebooked} seats taken again");
    assert_eq!(rebooked, 20, "every freed seat is taken again");
    assert_eq!(overlaps(&env).await, 0);
    for node in nodes {
        node.stop().await;
    }
}

async fn buyers_racing_two_companies_get_one_each(engines: Engines, two_nodes: bool) {
    let env = TestEnv::new(engines).await;
    let nodes = nodes(&env, two_nodes).await;
    let admin = nodes[0].admin().await;
    let pool = pool(&env).await;
    let companies: Vec<i64> = sqlx::query_scalar("select id from companies order by id limit 2")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    let slot = one_slot(&admin, &companies, 50).await;
    let tokens = buyers(&env, 50).await;
    let mut tasks = Vec::new();
    for (i, token) in tokens.into_iter().enumerate() {
        for (k, company) in companies.iter().copied().enumerate() {
            let api = nodes[(i + k) % nodes.len()].api.with_token(token.clone());
            tasks.push(tokio::spawn(async move {
                let answer = api
                    .request_meeting(&meeting_request(company, slot, MeetingMode::Online))
                    .await;
                (i, answer)
            }));
        }
    }
    let mut per_buyer = vec![0; 50];
    let mut answers = Vec::new();
    for task in tasks {
        let (i, answer) = task.await.unwrap();
        if answer.is_ok() {
            per_buyer[i] += 1;
        }
        answers.push(answer);
    }
    let (won, lost) = tally(answers);
    println!(
        "race: 50 buyers x 2 companies: {} booked, {lost} slot_taken",
        won.len()
    );
    assert!(
        per_buyer.iter().all(|n| *n == 1),
        "each buyer gets exactly one of the two meetings at that time: {per_buyer:?}"
    );
    assert_eq!(won.len(), 50);
    assert_eq!(lost, 50);
    assert_eq!(overlaps(&env).await, 0);
    for node in nodes {
        node.stop().await;
    }
}

macro_rules! race {
    ($scenario:ident) => {
        mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn embedded() {
                super::$scenario(crate::helpers::Engines::Embedded, false).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres_one_node() {
                super::$scenario(crate::helpers::Engines::Services, false).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres_two_nodes() {
                super::$scenario(crate::helpers::Engines::Services, true).await;
            }
        }
    };
}

race!(sixty_buyers_fill_twenty_seats);
race!(buyers_racing_two_companies_get_one_each);
