//! Faults with real processes: nodes are `expo-server` processes on loopback ports sharing one
//! Postgres and a Redis, and the faults are real (SIGKILL, SIGTERM, a Redis server stopped
//! and started again, Postgres cut off behind a TCP proxy). Chat clients count everything:
//! each test ends with an exact accounting (sent, acknowledged, stored, delivered to each
//! client) in which lost and duplicated are both zero.

use crate::helpers::*;
use expo_client::{Api, ClientError, Hub, Incoming};
use expo_schema::protocol::{Command, ReplyData, RoomEvent, ServerFrame};
use expo_schema::ErrorCode;
use std::process::{Child, Command as Process, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A node in a process of its own.
struct Node {
    child: Option<Child>,
    pub base: String,
    env: Vec<(String, String)>,
}

impl Node {
    async fn start(env: &TestEnv, id: &str, redis: &str, database: &str, demo: bool) -> Node {
        Node::start_with(env, id, redis, database, demo, false, &[]).await
    }

    /// A node on a Redis Cluster (`redis` is the comma-separated seed list).
    async fn start_clustered(
        env: &TestEnv,
        id: &str,
        redis: &str,
        database: &str,
        demo: bool,
    ) -> Node {
        Node::start_with(env, id, redis, database, demo, true, &[]).await
    }

    async fn start_with(
        env: &TestEnv,
        id: &str,
        redis: &str,
        database: &str,
        demo: bool,
        cluster: bool,
        extra: &[(&str, &str)],
    ) -> Node {
        let port = free_port();
        let mut vars = vec![
            ("EXPO_LISTEN".to_string(), format!("127.0.0.1:{port}")),
            (
                "EXPO_DATA_DIR".into(),
                env.data_dir.join(id).display().to_string(),
            ),
            ("EXPO_DATABASE_URL".into(), database.to_string()),
            ("EXPO_REDIS_URL".into(), redis.to_string()),
            ("EXPO_REDIS_PREFIX".into(), env.redis_prefix.clone()),
            ("EXPO_NODE_ID".into(), id.to_string()),
            ("EXPO_ADMIN_PASSWORD".into(), ADMIN_PASSWORD.into()),
            ("EXPO_ADMIN_EMAIL".into(), ADMIN_EMAIL.into()),
            ("EXPO_RATE_PER_SEC".into(), "200".into()),
            ("EXPO_RATE_BURST".into(), "400".into()),
            ("EXPO_USER_RATE_PER_SEC".into(), "400".into()),
            ("EXPO_USER_RATE_BURST".into(), "800".into()),
            ("EXPO_SHUTDOWN_GRACE_SECS".into(), "3".into()),
        ];
        if demo {
            vars.push(("EXPO_DEMO".into(), "true".into()));
        }
        if cluster {
            vars.push(("EXPO_REDIS_CLUSTER".into(), "true".into()));
        }
        // Later settings win over the defaults above.
        vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let mut node = Node {
            child: None,
            base: format!("http://127.0.0.1:{port}"),
            env: vars,
        };
        node.spawn();
        node.ready().await;
        node
    }

    fn spawn(&mut self) {
        let mut cmd = Process::new(server_binary());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let log = std::fs::File::create(format!("{}.log", self.data_dir())).unwrap();
        self.child = Some(
            cmd.stdout(Stdio::null())
                .stderr(Stdio::from(log))
                .spawn()
                .expect("the server binary starts"),
        );
    }

    fn data_dir(&self) -> String {
        self.env
            .iter()
            .find(|(k, _)| k == "EXPO_DATA_DIR")
            .map(|(_, v)| v.clone())
            .unwrap()
    }

    async fn ready(&self) {
        let api = Api::new(&self.base);
        eventually(Duration::from_secs(60), "the node is ready", || {
            let api = api.clone();
            async move { api.get_bytes("/readyz").await.is_ok() }
        })
        .await;
    }

    async fn readiness(&self) -> Option<serde_json::Value> {
        let response = reqwest::get(format!("{}/readyz", self.base)).await.ok()?;
        response.json().await.ok()
    }

    fn api(&self) -> Api {
        Api::new(&self.base)
    }

    /// SIGKILL: the node dies without a word.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM: the node drains (tells its clients to reconnect elsewhere) and stops.
    async fn term(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Process::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            tokio::task::spawn_blocking(move || child.wait())
                .await
                .unwrap()
                .unwrap();
        }
    }

    async fn restart(&mut self) {
        self.spawn();
        self.ready().await;
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A Redis server of the test's own, to stop and start.
struct OwnRedis {
    child: Option<Child>,
    port: u16,
}

impl OwnRedis {
    async fn start() -> OwnRedis {
        let mut redis = OwnRedis {
            child: None,
            port: free_port(),
        };
        redis.spawn().await;
        redis
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    async fn spawn(&mut self) {
        self.child = Some(
            Process::new("redis-server")
                .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no"])
                .stdout(Stdio::null())
                .spawn()
                .expect("redis-server starts (scripts/test installs it)"),
        );
        redis_answers(&self.url()).await;
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Waits until a Redis server answers at `url`.
async fn redis_answers(url: &str) {
    eventually(
        Duration::from_secs(10),
        "the Redis server answers",
        || async move {
            match redis::Client::open(url) {
                Ok(c) => c.get_multiplexed_async_connection().await.is_ok(),
                Err(_) => false,
            }
        },
    )
    .await;
}

/// A TCP proxy in front of Postgres that can cut every connection and refuse new ones.
pub(crate) struct PgProxy {
    port: u16,
    cut: Arc<tokio::sync::watch::Sender<bool>>,
}

impl PgProxy {
    pub(crate) async fn start() -> PgProxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (cut, _) = tokio::sync::watch::channel(false);
        let cut = Arc::new(cut);
        let watch = cut.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                if *watch.borrow() {
                    drop(inbound);
                    continue;
                }
                let mut down = watch.subscribe();
                tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect("127.0.0.1:5432").await
                    else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = down.wait_for(|cut| *cut) => {}
                    }
                });
            }
        });
        PgProxy { port, cut }
    }

    pub(crate) fn url(&self, env: &TestEnv) -> String {
        let name = env.database.as_ref().unwrap();
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    pub(crate) fn set_down(&self, down: bool) {
        self.cut.send_replace(down);
    }
}

