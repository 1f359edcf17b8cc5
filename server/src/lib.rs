//! Expo Hub server: a library with a thin `main`.
//!
//! [`App::build`] opens the store and the engines, runs migrations, binds the listener (port 0
//! in tests) and returns; [`App::run_until_stopped`] serves until the shutdown token fires,
//! then drains connections and closes the stores. Tests start several `App`s on one
//! Postgres and Redis to be several nodes.

pub mod auth;
pub mod booths;
pub mod chat;
pub mod config;
pub mod demo;
pub mod engine;
pub mod error;
pub mod events;
pub mod http;
pub mod hub;
pub mod mail;
pub mod matching;
pub mod matchmaking;
pub mod meetings;
pub mod monitor;
pub mod rooms;
pub mod stage;
pub mod store;
pub mod tasks;
pub mod uploads;
pub mod ws;

use anyhow::Context;
pub use config::Config;
use engine::Engine;
use hub::{Hub, Limits};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use store::Store;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Shared state of one node: cheap to clone, `Arc`s inside.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    pub engine: Engine,
    pub hub: Hub,
    /// Live booth state (visitors inside, staff on duty) as this node sees it.
    pub booths: booths::live::Booths,
    /// Per-node chat state (the group-committing writer, typing throttles).
    pub chat: chat::ChatState,
    /// This node's count of stage show reactions in the current window.
    pub stage: stage::chat::Reactions,
    /// The show questions and polls whose totals moved on this node (published each second).
    pub votes: stage::qa::Moved,
    /// The batched writer of `online_sessions` records.
    pub sessions: monitor::sessions::SessionLog,
    pub metrics: PrometheusHandle,
    /// Meeting email, when `EXPO_SMTP_URL` is set.
    pub mailer: Option<mail::Mailer>,
    /// This fair's secret (see [`store::Store::secret`]).
    pub secret: Arc<str>,
}

impl AppState {
    /// Now, on the clock meetings run on (tests move it).
    pub fn now_ms(&self) -> i64 {
        self.config.clock.now_ms()
    }
}

/// The process-wide Prometheus recorder. Metrics are global in the `metrics` crate, so several
/// nodes in one test process share one recorder; each real node is its own process.
fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets(&[
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                ])
                .expect("static buckets are valid")
                .build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (a test harness); then ours only renders.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// A built node, bound and ready to serve.
pub struct App {
    listener: TcpListener,
    state: AppState,
    shutdown: CancellationToken,
}

