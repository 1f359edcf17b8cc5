//! Redis presence and bus, for a fair served by several nodes.
//!
//! Keys (all under the configured prefix `p`):
//! - `p:bus`: the pub/sub channel every node publishes to and listens on;
//! - `p:presence:{room}`: hash of connection id to entry JSON;
//! - `p:presence:{room}:exp`: sorted set of connection id scored by expiry (UTC ms). Redis 7.0
//!   has no per-field TTL, so expiry is this score; the owning node re-scores its entries
//!   every third of the TTL, and whoever lists a room removes lapsed entries.
//!
//! Pub/sub is at most once; the bus is a fast path only, never the record of truth.

use super::{BusMessage, PresenceList};
use anyhow::Context;
use expo_schema::PresenceEntry;
use futures_util::StreamExt;
use redis::aio::ConnectionManager;
use redis::AsyncCommands;
use std::time::Duration;
use tokio::sync::broadcast;

const BUS_CAPACITY: usize = 65_536;

/// Connects the bus (a publisher and a reconnecting subscriber task) and presence.
pub async fn connect(
    url: &str,
    prefix: &str,
    presence_ttl: Duration,
) -> anyhow::Result<(RedisBus, RedisPresence, ConnectionManager)> {
    let client = redis::Client::open(url).context("parsing EXPO_REDIS_URL")?;
    let conn = ConnectionManager::new(client.clone())
        .await
        .context("connecting to Redis")?;
    let channel = format!("{prefix}:bus");
    let (tx, _) = broadcast::channel(BUS_CAPACITY);
    // Subscribe once before returning, so a message published right after start-up is seen.
    let pubsub = subscribe(&client, &channel).await?;
    tokio::spawn(listen(client, channel.clone(), tx.clone(), pubsub));
    let bus = RedisBus {
        conn: conn.clone(),
        channel,
        tx,
    };
    let presence = RedisPresence {
        conn: conn.clone(),
        prefix: prefix.to_string(),
        ttl: presence_ttl,
    };
    Ok((bus, presence, conn))
}

async fn subscribe(client: &redis::Client, channel: &str) -> anyhow::Result<redis::aio::PubSub> {
    let mut pubsub = client
        .get_async_pubsub()
        .await
        .context("opening the Redis pub/sub connection")?;
    pubsub
        .subscribe(channel)
        .await
        .context("subscribing to the bus channel")?;
    Ok(pubsub)
}