/// One chat client that counts: what it sent and had acknowledged, and every message it saw,
/// applied in sequence order (a gap or a closed connection makes it re-join from its last
/// sequence, as the web client does).
struct Member {
    token: String,
    bases: Vec<String>,
    room_id: i64,
    presence_room: String,
    name: usize,
    hub: Option<Hub>,
    last: i64,
    got: Vec<i64>,
    acked: usize,
    typed_errors: Vec<ErrorCode>,
    reconnects: usize,
}

impl Member {
    async fn ensure(&mut self, deadline: Instant) {
        let mut i = 0;
        while self.hub.is_none() {
            assert!(
                Instant::now() < deadline,
                "client {} never got back",
                self.name
            );
            let base = &self.bases[i % self.bases.len()];
            i += 1;
            let api = Api::new(base).with_token(&self.token);
            let Ok(hub) = api.connect().await else {
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            };
            let joined = hub
                .request(Command::ChatJoin {
                    room_id: self.room_id,
                    after_seq: self.last,
                })
                .await;
            match joined {
                Ok(ReplyData::ChatJoined { messages, .. }) => {
                    if hub.subscribe(&self.presence_room).await.is_err() {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        continue;
                    }
                    for m in messages {
                        self.apply(m.seq);
                    }
                    self.hub = Some(hub);
                    self.reconnects += 1;
                }
                _ => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    }

    /// Applies a message seen; false on a gap (the caller re-joins).
    fn apply(&mut self, seq: i64) -> bool {
        if seq == self.last + 1 {
            self.last = seq;
            self.got.push(seq);
            true
        } else {
            seq <= self.last
        }
    }

    async fn drain(&mut self) {
        let Some(mut hub) = self.hub.take() else {
            return;
        };
        let mut lost = false;
        while let Some(item) = hub.next(Duration::from_millis(1)).await {
            match item {
                Incoming::Frame(ServerFrame::Event {
                    event: RoomEvent::ChatMessage { message },
                    ..
                }) if message.room_id == self.room_id && !self.apply(message.seq) => lost = true,
                Incoming::Closed(_) => lost = true,
                _ => {}
            }
        }
        if !lost {
            self.hub = Some(hub);
        }
    }

    /// Sends one message until it is acknowledged (resending with the same key).
    async fn send(&mut self, key: String, deadline: Instant) {
        loop {
            self.ensure(deadline).await;
            self.drain().await;
            let Some(hub) = self.hub.as_ref() else {
                continue;
            };
            let answer = hub
                .request(Command::ChatSend {
                    room_id: self.room_id,
                    body: format!("message {key}"),
                    key: key.clone(),
                    attachment_id: None,
                    phrase: None,
                })
                .await;
            match answer {
                Ok(ReplyData::ChatSent { .. }) => {
                    self.acked += 1;
                    return;
                }
                Ok(other) => panic!("unexpected reply {other:?}"),
                Err(ClientError::Server(error)) => {
                    self.typed_errors.push(error.code);
                    assert!(
                        matches!(error.code, ErrorCode::Unavailable | ErrorCode::RateLimited),
                        "a send is refused with a typed error, got {error:?}"
                    );
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(_) => {
                    self.hub = None;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
}

struct Fair {
    env: TestEnv,
    room_id: i64,
    presence_room: String,
    start_seq: i64,
}

/// Signs in six demo buyers on `homes` (round robin) and joins them to the fair's chat room.
async fn members(fair: &Fair, homes: &[&Node], all: &[&Node]) -> Vec<Member> {
    let emails = [
        "buyer@demo.expo",
        "olga.smirnova@demo.expo",
        "dmitri.volkov@demo.expo",
        "anna.kuznetsova@demo.expo",
        "wang.wei@demo.expo",
        "li.na@demo.expo",
    ];
    let mut out = Vec::new();
    for (i, email) in emails.iter().enumerate() {
        let home = homes[i % homes.len()];
        let (api, _) = home.api().login(email, DEMO_PASSWORD).await.unwrap();
        let mut bases = vec![home.base.clone()];
        bases.extend(
            all.iter()
                .map(|n| n.base.clone())
                .filter(|b| *b != home.base),
        );
        let mut member = Member {
            token: api.token().unwrap().to_string(),
            bases,
            room_id: fair.room_id,
            presence_room: fair.presence_room.clone(),
            name: i,
            hub: None,
            last: fair.start_seq,
            got: Vec::new(),
            acked: 0,
            typed_errors: Vec::new(),
            reconnects: 0,
        };
        member
            .ensure(Instant::now() + Duration::from_secs(30))
            .await;
        member.reconnects = 0;
        out.push(member);
    }
    out
}

async fn open_fair(env: TestEnv, node: &Node) -> Fair {
    let (staff, me) = node
        .api()
        .login("exhibitor@demo.expo", DEMO_PASSWORD)
        .await
        .unwrap();
    let company = me.user.company_id.unwrap();
    open_room(env, &staff, &format!("booth:{company}")).await
}

/// The demo studio show's chat instead of a booth's (its frames go out in batches), with
/// its slow mode taken off by the host (the README's exhibitor) so members send freely.
async fn open_show_fair(env: TestEnv, node: &Node) -> Fair {
    let (staff, _) = node
        .api()
        .login("exhibitor@demo.expo", DEMO_PASSWORD)
        .await
        .unwrap();
    let stages = staff
        .stages(&expo_schema::api::LangQuery::default())
        .await
        .unwrap();
    let show = stages.stages[0]
        .next
        .as_ref()
        .expect("the demo's studio show");
    let input = expo_schema::api::ShowChatInput {
        slow_mode_s: 0,
        mode: None,
    };
    staff.set_show_chat(show.id, &input).await.unwrap();
    open_room(env, &staff, &format!("show:{}", show.id)).await
}

/// A fair whose members chat in the room of `target` and are present in its hub room.
async fn open_room(env: TestEnv, staff: &expo_client::Api, target: &str) -> Fair {
    let hub = staff.connect().await.unwrap();
    let room = match hub
        .request(Command::ChatOpen {
            target: target.to_string(),
        })
        .await
        .unwrap()
    {
        ReplyData::ChatRoom { room } => room,
        other => panic!("unexpected {other:?}"),
    };
    Fair {
        env,
        room_id: room.id,
        presence_room: target.to_string(),
        start_seq: room.last_seq,
    }
}

/// Waits until no connection whose id starts with `prefix` (a killed node's) is in `room`, as
/// `watcher` sees it; returns how long that took. Fails after 15 s.
async fn gone_from(watcher: &Hub, room: &str, prefix: &str) -> Duration {
    let since = Instant::now();
    loop {
        let members = watcher.presence(room).await.unwrap();
        if members.iter().all(|e| !e.conn_id.starts_with(prefix)) {
            return since.elapsed();
        }
        assert!(
            since.elapsed() < Duration::from_secs(15),
            "the killed node's users never left"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until `n` messages in all were acknowledged.
async fn acked_at_least(acked: &AtomicUsize, n: usize) {
    while acked.load(Ordering::SeqCst) < n {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Every member sends `per_member` messages, one every `pace`, while `fault` runs beside them;
/// then everyone catches up and the books must balance exactly.
async fn chat_through<F, Fut>(
    fair: &Fair,
    members: Vec<Member>,
    per_member: usize,
    pace: Duration,
    fault: F,
) -> Vec<Member>
where
    F: FnOnce(Arc<AtomicUsize>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let deadline = Instant::now() + Duration::from_secs(120);
    let acked = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for mut member in members {
        let acked = acked.clone();
        tasks.push(tokio::spawn(async move {
            for n in 0..per_member {
                member
                    .send(format!("fault-{}-{n}", member.name), deadline)
                    .await;
                acked.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(pace).await;
            }
            member
        }));
    }
    fault(acked.clone()).await;
    let mut members = Vec::new();
    for task in tasks {
        members.push(task.await.unwrap());
    }
    // Catch up: every member re-joins from its last sequence (a fresh connection, so nothing
    // in flight is mistaken for missing).
    for member in &mut members {
        member.drain().await;
        member.hub = None;
        member.ensure(deadline).await;
    }
    let sent = members.len() * per_member;
    let pool = crate::meetings::pool(&fair.env).await;
    let stored: i64 = sqlx::query_scalar(
        "select count(*) from chat_messages where room_id = $1 and client_key like 'fault-%'",
    )
    .bind(fair.room_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    let distinct: i64 = sqlx::query_scalar(
        "select count(distinct client_key) from chat_messages where room_id = $1 \
         and client_key like 'fault-%'",
    )
    .bind(fair.room_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    let acked_total: usize = members.iter().map(|m| m.acked).sum();
    println!(
        "accounting: sent {sent}, acknowledged {acked_total}, stored {stored} ({distinct} distinct)"
    );
    for m in &members {
        println!(
            "  client {}: delivered {} (reconnects {}, typed errors {:?})",
            m.name,
            m.got.len(),
            m.reconnects,
            m.typed_errors
        );
    }
    assert_eq!(acked_total, sent, "every message was acknowledged");
    assert_eq!(
        stored, sent as i64,
        "stored exactly once each: nothing lost"
    );
    assert_eq!(distinct, stored, "nothing duplicated");
    let expected: Vec<i64> = (fair.start_seq + 1..=fair.start_seq + sent as i64).collect();
    for m in &members {
        assert_eq!(
            m.got, expected,
            "client {} saw every message once, in order",
            m.name
        );
    }
    members
}

/// Three nodes started at the same moment on a new database (a fresh deployment): each waits
/// its turn at the migrations, one creates the first organizer, and all three serve. (Before,
/// the losers of the organizer race stopped with a duplicate key and never became ready.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_started_together_on_a_new_database_all_serve() {
    let env = TestEnv::new(Engines::Services).await;
    let db = env.database_url().unwrap();
    let redis = "redis://127.0.0.1:6379/";
    let (a, b, c) = tokio::join!(
        Node::start(&env, "node-ta", redis, &db, false),
        Node::start(&env, "node-tb", redis, &db, false),
        Node::start(&env, "node-tc", redis, &db, false),
    );
    for node in [&a, &b, &c] {
        let (_, me) = node
            .api()
            .login(ADMIN_EMAIL, ADMIN_PASSWORD)
            .await
            .expect("the organizer signs in on every node");
        assert_eq!(me.user.role, expo_schema::Role::Organizer);
    }
    let store = crate::meetings::pool(&env).await;
    let organizers: i64 = sqlx::query_scalar("select count(*) from users where role = 'organizer'")
        .fetch_one(&store)
        .await
        .unwrap();
    assert_eq!(organizers, 1, "one first organizer, not one per node");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_and_presence_through_a_node_kill() {
    let env = TestEnv::new(Engines::Services).await;
    let db = env.database_url().unwrap();
    let redis = "redis://127.0.0.1:6379/";
    let mut doomed = Node::start(&env, "node-doomed", redis, &db, true).await;
    let survivor = Node::start(&env, "node-survivor", redis, &db, false).await;
    // A stage show's chat: batched delivery and group commit through the kill.
    let fair = open_show_fair(env, &doomed).await;
    let members = members(&fair, &[&doomed, &survivor], &[&doomed, &survivor]).await;
    let (watch_api, _) = survivor
        .api()
        .login(ADMIN_EMAIL, ADMIN_PASSWORD)
        .await
        .unwrap();
    let watcher = watch_api.connect().await.unwrap();
    watcher.subscribe(&fair.presence_room).await.unwrap();
    let on_doomed = |w: Vec<expo_schema::PresenceEntry>| {
        w.iter()
            .filter(|e| e.conn_id.starts_with("node-doomed-"))
            .count()
    };
    assert_eq!(
        on_doomed(watcher.presence(&fair.presence_room).await.unwrap()),
        3
    );
    let doomed_ref = &mut doomed;
    let watcher_ref = &watcher;
    let room = fair.presence_room.clone();
    let healed = Arc::new(std::sync::Mutex::new(None));
    let healed_in = healed.clone();
    chat_through(
        &fair,
        members,
        12,
        Duration::from_millis(120),
        |acked| async move {
            acked_at_least(&acked, 24).await;
            doomed_ref.kill();
            // The doomed node's users must leave presence on the survivor, by themselves.
            let gone = gone_from(watcher_ref, &room, "node-doomed-").await;
            *healed_in.lock().unwrap() = Some(gone);
        },
    )
    .await;
    let healed = healed.lock().unwrap().unwrap();
    println!(
        "node kill: its users left presence on the other node {:.1} s after SIGKILL (timeout 6 s)",
        healed.as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_through_a_redis_restart() {
    let mut redis = OwnRedis::start().await;
    let env = TestEnv::new(Engines::Services).await;
    let db = env.database_url().unwrap();
    let a = Node::start(&env, "node-ra", &redis.url(), &db, true).await;
    let b = Node::start(&env, "node-rb", &redis.url(), &db, false).await;
    let fair = open_fair(env, &a).await;
    let members = members(&fair, &[&a, &b], &[&a, &b]).await;
    let (a_ref, b_ref, redis_ref) = (&a, &b, &mut redis);
    let healed = Arc::new(std::sync::Mutex::new(None));
    let healed_in = healed.clone();
    chat_through(
        &fair,
        members,
        12,
        Duration::from_millis(120),
        |acked| async move {
            acked_at_least(&acked, 24).await;
            redis_ref.stop();
            eventually(
                Duration::from_secs(10),
                "both nodes report not ready",
                || async {
                    let (ra, rb) = (a_ref.readiness().await, b_ref.readiness().await);
                    [ra, rb]
                        .iter()
                        .all(|r| r.as_ref().is_some_and(|r| r["ready"] == false))
                },
            )
            .await;
            // An outage longer than a client library's first quick retries: a node whose
            // Redis connection then backs off to a minute would miss the 20 s below.
            tokio::time::sleep(Duration::from_secs(4)).await;
            let back = Instant::now();
            redis_ref.spawn().await;
            eventually(
                Duration::from_secs(20),
                "both nodes are ready again",
                || async {
                    let (ra, rb) = (a_ref.readiness().await, b_ref.readiness().await);
                    [ra, rb].iter().all(|r| {
                        r.as_ref()
                            .is_some_and(|r| r["ready"] == true && r["bus_subscribed"] == true)
                    })
                },
            )
            .await;
            *healed_in.lock().unwrap() = Some(back.elapsed());
        },
    )
    .await;
    println!(
        "redis restart: both nodes ready and subscribed {:.1} s after Redis came back",
        healed.lock().unwrap().unwrap().as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_through_a_postgres_outage() {
    let proxy = PgProxy::start().await;
    let env = TestEnv::new(Engines::Services).await;
    let db = proxy.url(&env);
    let redis = "redis://127.0.0.1:6379/";
    let a = Node::start(&env, "node-pa", redis, &db, true).await;
    let b = Node::start(&env, "node-pb", redis, &db, false).await;
    let fair = open_fair(env, &a).await;
    let members = members(&fair, &[&a, &b], &[&a, &b]).await;
    let (a_ref, proxy_ref) = (&a, &proxy);
    let members = chat_through(
        &fair,
        members,
        12,
        Duration::from_millis(120),
        |acked| async move {
            acked_at_least(&acked, 24).await;
            proxy_ref.set_down(true);
            eventually(
                Duration::from_secs(10),
                "the node reports not ready",
                || async {
                    a_ref
                        .readiness()
                        .await
                        .is_some_and(|r| r["ready"] == false && r["store_ok"] == false)
                },
            )
            .await;
            tokio::time::sleep(Duration::from_secs(3)).await;
            proxy_ref.set_down(false);
            eventually(
                Duration::from_secs(30),
                "the node is ready again",
                || async { a_ref.readiness().await.is_some_and(|r| r["ready"] == true) },
            )
            .await;
        },
    )
    .await;
    let refused: usize = members
        .iter()
        .flat_map(|m| &m.typed_errors)
        .filter(|c| **c == ErrorCode::Unavailable)
        .count();
    println!("postgres outage: {refused} sends refused with `unavailable`, then resent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_through_a_rolling_restart() {
    let env = TestEnv::new(Engines::Services).await;
    let db = env.database_url().unwrap();
    let redis = "redis://127.0.0.1:6379/";
    let mut a = Node::start(&env, "node-wa", redis, &db, true).await;
    let mut b = Node::start(&env, "node-wb", redis, &db, false).await;
    // Booking load beside the chat: 30 buyers for the 10 seats of one slot, asking through
    // whichever node answers while the nodes restart one after the other.
    let (admin, _) = a.api().login(ADMIN_EMAIL, ADMIN_PASSWORD).await.unwrap();
    let (_, staff) = a
        .api()
        .login("exhibitor@demo.expo", DEMO_PASSWORD)
        .await
        .unwrap();
    let company = staff.user.company_id.unwrap();
    let day = (chrono::Utc::now() + chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    let grid = admin
        .create_grid(&grid_input(&day, "Asia/Seoul", "09:00", "09:30", 30))
        .await
        .unwrap();
    let slot = grid.slots[0].id;
    admin
        .set_availability(
            company,
            &expo_schema::api::AvailabilityInput {
                slot_ids: vec![slot],
                seats: 10,
            },
        )
        .await
        .unwrap();
    let tokens = crate::meetings::buyers(&env, 30).await;
    let bases = [a.base.clone(), b.base.clone()];
    let fair = open_fair(env, &a).await;
    let members = members(&fair, &[&a, &b], &[&a, &b]).await;
    let (a_ref, b_ref) = (&mut a, &mut b);
    let booked = Arc::new(AtomicUsize::new(0));
    let booked_in = booked.clone();
    chat_through(
        &fair,
        members,
        16,
        Duration::from_millis(120),
        |acked| async move {
            acked_at_least(&acked, 18).await;
            let mut bookings = Vec::new();
            for (i, token) in tokens.into_iter().enumerate() {
                let bases = bases.clone();
                let booked = booked_in.clone();
                bookings.push(tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(100 * i as u64)).await;
                    for attempt in 0.. {
                        let api = Api::new(&bases[(i + attempt) % 2]).with_token(token.clone());
                        let answer = api
                            .request_meeting(&meeting_request(
                                company,
                                slot,
                                expo_schema::MeetingMode::Online,
                            ))
                            .await;
                        match answer {
                            Ok(_) => {
                                booked.fetch_add(1, Ordering::SeqCst);
                                return;
                            }
                            Err(ClientError::Server(e)) if e.code == ErrorCode::SlotTaken => return,
                            // A node that is down or draining: ask the other one.
                            Err(ClientError::Server(e))
                                if matches!(
                                    e.code,
                                    ErrorCode::Unavailable | ErrorCode::ShuttingDown
                                ) => {}
                            Err(ClientError::Reqwest(_)) | Err(ClientError::Http(502..=504, _)) => {
                            }
                            Err(other) => panic!("a booking gets a decision, got {other}"),
                        }
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }));
            }
            a_ref.term().await;
            a_ref.restart().await;
            b_ref.term().await;
            b_ref.restart().await;
            for booking in bookings {
                booking.await.unwrap();
            }
        },
    )
    .await;
    let booked = booked.load(Ordering::SeqCst);
    println!("rolling restart: {booked} of 10 seats booked by 30 buyers, no overlap");
    assert_eq!(booked, 10, "every seat someone asked for is booked");
    assert_eq!(
        crate::meetings::overlaps(&fair.env).await,
        0,
        "no meeting double-booked"
    );
}

/// A typing event in `room` from nobody in particular (an organizer named "pulse"), numbered `i`.
fn typing_pulse(room: &str, i: i64) -> ServerFrame {
    ServerFrame::Event {
        room: room.into(),
        event: RoomEvent::Typing {
            room_id: i,
            user: expo_schema::UserSummary {
                id: 0,
                name: "pulse".into(),
                role: expo_schema::Role::Organizer,
                company_id: None,
                company_name: None,
                country: None,
                anonymous: false,
            },
        },
    }
}

/// The deaf-node fault: a node that starts while another publishes must hear everything from
/// the moment it reports ready (its bus listener used to stop when a message arrived before
/// the hub's first receiver, silently, for good).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_started_into_a_busy_bus_hears_everything() {
    let env = TestEnv::new(Engines::Services).await;
    let node_a = env.start().await;
    let stop = tokio_util::sync::CancellationToken::new();
    let publisher = {
        let hub = node_a.state.hub.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut i: i64 = 0;
            while !stop.is_cancelled() {
                // A watched room: every node hears of it on the control channel.
                let pulse = typing_pulse("booth:1", i);
                hub.publish("booth:1", &pulse).await.unwrap();
                let lobby = typing_pulse("lobby", i);
                hub.publish("lobby", &lobby).await.unwrap();
                i += 1;
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            i
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let node_b = env.start().await;
    let ready = node_b.api.readyz().await.unwrap();
    assert!(ready.bus_subscribed);
    let (admin_b, _) = node_b.api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.unwrap();
    let mut listener = admin_b.connect().await.unwrap();
    listener.subscribe("lobby").await.unwrap();
    let mut seen = Vec::new();
    let until = Instant::now() + Duration::from_secs(2);
    while Instant::now() < until {
        if let Some(Incoming::Frame(ServerFrame::Event {
            event: RoomEvent::Typing { room_id, .. },
            ..
        })) = listener.next(Duration::from_millis(100)).await
        {
            seen.push(room_id);
        }
    }
    stop.cancel();
    let published = publisher.await.unwrap();
    println!(
        "busy bus: A published {published} pulses, B heard {} after subscribing",
        seen.len()
    );
    assert!(
        seen.len() > 100,
        "node B hears node A: {} pulses",
        seen.len()
    );
    let first = seen[0];
    let expected: Vec<i64> = (first..first + seen.len() as i64).collect();
    assert_eq!(seen, expected, "no pulse lost after the subscription");
    node_b.stop().await;
    node_a.stop().await;
}

/// nginx, run from the system's package, with the configuration of `docs/deploy/nginx.conf`
/// (only its addresses swapped for this test's ports).
struct Nginx {
    _nginx: Running,
    base: String,
}

impl Nginx {
    async fn start(dir: &std::path::Path, upstreams: [&str; 2]) -> Nginx {
        let port = free_port();
        let shipped = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/deploy/nginx.conf"),
        )
        .unwrap();
        let site = shipped
            .replace("127.0.0.1:8081", upstreams[0])
            .replace("127.0.0.1:8082", upstreams[1])
            .replace(
                "listen 127.0.0.1:8080;",
                &format!("listen 127.0.0.1:{port};"),
            );
        assert_ne!(
            site, shipped,
            "the addresses in docs/deploy/nginx.conf were found"
        );
        let prefix = dir.join("nginx");
        std::fs::create_dir_all(prefix.join("logs")).unwrap();
        std::fs::write(prefix.join("expo-hub.conf"), site).unwrap();
        let main = format!(
            "worker_processes 1;\npid {p}/nginx.pid;\nerror_log {p}/logs/error.log warn;\n\
             worker_shutdown_timeout 2s;\n\
             events {{ worker_connections 1024; }}\n\
             http {{ access_log off; client_body_temp_path {p}/body; proxy_temp_path {p}/proxy;\n\
             include {p}/expo-hub.conf; }}\n",
            p = prefix.display()
        );
        std::fs::write(prefix.join("nginx.conf"), main).unwrap();
        let nginx = nginx(&prefix, "master_process on;");
        let base = format!("http://127.0.0.1:{port}");
        let api = Api::new(&base);
        eventually(
            Duration::from_secs(10),
            "nginx proxies to the nodes",
            || {
                let api = api.clone();
                async move { api.get_bytes("/healthz").await.is_ok() }
            },
        )
        .await;
        Nginx {
            _nginx: nginx,
            base,
        }
    }
}

/// The documented nginx configuration in front of two nodes: every client connects through
/// nginx only; one node is drained (SIGTERM) and started again behind it, then the other,
/// under chat. Nothing is lost, nothing doubled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_across_nginx_while_nodes_drain_behind_it() {
    let env = TestEnv::new(Engines::Services).await;
    let db = env.database_url().unwrap();
    let redis = "redis://127.0.0.1:6379/";
    let mut a = Node::start(&env, "node-na", redis, &db, true).await;
    let mut b = Node::start(&env, "node-nb", redis, &db, false).await;
    let upstream = |n: &Node| n.base.trim_start_matches("http://").to_string();
    let (ua, ub) = (upstream(&a), upstream(&b));
    let nginx = Nginx::start(&env.data_dir, [&ua, &ub]).await;
    let front = Node {
        child: None,
        base: nginx.base.clone(),
        env: Vec::new(),
    };
    let fair = open_fair(env, &front).await;
    let members = members(&fair, &[&front], &[&front]).await;
    let (a_ref, b_ref) = (&mut a, &mut b);
    let t = Instant::now();
    let step = move |what: &str| println!("nginx: {:.1} s: {what}", t.elapsed().as_secs_f64());
    let members = chat_through(
        &fair,
        members,
        16,
        Duration::from_millis(120),
        |acked| async move {
            acked_at_least(&acked, 18).await;
            step("draining A");
            a_ref.term().await;
            step("A stopped");
            a_ref.restart().await;
            step("A back; draining B");
            b_ref.term().await;
            step("B stopped");
            b_ref.restart().await;
            step("B back");
        },
    )
    .await;
    step("every client caught up");
    assert!(
        members.iter().all(|m| m.reconnects >= 2),
        "every client was moved by a drain and came back through nginx"
    );
}

/// A Redis Cluster of three masters, each a local `redis-server` process of this test.
struct OwnCluster {
    servers: Vec<Child>,
    ports: Vec<u16>,
}

impl OwnCluster {
    async fn start(dir: &std::path::Path) -> OwnCluster {
        // A cluster node also listens on its port + 10000 (the cluster bus): pick ports whose
        // bus port is free too.
        let mut ports = Vec::new();
        while ports.len() < 3 {
            let port = free_port();
            if port < 55000 && std::net::TcpListener::bind(("127.0.0.1", port + 10000)).is_ok() {
                ports.push(port);
            }
        }
        let mut servers = Vec::new();
        for port in &ports {
            let conf = dir.join(format!("cluster-{port}.conf"));
            servers.push(
                Process::new("redis-server")
                    .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                    .args(["--cluster-enabled", "yes", "--cluster-config-file"])
                    .arg(&conf)
                    .args(["--save", "", "--appendonly", "no"])
                    .stdout(Stdio::null())
                    .spawn()
                    .expect("redis-server starts"),
            );
        }
        for port in &ports {
            redis_answers(&format!("redis://127.0.0.1:{port}/")).await;
        }
        let mut create = Process::new("redis-cli");
        create.arg("--cluster").arg("create");
        for port in &ports {
            create.arg(format!("127.0.0.1:{port}"));
        }
        let status = create
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdout(Stdio::null())
            .status()
            .expect("redis-cli runs");
        assert!(status.success(), "the cluster was created");
        let cluster = OwnCluster { servers, ports };
        for port in cluster.ports.clone() {
            eventually(
                Duration::from_secs(20),
                "the cluster is ok everywhere",
                || async move { cluster_info(port).contains("cluster_state:ok") },
            )
            .await;
        }
        cluster
    }

    fn seeds(&self) -> String {
        self.ports
            .iter()
            .map(|p| format!("redis://127.0.0.1:{p}/"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

fn cluster_info(port: u16) -> String {
    redis_cli(port, &["cluster", "info"])
}

fn redis_cli(port: u16, args: &[&str]) -> String {
    let out = Process::new("redis-cli")
        .args(["-p", &port.to_string()])
        .args(args)
        .output()
        .expect("redis-cli runs");
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// The slot ranges a cluster master serves, from its own line of `CLUSTER NODES`.
fn own_slots(port: u16) -> Vec<(u16, u16)> {
    let nodes = redis_cli(port, &["cluster", "nodes"]);
    let Some(line) = nodes.lines().find(|l| l.contains("myself")) else {
        return Vec::new();
    };
    line.split_whitespace()
        .skip(8)
        .filter_map(|range| {
            let (from, to) = range.split_once('-').unwrap_or((range, range));
            Some((from.parse().ok()?, to.parse().ok()?))
        })
        .collect()
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        for server in &mut self.servers {
            let _ = server.kill();
            let _ = server.wait();
        }
    }
}

/// Two nodes on a three-master Redis Cluster: room traffic goes over sharded pub/sub spread
/// across the masters (no plain pub/sub channel is used), chat crosses nodes with nothing lost
/// or doubled, and when one node is killed its users leave presence on the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_and_presence_on_a_redis_cluster() {
    let env = TestEnv::new(Engines::Services).await;
    let cluster = OwnCluster::start(&env.data_dir).await;
    let db = env.database_url().unwrap();
    let seeds = cluster.seeds();
    let mut doomed = Node::start_clustered(&env, "node-ca", &seeds, &db, true).await;
    let survivor = Node::start_clustered(&env, "node-cb", &seeds, &db, false).await;
    let fair = open_fair(env, &doomed).await;
    let members = members(&fair, &[&doomed, &survivor], &[&doomed, &survivor]).await;
    // Sharded channels, each on the master that owns its slot; nothing on plain pub/sub. How
    // many masters hold some depends on where this test's random key prefix hashes the few
    // channels it needs (three of them on one master is a one-in-nine chance), so the test
    // checks the placement of each, not a spread.
    let mut masters_with_shards = 0;
    let mut shard_channels = 0;
    for port in &cluster.ports {
        let owned = own_slots(*port);
        let channels: Vec<String> = redis_cli(*port, &["pubsub", "shardchannels"])
            .lines()
            .filter(|c| c.contains(":bus:"))
            .map(str::to_string)
            .collect();
        for channel in &channels {
            let slot: u16 = redis_cli(*port, &["cluster", "keyslot", channel])
                .trim()
                .parse()
                .expect("a slot number");
            assert!(
                owned.iter().any(|(from, to)| (*from..=*to).contains(&slot)),
                "{channel} (slot {slot}) is subscribed on the master that serves it"
            );
        }
        masters_with_shards += usize::from(!channels.is_empty());
        shard_channels += channels.len();
        assert!(
            !redis_cli(*port, &["pubsub", "channels"]).contains(":bus"),
            "no plain pub/sub channel on a cluster"
        );
    }
    println!("cluster: {shard_channels} bus shard channels on {masters_with_shards} of 3 masters");
    assert!(
        shard_channels >= 2,
        "the control channel and the rooms' shards are sharded channels"
    );
    let (watch_api, _) = survivor
        .api()
        .login(ADMIN_EMAIL, ADMIN_PASSWORD)
        .await
        .unwrap();
    let watcher = watch_api.connect().await.unwrap();
    watcher.subscribe(&fair.presence_room).await.unwrap();
    // The per-user limits work on a cluster (each check is a single-key script): the open
    // connections are counted on the masters that own their users' keys.
    let counted: usize = cluster
        .ports
        .iter()
        .map(|port| {
            redis_cli(*port, &["--scan", "--pattern", "*:conns:user:*"])
                .lines()
                .count()
        })
        .sum();
    assert!(
        counted >= 2,
        "connections are counted in the cluster ({counted} users)"
    );
    let doomed_ref = &mut doomed;
    let watcher_ref = &watcher;
    let room = fair.presence_room.clone();
    chat_through(
        &fair,
        members,
        10,
        Duration::from_millis(120),
        |acked| async move {
            acked_at_least(&acked, 20).await;
            doomed_ref.kill();
            let gone = gone_from(watcher_ref, &room, "node-ca-").await;
            println!(
                "cluster: the killed node's users left presence after {:.1} s",
                gone.as_secs_f64()
            );
        },
    )
    .await;
    let log = std::fs::read_to_string(format!("{}.log", survivor.data_dir())).unwrap();
    assert!(
        !log.contains("per-user limits unavailable"),
        "the limits never failed open on a healthy cluster"
    );
}

/// The per-user limits live in Redis: a killed node's connections stop counting when its
/// presence lapses (not never), and while Redis is down nobody is locked out (the limits fail
/// open).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_user_limits_through_a_node_kill_and_a_redis_outage() {
    let mut redis = OwnRedis::start().await;
    let env = TestEnv::new(Engines::Services).await;
    let db = env.database_url().unwrap();
    let limits = [
        ("EXPO_MAX_CONNS_PER_USER", "2"),
        ("EXPO_USER_RATE_PER_SEC", "1"),
        ("EXPO_USER_RATE_BURST", "5"),
    ];
    let url = redis.url();
    let mut doomed = Node::start_with(&env, "node-lim-a", &url, &db, true, false, &limits).await;
    let survivor = Node::start_with(&env, "node-lim-b", &url, &db, false, false, &limits).await;
    let (on_doomed, _) = doomed
        .api()
        .login("buyer@demo.expo", DEMO_PASSWORD)
        .await
        .unwrap();
    let on_survivor = survivor.api().with_token(on_doomed.token().unwrap());
    let _one = on_doomed.connect().await.unwrap();
    let _two = on_doomed.connect().await.unwrap();
    let Err(error) = on_survivor.connect().await else {
        panic!("a third connection of the user is refused on the other node");
    };
    assert_eq!(error.code(), Some(ErrorCode::RateLimited));
    let killed = Instant::now();
    doomed.kill();
    let mut hub = None;
    while hub.is_none() {
        assert!(
            killed.elapsed() < Duration::from_secs(20),
            "the killed node's connections never stopped counting"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
        hub = on_survivor.connect().await.ok();
    }
    let hub = hub.unwrap();
    println!(
        "node kill: its connections stopped counting {:.1} s after SIGKILL (presence timeout 6 s)",
        killed.elapsed().as_secs_f64()
    );
    // Redis goes away: commands beyond the user's burst of 5 are still served (fail open),
    // and a new connection is not refused.
    redis.stop();
    let mut served = 0;
    for _ in 0..12 {
        match hub.request(Command::Ping).await {
            Ok(_) => served += 1,
            Err(error) => panic!("refused while Redis is down: {error:?}"),
        }
    }
    assert_eq!(served, 12);
    let second = on_survivor.connect().await;
    assert!(
        second.is_ok(),
        "a connection while Redis is down: {:?}",
        second.err()
    );
}
