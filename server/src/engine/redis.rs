//! Redis presence and bus, for a fair served by several nodes.
//!
//! Keys (all under the configured prefix `p`):
//! - `p:bus:ctl`: the control channel every node listens on (session closes, evictions,
//!   touches of watched rooms);
//! - `p:bus:{shard}`: room traffic, one channel per shard (`shard = fnv1a(room) % shards`). A
//!   node listens on a shard only while it has local members in a room of that shard, so its
//!   bus traffic grows with its own rooms, not with the fair's;
//! - `p:presence:{room}`: hash of connection id to entry JSON;
//! - `p:node:{node}:rooms`: the rooms where a node has (or had) entries;
//! - `p:nodes`: sorted set of node ids scored by their last beat (UTC ms);
//! - `p:rate:{key}`: a per-user rate bucket (GCRA: the theoretical arrival time of the next
//!   unit, in microseconds of the Redis server's clock), one single-key script per take;
//! - `p:conns:{key}`: hash of node id to the open connections that node counts for `key`;
//!   only the fields of live nodes count, so a killed node's connections lapse with its beat;
//! - `p:node:{node}:conns`: the `conns` keys a node has counted in, purged when the node id
//!   starts again.
//!
//! Liveness is per node, not per entry: a node beats once every `ttl / 6`, and an entry counts
//! only while its node's beat is younger than the TTL. Every node sweeps once a second; the
//! first to remove a dead node from `p:nodes` (ZREM answers 1 to exactly one caller) removes
//! that node's entries and announces their leaves, so a killed node's users are gone everywhere
//! within TTL + 1 s, at a cost that does not grow with the number of connections.
//!
//! Pub/sub is at most once; the bus is a fast path only, never the record of truth. When the
//! subscription is lost and restored, the listener hands the hub a [`BusMessage::Resync`] so it
//! can send its clients back through their catch-up path (see `Hub::resync`).

use super::{BusMessage, PresenceList};
use anyhow::Context;
use expo_schema::PresenceEntry;
use futures_util::StreamExt;
use redis::aio::{ConnectionManager, PubSubSink, PubSubStream};
use redis::AsyncCommands;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, mpsc, Notify};
use tokio_util::sync::{CancellationToken, DropGuard};

const BUS_CAPACITY: usize = 65_536;

/// A command connection to a single Redis or to a Redis Cluster (routed by key). The manager
/// is boxed: it is large, and the enum is cloned per command.
#[derive(Clone)]
pub enum Conn {
    Single(Box<ConnectionManager>),
    Cluster(redis::cluster_async::ClusterConnection),
}

impl redis::aio::ConnectionLike for Conn {
    fn req_packed_command<'a>(
        &'a mut self,
        cmd: &'a redis::Cmd,
    ) -> redis::RedisFuture<'a, redis::Value> {
        match self {
            Conn::Single(c) => c.req_packed_command(cmd),
            Conn::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        cmd: &'a redis::Pipeline,
        offset: usize,
        count: usize,
    ) -> redis::RedisFuture<'a, Vec<redis::Value>> {
        match self {
            Conn::Single(c) => c.req_packed_commands(cmd, offset, count),
            Conn::Cluster(c) => c.req_packed_commands(cmd, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Conn::Single(c) => c.get_db(),
            Conn::Cluster(c) => c.get_db(),
        }
    }
}

impl Conn {
    /// Runs commands: one pipeline on a single Redis; one by one on a cluster, where the keys
    /// of one batch live in different slots.
    async fn run(&self, cmds: Vec<redis::Cmd>) -> redis::RedisResult<()> {
        let mut conn = self.clone();
        match &mut conn {
            Conn::Single(_) => {
                let mut pipe = redis::pipe();
                for cmd in cmds {
                    pipe.add_command(cmd).ignore();
                }
                pipe.query_async::<()>(&mut conn).await
            }
            Conn::Cluster(_) => {
                for cmd in cmds {
                    cmd.query_async::<()>(&mut conn).await?;
                }
                Ok(())
            }
        }
    }
}
/// How often shards nobody here needs any more are unsubscribed.
const RECONCILE: Duration = Duration::from_secs(5);

/// The shard of a room: FNV-1a, stable across nodes and releases.
pub fn shard_of(room: &str, shards: u32) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in room.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash % shards.max(1)
}

/// The node that owns a connection id (`{node}-{n}`).
pub fn node_of(conn_id: &str) -> &str {
    conn_id.rsplit_once('-').map(|(node, _)| node).unwrap_or("")
}

