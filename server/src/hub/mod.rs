//! The live hub: connections, rooms, fan-out and presence. It knows rooms and connections,
//! never booths or meetings.
//!
//! A room event travels once per node: the publisher encodes the frame once and puts it on the
//! bus; every node's bus task hands the same bytes to its local members' bounded queues. A
//! member whose queue is full is a slow consumer: it is told and dropped, and the room goes on.

pub mod announce;
pub mod batch;
pub mod ratelimit;
pub mod session;

use crate::engine::{BusMessage, Engine};
use crate::tasks::Tasks;
use announce::{Announcer, Change};
use axum::extract::ws::Utf8Bytes;
use expo_schema::protocol::{close_code, RoomEvent, ServerFrame};
use expo_schema::{ErrorCode, PresenceEntry, UserSummary};
use futures_util::task::AtomicWaker;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, Notify};
use tokio_util::sync::CancellationToken;

/// The limits every connection lives by.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_frame_bytes: usize,
    pub outbound_queue: usize,
    pub rate_per_sec: u32,
    pub rate_burst: u32,
    /// Per user over all connections and nodes (see [`crate::engine::Limiter`]).
    pub user_rate_per_sec: u32,
    pub user_rate_burst: u32,
    pub heartbeat: Duration,
    pub heartbeat_timeout: Duration,
    pub presence_ttl: Duration,
    /// How often a room's joins and leaves are announced, at most (see [`announce`]).
    pub presence_batch: Duration,
    /// How many members a room snapshot lists, at most (the rest are counted).
    pub presence_snapshot_max: usize,
    /// How many tasks hand room frames to members (see [`Fanout`]); 0: the caller does.
    pub fanout_tasks: usize,
}

/// Who a connection belongs to.
#[derive(Debug, Clone)]
pub struct Identity {
    pub user: UserSummary,
    pub session_id: i64,
    /// When the session token expires (UTC ms); the connection closes then.
    pub expires_ms: i64,
}

/// Who is in a room, as a client sees it on joining: the members (all, or a sample of a
/// crowded room) and how many connections it holds.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub members: Vec<PresenceEntry>,
    pub total: usize,
}

/// Quiet rooms (names starting with `~`) hold presence only: see [`Hub::count_in`].
pub fn is_quiet(room: &str) -> bool {
    room.starts_with('~')
}

/// Why a connection is being closed, and what the client is told.
#[derive(Debug, Clone)]
pub struct CloseReason {
    pub code: u16,
    pub reason: ErrorCode,
    pub message: String,
    pub reconnect: bool,
    /// Whether to send a `closing` frame before the close frame.
    pub announce: bool,
}

impl CloseReason {
    pub fn new(code: u16, reason: ErrorCode, message: &str) -> CloseReason {
        CloseReason {
            code,
            reason,
            message: message.to_string(),
            reconnect: false,
            announce: true,
        }
    }

    /// The peer went away or closed first: just close.
    pub fn quiet() -> CloseReason {
        CloseReason {
            code: 1000,
            reason: ErrorCode::BadRequest,
            message: String::new(),
            reconnect: false,
            announce: false,
        }
    }
}

/// Closes one connection, once: the first reason given wins.
#[derive(Debug, Default)]
pub struct Closer {
    token: CancellationToken,
    reason: Mutex<Option<CloseReason>>,
    /// Set with the token, and read without a lock: the writer looks at it on every wake-up.
    closed: AtomicBool,
    /// The writer's, woken on close (see [`Closer::writer_closed`]).
    writer: AtomicWaker,
}

impl Closer {
    pub fn close(&self, reason: CloseReason) {
        // Short critical section, never held across an await.
        let mut slot = self.reason.lock().expect("closer lock");
        if slot.is_none() {
            *slot = Some(reason);
        }
        drop(slot);
        self.closed.store(true, Ordering::Release);
        self.token.cancel();
        self.writer.wake();
    }

    pub fn reason(&self) -> Option<CloseReason> {
        self.reason.lock().expect("closer lock").clone()
    }

    pub async fn closed(&self) {
        self.token.cancelled().await
    }

    /// [`Self::closed`] for the connection's writer, and for it alone (it keeps one waker):
    /// polled on each of the writer's wake-ups, thousands a second on a busy connection, so a
    /// flag and an atomic waker rather than the token's mutex.
    pub fn writer_closed(&self) -> impl std::future::Future<Output = ()> + '_ {
        std::future::poll_fn(|cx| {
            if self.is_closed() {
                return std::task::Poll::Ready(());
            }
            self.writer.register(cx.waker());
            // Closed between the look and the registration: the wake may have gone to an
            // older waker.
            if self.is_closed() {
                std::task::Poll::Ready(())
            } else {
                std::task::Poll::Pending
            }
        })
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }
}

/// What the hub keeps for one local connection.
struct Conn {
    member: Member,
    identity: Identity,
    rooms: HashMap<String, PresenceEntry>,
}

/// A connection's queue and closer, and the fan-out task that serves it; every room the
/// connection is in keeps a copy, so a delivery reaches each member without looking it up by
/// connection id.
#[derive(Clone)]
struct Member {
    /// Which fan-out task serves it (see [`Fanout`]).
    shard: usize,
    tx: mpsc::Sender<Utf8Bytes>,
    closer: Arc<Closer>,
}

impl Member {
    /// Queues a frame. A full queue makes the connection a slow consumer.
    fn send(&self, bytes: Utf8Bytes) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.tx.try_send(bytes) {
            slow_consumer(&self.closer);
        }
    }
}

/// The members of one room on one fan-out task, by task.
type Shards = Arc<[Vec<Member>]>;

/// One room's local members, and the lists a delivery walks (one per fan-out task), built on
/// the first delivery after a change and shared by the deliveries until the next one.
#[derive(Default)]
struct RoomMembers {
    by_id: HashMap<String, Member>,
    shards: Option<Shards>,
}

impl RoomMembers {
    fn insert(&mut self, id: String, member: Member) {
        self.by_id.insert(id, member);
        self.shards = None;
    }

    fn remove(&mut self, id: &str) {
        if self.by_id.remove(id).is_some() {
            self.shards = None;
        }
    }

    fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    fn shards(&mut self, count: usize) -> Shards {
        self.shards
            .get_or_insert_with(|| {
                let mut shards = vec![Vec::new(); count.max(1)];
                for member in self.by_id.values() {
                    shards[member.shard].push(member.clone());
                }
                shards.into()
            })
            .clone()
    }
}

/// A room frame for one fan-out task: the members it serves are `shards[shard]`.
struct Job {
    bytes: Utf8Bytes,
    shards: Shards,
    shard: usize,
}

/// The tasks that hand room frames to members' queues. Each serves a fixed share of the
/// node's connections (a connection's number modulo their count), in the order the frames
/// were queued, so every member sees the node's frames in one order, while the per-member
/// work (a `try_send` and a writer's wake-up, thousands per frame in a crowded room) is
/// spread over the cores and off the bus task: a crowded room's frame no longer holds up
/// every other room's traffic on the node while it is handed to each member.
struct Fanout {
    queues: Vec<mpsc::UnboundedSender<Job>>,
    backlog: metrics::Gauge,
}

/// The supervised fan-out tasks' names, as `/readyz` lists them.
const FANOUT_TASKS: [&str; 16] = [
    "fanout-0",
    "fanout-1",
    "fanout-2",
    "fanout-3",
    "fanout-4",
    "fanout-5",
    "fanout-6",
    "fanout-7",
    "fanout-8",
    "fanout-9",
    "fanout-10",
    "fanout-11",
    "fanout-12",
    "fanout-13",
    "fanout-14",
    "fanout-15",
];

/// Hands one frame to members' queues.
fn hand_over(bytes: &Utf8Bytes, members: &[Member]) {
    for member in members {
        member.send(bytes.clone());
    }
}

/// Local connections and room membership: plain data behind one mutex.
#[derive(Default)]
struct Registry {
    conns: HashMap<String, Conn>,
    rooms: HashMap<String, RoomMembers>,
}

impl Registry {
    /// Every room member is a live connection that lists the room, and the other way round.
    #[cfg(test)]
    fn check_invariants(&self) {
        for (room, members) in &self.rooms {
            assert!(!members.is_empty(), "empty room {room} kept");
            for (id, member) in &members.by_id {
                let conn = self.conns.get(id).expect("member is a connection");
                assert!(conn.rooms.contains_key(room));
                assert!(
                    Arc::ptr_eq(&conn.member.closer, &member.closer),
                    "{id}'s own queue"
                );
                assert_eq!(member.shard, conn.member.shard);
            }
            if let Some(shards) = &members.shards {
                let listed: usize = shards.iter().map(Vec::len).sum();
                assert_eq!(listed, members.by_id.len(), "{room}'s lists are current");
            }
        }
        for (id, conn) in &self.conns {
            for room in conn.rooms.keys().filter(|room| !is_quiet(room)) {
                assert!(self.rooms[room].by_id.contains_key(id));
            }
        }
    }
}

/// A listener for traffic in rooms whose names start with one of `prefixes`.
struct Watcher {
    prefixes: Vec<String>,
    tx: mpsc::UnboundedSender<String>,
}

struct Inner {
    node_id: String,
    watchers: Mutex<Vec<Watcher>>,
    engine: Engine,
    limits: Limits,
    registry: Mutex<Registry>,
    next_conn: AtomicU64,
    shutdown: CancellationToken,
    emptied: Notify,
    /// When this node last sent its clients to resync (ms), to do it once per outage.
    last_resync_ms: AtomicI64,
    tasks: Tasks,
    announcer: Announcer,
    /// Stops the announcing task: after the drain, so the drained clients' leaves go out.
    announcer_stop: CancellationToken,
    /// Busy rooms whose frames go out in windows (see [`batch`]).
    batcher: Mutex<batch::Batcher>,
    /// Rooms whose members are counted, not announced (see [`Hub::audience_room`]); batched
    /// rooms are such rooms too.
    audiences: Mutex<HashSet<String>>,
    /// None when frames are handed over by whoever delivers them (`fanout_tasks` 0).
    fanout: Option<Fanout>,
}

/// A cheap, cloneable handle on the hub.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

/// A connection's handle, as the session and the dispatcher see it.
#[derive(Clone)]
pub struct ConnHandle {
    pub id: String,
    pub identity: Identity,
    pub closer: Arc<Closer>,
    member: Member,
}

impl ConnHandle {
    /// Queues a frame for this connection. A full queue makes it a slow consumer.
    pub fn send(&self, frame: &ServerFrame) {
        let text = serde_json::to_string(frame).expect("a frame always serializes");
        self.send_raw(Utf8Bytes::from(text));
    }

    fn send_raw(&self, bytes: Utf8Bytes) {
        self.member.send(bytes);
    }
}

fn slow_consumer(closer: &Closer) {
    if !closer.is_closed() {
        metrics::counter!("expo_ws_slow_consumers_total").increment(1);
    }
    closer.close(CloseReason::new(
        close_code::SLOW_CONSUMER,
        ErrorCode::SlowConsumer,
        "the connection could not keep up with its events",
    ));
}

