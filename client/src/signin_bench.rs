//! `expo bench-signin`: the opening-hour burst of sign-ins. `--count` sign-ins of one account
//! (each one a full argon2 check and a new session), `--concurrency` at once, against one
//! node; while they run, the server's resident memory is sampled from `/proc` every 50 ms, and
//! once more a second after the last, to show whether the hashing memory goes back. One JSON
//! line: sign-ins per second, latency, refusals by error code (a node refuses with
//! `unavailable` when its hashing queue is full rather than queueing without end), the
//! server's CPU per sign-in and its memory before, at the peak and after.

use crate::chat_bench::percentile;
use crate::procfs::{cpu_seconds, rss_kb};
use crate::{Api, ClientError};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

#[derive(Debug, Clone)]
pub struct SigninConfig {
    pub url: String,
    pub email: String,
    pub password: String,
    pub count: usize,
    pub concurrency: usize,
    pub server_pids: Vec<u32>,
}

pub async fn run(config: SigninConfig) -> anyhow::Result<serde_json::Value> {
    let pids = config.server_pids.clone();
    let rss_before = rss_kb(&pids);
    let cpu_before = cpu_seconds(&pids);
    let peak = Arc::new(AtomicU64::new(rss_before));
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (peak, sampling, pids) = (peak.clone(), sampling.clone(), pids.clone());
        tokio::spawn(async move {
            while sampling.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kb(&pids), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    let gate = Arc::new(Semaphore::new(config.concurrency.max(1)));
    let refusals = Arc::new(Mutex::new(BTreeMap::<String, u64>::new()));
    let started = Instant::now();
    let mut attempts = Vec::new();
    for _ in 0..config.count {
        let (gate, refusals) = (gate.clone(), refusals.clone());
        let (url, email, password) = (
            config.url.clone(),
            config.email.clone(),
            config.password.clone(),
        );
        attempts.push(tokio::spawn(async move {
            let _turn = gate.acquire_owned().await.ok()?;
            let t = Instant::now();
            match Api::new(&url).login(&email, &password).await {
                Ok(_) => Some(t.elapsed().as_secs_f64() * 1000.0),
                Err(error) => {
                    let code = match error {
                        ClientError::Server(body) => serde_json::to_value(body.code)
                            .ok()
                            .and_then(|v| v.as_str().map(String::from))
                            .unwrap_or_default(),
                        other => format!("transport: {other}"),
                    };
                    *refusals.lock().expect("refusals").entry(code).or_default() += 1;
                    None
                }
            }
        }));
    }
    let mut latency = Vec::new();
    for attempt in attempts {
        if let Some(ms) = attempt.await? {
            latency.push(ms);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds(&pids) - cpu_before;
    sampling.store(false, Ordering::Relaxed);
    sampler.await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_after = rss_kb(&pids);
    latency.sort_by(f64::total_cmp);
    let mb = |kb: u64| (kb as f64 / 102.4).round() / 10.0;
    let refused: u64 = refusals.lock().expect("refusals").values().sum();
    Ok(serde_json::json!({
        "scenario": "signin",
        "count": config.count,
        "concurrency": config.concurrency,
        "signed_in": latency.len(),
        "refused": refused,
        "refusals": *refusals.lock().expect("refusals"),
        "seconds": (elapsed * 100.0).round() / 100.0,
        "signins_per_s": (latency.len() as f64 / elapsed * 10.0).round() / 10.0,
        "latency_p50_ms": percentile(&latency, 0.5).round(),
        "latency_p99_ms": percentile(&latency, 0.99).round(),
        "server_cpu_ms_per_signin": if latency.is_empty() { 0.0 } else { (cpu * 1000.0 / latency.len() as f64).round() },
        "server_rss_mb_before": mb(rss_before),
        "server_rss_mb_peak": mb(peak.load(Ordering::Relaxed)),
        "server_rss_mb_after": mb(rss_after),
    }))
}