/// Connects the bus (a publisher and a listener task that lives as long as the bus) and
/// presence, and beats once so this node's entries count from the first join. With
/// `cluster`, `url` is a comma-separated list of seed nodes of a Redis Cluster and room
/// traffic uses sharded pub/sub (`SPUBLISH`/`SSUBSCRIBE`).
pub async fn connect(
    url: &str,
    cluster: bool,
    prefix: &str,
    node: &str,
    shards: u32,
    presence_ttl: Duration,
) -> anyhow::Result<(RedisBus, RedisPresence, Conn)> {
    let (tx, _) = broadcast::channel(BUS_CAPACITY);
    let link = Arc::new(Link::default());
    let channels = Channels {
        prefix: prefix.to_string(),
        shards: shards.max(1),
    };
    let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
    let stop = CancellationToken::new();
    let conn = if cluster {
        let seeds: Vec<&str> = url.split(',').map(str::trim).collect();
        let client = redis::cluster::ClusterClient::new(seeds)
            .context("parsing the Redis Cluster seed URLs")?;
        let conn = Conn::Cluster(
            client
                .get_async_connection()
                .await
                .context("connecting to the Redis Cluster")?,
        );
        let connector = super::cluster::ClusterRedis { conn: conn.clone() };
        listen(connector, &channels, &tx, &link, cmd_rx, &stop).await?;
        conn
    } else {
        let client = redis::Client::open(url).context("parsing EXPO_REDIS_URL")?;
        let conn = ConnectionManager::new_with_config(client.clone(), manager_config())
            .await
            .context("connecting to Redis")?;
        listen(SingleRedis { client }, &channels, &tx, &link, cmd_rx, &stop).await?;
        Conn::Single(Box::new(conn))
    };
    let bus = RedisBus {
        conn: conn.clone(),
        channels,
        tx,
        link,
        commands: cmd_tx,
        _stop: stop.drop_guard(),
    };
    let presence = RedisPresence {
        conn: conn.clone(),
        prefix: prefix.to_string(),
        node: node.to_string(),
        ttl: presence_ttl,
        live: Mutex::new(None),
        pending: Mutex::default(),
    };
    // A previous life of this node id left entries behind: they leave now (announced by the
    // hub's first sweep), before this life's first entry is written.
    let leftovers = presence.purge(node).await?;
    presence.pending.lock().expect("pending").extend(leftovers);
    presence.beat().await?;
    Ok((bus, presence, conn))
}

/// How the command connection reconnects. The crate's default backs off by a factor of 100
/// from one second, capped at 60 s: after an outage of more than about two seconds the next
/// attempt came a minute or two later, and every command waited for it. Here an attempt
/// follows every second or so (`factor` is the growth per attempt; the cap holds it at one
/// second); after a few failed attempts commands fail at once with an error (each caller
/// refuses with a typed error) and the next command starts a new attempt, so a node is back
/// within about a second of Redis. Timeouts bound a Redis that hangs rather than refuses.
fn manager_config() -> redis::aio::ConnectionManagerConfig {
    redis::aio::ConnectionManagerConfig::new()
        .set_factor(2)
        .set_max_delay(1_000)
        .set_number_of_retries(3)
        .set_connection_timeout(Duration::from_secs(2))
        .set_response_timeout(Duration::from_secs(5))
}

#[derive(Clone)]
struct Channels {
    prefix: String,
    shards: u32,
}

impl Channels {
    fn control(&self) -> String {
        format!("{}:bus:ctl", self.prefix)
    }

    fn shard(&self, shard: u32) -> String {
        format!("{}:bus:{shard}", self.prefix)
    }

    fn of(&self, message: &BusMessage) -> String {
        match message {
            BusMessage::Room { room, .. } => self.shard(shard_of(room, self.shards)),
            _ => self.control(),
        }
    }
}

/// What the bus handles and the listener share: whether the subscription is up, and which
/// shards are wanted (local rooms per shard), asked for, and confirmed.
#[derive(Default)]
struct Link {
    subscribed: AtomicBool,
    shards: Mutex<Shards>,
    changed: Notify,
}

#[derive(Default)]
struct Shards {
    /// Local rooms per shard.
    rooms: HashMap<u32, usize>,
    /// Subscribe commands sent but not yet done.
    asked: HashSet<u32>,
    /// Shards Redis confirmed this connection is subscribed to.
    confirmed: HashSet<u32>,
}

impl Link {
    fn set_subscribed(&self, up: bool) {
        self.subscribed.store(up, Ordering::SeqCst);
        metrics::gauge!("expo_bus_subscribed").set(if up { 1.0 } else { 0.0 });
        if !up {
            self.shards.lock().expect("shards").confirmed.clear();
        }
        self.changed.notify_waiters();
    }

    fn wanted(&self) -> Vec<u32> {
        let shards = self.shards.lock().expect("shards");
        shards
            .rooms
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(s, _)| *s)
            .chain(shards.asked.iter().copied())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect()
    }
}

enum Command {
    Subscribe(u32),
}

impl Link {
    /// Records that these shards are subscribed now (after a (re)connect).
    fn confirm_all(&self, shards: Vec<u32>) {
        let mut state = self.shards.lock().expect("shards");
        state.confirmed = shards.into_iter().collect();
        state.asked.clear();
        metrics::gauge!("expo_bus_shards_subscribed").set(state.confirmed.len() as f64);
    }

