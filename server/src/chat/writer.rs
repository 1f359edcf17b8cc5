//! Chat storage with group commit: the messages of every room that arrive together are
//! stored in one transaction, each taking its room's next sequence in arrival order.
//!
//! One writer per node (a [`Batcher`]). For each batch it takes, room by room in ascending
//! room id (so writers on several nodes lock rooms in the same order and cannot deadlock),
//! `n` sequences with one `update … set last_seq = last_seq + n`, inserts the messages, moves
//! each sender's read marker, and commits. Each sender hears its message's id and sequence
//! only after that commit, so nothing acknowledged can be missing, and sequences stay
//! gapless: a batch that fails rolls back its sequences with it.
//!
//! A batch fails as a whole when one of its messages breaks a rule of the table (a resend
//! whose key raced in through another connection: the unique key). Then each message of the
//! batch is written again on its own, as before group commit, and only the offending one
//! gets the error.
//!
//! The writer also publishes the stored messages, after the commit and in batch order, so a
//! room's messages leave this node in sequence order (were each sender's task to publish its
//! own, they would race, and members would see gaps to fill).

use crate::hub::Hub;
use crate::store::batch::{Batcher, Gone};
use crate::store::Store;
use expo_schema::protocol::room::Room;
use expo_schema::protocol::RoomEvent;
use expo_schema::{ChatAttachment, ChatMessage, PhraseRef, UserSummary};
use std::collections::BTreeMap;
use tokio_util::sync::CancellationToken;

/// Messages stored in one transaction at most (8 bound values each).
pub const MAX_BATCH: usize = 256;

/// A message accepted for storage.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub room_id: i64,
    pub sender: UserSummary,
    pub body: String,
    pub key: String,
    pub attachment: Option<ChatAttachment>,
    pub phrase: Option<PhraseRef>,
    pub created_ms: i64,
}

impl NewMessage {
    /// The phrase as stored: JSON, or null for free text.
    fn phrase_json(&self) -> Option<String> {
        self.phrase
            .as_ref()
            .map(|p| serde_json::to_string(p).expect("a phrase serializes"))
    }

    fn stored(&self, at: Stored) -> ChatMessage {
        ChatMessage {
            id: at.id,
            room_id: self.room_id,
            seq: at.seq,
            sender: self.sender.clone(),
            body: Some(self.body.clone()),
            deleted: false,
            attachment: self.attachment.clone(),
            phrase: self.phrase.clone(),
            created_ms: self.created_ms,
        }
    }
}

/// Where a stored message landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    pub id: i64,
    pub seq: i64,
}

/// Why a message was not stored.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The sender already used this key (for this or another room).
    #[error("the key was used before")]
    DuplicateKey,
    #[error(transparent)]
    Store(#[from] sqlx::Error),
    #[error(transparent)]
    Gone(#[from] Gone),
}

type Outcome = Result<ChatMessage, WriteError>;

/// The node's chat writer. Cheap to clone.
#[derive(Clone)]
pub struct ChatWriter {
    batcher: Batcher<NewMessage, Outcome>,
}

impl ChatWriter {
    pub fn start(store: Store, hub: Hub) -> ChatWriter {
        let tasks = hub.tasks().clone();
        let batcher = Batcher::start(
            &tasks,
            "chat-writer",
            CancellationToken::new(),
            MAX_BATCH,
            move |batch: Vec<NewMessage>| {
                let (store, hub) = (store.clone(), hub.clone());
                async move {
                    let outcomes = write(&store, &batch).await;
                    publish(&hub, &outcomes).await;
                    outcomes
                }
            },
        );
        ChatWriter { batcher }
    }

    /// Stores `message` and publishes it to its room; returns it, as stored, once it is
    /// committed.
    pub async fn store(&self, message: NewMessage) -> Result<ChatMessage, WriteError> {
        self.batcher.submit(message).await?
    }
}

async fn write(store: &Store, batch: &[NewMessage]) -> Vec<Outcome> {
    match write_together(store, batch).await {
        Ok(stored) => {
            metrics::counter!("expo_chat_batches_total", "path" => "together").increment(1);
            batch
                .iter()
                .zip(stored)
                .map(|(message, at)| Ok(message.stored(at)))
                .collect()
        }
        // One message alone needs no second try: its error is the answer.
        Err(error) if batch.len() == 1 => vec![Err(classify(error))],
        Err(error) => {
            tracing::debug!(
                ?error,
                size = batch.len(),
                "a chat batch failed; writing one by one"
            );
            metrics::counter!("expo_chat_batches_total", "path" => "one_by_one").increment(1);
            let mut outcomes = Vec::with_capacity(batch.len());
            for message in batch {
                let outcome = write_together(store, std::slice::from_ref(message))
                    .await
                    .map(|mut stored| message.stored(stored.remove(0)))
                    .map_err(classify);
                outcomes.push(outcome);
            }
            outcomes
        }
    }
}

/// Publishes the stored messages of a batch, in batch order: each room's in sequence order.
async fn publish(hub: &Hub, outcomes: &[Outcome]) {
    for message in outcomes.iter().flatten() {
        let event = RoomEvent::ChatMessage {
            message: message.clone(),
        };
        crate::events::publish(hub, Room::Chat(message.room_id), event).await;
    }
}

fn classify(error: sqlx::Error) -> WriteError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => WriteError::DuplicateKey,
        _ => WriteError::Store(error),
    }
}

