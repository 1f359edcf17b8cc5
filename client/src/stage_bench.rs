//! `expo bench-stage`: a stage show's chat at broadcast scale. `--viewers` connections of one
//! signed-in account (start the servers with per-user allowances that cover them all) are
//! spread round robin over the nodes in `--nodes`; each joins the show's chat room. The first
//! `--chatters` of them also send, each `--rate` messages a second, for `--seconds`, with the
//! show's slow mode set to `--slow-mode` seconds first (the account must run the show: an
//! organizer). Every viewer counts what it receives. Prints one JSON line: messages accepted
//! (stored and acknowledged) per second, refusals by code, deliveries, the delivery latency
//! from the message's `created_ms` on the server to its arrival (p50, p99), frames per viewer
//! and second (batching keeps this at a few however fast the chat runs), the accounting
//! (missing, doubled, out of order: every viewer must get every accepted message once, in
//! order) and, with `--server-pids`, the servers' resident memory per viewer. It asserts
//! nothing.

use crate::chat_bench::{join_from_now, now_ms, percentile};
use crate::{Api, Hub, Incoming};
use expo_schema::api::{LangQuery, ShowChatInput};
use expo_schema::protocol::{Command, ReplyData, RoomEvent, ServerFrame};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct StageBenchConfig {
    /// The nodes' root URLs; viewers are spread over them.
    pub nodes: Vec<String>,
    pub email: String,
    pub password: String,
    /// The show; by default the first stage's live or next show.
    pub show: Option<i64>,
    pub viewers: usize,
    pub chatters: usize,
    /// Messages a second per chatter.
    pub rate: f64,
    pub slow_mode_s: i64,
    pub seconds: f64,
    /// The servers' process ids, for their resident memory.
    pub server_pids: Vec<u32>,
}

/// The resident memory of these processes, in kB (0 for one that cannot be read).
fn rss_kb(pids: &[u32]) -> u64 {
    pids.iter()
        .map(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/status"))
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find(|l| l.starts_with("VmRSS:"))
                        .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                })
                .unwrap_or(0)
        })
        .sum()
}

/// What one viewer saw: the sequences in arrival order and the delivery latencies.
#[derive(Default)]
struct Seen {
    seqs: Vec<i64>,
    latency_ms: Vec<f64>,
}

pub async fn run(config: StageBenchConfig) -> anyhow::Result<serde_json::Value> {
    anyhow::ensure!(!config.nodes.is_empty(), "give at least one node");
    let mut apis = Vec::new();
    for node in &config.nodes {
        let (api, _) = Api::new(node)
            .login(&config.email, &config.password)
            .await
            .map_err(|e| anyhow::anyhow!("signing in at {node}: {e}"))?;
        apis.push(api);
    }
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
    let rss_before = rss_kb(&config.server_pids);

    // Viewers join in waves of 200, round robin over the nodes.
    let mut viewers: Vec<(Hub, tokio::sync::mpsc::UnboundedReceiver<Incoming>, i64)> = Vec::new();
    for chunk in (0..config.viewers).collect::<Vec<_>>().chunks(200) {
        let mut joins = Vec::new();
        for &i in chunk {
            let api = apis[i % apis.len()].clone();
            joins.push(tokio::spawn(join_from_now(api, room_id)));
        }
        for join in joins {
            viewers.push(join.await??);
        }
    }
    // Let the joins' presence settle before measuring memory.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_viewers = rss_kb(&config.server_pids);
    let start_seq = viewers.iter().map(|v| v.2).max().unwrap_or(0);

    let stop = Arc::new(AtomicBool::new(false));
    let mut counters = Vec::new();
    let mut hubs = Vec::new();
    for (hub, mut incoming, _) in viewers {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let counted = seen.clone();
        counters.push((
            seen,
            tokio::spawn(async move {
                while let Some(item) = incoming.recv().await {
                    match item {
                        Incoming::Frame(ServerFrame::Event {
                            event: RoomEvent::ChatMessage { message },
                            ..
                        }) if message.room_id == room_id => {
                            let mut seen = counted.lock().expect("seen");
                            seen.latency_ms
                                .push((now_ms() - message.created_ms).max(0) as f64);
                            seen.seqs.push(message.seq);
                        }
                        Incoming::Closed(_) => break,
                        _ => {}
                    }
                }
            }),
        ));
        hubs.push(Arc::new(hub));
    }
    let frames_before: u64 = hubs.iter().map(|h| h.frames_received()).sum();
    let run_id = format!("{:x}", now_ms());
    let started = Instant::now();
    let mut senders = Vec::new();
    let every = Duration::from_secs_f64(1.0 / config.rate.max(0.001));
    for (i, hub) in hubs.iter().take(config.chatters).enumerate() {
        let hub = hub.clone();
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
    accepted.sort_unstable();
    // Deliveries in flight: wait until every viewer has the newest accepted message (at most
    // 30 s; what has not come by then counts as missing).
    if let Some(newest) = accepted.last().copied() {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let all = counters
                .iter()
                .all(|(seen, _)| seen.lock().expect("seen").seqs.iter().any(|s| *s >= newest));
            if all {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
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
        missing += accepted
            .iter()
            .filter(|seq| **seq > start_seq && unique.binary_search(seq).is_err())
            .count();
    }
    for hub in &hubs {
        hub.close();
    }
    delivery_ms.sort_by(f64::total_cmp);
    let viewers = hubs.len().max(1);
    let per_viewer_kb =
        |kb: u64| ((kb.saturating_sub(rss_before)) as f64 / viewers as f64 * 10.0).round() / 10.0;
    Ok(serde_json::json!({
        "scenario": "stage",
        "nodes": config.nodes.len(),
        "show": show,
        "viewers": hubs.len(),
        "chatters": config.chatters.min(hubs.len()),
        "rate_per_chatter": config.rate,
        "slow_mode_s": config.slow_mode_s,
        "seconds": (elapsed * 100.0).round() / 100.0,
        "accepted": accepted.len(),
        "accepted_per_s": (accepted.len() as f64 / elapsed).round(),
        "refused": refused,
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
