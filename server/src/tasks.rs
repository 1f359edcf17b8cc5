//! Background tasks that never end silently.
//!
//! Every long-running loop of a node (the bus listener's consumer, presence, meeting jobs,
//! monitoring, sweepers) runs under [`Tasks::spawn`]: if it panics or returns before its
//! shutdown token fires, the failure is logged, counted (`expo_task_restarts_total{task}`),
//! shown (`expo_task_up{task}` in `/metrics`, `tasks_down` in `/readyz`) and the task is
//! started again after a short backoff.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The node's supervised tasks, by name.
#[derive(Clone, Default)]
pub struct Tasks {
    up: Arc<Mutex<BTreeMap<&'static str, bool>>>,
}

impl Tasks {
    /// Runs `make()` until `shutdown` fires, starting it again whenever it panics or ends.
    pub fn spawn<F, Fut>(&self, name: &'static str, shutdown: CancellationToken, make: F)
    where
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let tasks = self.clone();
        tasks.set(name, true);
        tokio::spawn(async move {
            let mut backoff = Duration::from_millis(100);
            loop {
                tasks.set(name, true);
                let outcome = tokio::spawn(make()).await;
                if shutdown.is_cancelled() {
                    return;
                }
                tasks.set(name, false);
                metrics::counter!("expo_task_restarts_total", "task" => name).increment(1);
                match outcome {
                    Err(error) if error.is_panic() => {
                        tracing::error!(task = name, ?error, "background task panicked; restarting")
                    }
                    _ => tracing::error!(task = name, "background task ended; restarting"),
                }
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = shutdown.cancelled() => return,
                }
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        });
    }

    fn set(&self, name: &'static str, up: bool) {
        self.up.lock().expect("tasks").insert(name, up);
        metrics::gauge!("expo_task_up", "task" => name).set(if up { 1.0 } else { 0.0 });
    }

    /// The tasks that are not running now (waiting to be restarted).
    pub fn down(&self) -> Vec<String> {
        let up = self.up.lock().expect("tasks");
        up.iter()
            .filter(|(_, up)| !**up)
            .map(|(name, _)| name.to_string())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn a_panicking_task_is_restarted_and_shown_down_meanwhile() {
        let tasks = Tasks::default();
        let runs = Arc::new(AtomicU32::new(0));
        let stop = CancellationToken::new();
        let counter = runs.clone();
        tasks.spawn("flaky", stop.clone(), move || {
            let counter = counter.clone();
            async move {
                if counter.fetch_add(1, Ordering::SeqCst) < 2 {
                    panic!("first two runs fail");
                }
                std::future::pending::<()>().await
            }
        });
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while runs.load(Ordering::SeqCst) < 3 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the task was restarted"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(tasks.down().is_empty(), "running again after the restarts");
        stop.cancel();
    }

    #[tokio::test]
    async fn a_task_that_returns_early_is_restarted() {
        let tasks = Tasks::default();
        let runs = Arc::new(AtomicU32::new(0));
        let stop = CancellationToken::new();
        let counter = runs.clone();
        tasks.spawn("quitter", stop.clone(), move || {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        });
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(runs.load(Ordering::SeqCst) >= 2);
        stop.cancel();
    }
}
