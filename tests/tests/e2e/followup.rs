//! Issue 17's server pieces: a buyer cancels their own open talk request (and nobody else
//! can); a missed request leaves the follow-up list once the buyer's next one is accepted; a
//! repeat badge scan names the first; a company's staff keep notes, a rating, tags and a
//! follow-up state per lead, which organizers do not see, and the CSV carries them; the demo
//! booths have product pictures, a brochure and a video.

use crate::both_engines;
use crate::helpers::*;
use expo_client::{Api, Hub, Incoming};
use expo_schema::api::{LeadFollowUp, ScanInput};
use expo_schema::protocol::{Command, ReplyData, RoomEvent, ServerFrame};
use expo_schema::{ErrorCode, TalkRequest, TalkState};
use std::time::Duration;

both_engines!(
    a_buyer_cancels_only_their_own_open_talk_request,
    an_accepted_request_clears_the_buyers_missed_ones,
    a_repeat_scan_names_the_first,
    lead_notes_are_the_companys_own,
    demo_booths_have_photos_a_brochure_and_a_video,
);

async fn demo(env: &TestEnv) -> (TestApp, Api, i64) {
    let app = env.start_with(|c| c.demo = true).await;
    let (staff, _, company) = app.demo_exhibitor().await;
    (app, staff, company)
}

async fn talk(hub: &Hub, command: Command) -> Result<TalkRequest, expo_client::ClientError> {
    match hub.request(command).await? {
        ReplyData::Talk { request, .. } => Ok(request),
        other => panic!("unexpected {other:?}"),
    }
}

async fn missed_ids(staff: &Api, company: i64) -> Vec<i64> {
    let list = staff.talk_requests(company, Some("missed")).await.unwrap();
    list.requests.iter().map(|r| r.id).collect()
}

