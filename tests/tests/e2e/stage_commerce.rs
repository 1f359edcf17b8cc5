//! Commerce in the stream (issue 14, item 4): a buyer watching a show asks for a quote or a
//! sample of the pinned product, with consent to share their contact; the host's staff hear
//! it live on another node, find it in their quote requests and their leads; a meeting
//! booked from the show is counted with the requests, per show.

use crate::both_engines;
use crate::helpers::*;
use crate::stage::{now_ms, Studio};
use expo_client::{Hub, Incoming};
use expo_schema::api::*;
use expo_schema::protocol::{RoomEvent, ServerFrame};
use expo_schema::{ErrorCode, MeetingMode, QuoteKind, QuoteRequest};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(60);

fn quote(kind: QuoteKind, show_id: Option<i64>) -> QuoteRequestInput {
    QuoteRequestInput {
        kind,
        quantity: Some("2 pallets".into()),
        message: Some("FOB Busan, please".into()),
        show_id,
        consent: true,
    }
}

/// The next `quote_requested` in `user:{user_id}`.
async fn wait_quote(hub: &mut Hub, user_id: i64) -> QuoteRequest {
    let room = format!("user:{user_id}");
    let got = hub
        .wait_for(WAIT, |incoming| {
            matches!(incoming, Incoming::Frame(ServerFrame::Event { room: r, event: RoomEvent::QuoteRequested { .. } }) if *r == room)
        })
        .await;
    match got {
        Some(Incoming::Frame(ServerFrame::Event {
            event: RoomEvent::QuoteRequested { request },
            ..
        })) => request,
        other => panic!("no quote_requested in {room}: {other:?}"),
    }
}

