//! Presence, the cross-node bus and per-user limits: in process (one node) or in Redis (many
//! nodes).
//!
//! The shapes follow Centrifugo's broker and presence manager: small, with no domain words.
//! The bus carries opaque, already-encoded room payloads and a few hub control messages; the
//! presence store keeps one entry per (room, connection) with an expiry that the owning node
//! refreshes, so a node that dies takes its users with it when their entries lapse.
//!
//! Each concern is a closed enum over its two engines rather than a trait object: there are
//! exactly two, the call sites stay plain `async fn`s, and nothing is boxed per call.

use expo_schema::PresenceEntry;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;

pub mod cluster;
pub mod memory;
pub mod redis;

/// One message on the bus. Room traffic reaches the nodes with members in the room; control
/// messages reach every node, which acts on the ones that concern its own connections.
#[derive(Debug, Clone, PartialEq)]
pub enum BusMessage {
    /// Deliver `payload` (an encoded server frame) to the room's local members.
    Room { room: String, payload: Arc<str> },
    /// Something was published in a watched room (see `Hub::watch_rooms`), on some node.
    Touch { room: String },
    /// Local only, never sent: this node's subscription was down for a while and events may
    /// have been missed; the hub sends its clients through their catch-up path.
    Resync,
    /// Close every connection opened with this session (logout, revocation).
    CloseSession { session_id: i64 },
    /// Close every connection of this user (account disabled).
    CloseUser { user_id: i64 },
    /// Take this user's connections out of every room whose name starts with `prefix`.
    Evict { user_id: i64, prefix: String },
}

/// The header line of a bus message on the wire. The payload follows after a newline,
/// unescaped, so a frame is never JSON-encoded twice.
#[derive(Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
enum Header {
    Room { room: String },
    Touch { room: String },
    Resync,
    CloseSession { session_id: i64 },
    CloseUser { user_id: i64 },
    Evict { user_id: i64, prefix: String },
}

impl BusMessage {
    /// Encodes the message as `header-json \n payload`.
    pub fn encode(&self) -> String {
        let (header, payload) = match self {
            BusMessage::Room { room, payload } => (Header::Room { room: room.clone() }, &**payload),
            BusMessage::Touch { room } => (Header::Touch { room: room.clone() }, ""),
            BusMessage::Resync => (Header::Resync, ""),
            BusMessage::CloseSession { session_id } => (
                Header::CloseSession {
                    session_id: *session_id,
                },
                "",
            ),
            BusMessage::CloseUser { user_id } => (Header::CloseUser { user_id: *user_id }, ""),
            BusMessage::Evict { user_id, prefix } => (
                Header::Evict {
                    user_id: *user_id,
                    prefix: prefix.clone(),
                },
                "",
            ),
        };
        let mut out = serde_json::to_string(&header).expect("a header always serializes");
        out.push('\n');
        out.push_str(payload);
        out
    }

    /// Decodes what [`BusMessage::encode`] wrote; `None` for anything else.
    pub fn decode(raw: &str) -> Option<BusMessage> {
        let (head, payload) = raw.split_once('\n')?;
        Some(match serde_json::from_str::<Header>(head).ok()? {
            Header::Room { room } => BusMessage::Room {
                room,
                payload: Arc::from(payload),
            },
            Header::Touch { room } => BusMessage::Touch { room },
            Header::Resync => BusMessage::Resync,
            Header::CloseSession { session_id } => BusMessage::CloseSession { session_id },
            Header::CloseUser { user_id } => BusMessage::CloseUser { user_id },
            Header::Evict { user_id, prefix } => BusMessage::Evict { user_id, prefix },
        })
    }
}

/// The cross-node bus.
#[derive(Clone)]
pub enum Bus {
    Memory(memory::MemoryBus),
    Redis(Arc<redis::RedisBus>),
}

