//! `expo bench-chat`: the chat write path under load. `--senders` connections (one signed-in
//! user; start the server with a chat rate and per-user allowances that cover them all) are
//! spread over `--rooms` booth rooms; each sends messages back to back, the next once the
//! last is acknowledged (acknowledged means stored), for `--seconds`. Every sender is also a
//! member of its room and counts what it receives. Prints one JSON line: messages stored and
//! acknowledged per second, acknowledgement latency, deliveries per second and delivery
//! latency (from the message's `created_ms` on the server to its arrival), and the accounting
//! (acknowledged, delivered, missing, doubled). It asserts nothing.

use crate::{Api, Hub, Incoming};
use expo_schema::protocol::{Command, ReplyData, RoomEvent, ServerFrame};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct ChatBenchConfig {
    pub url: String,
    pub email: String,
    pub password: String,
    pub senders: usize,
    pub rooms: usize,
    pub seconds: f64,
}

pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[(((sorted.len() - 1) as f64) * p).round() as usize]
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Signs in once at each of `urls` (one token per node), for a bench that spreads its
/// connections over several nodes.
pub(crate) async fn sign_in_at(
    urls: &[String],
    email: &str,
    password: &str,
) -> anyhow::Result<Vec<Api>> {
    let mut apis = Vec::new();
    for url in urls {
        let (api, _) = Api::new(url)
            .login(email, password)
            .await
            .map_err(|e| anyhow::anyhow!("signing in at {url}: {e}"))?;
        apis.push(api);
    }
    Ok(apis)
}

/// What one member saw: per room, the sequences in arrival order, and delivery latencies.
#[derive(Default)]
struct Seen {
    seqs: HashMap<i64, Vec<i64>>,
    latency_ms: Vec<f64>,
}

/// Connects, joins a chat room from now on (no history), and takes the connection's incoming
/// stream: the connection, what it will receive, and the room's last sequence at the join.
pub(crate) async fn join_from_now(
    api: Api,
    room_id: i64,
) -> crate::Result<(Hub, tokio::sync::mpsc::UnboundedReceiver<Incoming>, i64)> {
    let mut hub = api.connect().await?;
    let joined = hub
        .request(Command::ChatJoin {
            room_id,
            after_seq: i64::MAX / 2,
        })
        .await?;
    let last = match joined {
        ReplyData::ChatJoined { room, .. } => room.last_seq,
        _ => 0,
    };
    let incoming = hub.take_incoming();
    Ok((hub, incoming, last))
}

