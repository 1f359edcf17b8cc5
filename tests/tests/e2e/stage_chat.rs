//! A show's chat at broadcast scale (issue 14, item 3), on two nodes over Postgres and Redis
//! (one node when embedded): the show's own room, slow mode across nodes with a typed
//! refusal that says how long is left, the fair's word filter in six languages, moderation
//! by the host's staff reaching every viewer, reactions counted per window rather than
//! relayed, and a viewer who drops catching up with no gap and no duplicate.

use crate::both_engines;
use crate::helpers::*;
use crate::stage::{now_ms, show_input, stage_input, Studio};
use expo_client::{ClientError, Hub, Incoming};
use expo_schema::api::*;
use expo_schema::protocol::{Command, Reaction, ReplyData, RoomEvent, ServerFrame};
use expo_schema::{ChatMessage, ChatRoomInfo, ChatRoomKind, ErrorCode};
use std::collections::BTreeMap;
use std::time::Duration;

/// Generous: nothing here may fail on a slow machine's timing.
const WAIT: Duration = Duration::from_secs(60);

both_engines!(
    show_chat_rules_hold_on_every_node,
    reactions_are_counted_not_relayed,
    viewers_and_peak_agree_on_every_node,
    questions_polls_and_chat_modes_on_every_node
);

async fn join(hub: &Hub, room: i64, after: i64) -> (ChatRoomInfo, Vec<ChatMessage>) {
    match hub
        .request(Command::ChatJoin {
            room_id: room,
            after_seq: after,
        })
        .await
        .unwrap()
    {
        ReplyData::ChatJoined { room, messages, .. } => (room, messages),
        other => panic!("unexpected {other:?}"),
    }
}

async fn send(hub: &Hub, room: i64, body: &str, key: &str) -> Result<ChatMessage, ClientError> {
    match hub
        .request(Command::ChatSend {
            room_id: room,
            body: body.into(),
            key: key.into(),
            attachment_id: None,
            phrase: None,
        })
        .await?
    {
        ReplyData::ChatSent { message, .. } => Ok(message),
        other => panic!("unexpected {other:?}"),
    }
}

fn refusal(error: ClientError) -> expo_schema::ErrorBody {
    match error {
        ClientError::Server(body) => body,
        other => panic!("not a refusal: {other:?}"),
    }
}

/// The next event in the hub room `name` that `pick` takes; panics after [`WAIT`].
async fn next_event<T>(
    hub: &mut Hub,
    name: &str,
    mut pick: impl FnMut(&RoomEvent) -> Option<T>,
) -> T {
    let mut found = None;
    let got = hub
        .wait_for(WAIT, |incoming| match incoming {
            Incoming::Frame(ServerFrame::Event { room: r, event }) if r == name => {
                found = pick(event);
                found.is_some()
            }
            _ => false,
        })
        .await;
    match (got, found) {
        (Some(_), Some(value)) => value,
        (other, _) => panic!("nothing awaited came in {name}: {other:?}"),
    }
}

/// The next event in `chat:{room}` that `pick` takes.
async fn next_in_room<T>(hub: &mut Hub, room: i64, pick: impl FnMut(&RoomEvent) -> Option<T>) -> T {
    next_event(hub, &format!("chat:{room}"), pick).await
}

/// The next event in `show:{show_id}` that `pick` takes.
async fn next_in_show<T>(
    hub: &mut Hub,
    show_id: i64,
    pick: impl FnMut(&RoomEvent) -> Option<T>,
) -> T {
    next_event(hub, &format!("show:{show_id}"), pick).await
}

/// The next message's body and sequence in the room.
async fn next_message(hub: &mut Hub, room: i64) -> (String, i64) {
    next_in_room(hub, room, |event| match event {
        RoomEvent::ChatMessage { message } => {
            Some((message.body.clone().unwrap_or_default(), message.seq))
        }
        _ => None,
    })
    .await
}

