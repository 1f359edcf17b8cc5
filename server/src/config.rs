//! One configuration struct, read from flags and `EXPO_*` environment variables.
//!
//! No URL means the embedded engines (SQLite file, in-process presence and bus); a Postgres URL
//! and a Redis URL mean scale-out. Tests build a [`Config`] directly with [`Config::for_tests`].

use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "expo-server",
    version,
    about = "Expo Hub: hybrid trade fair server"
)]
pub struct Config {
    /// Address to listen on. Port 0 picks a free port.
    #[arg(long, env = "EXPO_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Directory for the embedded SQLite file and uploads.
    #[arg(long, env = "EXPO_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Postgres URL (`postgres://...`). Unset: the embedded SQLite file in the data directory.
    #[arg(long, env = "EXPO_DATABASE_URL")]
    pub database_url: Option<String>,

    /// Redis URL (`redis://...`). Unset: presence and bus in process (one node only).
    #[arg(long, env = "EXPO_REDIS_URL")]
    pub redis_url: Option<String>,

    /// Prefix of every Redis key and channel, so several fairs (or tests) share one Redis.
    #[arg(long, env = "EXPO_REDIS_PREFIX", default_value = "expo")]
    pub redis_prefix: String,

    /// `EXPO_REDIS_URL` names the seed nodes of a Redis Cluster (comma-separated URLs); room
    /// traffic then uses sharded pub/sub (`SPUBLISH`/`SSUBSCRIBE`, Redis 7).
    #[arg(long, env = "EXPO_REDIS_CLUSTER", default_value_t = false)]
    pub redis_cluster: bool,

    /// Bus shards: room traffic travels on this many Redis channels, and a node listens only
    /// on the shards of rooms it has members in. Every node of a fair must use the same value.
    #[arg(long, env = "EXPO_BUS_SHARDS", default_value_t = 16)]
    pub bus_shards: u32,

    /// This node's name in presence and logs. Default: a random one per start.
    #[arg(long, env = "EXPO_NODE_ID")]
    pub node_id: Option<String>,

    /// Directory of the web client. Default: the repository's `assets/`.
    #[arg(long, env = "EXPO_ASSETS_DIR")]
    pub assets_dir: Option<PathBuf>,

    /// Load the demo fair (idempotent: a second start changes nothing).
    #[arg(long, env = "EXPO_DEMO")]
    pub demo: bool,

    /// With `--demo`: publish a test pattern from ffmpeg to the demo show that is due now,
    /// whenever the media server answers on `EXPO_STAGE_RTMP_URL` (docs/stage.md).
    #[arg(long, env = "EXPO_DEMO_BROADCAST", default_value_t = true, action = clap::ArgAction::Set)]
    pub demo_broadcast: bool,

    /// A taxonomy file (JSON, the format of `schema/data/taxonomy.json`) that extends the
    /// built-in product taxonomy: new concepts, more terms and HS headings for existing ones.
    /// Imported into the store at start (replacing an earlier extension) for every node;
    /// booths are re-tagged when the taxonomy changed (docs/search.md).
    #[arg(long, env = "EXPO_TAXONOMY_FILE")]
    pub taxonomy_file: Option<PathBuf>,

    /// The first organizer's email, used when the database has no organizer yet.
    #[arg(long, env = "EXPO_ADMIN_EMAIL", default_value = "admin@expo.local")]
    pub admin_email: String,

    /// The first organizer's password. Unset: a one-time password is printed once.
    #[arg(long, env = "EXPO_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// Browser origins allowed to open `/ws`, comma separated (`https://fair.example.com`).
    /// Empty: only the server's own origin. Clients that send no Origin (non-browsers) pass.
    #[arg(long, env = "EXPO_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,

    /// How long a session token lives, in seconds.
    #[arg(long, env = "EXPO_SESSION_TTL_SECS", default_value_t = 7 * 24 * 3600)]
    pub session_ttl_secs: u64,

    /// Seconds between server pings on `/ws`.
    #[arg(long, env = "EXPO_HEARTBEAT_SECS", default_value_t = 15)]
    pub heartbeat_secs: u64,

    /// A connection silent for this many seconds is closed as dead.
    #[arg(long, env = "EXPO_HEARTBEAT_TIMEOUT_SECS", default_value_t = 45)]
    pub heartbeat_timeout_secs: u64,