    /// Records one more subscribed shard.
    fn confirm(&self, shard: u32) {
        let mut state = self.shards.lock().expect("shards");
        state.asked.remove(&shard);
        state.confirmed.insert(shard);
        metrics::gauge!("expo_bus_shards_subscribed").set(state.confirmed.len() as f64);
        drop(state);
        self.changed.notify_waiters();
    }

    /// Takes the subscribed shards with no local room out of `confirmed` and returns them,
    /// under one lock (a join racing this asks again, after the unsubscribe).
    fn take_idle(&self) -> Vec<u32> {
        let mut state = self.shards.lock().expect("shards");
        let idle: Vec<u32> = state
            .confirmed
            .iter()
            .copied()
            .filter(|s| state.rooms.get(s).copied().unwrap_or(0) == 0)
            .collect();
        for shard in &idle {
            state.confirmed.remove(shard);
        }
        metrics::gauge!("expo_bus_shards_subscribed").set(state.confirmed.len() as f64);
        idle
    }
}

/// Decodes a bus payload and hands it to this node's hub.
fn forward(tx: &broadcast::Sender<BusMessage>, raw: &str) {
    match BusMessage::decode(raw) {
        Some(message) => {
            metrics::counter!("expo_bus_received_total").increment(1);
            // No receiver yet (a node still starting) is not a reason to stop listening.
            let _ = tx.send(message);
        }
        None => tracing::warn!("undecodable bus message dropped"),
    }
}

/// Subscribes (before returning, so a message published right after start-up is seen) and
/// starts the listener.
async fn listen<C: Connector>(
    connector: C,
    channels: &Channels,
    tx: &broadcast::Sender<BusMessage>,
    link: &Arc<Link>,
    commands: mpsc::UnboundedReceiver<Command>,
    stop: &CancellationToken,
) -> anyhow::Result<()> {
    let listener = Listener {
        connector,
        channels: channels.clone(),
        tx: tx.clone(),
        link: link.clone(),
        commands,
        stop: stop.clone(),
    };
    let first = listener.open().await.context("subscribing to the bus")?;
    link.set_subscribed(true);
    tokio::spawn(listener.run(first));
    Ok(())
}

/// A pub/sub connection the listener reads from: one connection to a single Redis, or one per
/// master of a cluster (`cluster.rs`).
pub(super) trait Subscription: Send {
    /// The next bus payload: `Some(None)` for a message that is not text, `None` when the
    /// connection is gone.
    fn next(&mut self) -> impl std::future::Future<Output = Option<Option<String>>> + Send;
    fn subscribe(
        &mut self,
        channel: String,
    ) -> impl std::future::Future<Output = anyhow::Result<()>> + Send;
    fn unsubscribe(
        &mut self,
        channel: String,
    ) -> impl std::future::Future<Output = anyhow::Result<()>> + Send;
}

/// How to open a [`Subscription`] (with nothing subscribed yet).
pub(super) trait Connector: Send + Sync + 'static {
    type Sub: Subscription + 'static;
    fn connect(&self) -> impl std::future::Future<Output = anyhow::Result<Self::Sub>> + Send;
}

/// A single Redis: one RESP2 pub/sub connection.
struct SingleRedis {
    client: redis::Client,
}

struct SinglePubSub {
    sink: PubSubSink,
    stream: PubSubStream,
}

impl Subscription for SinglePubSub {
    async fn next(&mut self) -> Option<Option<String>> {
        let message = self.stream.next().await?;
        Some(message.get_payload::<String>().ok())
    }

    async fn subscribe(&mut self, channel: String) -> anyhow::Result<()> {
        self.sink
            .subscribe(&channel)
            .await
            .with_context(|| format!("SUBSCRIBE {channel}"))
    }

    async fn unsubscribe(&mut self, channel: String) -> anyhow::Result<()> {
        self.sink
            .unsubscribe(&channel)
            .await
            .with_context(|| format!("UNSUBSCRIBE {channel}"))
    }
}

impl Connector for SingleRedis {
    type Sub = SinglePubSub;

    async fn connect(&self) -> anyhow::Result<SinglePubSub> {
        let pubsub = self
            .client
            .get_async_pubsub()
            .await
            .context("opening the Redis pub/sub connection")?;
        let (sink, stream) = pubsub.split();
        Ok(SinglePubSub { sink, stream })
    }
}

/// The bus listener: forwards messages to this node, follows subscription changes, and when
/// the connection drops reconnects (with backoff), resubscribes and asks the hub to resync.
/// It never ends on its own: only when every handle on the bus is gone.
struct Listener<C: Connector> {
    connector: C,
    channels: Channels,
    tx: broadcast::Sender<BusMessage>,
    link: Arc<Link>,
    commands: mpsc::UnboundedReceiver<Command>,
    stop: CancellationToken,
}