impl Hub {
    pub fn new(node_id: String, engine: Engine, limits: Limits) -> Hub {
        let tasks = limits.fanout_tasks.min(FANOUT_TASKS.len());
        let (queues, receivers): (Vec<_>, Vec<_>) =
            (0..tasks).map(|_| mpsc::unbounded_channel::<Job>()).unzip();
        let fanout = (tasks > 0).then(|| Fanout {
            queues,
            backlog: metrics::gauge!("expo_ws_fanout_backlog"),
        });
        let hub = Hub {
            inner: Arc::new(Inner {
                node_id,
                watchers: Mutex::default(),
                engine,
                announcer: Announcer::new(limits.presence_batch),
                announcer_stop: CancellationToken::new(),
                limits,
                registry: Mutex::default(),
                next_conn: AtomicU64::new(1),
                shutdown: CancellationToken::new(),
                emptied: Notify::new(),
                last_resync_ms: AtomicI64::new(0),
                tasks: Tasks::default(),
                batcher: Mutex::default(),
                audiences: Mutex::default(),
                fanout,
            }),
        };
        for (shard, rx) in receivers.into_iter().enumerate() {
            // Kept across restarts: a restarted task goes on with the frames still queued.
            let rx = Arc::new(tokio::sync::Mutex::new(rx));
            let fanout_hub = hub.clone();
            hub.inner
                .tasks
                .spawn(FANOUT_TASKS[shard], hub.inner.shutdown.clone(), move || {
                    fanout_hub.clone().run_fanout(rx.clone())
                });
        }
        let shutdown = hub.inner.shutdown.clone();
        // Subscribed here, before the first restart could lose anything.
        let first_rx = Mutex::new(Some(hub.inner.engine.bus.subscribe()));
        let bus_hub = hub.clone();
        hub.inner.tasks.spawn("bus", shutdown.clone(), move || {
            let hub = bus_hub.clone();
            let rx = first_rx.lock().expect("first receiver").take();
            async move {
                let rx = match rx {
                    Some(rx) => rx,
                    None => {
                        // A restart: what arrived meanwhile is lost, so clients catch up.
                        hub.resync();
                        hub.inner.engine.bus.subscribe()
                    }
                };
                hub.run_bus(rx).await
            }
        });
        let presence_hub = hub.clone();
        hub.inner.tasks.spawn("presence", shutdown, move || {
            presence_hub.clone().run_presence()
        });
        let batch_hub = hub.clone();
        hub.inner
            .tasks
            .spawn("batch-flush", hub.inner.shutdown.clone(), move || {
                batch_hub.clone().run_batches()
            });
        let announce_hub = hub.clone();
        let stop = hub.inner.announcer_stop.clone();
        hub.inner.tasks.spawn("presence-announce", stop, move || {
            announce_hub.clone().run_announcer()
        });
        hub
    }

    pub fn node_id(&self) -> &str {
        &self.inner.node_id
    }

    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// Per-user limits shared by every node.
    pub fn limiter(&self) -> &crate::engine::Limiter {
        &self.inner.engine.limiter
    }

    /// This node's supervised background tasks.
    pub fn tasks(&self) -> &Tasks {
        &self.inner.tasks
    }

    pub fn shutdown_token(&self) -> &CancellationToken {
        &self.inner.shutdown
    }

    /// Number of open connections on this node.
    pub fn connection_count(&self) -> usize {
        self.inner.registry.lock().expect("registry").conns.len()
    }

    /// Registers a new connection and returns its handle and the receiving end of its queue.
    pub fn register(&self, identity: Identity) -> (ConnHandle, mpsc::Receiver<Utf8Bytes>) {
        let n = self.inner.next_conn.fetch_add(1, Ordering::Relaxed);
        let id = format!("{}-{}", self.inner.node_id, n);
        let (tx, rx) = mpsc::channel(self.inner.limits.outbound_queue.max(1));
        let member = Member {
            shard: (n % self.shard_count() as u64) as usize,
            tx,
            closer: Arc::new(Closer::default()),
        };
        let handle = ConnHandle {
            id: id.clone(),
            identity: identity.clone(),
            closer: member.closer.clone(),
            member: member.clone(),
        };
        self.inner.registry.lock().expect("registry").conns.insert(
            id,
            Conn {
                member,
                identity,
                rooms: HashMap::new(),
            },
        );
        metrics::gauge!("expo_ws_connections").increment(1.0);
        (handle, rx)
    }

    /// Forgets a connection: leaves every room it was in. Called once, after its loop ends.
    pub async fn unregister(&self, conn_id: &str) {
        let conn = self
            .inner
            .registry
            .lock()
            .expect("registry")
            .conns
            .remove(conn_id);
        let Some(conn) = conn else { return };
        // Told before the rooms are left: the last member's leave ends a room's batching.
        let broadcast: HashSet<String> = conn
            .rooms
            .keys()
            .filter(|room| self.is_broadcast(room))
            .cloned()
            .collect();
        {
            let mut registry = self.inner.registry.lock().expect("registry");
            for room in conn.rooms.keys() {
                self.remove_member(&mut registry, room, conn_id);
            }
        }
        for (room, entry) in conn.rooms {
            let announce = !broadcast.contains(&room);
            self.announce_leave(&room, entry, announce).await;
        }
        metrics::gauge!("expo_ws_connections").decrement(1.0);
        if self.connection_count() == 0 {
            self.inner.emptied.notify_waiters();
        }
    }

    /// Joins a room: attaches the connection to the live stream first, then records presence
    /// and announces it, then reads who is there, so nothing that happens meanwhile is missed.
    pub async fn join(&self, conn: &ConnHandle, room: &str) -> anyhow::Result<Snapshot> {
        self.enter(conn, room).await?;
        if self.is_broadcast(room) {
            // A broadcast room's audience is a number, not a list of faces.
            return Ok(Snapshot {
                members: Vec::new(),
                total: self.inner.engine.presence.count(room).await?,
            });
        }
        self.snapshot(room).await
    }

    /// Whether `room` is a broadcast room on this node: an audience (see
    /// [`Self::audience_room`]: a stage show's page) or batched (see [`Self::batch_room`]: a
    /// show's chat), with thousands of viewers. Its members are counted in presence like any
    /// room's, but their joins and leaves are not announced: each one would reach every viewer
    /// (a count per window, in a crowded room), so a wave of N viewers would cost N frames a
    /// window for news nobody shows. Viewer counts are read instead.
    fn is_broadcast(&self, room: &str) -> bool {
        self.inner.batcher.lock().expect("batcher").is_batched(room)
            || self
                .inner
                .audiences
                .lock()
                .expect("audiences")
                .contains(room)
    }

    /// Makes `room` an audience on this node, until its last local member leaves: its members
    /// are counted, not announced (see [`Self::is_broadcast`]); its frames go out at once.
    pub fn audience_room(&self, room: &str) {
        self.inner
            .audiences
            .lock()
            .expect("audiences")
            .insert(room.to_string());
    }

