//! Matchmaking over HTTP on the demo fair (issue 13): two-way marks and who wants to meet
//! whom, the buyer directory's consent rule, suggestions that weigh the marks, accepted
//! pairs, a scheduler run over the fair's records, hand moves that are refused on conflict,
//! publishing that is all or nothing and reaches the participants on `/ws`, and a re-run that
//! keeps the published meetings where they are.

use crate::both_engines;
use crate::helpers::*;
use crate::meetings::overlaps;
use expo_client::{Api, Incoming};
use expo_schema::api::ReasonInput;
use expo_schema::matchmaking::{
    Conflict, MarkInput, MarkLevel, ModeWish, MoveInput, MoveTo, PairInput, Priority, RunInput,
};
use expo_schema::protocol::{RoomEvent, ServerFrame};
use expo_schema::{ErrorCode, MeetingMode, MeetingState};
use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

both_engines!(marks_directory_and_suggestions, schedule_review_and_publish);

async fn sign_in(app: &TestApp, email: &str) -> Api {
    app.api.login(email, DEMO_PASSWORD).await.unwrap().0
}

async fn demo_app(env: &TestEnv) -> TestApp {
    env.start_with(|c| c.demo = true).await
}

/// Marks go both ways; each side sees who wants to meet them but never a "no thanks"; the
/// directory shows e-mail only by consent; suggestions put marked companies first and drop
/// the ones either side declined; a declined pair cannot be accepted.
async fn marks_directory_and_suggestions(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = demo_app(&env).await;
    let ivan = sign_in(&app, "buyer@demo.expo").await;
    let olga = sign_in(&app, "olga.smirnova@demo.expo").await;
    let staff = sign_in(&app, "exhibitor@demo.expo").await;
    let me = staff.me().await.unwrap();
    let company = me.company_id.expect("the demo exhibitor has a company");
    let ivan_id = ivan.me().await.unwrap().id;
    let olga_id = olga.me().await.unwrap().id;

    // A buyer marks a company; its staff see it as incoming, with the buyer's name.
    let mine = ivan
        .put_mark(&MarkInput {
            company_id: Some(company),
            buyer_id: None,
            level: Some(MarkLevel::MustMeet),
        })
        .await
        .unwrap();
    assert_eq!(mine.mine.len(), 1);
    assert_eq!(mine.mine[0].level, MarkLevel::MustMeet);
    let seen = staff.marks().await.unwrap();
    assert!(seen.incoming.iter().any(|m| m.buyer_id == ivan_id
        && m.level == MarkLevel::MustMeet
        && m.buyer_name == "Ivan Petrov"));

    // Staff mark back (would meet) and decline another buyer.
    staff
        .put_mark(&MarkInput {
            company_id: None,
            buyer_id: Some(ivan_id),
            level: Some(MarkLevel::WouldMeet),
        })
        .await
        .unwrap();
    let staff_marks = staff
        .put_mark(&MarkInput {
            company_id: None,
            buyer_id: Some(olga_id),
            level: Some(MarkLevel::NoThanks),
        })
        .await
        .unwrap();
    assert_eq!(staff_marks.mine.len(), 2);
    let ivan_view = ivan.marks().await.unwrap();
    assert!(ivan_view
        .incoming
        .iter()
        .any(|m| m.company_id == company && m.level == MarkLevel::WouldMeet));
    let olga_view = olga.marks().await.unwrap();
    assert!(
        olga_view.incoming.is_empty(),
        "a no-thanks is not shown to the one declined: {:?}",
        olga_view.incoming
    );

    // Wrong shapes and roles are refused with typed errors.
    let wrong = ivan
        .put_mark(&MarkInput {
            company_id: None,
            buyer_id: Some(olga_id),
            level: Some(MarkLevel::MustMeet),
        })
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), Some(ErrorCode::Validation));
    let admin = app.admin().await;
    let nobody = admin.marks().await.unwrap_err();
    assert_eq!(nobody.code(), Some(ErrorCode::Forbidden));
    let no_directory = ivan.buyer_directory().await.unwrap_err();
    assert_eq!(no_directory.code(), Some(ErrorCode::Forbidden));

    // The directory: e-mail only where the buyer consented; the marks of both sides.
    let pool = crate::meetings::pool(&env).await;
    sqlx::query("update users set share_contact = case when id = $1 then 0 else 1 end")
        .bind(olga_id)
        .execute(&pool)
        .await
        .unwrap();
    let directory = staff.buyer_directory().await.unwrap();
    assert!(directory.buyers.len() >= 3);
    let consent: BTreeMap<i64, bool> = sqlx::query_as::<_, (i64, i64)>(
        "select id, share_contact from users where role = 'buyer' and status = 'active'",
    )
    .fetch_all(&pool)
    .await
    .unwrap()
    .into_iter()
    .map(|(id, c)| (id, c != 0))
    .collect();
    assert!(!consent[&olga_id] && consent[&ivan_id]);
    for card in &directory.buyers {
        assert_eq!(card.email.is_some(), consent[&card.id], "{}", card.name);
    }
    let ivan_card = directory.buyers.iter().find(|b| b.id == ivan_id).unwrap();
    assert_eq!(ivan_card.buyer_mark, Some(MarkLevel::MustMeet));
    assert_eq!(ivan_card.company_mark, Some(MarkLevel::WouldMeet));

    // Suggestions: the mutually marked company first, reasons in the viewer's language; the
    // company that declined Olga is not suggested to her.
    let ivan_suggestions = admin.suggestions(Some(ivan_id), "ru").await.unwrap();
    assert_eq!(ivan_suggestions.lang, "ru");
    let first = &ivan_suggestions.suggestions[0];
    assert_eq!(first.recommendation.booth.company.id, company);
    assert_eq!(first.buyer_mark, Some(MarkLevel::MustMeet));
    let olga_suggestions = olga.suggestions(None, "ru").await.unwrap();
    assert!(!olga_suggestions.suggestions.is_empty());
    assert!(olga_suggestions
        .suggestions
        .iter()
        .all(|s| s.recommendation.booth.company.id != company));
    // An HS heading the buyer sources finds the company whose product carries it, with the
    // heading named, even one the ranking by concepts and languages did not list.
    let listed: Vec<i64> = olga_suggestions
        .suggestions
        .iter()
        .map(|s| s.recommendation.booth.company.id)
        .collect();
    let (hs_company, hs_code): (i64, String) = sqlx::query_as(
        "select company_id, hs_code from products where hs_code is not null order by id",
    )
    .fetch_all(&pool)
    .await
    .unwrap()
    .into_iter()
    .find(|(c, _)| !listed.contains(c) && *c != company)
    .expect("a product of a company not suggested yet");
    let heading: String = hs_code
        .chars()
        .filter(char::is_ascii_digit)
        .take(4)
        .collect();
    sqlx::query("update users set hs_codes = $1 where id = $2")
        .bind(serde_json::to_string(&[&heading]).unwrap())
        .bind(olga_id)
        .execute(&pool)
        .await
        .unwrap();
    let by_hs = olga.suggestions(None, "ru").await.unwrap();
    let found = by_hs
        .suggestions
        .iter()
        .find(|s| s.recommendation.booth.company.id == hs_company)
        .expect("the company with the HS heading is suggested");
    assert_eq!(found.hs_matches, vec![heading.clone()]);
    assert!(by_hs
        .suggestions
        .iter()
        .all(|s| s.recommendation.booth.company.id != company));
    let others = ivan.suggestions(Some(olga_id), "en").await.unwrap_err();
    assert_eq!(others.code(), Some(ErrorCode::Forbidden));

    // A declined pair cannot be accepted; an accepted pair shows in the suggestions.
    let declined = admin
        .add_pair(&pair_input(
            olga_id,
            company,
            Priority::WouldMeet,
            ModeWish::Either,
        ))
        .await
        .unwrap_err();
    assert_eq!(declined.code(), Some(ErrorCode::Conflict));
    // The demo already pairs the buyer with the booth both sides marked: take it out, then
    // accept it again as an online meeting.
    let demo_pair = admin
        .match_pairs()
        .await
        .unwrap()
        .pairs
        .into_iter()
        .find(|p| p.buyer_id == ivan_id && p.company_id == company)
        .expect("the demo pairs the buyer with the booth they must meet");
    admin.remove_pair(demo_pair.id).await.unwrap();
    let gone = admin.remove_pair(demo_pair.id).await.unwrap_err();
    assert_eq!(gone.code(), Some(ErrorCode::NotFound));
    let pairs = admin
        .add_pair(&pair_input(
            ivan_id,
            company,
            Priority::MustMeet,
            ModeWish::Online,
        ))
        .await
        .unwrap();
    let pair = pairs
        .pairs
        .iter()
        .find(|p| p.buyer_id == ivan_id && p.company_id == company)
        .expect("the accepted pair is listed");
    assert_eq!(
        (pair.priority, pair.mode),
        (Priority::MustMeet, ModeWish::Online)
    );
    let again = admin
        .add_pair(&pair_input(
            ivan_id,
            company,
            Priority::MustMeet,
            ModeWish::Online,
        ))
        .await
        .unwrap_err();
    assert_eq!(again.code(), Some(ErrorCode::Conflict));
    let listed = admin.suggestions(Some(ivan_id), "en").await.unwrap();
    assert_eq!(listed.suggestions[0].pair_id, Some(pair.id));
    app.stop().await;
}

