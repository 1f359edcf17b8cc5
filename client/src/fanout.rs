//! `expo bench-fanout`: one room, `--members` connections in it, `--senders` of them sending;
//! every message goes to every member. The same workload runs against four kinds of server,
//! so that figures taken in one run are ratios rather than numbers from different days:
//!
//! - `bare`: the transport's ceiling, a tokio-tungstenite server that sends every text frame
//!   it receives to every connection (`bench/peers/bare`);
//! - `socketio`: Socket.IO 4.8 with the Redis adapter doing the same room broadcast
//!   (`bench/peers/socketio`), spoken to in its own wire protocol (Engine.IO 4 over a
//!   websocket: `40` to connect, `42["msg",…]` events, `2`/`3` pings);
//! - `expo-chat`: Expo Hub's booth chat (stored, acknowledged, delivered to the room);
//! - `expo-signal`: Expo Hub's video-room signal relay (`meeting_signal`, not stored), with
//!   every member a connection of the buyer of the demo's video meeting that is open now.
//!
//! Each sender keeps `--window` messages in flight: it sends the next when one of its own
//! comes back to it through the room (the closed loop a chat client makes, and the one
//! thing every server here does alike). A message is the text `fan:{sender}:{n}:{sent_ms}`;
//! every member keeps, per sender, the last `n` it saw, so a gap, a repeat or a reordering
//! is counted, and the delivery latency is the arrival time (stamped as the frame is read)
//! less `sent_ms`. With `--pid`, the servers' CPU time and resident memory are read from
//! `/proc` before and after, for the CPU each delivery cost.
//!
//! One JSON line. It asserts nothing: a benchmark is a command, not a test.

use crate::chat_bench::{now_ms, percentile, sign_in_at};
use crate::procfs::{cpu_seconds, rss_kb};
use crate::{ws_url, Api, Hub, RawFrame};
use expo_schema::api::MeetingList;
use expo_schema::domain::{MeetingMode, MeetingState};
use expo_schema::protocol::{Command, ReplyData};
use futures_util::{SinkExt, StreamExt};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, Semaphore};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

/// The server under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    Bare,
    Socketio,
    ExpoChat,
    ExpoSignal,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Bare => "bare",
            Target::Socketio => "socketio",
            Target::ExpoChat => "expo-chat",
            Target::ExpoSignal => "expo-signal",
        }
    }

    /// What precedes a message's text in a frame that delivers it, and only in such a frame
    /// (Expo Hub also tells a user's other connections about a chat in frames of their own,
    /// which are not deliveries of the room).
    fn marker(self) -> &'static str {
        match self {
            Target::Bare => "fan:",
            Target::Socketio => r#""msg","fan:"#,
            Target::ExpoChat => r#""body":"fan:"#,
            Target::ExpoSignal => r#""p":"fan:"#,
        }
    }
}

#[derive(Debug, Clone)]
pub struct FanoutConfig {
    pub target: Target,
    /// The servers' root URLs (`http://…` for Expo Hub and Socket.IO, `ws://…` or `http://…`
    /// for the bare server); members are spread over them round robin.
    pub urls: Vec<String>,
    pub email: String,
    pub password: String,
    pub members: usize,
    pub senders: usize,
    pub window: usize,
    pub seconds: f64,
    /// Connections being set up at once.
    pub concurrency: usize,
    /// The servers' process ids, for CPU and memory.
    pub server_pids: Vec<u32>,
}

/// Latencies in 1 ms buckets up to a minute, shared by every member.
struct Histogram(Vec<AtomicU64>);

impl Histogram {
    const LIMIT: usize = 60_000;

    fn new() -> Self {
        Histogram((0..=Self::LIMIT).map(|_| AtomicU64::new(0)).collect())
    }

    fn record(&self, ms: i64) {
        let bucket = (ms.max(0) as usize).min(Self::LIMIT);
        self.0[bucket].fetch_add(1, Ordering::Relaxed);
    }

    fn percentile(&self, p: f64) -> f64 {
        let counts: Vec<u64> = self.0.iter().map(|c| c.load(Ordering::Relaxed)).collect();
        let total: u64 = counts.iter().sum();
        if total == 0 {
            return 0.0;
        }
        let rank = ((total - 1) as f64 * p).round() as u64;
        let mut seen = 0;
        for (ms, count) in counts.iter().enumerate() {
            seen += count;
            if seen > rank {
                return ms as f64;
            }
        }
        Self::LIMIT as f64
    }
}

