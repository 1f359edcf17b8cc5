//! The bus on a Redis Cluster: sharded pub/sub.
//!
//! A plain `PUBLISH` on a cluster is broadcast to every cluster node over the cluster bus; a
//! sharded one (`SPUBLISH`, Redis 7) stays on the shard that owns the channel's slot. So each
//! bus channel (`{prefix}:bus:ctl` and `{prefix}:bus:{shard}`) lives on one master, and the
//! subscription here keeps one RESP3 connection per master, subscribing (`SSUBSCRIBE`) to each
//! channel on the master that owns its slot; messages arrive as RESP3 pushes. Publishing goes
//! through the cluster client, which routes `SPUBLISH` by its channel.
//!
//! The listener (`redis.rs`) is the single-Redis one: when any master connection drops or a
//! subscription fails (say after a resharding), it connects again, which reads the slot map
//! anew, resubscribes and asks the hub to resync.

use super::redis::{Conn, Connector, Subscription};
use anyhow::Context;
use redis::aio::MultiplexedConnection;
use redis::{PushInfo, PushKind, Value};
use tokio::sync::mpsc;

/// Connects to every master of the cluster behind `conn`.
pub(super) struct ClusterRedis {
    pub(super) conn: Conn,
}

/// One connection per master, and which master owns which slots.
pub(super) struct ClusterPubSub {
    masters: Vec<MultiplexedConnection>,
    /// (first slot, last slot, index into `masters`).
    slots: Vec<(u16, u16, usize)>,
    pushes: mpsc::UnboundedReceiver<PushInfo>,
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

impl Connector for ClusterRedis {
    type Sub = ClusterPubSub;

    async fn connect(&self) -> anyhow::Result<ClusterPubSub> {
        let map = slot_map(&self.conn).await?;
        let mut addrs: Vec<String> = map.iter().map(|(_, _, a)| a.clone()).collect();
        addrs.sort();
        addrs.dedup();
        let (push_tx, pushes) = mpsc::unbounded_channel();
        let mut masters = Vec::new();
        for addr in &addrs {
            let client = redis::Client::open(format!("redis://{addr}/?protocol=resp3"))
                .context("a master's address")?;
            let config = redis::AsyncConnectionConfig::new().set_push_sender(push_tx.clone());
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
        Ok(ClusterPubSub {
            masters,
            slots,
            pushes,
        })
    }
}

impl ClusterPubSub {
    async fn command(&mut self, verb: &str, channel: &str) -> anyhow::Result<()> {
        let slot = redis::cluster_routing::get_slot(channel.as_bytes());
        let i = self
            .slots
            .iter()
            .find(|(start, end, _)| (*start..=*end).contains(&slot))
            .map(|(_, _, i)| *i)
            .with_context(|| format!("no master owns slot {slot}"))?;
        redis::cmd(verb)
            .arg(channel)
            .exec_async(&mut self.masters[i])
            .await
            .with_context(|| format!("{verb} {channel}"))
    }
}

impl Subscription for ClusterPubSub {
    async fn next(&mut self) -> Option<Option<String>> {
        loop {
            let info = self.pushes.recv().await?;
            match info.kind {
                // Any master's connection dropping means resubscribing everywhere.
                PushKind::Disconnection => return None,
                PushKind::SMessage | PushKind::Message => {
                    return Some(match info.data.get(1) {
                        Some(Value::BulkString(payload)) => String::from_utf8(payload.clone()).ok(),
                        _ => None,
                    })
                }
                _ => {}
            }
        }
    }

    async fn subscribe(&mut self, channel: String) -> anyhow::Result<()> {
        self.command("SSUBSCRIBE", &channel).await
    }

    async fn unsubscribe(&mut self, channel: String) -> anyhow::Result<()> {
        self.command("SUNSUBSCRIBE", &channel).await
    }
}