/// Auto pairs, a run with its quality, a refused and an accepted hand move, a publish that
/// a conflicting booking makes fail whole, a publish that succeeds and tells everyone, and a
/// re-run that keeps the published meetings.
async fn schedule_review_and_publish(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = demo_app(&env).await;
    let admin = app.admin().await;
    let buyer = sign_in(&app, "buyer@demo.expo").await;
    let buyer_id = buyer.me().await.unwrap().id;

    // The published contract lists the routes with their refusals.
    let doc: serde_json::Value = app.api.get("/api/v1/openapi.json").await.unwrap();
    for (path, method, status) in [
        ("/api/v1/match/runs", "post", "403"),
        ("/api/v1/match/runs/{id}/move", "post", "409"),
        ("/api/v1/match/runs/{id}/publish", "post", "409"),
        ("/api/v1/match/marks", "put", "422"),
    ] {
        assert!(
            doc["paths"][path][method]["responses"][status].is_object(),
            "{method} {path} documents {status}"
        );
    }
    assert!(doc["components"]["schemas"]["ScheduleRun"].is_object());

    let forbidden = buyer.run_scheduler(&RunInput::default()).await.unwrap_err();
    assert_eq!(forbidden.code(), Some(ErrorCode::Forbidden));

    let auto = admin.auto_pairs(2).await.unwrap();
    assert!(
        auto.added >= 4,
        "two pairs for each demo buyer: {}",
        auto.added
    );
    let per_buyer = auto.pairs.iter().fold(BTreeMap::new(), |mut m, p| {
        *m.entry(p.buyer_id).or_insert(0) += 1;
        m
    });
    assert!(per_buyer.values().all(|n| *n <= 2));

    // A buyer who says "no thanks" to an accepted pair is never scheduled with that company.
    let declined = auto
        .pairs
        .iter()
        .find(|p| p.buyer_id == buyer_id)
        .expect("the demo buyer has a pair");
    buyer
        .put_mark(&MarkInput {
            company_id: Some(declined.company_id),
            buyer_id: None,
            level: Some(MarkLevel::NoThanks),
        })
        .await
        .unwrap();

    let run = admin.run_scheduler(&RunInput::default()).await.unwrap();
    let q = &run.run.quality;
    assert_eq!(q.pairs as usize, auto.pairs.len() - 1);
    assert_eq!(
        q.placed as usize + run.run.schedule.unplaced.len(),
        auto.pairs.len() - 1,
        "every pair is placed or listed with its reason"
    );
    assert!(run.pairs.iter().all(|p| p.id != declined.id));
    assert!(run
        .run
        .schedule
        .placements
        .iter()
        .all(|p| p.pair != declined.id));
    assert!(q.placed >= 1);
    let slot_of: BTreeMap<u32, i64> = run.slots.iter().map(|s| (s.index, s.starts_ms)).collect();
    for p in &run.run.schedule.placements {
        assert!(
            slot_of.contains_key(&p.slot),
            "placed in a slot of the fair's grid"
        );
        assert!(slot_of[&p.slot] > 0);
    }
    // Stored as it was answered.
    assert_eq!(admin.schedule_run(run.id).await.unwrap().run, run.run);

    // A hand move onto another meeting of the same buyer is refused, and changes nothing.
    let placements = &run.run.schedule.placements;
    let by_pair: BTreeMap<i64, i64> = run.pairs.iter().map(|p| (p.id, p.buyer_id)).collect();
    let (a, b) = placements
        .iter()
        .flat_map(|a| placements.iter().map(move |b| (a, b)))
        .find(|(a, b)| a.pair != b.pair && by_pair[&a.pair] == by_pair[&b.pair])
        .expect("a buyer with two placed meetings");
    let refused = admin
        .move_in_run(
            run.id,
            &MoveInput {
                pair: a.pair,
                to: MoveTo {
                    slot: b.slot,
                    mode: b.mode,
                    interpreter: None,
                },
            },
        )
        .await
        .unwrap()
        .expect_err("a buyer cannot be in two meetings at once");
    assert!(
        refused
            .conflicts
            .iter()
            .any(|c| matches!(c, Conflict::BuyerBusy { .. })),
        "{:?}",
        refused.conflicts
    );
    assert_eq!(admin.schedule_run(run.id).await.unwrap().run, run.run);
    // A move to a slot that is free for everyone is taken.
    let taken: HashSet<u32> = placements.iter().map(|p| p.slot).collect();
    let mut moved = None;
    for slot in run
        .slots
        .iter()
        .map(|s| s.index)
        .filter(|s| !taken.contains(s))
    {
        let to = MoveTo {
            slot,
            mode: a.mode,
            interpreter: None,
        };
        if let Ok(after) = admin
            .move_in_run(run.id, &MoveInput { pair: a.pair, to })
            .await
            .unwrap()
        {
            moved = Some((slot, after));
            break;
        }
    }
    let (slot, after) = moved.expect("some free slot takes the meeting");
    let placed = after
        .run
        .schedule
        .placements
        .iter()
        .find(|p| p.pair == a.pair)
        .unwrap();
    assert_eq!(placed.slot, slot);

    // Someone books the buyer of a placed meeting at its time meanwhile: publishing fails
    // whole, nothing is booked.
    let victim = after
        .run
        .schedule
        .placements
        .iter()
        .find(|p| by_pair[&p.pair] == buyer_id)
        .expect("the demo buyer has a placed meeting");
    let victim_slot = after.slots.iter().find(|s| s.index == victim.slot).unwrap();
    let victim_pair = after.pairs.iter().find(|p| p.id == victim.pair).unwrap();
    let other_company = company_other_than(&env, victim_pair.company_id).await;
    let booked: expo_schema::Meeting = buyer
        .request_meeting(&meeting_request(
            other_company,
            victim_slot.slot_id,
            MeetingMode::Online,
        ))
        .await
        .unwrap();
    let before = meeting_count(&env).await;
    let failed = admin.publish_run(run.id).await.unwrap_err();
    assert_eq!(failed.code(), Some(ErrorCode::SlotTaken));
    assert_eq!(meeting_count(&env).await, before, "nothing was published");
    assert!(admin
        .match_pairs()
        .await
        .unwrap()
        .pairs
        .iter()
        .all(|p| p.meeting_id.is_none()));

    // The booking is cancelled; publishing now books every placement and tells the buyer.
    let _: expo_schema::Meeting = buyer
        .cancel_meeting(booked.id, &ReasonInput::default())
        .await
        .unwrap();
    let mut hub = buyer.connect().await.unwrap();
    hub.subscribe(&format!("user:{buyer_id}")).await.unwrap();
    let published = admin.publish_run(run.id).await.unwrap();
    assert_eq!(
        published.meetings.len(),
        after.run.schedule.placements.len()
    );
    assert_eq!(overlaps(&env).await, 0, "nothing double-booked");
    let mine: HashSet<i64> = after
        .run
        .schedule
        .placements
        .iter()
        .filter(|p| by_pair[&p.pair] == buyer_id)
        .map(|p| p.pair)
        .collect();
    let pairs_now = admin.match_pairs().await.unwrap().pairs;
    let expected: HashSet<i64> = pairs_now
        .iter()
        .filter(|p| mine.contains(&p.id))
        .map(|p| p.meeting_id.expect("a published pair has its meeting"))
        .collect();
    let mut heard = HashSet::new();
    while heard.len() < expected.len() {
        let Some(item) = hub
            .wait_for(Duration::from_secs(10), |i| {
                matches!(i, Incoming::Frame(ServerFrame::Event { event: RoomEvent::MeetingUpdated { meeting }, .. })
                    if expected.contains(&meeting.id) && meeting.state == MeetingState::Confirmed)
            })
            .await
        else {
            panic!("the buyer heard of {heard:?} of {expected:?}");
        };
        if let Incoming::Frame(ServerFrame::Event {
            event: RoomEvent::MeetingUpdated { meeting },
            ..
        }) = item
        {
            heard.insert(meeting.id);
        }
    }
    let twice = admin.publish_run(run.id).await.unwrap_err();
    assert_eq!(twice.code(), Some(ErrorCode::Conflict));

    // A re-run keeps every published meeting where it is.
    let rerun = admin.run_scheduler(&RunInput::default()).await.unwrap();
    for p in &after.run.schedule.placements {
        let kept = rerun
            .run
            .schedule
            .placements
            .iter()
            .find(|q| q.pair == p.pair)
            .expect("a published meeting stays placed");
        assert!(kept.fixed);
        let at = |run: &expo_schema::matchmaking::ScheduleRun, index: u32| {
            run.slots.iter().find(|s| s.index == index).unwrap().slot_id
        };
        assert_eq!(at(&rerun, kept.slot), at(&after, p.slot));
    }
    app.stop().await;
}

async fn meeting_count(env: &TestEnv) -> i64 {
    let pool = crate::meetings::pool(env).await;
    let n = sqlx::query_scalar("select count(*) from meetings")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    n
}

/// A company other than `company` (every demo company offers meetings).
async fn company_other_than(env: &TestEnv, company: i64) -> i64 {
    let pool = crate::meetings::pool(env).await;
    let id = sqlx::query_scalar("select id from companies where id <> $1 order by id limit 1")
        .bind(company)
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    id
}

/// The organizer's pairing of a buyer with a company.
fn pair_input(buyer_id: i64, company_id: i64, priority: Priority, mode: ModeWish) -> PairInput {
    PairInput {
        buyer_id,
        company_id,
        priority,
        mode,
    }
}
