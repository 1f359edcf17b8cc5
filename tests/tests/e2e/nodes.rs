//! Several nodes sharing Postgres and Redis: presence and control messages cross nodes.

use crate::helpers::*;
use expo_client::Incoming;
use expo_schema::protocol::{close_code, RoomEvent, ServerFrame};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_crosses_nodes() {
    let env = TestEnv::new(Engines::Services).await;
    let node_a = env.start().await;
    let node_b = env.start().await;
    assert_ne!(node_a.node_id, node_b.node_id);
    let buyer_on_a = node_a.buyer("ivan@primorye.example").await;
    let (admin_on_b, _) = node_b.api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.unwrap();

    let mut watcher = admin_on_b.connect().await.unwrap();
    watcher.subscribe("lobby").await.unwrap();
    let visitor = buyer_on_a.connect().await.unwrap();
    let members = visitor.subscribe("lobby").await.unwrap();
    assert_eq!(members.len(), 2, "the visitor on A sees the watcher on B");
    let visitor_id = visitor.conn_id().to_string();
    assert!(visitor_id.starts_with(&node_a.node_id));

    let joined = watcher
        .wait_for(Duration::from_secs(5), |i| {
            matches!(i, Incoming::Frame(ServerFrame::Event { event, .. }) if event.joined().iter().any(|member| member.conn_id == visitor_id))
        })
        .await;
    assert!(joined.is_some(), "B hears the join on A");
    let on_b = watcher.presence("lobby").await.unwrap();
    assert!(on_b.iter().any(|m| m.conn_id == visitor_id));

    visitor.close();
    let left = watcher
        .wait_for(Duration::from_secs(5), |i| {
            matches!(i, Incoming::Frame(ServerFrame::Event { event, .. }) if event.left().iter().any(|member| member.conn_id == visitor_id))
        })
        .await;
    assert!(left.is_some(), "B hears the leave on A");
    let on_b = watcher.presence("lobby").await.unwrap();
    assert_eq!(on_b.len(), 1);
    node_a.stop().await;
    node_b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_on_one_node_closes_sockets_on_another() {
    let env = TestEnv::new(Engines::Services).await;
    let node_a = env.start().await;
    let node_b = env.start().await;
    let (session, _) = node_a.api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.unwrap();
    let on_b = node_b.api.with_token(session.token().unwrap());
    let mut hub = on_b.connect().await.unwrap();
    session.logout().await.unwrap();
    assert_eq!(
        hub.closed(Duration::from_secs(10)).await,
        Some(Some(close_code::UNAUTHORIZED))
    );
    node_a.stop().await;
    node_b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vanished_node_leaves_when_its_presence_lapses() {
    let env = TestEnv::new(Engines::Services).await;
    let ttl = |c: &mut expo_server::Config| c.presence_ttl_secs = 2;
    let node_a = env.start_with(ttl).await;
    let node_b = env.start_with(ttl).await;
    let (admin_a, _) = node_a.api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.unwrap();
    let (admin_b, _) = node_b.api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.unwrap();
    let doomed = admin_a.connect().await.unwrap();
    doomed.subscribe("lobby").await.unwrap();
    let doomed_id = doomed.conn_id().to_string();
    let watcher = admin_b.connect().await.unwrap();
    assert_eq!(watcher.subscribe("lobby").await.unwrap().len(), 2);
    // A third node that beat once and then died: its entry is written as a node writes it
    // (under its own id, listed in its rooms set, its beat in the live set), then nobody beats
    // for it again. Every live node sweeps; one claims it and announces the leave.
    let redis = redis::Client::open("redis://127.0.0.1:6379/").unwrap();
    let mut conn = redis.get_multiplexed_async_connection().await.unwrap();
    let p = &env.redis_prefix;
    let key = format!("{p}:presence:lobby");
    let ghost: String = redis::cmd("HGET")
        .arg(&key)
        .arg(&doomed_id)
        .query_async(&mut conn)
        .await
        .unwrap();
    let ghost_id = "ghost-node-1".to_string();
    let ghost = ghost.replace(&doomed_id, &ghost_id);
    let _: () = redis::pipe()
        .zadd(format!("{p}:nodes"), "ghost-node", chrono_now_ms())
        .hset(&key, &ghost_id, ghost)
        .sadd(format!("{p}:node:ghost-node:rooms"), "lobby")
        .query_async(&mut conn)
        .await
        .unwrap();
    let mut watcher = watcher;
    assert!(watcher
        .presence("lobby")
        .await
        .unwrap()
        .iter()
        .any(|m| m.conn_id == ghost_id));
    let left = watcher
        .wait_for(Duration::from_secs(10), |i| {
            matches!(i, Incoming::Frame(ServerFrame::Event { event, .. }) if event.left().iter().any(|member| member.conn_id == ghost_id))
        })
        .await;
    assert!(
        left.is_some(),
        "the dead node's member is announced gone, live"
    );
    assert!(!watcher
        .presence("lobby")
        .await
        .unwrap()
        .iter()
        .any(|m| m.conn_id == ghost_id));
    let rooms_left: bool = redis::cmd("EXISTS")
        .arg(format!("{p}:node:ghost-node:rooms"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(!rooms_left, "the dead node's bookkeeping is gone");
    // Live nodes keep beating: their entries stay past the TTL.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let members = watcher.presence("lobby").await.unwrap();
    assert!(members.iter().any(|m| m.conn_id == doomed_id));
    assert_eq!(members.len(), 2);
    node_a.stop().await;
    node_b.stop().await;
}

fn chrono_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booth_live_state_crosses_nodes() {
    use expo_schema::protocol::Command;
    let env = TestEnv::new(Engines::Services).await;
    let node_a = env.start_with(|c| c.demo = true).await;
    let node_b = env.start().await;
    let (buyer_on_a, _) = node_a
        .api
        .login("buyer@demo.expo", DEMO_PASSWORD)
        .await
        .unwrap();
    let (staff_on_b, me) = node_b
        .api
        .login("exhibitor@demo.expo", DEMO_PASSWORD)
        .await
        .unwrap();
    let company = me.user.company_id.unwrap();
    let mut lobby = buyer_on_a.connect().await.unwrap();
    lobby.subscribe("lobby").await.unwrap();
    let inside = buyer_on_a.connect().await.unwrap();
    inside.subscribe(&format!("booth:{company}")).await.unwrap();
    let staff = staff_on_b.connect().await.unwrap();
    staff
        .request(Command::SetDuty { on_duty: true })
        .await
        .unwrap();
    let seen = lobby
        .wait_for(Duration::from_secs(10), |i| {
            matches!(i, Incoming::Frame(ServerFrame::Event { event: RoomEvent::BoothLive { live }, .. })
                if live.company_id == company && live.staff_on_duty.len() == 1 && live.visitors_now == 1)
        })
        .await;
    assert!(
        seen.is_some(),
        "A's lobby sees B's staff on duty and A's visitor"
    );
    // Each node keeps its own summary, refreshed within a second of any traffic.
    for node in [&node_a, &node_b] {
        let api = node.api.with_token(buyer_on_a.token().unwrap());
        eventually(Duration::from_secs(5), "every node agrees", || async {
            let page = api
                .search_booths(&expo_client::api::BoothQuery {
                    staffed: Some(true),
                    ..Default::default()
                })
                .await
                .unwrap();
            page.booths
                .iter()
                .map(|b| (b.company.id, b.visitors_now))
                .collect::<Vec<_>>()
                == [(company, 1)]
        })
        .await;
    }
    node_a.stop().await;
    node_b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_crosses_nodes() {
    use expo_schema::protocol::{Command, ReplyData};
    let env = TestEnv::new(Engines::Services).await;
    let node_a = env.start_with(|c| c.demo = true).await;
    let node_b = env.start().await;
    let (buyer_a, me) = node_a
        .api
        .login("buyer@demo.expo", DEMO_PASSWORD)
        .await
        .unwrap();
    let buyer_b = node_b.api.with_token(buyer_a.token().unwrap());
    let (staff_b, staff_me) = node_b
        .api
        .login("exhibitor@demo.expo", DEMO_PASSWORD)
        .await
        .unwrap();
    let company = staff_me.user.company_id.unwrap();
    let target = format!("private:{company}:{}", me.user.id);
    let staff = staff_b.connect().await.unwrap();
    let room = match staff.request(Command::ChatOpen { target }).await.unwrap() {
        ReplyData::ChatRoom { room } => room,
        other => panic!("unexpected {other:?}"),
    };
    staff
        .request(Command::ChatJoin {
            room_id: room.id,
            after_seq: 0,
        })
        .await
        .unwrap();
    // The buyer has a device on each node.
    let mut phone_a = buyer_a.connect().await.unwrap();
    let mut laptop_b = buyer_b.connect().await.unwrap();
    laptop_b
        .subscribe(&format!("user:{}", me.user.id))
        .await
        .unwrap();
    phone_a
        .request(Command::ChatJoin {
            room_id: room.id,
            after_seq: 0,
        })
        .await
        .unwrap();
    let sent = match staff
        .request(Command::ChatSend {
            room_id: room.id,
            body: "Добрый день!".into(),
            key: "n1".into(),
            attachment_id: None,
            phrase: None,
        })
        .await
        .unwrap()
    {
        ReplyData::ChatSent { message, .. } => message,
        other => panic!("unexpected {other:?}"),
    };
    let got = phone_a
        .wait_for(Duration::from_secs(5), |i| {
            matches!(i, Incoming::Frame(ServerFrame::Event { event: RoomEvent::ChatMessage { message }, .. }) if message.id == sent.id)
        })
        .await;
    assert!(got.is_some(), "a message sent on B reaches A");
    phone_a
        .request(Command::ChatRead {
            room_id: room.id,
            seq: sent.seq,
        })
        .await
        .unwrap();
    let marker = laptop_b
        .wait_for(Duration::from_secs(5), |i| {
            matches!(i, Incoming::Frame(ServerFrame::Event { event: RoomEvent::ChatReadMarker { seq, .. }, .. }) if *seq == sent.seq)
        })
        .await;
    assert!(marker.is_some(), "reading on A clears the badge on B");
    staff
        .request(Command::ChatDelete {
            message_id: sent.id,
        })
        .await
        .unwrap();
    let deleted = phone_a
        .wait_for(Duration::from_secs(5), |i| {
            matches!(i, Incoming::Frame(ServerFrame::Event { event: RoomEvent::ChatDeleted { message_id, .. }, .. }) if *message_id == sent.id)
        })
        .await;
    assert!(deleted.is_some(), "a deletion on B reaches A");
    node_a.stop().await;
    node_b.stop().await;
}