/// Marks the subscription down if the listener ever stops while the bus is still in use (a
/// bug, a panic): the node then reports not ready instead of going quietly deaf.
struct Loud {
    link: Arc<Link>,
    stop: CancellationToken,
}

impl Drop for Loud {
    fn drop(&mut self) {
        if !self.stop.is_cancelled() {
            tracing::error!("the bus listener stopped; this node no longer hears the others");
            self.link.set_subscribed(false);
        }
    }
}

impl<C: Connector> Listener<C> {
    /// Connects and subscribes to the control channel and every wanted shard.
    async fn open(&self) -> anyhow::Result<C::Sub> {
        let mut sub = self.connector.connect().await?;
        sub.subscribe(self.channels.control()).await?;
        let wanted = self.link.wanted();
        for shard in &wanted {
            sub.subscribe(self.channels.shard(*shard)).await?;
        }
        self.link.confirm_all(wanted);
        Ok(sub)
    }

    async fn run(mut self, first: C::Sub) {
        let _loud = Loud {
            link: self.link.clone(),
            stop: self.stop.clone(),
        };
        let mut current = Some(first);
        let mut backoff = Duration::from_millis(100);
        loop {
            let mut sub = match current.take() {
                Some(sub) => sub,
                None => {
                    let result = tokio::select! {
                        _ = self.stop.cancelled() => return,
                        result = self.open() => result,
                    };
                    match result {
                        Ok(sub) => {
                            self.link.set_subscribed(true);
                            metrics::counter!("expo_bus_resubscribes_total").increment(1);
                            tracing::warn!("bus subscription restored; the hub resyncs");
                            let _ = self.tx.send(BusMessage::Resync);
                            backoff = Duration::from_millis(100);
                            sub
                        }
                        Err(error) => {
                            tracing::error!(?error, ?backoff, "bus subscription failed; retrying");
                            if !self.wait(backoff).await {
                                return;
                            }
                            backoff = (backoff * 2).min(Duration::from_secs(2));
                            continue;
                        }
                    }
                }
            };
            let mut reconcile = tokio::time::interval(RECONCILE);
            reconcile.tick().await;
            loop {
                tokio::select! {
                    _ = self.stop.cancelled() => return,
                    message = sub.next() => match message {
                        Some(Some(raw)) => forward(&self.tx, &raw),
                        Some(None) => {}
                        None => break,
                    },
                    command = self.commands.recv() => match command {
                        None => return,
                        Some(Command::Subscribe(shard)) => {
                            if let Err(error) = sub.subscribe(self.channels.shard(shard)).await {
                                tracing::error!(?error, shard, "subscribing to a bus shard failed");
                                break;
                            }
                            self.link.confirm(shard);
                        }
                    },
                    _ = reconcile.tick() => {
                        if !self.unsubscribe_idle(&mut sub).await {
                            break;
                        }
                    }
                }
            }
            self.link.set_subscribed(false);
            tracing::error!("bus subscription lost; reconnecting");
            if !self.wait(backoff).await {
                return;
            }
        }
    }

    /// Unsubscribes shards with no local room. The check and the removal from `confirmed`
    /// happen under one lock, so a join racing this either sees the shard unconfirmed (and
    /// asks again, after this unsubscribe) or keeps it.
    async fn unsubscribe_idle(&self, sub: &mut C::Sub) -> bool {
        for shard in self.link.take_idle() {
            if let Err(error) = sub.unsubscribe(self.channels.shard(shard)).await {
                tracing::error!(?error, shard, "unsubscribing a bus shard failed");
                return false;
            }
        }
        true
    }

    /// Sleeps, still taking subscription commands (they are met when the connection is back);
    /// false when the bus is gone.
    async fn wait(&mut self, pause: Duration) -> bool {
        let until = tokio::time::Instant::now() + pause;
        loop {
            tokio::select! {
                _ = self.stop.cancelled() => return false,
                _ = tokio::time::sleep_until(until) => return true,
                command = self.commands.recv() => match command {
                    None => return false,
                    Some(Command::Subscribe(_)) => {
                        // Kept in `asked`; the reconnect subscribes to it.
                    }
                },
            }
        }
    }
}

pub struct RedisBus {
    conn: Conn,
    channels: Channels,
    tx: broadcast::Sender<BusMessage>,
    link: Arc<Link>,
    commands: mpsc::UnboundedSender<Command>,
    /// Stops the listener when the last handle on the bus goes.
    _stop: DropGuard,
}