impl App {
    pub async fn build(config: Config) -> anyhow::Result<App> {
        // The compiled-in chat phrasebook is read now, so a broken one stops the start
        // rather than the first phrase message.
        expo_schema::phrases::Phrasebook::parse(expo_schema::phrases::BUILTIN)
            .map_err(|e| anyhow::anyhow!("the chat phrasebook (schema/data/phrases.json): {e}"))?;
        let store = Store::open(config.database_url.as_deref(), &config.data_dir).await?;
        let node_id = config.node_id.clone().unwrap_or_else(random_node_id);
        let engine = match &config.redis_url {
            Some(url) => {
                Engine::redis(
                    url,
                    config.redis_cluster,
                    &config.redis_prefix,
                    &node_id,
                    config.bus_shards,
                    config.presence_ttl(),
                )
                .await?
            }
            None => Engine::memory(),
        };
        auth::bootstrap_organizer(
            &store,
            &config.admin_email,
            config.admin_password.as_deref(),
        )
        .await
        .context("creating the first organizer")?;
        if let Some(path) = &config.taxonomy_file {
            booths::import_taxonomy_file(&store, path)
                .await
                .context("importing the product taxonomy file")?;
        }
        if config.demo {
            demo::load(&store).await.context("loading the demo fair")?;
        }
        booths::retag_if_changed(&store)
            .await
            .context("tagging booths with the product taxonomy")?;
        let limits = Limits {
            max_frame_bytes: config.max_frame_bytes,
            outbound_queue: config.outbound_queue,
            rate_per_sec: config.rate_per_sec,
            rate_burst: config.rate_burst,
            user_rate_per_sec: config.user_rate_per_sec,
            user_rate_burst: config.user_rate_burst,
            heartbeat: config.heartbeat(),
            heartbeat_timeout: config.heartbeat_timeout(),
            presence_ttl: config.presence_ttl(),
            presence_batch: config.presence_batch(),
            presence_snapshot_max: config.presence_snapshot_max,
            fanout_tasks: config.fanout_tasks(),
        };
        let hub = Hub::new(node_id, engine.clone(), limits);
        let booths = booths::live::Booths::start(store.clone(), hub.clone()).await;
        let chat = chat::ChatState::new(store.clone(), hub.clone());
        let stage =
            stage::chat::Reactions::start(hub.clone(), hub.tasks(), hub.shutdown_token().clone());
        let votes = stage::qa::Moved::start(
            store.clone(),
            hub.clone(),
            hub.tasks(),
            hub.shutdown_token().clone(),
        );
        stage::peaks::start(
            store.clone(),
            hub.clone(),
            hub.tasks(),
            hub.shutdown_token().clone(),
        );
        let sessions = monitor::sessions::SessionLog::start(store.clone(), hub.tasks());
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("binding {}", config.listen))?;
        let store_secret = store.secret().await?;
        let mut config = config;
        if config.public_url.is_none() {
            config.public_url = Some(format!("http://{}", listener.local_addr()?));
        }
        let mailer = match &config.smtp_url {
            Some(url) => Some(mail::Mailer::new(url, &config.mail_from)?),
            None => None,
        };
        let state = AppState {
            config: Arc::new(config),
            store,
            engine,
            hub,
            booths,
            chat,
            stage,
            votes,
            sessions,
            metrics: metrics_handle(),
            mailer,
            secret: store_secret.into(),
        };
        Ok(App {
            listener,
            state,
            shutdown: CancellationToken::new(),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Cancel this token to stop the node gracefully.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Serves until the shutdown token fires, then stops accepting, tells every websocket to
    /// reconnect elsewhere, waits for them (up to the grace period) and closes the store.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let App {
            listener,
            state,
            shutdown,
        } = self;
        let addr = listener.local_addr()?;
        tracing::info!(
            addr = %addr,
            node = state.hub.node_id(),
            store = state.store.kind().as_str(),
            engine = state.engine.name,
            "expo hub listening"
        );
        let router = http::router(state.clone());
        let tasks = state.hub.tasks().clone();
        let (s, stop) = (state.clone(), shutdown.clone());
        tasks.spawn("meeting_jobs", shutdown.clone(), move || {
            meetings::jobs::run(s.clone(), stop.clone())
        });
        let feed = (state.config.demo && state.config.demo_broadcast).then(|| {
            let (s, stop) = (state.clone(), shutdown.clone());
            let wound_down = stage::broadcast::WoundDown::new();
            let done = wound_down.clone();
            tasks.spawn("demo-broadcast", shutdown.clone(), move || {
                stage::broadcast::run(s.clone(), stop.clone(), done.clone())
            });
            wound_down
        });
        let (s, stop) = (state.clone(), shutdown.clone());
        tasks.spawn("monitor", shutdown.clone(), move || {
            monitor::run(s.clone(), stop.clone())
        });
        let (s, stop) = (state.clone(), shutdown.clone());
        tasks.spawn("dashboard", shutdown.clone(), move || {
            monitor::dashboard::run(s.clone(), stop.clone())
        });
        let s = state.clone();
        tasks.spawn("talk_sweeper", shutdown.clone(), move || {
            chat::talk::run_sweeper(s.clone(), Duration::from_secs(30))
        });
        let hub = state.hub.clone();
        let grace = Duration::from_secs(state.config.shutdown_grace_secs);
        let stop = shutdown.clone();
        // Small frames must leave at once: Nagle's algorithm would hold each reply back
        // until the previous one is acknowledged.
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            if let Err(error) = tcp.set_nodelay(true) {
                tracing::debug!(?error, "could not set TCP_NODELAY");
            }
        });
        // Upgraded websockets are not tracked by the HTTP server: the hub drains them, beside
        // the server, which stops accepting at once (so a load balancer sends newcomers and
        // reconnecting clients to the other nodes) and finishes the requests in flight.
        let router = router.into_make_service_with_connect_info::<SocketAddr>();
        let drained = tokio::spawn(async move {
            stop.cancelled().await;
            hub.drain(grace).await;
        });
        let serve = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown.clone().cancelled_owned());
        serve.await.context("serving HTTP")?;
        let _ = drained.await;
        if let Some(feed) = feed {
            // The demo's studio feed ends its show in the store on the way out.
            feed.wait(Duration::from_secs(5)).await;
        }
        state.store.close().await;
        tracing::info!("expo hub stopped");
        Ok(())
    }
}

fn random_node_id() -> String {
    use rand::Rng;
    let n: u32 = rand::thread_rng().gen();
    format!("node-{n:08x}")
}