    /// [`Self::join`] without the snapshot, for callers that do not show the members (a chat
    /// room's stream, going on duty): a crowded room's sample is a round trip and a hundred
    /// entries decoded, which a reconnect wave would pay once per client for nothing.
    pub async fn enter(&self, conn: &ConnHandle, room: &str) -> anyhow::Result<()> {
        let entry = PresenceEntry {
            conn_id: conn.id.clone(),
            user: conn.identity.user.clone(),
            since_ms: crate::store::now_ms(),
        };
        let fresh = {
            let mut registry = self.inner.registry.lock().expect("registry");
            let Some(state) = registry.conns.get_mut(&conn.id) else {
                anyhow::bail!("connection is closing");
            };
            let fresh = !state.rooms.contains_key(room);
            if fresh {
                state.rooms.insert(room.to_string(), entry.clone());
                let member = state.member.clone();
                let members = registry.rooms.entry(room.to_string()).or_default();
                if members.is_empty() {
                    // The room's first member here: its traffic must now reach this node.
                    self.inner.engine.bus.retain(room);
                }
                members.insert(conn.id.clone(), member);
            }
            fresh
        };
        // Listen before announcing and reading, so nothing in between is missed.
        self.inner.engine.bus.ready(room).await;
        if fresh {
            self.inner.engine.presence.add(room, &entry).await?;
            if !self.is_broadcast(room) {
                self.inner.announcer.push(room, Change::Join(entry));
            }
        }
        Ok(())
    }

    /// Counts a connection in a quiet room (a name starting with `~`): presence only, on every
    /// node, with no live stream and no join or leave events. For tallies such as "everyone
    /// online", where telling every member about every other would cost N² frames.
    pub async fn count_in(&self, conn: &ConnHandle, room: &str) -> anyhow::Result<()> {
        debug_assert!(is_quiet(room), "count_in is for quiet rooms");
        let entry = PresenceEntry {
            conn_id: conn.id.clone(),
            user: conn.identity.user.clone(),
            since_ms: crate::store::now_ms(),
        };
        let fresh = {
            let mut registry = self.inner.registry.lock().expect("registry");
            let Some(state) = registry.conns.get_mut(&conn.id) else {
                anyhow::bail!("connection is closing");
            };
            state
                .rooms
                .insert(room.to_string(), entry.clone())
                .is_none()
        };
        if fresh {
            self.inner.engine.presence.add(room, &entry).await?;
        }
        Ok(())
    }

    /// Leaves a room; false when the connection was not in it.
    pub async fn leave(&self, conn: &ConnHandle, room: &str) -> bool {
        let announce = !self.is_broadcast(room);
        let entry = {
            let mut registry = self.inner.registry.lock().expect("registry");
            let entry = registry
                .conns
                .get_mut(&conn.id)
                .and_then(|c| c.rooms.remove(room));
            if entry.is_some() {
                self.remove_member(&mut registry, room, &conn.id);
            }
            entry
        };
        match entry {
            Some(entry) => {
                self.announce_leave(room, entry, announce).await;
                true
            }
            None => false,
        }
    }

    /// The rooms a connection is in (quiet rooms not included).
    pub fn rooms_of(&self, conn_id: &str) -> Vec<String> {
        let registry = self.inner.registry.lock().expect("registry");
        let mut rooms: Vec<String> = registry
            .conns
            .get(conn_id)
            .map(|c| c.rooms.keys().filter(|r| !is_quiet(r)).cloned().collect())
            .unwrap_or_default();
        rooms.sort();
        rooms
    }

    /// Takes a connection out of a room's presence and, when `announce` (not a quiet or a
    /// broadcast room), tells the room.
    async fn announce_leave(&self, room: &str, entry: PresenceEntry, announce: bool) {
        match self
            .inner
            .engine
            .presence
            .remove(room, &entry.conn_id)
            .await
        {
            Ok(_) => {}
            Err(error) => tracing::warn!(?error, room, "presence remove failed"),
        }
        if announce && !is_quiet(room) {
            self.inner.announcer.push(room, Change::Leave(entry));
        }
    }

    /// Who is in a room now, across nodes. Entries whose node stopped refreshing them are
    /// removed here, and their leave is announced (once, by whichever node saw them lapse).
    pub async fn presence(&self, room: &str) -> anyhow::Result<Vec<PresenceEntry>> {
        Ok(self.list(room, usize::MAX).await?.members)
    }

    /// Who is in a room, for a client: everyone, or a sample of a crowded room with its
    /// count (`EXPO_PRESENCE_SNAPSHOT_MAX`).
    pub async fn snapshot(&self, room: &str) -> anyhow::Result<Snapshot> {
        self.list(room, self.inner.limits.presence_snapshot_max.max(1))
            .await
    }

    async fn list(&self, room: &str, limit: usize) -> anyhow::Result<Snapshot> {
        let list = self.inner.engine.presence.list(room, limit).await?;
        if !is_quiet(room) && !self.is_broadcast(room) {
            for entry in list.expired {
                self.inner.announcer.push(room, Change::Leave(entry));
            }
        }
        Ok(Snapshot {
            total: list.total.max(list.live.len()),
            members: list.live,
        })
    }

    /// Publishes the rooms' presence announcements as they fall due (see [`announce`]), until
    /// the hub has drained.
    async fn run_announcer(self) {
        let mut next = None;
        loop {
            tokio::select! {
                _ = self.inner.announcer.wait(next) => {}
                _ = self.inner.announcer_stop.cancelled() => return,
            }
            let (due, after) = self.inner.announcer.take_due(false);
            next = after;
            self.publish_announcements(due).await;
        }
    }

    async fn publish_announcements(&self, due: Vec<(String, RoomEvent)>) {
        for (room, event) in due {
            let event = self.thin_if_crowded(&room, event).await;
            let frame = ServerFrame::Event {
                room: room.clone(),
                event,
            };
            if let Err(error) = self.publish(&room, &frame).await {
                metrics::counter!("expo_presence_errors_total").increment(1);
                tracing::warn!(?error, room, "presence announcement failed");
            }
        }
    }

    /// A crowded room's window of changes goes out as counts, not names: past the snapshot
    /// size a member sees a sample anyway, and naming every newcomer to every member would
    /// cost N² bytes in the opening-hour wave. A lone change stays named (it costs N).
    async fn thin_if_crowded(&self, room: &str, event: RoomEvent) -> RoomEvent {
        let max = self.inner.limits.presence_snapshot_max;
        let RoomEvent::PresenceDiff { joins, leaves } = &event else {
            return event;
        };
        if max == 0 || joins.len() + leaves.len() <= 1 {
            return event;
        }
        match self.inner.engine.presence.count(room).await {
            Ok(total) if total > max => {
                metrics::counter!("expo_presence_counted_windows_total").increment(1);
                RoomEvent::PresenceCount {
                    total: total as u64,
                    joined: joins.len() as u64,
                    left: leaves.len() as u64,
                }
            }
            Ok(_) => event,
            Err(error) => {
                tracing::debug!(?error, room, "counting a room failed; naming its changes");
                event
            }
        }
    }