/// Forwards bus messages to local receivers; reconnects with backoff when Redis drops.
/// Ends when every receiver and the bus handle are gone.
async fn listen(
    client: redis::Client,
    channel: String,
    tx: broadcast::Sender<BusMessage>,
    first: redis::aio::PubSub,
) {
    let mut pubsub = Some(first);
    let mut backoff = Duration::from_millis(100);
    loop {
        let current = match pubsub.take() {
            Some(p) => p,
            None => match subscribe(&client, &channel).await {
                Ok(p) => {
                    tracing::info!("bus subscription restored");
                    backoff = Duration::from_millis(100);
                    p
                }
                Err(error) => {
                    tracing::warn!(?error, "bus subscription failed; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                    continue;
                }
            },
        };
        let mut stream = current.into_on_message();
        while let Some(msg) = stream.next().await {
            let Ok(raw) = msg.get_payload::<String>() else {
                continue;
            };
            match BusMessage::decode(&raw) {
                Some(message) => {
                    metrics::counter!("expo_bus_received_total").increment(1);
                    if tx.send(message).is_err() && tx.receiver_count() == 0 {
                        // Nobody listens any more: the node has shut down.
                        return;
                    }
                }
                None => tracing::warn!("undecodable bus message dropped"),
            }
        }
        tracing::warn!("bus subscription lost; reconnecting");
        tokio::time::sleep(backoff).await;
    }
}

#[derive(Clone)]
pub struct RedisBus {
    conn: ConnectionManager,
    channel: String,
    tx: broadcast::Sender<BusMessage>,
}

impl RedisBus {
    pub async fn publish(&self, message: BusMessage) -> anyhow::Result<()> {
        let mut conn = self.conn.clone();
        let _: i64 = conn
            .publish(&self.channel, message.encode())
            .await
            .context("publishing on the bus")?;
        Ok(())
    }

    pub fn subscribe(&self) -> broadcast::Receiver<BusMessage> {
        self.tx.subscribe()
    }
}

#[derive(Clone)]
pub struct RedisPresence {
    conn: ConnectionManager,
    prefix: String,
    ttl: Duration,
}

impl RedisPresence {
    fn keys(&self, room: &str) -> (String, String) {
        let hash = format!("{}:presence:{}", self.prefix, room);
        let exp = format!("{hash}:exp");
        (hash, exp)
    }

    fn pipe_add(&self, pipe: &mut redis::Pipeline, room: &str, entry: &PresenceEntry) {
        let (hash, exp) = self.keys(room);
        let ttl_ms = self.ttl.as_millis() as i64;
        let expires = crate::store::now_ms() + ttl_ms;
        let json = serde_json::to_string(entry).expect("an entry always serializes");
        // The keys themselves outlive their entries a little, so an idle room cleans itself up.
        pipe.hset(&hash, &entry.conn_id, json)
            .ignore()
            .zadd(&exp, &entry.conn_id, expires)
            .ignore()
            .pexpire(&hash, ttl_ms * 4)
            .ignore()
            .pexpire(&exp, ttl_ms * 4)
            .ignore();
    }

    pub async fn add(&self, room: &str, entry: &PresenceEntry) -> anyhow::Result<()> {
        let mut pipe = redis::pipe();
        pipe.atomic();
        self.pipe_add(&mut pipe, room, entry);
        let mut conn = self.conn.clone();
        pipe.query_async::<()>(&mut conn)
            .await
            .context("adding presence")?;
        Ok(())
    }

    pub async fn refresh(&self, entries: &[(String, PresenceEntry)]) -> anyhow::Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut pipe = redis::pipe();
        for (room, entry) in entries {
            self.pipe_add(&mut pipe, room, entry);
        }
        let mut conn = self.conn.clone();
        pipe.query_async::<()>(&mut conn)
            .await
            .context("refreshing presence")?;
        Ok(())
    }

    pub async fn remove(&self, room: &str, conn_id: &str) -> anyhow::Result<bool> {
        let (hash, exp) = self.keys(room);
        let mut conn = self.conn.clone();
        let (removed, _): (i64, i64) = redis::pipe()
            .atomic()
            .hdel(&hash, conn_id)
            .zrem(&exp, conn_id)
            .query_async(&mut conn)
            .await
            .context("removing presence")?;
        Ok(removed > 0)
    }

    pub async fn list(&self, room: &str) -> anyhow::Result<PresenceList> {
        let (hash, exp) = self.keys(room);
        let mut conn = self.conn.clone();
        let now = crate::store::now_ms();
        let lapsed: Vec<String> = conn
            .zrangebyscore(&exp, "-inf", now)
            .await
            .context("listing lapsed presence")?;
        let mut out = PresenceList::default();
        for conn_id in lapsed {
            // ZREM answers 1 to exactly one caller, so each lapsed entry is reported once.
            let (won, json, _): (i64, Option<String>, i64) = redis::pipe()
                .atomic()
                .zrem(&exp, &conn_id)
                .hget(&hash, &conn_id)
                .hdel(&hash, &conn_id)
                .query_async(&mut conn)
                .await
                .context("removing lapsed presence")?;
            if won == 1 {
                if let Some(entry) = json.and_then(|j| serde_json::from_str(&j).ok()) {
                    out.expired.push(entry);
                }
            }
        }
        let all: Vec<(String, String)> = conn.hgetall(&hash).await.context("listing presence")?;
        out.live = all
            .into_iter()
            .filter_map(|(_, json)| serde_json::from_str::<PresenceEntry>(&json).ok())
            .collect();
        out.live
            .sort_by(|a, b| (a.since_ms, &a.conn_id).cmp(&(b.since_ms, &b.conn_id)));
        Ok(out)
    }
}