impl Bus {
    /// Publishes: room traffic to the nodes with members in the room, control messages to
    /// every node (this one included).
    pub async fn publish(&self, message: BusMessage) -> anyhow::Result<()> {
        metrics::counter!("expo_bus_published_total").increment(1);
        match self {
            Bus::Memory(bus) => bus.publish(message),
            Bus::Redis(bus) => bus.publish(message).await,
        }
    }

    /// A receiver of every message for this node from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<BusMessage> {
        match self {
            Bus::Memory(bus) => bus.subscribe(),
            Bus::Redis(bus) => bus.subscribe(),
        }
    }

    /// Whether this node hears the other nodes now (always, in process).
    pub fn is_subscribed(&self) -> bool {
        match self {
            Bus::Memory(_) => true,
            Bus::Redis(bus) => bus.is_subscribed(),
        }
    }

    /// A room got its first member on this node: its traffic must reach this node.
    pub fn retain(&self, room: &str) {
        if let Bus::Redis(bus) = self {
            bus.retain(room);
        }
    }

    /// A room lost its last member on this node.
    pub fn release(&self, room: &str) {
        if let Bus::Redis(bus) = self {
            bus.release(room);
        }
    }

    /// Waits until the room's traffic reaches this node (after [`Bus::retain`]).
    pub async fn ready(&self, room: &str) {
        if let Bus::Redis(bus) = self {
            bus.ready(room).await;
        }
    }
}

/// Who is in which room, across nodes.
#[derive(Clone)]
pub enum Presence {
    Memory(memory::MemoryPresence),
    Redis(Arc<redis::RedisPresence>),
}

impl Presence {
    /// Adds (or refreshes) a connection's entry in a room.
    pub async fn add(&self, room: &str, entry: &PresenceEntry) -> anyhow::Result<()> {
        match self {
            Presence::Memory(p) => {
                p.add(room, entry);
                Ok(())
            }
            Presence::Redis(p) => p.add(room, entry).await,
        }
    }

    /// Says this node is alive. True when its entries were lost meanwhile (Redis restarted,
    /// or other nodes took this one for dead) and must be restored.
    pub async fn beat(&self) -> anyhow::Result<bool> {
        match self {
            Presence::Memory(_) => Ok(false),
            Presence::Redis(p) => p.beat().await,
        }
    }

    /// Writes this node's entries again.
    pub async fn restore(&self, entries: &[(String, PresenceEntry)]) -> anyhow::Result<()> {
        match self {
            Presence::Memory(p) => {
                for (room, entry) in entries {
                    p.add(room, entry);
                }
                Ok(())
            }
            Presence::Redis(p) => p.restore(entries).await,
        }
    }

    /// Removes the entries of dead nodes; each comes back to exactly one sweeping node, to
    /// announce.
    pub async fn sweep(&self) -> anyhow::Result<Vec<(String, PresenceEntry)>> {
        match self {
            Presence::Memory(_) => Ok(Vec::new()),
            Presence::Redis(p) => p.sweep().await,
        }
    }

    /// Removes a connection's entry; true if it was there.
    pub async fn remove(&self, room: &str, conn_id: &str) -> anyhow::Result<bool> {
        match self {
            Presence::Memory(p) => Ok(p.remove(room, conn_id)),
            Presence::Redis(p) => p.remove(room, conn_id).await,
        }
    }

    /// How many entries the room has on all nodes.
    pub async fn count(&self, room: &str) -> anyhow::Result<usize> {
        match self {
            Presence::Memory(p) => Ok(p.count(room)),
            Presence::Redis(p) => p.count(room).await,
        }
    }

    /// The room's live entries, oldest first, and the entries of dead nodes that this call
    /// removed (exactly one caller gets each). A room of more than `limit` entries gives a
    /// sample of `limit` of them (the oldest in process; a random one in Redis) and its
    /// count, so a snapshot of a crowded room costs the same as of a small one.
    pub async fn list(&self, room: &str, limit: usize) -> anyhow::Result<PresenceList> {
        match self {
            Presence::Memory(p) => Ok(p.list(room, limit)),
            Presence::Redis(p) => p.list(room, limit).await,
        }
    }
}