    /// Publishes a frame to a room's members on every node. The frame is encoded once here.
    pub async fn publish(&self, room: &str, frame: &ServerFrame) -> anyhow::Result<()> {
        let payload: Arc<str> = Arc::from(serde_json::to_string(frame)?);
        let bus = &self.inner.engine.bus;
        bus.publish(BusMessage::Room {
            room: room.to_string(),
            payload,
        })
        .await?;
        if self.is_watched(room) {
            // Watchers on every node hear of it, whether or not they have members there.
            bus.publish(BusMessage::Touch {
                room: room.to_string(),
            })
            .await?;
        }
        Ok(())
    }

    fn is_watched(&self, room: &str) -> bool {
        let watchers = self.inner.watchers.lock().expect("watchers");
        watchers
            .iter()
            .any(|w| w.prefixes.iter().any(|p| room.starts_with(p.as_str())))
    }

    /// Hands bus messages to local connections until the node shuts down.
    async fn run_bus(self, mut rx: broadcast::Receiver<BusMessage>) {
        loop {
            let message = tokio::select! {
                message = rx.recv() => message,
                _ = self.inner.shutdown.cancelled() => return,
            };
            match message {
                Ok(BusMessage::Room { room, payload }) => self.deliver_local(&room, &payload),
                Ok(BusMessage::Touch { room }) => self.notify_watchers(&room),
                Ok(BusMessage::Resync) => self.resync(),
                Ok(BusMessage::CloseSession { session_id }) => {
                    self.close_where(|id| id.session_id == session_id, ErrorCode::TokenRevoked)
                }
                Ok(BusMessage::CloseUser { user_id }) => {
                    self.close_where(|id| id.user.id == user_id, ErrorCode::AccountDisabled)
                }
                Ok(BusMessage::Evict { user_id, prefix }) => {
                    self.evict_local(user_id, &prefix).await
                }
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    metrics::counter!("expo_bus_lagged_total").increment(n);
                    tracing::error!(missed = n, "bus receiver lagged; the hub resyncs");
                    self.resync();
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }

    /// Reports the name of every room, on any node, whose name starts with one of `prefixes`
    /// each time something is published in it. Domains use it to keep node-local summaries
    /// (a booth's visitor count, say) without knowing how the bus works. Every node must
    /// watch the same prefixes (they are registered at start-up): the publishing node decides
    /// by its own watchers whether to tell the others.
    pub fn watch_rooms(&self, prefixes: &[&str]) -> mpsc::UnboundedReceiver<String> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.inner.watchers.lock().expect("watchers").push(Watcher {
            prefixes: prefixes.iter().map(|p| p.to_string()).collect(),
            tx,
        });
        rx
    }

    fn notify_watchers(&self, room: &str) {
        let mut watchers = self.inner.watchers.lock().expect("watchers");
        watchers.retain(|w| {
            if w.prefixes.iter().any(|p| room.starts_with(p.as_str())) {
                w.tx.send(room.to_string()).is_ok()
            } else {
                !w.tx.is_closed()
            }
        });
    }

    /// Sends a frame to this node's members of a room only, without the bus. For summaries
    /// every node computes for itself (so each member gets it once, from its own node).
    pub fn send_local(&self, room: &str, frame: &ServerFrame) {
        let text = serde_json::to_string(frame).expect("a frame always serializes");
        self.deliver_local(room, &text);
    }

    /// Whether this node has members in a room.
    pub fn has_local_members(&self, room: &str) -> bool {
        self.inner
            .registry
            .lock()
            .expect("registry")
            .rooms
            .contains_key(room)
    }

    /// Batches `room` on this node (see [`batch`]): its frames go out in windows, a few a
    /// second, until its last local member leaves.
    pub fn batch_room(&self, room: &str) {
        self.inner.batcher.lock().expect("batcher").mark(room);
    }

    /// Sends the batched rooms' windows every [`batch::WINDOW`] until the node shuts down.
    async fn run_batches(self) {
        let mut tick = tokio::time::interval(batch::WINDOW);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = self.inner.shutdown.cancelled() => return,
            }
            let windows = self.inner.batcher.lock().expect("batcher").take();
            for (room, frames) in windows {
                metrics::counter!("expo_ws_batches_total").increment(1);
                let count = frames.len() as u64;
                metrics::counter!("expo_ws_batched_frames_total").increment(count);
                self.deliver_now(&room, &batch::encode(frames));
            }
        }
    }

    fn deliver_local(&self, room: &str, payload: &str) {
        if self
            .inner
            .batcher
            .lock()
            .expect("batcher")
            .offer(room, payload)
        {
            return;
        }
        self.deliver_now(room, payload);
    }

    /// How many shares the node's connections are in: one per fan-out task, or one.
    fn shard_count(&self) -> usize {
        self.inner.fanout.as_ref().map_or(1, |f| f.queues.len())
    }

    fn deliver_now(&self, room: &str, payload: &str) {
        // One copy per node; every member shares it.
        let bytes = Utf8Bytes::from(payload);
        let mut registry = self.inner.registry.lock().expect("registry");
        let Some(members) = registry.rooms.get_mut(room) else {
            return;
        };
        let shards = members.shards(self.shard_count());
        metrics::counter!("expo_ws_deliveries_total").increment(members.by_id.len() as u64);
        let Some(fanout) = &self.inner.fanout else {
            // Handed over while the registry is held, which orders concurrent deliveries.
            hand_over(&bytes, &shards[0]);
            return;
        };
        // Queued while the registry is held, so every task has the node's frames in the same
        // order and every member sees the same order, whoever delivers them. Queuing costs a
        // push per task; the per-member work happens on the tasks.
        for (shard, members) in shards.iter().enumerate() {
            if members.is_empty() {
                continue;
            }
            fanout.backlog.increment(1.0);
            let job = Job {
                bytes: bytes.clone(),
                shards: shards.clone(),
                shard,
            };
            // The tasks' receivers live as long as the hub: a send fails only after
            // shutdown, when nothing is delivered any more.
            let _ = fanout.queues[shard].send(job);
        }
        drop(registry);
    }

    /// One fan-out task: hands the frames queued for its share of connections over, in order,
    /// until the node shuts down.
    async fn run_fanout(self, rx: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Job>>>) {
        let mut rx = rx.lock().await;
        let Some(fanout) = &self.inner.fanout else {
            return;
        };
        loop {
            let job = tokio::select! {
                job = rx.recv() => job,
                _ = self.inner.shutdown.cancelled() => return,
            };
            let Some(job) = job else { return };
            fanout.backlog.decrement(1.0);
            hand_over(&job.bytes, &job.shards[job.shard]);
        }
    }

    /// Takes a user's connections, on every node, out of the room named `prefix`, or out of
    /// every room of a kind when it ends with `:` (`chat:`: a fair-wide ban). Their leave is announced like any other.
    pub async fn evict(&self, user_id: i64, prefix: &str) -> anyhow::Result<()> {
        self.inner
            .engine
            .bus
            .publish(BusMessage::Evict {
                user_id,
                prefix: prefix.to_string(),
            })
            .await
    }

    async fn evict_local(&self, user_id: i64, prefix: &str) {
        let targets: Vec<(ConnHandle, String)> = {
            let registry = self.inner.registry.lock().expect("registry");
            registry
                .conns
                .iter()
                .filter(|(_, c)| c.identity.user.id == user_id)
                .flat_map(|(id, c)| {
                    let handle = ConnHandle {
                        id: id.clone(),
                        identity: c.identity.clone(),
                        closer: c.member.closer.clone(),
                        member: c.member.clone(),
                    };
                    c.rooms
                        .keys()
                        .filter(|r| evicts(prefix, r))
                        .map(move |r| (handle.clone(), r.clone()))
                        .collect::<Vec<_>>()
                })
                .collect()
        };
        for (conn, room) in targets {
            self.leave(&conn, &room).await;
        }
    }

    fn remove_member(&self, registry: &mut Registry, room: &str, conn_id: &str) {
        if let Some(members) = registry.rooms.get_mut(room) {
            members.remove(conn_id);
            if members.is_empty() {
                registry.rooms.remove(room);
                self.inner.engine.bus.release(room);
                self.inner.batcher.lock().expect("batcher").unmark(room);
                self.inner.audiences.lock().expect("audiences").remove(room);
            }
        }
    }

    fn close_where(&self, matches: impl Fn(&Identity) -> bool, reason: ErrorCode) {
        let registry = self.inner.registry.lock().expect("registry");
        for conn in registry.conns.values() {
            if matches(&conn.identity) {
                conn.member.closer.close(CloseReason::new(
                    close_code::UNAUTHORIZED,
                    reason,
                    "the session has ended; sign in again",
                ));
            }
        }
    }

    /// Sends every local client back through its catch-up path: closed with `reconnect`, so
    /// it reconnects (here or elsewhere), re-joins its rooms and asks for what it missed by
    /// sequence. Used when this node may have missed bus traffic (its subscription was down,
    /// its receiver lagged, or its presence was lost). Once per outage: a second request
    /// within the presence TTL is the same outage.
    pub fn resync(&self) {
        let now = crate::store::now_ms();
        let last = self.inner.last_resync_ms.load(Ordering::SeqCst);
        let window = self.inner.limits.presence_ttl.as_millis() as i64;
        if now - last < window
            || self
                .inner
                .last_resync_ms
                .compare_exchange(last, now, Ordering::SeqCst, Ordering::SeqCst)
                .is_err()
        {
            return;
        }
        metrics::counter!("expo_hub_resyncs_total").increment(1);
        let registry = self.inner.registry.lock().expect("registry");
        tracing::warn!(
            connections = registry.conns.len(),
            "events may have been missed; clients reconnect and catch up"
        );
        for conn in registry.conns.values() {
            let mut reason = CloseReason::new(
                close_code::SERVICE_RESTART,
                ErrorCode::Unavailable,
                "events may have been missed; reconnect to catch up",
            );
            reason.reconnect = true;
            conn.member.closer.close(reason);
        }
    }

    /// This node's liveness: beats (restoring its entries if they were lost), and sweeps up
    /// after dead nodes, announcing their users' leaves. Never ends before shutdown: Redis
    /// errors are logged, counted and retried on the next tick.
    async fn run_presence(self) {
        let every = (self.inner.limits.presence_ttl / 6).max(Duration::from_millis(200));
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let presence = self.inner.engine.presence.clone();
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = self.inner.shutdown.cancelled() => return,
            }
            match presence.beat().await {
                Ok(false) => metrics::gauge!("expo_presence_ok").set(1.0),
                Ok(true) => {
                    metrics::gauge!("expo_presence_ok").set(1.0);
                    tracing::warn!("this node's presence was lost; restoring it");
                    let entries = self.local_entries();
                    if let Err(error) = presence.restore(&entries).await {
                        tracing::error!(?error, "restoring presence failed");
                    }
                    self.resync();
                }
                Err(error) => {
                    metrics::gauge!("expo_presence_ok").set(0.0);
                    metrics::counter!("expo_presence_errors_total").increment(1);
                    tracing::error!(?error, "presence beat failed");
                    continue;
                }
            }
            match presence.sweep().await {
                Ok(gone) => {
                    for (room, entry) in gone {
                        if !is_quiet(&room) {
                            self.inner.announcer.push(&room, Change::Leave(entry));
                        }
                    }
                }
                Err(error) => {
                    metrics::counter!("expo_presence_errors_total").increment(1);
                    tracing::error!(?error, "presence sweep failed");
                }
            }
        }
    }

    fn local_entries(&self) -> Vec<(String, PresenceEntry)> {
        let registry = self.inner.registry.lock().expect("registry");
        registry
            .conns
            .values()
            .flat_map(|c| c.rooms.iter().map(|(r, e)| (r.clone(), e.clone())))
            .collect()
    }

    /// Starts shutdown: every connection is told to reconnect elsewhere and closed. Waits up
    /// to `grace` for them to finish.
    pub async fn drain(&self, grace: Duration) {
        self.inner.shutdown.cancel();
        {
            let registry = self.inner.registry.lock().expect("registry");
            for conn in registry.conns.values() {
                let mut reason = CloseReason::new(
                    close_code::SERVICE_RESTART,
                    ErrorCode::ShuttingDown,
                    "this node is shutting down; reconnect",
                );
                reason.reconnect = true;
                conn.member.closer.close(reason);
            }
        }
        let wait = async {
            while self.connection_count() > 0 {
                let notified = self.inner.emptied.notified();
                if self.connection_count() == 0 {
                    break;
                }
                let _ = tokio::time::timeout(Duration::from_millis(100), notified).await;
            }
        };
        if tokio::time::timeout(grace, wait).await.is_err() {
            tracing::warn!(
                left = self.connection_count(),
                "connections still open after the grace period"
            );
        }
        // The drained clients' leaves, at once rather than at the window's end.
        self.inner.announcer_stop.cancel();
        let (due, _) = self.inner.announcer.take_due(true);
        self.publish_announcements(due).await;
    }
}