async fn show_chat_rules_hold_on_every_node(engines: Engines) {
    let studio = Studio::open(engines, "4001", "Honey live").await;
    let (node_a, other) = (&studio.node_a, studio.other());
    let (admin, staff, rival_staff, show) = (
        &studio.admin,
        &studio.staff,
        &studio.rival_staff,
        &studio.show,
    );

    let buyer_a = node_a.buyer("a@chat.example").await;
    let buyer_b = other.buyer("b@chat.example").await;
    let chat = buyer_a.show_chat(show.id).await.unwrap();
    assert_eq!(chat.slow_mode_s, 0);
    assert_eq!(
        buyer_b.show_chat(show.id).await.unwrap().room_id,
        chat.room_id,
        "one room per show, on every node"
    );
    assert_eq!(
        admin.show_chat(999_999).await.unwrap_err().code(),
        Some(ErrorCode::NotFound)
    );
    let room = chat.room_id;
    let mut viewer_a = buyer_a.connect().await.unwrap();
    let mut viewer_b = buyer_b.connect().await.unwrap();
    let staff_hub = staff.connect().await.unwrap();
    let (info, _) = join(&viewer_a, room, 0).await;
    assert_eq!(info.kind, ChatRoomKind::Show);
    assert_eq!(info.show_id, Some(show.id));
    assert_eq!(info.title, "Honey live");
    assert!(!info.moderator, "a buyer does not moderate");
    join(&viewer_b, room, 0).await;
    let (staff_info, _) = join(&staff_hub, room, 0).await;
    assert!(
        staff_info.moderator,
        "the host's staff moderate the show's chat"
    );

    // Every viewer on every node gets each message once.
    let first = send(&viewer_a, room, "Hello from Ulaanbaatar", "a-1")
        .await
        .unwrap();
    for viewer in [&mut viewer_a, &mut viewer_b] {
        assert_eq!(
            next_message(viewer, room).await,
            ("Hello from Ulaanbaatar".to_string(), first.seq)
        );
    }

    // Slow mode: the host's staff set it; every viewer hears the rule.
    let slow = staff
        .set_show_chat(
            show.id,
            &ShowChatInput {
                slow_mode_s: 30,
                mode: None,
            },
        )
        .await
        .unwrap();
    assert_eq!((slow.room_id, slow.slow_mode_s), (room, 30));
    for viewer in [&mut viewer_a, &mut viewer_b] {
        let seconds = next_in_room(viewer, room, |event| match event {
            RoomEvent::ChatSettings { slow_mode_s, .. } => Some(*slow_mode_s),
            _ => None,
        })
        .await;
        assert_eq!(seconds, 30);
    }
    for who in [&buyer_a, rival_staff] {
        let refused = who
            .set_show_chat(
                show.id,
                &ShowChatInput {
                    slow_mode_s: 0,
                    mode: None,
                },
            )
            .await
            .unwrap_err();
        assert_eq!(refused.code(), Some(ErrorCode::Forbidden));
    }
    let bad = staff
        .set_show_chat(
            show.id,
            &ShowChatInput {
                slow_mode_s: 601,
                mode: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(bad.code(), Some(ErrorCode::Validation));

    let paced = send(&viewer_a, room, "One question, please", "a-2")
        .await
        .unwrap();
    let refused = refusal(
        send(&viewer_a, room, "And another", "a-3")
            .await
            .unwrap_err(),
    );
    assert_eq!(refused.code, ErrorCode::SlowMode);
    let left = refused.retry_after_ms.expect("how long is left");
    assert!(
        left > 0 && left <= 30_000,
        "the countdown is within the cooldown: {left} ms"
    );
    // The cooldown is the user's on every node: a second device on the other node waits too.
    let (second_api, _) = other
        .api
        .login("a@chat.example", "buyer-password")
        .await
        .unwrap();
    let second_device = second_api.connect().await.unwrap();
    join(&second_device, room, 0).await;
    let refused = refusal(
        send(&second_device, room, "From my phone", "a-4")
            .await
            .unwrap_err(),
    );
    assert_eq!(refused.code, ErrorCode::SlowMode);
    // A resend of a stored message is answered with it, not refused.
    let resent = send(&viewer_a, room, "One question, please", "a-2")
        .await
        .unwrap();
    assert_eq!(resent.id, paced.id);
    // Another viewer has their own cooldown; moderators have none.
    send(&viewer_b, room, "Hello from Vladivostok", "b-1")
        .await
        .unwrap();
    for key in ["s-1", "s-2"] {
        send(&staff_hub, room, "Welcome, everyone", key)
            .await
            .unwrap();
    }
    let off = staff
        .set_show_chat(
            show.id,
            &ShowChatInput {
                slow_mode_s: 0,
                mode: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(off.slow_mode_s, 0);
    let after_slow = send(&second_device, room, "From my phone", "a-5")
        .await
        .unwrap();

    // The word filter refuses, typed, and stores nothing: the next message takes the very
    // next sequence.
    admin
        .set_filter_words(&FilterWords {
            words: vec!["spam".into(), "바보".into(), "傻瓜".into(), "дурак".into()],
        })
        .await
        .unwrap();
    for (key, body) in [
        ("b-2", "Buy SPAM here"),
        ("b-3", "너는바보야"),
        ("b-4", "你是傻瓜"),
        ("b-5", "Ты дурак"),
    ] {
        let refused = refusal(send(&viewer_b, room, body, key).await.unwrap_err());
        assert_eq!(refused.code, ErrorCode::Filtered, "{body}");
    }
    let clean = send(&viewer_b, room, "First class shipping to Busan?", "b-6")
        .await
        .unwrap();
    assert_eq!(
        clean.seq,
        after_slow.seq + 1,
        "refused messages took no sequence"
    );
    assert_eq!(
        buyer_a
            .set_filter_words(&FilterWords::default())
            .await
            .unwrap_err()
            .code(),
        Some(ErrorCode::Forbidden)
    );

    // Moderation reaches every viewer: the host's staff delete a message and time a viewer
    // out; another company's staff can do neither.
    let forbidden = rival_staff.connect().await.unwrap();
    join(&forbidden, room, 0).await;
    let refused = forbidden
        .request(Command::ChatDelete {
            message_id: clean.id,
        })
        .await
        .unwrap_err();
    assert_eq!(refusal(refused).code, ErrorCode::Forbidden);
    staff_hub
        .request(Command::ChatDelete {
            message_id: clean.id,
        })
        .await
        .unwrap();
    for viewer in [&mut viewer_a, &mut viewer_b] {
        let deleted = next_in_room(viewer, room, |event| match event {
            RoomEvent::ChatDeleted { message_id, .. } => Some(*message_id),
            _ => None,
        })
        .await;
        assert_eq!(deleted, clean.id);
    }
    let timeout = SanctionInput {
        user_id: clean.sender.id,
        room_id: Some(room),
        kind: "mute".into(),
        minutes: Some(10),
    };
    assert_eq!(
        rival_staff.sanction(&timeout).await.unwrap_err().code(),
        Some(ErrorCode::Forbidden)
    );
    staff.sanction(&timeout).await.unwrap();
    let muted = refusal(
        send(&viewer_b, room, "Can I still talk?", "b-7")
            .await
            .unwrap_err(),
    );
    assert_eq!(muted.code, ErrorCode::Forbidden);

    // A viewer who drops catches up from their last sequence: no gap, no duplicate.
    let seen = clean.seq;
    viewer_b.close();
    let mut sent = Vec::new();
    for (i, body) in ["Price for 500 boxes?", "Shipping to Osaka?", "Samples?"]
        .into_iter()
        .enumerate()
    {
        sent.push(
            send(&staff_hub, room, body, &format!("s-late-{i}"))
                .await
                .unwrap()
                .seq,
        );
    }
    let back = buyer_b.connect().await.unwrap();
    let (_, missed) = join(&back, room, seen).await;
    assert_eq!(
        missed.iter().map(|m| m.seq).collect::<Vec<_>>(),
        sent,
        "exactly the messages after the last one seen, in order"
    );

    viewer_a.close();
    back.close();
    studio.stop().await;
}

/// Reactions are added up per window on each node, and every viewer on every node hears the
/// totals: the sum of the `show_reactions` a viewer gets is what was sent. A viewer must be
/// in the show to react.
async fn reactions_are_counted_not_relayed(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let (node_a, node_b) = env.one_or_two().await;
    let other = node_b.as_ref().unwrap_or(&node_a);
    let admin = node_a.admin().await;
    let stage = admin
        .create_stage(&stage_input("main", StageKind::Main))
        .await
        .unwrap();
    let show = admin
        .create_show(&show_input(stage.id, "Opening", now_ms()))
        .await
        .unwrap();
    let room = format!("show:{}", show.id);
    let mut viewer_a = node_a
        .buyer("a@react.example")
        .await
        .connect()
        .await
        .unwrap();
    let mut viewer_b = other
        .buyer("b@react.example")
        .await
        .connect()
        .await
        .unwrap();
    let react = |reaction| Command::ShowReact {
        show_id: show.id,
        reaction,
    };
    let refused = viewer_a.request(react(Reaction::Clap)).await.unwrap_err();
    assert_eq!(refusal(refused).code, ErrorCode::NotSubscribed);
    viewer_a.subscribe(&room).await.unwrap();
    viewer_b.subscribe(&room).await.unwrap();

    for _ in 0..3 {
        viewer_a.request(react(Reaction::Clap)).await.unwrap();
    }
    viewer_b.request(react(Reaction::Love)).await.unwrap();
    let expected = BTreeMap::from([(Reaction::Clap, 3u64), (Reaction::Love, 1u64)]);
    for viewer in [&mut viewer_a, &mut viewer_b] {
        let mut total: BTreeMap<Reaction, u64> = BTreeMap::new();
        while total != expected {
            let got = viewer
                .wait_for(WAIT, |incoming| {
                    matches!(incoming, Incoming::Frame(ServerFrame::Event { room: r, event: RoomEvent::ShowReactions { .. } }) if *r == room)
                })
                .await;
            let Some(Incoming::Frame(ServerFrame::Event {
                event:
                    RoomEvent::ShowReactions {
                        counts, window_ms, ..
                    },
                ..
            })) = got
            else {
                panic!("the reactions did not all arrive: {total:?}");
            };
            assert_eq!(window_ms, 1_000);
            for c in counts {
                *total.entry(c.reaction).or_default() += c.count;
            }
            assert!(
                total
                    .iter()
                    .all(|(r, n)| expected.get(r).is_some_and(|e| n <= e)),
                "more than was sent: {total:?}"
            );
        }
    }
    viewer_a.close();
    viewer_b.close();
    stop_nodes(node_a, node_b).await;
}

/// The `bench-stage` load generator, small: viewers on two nodes (Postgres and Redis) in a
/// show's chat, a few buyers chatting. Its books must balance (every accepted message
/// reached every viewer exactly once), so its figures at scale can be trusted. Its speed
/// figures, and how many messages arrived before an earlier one (two nodes' publishes can
/// cross on the bus; clients order by `seq`), are printed, not judged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stage_bench_balances_its_books() {
    let env = TestEnv::new(Engines::Services).await;
    let roomy = |c: &mut expo_server::config::Config| {
        c.chat_rate_per_sec = 1000;
        c.user_rate_per_sec = 1000;
        c.user_rate_burst = 1000;
        c.max_conns_per_user = 0;
    };
    let node_a = env.start_with(roomy).await;
    let node_b = env.start_with(roomy).await;
    let admin = node_a.admin().await;
    let stage = admin
        .create_stage(&stage_input("studio", StageKind::Studio))
        .await
        .unwrap();
    let show = admin
        .create_show(&show_input(stage.id, "Load", now_ms()))
        .await
        .unwrap();
    let report = expo_client::stage_bench::run(expo_client::stage_bench::StageBenchConfig {
        nodes: vec![node_a.base.clone(), node_b.base.clone()],
        email: ADMIN_EMAIL.into(),
        password: ADMIN_PASSWORD.into(),
        show: Some(show.id),
        viewers: 24,
        chatters: 4,
        rate: 5.0,
        slow_mode_s: 0,
        seconds: 2.0,
        ..Default::default()
    })
    .await
    .unwrap();
    println!("{report}");
    assert!(report["accepted"].as_u64().unwrap() > 0, "{report}");
    // The chatters are the only writers: what was stored is what was acknowledged.
    assert_eq!(report["stored"], report["accepted"], "{report}");
    assert_eq!(
        report["delivered"].as_u64().unwrap(),
        report["accepted"].as_u64().unwrap() * 24,
        "{report}"
    );
    for books in ["missing", "doubled", "accepted_not_stored"] {
        assert_eq!(report[books], 0, "{books}: {report}");
    }
    stop_nodes(node_a, Some(node_b)).await;
}

/// Viewers now and the peak of a live show read the same from every node, and on the
/// organizers' dashboard: three viewers over two nodes make the peak 3; when two leave, viewers
/// now falls to 1 and the peak stays. (Waits are bounds against a hang, not speed checks.)
async fn viewers_and_peak_agree_on_every_node(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let (node_a, node_b) = env.one_or_two().await;
    let other = node_b.as_ref().unwrap_or(&node_a);
    let admin = node_a.admin().await;
    let admin_b = other.admin().await;
    let stage = admin
        .create_stage(&stage_input("main", StageKind::Main))
        .await
        .unwrap();
    let show = admin
        .create_show(&ShowInput {
            external_url: Some("https://video.example/live/opening.m3u8".into()),
            ..show_input(stage.id, "Opening", now_ms())
        })
        .await
        .unwrap();
    admin.mark_show_live(show.id).await.unwrap();
    let room = format!("show:{}", show.id);
    let mut viewers = Vec::new();
    for (i, node) in [&node_a, other, other].into_iter().enumerate() {
        let hub = node
            .buyer(&format!("v{i}@peak.example"))
            .await
            .connect()
            .await
            .unwrap();
        hub.subscribe(&room).await.unwrap();
        viewers.push(hub);
    }
    let lang = LangQuery::default();
    let read = |api: &expo_client::Api| {
        let api = api.clone();
        let lang = lang.clone();
        async move {
            let s = api.show(show.id, &lang).await.unwrap();
            (s.viewers, s.peak_viewers)
        }
    };
    // Until both nodes read three viewers and the stored peak is three (the sampler's second).
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let (a, b) = (read(&admin).await, read(&admin_b).await);
        let stored: i64 = sqlx::query_scalar("select peak_viewers from shows where id = $1")
            .bind(show.id)
            .fetch_one(node_a.state.store.pool())
            .await
            .unwrap();
        if a == (3, 3) && b == (3, 3) && stored == 3 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never 3 and 3: {a:?} {b:?}, stored {stored}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for hub in viewers.drain(1..) {
        hub.close();
    }
    loop {
        let (a, b) = (read(&admin).await, read(&admin_b).await);
        if a == (1, 3) && b == (1, 3) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never 1 and 3: {a:?} {b:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The organizers' dashboard has the stage panel with the same figures, from either node.
    for api in [&admin, &admin_b] {
        let board = api.dashboard().await.unwrap();
        let row = board
            .shows
            .iter()
            .find(|s| s.show_id == show.id)
            .expect("the live show on the dashboard");
        assert_eq!(
            (row.state.as_str(), row.viewers_now, row.peak_viewers),
            ("live", 1, 3)
        );
    }
    for hub in viewers {
        hub.close();
    }
    stop_nodes(node_a, node_b).await;
}

/// Questions, upvotes, polls and who may write, on two nodes (Postgres and Redis): a question
/// reaches every viewer at once; upvotes and poll votes are stored at once and their totals
/// reach every viewer (at most once a second per node), the same everywhere; moderators (the
/// host's staff) answer, hide, open and close, others may not; the chat mode keeps out who it
/// names, in the chat and in questions alike.
async fn questions_polls_and_chat_modes_on_every_node(engines: Engines) {
    use expo_schema::matchmaking::{MarkInput, MarkLevel};
    let studio = Studio::open(engines, "5001", "Kimchi live").await;
    let (node_a, other) = (&studio.node_a, studio.other());
    let (admin, host, staff, rival_staff, show) = (
        &studio.admin,
        &studio.host,
        &studio.staff,
        &studio.rival_staff,
        &studio.show,
    );
    let buyer_a = node_a.buyer("a@qa.example").await;
    let buyer_b = other.buyer("b@qa.example").await;
    let mut viewer_a = buyer_a.connect().await.unwrap();
    let mut viewer_b = buyer_b.connect().await.unwrap();
    let room = format!("show:{}", show.id);
    viewer_a.subscribe(&room).await.unwrap();
    viewer_b.subscribe(&room).await.unwrap();

    // A question reaches both nodes' viewers at once.
    let asked = buyer_a
        .ask_question(
            show.id,
            &QuestionInput {
                body: "Is the kimchi halal certified?".into(),
            },
        )
        .await
        .unwrap();
    for viewer in [&mut viewer_a, &mut viewer_b] {
        let body = next_in_show(viewer, show.id, |e| match e {
            RoomEvent::ShowQuestion { question } => Some(question.body.clone()),
            _ => None,
        })
        .await;
        assert_eq!(body, "Is the kimchi halal certified?");
    }
    // Upvotes: once per viewer; the totals reach everyone.
    buyer_b.upvote_question(asked.id).await.unwrap();
    buyer_a.upvote_question(asked.id).await.unwrap();
    let again = buyer_a.upvote_question(asked.id).await.unwrap();
    assert_eq!((again.votes, again.voted), (2, true));
    for viewer in [&mut viewer_a, &mut viewer_b] {
        next_in_show(viewer, show.id, |e| match e {
            RoomEvent::ShowQuestionUpdate {
                question_id, votes, ..
            } if *question_id == asked.id && *votes == 2 => Some(()),
            _ => None,
        })
        .await;
    }
    let listed = buyer_b.show_questions(show.id).await.unwrap().questions;
    assert_eq!(
        listed
            .iter()
            .map(|q| (q.id, q.votes, q.voted))
            .collect::<Vec<_>>(),
        [(asked.id, 2, true)]
    );
    // The word filter holds for questions too.
    admin
        .set_filter_words(&FilterWords {
            words: vec!["spam".into()],
        })
        .await
        .unwrap();
    let refused = buyer_b
        .ask_question(
            show.id,
            &QuestionInput {
                body: "spam spam".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Filtered));
    // Moderators answer and hide; a buyer or another company's staff may not.
    for who in [&buyer_b, rival_staff] {
        let refused = who.answer_question(asked.id).await.unwrap_err();
        assert_eq!(refused.code(), Some(ErrorCode::Forbidden));
    }
    assert!(staff.answer_question(asked.id).await.unwrap().answered);
    for viewer in [&mut viewer_a, &mut viewer_b] {
        next_in_show(viewer, show.id, |e| match e {
            RoomEvent::ShowQuestionUpdate {
                question_id,
                answered: true,
                ..
            } if *question_id == asked.id => Some(()),
            _ => None,
        })
        .await;
    }
    let rude = buyer_b
        .ask_question(
            show.id,
            &QuestionInput {
                body: "Why so expensive??".into(),
            },
        )
        .await
        .unwrap();
    staff.hide_question(rude.id).await.unwrap();
    let visible: Vec<i64> = buyer_a
        .show_questions(show.id)
        .await
        .unwrap()
        .questions
        .iter()
        .map(|q| q.id)
        .collect();
    assert_eq!(visible, [asked.id], "a hidden question leaves the list");

    // A poll: moderators open and close it; one vote per viewer, which a second changes.
    let poll_input = PollInput {
        question: "Which kimchi should we ship first?".into(),
        options: vec!["Napa".into(), "Radish".into(), "Vegan".into()],
    };
    assert_eq!(
        buyer_a
            .open_poll(show.id, &poll_input)
            .await
            .unwrap_err()
            .code(),
        Some(ErrorCode::Forbidden)
    );
    let poll = staff.open_poll(show.id, &poll_input).await.unwrap();
    assert_eq!(poll.counts, [0, 0, 0]);
    for viewer in [&mut viewer_a, &mut viewer_b] {
        let id = next_in_show(viewer, show.id, |e| match e {
            RoomEvent::ShowPoll { poll } if !poll.closed => Some(poll.id),
            _ => None,
        })
        .await;
        assert_eq!(id, poll.id);
    }
    let vote = |option| PollVote { option };
    buyer_a.vote_poll(poll.id, &vote(0)).await.unwrap();
    buyer_b.vote_poll(poll.id, &vote(2)).await.unwrap();
    let changed = buyer_a.vote_poll(poll.id, &vote(2)).await.unwrap();
    assert_eq!(
        (changed.counts.clone(), changed.my_vote),
        (vec![0, 0, 2], Some(2))
    );
    assert_eq!(
        buyer_b
            .vote_poll(poll.id, &vote(3))
            .await
            .unwrap_err()
            .code(),
        Some(ErrorCode::Validation)
    );
    for viewer in [&mut viewer_a, &mut viewer_b] {
        next_in_show(viewer, show.id, |e| match e {
            RoomEvent::ShowPoll { poll: p } if p.id == poll.id && p.counts == [0, 0, 2] => Some(()),
            _ => None,
        })
        .await;
    }
    let closed = staff.close_poll(poll.id).await.unwrap();
    assert!(closed.closed);
    assert_eq!(
        buyer_b
            .vote_poll(poll.id, &vote(1))
            .await
            .unwrap_err()
            .code(),
        Some(ErrorCode::Conflict)
    );
    assert_eq!(
        buyer_a.show_polls(show.id).await.unwrap().polls[0].my_vote,
        Some(2)
    );

    // Chat modes: buyers only keeps another company's staff out; followers only keeps out a
    // buyer who has not marked the host, until they do. The host's staff always write.
    let chat = staff.show_chat(show.id).await.unwrap();
    let mode = |mode| ShowChatInput {
        slow_mode_s: 0,
        mode: Some(mode),
    };
    let set = staff
        .set_show_chat(show.id, &mode(ChatMode::Buyers))
        .await
        .unwrap();
    assert_eq!(set.mode, ChatMode::Buyers);
    let rival_hub = rival_staff.connect().await.unwrap();
    join(&rival_hub, chat.room_id, 0).await;
    let kept_out = refusal(
        send(&rival_hub, chat.room_id, "Buy from us instead", "r-1")
            .await
            .unwrap_err(),
    );
    assert_eq!(kept_out.code, ErrorCode::Forbidden);
    join(&viewer_b, chat.room_id, 0).await;
    send(&viewer_b, chat.room_id, "Hello", "b-1").await.unwrap();
    staff
        .set_show_chat(show.id, &mode(ChatMode::Followers))
        .await
        .unwrap();
    let not_yet = refusal(
        send(&viewer_b, chat.room_id, "Hello again", "b-2")
            .await
            .unwrap_err(),
    );
    assert_eq!(not_yet.code, ErrorCode::Forbidden);
    let question = buyer_b
        .ask_question(
            show.id,
            &QuestionInput {
                body: "May I ask?".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(question.code(), Some(ErrorCode::Forbidden));
    buyer_b
        .put_mark(&MarkInput {
            company_id: Some(host.id),
            buyer_id: None,
            level: Some(MarkLevel::WouldMeet),
        })
        .await
        .unwrap();
    send(&viewer_b, chat.room_id, "Hello again", "b-3")
        .await
        .unwrap();
    let staff_hub = staff.connect().await.unwrap();
    join(&staff_hub, chat.room_id, 0).await;
    send(&staff_hub, chat.room_id, "Welcome, followers", "s-1")
        .await
        .unwrap();

    viewer_a.close();
    viewer_b.close();
    studio.stop().await;
}
