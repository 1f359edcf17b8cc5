//! Live chat: order, acknowledgement after storage, idempotent resends, reconnect catch-up
//! with no gap and no duplicate, unread counts and read markers, moderation, talk-to-staff.

use crate::both_engines;
use crate::helpers::*;
use expo_client::{Api, Hub, Incoming};
use expo_schema::api::{BlockInput, MemberInput, SanctionInput};
use expo_schema::protocol::{Command, ReplyData, RoomEvent, ServerFrame};
use expo_schema::{ChatMessage, ChatRoomInfo, ErrorCode, PhraseRef, TalkRequest, TalkState};
use std::collections::BTreeMap;
use std::time::Duration;

both_engines!(
    order_ack_and_idempotent_resend,
    a_burst_of_senders_is_delivered_in_sequence_order,
    reconnect_catches_up_without_gaps_or_duplicates,
    unread_counts_and_read_markers_across_devices,
    deletion_mutes_and_bans,
    talk_to_staff_has_one_winner_and_misses_are_kept,
    forbidden_and_bad_chat_input_stores_nothing,
    typing_staff_online_and_interpreters,
    a_phrase_from_a_russian_buyer_reaches_korean_staff_as_a_phrase,
);

async fn open(hub: &Hub, target: &str) -> ChatRoomInfo {
    match hub
        .request(Command::ChatOpen {
            target: target.into(),
        })
        .await
        .unwrap()
    {
        ReplyData::ChatRoom { room } => room,
        other => panic!("unexpected {other:?}"),
    }
}

/// Asks to join a chat room from `after` on: the answer as it comes, a refusal too.
async fn try_join(hub: &Hub, room: i64, after: i64) -> Result<ReplyData, expo_client::ClientError> {
    hub.request(Command::ChatJoin {
        room_id: room,
        after_seq: after,
    })
    .await
}

async fn join(hub: &Hub, room: i64, after: i64) -> (ChatRoomInfo, Vec<ChatMessage>) {
    match try_join(hub, room, after).await.unwrap() {
        ReplyData::ChatJoined { room, messages, .. } => (room, messages),
        other => panic!("unexpected {other:?}"),
    }
}

async fn send(
    hub: &Hub,
    room: i64,
    body: &str,
    key: &str,
) -> Result<ChatMessage, expo_client::ClientError> {
    send_with(hub, room, body, None, key).await
}

/// Sends a message, with a phrase or without; no attachment.
async fn send_with(
    hub: &Hub,
    room: i64,
    body: &str,
    phrase: Option<PhraseRef>,
    key: &str,
) -> Result<ChatMessage, expo_client::ClientError> {
    match hub
        .request(Command::ChatSend {
            room_id: room,
            body: body.into(),
            key: key.into(),
            attachment_id: None,
            phrase,
        })
        .await?
    {
        ReplyData::ChatSent { message, .. } => Ok(message),
        other => panic!("unexpected {other:?}"),
    }
}

/// Moves the hub's read marker in a room to `seq`: the server's answer.
async fn read(hub: &Hub, room: i64, seq: i64) -> ReplyData {
    hub.request(Command::ChatRead { room_id: room, seq })
        .await
        .unwrap()
}

/// Asks for staff at a company's booth: the request as recorded.
async fn talk_request(hub: &Hub, company: i64) -> TalkRequest {
    match hub
        .request(Command::TalkRequest {
            company_id: company,
        })
        .await
        .unwrap()
    {
        ReplyData::Talk { request, .. } => request,
        other => panic!("unexpected {other:?}"),
    }
}

/// The room's entry in `who`'s inbox (the chat rooms list).
async fn inbox_entry(who: &Api, room: i64) -> ChatRoomInfo {
    let inbox = who.chat_rooms().await.unwrap();
    inbox.rooms.into_iter().find(|r| r.id == room).unwrap()
}

async fn history(hub: &Hub, room: i64) -> Vec<ChatMessage> {
    match hub
        .request(Command::ChatHistory {
            room_id: room,
            before_seq: None,
            limit: Some(200),
        })
        .await
        .unwrap()
    {
        ReplyData::ChatHistory { messages, .. } => messages,
        other => panic!("unexpected {other:?}"),
    }
}

/// Collects live chat messages of a room until `want` distinct sequences have arrived;
/// returns them by sequence and how many duplicates were seen.
async fn collect(hub: &mut Hub, room: i64, want: usize) -> (BTreeMap<i64, ChatMessage>, usize) {
    let mut seen = BTreeMap::new();
    let mut duplicates = 0;
    while seen.len() < want {
        match hub.next(Duration::from_secs(10)).await {
            Some(Incoming::Frame(ServerFrame::Event {
                event: RoomEvent::ChatMessage { message },
                ..
            })) if message.room_id == room => {
                if seen.insert(message.seq, message).is_some() {
                    duplicates += 1;
                }
            }
            Some(Incoming::Frame(_)) => {}
            other => panic!("stream ended after {} messages: {other:?}", seen.len()),
        }
    }
    (seen, duplicates)
}