/// Whether an eviction named `target` takes `room`: the room of that name, or, for a kind
/// (`chat:`), every room of it. A plain prefix would take `chat:10` with `chat:1`.
fn evicts(target: &str, room: &str) -> bool {
    room == target || (target.ends_with(':') && room.starts_with(target))
}

#[cfg(test)]
mod tests {
    use super::*;
    use expo_schema::Role;

    fn limits(queue: usize) -> Limits {
        Limits {
            max_frame_bytes: 1024,
            outbound_queue: queue,
            rate_per_sec: 10,
            rate_burst: 10,
            user_rate_per_sec: 10,
            user_rate_burst: 10,
            heartbeat: Duration::from_secs(15),
            heartbeat_timeout: Duration::from_secs(45),
            presence_ttl: Duration::from_secs(30),
            presence_batch: Duration::from_millis(200),
            presence_snapshot_max: 100,
            fanout_tasks: 0,
        }
    }

    fn identity(id: i64) -> Identity {
        Identity {
            user: UserSummary {
                id,
                name: format!("user {id}"),
                role: Role::Buyer,
                company_id: None,
                company_name: None,
                country: None,
                anonymous: false,
            },
            session_id: id,
            expires_ms: i64::MAX,
        }
    }

    #[tokio::test]
    async fn join_delivers_and_leave_cleans_up() {
        let hub = Hub::new("n1".into(), Engine::memory(), limits(16));
        let (a, mut a_rx) = hub.register(identity(1));
        let (b, mut b_rx) = hub.register(identity(2));
        hub.join(&a, "lobby").await.unwrap();
        let snapshot = hub.join(&b, "lobby").await.unwrap();
        assert_eq!(snapshot.members.len(), 2);
        assert_eq!(snapshot.total, 2);
        hub.inner.registry.lock().unwrap().check_invariants();
        // a hears both joins (its own and b's, in one diff or one frame each).
        let mut joined = HashSet::new();
        while joined.len() < 2 {
            let frame = a_rx.recv().await.unwrap();
            let Ok(ServerFrame::Event { event, .. }) = serde_json::from_str(frame.as_str()) else {
                panic!("an event, got {frame:?}");
            };
            joined.extend(event.joined().iter().map(|m| m.conn_id.clone()));
        }
        assert_eq!(joined, HashSet::from([a.id.clone(), b.id.clone()]));
        assert!(hub.leave(&b, "lobby").await);
        assert!(!hub.leave(&b, "lobby").await);
        let left = a_rx.recv().await.unwrap();
        assert!(left.as_str().contains("\"kind\":\"leave\""));
        hub.unregister(&a.id).await;
        hub.unregister(&b.id).await;
        hub.inner.registry.lock().unwrap().check_invariants();
        assert_eq!(hub.connection_count(), 0);
        assert!(hub.presence("lobby").await.unwrap().is_empty());
        // b got its own join before it left.
        assert!(b_rx.recv().await.is_some());
    }