impl RedisBus {
    pub async fn publish(&self, message: BusMessage) -> anyhow::Result<()> {
        if matches!(message, BusMessage::Resync) {
            let _ = self.tx.send(message);
            return Ok(());
        }
        let mut conn = self.conn.clone();
        // On a cluster, sharded pub/sub: the message goes to the channel's shard only.
        let verb = match conn {
            Conn::Single(_) => "PUBLISH",
            Conn::Cluster(_) => "SPUBLISH",
        };
        let _: i64 = redis::cmd(verb)
            .arg(self.channels.of(&message))
            .arg(message.encode())
            .query_async(&mut conn)
            .await
            .context("publishing on the bus")?;
        Ok(())
    }

    pub fn subscribe(&self) -> broadcast::Receiver<BusMessage> {
        self.tx.subscribe()
    }

    pub fn is_subscribed(&self) -> bool {
        self.link.subscribed.load(Ordering::SeqCst)
    }

    /// A room got its first local member: listen on its shard.
    pub fn retain(&self, room: &str) {
        let shard = shard_of(room, self.channels.shards);
        let mut shards = self.link.shards.lock().expect("shards");
        *shards.rooms.entry(shard).or_insert(0) += 1;
        if !shards.confirmed.contains(&shard) && shards.asked.insert(shard) {
            let _ = self.commands.send(Command::Subscribe(shard));
        }
    }

    /// A room lost its last local member (its shard is unsubscribed later, when idle).
    pub fn release(&self, room: &str) {
        let shard = shard_of(room, self.channels.shards);
        let mut shards = self.link.shards.lock().expect("shards");
        if let Some(n) = shards.rooms.get_mut(&shard) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                shards.rooms.remove(&shard);
            }
        }
    }

    /// Waits until the room's shard is subscribed (or the subscription is down, in which case
    /// the reconnect will resync everyone anyway).
    pub async fn ready(&self, room: &str) {
        let shard = shard_of(room, self.channels.shards);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let changed = self.link.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if !self.is_subscribed()
                || self
                    .link
                    .shards
                    .lock()
                    .expect("shards")
                    .confirmed
                    .contains(&shard)
            {
                return;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                tracing::warn!(room, shard, "bus shard not confirmed in time");
                return;
            }
        }
    }
}

pub struct RedisPresence {
    conn: Conn,
    prefix: String,
    node: String,
    ttl: Duration,
    /// Live nodes, read at most once per beat interval.
    live: Mutex<Option<(Instant, HashSet<String>)>>,
    /// Entries of this node id's previous life, announced by the first sweep.
    pending: Mutex<Vec<(String, PresenceEntry)>>,
}

impl RedisPresence {
    fn room_key(&self, room: &str) -> String {
        format!("{}:presence:{}", self.prefix, room)
    }

    fn rooms_key(&self, node: &str) -> String {
        format!("{}:node:{}:rooms", self.prefix, node)
    }

    fn nodes_key(&self) -> String {
        format!("{}:nodes", self.prefix)
    }

    fn ttl_ms(&self) -> i64 {
        self.ttl.as_millis() as i64
    }

    /// Writing an entry: the field in the room's hash, and the room in this node's set (first,
    /// so a sweep after this node's death always finds the room).
    fn add_cmds(&self, cmds: &mut Vec<redis::Cmd>, room: &str, entry: &PresenceEntry) {
        let json = serde_json::to_string(entry).expect("an entry always serializes");
        cmds.push(redis::Cmd::sadd(self.rooms_key(&self.node), room));
        cmds.push(redis::Cmd::hset(self.room_key(room), &entry.conn_id, json));
    }

    pub async fn add(&self, room: &str, entry: &PresenceEntry) -> anyhow::Result<()> {
        let mut cmds = Vec::new();
        self.add_cmds(&mut cmds, room, entry);
        self.conn.run(cmds).await.context("adding presence")?;
        Ok(())
    }