/// Stores `batch` in one transaction; the outcome of each message, in batch order.
async fn write_together(store: &Store, batch: &[NewMessage]) -> Result<Vec<Stored>, sqlx::Error> {
    let mut tx = store.begin_write().await?;
    let stored = append_in(&mut tx, store.kind(), batch).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Appends `batch` inside the caller's transaction, as live chat stores a batch: each room's
/// next sequences taken by one update (rooms in ascending id), the messages inserted, each
/// sender's read marker moved to their last. Publishes nothing (the demo's history is written
/// with it before any node serves).
pub(crate) async fn append_in(
    conn: &mut sqlx::AnyConnection,
    kind: crate::store::StoreKind,
    batch: &[NewMessage],
) -> Result<Vec<Stored>, sqlx::Error> {
    // Arrival order within each room; rooms in ascending id.
    let mut by_room: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for (i, message) in batch.iter().enumerate() {
        by_room.entry(message.room_id).or_default().push(i);
    }
    let mut seqs = vec![0i64; batch.len()];
    for (room_id, members) in &by_room {
        let n = members.len() as i64;
        let last: i64 = sqlx::query_scalar(
            "update chat_rooms set last_seq = last_seq + $1 where id = $2 returning last_seq",
        )
        .bind(n)
        .bind(room_id)
        .fetch_one(&mut *conn)
        .await?;
        for (k, &i) in members.iter().enumerate() {
            seqs[i] = last - n + 1 + k as i64;
        }
    }
    let mut sql = String::from(
        "insert into chat_messages (room_id, seq, sender_id, body, client_key, attachment_id, \
         phrase, created_ms) values ",
    );
    sql.push_str(&crate::store::values_rows(batch.len(), 8));
    sql.push_str(" returning id, room_id, seq");
    let mut insert = sqlx::query_as::<_, (i64, i64, i64)>(&sql);
    for (message, seq) in batch.iter().zip(&seqs) {
        insert = insert
            .bind(message.room_id)
            .bind(*seq)
            .bind(message.sender.id)
            .bind(message.body.as_str())
            .bind(message.key.as_str())
            .bind(message.attachment.as_ref().map(|a| a.id))
            .bind(message.phrase_json())
            .bind(message.created_ms);
    }
    let ids: BTreeMap<(i64, i64), i64> = insert
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(id, room, seq)| ((room, seq), id))
        .collect();
    // A sender has read what they sent: one marker per (room, sender), at their last one.
    let mut reads: BTreeMap<(i64, i64), i64> = BTreeMap::new();
    for (message, seq) in batch.iter().zip(&seqs) {
        let read = reads
            .entry((message.room_id, message.sender.id))
            .or_default();
        *read = (*read).max(*seq);
    }
    let mut sql = String::from("insert into chat_reads (room_id, user_id, read_seq) values ");
    sql.push_str(&crate::store::values_rows(reads.len(), 3));
    sql.push_str(&format!(
        " on conflict (room_id, user_id) do update set read_seq = {}",
        super::store::larger_read_seq(kind)
    ));
    let mut upsert = sqlx::query(&sql);
    for ((room, user), seq) in &reads {
        upsert = upsert.bind(room).bind(user).bind(seq);
    }
    upsert.execute(&mut *conn).await?;
    batch
        .iter()
        .zip(&seqs)
        .map(|(message, seq)| {
            ids.get(&(message.room_id, *seq))
                .map(|id| Stored { id: *id, seq: *seq })
                .ok_or_else(|| sqlx::Error::Protocol("an inserted message was not returned".into()))
        })
        .collect::<Result<Vec<_>, _>>()
}
