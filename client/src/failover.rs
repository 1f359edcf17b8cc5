//! `expo bench-failover`: how long a fault takes to heal, with many clients.
//!
//! Starts its own Redis (`redis-server` on a free port) and two nodes (`--server-bin`) on one
//! Postgres database, opens `--clients` connections on node A (each in the lobby and in the
//! fair's announcement room), keeps an organizer on node B posting announcements, then does
//! the fault: `kill` (SIGKILL node A) or `redis` (stop Redis, start it again). Every client
//! reconnects (to B after a kill, to any node after Redis is back) after a random backoff and
//! re-joins the chat room from its last sequence. It prints, from the fault: when A's users
//! were gone from presence on B, when every client was back, when every client had caught up,
//! and the exact accounting (stored announcements, delivered to each client, lost, doubled).
//! It asserts nothing.

use crate::{Api, Hub, Incoming};
use expo_schema::protocol::{Command, ReplyData, RoomEvent, ServerFrame};
use std::process::{Child, Command as Process, Stdio};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct FailoverConfig {
    pub server_bin: String,
    pub database_url: String,
    pub clients: usize,
    /// `kill` or `redis`.
    pub fault: String,
    pub admin_password: String,
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

struct Proc(Option<Child>);

impl Proc {
    fn kill(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

fn redis_server(port: u16) -> anyhow::Result<Proc> {
    let child = Process::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .spawn()?;
    std::thread::sleep(Duration::from_millis(300));
    Ok(Proc(Some(child)))
}

fn node(
    config: &FailoverConfig,
    id: &str,
    port: u16,
    redis: u16,
    prefix: &str,
) -> anyhow::Result<Proc> {
    let data = std::env::temp_dir().join(format!("expo-failover-{prefix}-{id}"));
    let child = Process::new(&config.server_bin)
        .env("EXPO_LISTEN", format!("127.0.0.1:{port}"))
        .env("EXPO_DATA_DIR", data)
        .env("EXPO_DATABASE_URL", &config.database_url)
        .env("EXPO_REDIS_URL", format!("redis://127.0.0.1:{redis}/"))
        .env("EXPO_REDIS_PREFIX", prefix)
        .env("EXPO_NODE_ID", id)
        .env("EXPO_ADMIN_PASSWORD", &config.admin_password)
        .env("EXPO_ADMIN_EMAIL", "admin@expo.local")
        .env("EXPO_RATE_PER_SEC", "1000")
        .env("EXPO_RATE_BURST", "2000")
        // Every client is the same organizer: the per-user allowances must cover them all,
        // and the announcer posts twenty times a second.
        .env("EXPO_USER_RATE_PER_SEC", "1000000")
        .env("EXPO_USER_RATE_BURST", "1000000")
        .env("EXPO_CHAT_RATE_PER_SEC", "1000")
        // Every client is the same organizer, from one address.
        .env("EXPO_MAX_CONNS_PER_USER", "100000")
        .env("EXPO_MAX_CONNS_PER_ADDRESS", "100000")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log_of(prefix, id))?)
        .spawn()?;
    Ok(Proc(Some(child)))
}

/// Where a node's log goes (shown when it does not become ready).
fn log_of(prefix: &str, id: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("expo-failover-{prefix}-{id}.log"))
}