/// A buyer on node B asks for a quote of the show's pinned product; the host's staff on node
/// A hear it, read it with the buyer's contact and in their leads; without consent it is
/// refused; another company's staff may not read it; the per-show counts add up, a meeting
/// booked from the show included.
async fn quote_requests_from_a_show(engines: Engines) {
    let studio = Studio::open(engines, "6001", "Honey live").await;
    let (node_a, other) = (&studio.node_a, studio.other());
    let (admin, host, staff, rival, rival_staff, show) = (
        &studio.admin,
        &studio.host,
        &studio.staff,
        &studio.rival,
        &studio.rival_staff,
        &studio.show,
    );
    let honey = admin
        .create_product(host.id, &product_input("Pine honey"))
        .await
        .unwrap();
    let birch = admin
        .create_product(rival.id, &product_input("Birch sap"))
        .await
        .unwrap();
    staff
        .pin_show_product(
            show.id,
            &PinInput {
                product_id: Some(honey.id),
            },
        )
        .await
        .unwrap();

    // The host's staff listen on node A, in their own user room.
    let staff_id = node_a.user_id("host@6001.example").await;
    let mut staff_hub = staff.connect().await.unwrap();
    staff_hub
        .subscribe(&format!("user:{staff_id}"))
        .await
        .unwrap();

    // The buyer watches on node B and asks about the pinned product.
    let buyer = other.buyer("buyer@quote.example").await;
    let buyer_id = node_a.user_id("buyer@quote.example").await;
    let card = buyer
        .show(show.id, &LangQuery { lang: None })
        .await
        .unwrap()
        .pinned_product
        .expect("the pinned card");
    let sent = buyer
        .request_quote(card.id, &quote(QuoteKind::Quote, Some(show.id)))
        .await
        .unwrap();
    assert_eq!(
        (sent.company_id, sent.product_id, sent.show_id, sent.kind),
        (host.id, Some(honey.id), Some(show.id), QuoteKind::Quote)
    );
    assert!(sent.consent);
    assert_eq!(sent.quantity.as_deref(), Some("2 pallets"));
    let heard = wait_quote(&mut staff_hub, staff_id).await;
    assert_eq!(heard, sent, "the staff hear the stored request");
    assert_eq!(heard.buyer.id, buyer_id);
    assert_eq!(heard.buyer.email, "buyer@quote.example");

    // A sample request from the booth page (no show).
    let sample = buyer
        .request_quote(
            honey.id,
            &QuoteRequestInput {
                quantity: None,
                message: None,
                ..quote(QuoteKind::Sample, None)
            },
        )
        .await
        .unwrap();
    assert_eq!(sample.show_id, None);
    assert_eq!(wait_quote(&mut staff_hub, staff_id).await.id, sample.id);

    // Refusals: no consent, bad fields, unknown product or show, a product the show does not
    // carry, and anyone but a buyer.
    let no_consent = buyer
        .request_quote(
            honey.id,
            &QuoteRequestInput {
                consent: false,
                ..quote(QuoteKind::Quote, Some(show.id))
            },
        )
        .await
        .unwrap_err();
    assert_eq!(no_consent.code(), Some(ErrorCode::Validation));
    let too_long = buyer
        .request_quote(
            honey.id,
            &QuoteRequestInput {
                quantity: Some("x".repeat(101)),
                ..quote(QuoteKind::Quote, None)
            },
        )
        .await
        .unwrap_err();
    assert_eq!(too_long.code(), Some(ErrorCode::Validation));
    let bad_kind = buyer
        .post::<serde_json::Value>(
            &format!("/api/v1/products/{}/quote-requests", honey.id),
            &serde_json::json!({"kind": "bulk", "consent": true}),
        )
        .await
        .unwrap_err();
    assert_eq!(bad_kind.code(), Some(ErrorCode::Validation));
    let unknown = buyer
        .request_quote(999_999, &quote(QuoteKind::Quote, None))
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Some(ErrorCode::NotFound));
    let unknown_show = buyer
        .request_quote(honey.id, &quote(QuoteKind::Quote, Some(999_999)))
        .await
        .unwrap_err();
    assert_eq!(unknown_show.code(), Some(ErrorCode::NotFound));
    let not_shown = buyer
        .request_quote(birch.id, &quote(QuoteKind::Quote, Some(show.id)))
        .await
        .unwrap_err();
    assert_eq!(not_shown.code(), Some(ErrorCode::Validation));
    let not_buyer = rival_staff
        .request_quote(honey.id, &quote(QuoteKind::Quote, None))
        .await
        .unwrap_err();
    assert_eq!(not_buyer.code(), Some(ErrorCode::Forbidden));

    // The company's staff and organizers read them, newest first, with the buyer's contact;
    // another company's staff may not.
    for reader in [&staff, &admin] {
        let list = reader.company_quote_requests(host.id).await.unwrap();
        assert_eq!(
            list.requests.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![sample.id, sent.id]
        );
        assert_eq!(list.requests[1], sent);
    }
    let refused = rival_staff
        .company_quote_requests(host.id)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Forbidden));
    assert!(rival_staff
        .company_quote_requests(rival.id)
        .await
        .unwrap()
        .requests
        .is_empty());

    // A meeting booked from the show.
    let slots = admin
        .create_grid(&grid_input(
            &(chrono::Utc::now() + chrono::Duration::days(2))
                .format("%Y-%m-%d")
                .to_string(),
            "Asia/Seoul",
            "09:00",
            "10:00",
            30,
        ))
        .await
        .unwrap();
    let slot_ids: Vec<i64> = slots.slots.iter().map(|s| s.id).collect();
    staff
        .set_availability(
            host.id,
            &AvailabilityInput {
                slot_ids: slot_ids.clone(),
                seats: 1,
            },
        )
        .await
        .unwrap();
    let missing_show = buyer
        .request_meeting(&MeetingRequest {
            show_id: Some(999_999),
            ..meeting_request(host.id, slot_ids[0], MeetingMode::Online)
        })
        .await
        .unwrap_err();
    assert_eq!(missing_show.code(), Some(ErrorCode::NotFound));
    buyer
        .request_meeting(&MeetingRequest {
            show_id: Some(show.id),
            product_ids: vec![honey.id],
            ..meeting_request(host.id, slot_ids[0], MeetingMode::Online)
        })
        .await
        .unwrap();

    // The show's counts: organizers and the host's staff; not a rival, not a buyer.
    let expected = ShowCommerce {
        show_id: show.id,
        quote_requests: 1,
        sample_requests: 0,
        meetings_booked: 1,
    };
    assert_eq!(staff.show_commerce(show.id).await.unwrap(), expected);
    assert_eq!(admin.show_commerce(show.id).await.unwrap(), expected);
    for who in [rival_staff, &buyer] {
        let refused = who.show_commerce(show.id).await.unwrap_err();
        assert_eq!(refused.code(), Some(ErrorCode::Forbidden));
    }
    assert_eq!(
        admin.show_commerce(999_999).await.unwrap_err().code(),
        Some(ErrorCode::NotFound)
    );

    // The leads: the buyer, with both requests (they never visited the booth), and the
    // show's counts for the company.
    let report = staff.leads(host.id).await.unwrap();
    let lead = report
        .leads
        .iter()
        .find(|l| l.user_id == buyer_id)
        .expect("the requester is a lead");
    assert_eq!(lead.email, "buyer@quote.example");
    assert_eq!(lead.visits, 0);
    assert_eq!(
        lead.quote_requests
            .iter()
            .map(|r| (r.id, r.kind))
            .collect::<Vec<_>>(),
        vec![(sent.id, QuoteKind::Quote), (sample.id, QuoteKind::Sample)]
    );
    assert_eq!(report.shows, vec![expected.clone()]);
    let csv = staff.leads_csv(host.id).await.unwrap();
    assert!(
        csv.contains("quote: Pine honey (2 pallets); sample: Pine honey"),
        "{csv}"
    );
    let rival_report = rival_staff.leads(rival.id).await.unwrap();
    assert!(rival_report.leads.is_empty() && rival_report.shows.is_empty());

    // The reports: per show, fair-wide for organizers and the company's own in its figures
    // (a company the show brought nothing lists no show).
    let range = RangeQuery {
        from: Some("0".into()),
        to: Some((now_ms() + 86_400_000).to_string()),
        ..Default::default()
    };
    let show_row = |report: &Report| -> Vec<serde_json::Value> {
        let section = report
            .sections
            .iter()
            .find(|s| s.name == "shows")
            .expect("a shows section");
        assert_eq!(
            section.columns,
            [
                "show_id",
                "show",
                "host",
                "quote_requests",
                "sample_requests",
                "meetings_booked"
            ]
        );
        section
            .rows
            .iter()
            .filter(|r| r[0] == serde_json::json!(show.id))
            .flat_map(|r| r.clone())
            .collect()
    };
    let expected_row = serde_json::json!([show.id, "Honey live", host.name, 1, 0, 1]);
    let fair = admin.report(&range).await.unwrap();
    assert_eq!(serde_json::json!(show_row(&fair)), expected_row);
    let own = staff.company_stats(host.id, &range).await.unwrap();
    assert_eq!(serde_json::json!(show_row(&own)), expected_row);
    let theirs = rival_staff.company_stats(rival.id, &range).await.unwrap();
    assert!(show_row(&theirs).is_empty());

    staff_hub.close();
    studio.stop().await;
}

both_engines!(quote_requests_from_a_show);
