//! The live hub on one node: presence, rooms, and every kind of bad input.

use crate::both_engines;
use crate::helpers::*;
use expo_client::{Api, Hub, Incoming};
use expo_schema::protocol::{close_code, Command, ReplyData, ServerFrame};
use expo_schema::ErrorCode;
use futures_util::{SinkExt, StreamExt};
use std::collections::HashSet;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

both_engines!(
    presence_join_and_leave,
    a_wave_of_joins_is_announced_in_few_frames,
    a_crowded_room_is_counted_not_named,
    room_rules,
    malformed_and_unknown_frames,
    oversized_frames,
    floods_are_limited,
    origin_is_checked,
    silent_connections_are_closed,
    slow_consumers_are_dropped_alone,
    shutdown_tells_clients_to_reconnect,
);

/// The next reply or error without id, skipping events.
async fn next_reply(hub: &mut Hub) -> ServerFrame {
    match hub
        .wait_for(Duration::from_secs(5), |i| {
            matches!(i, Incoming::Frame(ServerFrame::Reply { .. }))
        })
        .await
    {
        Some(Incoming::Frame(frame)) => frame,
        other => panic!("expected a reply, got {other:?}"),
    }
}

fn error_code(frame: &ServerFrame) -> Option<ErrorCode> {
    match frame {
        ServerFrame::Reply { error: Some(e), .. } => Some(e.code),
        _ => None,
    }
}

async fn presence_join_and_leave(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let admin = app.admin().await;
    let buyer = app.buyer("ivan@primorye.example").await;
    let mut a = admin.connect().await.unwrap();
    let members = a.subscribe("lobby").await.unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].conn_id, a.conn_id());

    let b = buyer.connect().await.unwrap();
    let members = b.subscribe("lobby").await.unwrap();
    let names: Vec<_> = members.iter().map(|m| m.conn_id.as_str()).collect();
    assert_eq!(names, [a.conn_id(), b.conn_id()]);

    let joined = a
        .wait_for(Duration::from_secs(5), |i| {
            matches!(i, Incoming::Frame(ServerFrame::Event { event, .. }) if event.joined().iter().any(|member| member.conn_id == b.conn_id()))
        })
        .await;
    assert!(joined.is_some(), "a sees b join");
    let b_id = b.conn_id().to_string();
    b.close();
    let left = a
        .wait_for(Duration::from_secs(5), |i| {
            matches!(i, Incoming::Frame(ServerFrame::Event { event, .. }) if event.left().iter().any(|member| member.conn_id == b_id))
        })
        .await;
    assert!(left.is_some(), "a sees b leave");
    let members = a.presence("lobby").await.unwrap();
    assert_eq!(members.len(), 1);
    match a.request(Command::Whoami).await.unwrap() {
        ReplyData::Whoami { rooms, node, .. } => {
            assert_eq!(rooms, ["lobby"]);
            assert_eq!(node, app.node_id);
        }
        other => panic!("unexpected {other:?}"),
    }
    app.stop().await;
}

/// Collects presence changes of `room` from `watcher` until `done` says so (or 20 s pass);
/// returns the connections seen joining and leaving, and how many frames carried them.
async fn presence_frames(
    watcher: &mut Hub,
    done: impl Fn(&HashSet<String>, &HashSet<String>) -> bool,
) -> (HashSet<String>, HashSet<String>, usize) {
    let (mut joined, mut left, mut frames) = (HashSet::new(), HashSet::new(), 0);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !done(&joined, &left) && tokio::time::Instant::now() < deadline {
        if let Some(Incoming::Frame(ServerFrame::Event { event, .. })) =
            watcher.next(Duration::from_millis(200)).await
        {
            if !event.joined().is_empty() || !event.left().is_empty() {
                frames += 1;
            }
            joined.extend(event.joined().iter().map(|m| m.conn_id.clone()));
            left.extend(event.left().iter().map(|m| m.conn_id.clone()));
        }
    }
    (joined, left, frames)
}

/// A node with 2 s presence windows and snapshots of at most `snapshot_max` names; the
/// organizer, a buyer (not connected yet), and the organizer's connection watching the lobby.
async fn watched_lobby(env: &TestEnv, snapshot_max: usize) -> (TestApp, Api, Api, Hub) {
    let app = env
        .start_with(|c| {
            c.presence_batch_ms = 2_000;
            c.presence_snapshot_max = snapshot_max;
        })
        .await;
    let admin = app.admin().await;
    let buyer = app.buyer("ivan@primorye.example").await;
    let watcher = admin.connect().await.unwrap();
    watcher.subscribe("lobby").await.unwrap();
    (app, admin, buyer, watcher)
}

