//! `expo bench-stage`: a stage show's chat at broadcast scale. `--viewers` connections of one
//! signed-in account (start the servers with per-user allowances that cover them all) are
//! spread round robin over the nodes in `--nodes`; each joins the show's chat room. Then
//! `--chatters` buyers, registered and approved for the run (each its own account, so slow
//! mode holds each of them back as it would a real audience), connect round robin too and
//! send `--rate` messages a second each (a message waits for the previous one's
//! acknowledgement) for `--seconds`, with the show's slow mode set to `--slow-mode` seconds
//! first (the signed-in account must run the show: an organizer).
//!
//! One process holds at most about 19,000 connections (the open-file limit), and decoding
//! every delivery is the generator's own cost, so a big run is several processes: each runs
//! this with its share of the viewers (chatters in one of them), and `--barrier DIR` makes
//! them chat at the same moment: each writes `DIR/signed-in-<pid>` once its chatters are
//! signed in, `DIR/ready-<pid>` once its viewers are in, and waits for `DIR/go`
//! (`scripts/bench-stage.sh` does this).
//!
//! The books are kept against what the server stored, not against what this process sent:
//! after the chat, the room's history from the viewers' join to its newest message is the
//! set every viewer must have received, each message once and in order (messages of several
//! nodes that cross on the bus can arrive out of order; clients order by `seq`). Prints one
//! JSON line: how fast the viewers got in, messages accepted (stored and acknowledged) per
//! second, refusals by code, messages stored in the window, deliveries, the delivery latency
//! from the message's `created_ms` on the server to its arrival (p50, p99), frames per viewer
//! and second (batching keeps this at a few however fast the chat runs), the books (missing,
//! doubled, out of order) and, with `--server-pids`, the servers' resident memory per viewer.
//! It asserts nothing.

use crate::chat_bench::{join_from_now, now_ms, percentile, sign_in_at};
use crate::procfs::rss_kb;
use crate::{Api, Hub, Incoming};
use expo_schema::api::{
    ApproveManyRequest, LangQuery, RegisterBuyerRequest, ShowChatInput, UserFilter,
};
use expo_schema::protocol::{Command, ReplyData};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default)]
pub struct StageBenchConfig {
    /// The nodes' root URLs; viewers and chatters are spread over them.
    pub nodes: Vec<String>,
    pub email: String,
    pub password: String,
    /// The show; by default the first stage's live or next show.
    pub show: Option<i64>,
    pub viewers: usize,
    /// Buyers registered for the run, each sending `rate` messages a second.
    pub chatters: usize,
    pub rate: f64,
    pub slow_mode_s: i64,
    pub seconds: f64,
    /// The servers' process ids, for their resident memory.
    pub server_pids: Vec<u32>,
    /// With several generator processes: the folder where they meet before the chat starts.
    pub barrier: Option<PathBuf>,
}

/// Just what a viewer counts of a frame: the chat messages in it (in a `batch`, in order).
/// Everything else in the text is skipped, not decoded.
#[derive(serde::Deserialize)]
struct Lite<'a> {
    #[serde(default, borrow)]
    frames: Vec<Lite<'a>>,
    #[serde(default, borrow)]
    event: Option<LiteEvent<'a>>,
}

#[derive(serde::Deserialize)]
struct LiteEvent<'a> {
    #[serde(borrow)]
    kind: &'a str,
    #[serde(default)]
    message: Option<LiteMessage>,
}

#[derive(serde::Deserialize)]
struct LiteMessage {
    room_id: i64,
    seq: i64,
    created_ms: i64,
}

impl Lite<'_> {
    /// The chat messages of `room_id` in this frame: (sequence, `created_ms`), in order.
    fn messages(&self, room_id: i64, out: &mut Vec<(i64, i64)>) {
        for frame in &self.frames {
            frame.messages(room_id, out);
        }
        if let Some(LiteEvent {
            kind: "chat_message",
            message: Some(m),
        }) = &self.event
        {
            if m.room_id == room_id {
                out.push((m.seq, m.created_ms));
            }
        }
    }
}

/// What one viewer saw: the sequences in arrival order and the delivery latencies.
#[derive(Default)]
struct Seen {
    seqs: Vec<i64>,
    latency_ms: Vec<f64>,
}