async fn demo(
    env: &TestEnv,
    tweak: impl FnOnce(&mut expo_server::Config),
) -> (TestApp, Api, Api, i64) {
    let app = env
        .start_with(|c| {
            c.demo = true;
            tweak(c);
        })
        .await;
    let buyer = app.demo_user("buyer@demo.expo").await;
    let (staff, _, company) = app.demo_exhibitor().await;
    (app, buyer, staff, company)
}

/// Sends ten messages, `"{label} {i}"` with keys `"{key}-{i}"`, 150 ms apart: as stored.
async fn send_ten_slowly(hub: &Hub, room: i64, label: &str, key: &str) -> Vec<ChatMessage> {
    let mut out = vec![];
    for i in 0..10 {
        out.push(
            send(hub, room, &format!("{label} {i}"), &format!("{key}-{i}"))
                .await
                .unwrap(),
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    out
}

async fn order_ack_and_idempotent_resend(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let (app, buyer, staff, company) = demo(&env, |_| {}).await;
    let b = buyer.connect().await.unwrap();
    let s = staff.connect().await.unwrap();
    let room = open(&b, &format!("booth:{company}")).await;
    assert_eq!(open(&s, &format!("booth:{company}")).await.id, room.id);
    join(&b, room.id, 0).await;
    join(&s, room.id, 0).await;
    let mut watcher = buyer.connect().await.unwrap();
    join(&watcher, room.id, 0).await;

    // Two senders at once: every message gets its own place, 1..=20, no gaps.
    let (from_buyer, from_staff) = tokio::join!(
        send_ten_slowly(&b, room.id, "buyer", "b"),
        send_ten_slowly(&s, room.id, "staff", "s")
    );
    let mut seqs: Vec<i64> = from_buyer
        .iter()
        .chain(&from_staff)
        .map(|m| m.seq)
        .collect();
    seqs.sort();
    assert_eq!(seqs, (1..=20).collect::<Vec<_>>());
    // Each sender's own messages keep their order.
    assert!(from_buyer.windows(2).all(|w| w[0].seq < w[1].seq));
    // The acknowledgement came after storage: history has every acknowledged message.
    let stored = history(&s, room.id).await;
    assert_eq!(stored.len(), 20);
    for m in from_buyer.iter().chain(&from_staff) {
        assert_eq!(stored[(m.seq - 1) as usize], *m);
    }
    // A third party received exactly the 20, each once.
    let (live, duplicates) = collect(&mut watcher, room.id, 20).await;
    assert_eq!(duplicates, 0);
    assert_eq!(
        live.keys().copied().collect::<Vec<_>>(),
        (1..=20).collect::<Vec<_>>()
    );

    // A resend with the same key returns the original and stores nothing.
    let again = send(&b, room.id, "buyer 3 (resent)", "b-3").await.unwrap();
    assert_eq!(again, from_buyer[3]);
    assert_eq!(history(&s, room.id).await.len(), 20);
    assert!(
        watcher.next(Duration::from_millis(500)).await.is_none(),
        "a resend publishes nothing"
    );
    app.stop().await;
}

/// Sixteen connections send back to back into one room, so the writer stores them in shared
/// batches: every acknowledged message is stored once, at its own place, and a member of the
/// room receives all of them in sequence order (the writer publishes a batch in order; were
/// each sender to publish its own, they would race and members would see gaps).
async fn a_burst_of_senders_is_delivered_in_sequence_order(engines: Engines) {
    const SENDERS: usize = 16;
    const EACH: usize = 20;
    let env = TestEnv::new(engines).await;
    let (app, buyer, staff, company) = demo(&env, |c| {
        c.chat_rate_per_sec = 100_000;
        c.user_rate_per_sec = 100_000;
        c.user_rate_burst = 100_000;
    })
    .await;
    let opener = buyer.connect().await.unwrap();
    let room = open(&opener, &format!("booth:{company}")).await;
    let mut watcher = staff.connect().await.unwrap();
    join(&watcher, room.id, 0).await;
    let mut senders = Vec::new();
    for i in 0..SENDERS {
        let api = if i % 2 == 0 { &buyer } else { &staff };
        let hub = api.connect().await.unwrap();
        join(&hub, room.id, 0).await;
        senders.push(hub);
    }
    let acked: Vec<Vec<ChatMessage>> =
        futures_util::future::join_all(senders.iter().enumerate().map(|(i, hub)| async move {
            let mut out = Vec::new();
            for n in 0..EACH {
                out.push(
                    send(hub, room.id, &format!("{i}.{n}"), &format!("burst-{i}-{n}"))
                        .await
                        .unwrap(),
                );
            }
            out
        }))
        .await;
    let total = SENDERS * EACH;
    let mut seqs: Vec<i64> = acked.iter().flatten().map(|m| m.seq).collect();
    seqs.sort();
    assert_eq!(
        seqs,
        (1..=total as i64).collect::<Vec<_>>(),
        "every acknowledged message has its own place, with no gap"
    );
    for own in &acked {
        assert!(
            own.windows(2).all(|w| w[0].seq < w[1].seq),
            "a sender's messages keep their order"
        );
    }
    // Arrival order at a member: 1, 2, 3 ... exactly.
    let mut arrived = Vec::new();
    while arrived.len() < total {
        match watcher.next(Duration::from_secs(10)).await {
            Some(Incoming::Frame(ServerFrame::Event {
                event: RoomEvent::ChatMessage { message },
                ..
            })) => arrived.push(message.seq),
            Some(Incoming::Frame(_)) => {}
            other => panic!("stream ended after {} messages: {other:?}", arrived.len()),
        }
    }
    assert_eq!(
        arrived,
        (1..=total as i64).collect::<Vec<_>>(),
        "delivered once each, in sequence order"
    );
    // Stored exactly as acknowledged.
    let mut stored = Vec::new();
    let mut before = None;
    loop {
        let page = match opener
            .request(Command::ChatHistory {
                room_id: room.id,
                before_seq: before,
                limit: Some(200),
            })
            .await
            .unwrap()
        {
            ReplyData::ChatHistory { messages, .. } => messages,
            other => panic!("unexpected {other:?}"),
        };
        let Some(first) = page.first() else { break };
        before = Some(first.seq);
        stored.splice(0..0, page);
    }
    assert_eq!(stored.len(), total);
    for message in acked.iter().flatten() {
        assert_eq!(stored[(message.seq - 1) as usize], *message);
    }
    app.stop().await;
}

async fn reconnect_catches_up_without_gaps_or_duplicates(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let (app, buyer, staff, company) = demo(&env, |_| {}).await;
    // In the services variant the reader and the writer are on different nodes.
    let other = if engines == Engines::Services {
        Some(env.start().await)
    } else {
        None
    };
    let staff = match &other {
        Some(node) => node.api.with_token(staff.token().unwrap()),
        None => staff,
    };
    let s = staff.connect().await.unwrap();
    let room = open(
        &s,
        &format!("private:{company}:{}", {
            let me = buyer.me().await.unwrap();
            me.id
        }),
    )
    .await;
    join(&s, room.id, 0).await;
    for i in 1..=5 {
        send(&s, room.id, &format!("before {i}"), &format!("k{i}"))
            .await
            .unwrap();
    }
    let b = buyer.connect().await.unwrap();
    let (_, first) = join(&b, room.id, 0).await;
    assert_eq!(
        first.iter().map(|m| m.seq).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    let last_seen = 5;
    b.close();
    drop(b);
    // While the buyer is away...
    for i in 6..=10 {
        send(&s, room.id, &format!("away {i}"), &format!("k{i}"))
            .await
            .unwrap();
    }
    // ...and while they reconnect, messages keep coming.
    let sender = {
        let s = s;
        tokio::spawn(async move {
            for i in 11..=30 {
                // Within the per-user send rate (5 a second).
                tokio::time::sleep(Duration::from_millis(210)).await;
                send(&s, room.id, &format!("during {i}"), &format!("k{i}"))
                    .await
                    .unwrap();
            }
            s
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut b = buyer.connect().await.unwrap();
    let (_, missed) = join(&b, room.id, last_seen).await;
    // The reply holds exactly what came after 5, in order, from 6 on.
    assert!(missed.len() >= 5);
    for (i, m) in missed.iter().enumerate() {
        assert_eq!(m.seq, last_seen + 1 + i as i64);
    }
    let mut delivered: Vec<i64> = missed.iter().map(|m| m.seq).collect();
    let mut last = *delivered.last().unwrap();
    // Then the live ones: apply only the next sequence, drop what we have.
    while last < 30 {
        match b.next(Duration::from_secs(10)).await {
            Some(Incoming::Frame(ServerFrame::Event {
                event: RoomEvent::ChatMessage { message },
                ..
            })) => {
                if message.seq <= last {
                    continue; // Already in the reply: the seam's overlap.
                }
                assert_eq!(message.seq, last + 1, "no gap");
                last = message.seq;
                delivered.push(message.seq);
            }
            Some(Incoming::Frame(_)) => {}
            other => panic!("stream ended at {last}: {other:?}"),
        }
    }
    assert_eq!(delivered, (6..=30).collect::<Vec<_>>());
    sender.await.unwrap();
    if let Some(node) = other {
        node.stop().await;
    }
    app.stop().await;
}

async fn unread_counts_and_read_markers_across_devices(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let (app, buyer, staff, company) = demo(&env, |_| {}).await;
    let me = buyer.me().await.unwrap();
    let phone = buyer.connect().await.unwrap();
    let mut laptop = buyer.connect().await.unwrap();
    laptop.subscribe(&format!("user:{}", me.id)).await.unwrap();
    let s = staff.connect().await.unwrap();
    let room = open(&s, &format!("private:{company}:{}", me.id)).await;
    join(&s, room.id, 0).await;
    let mut last = 0;
    for i in 0..3 {
        last = send(&s, room.id, &format!("hello {i}"), &format!("u{i}"))
            .await
            .unwrap()
            .seq;
    }
    let badge = laptop
        .wait_for(Duration::from_secs(5), |i| {
            matches!(i, Incoming::Frame(ServerFrame::Event { event: RoomEvent::ChatUnread { room_id, last_seq, .. }, .. }) if *room_id == room.id && *last_seq == last)
        })
        .await;
    assert!(badge.is_some(), "the inbox hears about new messages");
    let entry = inbox_entry(&buyer, room.id).await;
    assert_eq!(entry.unread, 3);
    assert_eq!(entry.title, "Seorak Natural Foods");
    // Staff see their own messages as read.
    let staff_entry = inbox_entry(&staff, room.id).await;
    assert_eq!(staff_entry.unread, 0);

    // Reading on the phone clears the laptop's badge.
    join(&phone, room.id, 0).await;
    let reply = read(&phone, room.id, 2).await;
    assert_eq!(
        reply,
        ReplyData::ChatRead {
            room_id: room.id,
            seq: 2
        }
    );
    let marker = laptop
        .wait_for(Duration::from_secs(5), |i| {
            matches!(i, Incoming::Frame(ServerFrame::Event { event: RoomEvent::ChatReadMarker { room_id, seq }, .. }) if *room_id == room.id && *seq == 2)
        })
        .await;
    assert!(marker.is_some(), "the other device hears the read marker");
    // Markers never move back, and never past the newest message.
    let reply = read(&phone, room.id, 1).await;
    assert_eq!(
        reply,
        ReplyData::ChatRead {
            room_id: room.id,
            seq: 2
        }
    );
    let reply = read(&phone, room.id, 99).await;
    assert_eq!(
        reply,
        ReplyData::ChatRead {
            room_id: room.id,
            seq: 3
        }
    );
    let entry = inbox_entry(&buyer, room.id).await;
    assert_eq!(entry.unread, 0);
    app.stop().await;
}

async fn deletion_mutes_and_bans(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let (app, buyer, staff, company) = demo(&env, |_| {}).await;
    let me = buyer.me().await.unwrap();
    let b = buyer.connect().await.unwrap();
    let s = staff.connect().await.unwrap();
    let mut watcher = app.admin().await.connect().await.unwrap();
    let room = open(&b, &format!("booth:{company}")).await;
    for hub in [&b, &s, &watcher] {
        join(hub, room.id, 0).await;
    }
    let rude = send(&b, room.id, "something rude", "r1").await.unwrap();
    let polite = send(&s, room.id, "welcome!", "p1").await.unwrap();
    // A buyer may not delete someone else's message.
    let error = b
        .request(Command::ChatDelete {
            message_id: polite.id,
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    // The booth's staff may delete in their room; everyone hears it; the text is gone.
    s.request(Command::ChatDelete {
        message_id: rude.id,
    })
    .await
    .unwrap();
    let deleted = watcher
        .wait_for(Duration::from_secs(5), |i| {
            matches!(i, Incoming::Frame(ServerFrame::Event { event: RoomEvent::ChatDeleted { message_id, .. }, .. }) if *message_id == rude.id)
        })
        .await;
    assert!(deleted.is_some());
    let stored = history(&s, room.id).await;
    assert_eq!(stored[0].body, None);
    assert!(stored[0].deleted);
    assert_eq!(stored[1].body.as_deref(), Some("welcome!"));

    // An organizer mutes the buyer in this room: posting fails and stores nothing.
    let admin = app.admin().await;
    let mute = admin
        .sanction(&SanctionInput {
            user_id: me.id,
            room_id: Some(room.id),
            kind: "mute".into(),
            minutes: None,
        })
        .await
        .unwrap();
    let error = send(&b, room.id, "let me speak", "r2").await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    assert_eq!(history(&s, room.id).await.len(), 2);
    admin.lift_sanction(mute.id).await.unwrap();
    send(&b, room.id, "thank you", "r3").await.unwrap();
    // A fair-wide ban keeps them out of every room.
    let ban = SanctionInput {
        user_id: me.id,
        room_id: None,
        kind: "ban".into(),
        minutes: None,
    };
    admin.sanction(&ban).await.unwrap();
    // The ban also ends the live subscription the buyer already had.
    let mut still = 0;
    let after_ban = send(&s, room.id, "after the ban", "p2").await.unwrap();
    let mut b_events = b;
    while let Some(item) = b_events.next(Duration::from_millis(500)).await {
        if matches!(&item, Incoming::Frame(ServerFrame::Event { event: RoomEvent::ChatMessage { message }, .. }) if message.id == after_ban.id)
        {
            still += 1;
        }
    }
    assert_eq!(still, 0, "a banned user no longer receives the room");
    let b = b_events;
    let error = try_join(&b, room.id, 0).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    let error = send(&b, room.id, "hello?", "r4").await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    // Staff cannot mute; only organizers.
    let error = staff.sanction(&ban).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    app.stop().await;
}

async fn talk_to_staff_has_one_winner_and_misses_are_kept(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let (app, buyer, staff, company) = demo(&env, |c| c.talk_timeout_secs = 2).await;
    // A second staff member of the same company.
    let second = app.demo_user("staff2@seorak-natural-foods.demo").await;
    let mut s1 = staff.connect().await.unwrap();
    let mut s2 = second.connect().await.unwrap();
    for s in [&s1, &s2] {
        s.request(Command::SetDuty { on_duty: true }).await.unwrap();
    }
    let me = buyer.me().await.unwrap();
    let mut b = buyer.connect().await.unwrap();
    b.subscribe(&format!("user:{}", me.id)).await.unwrap();
    // Only from inside the booth.
    let error = b
        .request(Command::TalkRequest {
            company_id: company,
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::NotSubscribed));
    b.subscribe(&format!("booth:{company}")).await.unwrap();
    let request = talk_request(&b, company).await;
    assert_eq!(request.state, TalkState::Open);
    for s in [&mut s1, &mut s2] {
        let told = s
            .wait_for(Duration::from_secs(5), |i| {
                matches!(i, Incoming::Frame(ServerFrame::Event { event: RoomEvent::TalkRequested { request: r }, .. }) if r.id == request.id)
            })
            .await;
        assert!(told.is_some(), "every on-duty staff member is told");
    }
    // Both accept at once: exactly one wins.
    let (a1, a2) = tokio::join!(
        s1.request(Command::TalkAccept {
            request_id: request.id
        }),
        s2.request(Command::TalkAccept {
            request_id: request.id
        })
    );
    let (winner, loser) = match (a1, a2) {
        (Ok(w), Err(l)) | (Err(l), Ok(w)) => (w, l),
        other => panic!("exactly one must win: {other:?}"),
    };
    assert_eq!(loser.code(), Some(ErrorCode::Conflict));
    let room = match winner {
        ReplyData::Talk {
            request,
            room: Some(room),
        } => {
            assert_eq!(request.state, TalkState::Accepted);
            room
        }
        other => panic!("unexpected {other:?}"),
    };
    let taken = b
        .wait_for(Duration::from_secs(5), |i| {
            matches!(i, Incoming::Frame(ServerFrame::Event { event: RoomEvent::TalkTaken { request: r }, .. }) if r.id == request.id && r.room_id == Some(room.id))
        })
        .await;
    assert!(
        taken.is_some(),
        "the buyer learns who took it and where to talk"
    );
    let (joined, _) = join(&b, room.id, 0).await;
    assert_eq!(joined.staff_online, Some(true));

    // A request nobody takes is missed, and kept for follow-up.
    let other_buyer = app.demo_user("olga.smirnova@demo.expo").await;
    let mut ob = other_buyer.connect().await.unwrap();
    ob.subscribe(&format!("booth:{company}")).await.unwrap();
    let missed = talk_request(&ob, company).await;
    let told = s1
        .wait_for(Duration::from_secs(10), |i| {
            matches!(i, Incoming::Frame(ServerFrame::Event { event: RoomEvent::TalkMissed { request: r }, .. }) if r.id == missed.id)
        })
        .await;
    assert!(told.is_some(), "staff hear it was missed");
    let error = s2
        .request(Command::TalkAccept {
            request_id: missed.id,
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Conflict));
    let list: serde_json::Value = staff
        .get(&format!(
            "/api/v1/companies/{company}/talk-requests?state=missed"
        ))
        .await
        .unwrap();
    let requests = list["requests"].as_array().unwrap();
    // Newest first; the demo fair's own missed request comes after ours.
    assert_eq!(requests[0]["id"].as_i64(), Some(missed.id));
    assert_eq!(
        requests[0]["buyer"]["email"],
        serde_json::Value::Null,
        "no contact leaks here"
    );
    assert!(requests.iter().all(|r| r["state"] == "missed"));
    assert!(
        !requests
            .iter()
            .any(|r| r["id"].as_i64() == Some(request.id)),
        "accepted is not missed"
    );
    let _ = &mut ob;
    app.stop().await;
}

async fn forbidden_and_bad_chat_input_stores_nothing(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let (app, buyer, staff, company) = demo(&env, |_| {}).await;
    let me = buyer.me().await.unwrap();
    let b = buyer.connect().await.unwrap();
    let private = open(&b, &format!("private:{company}")).await;
    join(&b, private.id, 0).await;
    send(&b, private.id, "hello", "x1").await.unwrap();
    // Another buyer can neither open nor read this conversation.
    let intruder = app.demo_user("wang.wei@demo.expo").await;
    let i = intruder.connect().await.unwrap();
    let error = try_join(&i, private.id, 0).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    let error = i
        .request(Command::ChatOpen {
            target: format!("private:{company}:{}", me.id),
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    let error = i
        .request(Command::ChatHistory {
            room_id: private.id,
            before_seq: None,
            limit: None,
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    // Only organizers announce in the fair room.
    let fair = open(&b, "fair").await;
    join(&b, fair.id, 0).await;
    assert_eq!(
        send(&b, fair.id, "hi all", "x2").await.unwrap_err().code(),
        Some(ErrorCode::Forbidden)
    );
    // Sending without joining, too long, empty, or too fast.
    let booth = open(&b, &format!("booth:{company}")).await;
    assert_eq!(
        send(&b, booth.id, "hi", "x3").await.unwrap_err().code(),
        Some(ErrorCode::NotSubscribed)
    );
    join(&b, booth.id, 0).await;
    let long = "가".repeat(2001);
    assert_eq!(
        send(&b, booth.id, &long, "x4").await.unwrap_err().code(),
        Some(ErrorCode::Validation)
    );
    assert_eq!(
        send(&b, booth.id, "   ", "x5").await.unwrap_err().code(),
        Some(ErrorCode::Validation)
    );
    let mut limited = 0;
    for n in 0..25 {
        match send(&b, booth.id, &format!("flood {n}"), &format!("f{n}")).await {
            Ok(_) => {}
            Err(e) => {
                assert_eq!(e.code(), Some(ErrorCode::RateLimited));
                limited += 1;
            }
        }
    }
    assert!(limited > 0, "the flood was limited");
    let stored = history(&b, booth.id).await;
    assert_eq!(stored.len(), 25 - limited);
    assert!(stored
        .iter()
        .all(|m| m.body.as_deref().unwrap().starts_with("flood")));
    // Asking for staff when nobody is on duty is recorded as missed at once.
    b.subscribe(&format!("booth:{company}")).await.unwrap();
    let request = talk_request(&b, company).await;
    assert_eq!(request.state, TalkState::Missed);
    // Blocking: the buyer blocks the staff member, who then cannot write to them.
    let staff_me = staff.me().await.unwrap();
    buyer
        .block(&BlockInput {
            user_id: staff_me.id,
        })
        .await
        .unwrap();
    let blocked = buyer.blocks().await.unwrap();
    assert_eq!(blocked.users[0].id, staff_me.id);
    let s = staff.connect().await.unwrap();
    join(&s, private.id, 0).await;
    assert_eq!(
        send(&s, private.id, "please reply", "y1")
            .await
            .unwrap_err()
            .code(),
        Some(ErrorCode::Forbidden)
    );
    assert_eq!(history(&s, private.id).await.len(), 1);
    app.stop().await;
}

async fn typing_staff_online_and_interpreters(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let (app, buyer, staff, company) = demo(&env, |_| {}).await;
    let b = buyer.connect().await.unwrap();
    let room = open(&b, &format!("private:{company}")).await;
    assert_eq!(room.staff_online, Some(false));
    join(&b, room.id, 0).await;
    // Nobody on duty: the buyer is told the message waits.
    match b
        .request(Command::ChatSend {
            room_id: room.id,
            body: "anyone there?".into(),
            key: "t1".into(),
            attachment_id: None,
            phrase: None,
        })
        .await
        .unwrap()
    {
        ReplyData::ChatSent { staff_online, .. } => assert_eq!(staff_online, Some(false)),
        other => panic!("unexpected {other:?}"),
    }
    let mut s = staff.connect().await.unwrap();
    s.request(Command::SetDuty { on_duty: true }).await.unwrap();
    let (joined, waiting) = join(&s, room.id, 0).await;
    assert_eq!(waiting.len(), 1, "the message waited for staff");
    assert_eq!(joined.unread, 1);
    eventually(Duration::from_secs(5), "staff show as online", || async {
        match b
            .request(Command::ChatOpen {
                target: format!("private:{company}"),
            })
            .await
        {
            Ok(ReplyData::ChatRoom { room }) => room.staff_online == Some(true),
            _ => false,
        }
    })
    .await;
    // Typing reaches the other side, throttled: three notices in a row pass on once.
    for _ in 0..3 {
        assert_eq!(
            b.request(Command::ChatTyping { room_id: room.id })
                .await
                .unwrap(),
            ReplyData::Recorded
        );
    }
    let mut typing = 0;
    while let Some(item) = s.next(Duration::from_millis(700)).await {
        if matches!(
            item,
            Incoming::Frame(ServerFrame::Event {
                event: RoomEvent::Typing { .. },
                ..
            })
        ) {
            typing += 1;
        }
    }
    assert_eq!(typing, 1);
    // The company adds an interpreter, who can then read and write the conversation.
    let (interpreter, me) = app
        .api
        .login("interpreter@demo.expo", DEMO_PASSWORD)
        .await
        .unwrap();
    let i = interpreter.connect().await.unwrap();
    let error = try_join(&i, room.id, 0).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    let member = MemberInput {
        user_id: me.user.id,
    };
    staff.add_member(room.id, &member).await.unwrap();
    let (_, seen) = join(&i, room.id, 0).await;
    assert_eq!(seen.len(), 1);
    send(&i, room.id, "Здравствуйте, я переводчик", "i1")
        .await
        .unwrap();
    // Files are shared as attachments, checked like booth uploads.
    let pdf = crate::booths::pdf_bytes(200);
    let shared = buyer
        .upload_attachment(room.id, "spec.pdf", pdf.clone())
        .await
        .unwrap();
    let error = buyer
        .upload_attachment(room.id, "../x.pdf", pdf.clone())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Validation));
    let error = buyer
        .upload_attachment(room.id, "x.exe", b"MZ\x90\x00 not a pdf".to_vec())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Validation));
    let sent = match b
        .request(Command::ChatSend {
            room_id: room.id,
            body: String::new(),
            key: "file-1".into(),
            attachment_id: Some(shared.id),
            phrase: None,
        })
        .await
        .unwrap()
    {
        ReplyData::ChatSent { message, .. } => message,
        other => panic!("unexpected {other:?}"),
    };
    assert_eq!(sent.attachment.as_ref().map(|a| a.id), Some(shared.id));
    assert_eq!(staff.get_bytes(&shared.url).await.unwrap(), pdf);
    // Someone else's file cannot be attached; a stranger cannot download.
    let error = s
        .request(Command::ChatSend {
            room_id: room.id,
            body: "mine now".into(),
            key: "file-2".into(),
            attachment_id: Some(shared.id),
            phrase: None,
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Validation));
    let stranger = app.demo_user("wang.wei@demo.expo").await;
    assert_eq!(
        stranger.get_bytes(&shared.url).await.unwrap_err().code(),
        Some(ErrorCode::Forbidden)
    );
    // Deleting the message takes the file with it.
    b.request(Command::ChatDelete {
        message_id: sent.id,
    })
    .await
    .unwrap();
    assert_eq!(
        staff.get_bytes(&shared.url).await.unwrap_err().code(),
        Some(ErrorCode::NotFound)
    );
    // Buyers cannot add members.
    let error = buyer.add_member(room.id, &member).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    app.stop().await;
}

async fn send_phrase(
    hub: &Hub,
    room: i64,
    body: &str,
    phrase: PhraseRef,
    key: &str,
) -> Result<ChatMessage, expo_client::ClientError> {
    send_with(hub, room, body, Some(phrase), key).await
}

fn phrase(id: &str, params: &[(&str, &str)]) -> PhraseRef {
    PhraseRef {
        id: id.into(),
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

/// The phrasebook: a Russian buyer (Ivan Petrov) asks a Korean booth's staff member (Park
/// Ji-hoon) for samples with a ready phrase. The staff member receives it live as that phrase
/// (id and parameters, with the buyer's Russian as its body), the phrasebook the server
/// serves has it in Korean for him and in Russian for the buyer, and history keeps it. An
/// unknown phrase is refused with `unknown_phrase` and the connection carries on; wrong
/// parameters and a body that is not the phrase are refused and store nothing.
async fn a_phrase_from_a_russian_buyer_reaches_korean_staff_as_a_phrase(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let (app, buyer, staff, company) = demo(&env, |_| {}).await;
    let book = staff.phrases().await.unwrap();
    assert_eq!(&book, expo_schema::phrases::builtin());
    let ask = phrase("ask_samples", &[]);
    let ru = book.render(&ask, "ru").unwrap();
    let ko = book.render(&ask, "ko").unwrap();
    assert_eq!(ru, "Можете ли вы отправить нам образцы?");
    assert_eq!(ko, "샘플을 보내 주실 수 있습니까?");

    let b = buyer.connect().await.unwrap();
    let mut s = staff.connect().await.unwrap();
    let room = open(&b, &format!("private:{company}")).await;
    join(&b, room.id, 0).await;
    join(&s, room.id, 0).await;

    let sent = send_phrase(&b, room.id, &ru, ask.clone(), "ph-1")
        .await
        .unwrap();
    assert_eq!(sent.phrase.as_ref(), Some(&ask));
    assert_eq!(sent.body.as_deref(), Some(ru.as_str()));
    // Live, at the staff member: the phrase, which his client shows in Korean.
    let (live, _) = collect(&mut s, room.id, 1).await;
    let got = &live[&sent.seq];
    assert_eq!(got, &sent);
    assert_eq!(got.phrase.as_ref(), Some(&ask));
    assert_eq!(book.render(got.phrase.as_ref().unwrap(), "ko").unwrap(), ko);
    assert_eq!(book.render(got.phrase.as_ref().unwrap(), "ru").unwrap(), ru);

    // The staff member answers with a phrase that has a parameter, picked in Korean.
    let lead = phrase("lead_time_is", &[("days", "14")]);
    let answer_ko = book.render(&lead, "ko").unwrap();
    assert!(answer_ko.contains("14"));
    let answer = send_phrase(&s, room.id, &answer_ko, lead.clone(), "ph-2")
        .await
        .unwrap();
    assert_eq!(answer.phrase.as_ref(), Some(&lead));
    assert_eq!(
        book.render(&lead, "ru").unwrap(),
        "Срок поставки — около 14 дн. после подтверждения заказа."
    );

    // Free text stays as written, with no phrase.
    let free = send(&b, room.id, "Спасибо! Жду образцы.", "ph-3")
        .await
        .unwrap();
    assert_eq!(free.phrase, None);

    // An unknown phrase: a typed error, nothing stored, and the connection carries on.
    let error = send_phrase(&b, room.id, &ru, phrase("no_such_phrase", &[]), "ph-4")
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::UnknownPhrase), "{error}");
    // Wrong parameters, or a body that is not the phrase in any language.
    let error = send_phrase(
        &b,
        room.id,
        "Наш минимальный объём заказа — abc шт.",
        phrase("moq_is", &[("qty", "abc")]),
        "ph-5",
    )
    .await
    .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Validation), "{error}");
    let error = send_phrase(&b, room.id, "Free text", ask.clone(), "ph-6")
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Validation), "{error}");
    assert!(matches!(
        b.request(Command::Ping).await.unwrap(),
        ReplyData::Pong { .. }
    ));

    // History has the three stored messages, phrases included, and only them.
    let stored: Vec<ChatMessage> = history(&s, room.id)
        .await
        .into_iter()
        .filter(|m| m.seq >= sent.seq)
        .collect();
    assert_eq!(stored, vec![sent.clone(), answer.clone(), free.clone()]);
    let (_, rejoined) = join(&b, room.id, sent.seq - 1).await;
    assert_eq!(rejoined[0], sent);

    // A deleted phrase message loses its phrase with its text.
    b.request(Command::ChatDelete {
        message_id: sent.id,
    })
    .await
    .unwrap();
    let stored = history(&s, room.id).await;
    let gone = stored.iter().find(|m| m.id == sent.id).unwrap();
    assert!(gone.deleted);
    assert_eq!(gone.phrase, None);
    assert_eq!(gone.body, None);

    // The API document describes the phrasebook; the protocol's schema, a message's phrase.
    let doc: serde_json::Value = app.api.get("/api/v1/openapi.json").await.unwrap();
    assert!(doc["paths"]["/api/v1/phrases"]["get"].is_object());
    for schema in [
        "Phrasebook",
        "Phrase",
        "PhraseGroup",
        "ParamDef",
        "ParamKind",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
    let protocol: serde_json::Value = app.api.get("/api/v1/protocol.json").await.unwrap();
    assert!(protocol["definitions"]["PhraseRef"].is_object());
    assert!(protocol["definitions"]["ChatMessage"]["properties"]["phrase"].is_object());
    app.stop().await;
}