    /// Largest `/ws` message the hub accepts, in bytes; larger ones get `message_too_large`.
    /// The transport refuses anything over four times this outright (close 1009).
    #[arg(long, env = "EXPO_MAX_FRAME_BYTES", default_value_t = 64 * 1024)]
    pub max_frame_bytes: usize,

    /// Frames queued for one connection before it counts as a slow consumer and is dropped.
    #[arg(long, env = "EXPO_OUTBOUND_QUEUE", default_value_t = 1024)]
    pub outbound_queue: usize,

    /// Commands a second each connection may send on average.
    #[arg(long, env = "EXPO_RATE_PER_SEC", default_value_t = 20)]
    pub rate_per_sec: u32,

    /// Commands a connection may send in one burst.
    #[arg(long, env = "EXPO_RATE_BURST", default_value_t = 40)]
    pub rate_burst: u32,

    /// Commands a second one user may send on average over all their connections on all
    /// nodes (counted in Redis when there is one).
    #[arg(long, env = "EXPO_USER_RATE_PER_SEC", default_value_t = 50)]
    pub user_rate_per_sec: u32,

    /// Commands one user may send in one burst over all their connections on all nodes.
    #[arg(long, env = "EXPO_USER_RATE_BURST", default_value_t = 100)]
    pub user_rate_burst: u32,

    /// A node that has not beaten for this many seconds is dead: its users leave presence on
    /// every other node (within this plus one second) and its sessions are closed. Nodes beat
    /// every sixth of it.
    #[arg(long, env = "EXPO_PRESENCE_TTL_SECS", default_value_t = 6)]
    pub presence_ttl_secs: u64,

    /// A room's joins and leaves are announced at most once per this many milliseconds: the
    /// first change in a quiet room at once, the rest of the window together as one
    /// `presence_diff`. Keeps a wave of reconnects from costing N² frames.
    #[arg(long, env = "EXPO_PRESENCE_BATCH_MS", default_value_t = 200)]
    pub presence_batch_ms: u64,

    /// A room snapshot (the reply to `subscribe` and `presence`) lists at most this many
    /// members; `total` counts them all.
    #[arg(long, env = "EXPO_PRESENCE_SNAPSHOT_MAX", default_value_t = 100)]
    pub presence_snapshot_max: usize,

    /// How many tasks hand a room's frames to its members on this node, each serving a fixed
    /// share of the connections (so each member's frames keep their order). Default: one per
    /// core. 0 hands them over on the bus task itself.
    #[arg(long, env = "EXPO_FANOUT_TASKS")]
    pub fanout_tasks: Option<usize>,

    /// On shutdown, wait at most this long for connections to drain.
    #[arg(long, env = "EXPO_SHUTDOWN_GRACE_SECS", default_value_t = 10)]
    pub shutdown_grace_secs: u64,

    /// Directory for uploaded booth media. Default: `uploads/` in the data directory.
    #[arg(long, env = "EXPO_UPLOADS_DIR")]
    pub uploads_dir: Option<PathBuf>,

    /// Largest upload in bytes (brochures, videos). Images are further capped at 5 MiB.
    #[arg(long, env = "EXPO_MAX_UPLOAD_BYTES", default_value_t = 100 * 1024 * 1024)]
    pub max_upload_bytes: u64,

    /// Seconds a talk-to-staff request waits for a staff member before it counts as missed.
    #[arg(long, env = "EXPO_TALK_TIMEOUT_SECS", default_value_t = 90)]
    pub talk_timeout_secs: u64,

    /// Log as JSON lines instead of human-readable text.
    #[arg(long, env = "EXPO_LOG_JSON")]
    pub log_json: bool,

    /// The address people reach this fair at, for links in email, calendar feeds and QR codes.
    /// Default: `http://` and the listen address.
    #[arg(long, env = "EXPO_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Hours a pending meeting request holds its slot (it always ends when the slot starts).
    #[arg(long, env = "EXPO_MEETING_HOLD_HOURS", default_value_t = 48)]
    pub meeting_hold_hours: u64,

    /// Most active meetings a buyer may have on one fair day (0: no limit).
    #[arg(long, env = "EXPO_BUYER_MEETINGS_PER_DAY", default_value_t = 12)]
    pub buyer_meetings_per_day: i64,

    /// Most active meetings one staff member may take on one fair day (0: no limit).
    #[arg(long, env = "EXPO_STAFF_MEETINGS_PER_DAY", default_value_t = 16)]
    pub staff_meetings_per_day: i64,