pub async fn run(config: ChatBenchConfig) -> anyhow::Result<serde_json::Value> {
    let (api, _) = Api::new(&config.url)
        .login(&config.email, &config.password)
        .await
        .map_err(|e| anyhow::anyhow!("signing in: {e}"))?;
    // Booth rooms: the first `rooms` companies that have one.
    let opener = api.connect().await?;
    let mut rooms = Vec::new();
    for company in 1..=(config.rooms as i64 * 4 + 20) {
        if rooms.len() == config.rooms {
            break;
        }
        let open = opener
            .request(Command::ChatOpen {
                target: format!("booth:{company}"),
            })
            .await;
        if let Ok(ReplyData::ChatRoom { room }) = open {
            rooms.push(room.id);
        }
    }
    anyhow::ensure!(!rooms.is_empty(), "no booth room could be opened");
    let run_id = format!("{:x}", now_ms());
    let mut members = Vec::new();
    let start_seq = Arc::new(Mutex::new(HashMap::<i64, i64>::new()));
    for chunk in (0..config.senders).collect::<Vec<_>>().chunks(50) {
        let mut joins = Vec::new();
        for &i in chunk {
            let api = api.clone();
            let room_id = rooms[i % rooms.len()];
            joins.push(tokio::spawn(async move {
                let (hub, incoming, last) = join_from_now(api, room_id).await?;
                Ok::<_, crate::ClientError>((hub, incoming, room_id, last))
            }));
        }
        for join in joins {
            let (hub, incoming, room_id, last) = join.await??;
            start_seq
                .lock()
                .expect("start")
                .entry(room_id)
                .and_modify(|s| *s = (*s).max(last))
                .or_insert(last);
            members.push((hub, incoming, room_id));
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let mut counters = Vec::new();
    let mut senders = Vec::new();
    let started = Instant::now();
    for (i, (hub, mut incoming, room_id)) in members.into_iter().enumerate() {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let counted = seen.clone();
        counters.push((
            seen,
            tokio::spawn(async move {
                while let Some(item) = incoming.recv().await {
                    if let Incoming::Frame(ServerFrame::Event {
                        event: RoomEvent::ChatMessage { message },
                        ..
                    }) = item
                    {
                        let mut seen = counted.lock().expect("seen");
                        seen.latency_ms
                            .push((now_ms() - message.created_ms).max(0) as f64);
                        seen.seqs
                            .entry(message.room_id)
                            .or_default()
                            .push(message.seq);
                    } else if let Incoming::Closed(_) = item {
                        break;
                    }
                }
            }),
        ));
        let stop = stop.clone();
        let run_id = run_id.clone();
        senders.push(tokio::spawn(async move {
            let mut acks: Vec<(i64, i64)> = Vec::new();
            let mut latency = Vec::new();
            let mut errors = 0u64;
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let t = Instant::now();
                let sent = hub
                    .request(Command::ChatSend {
                        room_id,
                        body: format!("load {i} #{n}"),
                        key: format!("bench-{run_id}-{i}-{n}"),
                        attachment_id: None,
                        phrase: None,
                    })
                    .await;
                match sent {
                    Ok(ReplyData::ChatSent { message, .. }) => {
                        latency.push(t.elapsed().as_secs_f64() * 1000.0);
                        acks.push((message.room_id, message.seq));
                    }
                    _ => errors += 1,
                }
            }
            (hub, acks, latency, errors)
        }));
    }
    tokio::time::sleep(Duration::from_secs_f64(config.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut acked: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut ack_ms = Vec::new();
    let mut errors = 0;
    let mut hubs: Vec<Hub> = Vec::new();
    for sender in senders {
        let (hub, acks, latency, e) = sender.await?;
        for (room, seq) in acks {
            acked.entry(room).or_default().push(seq);
        }
        ack_ms.extend(latency);
        errors += e;
        hubs.push(hub);
    }
    let elapsed = started.elapsed().as_secs_f64();
    // Deliveries in flight arrive within the settle time.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let total_acked: usize = acked.values().map(Vec::len).sum();
    let mut delivered = 0usize;
    let (mut missing, mut doubled, mut out_of_order) = (0usize, 0usize, 0usize);
    let mut delivery_ms = Vec::new();
    let start_seq = start_seq.lock().expect("start").clone();
    for (i, (seen, task)) in counters.into_iter().enumerate() {
        task.abort();
        let seen = seen.lock().expect("seen");
        let room = rooms[i % rooms.len()];
        let got = seen.seqs.get(&room).cloned().unwrap_or_default();
        delivered += got.len();
        delivery_ms.extend(seen.latency_ms.iter().copied());
        out_of_order += got.windows(2).filter(|w| w[1] <= w[0]).count();
        let mut unique = got.clone();
        unique.sort_unstable();
        unique.dedup();
        doubled += got.len() - unique.len();
        // Every acknowledged message of the room after this member joined must have come.
        let from = start_seq.get(&room).copied().unwrap_or(0);
        for seq in acked.get(&room).into_iter().flatten() {
            if *seq > from && unique.binary_search(seq).is_err() {
                missing += 1;
            }
        }
    }
    for hub in &hubs {
        hub.close();
    }
    ack_ms.sort_by(f64::total_cmp);
    delivery_ms.sort_by(f64::total_cmp);
    Ok(serde_json::json!({
        "scenario": "chat",
        "senders": config.senders,
        "rooms": rooms.len(),
        "seconds": (elapsed * 100.0).round() / 100.0,
        "acknowledged": total_acked,
        "messages_per_s": (total_acked as f64 / elapsed).round(),
        "ack_p50_ms": percentile(&ack_ms, 0.5),
        "ack_p99_ms": percentile(&ack_ms, 0.99),
        "errors": errors,
        "delivered": delivered,
        "deliveries_per_s": (delivered as f64 / elapsed).round(),
        "delivery_p50_ms": percentile(&delivery_ms, 0.5),
        "delivery_p99_ms": percentile(&delivery_ms, 0.99),
        "missing": missing,
        "doubled": doubled,
        "out_of_order": out_of_order,
    }))
}