async fn ready(base: &str, log: std::path::PathBuf) -> anyhow::Result<()> {
    let api = Api::new(base);
    for _ in 0..600 {
        if api.readyz().await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let tail: Vec<&str> = text.lines().rev().take(20).collect();
    anyhow::bail!(
        "{base} never became ready; the end of its log ({}):\n{}",
        log.display(),
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    )
}

/// One client's view: the sequences it applied, in order.
struct Client {
    last: i64,
    got: Vec<i64>,
    /// Live messages it already had (dropped by sequence, as the web client does).
    redelivered: usize,
}

/// Why joins failed, by reason, over the whole run.
static JOIN_ERRORS: Mutex<Vec<(String, usize)>> = Mutex::new(Vec::new());

/// Time spent in each step of the joins (connect, subscribe, chat_join), summed over every
/// attempt, in microseconds, with the number of attempts: where a reconnect wave waits.
static STEPS: [(AtomicI64, AtomicI64); 3] = [
    (AtomicI64::new(0), AtomicI64::new(0)),
    (AtomicI64::new(0), AtomicI64::new(0)),
    (AtomicI64::new(0), AtomicI64::new(0)),
];
const STEP_NAMES: [&str; 3] = ["connect", "subscribe", "chat_join"];

fn step_done(step: usize, started: Instant) {
    STEPS[step]
        .0
        .fetch_add(started.elapsed().as_micros() as i64, Ordering::Relaxed);
    STEPS[step].1.fetch_add(1, Ordering::Relaxed);
}

fn steps_reset() {
    for (sum, n) in &STEPS {
        sum.store(0, Ordering::Relaxed);
        n.store(0, Ordering::Relaxed);
    }
}

/// `{"connect":ms,...}`: each step's mean time per attempt since the last reset.
fn steps_json() -> String {
    let parts: Vec<String> = STEPS
        .iter()
        .zip(STEP_NAMES)
        .map(|((sum, n), name)| {
            let n = n.load(Ordering::Relaxed).max(1);
            format!(
                "\"{name}\":{:.1}",
                sum.load(Ordering::Relaxed) as f64 / n as f64 / 1000.0
            )
        })
        .collect();
    format!("{{{}}}", parts.join(","))
}

fn join_error(reason: String) {
    let mut errors = JOIN_ERRORS.lock().expect("join errors");
    match errors.iter_mut().find(|(r, _)| *r == reason) {
        Some((_, n)) => *n += 1,
        None => errors.push((reason, 1)),
    }
}

/// Connects, enters the lobby (with `lobby`) and joins the chat room after the client's last
/// sequence. A failure is tallied by its reason (the error's code, or what failed).
async fn join(api: &Api, room_id: i64, client: &Mutex<Client>, lobby: bool) -> Option<Hub> {
    let short = |what: &str, e: crate::ClientError| {
        let why = match e {
            crate::ClientError::Server(body) => body.code.as_str().to_string(),
            crate::ClientError::Http(status, _) => format!("http {status}"),
            crate::ClientError::Closed => "closed".into(),
            crate::ClientError::Timeout => "timeout".into(),
            other => other.to_string().chars().take(40).collect(),
        };
        format!("{what}: {why}")
    };
    let started = Instant::now();
    let connected = api.connect().await;
    step_done(0, started);
    let hub = match connected {
        Ok(hub) => hub,
        Err(e) => {
            join_error(short("connect", e));
            return None;
        }
    };
    if lobby {
        let started = Instant::now();
        let subscribed = hub.subscribe("lobby").await;
        step_done(1, started);
        if let Err(e) = subscribed {
            join_error(short("subscribe", e));
            // A failed attempt gives its socket back at once: with thousands of clients
            // retrying, sockets left to the server's timeout would use up the open files.
            hub.close();
            return None;
        }
    }
    let after = client.lock().expect("client").last;
    let started = Instant::now();
    let joined = hub
        .request(Command::ChatJoin {
            room_id,
            after_seq: after,
        })
        .await;
    step_done(2, started);
    match joined {
        Ok(ReplyData::ChatJoined { messages, .. }) => {
            let mut c = client.lock().expect("client");
            for m in messages {
                if m.seq == c.last + 1 {
                    c.last = m.seq;
                    c.got.push(m.seq);
                }
            }
            Some(hub)
        }
        Ok(_) => {
            join_error("chat_join: unexpected reply".into());
            hub.close();
            None
        }
        Err(e) => {
            join_error(short("chat_join", e));
            hub.close();
            None
        }
    }
}

fn secs(t: Option<Duration>) -> String {
    t.map(|d| format!("{:.2}", d.as_secs_f64()))
        .unwrap_or_else(|| "null".into())
}

pub async fn run(config: FailoverConfig) -> anyhow::Result<String> {
    let prefix = format!("failover-{:08x}", rand_u32());
    let redis_port = free_port()?;
    let mut redis = redis_server(redis_port)?;
    let (port_a, port_b) = (free_port()?, free_port()?);
    let mut node_a = node(&config, "node-fa", port_a, redis_port, &prefix)?;
    let _node_b = node(&config, "node-fb", port_b, redis_port, &prefix)?;
    let (base_a, base_b) = (
        format!("http://127.0.0.1:{port_a}"),
        format!("http://127.0.0.1:{port_b}"),
    );
    ready(&base_a, log_of(&prefix, "node-fa")).await?;
    ready(&base_b, log_of(&prefix, "node-fb")).await?;
    let (admin_b, _) = Api::new(&base_b)
        .login("admin@expo.local", &config.admin_password)
        .await
        .map_err(|e| anyhow::anyhow!("signing in: {e}"))?;
    let token = admin_b.token().unwrap_or_default().to_string();
    let sender = admin_b.connect().await?;
    let room_id = match sender
        .request(Command::ChatOpen {
            target: "fair".into(),
        })
        .await?
    {
        ReplyData::ChatRoom { room } => room.id,
        other => anyhow::bail!("unexpected {other:?}"),
    };
    let start_seq = match sender
        .request(Command::ChatJoin {
            room_id,
            after_seq: i64::MAX / 2,
        })
        .await?
    {
        ReplyData::ChatJoined { room, .. } => room.last_seq,
        other => anyhow::bail!("unexpected {other:?}"),
    };

    // Clients on A.
    let api_a = Api::new(&base_a).with_token(&token);
    let api_b = Api::new(&base_b).with_token(&token);
    let connect_started = Instant::now();
    let mut clients: Vec<(Arc<Mutex<Client>>, Hub)> = Vec::with_capacity(config.clients);
    for chunk in (0..config.clients).collect::<Vec<_>>().chunks(100) {
        let mut tasks = Vec::new();
        for _ in chunk {
            let api = api_a.clone();
            tasks.push(tokio::spawn(async move {
                let client = Arc::new(Mutex::new(Client {
                    last: start_seq,
                    got: Vec::new(),
                    redelivered: 0,
                }));
                let hub = join(&api, room_id, &client, true).await;
                hub.map(|h| (client, h))
            }));
        }
        for task in tasks {
            if let Some(pair) = task.await? {
                clients.push(pair);
            }
        }
    }
    let connected = clients.len();
    let connect_s = connect_started.elapsed().as_secs_f64();
    let watcher = admin_b.connect().await?;
    watcher.subscribe("lobby").await?;

    // The sender posts until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(AtomicI64::new(0));
    let posting = {
        let (stop, acked) = (stop.clone(), acked.clone());
        // Keys unique to this run: a key seen before answers with the stored message.
        let prefix = prefix.clone();
        tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                let sent = sender
                    .request(Command::ChatSend {
                        room_id,
                        body: format!("announcement {n}"),
                        key: format!("{prefix}-{n}"),
                        attachment_id: None,
                        phrase: None,
                    })
                    .await;
                if sent.is_ok() {
                    acked.fetch_add(1, Ordering::SeqCst);
                } else {
                    n -= 1; // resend the same key
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;

    // The fault.
    steps_reset();
    let fault_at = Instant::now();
    let mut redis_back_at = None;
    match config.fault.as_str() {
        "kill" => node_a.kill(),
        "redis" => {
            redis.kill();
            tokio::time::sleep(Duration::from_secs(1)).await;
            redis = redis_server(redis_port)?;
            redis_back_at = Some(Instant::now());
        }
        other => anyhow::bail!("unknown fault {other:?} (kill or redis)"),
    }
    let _keep_redis = &redis;

    // Every client: wait for its connection to end, back off 0-1 s, reconnect, catch up.
    let back: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let mut tasks = Vec::new();
    for (i, (client, mut hub)) in clients.into_iter().enumerate() {
        let (api_a, api_b, back) = (api_a.clone(), api_b.clone(), back.clone());
        let kill = config.fault == "kill";
        tasks.push(tokio::spawn(async move {
            loop {
                match hub.next(Duration::from_secs(60)).await {
                    Some(Incoming::Frame(ServerFrame::Event {
                        event: RoomEvent::ChatMessage { message },
                        ..
                    })) => {
                        let mut c = client.lock().expect("client");
                        if message.seq == c.last + 1 {
                            c.last = message.seq;
                            c.got.push(message.seq);
                        } else if message.seq <= c.last {
                            c.redelivered += 1;
                        }
                    }
                    Some(Incoming::Closed(_)) | None => break,
                    _ => {}
                }
            }
            // The dead socket goes before the new one opens, as a browser's does: ten thousand
            // closed sockets still held would double the generator's open files.
            hub.close();
            drop(hub);
            let jitter = Duration::from_millis((i as u64 * 7919) % 1000);
            tokio::time::sleep(jitter).await;
            let mut attempt = 0u64;
            let hub = loop {
                let api = if kill || attempt % 2 == 1 {
                    &api_b
                } else {
                    &api_a
                };
                if let Some(hub) = join(api, room_id, &client, true).await {
                    break hub;
                }
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(200 * attempt.min(10))).await;
            };
            back.lock().expect("back").push(fault_at.elapsed());
            (client, hub)
        }));
    }
    // A's users gone from presence on B.
    let mut presence_gone = None;
    if config.fault == "kill" {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(members) = watcher.presence("lobby").await {
                if !members.iter().any(|m| m.conn_id.starts_with("node-fa-")) {
                    presence_gone = Some(fault_at.elapsed());
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let mut rejoined = Vec::new();
    for task in tasks {
        rejoined.push(task.await?);
    }
    let all_back = fault_at.elapsed();
    let steps = steps_json();
    stop.store(true, Ordering::SeqCst);
    posting.await?;
    // Final catch-up: a fresh join from each client's last sequence.
    let mut lost = 0usize;
    let mut redelivered = 0usize;
    let stored = acked.load(Ordering::SeqCst);
    let final_seq = start_seq + stored;
    // The final catch-up must not fail for load: each client tries until its join answers
    // (chat room only), 50 at a time.
    let mut finals = Vec::new();
    for chunk in rejoined.chunks(50) {
        let mut tasks = Vec::new();
        for (client, hub) in chunk {
            hub.close();
            let (api, client) = (api_b.clone(), client.clone());
            tasks.push(tokio::spawn(async move {
                for attempt in 1..=50u64 {
                    if let Some(hub) = join(&api, room_id, &client, false).await {
                        hub.close();
                        return true;
                    }
                    tokio::time::sleep(Duration::from_millis(100 * attempt.min(10))).await;
                }
                false
            }));
        }
        for task in tasks {
            finals.push(task.await?);
        }
    }
    let unreached = finals.iter().filter(|ok| !**ok).count();
    for (client, _) in &rejoined {
        let c = client.lock().expect("client");
        redelivered += c.redelivered;
        let expected: Vec<i64> = (start_seq + 1..=final_seq).collect();
        lost += expected.iter().filter(|s| !c.got.contains(s)).count();
    }
    let mut back = back.lock().expect("back").clone();
    back.sort();
    let p = |q: f64| back.get(((back.len() as f64 - 1.0) * q) as usize).copied();
    let redis_to_back = redis_back_at.map(|r| all_back.saturating_sub(r.duration_since(fault_at)));
    Ok(format!(
        "{{\"scenario\":\"failover\",\"fault\":\"{}\",\"clients\":{},\"connect_s\":{:.2},\
         \"presence_gone_s\":{},\"back_p50_s\":{},\"back_p99_s\":{},\"all_caught_up_s\":{:.2},\
         \"all_caught_up_after_redis_back_s\":{},\"announcements_stored\":{},\"lost\":{},\"redelivered_dropped\":{},\"final_catch_up_failed\":{},\"join_failures\":{},\"back_step_ms\":{}}}",
        config.fault,
        connected,
        connect_s,
        secs(presence_gone),
        secs(p(0.5)),
        secs(p(0.99)),
        all_back.as_secs_f64(),
        secs(redis_to_back),
        stored,
        lost,
        redelivered,
        unreached,
        serde_json::to_string(&*JOIN_ERRORS.lock().expect("join errors"))?,
        steps
    ))
}

fn rand_u32() -> u32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    nanos ^ std::process::id()
}