    /// A batched room's frames wait for the window and go out as one `batch` frame, in order;
    /// another room's go out at once.
    #[tokio::test]
    async fn a_batched_room_sends_its_window_as_one_frame_in_order() {
        let hub = Hub::new("n1".into(), Engine::memory(), limits(64));
        let (a, mut a_rx) = hub.register(identity(1));
        hub.batch_room("chat:5");
        hub.enter(&a, "chat:5").await.unwrap();
        hub.enter(&a, "chat:6").await.unwrap();
        let marker = |room_id: i64, seq: i64| {
            serde_json::to_string(&ServerFrame::Event {
                room: format!("chat:{room_id}"),
                event: RoomEvent::ChatReadMarker { room_id, seq },
            })
            .unwrap()
        };
        // No await between them: all five fall in one window.
        for seq in 1..=5 {
            hub.deliver_local("chat:5", &marker(5, seq));
        }
        hub.deliver_local("chat:6", &marker(6, 1));
        // The unbatched room's marker is already queued, the batched room's are not.
        let markers_in = |frame: &ServerFrame| -> Vec<(i64, i64)> {
            let frames = match frame {
                ServerFrame::Batch { frames } => frames.clone(),
                other => vec![other.clone()],
            };
            frames
                .into_iter()
                .filter_map(|f| match f {
                    ServerFrame::Event {
                        event: RoomEvent::ChatReadMarker { room_id, seq },
                        ..
                    } => Some((room_id, seq)),
                    _ => None,
                })
                .collect()
        };
        let mut queued = Vec::new();
        while let Ok(frame) = a_rx.try_recv() {
            queued.extend(markers_in(&serde_json::from_str(frame.as_str()).unwrap()));
        }
        assert_eq!(
            queued,
            [(6, 1)],
            "only the unbatched room's frame went at once"
        );
        let mut seqs = Vec::new();
        while seqs.is_empty() {
            let frame = a_rx.recv().await.unwrap();
            let parsed: ServerFrame = serde_json::from_str(frame.as_str()).unwrap();
            let frames = match parsed {
                ServerFrame::Batch { frames } => frames,
                // Presence of this connection's own entry may come alone.
                other => vec![other],
            };
            for inner in frames {
                if let ServerFrame::Event {
                    event: RoomEvent::ChatReadMarker { seq, .. },
                    ..
                } = inner
                {
                    seqs.push(seq);
                }
            }
        }
        assert_eq!(
            seqs,
            [1, 2, 3, 4, 5],
            "one frame carried the window, in order"
        );
        // Once its last member leaves, the room is no longer batched here.
        assert!(hub.leave(&a, "chat:5").await);
        assert!(!hub.inner.batcher.lock().unwrap().is_batched("chat:5"));
        hub.unregister(&a.id).await;
    }