/// Per-user limits that hold across nodes: rate buckets (`take`) and open-connection counts
/// (`open`/`close`), keyed by opaque strings (`cmd:{user}`, `chat:{user}`, `user:{user}`).
///
/// Redis being unreachable must not lock anyone out, so the Redis limiter **fails open**: a
/// failed or slow (over [`LIMITER_TIMEOUT`]) call grants, logs a warning, counts
/// `expo_limiter_fail_open_total`, and the next [`LIMITER_PAUSE`] grants without asking (so
/// an outage does not add a timeout to every command). The per-connection limits, which are
/// local, still hold meanwhile.
#[derive(Clone)]
pub enum Limiter {
    Memory(memory::MemoryLimiter),
    Redis(Arc<redis::RedisLimiter>),
}

/// The longest a limit check waits for Redis before it grants.
pub const LIMITER_TIMEOUT: Duration = Duration::from_millis(500);
/// After a failed check, how long Redis is not asked.
pub const LIMITER_PAUSE: Duration = Duration::from_secs(1);

/// The outcome of [`Limiter::open`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Counted: give it back with [`Limiter::close`].
    Counted,
    /// The maximum is reached; nothing was counted.
    Refused,
    /// Granted without counting (Redis failed): nothing to give back.
    Uncounted,
}

impl Limiter {
    /// Takes one unit of `key`'s allowance (`rate` a second, `burst` at once); false when it
    /// is spent.
    pub async fn take(&self, key: &str, rate: u32, burst: u32) -> bool {
        match self {
            Limiter::Memory(l) => l.take_at(key, rate, burst, std::time::Instant::now()),
            Limiter::Redis(l) => fail_open(l, l.take(key, rate, burst)).await.unwrap_or(true),
        }
    }

    /// Starts `key`'s cooldown of `length` on all nodes unless one runs; what is left of the
    /// running one otherwise (zero: started, or Redis failed and the send is let through).
    pub async fn cooldown(&self, key: &str, length: std::time::Duration) -> std::time::Duration {
        match self {
            Limiter::Memory(l) => l.cooldown_at(key, length, std::time::Instant::now()),
            Limiter::Redis(l) => {
                let ms = fail_open(l, l.cooldown(key, length.as_millis() as u64))
                    .await
                    .unwrap_or(0);
                std::time::Duration::from_millis(ms)
            }
        }
    }

    /// Counts one more open connection of `key`, unless `max` (0: none) are open on all nodes.
    pub async fn open(&self, key: &str, max: u64) -> Admission {
        let counted = match self {
            Limiter::Memory(l) => Some(l.open(key, max)),
            Limiter::Redis(l) => fail_open(l, l.open(key, max)).await,
        };
        match counted {
            Some(true) => Admission::Counted,
            Some(false) => Admission::Refused,
            None => Admission::Uncounted,
        }
    }

    /// Gives back a connection that [`Limiter::open`] counted.
    pub async fn close(&self, key: &str) {
        match self {
            Limiter::Memory(l) => l.close(key),
            Limiter::Redis(l) => {
                // Not skipped during a pause: a count left behind would refuse too much.
                match tokio::time::timeout(LIMITER_TIMEOUT, l.close(key)).await {
                    Ok(Ok(())) => {}
                    Ok(Err(error)) => {
                        tracing::warn!(%error, key, "connection count not given back")
                    }
                    Err(_) => tracing::warn!(key, "connection count not given back: Redis is slow"),
                }
            }
        }
    }
}