/// One member's books: per sender, the last message number it saw.
#[derive(Default)]
struct Books {
    last: Vec<u64>,
    received: u64,
    /// A number at or below one seen before from the same sender.
    doubled_or_late: u64,
    /// Numbers skipped over (they may come later, as `doubled_or_late`).
    skipped: u64,
}

/// How a member sends a message of its own.
enum Out {
    /// A raw text frame (bare server, Socket.IO).
    Frame(mpsc::UnboundedSender<Message>),
    /// An Expo Hub request, its reply counted.
    Hub(Arc<Hub>, ExpoRoom),
}

#[derive(Clone, Copy)]
enum ExpoRoom {
    Chat { room_id: i64 },
    Signal { meeting_id: i64, to: i64 },
}

struct Shared {
    target: Target,
    stop: AtomicBool,
    histogram: Histogram,
    sent: Vec<AtomicU64>,
    errors: AtomicU64,
    delivered: AtomicU64,
    last_arrival_ms: AtomicU64,
    run: String,
}

impl Out {
    fn send(&self, shared: &Arc<Shared>, text: String) {
        match self {
            Out::Frame(out) => {
                let frame = match shared.target {
                    Target::Socketio => format!(r#"42["msg","{text}"]"#),
                    _ => text,
                };
                if out.send(Message::Text(frame.into())).is_err() {
                    shared.errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            Out::Hub(hub, room) => {
                let command = match *room {
                    ExpoRoom::Chat { room_id } => Command::ChatSend {
                        room_id,
                        key: format!("fan-{}-{text}", shared.run),
                        body: text,
                        attachment_id: None,
                        phrase: None,
                    },
                    ExpoRoom::Signal { meeting_id, to } => Command::MeetingSignal {
                        meeting_id,
                        to,
                        data: serde_json::json!({ "p": text }),
                    },
                };
                // Sent now, in order; only the wait for the reply is left to a task.
                match hub.send_request(command) {
                    Ok(reply) => {
                        let shared = shared.clone();
                        tokio::spawn(async move {
                            if reply.await.is_err() {
                                shared.errors.fetch_add(1, Ordering::Relaxed);
                            }
                        });
                    }
                    Err(_) => {
                        shared.errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }
    }
}

/// The messages in a frame: `(sender, n, sent_ms)` after each marker.
fn messages<'a>(text: &'a str, marker: &'a str) -> impl Iterator<Item = (usize, u64, i64)> + 'a {
    text.match_indices(marker).filter_map(move |(at, _)| {
        let mut parts = text[at + marker.len()..].splitn(3, ':');
        let sender = parts.next()?.parse().ok()?;
        let n = parts.next()?.parse().ok()?;
        let rest = parts.next()?;
        let end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        Some((sender, n, rest[..end].parse().ok()?))
    })
}

/// A member connection as the bench drives it: how to send, and its frames as they arrive.
struct Member {
    out: Out,
    frames: mpsc::UnboundedReceiver<RawFrame>,
    /// Held so the connection stays open.
    _hub: Option<Arc<Hub>>,
}

/// Opens a plain websocket (bare server, Socket.IO) and, for Socket.IO, connects to its main
/// namespace; the frames that carry events go to the member's queue, stamped on arrival.
async fn open_plain(target: Target, url: &str) -> anyhow::Result<Member> {
    let path = match target {
        Target::Socketio => "/socket.io/?EIO=4&transport=websocket",
        _ => "/",
    };
    let request = ws_url(url, path).into_client_request()?;
    let config = WebSocketConfig::default().read_buffer_size(16 * 1024);
    let (socket, _) =
        tokio_tungstenite::connect_async_with_config(request, Some(config), true).await?;
    let (mut sink, mut stream) = socket.split();
    let (out, mut out_rx) = mpsc::unbounded_channel::<Message>();
    tokio::spawn(async move {
        while let Some(message) = out_rx.recv().await {
            if sink.feed(message).await.is_err() {
                return;
            }
            while let Ok(message) = out_rx.try_recv() {
                if sink.feed(message).await.is_err() {
                    return;
                }
            }
            if sink.flush().await.is_err() {
                return;
            }
        }
    });
    let (frames_tx, frames) = mpsc::unbounded_channel();
    let (ready_tx, ready) = tokio::sync::oneshot::channel::<()>();
    let socketio = target == Target::Socketio;
    let replies = out.clone();
    tokio::spawn(async move {
        let mut ready_tx = Some(ready_tx);
        if !socketio {
            let _ = ready_tx.take().map(|r| r.send(()));
        }
        while let Some(Ok(message)) = stream.next().await {
            let Message::Text(text) = message else {
                if message.is_close() {
                    break;
                }
                continue;
            };
            if !socketio {
                let _ = frames_tx.send((now_ms(), text));
                continue;
            }
            // Engine.IO packet types: 0 open, 2 ping, 4 message; Socket.IO inside a
            // message: 0 connect, 2 event.
            match text.as_bytes() {
                [b'0', ..] => {
                    let _ = replies.send(Message::Text("40".into()));
                }
                [b'2'] => {
                    let _ = replies.send(Message::Text("3".into()));
                }
                [b'4', b'0', ..] => {
                    let _ = ready_tx.take().map(|r| r.send(()));
                }
                [b'4', b'2', ..] => {
                    let _ = frames_tx.send((now_ms(), text));
                }
                _ => {}
            }
        }
    });
    tokio::time::timeout(Duration::from_secs(30), ready)
        .await
        .map_err(|_| anyhow::anyhow!("no Socket.IO connect within 30 s"))??;
    Ok(Member {
        out: Out::Frame(out),
        frames,
        _hub: None,
    })
}

/// Opens an Expo Hub connection with `api`'s token and enters the room.
async fn open_expo(api: &Api, room: ExpoRoom) -> anyhow::Result<Member> {
    let mut hub = api.connect().await?;
    let frames = hub.take_raw();
    match room {
        ExpoRoom::Chat { room_id } => {
            hub.request(Command::ChatJoin {
                room_id,
                after_seq: i64::MAX / 2,
            })
            .await?;
        }
        ExpoRoom::Signal { meeting_id, .. } => {
            hub.request(Command::MeetingJoin { meeting_id }).await?;
        }
    }
    let hub = Arc::new(hub);
    Ok(Member {
        out: Out::Hub(hub.clone(), room),
        frames,
        _hub: Some(hub),
    })
}

/// The room the Expo Hub members share: a booth chat the user can open, or the video meeting
/// of the user's that is open now (with the other participant to address).
async fn expo_room(target: Target, api: &Api) -> anyhow::Result<ExpoRoom> {
    if target == Target::ExpoSignal {
        let me = api.me().await?.id;
        let now = now_ms();
        let list: MeetingList = api.meetings().await?;
        let meeting = list
            .meetings
            .into_iter()
            .find(|m| {
                m.state == MeetingState::Confirmed
                    && m.mode == MeetingMode::Online
                    && m.starts_ms - 10 * 60_000 <= now
                    && now < m.ends_ms
            })
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "no online meeting of this user is open now (the demo's buyer has one)"
                )
            })?;
        let to = [meeting.staff.as_ref(), meeting.interpreter.as_ref()]
            .into_iter()
            .flatten()
            .map(|u| u.id)
            .find(|id| *id != me)
            .ok_or_else(|| anyhow::anyhow!("the meeting has nobody else to signal"))?;
        return Ok(ExpoRoom::Signal {
            meeting_id: meeting.id,
            to,
        });
    }
    let hub = api.connect().await?;
    for company in 1..=40 {
        if let Ok(ReplyData::ChatRoom { room }) = hub
            .request(Command::ChatOpen {
                target: format!("booth:{company}"),
            })
            .await
        {
            hub.close();
            return Ok(ExpoRoom::Chat { room_id: room.id });
        }
    }
    anyhow::bail!("no booth room could be opened")
}

pub async fn run(config: FanoutConfig) -> anyhow::Result<serde_json::Value> {
    anyhow::ensure!(!config.urls.is_empty(), "no server URL");
    anyhow::ensure!(
        config.senders >= 1 && config.senders <= config.members,
        "senders must be between 1 and the members"
    );
    let expo = matches!(config.target, Target::ExpoChat | Target::ExpoSignal);
    // Expo Hub: sign in once per node, then every member connects with that token.
    let mut apis = Vec::new();
    let mut room = None;
    if expo {
        apis = sign_in_at(&config.urls, &config.email, &config.password).await?;
        room = Some(expo_room(config.target, &apis[0]).await?);
    }
    let rss_before = rss_kb(&config.server_pids);
    // Connection set-up, `concurrency` at a time.
    let gate = Arc::new(Semaphore::new(config.concurrency.max(1)));
    let setup_started = Instant::now();
    let mut opening = Vec::new();
    for i in 0..config.members {
        let gate = gate.clone();
        let target = config.target;
        let url = config.urls[i % config.urls.len()].clone();
        let api = apis.get(i % apis.len().max(1)).cloned();
        opening.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await?;
            let t = Instant::now();
            let member = match (api, room) {
                (Some(api), Some(room)) => open_expo(&api, room).await?,
                _ => open_plain(target, &url).await?,
            };
            Ok::<_, anyhow::Error>((member, t.elapsed().as_secs_f64() * 1000.0))
        }));
    }
    let mut members = Vec::new();
    let mut setup_ms = Vec::new();
    let mut setup_errors = 0u64;
    for open in opening {
        match open.await? {
            Ok((member, ms)) => {
                members.push(member);
                setup_ms.push(ms);
            }
            Err(e) => {
                if setup_errors == 0 {
                    tracing::warn!("a member could not connect: {e:#}");
                }
                setup_errors += 1;
            }
        }
    }
    let setup_s = setup_started.elapsed().as_secs_f64();
    setup_ms.sort_by(f64::total_cmp);
    anyhow::ensure!(
        members.len() >= config.senders,
        "only {} of {} members connected",
        members.len(),
        config.members
    );
    // Let the set-up's own traffic (presence, welcome frames) drain before measuring.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_connected = rss_kb(&config.server_pids);
    let cpu_before = cpu_seconds(&config.server_pids);