/// Fifteen connections join at once and leave at once: the watcher hears every one of them,
/// in a few `presence_diff` frames rather than one frame each.
async fn a_wave_of_joins_is_announced_in_few_frames(engines: Engines) {
    const WAVE: usize = 15;
    let env = TestEnv::new(engines).await;
    let (app, _, buyer, mut watcher) = watched_lobby(&env, 100).await;
    // The watcher's own join opened a window; let it close so the wave starts a fresh one.
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    while watcher.next(Duration::from_millis(50)).await.is_some() {}

    let joins = (0..WAVE).map(|_| {
        let buyer = buyer.clone();
        async move {
            let hub = buyer.connect().await.unwrap();
            hub.subscribe("lobby").await.unwrap();
            hub
        }
    });
    let wave: Vec<Hub> = futures_util::future::join_all(joins).await;
    let ids: HashSet<String> = wave.iter().map(|h| h.conn_id().to_string()).collect();
    let (joined, _, frames) = presence_frames(&mut watcher, |j, _| ids.is_subset(j)).await;
    assert!(
        ids.is_subset(&joined),
        "every join is announced: {joined:?}"
    );
    assert!(
        frames <= WAVE / 2,
        "{WAVE} joins took {frames} frames; a window gathers them"
    );

    for hub in &wave {
        hub.close();
    }
    let (_, left, frames) = presence_frames(&mut watcher, |_, l| ids.is_subset(l)).await;
    assert!(ids.is_subset(&left), "every leave is announced: {left:?}");
    assert!(
        frames <= WAVE / 2,
        "{WAVE} leaves took {frames} frames; a window gathers them"
    );
    app.stop().await;
}

/// Counts a crowded room's announcements from `watcher` until `done` says so (or 20 s pass):
/// the connections named in plain `join`/`leave` events, the joins and leaves counted in
/// `presence_count` frames, the last total, and how many frames carried names in a diff.
struct Counted {
    named_joins: HashSet<String>,
    named_leaves: HashSet<String>,
    joined: u64,
    left: u64,
    total: u64,
    count_frames: usize,
    diff_frames: usize,
}