    /// Most meetings one interpreter may be assigned on one fair day (0: no limit).
    #[arg(long, env = "EXPO_INTERPRETER_MEETINGS_PER_DAY", default_value_t = 14)]
    pub interpreter_meetings_per_day: i64,

    /// How often each node looks for due timed work (expiries, reminders, no-shows), in ms.
    #[arg(long, env = "EXPO_JOB_INTERVAL_MS", default_value_t = 5000)]
    pub job_interval_ms: u64,

    /// SMTP server for meeting email, e.g. `smtp://127.0.0.1:2525` or
    /// `smtps://user:pass@mail.example.com`. Unset: no email.
    #[arg(long, env = "EXPO_SMTP_URL")]
    pub smtp_url: Option<String>,

    /// The sender of meeting email.
    #[arg(
        long,
        env = "EXPO_MAIL_FROM",
        default_value = "Expo Hub <meetings@expo.local>"
    )]
    pub mail_from: String,

    /// STUN servers for the video room, comma-separated (e.g. `stun:stun.example.com:3478`).
    #[arg(long, env = "EXPO_STUN_URLS", value_delimiter = ',')]
    pub stun_urls: Vec<String>,

    /// TURN servers (e.g. coturn with `use-auth-secret`), comma-separated.
    #[arg(long, env = "EXPO_TURN_URLS", value_delimiter = ',')]
    pub turn_urls: Vec<String>,

    /// The secret shared with the TURN server, for short-lived credentials.
    #[arg(long, env = "EXPO_TURN_SECRET")]
    pub turn_secret: Option<String>,

    /// How long minted TURN credentials stay valid, in seconds.
    #[arg(long, env = "EXPO_TURN_TTL_SECS", default_value_t = 3600)]
    pub turn_ttl_secs: u64,

    /// An external video service instead of the built-in room, e.g.
    /// `https://meet.example.com/expo-{meeting_id}-{key}` (`{key}` is a per-meeting secret).
    #[arg(long, env = "EXPO_VIDEO_URL_TEMPLATE")]
    pub video_url_template: Option<String>,

    /// The fair's own time zone: what "today" means on the dashboard and in reports.
    #[arg(long, env = "EXPO_FAIR_TIMEZONE", default_value = "Asia/Seoul")]
    pub fair_timezone: String,

    /// How often the organizers' dashboard is refreshed, in ms.
    #[arg(long, env = "EXPO_DASHBOARD_INTERVAL_MS", default_value_t = 3000)]
    pub dashboard_interval_ms: u64,

    /// The clock meetings run on. Real time, except in tests, which move it forward.
    #[arg(skip)]
    pub clock: Clock,

    /// Mark the session cookie `Secure` (sent over HTTPS only). Default: when
    /// `EXPO_PUBLIC_URL` starts with `https://`.
    #[arg(long, env = "EXPO_COOKIE_SECURE")]
    pub cookie_secure: Option<bool>,

    /// Bearer token `/metrics` requires (`Authorization: Bearer …`). Unset: `/metrics` answers
    /// 404, so an unconfigured node never exposes its figures.
    #[arg(long, env = "EXPO_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// Failed sign-ins per account within the login window before it is locked for the rest
    /// of the window (the lock doubles with each further failure, up to the window).
    #[arg(long, env = "EXPO_LOGIN_MAX_FAILURES", default_value_t = 5)]
    pub login_max_failures: u32,

    /// Failed sign-ins per client address within the login window before that address waits.
    #[arg(
        long,
        env = "EXPO_LOGIN_MAX_FAILURES_PER_ADDRESS",
        default_value_t = 30
    )]
    pub login_max_failures_per_address: u32,

    /// The window failed sign-ins are counted in, in seconds.
    #[arg(long, env = "EXPO_LOGIN_WINDOW_SECS", default_value_t = 15 * 60)]
    pub login_window_secs: u64,

    /// Largest chat attachment, in bytes.
    #[arg(long, env = "EXPO_CHAT_ATTACHMENT_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub chat_attachment_bytes: u64,

    /// Bytes one user may upload as chat attachments in 24 hours.
    #[arg(long, env = "EXPO_UPLOAD_QUOTA_BYTES", default_value_t = 100 * 1024 * 1024)]
    pub upload_quota_bytes: u64,

    /// Chat attachments one user may upload in 24 hours.
    #[arg(long, env = "EXPO_UPLOADS_PER_DAY", default_value_t = 100)]
    pub uploads_per_day: u64,

    /// Bytes one user may upload as booth media (logos, photos, brochures, videos) in 24
    /// hours.
    #[arg(long, env = "EXPO_MEDIA_QUOTA_BYTES", default_value_t = 2 * 1024 * 1024 * 1024)]
    pub media_quota_bytes: u64,

    /// Booth media files one user may upload in 24 hours.
    #[arg(long, env = "EXPO_MEDIA_UPLOADS_PER_DAY", default_value_t = 200)]
    pub media_uploads_per_day: u64,

    /// An attachment no message refers to is deleted after this many seconds.
    #[arg(long, env = "EXPO_UNSENT_ATTACHMENT_SECS", default_value_t = 3600)]
    pub unsent_attachment_secs: u64,

    /// Open websockets one user may have at once over all nodes (0: no limit).
    #[arg(long, env = "EXPO_MAX_CONNS_PER_USER", default_value_t = 20)]
    pub max_conns_per_user: usize,

    /// Open websockets one client address may have on this node at once (0: no limit).
    #[arg(long, env = "EXPO_MAX_CONNS_PER_ADDRESS", default_value_t = 500)]
    pub max_conns_per_address: usize,

    /// Chat messages a user may send a second on average (and twice that in a burst), over
    /// all their connections on all nodes.
    #[arg(long, env = "EXPO_CHAT_RATE_PER_SEC", default_value_t = 5)]
    pub chat_rate_per_sec: u32,

    /// Take the client address from the last `X-Forwarded-For` entry (set it only behind a
    /// load balancer that appends one), for the per-address limits.
    #[arg(long, env = "EXPO_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,

    /// The secret the media server's publish callbacks carry (`?secret=…` in the
    /// `on_publish` and `on_publish_done` URLs, docs/stage.md). Unset: every publish is
    /// refused, so an unconfigured node lets no stream on stage.
    #[arg(long, env = "EXPO_STAGE_CALLBACK_SECRET", hide_env_values = true)]
    pub stage_callback_secret: Option<String>,

    /// Where viewers fetch the shows' HLS playlists: a show plays
    /// `{EXPO_STAGE_HLS_BASE}/show-{id}.m3u8`.
    #[arg(
        long,
        env = "EXPO_STAGE_HLS_BASE",
        default_value = "http://127.0.0.1:8088/hls"
    )]
    pub stage_hls_base: String,

    /// The media server's RTMP application that encoders publish to (the ingest address
    /// given to organizers and the host's staff).
    #[arg(
        long,
        env = "EXPO_STAGE_RTMP_URL",
        default_value = "rtmp://127.0.0.1:1935/live"
    )]
    pub stage_rtmp_url: String,

    /// Where viewers fetch the shows' recordings for the replay: a show's is
    /// `{EXPO_STAGE_REPLAY_BASE}/show-{id}-{unix time}.mp4`. Unset: the HLS base's
    /// sibling `rec` (`http://127.0.0.1:8088/hls` gives `http://127.0.0.1:8088/rec`).
    #[arg(long, env = "EXPO_STAGE_REPLAY_BASE")]
    pub stage_replay_base: Option<String>,
}

