//! The bus on a Redis Cluster: sharded pub/sub.
//!
//! A plain `PUBLISH` on a cluster is broadcast to every cluster node over the cluster bus; a
//! sharded one (`SPUBLISH`, Redis 7) stays on the shard that owns the channel's slot. So each
//! bus channel (`{prefix}:bus:ctl` and `{prefix}:bus:{shard}`) lives on one master, and this
//! listener keeps one RESP3 connection per master, subscribing (`SSUBSCRIBE`) to each channel on
//! the master that owns its slot. Publishing goes through the cluster client, which routes
//! `SPUBLISH` by its channel. Messages arrive as RESP3 pushes on the connection's push channel.
//!
//! The life cycle is the single-Redis listener's: subscribe to the control channel and every
//! wanted shard before the node serves; follow subscription commands; unsubscribe idle shards;
//! when any master connection drops (or a subscription fails, say after a resharding), mark the
//! bus down, read the slot map again, reconnect, resubscribe and ask the hub to resync.

use super::redis::{forward, Channels, Command, Conn, Link, Loud};
use super::BusMessage;
use anyhow::Context;
use redis::aio::MultiplexedConnection;
use redis::{PushInfo, PushKind, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;

const RECONCILE: Duration = Duration::from_secs(5);

pub struct ShardListener {
    pub(super) conn: Conn,
    pub(super) channels: Channels,
    pub(super) tx: broadcast::Sender<BusMessage>,
    pub(super) link: Arc<Link>,
    pub(super) commands: mpsc::UnboundedReceiver<Command>,
    pub(super) stop: CancellationToken,
}

/// One connection per master, and which master owns which slots.
pub struct Subscriber {
    masters: Vec<MultiplexedConnection>,
    /// (first slot, last slot, index into `masters`).
    slots: Vec<(u16, u16, usize)>,
    pushes: mpsc::UnboundedReceiver<(usize, PushInfo)>,
}

/// Reads `CLUSTER SLOTS`: each range's master as `host:port`.
async fn slot_map(conn: &Conn) -> anyhow::Result<Vec<(u16, u16, String)>> {
    let mut conn = conn.clone();
    let reply: Value = redis::cmd("CLUSTER")
        .arg("SLOTS")
        .query_async(&mut conn)
        .await
        .context("reading the cluster's slot map")?;
    let Value::Array(ranges) = reply else {
        anyhow::bail!("CLUSTER SLOTS answered {reply:?}");
    };
    let mut out = Vec::new();
    for range in ranges {
        let Value::Array(parts) = range else { continue };
        let (Some(Value::Int(start)), Some(Value::Int(end)), Some(Value::Array(master))) =
            (parts.first(), parts.get(1), parts.get(2))
        else {
            continue;
        };
        let host = match master.first() {
            Some(Value::BulkString(h)) => String::from_utf8_lossy(h).to_string(),
            Some(Value::SimpleString(h)) => h.clone(),
            _ => continue,
        };
        let Some(Value::Int(port)) = master.get(1) else {
            continue;
        };
        out.push((*start as u16, *end as u16, format!("{host}:{port}")));
    }
    anyhow::ensure!(!out.is_empty(), "the cluster has no slots assigned");
    Ok(out)
}

impl Subscriber {
    fn master_of(&self, channel: &str) -> anyhow::Result<usize> {
        let slot = redis::cluster_routing::get_slot(channel.as_bytes());
        self.slots
            .iter()
            .find(|(start, end, _)| (*start..=*end).contains(&slot))
            .map(|(_, _, i)| *i)
            .with_context(|| format!("no master owns slot {slot}"))
    }

    async fn command(&mut self, verb: &str, channel: &str) -> anyhow::Result<()> {
        let i = self.master_of(channel)?;
        redis::cmd(verb)
            .arg(channel)
            .exec_async(&mut self.masters[i])
            .await
            .with_context(|| format!("{verb} {channel}"))
    }
}

impl ShardListener {
    /// Connects to every master and subscribes to the control channel and the wanted shards.
    pub async fn open(&self) -> anyhow::Result<Subscriber> {
        let map = slot_map(&self.conn).await?;
        let mut addrs: Vec<String> = map.iter().map(|(_, _, a)| a.clone()).collect();
        addrs.sort();
        addrs.dedup();
        let (push_tx, pushes) = mpsc::unbounded_channel();
        let mut masters = Vec::new();
        for (i, addr) in addrs.iter().enumerate() {
            let client = redis::Client::open(format!("redis://{addr}/?protocol=resp3"))
                .context("a master's address")?;
            let push_tx = push_tx.clone();
            let config = redis::AsyncConnectionConfig::new()
                .set_push_sender(move |info: PushInfo| push_tx.send((i, info)));
            let conn = client
                .get_multiplexed_async_connection_with_config(&config)
                .await
                .with_context(|| format!("connecting to master {addr}"))?;
            masters.push(conn);
        }
        let slots = map
            .into_iter()
            .map(|(start, end, addr)| {
                let i = addrs.iter().position(|a| *a == addr).unwrap_or(0);
                (start, end, i)
            })
            .collect();
        let mut sub = Subscriber {
            masters,
            slots,
            pushes,
        };
        sub.command("SSUBSCRIBE", &self.channels.control()).await?;
        let wanted = self.link.wanted();
        for shard in &wanted {
            sub.command("SSUBSCRIBE", &self.channels.shard(*shard))
                .await?;
        }
        self.link.confirm_all(wanted);
        Ok(sub)
    }

    pub async fn run(mut self, first: Subscriber) {
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
                            tracing::warn!("sharded bus subscription restored; the hub resyncs");
                            let _ = self.tx.send(BusMessage::Resync);
                            backoff = Duration::from_millis(100);
                            sub
                        }
                        Err(error) => {
                            tracing::error!(
                                ?error,
                                ?backoff,
                                "sharded bus subscription failed; retrying"
                            );
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
                    push = sub.pushes.recv() => match push {
                        Some((_, info)) if info.kind == PushKind::Disconnection => break,
                        Some((_, info)) if info.kind == PushKind::SMessage || info.kind == PushKind::Message => {
                            if let Some(Value::BulkString(payload)) = info.data.get(1) {
                                if let Ok(raw) = std::str::from_utf8(payload) {
                                    forward(&self.tx, raw);
                                }
                            }
                        }
                        Some(_) => {}
                        None => break,
                    },
                    command = self.commands.recv() => match command {
                        None => return,
                        Some(Command::Subscribe(shard)) => {
                            let channel = self.channels.shard(shard);
                            if let Err(error) = sub.command("SSUBSCRIBE", &channel).await {
                                tracing::error!(?error, shard, "subscribing to a bus shard failed");
                                break;
                            }
                            self.link.confirm(shard);
                        }
                    },
                    _ = reconcile.tick() => {
                        let mut failed = false;
                        for shard in self.link.take_idle() {
                            let channel = self.channels.shard(shard);
                            if let Err(error) = sub.command("SUNSUBSCRIBE", &channel).await {
                                tracing::error!(?error, shard, "unsubscribing a bus shard failed");
                                failed = true;
                                break;
                            }
                        }
                        if failed {
                            break;
                        }
                    }
                }
            }
            self.link.set_subscribed(false);
            tracing::error!("sharded bus subscription lost; reconnecting");
            if !self.wait(backoff).await {
                return;
            }
        }
    }

    /// Sleeps, still taking subscription commands; false when the bus is gone.
    async fn wait(&mut self, pause: Duration) -> bool {
        let until = tokio::time::Instant::now() + pause;
        loop {
            tokio::select! {
                _ = self.stop.cancelled() => return false,
                _ = tokio::time::sleep_until(until) => return true,
                command = self.commands.recv() => if command.is_none() {
                    return false;
                },
            }
        }
    }
}