async fn counted_frames(watcher: &mut Hub, done: impl Fn(&Counted) -> bool) -> Counted {
    use expo_schema::protocol::RoomEvent;
    let mut c = Counted {
        named_joins: HashSet::new(),
        named_leaves: HashSet::new(),
        joined: 0,
        left: 0,
        total: 0,
        count_frames: 0,
        diff_frames: 0,
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !done(&c) && tokio::time::Instant::now() < deadline {
        let Some(Incoming::Frame(ServerFrame::Event { event, .. })) =
            watcher.next(Duration::from_millis(200)).await
        else {
            continue;
        };
        match event {
            RoomEvent::PresenceCount {
                total,
                joined,
                left,
            } => {
                c.count_frames += 1;
                c.joined += joined;
                c.left += left;
                c.total = total;
            }
            RoomEvent::PresenceDiff { .. } => c.diff_frames += 1,
            RoomEvent::Join { member } => {
                c.named_joins.insert(member.conn_id);
            }
            RoomEvent::Leave { member } => {
                c.named_leaves.insert(member.conn_id);
            }
            _ => {}
        }
    }
    c
}

/// Past `EXPO_PRESENCE_SNAPSHOT_MAX` a room is crowded: a wave of joins and leaves reaches the
/// members as counts (`presence_count`), never as a list of names (that would cost N² bytes
/// at the opening hour), with every change counted once and the room's whole total; a
/// newcomer's snapshot is a sample with the whole count.
async fn a_crowded_room_is_counted_not_named(engines: Engines) {
    const WAVE: usize = 15;
    // Members already there before the wave, so the room is crowded (past the snapshot size
    // of 5) from the wave's first window on, however slowly the wave arrives.
    const EARLY: usize = 5;
    let env = TestEnv::new(engines).await;
    let (app, admin, buyer, mut watcher) = watched_lobby(&env, 5).await;
    let mut early = Vec::new();
    for _ in 0..EARLY {
        let hub = buyer.connect().await.unwrap();
        hub.subscribe("lobby").await.unwrap();
        early.push(hub);
    }
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    while watcher.next(Duration::from_millis(50)).await.is_some() {}

    // Connected first, then subscribed together: the joins come as one wave.
    let connects = (0..WAVE).map(|_| buyer.connect());
    let wave: Vec<Hub> = futures_util::future::join_all(connects)
        .await
        .into_iter()
        .map(|hub| hub.unwrap())
        .collect();
    for joined in
        futures_util::future::join_all(wave.iter().map(|hub| hub.subscribe("lobby"))).await
    {
        joined.unwrap();
    }
    let ids: HashSet<String> = wave.iter().map(|h| h.conn_id().to_string()).collect();
    let seen = counted_frames(&mut watcher, |c| {
        c.named_joins.len() as u64 + c.joined >= WAVE as u64
    })
    .await;
    assert_eq!(seen.diff_frames, 0, "no list of names in a crowded room");
    assert!(
        seen.named_joins.is_subset(&ids),
        "only a join alone in its window is named: {:?}",
        seen.named_joins
    );
    assert_eq!(
        seen.named_joins.len() as u64 + seen.joined,
        WAVE as u64,
        "every join is counted once"
    );
    assert!(seen.count_frames >= 1, "the wave went out as counts");
    assert_eq!(
        seen.total,
        (WAVE + EARLY) as u64 + 1,
        "the whole room: the early members, the wave and the watcher"
    );

    let newcomer = admin.connect().await.unwrap();
    match newcomer
        .request(Command::Subscribe {
            room: "lobby".into(),
        })
        .await
        .unwrap()
    {
        ReplyData::Subscribed { members, total, .. } => {
            assert_eq!(members.len(), 5, "a sample of the crowded room");
            assert_eq!(total, WAVE + EARLY + 2, "the count is whole");
        }
        other => panic!("unexpected {other:?}"),
    }
    match newcomer
        .request(Command::Presence {
            room: "lobby".into(),
        })
        .await
        .unwrap()
    {
        ReplyData::Presence { members, total, .. } => {
            assert_eq!((members.len(), total), (5, WAVE + EARLY + 2));
        }
        other => panic!("unexpected {other:?}"),
    }
    // Let the newcomer's own join go out before the wave leaves.
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    while watcher.next(Duration::from_millis(50)).await.is_some() {}

    // Eight of the wave leave; the room stays crowded when the leaves go out. (Once a room is
    // small again, naming its changes costs little, and they are named.)
    const LEAVING: usize = 8;
    let leaving: HashSet<String> = wave[..LEAVING]
        .iter()
        .map(|h| h.conn_id().to_string())
        .collect();
    for hub in &wave[..LEAVING] {
        hub.close();
    }
    let seen = counted_frames(&mut watcher, |c| {
        c.named_leaves.len() as u64 + c.left >= LEAVING as u64
    })
    .await;
    assert_eq!(seen.diff_frames, 0, "no list of names in a crowded room");
    assert_eq!(
        seen.named_leaves.len() as u64 + seen.left,
        LEAVING as u64,
        "every leave is counted once"
    );
    assert!(seen.named_leaves.is_subset(&leaving));
    assert_eq!(
        seen.total,
        (WAVE + EARLY - LEAVING) as u64 + 2,
        "who is left"
    );
    app.stop().await;
}

async fn room_rules(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start_with(|c| c.demo = true).await;
    let api = app.demo_user("buyer@demo.expo").await;
    let hub = api.connect().await.unwrap();
    for room in [
        "",
        "nowhere",
        "hall:999999",
        "booth:abc",
        "booth:999999",
        "secret:1",
    ] {
        let error = hub.subscribe(room).await.unwrap_err();
        assert_eq!(error.code(), Some(ErrorCode::UnknownRoom), "room {room:?}");
    }
    assert!(hub.subscribe("hall:1").await.is_ok());
    assert!(hub.subscribe("booth:1").await.is_ok());
    assert!(hub.subscribe("fair").await.is_ok());
    let error = hub.unsubscribe("lobby").await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::NotSubscribed));
    hub.unsubscribe("fair").await.unwrap();
    app.stop().await;
}