async fn a_buyer_cancels_only_their_own_open_talk_request(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let (app, staff, company) = demo(&env).await;
    let mut s = staff.connect().await.unwrap();
    s.request(Command::SetDuty { on_duty: true }).await.unwrap();
    let buyer = app.buyer("cancel-buyer@example.ru").await;
    let b = buyer.connect().await.unwrap();
    b.subscribe(&format!("booth:{company}")).await.unwrap();
    let request = talk(
        &b,
        Command::TalkRequest {
            company_id: company,
        },
    )
    .await
    .unwrap();
    assert_eq!(request.state, TalkState::Open);
    assert!(
        request.expires_ms > request.created_ms,
        "the buyer can show a countdown"
    );

    // Neither another buyer nor the staff may cancel it.
    let other = app.buyer("other-buyer@example.ru").await;
    let o = other.connect().await.unwrap();
    let error = talk(
        &o,
        Command::TalkCancel {
            request_id: request.id,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    let error = talk(
        &s,
        Command::TalkCancel {
            request_id: request.id,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));

    let cancelled = talk(
        &b,
        Command::TalkCancel {
            request_id: request.id,
        },
    )
    .await
    .unwrap();
    assert_eq!(cancelled.state, TalkState::Cancelled);
    assert!(cancelled.resolved_ms.is_some());
    let told = s
        .wait_for(Duration::from_secs(5), |i| {
            matches!(i, Incoming::Frame(ServerFrame::Event { event: RoomEvent::TalkCancelled { request: r }, .. }) if r.id == request.id)
        })
        .await;
    assert!(told.is_some(), "the staff on duty are told");
    // Once only; and a cancelled request can no longer be taken.
    let error = talk(
        &b,
        Command::TalkCancel {
            request_id: request.id,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Conflict));
    let error = talk(
        &s,
        Command::TalkAccept {
            request_id: request.id,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Conflict));
    assert!(
        !missed_ids(&staff, company).await.contains(&request.id),
        "a cancelled request is not one to follow up"
    );

    // An accepted request cannot be cancelled.
    let again = talk(
        &b,
        Command::TalkRequest {
            company_id: company,
        },
    )
    .await
    .unwrap();
    assert_ne!(again.id, request.id);
    talk(
        &s,
        Command::TalkAccept {
            request_id: again.id,
        },
    )
    .await
    .unwrap();
    let error = talk(
        &b,
        Command::TalkCancel {
            request_id: again.id,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Conflict));
    app.stop().await;
}

async fn an_accepted_request_clears_the_buyers_missed_ones(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let (app, staff, company) = demo(&env).await;
    let buyer = app.buyer("followed-up@example.ru").await;
    let b = buyer.connect().await.unwrap();
    b.subscribe(&format!("booth:{company}")).await.unwrap();
    // Nobody on duty: missed at once, and kept for follow-up.
    let missed = talk(
        &b,
        Command::TalkRequest {
            company_id: company,
        },
    )
    .await
    .unwrap();
    assert_eq!(missed.state, TalkState::Missed);
    let before = missed_ids(&staff, company).await;
    assert!(before.contains(&missed.id));

    let s = staff.connect().await.unwrap();
    s.request(Command::SetDuty { on_duty: true }).await.unwrap();
    let open = talk(
        &b,
        Command::TalkRequest {
            company_id: company,
        },
    )
    .await
    .unwrap();
    assert_eq!(open.state, TalkState::Open);
    talk(
        &s,
        Command::TalkAccept {
            request_id: open.id,
        },
    )
    .await
    .unwrap();
    let after = missed_ids(&staff, company).await;
    assert!(!after.contains(&missed.id), "followed up: off the list");
    // Other buyers' missed requests (the demo fair has one) stay.
    assert_eq!(after.len(), before.len() - 1);
    app.stop().await;
}

async fn a_repeat_scan_names_the_first(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let (app, staff, company) = demo(&env).await;
    let buyer = app.buyer("scanned-twice@example.ru").await;
    let badge = buyer.my_badge().await.unwrap();
    let admin = app.admin().await;
    let scan = |api: Api, body: ScanInput| async move { api.scan(&body).await.unwrap() };
    // ScanInput is not Clone: each scan builds its own.
    let here = || ScanInput {
        badge_code: badge.code.clone(),
        company_id: None,
    };
    let first = scan(admin.clone(), here()).await;
    assert_eq!(first.first_at_ms, None, "a first scan is plain");
    let second = scan(admin.clone(), here()).await;
    assert_ne!(second.id, first.id, "the repeat is recorded too");
    assert_eq!(second.first_at_ms, Some(first.at_ms));
    // Another place (staff scan at their own booth) is a first scan there; a repeat there
    // from any scanner names it.
    let booth = scan(staff, here()).await;
    assert_eq!(booth.place, "booth");
    assert_eq!(booth.first_at_ms, None);
    let booth_again = scan(
        admin,
        ScanInput {
            company_id: Some(company),
            ..here()
        },
    )
    .await;
    assert_eq!(booth_again.first_at_ms, Some(booth.at_ms));
    app.stop().await;
}

async fn lead_notes_are_the_companys_own(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let (app, staff, company) = demo(&env).await;
    let buyer = app.buyer("lead@example.ru").await;
    let me = buyer.me().await.unwrap();
    let b = buyer.connect().await.unwrap();
    b.subscribe(&format!("booth:{company}")).await.unwrap();
    let lead = staff
        .annotate_lead(
            company,
            me.id,
            &LeadFollowUp {
                notes: "  Wants samples in March  ".into(),
                rating: Some(4),
                tags: strings(["hot", " seafood ", "HOT", ""]),
                followup: "contacted".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(lead.user_id, me.id);
    assert_eq!(lead.follow.notes, "Wants samples in March");
    assert_eq!(lead.follow.rating, Some(4));
    assert_eq!(
        lead.follow.tags,
        vec!["hot".to_string(), "seafood".to_string()]
    );
    assert_eq!(lead.follow.followup, "contacted");

    // The whole record is replaced by the next write.
    staff
        .annotate_lead(
            company,
            me.id,
            &LeadFollowUp {
                notes: "Sent the price list".into(),
                rating: Some(5),
                tags: strings(["hot"]),
                followup: "meeting".into(),
            },
        )
        .await
        .unwrap();
    let report = staff.leads(company).await.unwrap();
    let mine = report.leads.iter().find(|l| l.user_id == me.id).unwrap();
    assert_eq!(mine.follow.notes, "Sent the price list");
    assert_eq!(mine.follow.rating, Some(5));
    assert_eq!(mine.follow.followup, "meeting");
    assert!(
        report
            .leads
            .iter()
            .filter(|l| l.user_id != me.id)
            .all(|l| l.follow.followup == "new" && l.follow.notes.is_empty()),
        "other leads start as new"
    );

    // Organizers see the leads, not the company's notes, and cannot write them.
    let admin = app.admin().await;
    let seen = admin.leads(company).await.unwrap();
    let theirs = seen.leads.iter().find(|l| l.user_id == me.id).unwrap();
    assert_eq!(
        (
            theirs.follow.notes.as_str(),
            theirs.follow.rating,
            theirs.follow.followup.as_str()
        ),
        ("", None, "new")
    );
    assert!(theirs.follow.tags.is_empty());
    let x = LeadFollowUp {
        notes: "x".into(),
        ..LeadFollowUp::default()
    };
    let error = admin.annotate_lead(company, me.id, &x).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    // Another company's staff neither.
    let (other, _) = app
        .api
        .login("staff1@pyeongchang-highland-greens.demo", DEMO_PASSWORD)
        .await
        .unwrap();
    let error = other.annotate_lead(company, me.id, &x).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    let error = other.leads(company).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));

    // Bad input is refused; a buyer who never visited is no lead.
    let new = LeadFollowUp::default();
    for body in [
        LeadFollowUp {
            rating: Some(6),
            ..new.clone()
        },
        LeadFollowUp {
            rating: Some(0),
            ..new.clone()
        },
        LeadFollowUp {
            followup: "maybe".into(),
            ..new.clone()
        },
        LeadFollowUp {
            tags: vec!["x".repeat(41)],
            ..new.clone()
        },
        LeadFollowUp {
            notes: "x".repeat(4001),
            ..new.clone()
        },
    ] {
        let error = staff
            .annotate_lead(company, me.id, &body)
            .await
            .unwrap_err();
        assert_eq!(error.code(), Some(ErrorCode::Validation), "{body:?}");
    }
    let stranger = app.buyer("never-visited@example.ru").await;
    let stranger = stranger.me().await.unwrap();
    let error = staff
        .annotate_lead(
            company,
            stranger.id,
            &LeadFollowUp {
                followup: "contacted".into(),
                ..new
            },
        )
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::NotFound));

    // The CSV carries them for the staff.
    let text = staff.leads_csv(company).await.unwrap();
    let header = text.lines().next().unwrap();
    assert!(
        header.ends_with("followup,rating,tags,notes,quote_requests"),
        "{header}"
    );
    let row = text
        .lines()
        .find(|l| l.contains("lead@example.ru"))
        .unwrap();
    // (No quote requests: the last column is empty.)
    assert!(row.ends_with("meeting,5,hot,Sent the price list,"), "{row}");
    app.stop().await;
}

async fn demo_booths_have_photos_a_brochure_and_a_video(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let (app, staff, company) = demo(&env).await;
    let detail = staff.company(company, None).await.unwrap();
    let products = &detail.products;
    assert!(!products.is_empty());
    for product in products {
        let photo = &product.photos.first().expect("a picture per product").url;
        let bytes = staff.get_bytes(photo).await.unwrap();
        assert!(bytes.starts_with(&[0xff, 0xd8]), "a JPEG");
    }
    let brochure = &detail.brochures.first().expect("a brochure").url;
    assert!(staff
        .get_bytes(brochure)
        .await
        .unwrap()
        .starts_with(b"%PDF"));
    let video = &detail.videos.first().expect("a video").url;
    let bytes = staff.get_bytes(video).await.unwrap();
    assert_eq!(
        &bytes[..4],
        &[0x1a, 0x45, 0xdf, 0xa3],
        "a WebM (Matroska) file"
    );
    app.stop().await;
}