    let shared = Arc::new(Shared {
        target: config.target,
        stop: AtomicBool::new(false),
        histogram: Histogram::new(),
        sent: (0..config.senders).map(|_| AtomicU64::new(0)).collect(),
        errors: AtomicU64::new(0),
        delivered: AtomicU64::new(0),
        last_arrival_ms: AtomicU64::new(0),
        run: format!("{:x}", now_ms()),
    });
    let started_ms = now_ms();
    let started = Instant::now();
    let mut books = Vec::new();
    let mut tasks = Vec::new();
    for (index, member) in members.into_iter().enumerate() {
        let book = Arc::new(Mutex::new(Books {
            last: vec![0; config.senders],
            ..Books::default()
        }));
        books.push(book.clone());
        let shared = shared.clone();
        let window = config.window.max(1);
        tasks.push(tokio::spawn(async move {
            let Member {
                out,
                mut frames,
                _hub,
            } = member;
            let sender = (index < shared.sent.len()).then_some(index);
            let next = |shared: &Arc<Shared>, me: usize| {
                let n = shared.sent[me].fetch_add(1, Ordering::Relaxed) + 1;
                out.send(shared, format!("fan:{me}:{n}:{}", now_ms()));
            };
            if let Some(me) = sender {
                for _ in 0..window {
                    next(&shared, me);
                }
            }
            let marker = shared.target.marker();
            while let Some((arrived, text)) = frames.recv().await {
                let mut echoes = 0;
                {
                    let mut guard = book.lock().expect("books");
                    let book = &mut *guard;
                    for (from, n, sent_ms) in messages(&text, marker) {
                        let Some(last) = book.last.get_mut(from) else {
                            continue;
                        };
                        if n <= *last {
                            book.doubled_or_late += 1;
                        } else {
                            book.skipped += n - *last - 1;
                            *last = n;
                        }
                        book.received += 1;
                        shared.histogram.record(arrived - sent_ms);
                        shared.delivered.fetch_add(1, Ordering::Relaxed);
                        if Some(from) == sender {
                            echoes += 1;
                        }
                    }
                }
                shared
                    .last_arrival_ms
                    .fetch_max(arrived as u64, Ordering::Relaxed);
                if let Some(me) = sender {
                    if !shared.stop.load(Ordering::Relaxed) {
                        for _ in 0..echoes {
                            next(&shared, me);
                        }
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs_f64(config.seconds)).await;
    shared.stop.store(true, Ordering::Relaxed);
    let sending_s = started.elapsed().as_secs_f64();
    // What is in flight arrives: wait until every member has every message, or 10 s.
    let expected =
        |shared: &Shared| -> u64 { shared.sent.iter().map(|s| s.load(Ordering::Relaxed)).sum() };
    let settle = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let want = expected(&shared);
        let short = books
            .iter()
            .any(|b| b.lock().expect("books").received < want);
        if !short || settle.elapsed() > Duration::from_secs(10) {
            break;
        }
    }
    let cpu_after = cpu_seconds(&config.server_pids);
    let rss_after = rss_kb(&config.server_pids);
    for task in &tasks {
        task.abort();
    }
    let sent_total = expected(&shared);
    let mut missing = 0u64;
    let (mut doubled, mut skipped) = (0u64, 0u64);
    for book in &books {
        let book = book.lock().expect("books");
        doubled += book.doubled_or_late;
        skipped += book.skipped;
        for (sender, last) in book.last.iter().enumerate() {
            missing += shared.sent[sender].load(Ordering::Relaxed) - last;
        }
    }
    // Skipped numbers that never came late are missing too.
    missing += skipped.saturating_sub(doubled);
    let delivered = shared.delivered.load(Ordering::Relaxed);
    let last = shared.last_arrival_ms.load(Ordering::Relaxed) as i64;
    let span_s = ((last - started_ms) as f64 / 1000.0).max(sending_s.min(0.001));
    let cpu = cpu_after - cpu_before;
    let round = |x: f64, digits: i32| {
        let f = 10f64.powi(digits);
        (x * f).round() / f
    };
    Ok(serde_json::json!({
        "scenario": "fanout",
        "target": config.target.name(),
        "nodes": config.urls.len(),
        "members": books.len(),
        "senders": config.senders,
        "window": config.window,
        "setup_s": round(setup_s, 2),
        "connections_per_s": round(books.len() as f64 / setup_s, 0),
        "setup_p50_ms": round(percentile(&setup_ms, 0.5), 1),
        "setup_p99_ms": round(percentile(&setup_ms, 0.99), 1),
        "setup_errors": setup_errors,
        "seconds": round(span_s, 2),
        "messages": sent_total,
        "messages_per_s": round(sent_total as f64 / span_s, 0),
        "delivered": delivered,
        "deliveries_per_s": round(delivered as f64 / span_s, 0),
        "latency_p50_ms": shared.histogram.percentile(0.5),
        "latency_p99_ms": shared.histogram.percentile(0.99),
        "missing": missing,
        "doubled_or_late": doubled,
        "errors": shared.errors.load(Ordering::Relaxed),
        "server_cpu_s": round(cpu, 2),
        "server_cpu_us_per_delivery": if delivered > 0 { round(cpu * 1e6 / delivered as f64, 2) } else { 0.0 },
        "server_rss_mb_before": round(rss_before as f64 / 1024.0, 1),
        "server_rss_mb_connected": round(rss_connected as f64 / 1024.0, 1),
        "server_rss_mb_after": round(rss_after as f64 / 1024.0, 1),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_message_after_its_marker() {
        let chat = r#"{"type":"batch","frames":[{"message":{"body":"fan:3:17:1700000000123","seq":9}},{"message":{"body":"fan:0:2:1700000000200"}}]}"#;
        let found: Vec<_> = messages(chat, Target::ExpoChat.marker()).collect();
        assert_eq!(
            found,
            vec![(3, 17, 1_700_000_000_123), (0, 2, 1_700_000_000_200)]
        );
        // A preview of the same text in another kind of frame is not a delivery.
        let preview =
            r#"{"type":"event","event":{"type":"inbox","preview":"fan:3:17:1700000000123"}}"#;
        assert_eq!(messages(preview, Target::ExpoChat.marker()).count(), 0);
        let socketio = r#"42["msg","fan:1:5:1700000000999"]"#;
        assert_eq!(
            messages(socketio, Target::Socketio.marker()).collect::<Vec<_>>(),
            vec![(1, 5, 1_700_000_000_999)]
        );
        assert_eq!(
            messages("fan:7:1:42", Target::Bare.marker()).collect::<Vec<_>>(),
            vec![(7, 1, 42)]
        );
        assert_eq!(messages("fan:x:1:42", "fan:").count(), 0, "not a number");
    }

    #[test]
    fn percentiles_come_from_the_buckets() {
        let h = Histogram::new();
        h.record(-5);
        for ms in 1..=100 {
            h.record(ms);
        }
        assert_eq!(h.percentile(0.5), 50.0);
        assert_eq!(h.percentile(0.0), 0.0, "a clock step back counts as 0 ms");
        assert_eq!(h.percentile(1.0), 100.0);
        let slow = Histogram::new();
        slow.record(1_000_000);
        assert_eq!(
            slow.percentile(0.99),
            Histogram::LIMIT as f64,
            "capped at a minute"
        );
    }
}