    /// Writes this node's entries again (after Redis lost them, or others swept this node).
    pub async fn restore(&self, entries: &[(String, PresenceEntry)]) -> anyhow::Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut cmds = Vec::new();
        for (room, entry) in entries {
            self.add_cmds(&mut cmds, room, entry);
        }
        self.conn.run(cmds).await.context("restoring presence")?;
        Ok(())
    }

    /// Records that this node is alive. True when this node was missing from the live set
    /// (Redis lost its data, or other nodes took it for dead): its entries must be restored.
    pub async fn beat(&self) -> anyhow::Result<bool> {
        let mut conn = self.conn.clone();
        let added: i64 = conn
            .zadd(self.nodes_key(), &self.node, crate::store::now_ms())
            .await
            .context("beating")?;
        Ok(added == 1)
    }

    pub async fn remove(&self, room: &str, conn_id: &str) -> anyhow::Result<bool> {
        let mut conn = self.conn.clone();
        let removed: i64 = conn
            .hdel(self.room_key(room), conn_id)
            .await
            .context("removing presence")?;
        Ok(removed > 0)
    }

    pub(super) async fn live_nodes(&self) -> anyhow::Result<HashSet<String>> {
        let fresh = self.ttl / 6;
        if let Some((at, nodes)) = &*self.live.lock().expect("live nodes") {
            if at.elapsed() < fresh {
                return Ok(nodes.clone());
            }
        }
        let mut conn = self.conn.clone();
        let cut = crate::store::now_ms() - self.ttl_ms();
        let nodes: Vec<String> = conn
            .zrangebyscore(self.nodes_key(), format!("({cut}"), "+inf")
            .await
            .context("listing live nodes")?;
        let mut nodes: HashSet<String> = nodes.into_iter().collect();
        nodes.insert(self.node.clone());
        *self.live.lock().expect("live nodes") = Some((Instant::now(), nodes.clone()));
        Ok(nodes)
    }

    async fn is_alive(&self, node: &str) -> anyhow::Result<bool> {
        let mut conn = self.conn.clone();
        let beat: Option<f64> = conn
            .zscore(self.nodes_key(), node)
            .await
            .context("reading a node's beat")?;
        Ok(beat.is_some_and(|ms| ms as i64 > crate::store::now_ms() - self.ttl_ms()))
    }

    /// The room's entries whose nodes are alive. Entries of dead nodes are removed here too
    /// (the sweep may not have reached them yet); each is reported expired to exactly one
    /// caller, whoever's HDEL removed it.
    /// How many entries the room has (those of dead nodes not yet swept included).
    pub async fn count(&self, room: &str) -> anyhow::Result<usize> {
        let mut conn = self.conn.clone();
        conn.hlen(self.room_key(room))
            .await
            .context("counting presence")
    }

    pub async fn list(&self, room: &str, limit: usize) -> anyhow::Result<PresenceList> {
        let key = self.room_key(room);
        let mut conn = self.conn.clone();
        // `limit` beyond any room (internal readers ask for everyone) reads the whole hash:
        // HRANDFIELD's count must fit Redis's integers.
        let (len, all): (usize, Vec<(String, String)>) = if limit == 0 || limit > 1 << 20 {
            let all: Vec<(String, String)> =
                conn.hgetall(&key).await.context("listing presence")?;
            (all.len(), all)
        } else {
            // One round trip: the count, and HRANDFIELD's `limit` distinct entries, which is
            // the whole hash when it holds no more (a crowded room costs a sample, not a read
            // of everyone).
            redis::pipe()
                .hlen(&key)
                .cmd("HRANDFIELD")
                .arg(&key)
                .arg(limit)
                .arg("WITHVALUES")
                .query_async(&mut conn)
                .await
                .context("listing presence")?
        };
        let sampled = len > all.len();
        let mut live_nodes = self.live_nodes().await?;
        let mut dead_nodes = HashSet::new();
        let mut out = PresenceList::default();
        // Entries of dead nodes are dropped in one round trip, not one each: right after a
        // node's loss a sample is mostly its entries, and every join in the reconnect wave
        // lists the room.
        let mut dead_entries = Vec::new();
        for (conn_id, json) in all {
            let Ok(entry) = serde_json::from_str::<PresenceEntry>(&json) else {
                continue;
            };
            let node = node_of(&conn_id);
            if !live_nodes.contains(node) && !dead_nodes.contains(node) {
                // The cached set may predate a node that just started: ask once more.
                if self.is_alive(node).await? {
                    live_nodes.insert(node.to_string());
                    self.live
                        .lock()
                        .expect("live nodes")
                        .as_mut()
                        .map(|(_, nodes)| nodes.insert(node.to_string()));
                } else {
                    dead_nodes.insert(node.to_string());
                }
            }
            if live_nodes.contains(node) {
                out.live.push(entry);
            } else {
                dead_entries.push(entry);
            }
        }
        if !dead_entries.is_empty() {
            let mut pipe = redis::pipe();
            for entry in &dead_entries {
                pipe.hdel(&key, &entry.conn_id);
            }
            let removed: Vec<i64> = pipe
                .query_async(&mut conn)
                .await
                .context("dropping presence")?;
            // Whoever's HDEL removed an entry reports it, so each leave is announced once.
            out.expired.extend(
                dead_entries
                    .into_iter()
                    .zip(removed)
                    .filter(|(_, removed)| *removed == 1)
                    .map(|(entry, _)| entry),
            );
        }
        out.live
            .sort_by(|a, b| (a.since_ms, &a.conn_id).cmp(&(b.since_ms, &b.conn_id)));
        out.total = if sampled {
            len.saturating_sub(out.expired.len()).max(out.live.len())
        } else {
            out.live.len()
        };
        Ok(out)
    }

    /// Removes the entries of nodes whose beat is older than the TTL. Each dead node is
    /// claimed by exactly one sweeping node; its entries come back for announcing.
    pub async fn sweep(&self) -> anyhow::Result<Vec<(String, PresenceEntry)>> {
        let mut out: Vec<(String, PresenceEntry)> =
            std::mem::take(&mut *self.pending.lock().expect("pending"));
        let mut conn = self.conn.clone();
        let cut = crate::store::now_ms() - self.ttl_ms();
        let dead: Vec<String> = conn
            .zrangebyscore(self.nodes_key(), "-inf", cut)
            .await
            .context("listing dead nodes")?;
        for node in dead {
            if node == self.node {
                continue;
            }
            let claimed: i64 = conn
                .zrem(self.nodes_key(), &node)
                .await
                .context("claiming a dead node")?;
            if claimed == 1 {
                metrics::counter!("expo_presence_nodes_lost_total").increment(1);
                tracing::warn!(node, "a node stopped beating; its users leave");
                out.extend(self.purge(&node).await?);
            }
        }
        Ok(out)
    }

    /// Removes every entry of `node`; the ones this call removed come back. One script per
    /// room (atomic, so an entry also dropped by a concurrent [`Self::list`] is reported once):
    /// a lost node's ten thousand entries go in one round trip, not ten thousand.
    async fn purge(&self, node: &str) -> anyhow::Result<Vec<(String, PresenceEntry)>> {
        let mut conn = self.conn.clone();
        let rooms_key = self.rooms_key(node);
        let rooms: Vec<String> = conn.smembers(&rooms_key).await.context("node rooms")?;
        let mut out = Vec::new();
        for room in rooms {
            let removed: Vec<String> = redis::cmd("EVAL")
                .arg(PURGE_SCRIPT)
                .arg(1)
                .arg(self.room_key(&room))
                .arg(format!("{node}-"))
                .query_async(&mut conn)
                .await
                .context("purging presence")?;
            for json in removed {
                match serde_json::from_str::<PresenceEntry>(&json) {
                    // The prefix may also start another node's name (`node-a-2`): keep only
                    // this node's, as `node_of` reads them. The script checks the same.
                    Ok(entry) if node_of(&entry.conn_id) == node => out.push((room.clone(), entry)),
                    Ok(_) | Err(_) => {}
                }
            }
        }
        let _: i64 = conn.del(&rooms_key).await.context("dropping node rooms")?;
        Ok(out)
    }
}

