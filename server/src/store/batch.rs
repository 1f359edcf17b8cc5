//! Group commit: writes that arrive together are stored together.
//!
//! A [`Batcher`] owns one background writer (a supervised task, so it shows in `/readyz` and
//! `/metrics` and comes back after a panic). Callers [`submit`](Batcher::submit) an item and
//! wait for its outcome. The writer takes every item that is waiting (up to `max` at once)
//! and hands them to the write function in arrival order, which stores them in one
//! transaction and answers each one. While one batch commits, the next one gathers, so a
//! single writer never waits on a timer: the batch grows with the load, and at low load each
//! item is written alone, as soon as it comes.
//!
//! An item's outcome is only known after its batch's write returned: whoever acknowledges on
//! that outcome acknowledges only what was stored. If the writer dies mid-batch (a panic),
//! the items of that batch get [`Gone`] and were not acknowledged; they may or may not be
//! stored, exactly like a reply lost with a dropped connection.

use crate::tasks::Tasks;
use std::future::Future;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Mutex};
use tokio_util::sync::CancellationToken;

/// The writer went away before answering (it panicked and restarts, or the node stops).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the batch writer stopped before answering")]
pub struct Gone;

type Job<I, O> = (I, oneshot::Sender<O>);

/// A queue in front of one group-committing writer. Cheap to clone.
pub struct Batcher<I, O> {
    queue: mpsc::UnboundedSender<Job<I, O>>,
}

impl<I, O> Clone for Batcher<I, O> {
    fn clone(&self) -> Self {
        Batcher {
            queue: self.queue.clone(),
        }
    }
}

impl<I: Send + 'static, O: Send + 'static> Batcher<I, O> {
    /// Starts the writer as the supervised task `name`. `write` gets the items of one batch
    /// in arrival order and returns one outcome per item, in the same order.
    pub fn start<W, Fut>(
        tasks: &Tasks,
        name: &'static str,
        stop: CancellationToken,
        max: usize,
        write: W,
    ) -> Batcher<I, O>
    where
        W: Fn(Vec<I>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Vec<O>> + Send + 'static,
    {
        let (queue, jobs) = mpsc::unbounded_channel::<Job<I, O>>();
        // The receiver outlives a panicking writer: the restarted one takes it up again.
        let jobs = Arc::new(Mutex::new(jobs));
        let write = Arc::new(write);
        let max = max.max(1);
        tasks.spawn(name, stop, move || {
            let (jobs, write) = (jobs.clone(), write.clone());
            async move {
                let mut jobs = jobs.lock().await;
                let mut batch = Vec::with_capacity(max);
                while jobs.recv_many(&mut batch, max).await > 0 {
                    let (items, replies): (Vec<I>, Vec<oneshot::Sender<O>>) =
                        std::mem::take(&mut batch).into_iter().unzip();
                    metrics::histogram!("expo_batch_size", "writer" => name)
                        .record(items.len() as f64);
                    let outcomes = write(items).await;
                    debug_assert_eq!(outcomes.len(), replies.len());
                    for (reply, outcome) in replies.into_iter().zip(outcomes) {
                        // A caller that stopped waiting (its connection closed) is no error.
                        let _ = reply.send(outcome);
                    }
                }
                // Every sender is gone: the node is being dropped.
                std::future::pending::<()>().await
            }
        });
        Batcher { queue }
    }

    /// Queues `item` and waits until its batch has been written.
    pub async fn submit(&self, item: I) -> Result<O, Gone> {
        let (reply, outcome) = oneshot::channel();
        self.queue.send((item, reply)).map_err(|_| Gone)?;
        outcome.await.map_err(|_| Gone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test]
    async fn items_that_wait_together_are_written_together_in_order() {
        let tasks = Tasks::default();
        let batches = Arc::new(std::sync::Mutex::new(Vec::<Vec<u32>>::new()));
        let seen = batches.clone();
        let batcher = Batcher::start(
            &tasks,
            "test-writer",
            CancellationToken::new(),
            8,
            move |items: Vec<u32>| {
                let seen = seen.clone();
                async move {
                    // A slow commit, so that the next items queue up meanwhile.
                    tokio::time::sleep(Duration::from_millis(30)).await;
                    seen.lock().unwrap().push(items.clone());
                    items.into_iter().map(|n| n * 10).collect::<Vec<_>>()
                }
            },
        );
        let waiting: Vec<_> = (0..20u32)
            .map(|n| {
                let b = batcher.clone();
                tokio::spawn(async move { b.submit(n).await })
            })
            .collect();
        for (n, task) in waiting.into_iter().enumerate() {
            assert_eq!(
                task.await.unwrap(),
                Ok(n as u32 * 10),
                "item {n}'s own outcome"
            );
        }
        let batches = batches.lock().unwrap().clone();
        assert!(
            batches.len() < 20,
            "twenty items waiting together took {} writes",
            batches.len()
        );
        assert!(batches.iter().all(|b| b.len() <= 8), "{batches:?}");
        let flat: Vec<u32> = batches.concat();
        let mut sorted = flat.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            (0..20).collect::<Vec<_>>(),
            "each item written once"
        );
    }

    #[tokio::test]
    async fn a_panicking_writer_answers_gone_and_the_next_batch_is_written() {
        let tasks = Tasks::default();
        let calls = Arc::new(AtomicUsize::new(0));
        let count = calls.clone();
        let batcher = Batcher::start(
            &tasks,
            "test-panicky",
            CancellationToken::new(),
            4,
            move |items: Vec<u32>| {
                let first = count.fetch_add(1, Ordering::SeqCst) == 0;
                async move {
                    if first {
                        panic!("the first write fails");
                    }
                    items
                }
            },
        );
        assert_eq!(batcher.submit(1).await, Err(Gone));
        assert_eq!(
            batcher.submit(2).await,
            Ok(2),
            "the restarted writer serves"
        );
    }
}