    #[tokio::test]
    async fn an_eviction_takes_the_named_room_or_the_whole_kind() {
        let hub = Hub::new("n1".into(), Engine::memory(), limits(16));
        let (a, _a_rx) = hub.register(identity(1));
        for room in ["chat:1", "chat:10", "chat:100", "booth:1"] {
            hub.join(&a, room).await.unwrap();
        }
        hub.evict_local(1, "chat:1").await;
        let mut left = hub.rooms_of(&a.id);
        left.sort();
        assert_eq!(left, ["booth:1", "chat:10", "chat:100"]);
        hub.evict_local(1, "chat:").await;
        assert_eq!(hub.rooms_of(&a.id), ["booth:1"]);
    }

    /// With fan-out tasks, every member still gets every frame of a room once and in the
    /// order it was delivered, whichever task serves it, and a member who left gets no more.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn fanout_tasks_keep_each_members_order() {
        let mut limits = limits(512);
        limits.fanout_tasks = 3;
        let hub = Hub::new("n1".into(), Engine::memory(), limits);
        let mut members = Vec::new();
        for id in 0..10 {
            let (conn, rx) = hub.register(identity(id));
            hub.enter(&conn, "room").await.unwrap();
            members.push((conn, rx));
        }
        hub.inner.registry.lock().unwrap().check_invariants();
        let shards: HashSet<usize> = {
            let registry = hub.inner.registry.lock().unwrap();
            registry.conns.values().map(|c| c.member.shard).collect()
        };
        assert_eq!(
            shards.len(),
            3,
            "the connections are spread over every task"
        );
        // Each delivery's own frame; from two tasks at once, so deliveries race each other
        // the way the bus task's and a local summary's do.
        let frame = |n: usize| format!("{{\"n\":{n}}}");
        let (first, second) = (hub.clone(), hub.clone());
        let evens = tokio::spawn(async move {
            for n in (0..400).step_by(2) {
                first.deliver_local("room", &frame(n));
                tokio::task::yield_now().await;
            }
        });
        let odds = tokio::spawn(async move {
            for n in (1..400).step_by(2) {
                second.deliver_local("room", &frame(n));
                tokio::task::yield_now().await;
            }
        });
        evens.await.unwrap();
        odds.await.unwrap();
        let (gone, mut gone_rx) = members.pop().unwrap();
        assert!(hub.leave(&gone, "room").await);
        hub.deliver_local("room", &frame(400));
        let mut orders = Vec::new();
        for (conn, rx) in &mut members {
            let mut evens_seen = Vec::new();
            let mut odds_seen = Vec::new();
            let mut order = Vec::new();
            while evens_seen.len() + odds_seen.len() < 200 + 200 + 1 {
                let text = tokio::time::timeout(Duration::from_secs(5), rx.recv())
                    .await
                    .expect("every frame arrives")
                    .unwrap();
                let Ok(value) = serde_json::from_str::<serde_json::Value>(text.as_str()) else {
                    continue;
                };
                // Presence announcements of the room share the queue.
                let Some(n) = value.get("n").and_then(|n| n.as_u64()) else {
                    continue;
                };
                order.push(n);
                if n % 2 == 0 {
                    evens_seen.push(n);
                } else {
                    odds_seen.push(n);
                }
            }
            let evens: Vec<u64> = (0..=400).step_by(2).collect();
            let odds: Vec<u64> = (1..400).step_by(2).collect();
            assert_eq!(
                evens_seen, evens,
                "{}: each sender's frames once, in order",
                conn.id
            );
            assert_eq!(
                odds_seen, odds,
                "{}: each sender's frames once, in order",
                conn.id
            );
            orders.push(order);
        }
        assert!(
            orders.windows(2).all(|pair| pair[0] == pair[1]),
            "every member saw the racing deliveries in the same order"
        );
        // The member who left heard frames up to its leave, and not the one after it.
        let mut last = None;
        while let Ok(text) = gone_rx.try_recv() {
            if let Some(n) = serde_json::from_str::<serde_json::Value>(text.as_str())
                .ok()
                .and_then(|v| v.get("n").and_then(|n| n.as_u64()))
            {
                last = Some(n);
            }
        }
        assert!(
            last.is_some_and(|n| n < 400),
            "no frame after leaving: {last:?}"
        );
        hub.inner.registry.lock().unwrap().check_invariants();
    }

    /// The writer hears of a close whether it was waiting when it came or looks afterwards,
    /// and the first reason given is the one kept.
    #[tokio::test]
    async fn the_writer_hears_a_close() {
        let closer = Arc::new(Closer::default());
        let waiting = {
            let closer = closer.clone();
            tokio::spawn(async move { closer.writer_closed().await })
        };
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "nothing closed yet");
        closer.close(CloseReason::new(
            close_code::SLOW_CONSUMER,
            ErrorCode::SlowConsumer,
            "first",
        ));
        closer.close(CloseReason::quiet());
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("the waiting writer is woken")
            .unwrap();
        tokio::time::timeout(Duration::from_secs(5), closer.writer_closed())
            .await
            .expect("a writer that looks after the close sees it");
        assert!(closer.is_closed());
        assert_eq!(closer.reason().unwrap().message, "first");
    }

    #[tokio::test]
    async fn a_full_queue_closes_only_that_connection() {
        let hub = Hub::new("n1".into(), Engine::memory(), limits(2));
        let (slow, _slow_rx) = hub.register(identity(1));
        let (fast, mut fast_rx) = hub.register(identity(2));
        hub.join(&slow, "room").await.unwrap();
        hub.join(&fast, "room").await.unwrap();
        for _ in 0..5 {
            hub.deliver_local("room", "{}");
            while fast_rx.try_recv().is_ok() {}
        }
        assert!(slow.closer.is_closed());
        assert_eq!(
            slow.closer.reason().unwrap().code,
            close_code::SLOW_CONSUMER
        );
        assert!(!fast.closer.is_closed());
    }
}