/// Removes from the hash KEYS[1] every field of one node: fields that start with ARGV[1]
/// (`{node}-`) and hold no further `-` (a connection id is `{node}-{n}`; `node-a-2-7` belongs
/// to `node-a-2`). Returns the removed values.
const PURGE_SCRIPT: &str = r#"
local prefix = ARGV[1]
local all = redis.call('HGETALL', KEYS[1])
local out = {}
for i = 1, #all, 2 do
  local id = all[i]
  if string.sub(id, 1, #prefix) == prefix and not string.find(id, '-', #prefix + 1, true) then
    redis.call('HDEL', KEYS[1], id)
    out[#out + 1] = all[i + 1]
  end
end
return out
"#;

/// GCRA over one key, on the Redis server's clock (so nodes' clocks need not agree). ARGV:
/// emission interval and tolerance, in microseconds. Returns 1 when the unit is granted.
const TAKE_SCRIPT: &str = r#"
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if tat < now then tat = now end
if tat - now > tolerance then return 0 end
local next = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', next), 'PX', math.floor((next - now) / 1000) + 1000)
return 1
"#;

/// A cooldown over one key, kept by the Redis server's clock: starts one of ARGV[1] ms
/// unless one runs; returns 0 when started, else the milliseconds left (at least 1).
const COOLDOWN_SCRIPT: &str = r#"
if redis.call('SET', KEYS[1], '1', 'PX', ARGV[1], 'NX') then return 0 end
local left = redis.call('PTTL', KEYS[1])
if left < 1 then return 1 end
return left
"#;

/// Counts one more connection for node ARGV[2] in the hash KEYS[1] unless the fields of live
/// nodes (ARGV[4..], and ARGV[2] itself) already add up to the maximum ARGV[1] (0: none).
/// ARGV[3]: the key's expiry in ms. Returns the new total, or -1 when refused.
const OPEN_SCRIPT: &str = r#"
local live = {}
for i = 4, #ARGV do live[ARGV[i]] = true end
live[ARGV[2]] = true
local all = redis.call('HGETALL', KEYS[1])
local sum = 0
for i = 1, #all, 2 do
  if live[all[i]] then sum = sum + (tonumber(all[i + 1]) or 0) end
end
local max = tonumber(ARGV[1])
if max > 0 and sum >= max then return -1 end
redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return sum + 1
"#;

/// Gives back one connection of node ARGV[1] in the hash KEYS[1].
const CLOSE_SCRIPT: &str = r#"
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if n <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return n
"#;

/// How long a `conns` hash outlives its last counted connection.
const CONNS_EXPIRY_MS: i64 = 7 * 24 * 3600 * 1000;

/// Per-user limits shared by every node: rate buckets and open-connection counts, each one
/// key, each change one script (atomic, and cluster-safe since a script touches one key).
pub struct RedisLimiter {
    conn: Conn,
    prefix: String,
    node: String,
    presence: Arc<RedisPresence>,
    /// Until when (UTC ms) Redis is not asked, after it failed: see [`super::Limiter`].
    pub(super) skip_until_ms: std::sync::atomic::AtomicI64,
}

impl RedisLimiter {
    pub fn new(conn: Conn, prefix: &str, node: &str, presence: Arc<RedisPresence>) -> Self {
        RedisLimiter {
            conn,
            prefix: prefix.to_string(),
            node: node.to_string(),
            presence,
            skip_until_ms: std::sync::atomic::AtomicI64::new(0),
        }
    }

    fn conns_key(&self, key: &str) -> String {
        format!("{}:conns:{}", self.prefix, key)
    }

    fn counted_key(&self) -> String {
        format!("{}:node:{}:conns", self.prefix, self.node)
    }

    /// Takes one unit of `key`'s allowance: `rate` a second, `burst` at once.
    pub async fn take(&self, key: &str, rate: u32, burst: u32) -> anyhow::Result<bool> {
        let interval = 1_000_000 / u64::from(rate.max(1));
        let tolerance = interval * u64::from(burst.max(1) - 1);
        let mut conn = self.conn.clone();
        let granted: i64 = redis::cmd("EVAL")
            .arg(TAKE_SCRIPT)
            .arg(1)
            .arg(format!("{}:rate:{}", self.prefix, key))
            .arg(interval)
            .arg(tolerance)
            .query_async(&mut conn)
            .await
            .context("taking from a rate bucket")?;
        Ok(granted == 1)
    }

    /// Starts `key`'s cooldown of `length_ms` unless one runs (on any node); what is left of
    /// the running one in milliseconds otherwise (0: started).
    pub async fn cooldown(&self, key: &str, length_ms: u64) -> anyhow::Result<u64> {
        let mut conn = self.conn.clone();
        let left: i64 = redis::cmd("EVAL")
            .arg(COOLDOWN_SCRIPT)
            .arg(1)
            .arg(format!("{}:cooldown:{}", self.prefix, key))
            .arg(length_ms.max(1))
            .query_async(&mut conn)
            .await
            .context("starting a cooldown")?;
        Ok(left.max(0) as u64)
    }

    /// Counts one more open connection of `key` for this node; false (nothing counted) when
    /// the live nodes already count `max`.
    pub async fn open(&self, key: &str, max: u64) -> anyhow::Result<bool> {
        let live = self.presence.live_nodes().await?;
        let mut conn = self.conn.clone();
        let hash = self.conns_key(key);
        // Noted first, so a restart of this node id always finds what to purge.
        let _: i64 = conn
            .sadd(self.counted_key(), &hash)
            .await
            .context("noting a counted key")?;
        let mut cmd = redis::cmd("EVAL");
        cmd.arg(OPEN_SCRIPT)
            .arg(1)
            .arg(&hash)
            .arg(max)
            .arg(&self.node)
            .arg(CONNS_EXPIRY_MS);
        for node in &live {
            cmd.arg(node);
        }
        let total: i64 = cmd
            .query_async(&mut conn)
            .await
            .context("counting a connection")?;
        Ok(total >= 0)
    }

    pub async fn close(&self, key: &str) -> anyhow::Result<()> {
        let mut conn = self.conn.clone();
        let _: i64 = redis::cmd("EVAL")
            .arg(CLOSE_SCRIPT)
            .arg(1)
            .arg(self.conns_key(key))
            .arg(&self.node)
            .query_async(&mut conn)
            .await
            .context("giving back a connection")?;
        Ok(())
    }

    /// Removes what a previous life of this node id counted (it may have been killed).
    pub async fn purge(&self) -> anyhow::Result<()> {
        let mut conn = self.conn.clone();
        let keys: Vec<String> = conn
            .smembers(self.counted_key())
            .await
            .context("reading counted keys")?;
        for key in keys {
            let _: i64 = conn
                .hdel(&key, &self.node)
                .await
                .context("purging counts")?;
        }
        let _: i64 = conn
            .del(self.counted_key())
            .await
            .context("purging counts")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_stable_and_spread() {
        assert_eq!(shard_of("lobby", 16), shard_of("lobby", 16));
        assert!(shard_of("booth:7", 16) < 16);
        assert_eq!(shard_of("anything", 1), 0);
        let used: HashSet<u32> = (0..200)
            .map(|i| shard_of(&format!("booth:{i}"), 16))
            .collect();
        assert_eq!(used.len(), 16, "200 booths use every shard");
    }

    #[test]
    fn connections_name_their_node() {
        assert_eq!(node_of("node-a-17"), "node-a");
        assert_eq!(node_of("node-0000beef-3"), "node-0000beef");
        assert_eq!(node_of("nodash"), "");
    }
}
