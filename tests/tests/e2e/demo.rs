//! The demo fair loads once, whatever happens, and shows a real fair.

use crate::both_engines;
use crate::helpers::*;
use expo_schema::api::{CompanyDetail, CompanyList, FairSummary, HallList};

both_engines!(demo_fair_loads_once);

async fn demo_fair_loads_once(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start_with(|c| c.demo = true).await;
    let api = app.demo_user("buyer@demo.expo").await;
    let first: FairSummary = api.get("/api/v1/fair").await.unwrap();
    assert_eq!(first.halls, 8);
    assert_eq!(first.companies, 40);
    assert!(first.products >= 80);
    assert_eq!(first.buyers, 20);
    assert!(first.buyer_countries >= 5);
    assert_eq!(first.interpreters, 6);
    let halls: HallList = api.get("/api/v1/halls").await.unwrap();
    assert!(halls.halls.iter().all(|h| h.company_count == 5));
    let companies: CompanyList = api
        .get(&format!("/api/v1/companies?hall_id={}", halls.halls[0].id))
        .await
        .unwrap();
    assert_eq!(companies.companies.len(), 5);
    let detail: CompanyDetail = api
        .get(&format!("/api/v1/companies/{}", companies.companies[0].id))
        .await
        .unwrap();
    assert!(!detail.products.is_empty());
    assert!(!detail.staff.is_empty());
    app.stop().await;
    // Time passes (a month, here): the demo's video meeting of "now" is long over.
    let pool = crate::meetings::pool(&env).await;
    let now = chrono::Utc::now().timestamp_millis();
    assert_eq!(
        open_at(&pool, now).await,
        1,
        "the demo opens with a video meeting under way"
    );
    sqlx::query(
        "update meetings set starts_ms = starts_ms - 2592000000, ends_ms = ends_ms - 2592000000 \
         where starts_ms <= $1 and ends_ms > $1",
    )
    .bind(now)
    .execute(&pool)
    .await
    .unwrap();

    // A restart with --demo, and a second node at once, change nothing but that: exactly one
    // new video meeting is open again.
    let (a, b) = tokio::join!(
        env.start_with(|c| c.demo = true),
        env.start_with(|c| c.demo = true)
    );
    let api = a.demo_user("buyer@demo.expo").await;
    let again: FairSummary = api.get("/api/v1/fair").await.unwrap();
    assert_eq!(again.companies, first.companies);
    assert_eq!(again.products, first.products);
    assert_eq!(again.buyers, first.buyers);
    let now = chrono::Utc::now().timestamp_millis();
    assert_eq!(
        open_at(&pool, now).await,
        1,
        "one fresh video meeting, not two"
    );
    pool.close().await;
    a.stop().await;
    b.stop().await;
}

/// How many of the demo buyer's confirmed online meetings are under way at `now`.
async fn open_at(pool: &sqlx::AnyPool, now: i64) -> i64 {
    sqlx::query_scalar(
        "select count(*) from meetings m join users u on u.id = m.buyer_id \
         where u.email = 'buyer@demo.expo' and m.mode = 'online' and m.state = 'confirmed' \
         and m.starts_ms <= $1 and m.ends_ms > $1",
    )
    .bind(now)
    .fetch_one(pool)
    .await
    .unwrap()
}

both_engines!(demo_fair_has_a_studio_with_shows);

/// The demo's stages: the studio's show under way but offline (no encoder publishes without
/// a media server), the next one later today, and the opening on the main stage streamed
/// elsewhere; texts in the viewer's language; the host's staff can read the studio's key;
/// the studio show's chat so far, in slow mode, and the fair's word filter.
async fn demo_fair_has_a_studio_with_shows(engines: Engines) {
    use expo_schema::api::{LangQuery, ShowState, StageKind};
    let env = TestEnv::new(engines).await;
    let app = env.start_with(|c| c.demo = true).await;
    let buyer = app.demo_user("olga.smirnova@demo.expo").await;
    let ru = LangQuery {
        lang: Some("ru".into()),
    };
    let list = buyer.stages(&ru).await.unwrap();
    let slugs: Vec<&str> = list.stages.iter().map(|s| s.stage.slug.as_str()).collect();
    assert_eq!(slugs, ["studio", "main"]);
    let studio = &list.stages[0];
    assert_eq!(studio.stage.kind, StageKind::Studio);
    assert!(studio.live.is_none(), "offline: no media server publishes");
    let now_show = studio.next.as_ref().expect("the studio's show of now");
    assert_eq!(now_show.title, "Травы Сораксана: из долины на вашу полку");
    assert_eq!(now_show.state, ShowState::Scheduled);
    let now = chrono::Utc::now().timestamp_millis();
    assert!(now_show.starts_ms <= now && now < now_show.ends_ms);
    assert_eq!(now_show.featured_product_ids.len(), 2);
    assert_eq!(
        now_show.pinned_product_id,
        Some(now_show.featured_product_ids[0]),
        "the host has pinned the first featured product"
    );
    let pins = buyer.show_pins(now_show.id, &ru).await.unwrap().pins;
    assert_eq!(pins.len(), 1);
    assert!(now_show.hls_url.is_some() && now_show.external_url.is_none());
    let shows = buyer.stage_shows(studio.stage.id, &ru).await.unwrap();
    assert_eq!(shows.shows.len(), 2);
    assert!(shows.shows[1].starts_ms > now);
    let main = list.stages[1].next.as_ref().expect("the opening");
    assert!(main.external_url.is_some() && main.hls_url.is_none());

    // The host's staff (the README's exhibitor) read the key; a buyer does not.
    let (staff, _, _) = app.demo_exhibitor().await;
    let ingest = staff.show_ingest(now_show.id).await.unwrap();
    assert!(!ingest.stream_key.is_empty());
    let refused = buyer.show_ingest(now_show.id).await.unwrap_err();
    assert_eq!(refused.code(), Some(expo_schema::ErrorCode::Forbidden));

    // The show's chat so far, in slow mode, hosted by his company; the fair's word filter.
    let chat = buyer.show_chat(now_show.id).await.unwrap();
    assert_eq!(chat.slow_mode_s, 10);
    let hub = buyer.connect().await.unwrap();
    let (room, messages) = join_from_start(&hub, chat.room_id).await;
    assert_eq!(room.kind, expo_schema::ChatRoomKind::Show);
    assert_eq!(room.company_id, now_show.host_company_id);
    assert_eq!(messages.len(), 9, "the show's chat so far");
    let questions = buyer.show_questions(now_show.id).await.unwrap().questions;
    assert_eq!(
        questions
            .iter()
            .map(|q| (q.votes, q.answered))
            .collect::<Vec<_>>(),
        [(3, true), (2, false), (1, false)],
        "the show's questions, most upvoted first"
    );
    let polls = buyer.show_polls(now_show.id).await.unwrap().polls;
    assert_eq!(polls.len(), 1);
    assert_eq!(
        (polls[0].counts.clone(), polls[0].closed),
        (vec![1, 3, 1], false)
    );
    assert_eq!(polls[0].my_vote, Some(1), "Olga voted for the tea");
    // Two buyers asked the host for a sample and a quote from the show.
    let commerce = staff.show_commerce(now_show.id).await.unwrap();
    assert_eq!((commerce.quote_requests, commerce.sample_requests), (1, 1));
    assert!(messages
        .windows(2)
        .all(|w| w[0].created_ms < w[1].created_ms));
    let admin = app.admin().await;
    assert!(admin
        .filter_words()
        .await
        .unwrap()
        .words
        .contains(&"спам".to_string()));
    hub.close();
    app.stop().await;
}