/// Wall-clock time plus an offset that tests can move forward, shared by the nodes of a test.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_ms: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl Clock {
    /// UTC milliseconds since the epoch, as this clock says.
    pub fn now_ms(&self) -> i64 {
        crate::store::now_ms() + self.offset_ms.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Moves the clock forward (or back) by `ms`, for every node that shares it.
    pub fn advance(&self, ms: i64) {
        self.offset_ms
            .fetch_add(ms, std::sync::atomic::Ordering::Relaxed);
    }

    /// Sets the clock to read `at_ms` now.
    pub fn set(&self, at_ms: i64) {
        self.offset_ms.store(
            at_ms - crate::store::now_ms(),
            std::sync::atomic::Ordering::Relaxed,
        );
    }
}

impl Config {
    /// A configuration for tests: port 0, the given data directory, embedded engines, small
    /// limits that tests can reach quickly.
    pub fn for_tests(data_dir: PathBuf) -> Config {
        Config {
            listen: "127.0.0.1:0".parse().expect("a literal address"),
            data_dir,
            database_url: None,
            redis_url: None,
            redis_prefix: "expo".into(),
            bus_shards: 16,
            redis_cluster: false,
            node_id: None,
            assets_dir: None,
            demo: false,
            demo_broadcast: false,
            taxonomy_file: None,
            admin_email: "admin@expo.test".into(),
            admin_password: Some("admin-password".into()),
            allowed_origins: vec![],
            session_ttl_secs: 3600,
            heartbeat_secs: 15,
            heartbeat_timeout_secs: 45,
            max_frame_bytes: 64 * 1024,
            outbound_queue: 1024,
            rate_per_sec: 20,
            rate_burst: 40,
            user_rate_per_sec: 50,
            user_rate_burst: 100,
            presence_ttl_secs: 6,
            presence_batch_ms: 200,
            presence_snapshot_max: 100,
            fanout_tasks: None,
            shutdown_grace_secs: 5,
            uploads_dir: None,
            max_upload_bytes: 100 * 1024 * 1024,
            talk_timeout_secs: 90,
            log_json: false,
            public_url: None,
            meeting_hold_hours: 48,
            buyer_meetings_per_day: 12,
            staff_meetings_per_day: 16,
            interpreter_meetings_per_day: 14,
            job_interval_ms: 5000,
            smtp_url: None,
            mail_from: "Expo Hub <meetings@expo.test>".into(),
            stun_urls: vec![],
            turn_urls: vec![],
            turn_secret: None,
            turn_ttl_secs: 3600,
            video_url_template: None,
            fair_timezone: "Asia/Seoul".into(),
            dashboard_interval_ms: 500,
            clock: Clock::default(),
            cookie_secure: None,
            metrics_token: None,
            login_max_failures: 5,
            login_max_failures_per_address: 30,
            login_window_secs: 15 * 60,
            chat_attachment_bytes: 10 * 1024 * 1024,
            upload_quota_bytes: 100 * 1024 * 1024,
            uploads_per_day: 100,
            media_quota_bytes: 2 * 1024 * 1024 * 1024,
            media_uploads_per_day: 200,
            unsent_attachment_secs: 3600,
            max_conns_per_user: 20,
            max_conns_per_address: 500,
            chat_rate_per_sec: 5,
            trust_forwarded_for: false,
            stage_callback_secret: None,
            stage_hls_base: "http://127.0.0.1:8088/hls".into(),
            stage_rtmp_url: "rtmp://127.0.0.1:1935/live".into(),
            stage_replay_base: None,
        }
    }