/// Runs `attempt` again while the server says it is busy hashing passwords (`unavailable`:
/// sign-ins beyond its hashing pool are turned away, not queued without end), as a client
/// that is told "try again in a moment" would.
async fn patiently<T, F, Fut>(attempt: F) -> crate::Result<T>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = crate::Result<T>>,
{
    let mut tries = 0;
    loop {
        match attempt().await {
            Err(crate::ClientError::Server(body))
                if body.code == expo_schema::ErrorCode::Unavailable && tries < 20 =>
            {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            other => return other,
        }
    }
}

/// Registers `n` buyers for this run, has the organizer (`admin`) approve them, and signs each
/// in at its node (round robin): one API per chatter. Eight at a time: each is a password
/// hash on the server.
async fn chatters(apis: &[Api], admin: &Api, n: usize, run_id: &str) -> anyhow::Result<Vec<Api>> {
    const PASSWORD: &str = "stage-bench-chatter";
    let email = |i: usize| format!("chatter{i}.{run_id}@stage-bench.example");
    let turns = Arc::new(tokio::sync::Semaphore::new(8));
    let mut registrations = Vec::new();
    for i in 0..n {
        let api = apis[i % apis.len()].clone();
        let input = RegisterBuyerRequest {
            email: email(i),
            password: PASSWORD.into(),
            name: format!("Chatter {i}"),
            company_name: "Stage Bench Trading".into(),
            country: "MN".into(),
            timezone: "Asia/Ulaanbaatar".into(),
            languages: vec!["mn".into(), "en".into()],
            interests: vec![],
            share_contact: false,
        };
        let turns = turns.clone();
        registrations.push(tokio::spawn(async move {
            let _turn = turns.acquire().await.expect("turns");
            patiently(|| api.register(&input)).await
        }));
    }
    for registration in registrations {
        registration.await??;
    }
    let pending = admin
        .users(&UserFilter {
            status: Some("pending".into()),
            q: Some(run_id.into()),
            ..Default::default()
        })
        .await?;
    let ids: Vec<i64> = pending.users.iter().map(|u| u.id).collect();
    anyhow::ensure!(ids.len() == n, "{} of {n} chatters are pending", ids.len());
    for chunk in ids.chunks(500) {
        admin
            .approve_users(&ApproveManyRequest {
                ids: chunk.to_vec(),
            })
            .await?;
    }
    let mut signed_in = Vec::new();
    for i in 0..n {
        let api = apis[i % apis.len()].clone();
        let email = email(i);
        let turns = turns.clone();
        signed_in.push(tokio::spawn(async move {
            let _turn = turns.acquire().await.expect("turns");
            patiently(|| api.login(&email, PASSWORD))
                .await
                .map(|(api, _)| api)
        }));
    }
    let mut out = Vec::new();
    for api in signed_in {
        out.push(api.await??);
    }
    Ok(out)
}

/// The sequences stored in `room_id` after `after` up to `newest`, oldest first, read back
/// from the room's history.
async fn stored_between(
    hub: &Hub,
    room_id: i64,
    after: i64,
    newest: i64,
) -> anyhow::Result<Vec<i64>> {
    let mut seqs = Vec::new();
    let mut before = newest + 1;
    loop {
        let page = hub
            .request(Command::ChatHistory {
                room_id,
                before_seq: Some(before),
                limit: Some(200),
            })
            .await?;
        let ReplyData::ChatHistory { messages, more, .. } = page else {
            anyhow::bail!("chat_history answered with something else");
        };
        let oldest = messages.iter().map(|m| m.seq).min();
        seqs.extend(messages.iter().map(|m| m.seq).filter(|s| *s > after));
        match oldest {
            Some(oldest) if more && oldest > after + 1 => before = oldest,
            _ => break,
        }
    }
    seqs.sort_unstable();
    seqs.dedup();
    Ok(seqs)
}

/// The room's newest stored sequence.
async fn newest_seq(hub: &Hub, room_id: i64) -> anyhow::Result<i64> {
    match hub
        .request(Command::ChatHistory {
            room_id,
            before_seq: None,
            limit: Some(1),
        })
        .await?
    {
        ReplyData::ChatHistory { messages, .. } => {
            Ok(messages.iter().map(|m| m.seq).max().unwrap_or(0))
        }
        _ => anyhow::bail!("chat_history answered with something else"),
    }
}

/// Several processes meet here: this one is ready; wait for the word to go.
async fn meet(barrier: &std::path::Path) -> anyhow::Result<()> {
    std::fs::write(barrier.join(format!("ready-{}", std::process::id())), b"")?;
    while !barrier.join("go").exists() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

pub async fn run(config: StageBenchConfig) -> anyhow::Result<serde_json::Value> {
    anyhow::ensure!(!config.nodes.is_empty(), "give at least one node");
    let apis = sign_in_at(&config.nodes, &config.email, &config.password).await?;
    let show = match config.show {
        Some(id) => id,
        None => {
            let stages = apis[0].stages(&LangQuery::default()).await?;
            let first = stages
                .stages
                .first()
                .ok_or_else(|| anyhow::anyhow!("no stage"))?;
            first
                .live
                .as_ref()
                .or(first.next.as_ref())
                .ok_or_else(|| anyhow::anyhow!("the first stage has no show"))?
                .id
        }
    };
    let chat = apis[0]
        .set_show_chat(
            show,
            &ShowChatInput {
                slow_mode_s: config.slow_mode_s,
                mode: None,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("setting slow mode (an organizer's account?): {e}"))?;
    let room_id = chat.room_id;
    let run_id = format!("r{:x}p{}", now_ms(), std::process::id());
    let chatter_apis = chatters(&apis, &apis[0], config.chatters, &run_id).await?;
    if let Some(barrier) = &config.barrier {
        // The servers' memory before any viewer: the script reads it now (the chatters'
        // sign-ins, with their password hashing, are behind us).
        std::fs::write(
            barrier.join(format!("signed-in-{}", std::process::id())),
            b"",
        )?;
    }
    let rss_before = rss_kb(&config.server_pids);

    // Viewers join in waves of 200, round robin over the nodes.
    let joining = Instant::now();
    let mut viewers: Vec<(Hub, tokio::sync::mpsc::UnboundedReceiver<Incoming>, i64)> = Vec::new();
    for chunk in (0..config.viewers).collect::<Vec<_>>().chunks(200) {
        let mut joins = Vec::new();
        for &i in chunk {
            let api = apis[i % apis.len()].clone();
            joins.push(tokio::spawn(join_from_now(api, room_id)));
        }
        for join in joins {
            viewers.push(
                join.await?
                    .map_err(|e| anyhow::anyhow!("viewer {} joining: {e}", viewers.len()))?,
            );
        }
        if viewers.len().is_multiple_of(2000) {
            eprintln!(
                "bench-stage: {} viewers in after {:.1} s",
                viewers.len(),
                joining.elapsed().as_secs_f64()
            );
        }
    }
    let joined_in = joining.elapsed().as_secs_f64();
    let mut talkers = Vec::new();
    for api in chatter_apis {
        talkers.push(join_from_now(api, room_id).await?.0);
    }
    // Let the joins' presence settle before measuring memory.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_viewers = rss_kb(&config.server_pids);
    let start_seq = viewers.iter().map(|v| v.2).max().unwrap_or(0);

    let mut counters = Vec::new();
    let mut hubs = Vec::new();
    for (mut hub, _, _) in viewers {
        // Frames come undecoded with their arrival time: a delivery is timed when it reached
        // this process, and only what is counted is decoded.
        let mut raw = hub.take_raw();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let counted = seen.clone();
        counters.push((
            seen,
            tokio::spawn(async move {
                let mut arrived = Vec::new();
                while let Some((at_ms, text)) = raw.recv().await {
                    arrived.clear();
                    if let Ok(frame) = serde_json::from_str::<Lite>(&text) {
                        frame.messages(room_id, &mut arrived);
                    }
                    if arrived.is_empty() {
                        continue;
                    }
                    let mut seen = counted.lock().expect("seen");
                    for &(seq, created_ms) in &arrived {
                        seen.latency_ms.push((at_ms - created_ms).max(0) as f64);
                        seen.seqs.push(seq);
                    }
                }
            }),
        ));
        hubs.push(Arc::new(hub));
    }
    if let Some(barrier) = &config.barrier {
        meet(barrier).await?;
    }
    let frames_before: u64 = hubs.iter().map(|h| h.frames_received()).sum();
    let started = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let mut senders = Vec::new();
    let every = Duration::from_secs_f64(1.0 / config.rate.max(0.001));
    for (i, hub) in talkers.into_iter().enumerate() {
        let stop = stop.clone();
        let run_id = run_id.clone();
        senders.push(tokio::spawn(async move {
            let mut accepted = Vec::new();
            let mut refused: BTreeMap<String, u64> = BTreeMap::new();
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                n += 1;
                let sent = hub
                    .request(Command::ChatSend {
                        room_id,
                        body: format!("stage {i} #{n}"),
                        key: format!("stage-{run_id}-{i}-{n}"),
                        attachment_id: None,
                        phrase: None,
                    })
                    .await;
                match sent {
                    Ok(ReplyData::ChatSent { message, .. }) => accepted.push(message.seq),
                    Ok(_) => *refused.entry("unexpected".into()).or_default() += 1,
                    Err(crate::ClientError::Server(body)) => {
                        *refused.entry(body.code.as_str().into()).or_default() += 1
                    }
                    Err(_) => *refused.entry("transport".into()).or_default() += 1,
                }
            }
            hub.close();
            (accepted, refused)
        }));
    }
    tokio::time::sleep(Duration::from_secs_f64(config.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let frames_at_stop: u64 = hubs.iter().map(|h| h.frames_received()).sum();
    let mut accepted: Vec<i64> = Vec::new();
    let mut refused: BTreeMap<String, u64> = BTreeMap::new();
    for sender in senders {
        let (seqs, codes) = sender.await?;
        accepted.extend(seqs);
        for (code, n) in codes {
            *refused.entry(code).or_default() += n;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    // The chatters of other processes stop at about the same moment; what they had in flight
    // is stored within their acknowledgement's time.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let reader = hubs
        .first()
        .ok_or_else(|| anyhow::anyhow!("give at least one viewer"))?;
    let newest = newest_seq(reader, room_id).await?;
    // Deliveries in flight: wait until every viewer has the newest stored message (at most
    // 30 s; what has not come by then counts as missing).
    let deadline = Instant::now() + Duration::from_secs(30);
    while newest > start_seq && Instant::now() < deadline {
        let all = counters
            .iter()
            .all(|(seen, _)| seen.lock().expect("seen").seqs.iter().any(|s| *s >= newest));
        if all {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let stored = stored_between(reader, room_id, start_seq, newest).await?;
    let rss_after = rss_kb(&config.server_pids);
    let (mut delivered, mut missing, mut doubled, mut out_of_order) = (0usize, 0, 0, 0);
    let mut delivery_ms = Vec::new();
    for (seen, task) in counters {
        task.abort();
        let seen = seen.lock().expect("seen");
        delivered += seen.seqs.len();
        delivery_ms.extend(seen.latency_ms.iter().copied());
        out_of_order += seen.seqs.windows(2).filter(|w| w[1] <= w[0]).count();
        let mut unique = seen.seqs.clone();
        unique.sort_unstable();
        unique.dedup();
        doubled += seen.seqs.len() - unique.len();
        missing += stored
            .iter()
            .filter(|seq| unique.binary_search(seq).is_err())
            .count();
    }
    for hub in &hubs {
        hub.close();
    }
    accepted.sort_unstable();
    let unstored = accepted
        .iter()
        .filter(|seq| stored.binary_search(seq).is_err())
        .count();
    delivery_ms.sort_by(f64::total_cmp);
    let viewers = hubs.len().max(1);
    let per_viewer_kb =
        |kb: u64| ((kb.saturating_sub(rss_before)) as f64 / viewers as f64 * 10.0).round() / 10.0;
    Ok(serde_json::json!({
        "scenario": "stage",
        "nodes": config.nodes.len(),
        "show": show,
        "viewers": hubs.len(),
        "viewers_joined_per_s": (hubs.len() as f64 / joined_in.max(0.001)).round(),
        "chatters": config.chatters,
        "rate_per_chatter": config.rate,
        "slow_mode_s": config.slow_mode_s,
        "seconds": (elapsed * 100.0).round() / 100.0,
        "accepted": accepted.len(),
        "accepted_per_s": (accepted.len() as f64 / elapsed).round(),
        "accepted_not_stored": unstored,
        "refused": refused,
        "stored": stored.len(),
        "stored_per_s": (stored.len() as f64 / elapsed).round(),
        "delivered": delivered,
        "deliveries_per_s": (delivered as f64 / elapsed).round(),
        "delivery_p50_ms": percentile(&delivery_ms, 0.5),
        "delivery_p99_ms": percentile(&delivery_ms, 0.99),
        "frames_per_viewer_per_s": (((frames_at_stop - frames_before) as f64 / viewers as f64 / elapsed) * 10.0).round() / 10.0,
        "missing": missing,
        "doubled": doubled,
        "out_of_order": out_of_order,
        "server_rss_mb": {
            "before": rss_before / 1024,
            "with_viewers": rss_viewers / 1024,
            "after": rss_after / 1024,
        },
        "server_kb_per_viewer": if config.server_pids.is_empty() { serde_json::Value::Null } else { per_viewer_kb(rss_viewers).into() },
    }))
}