async fn malformed_and_unknown_frames(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let admin = app.admin().await;
    let mut hub = admin.connect().await.unwrap();
    let cases = [
        ("{not json", ErrorCode::BadRequest),
        ("[1,2,3]", ErrorCode::BadRequest),
        (r#"{"id":"r1"}"#, ErrorCode::BadRequest),
        (
            r#"{"id":"r2","type":"launch_rockets"}"#,
            ErrorCode::UnknownCommand,
        ),
        (
            r#"{"id":"r3","type":"subscribe"}"#,
            ErrorCode::InvalidCommand,
        ),
        (
            r#"{"id":"r4","type":"subscribe","room":["lobby"]}"#,
            ErrorCode::InvalidCommand,
        ),
    ];
    for (text, code) in cases {
        hub.send_text(text.to_string()).unwrap();
        let reply = next_reply(&mut hub).await;
        assert_eq!(error_code(&reply), Some(code), "frame {text}");
    }
    // The request id comes back whenever the frame had a readable one.
    hub.send_text(r#"{"id":"r9","type":"nope"}"#.into())
        .unwrap();
    match next_reply(&mut hub).await {
        ServerFrame::Reply { id, ok, .. } => {
            assert_eq!(id.as_deref(), Some("r9"));
            assert!(!ok);
        }
        other => panic!("unexpected {other:?}"),
    }
    // The connection still works.
    assert!(matches!(
        hub.request(Command::Ping).await.unwrap(),
        ReplyData::Pong { .. }
    ));
    app.stop().await;
}

async fn oversized_frames(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start_with(|c| c.max_frame_bytes = 4096).await;
    let admin = app.admin().await;
    let mut hub = admin.connect().await.unwrap();
    let mut bystander = admin.connect().await.unwrap();
    bystander.subscribe("lobby").await.unwrap();

    // Over the hub's limit but under the transport's: a typed error, and the connection lives.
    let big = format!(
        r#"{{"id":"big","type":"ping","pad":"{}"}}"#,
        "x".repeat(6000)
    );
    hub.send_text(big).unwrap();
    let reply = next_reply(&mut hub).await;
    assert_eq!(error_code(&reply), Some(ErrorCode::MessageTooLarge));
    assert!(hub.request(Command::Ping).await.is_ok());

    // Over the transport's hard limit: closed with 1009.
    hub.send_text("y".repeat(64 * 1024)).unwrap();
    let code = hub.closed(Duration::from_secs(5)).await.expect("closed");
    assert_eq!(code, Some(close_code::MESSAGE_TOO_BIG));

    // Nobody else noticed.
    assert!(bystander.request(Command::Ping).await.is_ok());
    let members = bystander.presence("lobby").await.unwrap();
    assert_eq!(members.len(), 1);
    while let Some(item) = bystander.next(Duration::from_millis(50)).await {
        assert!(!matches!(item, Incoming::Closed(_)), "bystander was closed");
    }
    app.stop().await;
}

async fn floods_are_limited(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env
        .start_with(|c| {
            c.rate_per_sec = 10;
            c.rate_burst = 10;
        })
        .await;
    let admin = app.admin().await;
    let mut hub = admin.connect().await.unwrap();
    let bystander = admin.connect().await.unwrap();
    // 30 pings at once: the burst passes, the rest are refused with rate_limited.
    for i in 0..30 {
        hub.send_text(format!(r#"{{"id":"p{i}","type":"ping"}}"#))
            .unwrap();
    }
    let mut ok = 0;
    let mut limited = 0;
    for _ in 0..30 {
        match next_reply(&mut hub).await {
            ServerFrame::Reply { ok: true, .. } => ok += 1,
            frame => {
                assert_eq!(error_code(&frame), Some(ErrorCode::RateLimited));
                limited += 1;
            }
        }
    }
    assert!((10..=12).contains(&ok), "about the burst passed: {ok}");
    assert_eq!(ok + limited, 30);
    // After a pause the connection is served again, and the other connection never waited.
    assert!(bystander.request(Command::Ping).await.is_ok());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(hub.request(Command::Ping).await.is_ok());

    // A connection that keeps flooding is closed with 4029.
    for i in 0..400 {
        if hub
            .send_text(format!(r#"{{"id":"f{i}","type":"ping"}}"#))
            .is_err()
        {
            break;
        }
    }
    let code = hub.closed(Duration::from_secs(10)).await.expect("closed");
    assert_eq!(code, Some(close_code::FLOODING));
    assert!(bystander.request(Command::Ping).await.is_ok());
    app.stop().await;
}

async fn origin_is_checked(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env
        .start_with(|c| c.allowed_origins = vec!["https://fair.example.com".into()])
        .await;
    let admin = app.admin().await;
    let token = admin.token().unwrap().to_string();
    let url = admin.ws_url();
    let evil = Hub::connect(&url, Some(&token), Some("https://evil.example.net")).await;
    assert_eq!(
        evil.err().and_then(|e| e.code()),
        Some(ErrorCode::Forbidden)
    );
    assert!(
        Hub::connect(&url, Some(&token), Some("https://fair.example.com"))
            .await
            .is_ok()
    );
    // Clients that send no Origin are not browsers; their token decides.
    assert!(Hub::connect(&url, Some(&token), None).await.is_ok());
    let anonymous = Hub::connect(&url, None, None).await;
    assert_eq!(
        anonymous.err().and_then(|e| e.code()),
        Some(ErrorCode::Unauthorized)
    );
    app.stop().await;

    // With no list, only the server's own origin passes.
    let app = env.start().await;
    let admin = app.admin().await;
    let token = admin.token().unwrap().to_string();
    let url = admin.ws_url();
    let own = app.base.clone();
    assert!(Hub::connect(&url, Some(&token), Some(&own)).await.is_ok());
    let other = Hub::connect(&url, Some(&token), Some("http://127.0.0.1:1")).await;
    assert_eq!(
        other.err().and_then(|e| e.code()),
        Some(ErrorCode::Forbidden)
    );
    app.stop().await;
}

/// A websocket handshake request to the hub, signed in as `who` (for a raw client).
fn signed_ws_request(who: &Api) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
            who.ws_url(),
        )
        .unwrap();
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {}", who.token().unwrap()).parse().unwrap(),
    );
    request
}

async fn silent_connections_are_closed(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env
        .start_with(|c| {
            c.heartbeat_secs = 1;
            c.heartbeat_timeout_secs = 2;
        })
        .await;
    let admin = app.admin().await;
    // A well-behaved client answers pings (tungstenite does it while reading) and stays.
    let mut alive = admin.connect().await.unwrap();
    // A raw client that never reads never answers pings, and must be closed.
    let request = signed_ws_request(&admin);
    let (mut silent, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    // Read while the server still waits for our side of the close handshake (it gives a
    // peer two seconds after the timeout): reading later would make tungstenite answer the
    // queued pings on a socket the server has dropped, and lose the close frame to that error.
    tokio::time::sleep(Duration::from_millis(2600)).await;
    let mut close_code_seen = None;
    while let Ok(Some(message)) = tokio::time::timeout(Duration::from_secs(3), silent.next()).await
    {
        match message {
            Ok(Message::Close(frame)) => {
                close_code_seen = frame.map(|f| u16::from(f.code));
                break;
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    assert_eq!(close_code_seen, Some(close_code::HEARTBEAT_TIMEOUT));
    let _ = silent.close(None).await;
    assert!(
        alive.request(Command::Ping).await.is_ok(),
        "the live client stays"
    );
    assert!(alive.next(Duration::from_millis(100)).await.is_none());
    app.stop().await;
}

async fn slow_consumers_are_dropped_alone(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env
        .start_with(|c| {
            c.outbound_queue = 64;
            c.rate_per_sec = 100_000;
            c.rate_burst = 100_000;
            c.user_rate_per_sec = 100_000;
            c.user_rate_burst = 100_000;
            // Only the queue may end the slow connection here, not a missed heartbeat.
            c.heartbeat_timeout_secs = 600;
            // A 1 ms presence window: the join/leave storm below makes nearly one event per
            // change instead of a few diffs a second.
            c.presence_batch_ms = 1;
        })
        .await;
    let admin = app.admin().await;
    // The slow client subscribes through a raw socket and then never reads again.
    let request = signed_ws_request(&admin);
    // A small receive buffer, so the kernel does not absorb megabytes of events first.
    let addr: std::net::SocketAddr = app.base.trim_start_matches("http://").parse().unwrap();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket.connect(addr).await.unwrap();
    let (mut slow, _) = tokio_tungstenite::client_async(request, stream)
        .await
        .unwrap();
    slow.send(Message::Text(
        r#"{"id":"s","type":"subscribe","room":"lobby"}"#.into(),
    ))
    .await
    .unwrap();
    let watcher = admin.connect().await.unwrap();
    watcher.subscribe("lobby").await.unwrap();
    // Ten noisy connections, so each presence announcement lists several of them: fewer,
    // larger frames fill the slow socket sooner.
    let mut noisy = Vec::new();
    for _ in 0..10 {
        noisy.push(admin.connect().await.unwrap());
    }
    let members = watcher.presence("lobby").await.unwrap();
    assert_eq!(members.len(), 2, "slow and watcher are in the lobby");
    let slow_id = members
        .iter()
        .find(|m| m.conn_id != watcher.conn_id())
        .unwrap()
        .conn_id
        .clone();
    // Join/leave storms make events until the slow client's socket and queue are full. The
    // loop is bounded: it stops as soon as the slow one is gone, or after 100,000 changes.
    let mut dropped = false;
    for round in 0..500 {
        let storms = noisy.iter().map(|hub| async move {
            for _ in 0..10 {
                hub.subscribe("lobby").await.unwrap();
                hub.unsubscribe("lobby").await.unwrap();
            }
        });
        futures_util::future::join_all(storms).await;
        let members = watcher.presence("lobby").await.unwrap();
        if !members.iter().any(|m| m.conn_id == slow_id) {
            eprintln!(
                "the slow consumer was dropped after {} changes",
                (round + 1) * 200
            );
            dropped = true;
            break;
        }
    }
    assert!(dropped, "the slow consumer was dropped");
    // The small receive buffer has done its job (the server's queue filled). Left that small,
    // the kernel drains what the server had already written on the pace of its zero-window
    // probes, which back off to seconds apart: a run on a busy machine read 780 frames in a
    // minute, with gaps of 6.8 s. Widening it lets the backlog arrive at once, so what the
    // deadline below measures is whether the server ended the connection.
    socket2::SockRef::from(slow.get_ref())
        .set_recv_buffer_size(4 << 20)
        .unwrap();
    // The watcher kept up and is still served.
    assert!(watcher.request(Command::Ping).await.is_ok());
    let members = watcher.presence("lobby").await.unwrap();
    assert_eq!(members.len(), 1);
    // The slow client's stream ends with a close (the `closing` frame is best effort: its
    // socket was full). Reading drains the backlog first. The deadline is generous: the
    // server closes the socket within seconds of dropping the consumer, and how soon the
    // end arrives is the machine's business, not this test's.
    let mut closed = false;
    let started = std::time::Instant::now();
    let (mut messages, mut longest_gap) = (0usize, Duration::ZERO);
    let mut last = std::time::Instant::now();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while let Ok(Some(message)) = tokio::time::timeout_at(deadline, slow.next()).await {
        messages += 1;
        longest_gap = longest_gap.max(last.elapsed());
        last = std::time::Instant::now();
        match message {
            Ok(Message::Close(frame)) => {
                if let Some(frame) = frame {
                    assert_eq!(u16::from(frame.code), close_code::SLOW_CONSUMER);
                }
                closed = true;
                break;
            }
            Ok(_) => {}
            Err(_) => {
                closed = true;
                break;
            }
        }
    }
    eprintln!(
        "read {messages} messages in {:?}, longest gap {longest_gap:?}, closed {closed}, then {:?}",
        started.elapsed(),
        last.elapsed()
    );
    assert!(closed, "the slow client's connection ended");
    app.stop().await;
}

async fn shutdown_tells_clients_to_reconnect(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let admin = app.admin().await;
    let mut hub = admin.connect().await.unwrap();
    hub.subscribe("lobby").await.unwrap();
    let base = app.base.clone();
    app.stop().await;
    let closing = hub
        .wait_for(Duration::from_secs(5), |i| {
            matches!(i, Incoming::Frame(ServerFrame::Closing { .. }))
        })
        .await;
    match closing {
        Some(Incoming::Frame(ServerFrame::Closing {
            code,
            reason,
            reconnect,
            ..
        })) => {
            assert_eq!(code, close_code::SERVICE_RESTART);
            assert_eq!(reason, ErrorCode::ShuttingDown);
            assert!(reconnect);
        }
        other => panic!("expected a closing frame, got {other:?}"),
    }
    assert_eq!(
        hub.closed(Duration::from_secs(5)).await,
        Some(Some(close_code::SERVICE_RESTART))
    );
    // The listener is gone.
    assert!(reqwest::get(format!("{base}/healthz")).await.is_err());
}