    /// Where the shows' recordings are served (see `stage_replay_base`), without a
    /// trailing slash.
    pub fn replay_base(&self) -> String {
        match &self.stage_replay_base {
            Some(base) if !base.trim().is_empty() => base.trim_end_matches('/').to_string(),
            _ => {
                let hls = self.stage_hls_base.trim_end_matches('/');
                let parent = hls.rsplit_once('/').map_or(hls, |(parent, _)| parent);
                format!("{parent}/rec")
            }
        }
    }

    /// Where viewers fetch a show's recording `file` (see `stage_replay_base`).
    pub fn replay_url(&self, file: &str) -> String {
        format!("{}/{file}", self.replay_base())
    }

    pub fn heartbeat(&self) -> Duration {
        Duration::from_secs(self.heartbeat_secs.max(1))
    }

    pub fn heartbeat_timeout(&self) -> Duration {
        Duration::from_secs(self.heartbeat_timeout_secs.max(1))
    }

    pub fn presence_batch(&self) -> Duration {
        Duration::from_millis(self.presence_batch_ms.clamp(1, 5_000))
    }

    /// The fan-out tasks a node asks for (see `fanout_tasks`): one per core unless set. The
    /// hub runs at most 16.
    pub fn fanout_tasks(&self) -> usize {
        self.fanout_tasks
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    }

    pub fn presence_ttl(&self) -> Duration {
        Duration::from_secs(self.presence_ttl_secs.max(2))
    }

    pub fn talk_timeout(&self) -> Duration {
        Duration::from_secs(self.talk_timeout_secs.max(1))
    }

    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.listen),
        }
    }

    pub fn meeting_hold_ms(&self) -> i64 {
        self.meeting_hold_hours as i64 * 3600 * 1000
    }

    /// Whether the session cookie is marked `Secure`.
    pub fn cookie_secure(&self) -> bool {
        self.cookie_secure.unwrap_or_else(|| {
            self.public_url
                .as_deref()
                .is_some_and(|url| url.to_ascii_lowercase().starts_with("https://"))
        })
    }

    pub fn uploads_dir(&self) -> PathBuf {
        self.uploads_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("uploads"))
    }

    pub fn assets_dir(&self) -> PathBuf {
        self.assets_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../assets")))
    }
}