/// Runs a Redis limit check; `None` (grant) when it fails or is slow, and during the pause
/// after a failure.
async fn fail_open<T>(
    limiter: &redis::RedisLimiter,
    check: impl std::future::Future<Output = anyhow::Result<T>>,
) -> Option<T> {
    use std::sync::atomic::Ordering;
    let now = crate::store::now_ms();
    if limiter.skip_until_ms.load(Ordering::Relaxed) > now {
        metrics::counter!("expo_limiter_fail_open_total").increment(1);
        return None;
    }
    let error = match tokio::time::timeout(LIMITER_TIMEOUT, check).await {
        Ok(Ok(value)) => return Some(value),
        Ok(Err(error)) => format!("{error:#}"),
        Err(_) => format!("no answer in {} ms", LIMITER_TIMEOUT.as_millis()),
    };
    limiter
        .skip_until_ms
        .store(now + LIMITER_PAUSE.as_millis() as i64, Ordering::Relaxed);
    metrics::counter!("expo_limiter_fail_open_total").increment(1);
    tracing::warn!(
        error,
        "per-user limits unavailable (Redis); granting without a check for {} s",
        LIMITER_PAUSE.as_secs()
    );
    None
}

/// The answer of [`Presence::list`].
#[derive(Debug, Default)]
pub struct PresenceList {
    pub live: Vec<PresenceEntry>,
    pub expired: Vec<PresenceEntry>,
    /// How many entries the room holds, the unlisted ones of a sample included.
    pub total: usize,
}

/// Presence and bus together, plus how to tell whether they are reachable.
#[derive(Clone)]
pub struct Engine {
    pub bus: Bus,
    pub presence: Presence,
    pub limiter: Limiter,
    pub name: &'static str,
    redis: Option<redis::Conn>,
}

impl Engine {
    /// In-process engines: one node, nothing to connect to.
    pub fn memory() -> Engine {
        Engine {
            bus: Bus::Memory(memory::MemoryBus::new()),
            presence: Presence::Memory(memory::MemoryPresence::new()),
            limiter: Limiter::Memory(memory::MemoryLimiter::new()),
            name: "memory",
            redis: None,
        }
    }

    /// Redis engines: presence entries and bus channels under `prefix`, for node `node`.
    pub async fn redis(
        url: &str,
        cluster: bool,
        prefix: &str,
        node: &str,
        shards: u32,
        presence_ttl: Duration,
    ) -> anyhow::Result<Engine> {
        let (bus, presence, conn) =
            redis::connect(url, cluster, prefix, node, shards, presence_ttl).await?;
        let presence = Arc::new(presence);
        let limiter = redis::RedisLimiter::new(conn.clone(), prefix, node, presence.clone());
        // A previous life of this node id may have been killed with connections counted.
        limiter.purge().await?;
        Ok(Engine {
            bus: Bus::Redis(Arc::new(bus)),
            presence: Presence::Redis(presence),
            limiter: Limiter::Redis(Arc::new(limiter)),
            name: if cluster { "redis-cluster" } else { "redis" },
            redis: Some(conn),
        })
    }

    /// True when the engine can serve now: Redis answers and the bus is subscribed (always,
    /// in process).
    pub async fn ping(&self) -> bool {
        if !self.bus.is_subscribed() {
            return false;
        }
        match &self.redis {
            None => true,
            Some(conn) => {
                let mut conn = conn.clone();
                let cmd = ::redis::cmd("PING");
                let probe = cmd.query_async::<String>(&mut conn);
                matches!(
                    tokio::time::timeout(Duration::from_secs(1), probe).await,
                    Ok(Ok(_))
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bus_messages_round_trip() {
        let payload = "{\"type\":\"event\",\"room\":\"lobby\"}\nwith a newline";
        for message in [
            BusMessage::Room {
                room: "booth:7".into(),
                payload: Arc::from(payload),
            },
            BusMessage::Touch {
                room: "duty:3".into(),
            },
            BusMessage::CloseSession { session_id: 42 },
            BusMessage::CloseUser { user_id: 9 },
            BusMessage::Evict {
                user_id: 9,
                prefix: "chat:".into(),
            },
        ] {
            assert_eq!(BusMessage::decode(&message.encode()), Some(message));
        }
        assert_eq!(BusMessage::decode("garbage"), None);
    }
}
