//! `TestEnv` and `TestApp`: real servers on port 0, each test with its own data.
//!
//! An embedded environment gets its own temporary data directory (its own SQLite file). A
//! services environment gets its own Postgres database (created here, dropped when the
//! environment is dropped, even after a panic) and its own Redis key prefix, so tests run in
//! parallel and never see each other's data. Several `TestApp`s on one environment are
//! several nodes of one fair.

use expo_client::api::UserFilter;
use expo_client::Api;
use expo_schema::api::RegisterBuyerRequest;
use expo_server::{App, Config};
use std::path::PathBuf;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Which engine pair a scenario runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engines {
    /// SQLite file and in-process presence and bus.
    Embedded,
    /// Postgres and Redis.
    Services,
}

pub const ADMIN_EMAIL: &str = "admin@expo.test";
pub const ADMIN_PASSWORD: &str = "admin-password";
pub const DEMO_PASSWORD: &str = expo_server::demo::DEMO_PASSWORD;

fn admin_pg_url() -> String {
    std::env::var("EXPO_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn redis_url() -> String {
    std::env::var("EXPO_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into())
}

fn random_suffix() -> String {
    use rand::Rng;
    let n: u64 = rand::thread_rng().gen();
    format!("{n:016x}")
}

/// One fair's data: a data directory, and for services a database and a Redis prefix.
pub struct TestEnv {
    pub engines: Engines,
    pub data_dir: PathBuf,
    pub database: Option<String>,
    pub redis_prefix: String,
}

impl TestEnv {
    pub async fn new(engines: Engines) -> TestEnv {
        let suffix = random_suffix();
        let data_dir = std::env::temp_dir().join(format!("expo-test-{suffix}"));
        std::fs::create_dir_all(&data_dir).expect("temp dir");
        let database = match engines {
            Engines::Embedded => None,
            Engines::Services => {
                let name = format!("expo_t_{suffix}");
                let mut conn = connect_admin().await;
                sqlx::Executor::execute(&mut conn, format!("create database {name}").as_str())
                    .await
                    .expect("Postgres must be running for services tests (scripts/test starts it)");
                Some(name)
            }
        };
        TestEnv {
            engines,
            data_dir,
            database,
            redis_prefix: format!("expo-test-{suffix}"),
        }
    }

    pub fn database_url(&self) -> Option<String> {
        self.database.as_ref().map(|name| {
            let admin = admin_pg_url();
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            format!("{base}/{name}")
        })
    }

    /// The configuration of one node on this environment, for tests to adjust.
    pub fn config(&self) -> Config {
        let mut config = Config::for_tests(self.data_dir.clone());
        config.admin_email = ADMIN_EMAIL.into();
        config.admin_password = Some(ADMIN_PASSWORD.into());
        if self.engines == Engines::Services {
            config.database_url = self.database_url();
            config.redis_url = Some(redis_url());
            config.redis_prefix = self.redis_prefix.clone();
        }
        config
    }

    /// Starts a node with the default test configuration.
    pub async fn start(&self) -> TestApp {
        TestApp::start(self.config()).await
    }

    /// Starts a node with a configuration adjusted by `tweak`.
    pub async fn start_with(&self, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = self.config();
        tweak(&mut config);
        TestApp::start(config).await
    }

    /// One node on the embedded engines; two sharing a bus on Postgres and Redis (the second
    /// is `None` when embedded: use the first for both sides).
    pub async fn one_or_two(&self) -> (TestApp, Option<TestApp>) {
        let node_a = self.start().await;
        let node_b = match self.engines {
            Engines::Services => Some(self.start().await),
            Engines::Embedded => None,
        };
        (node_a, node_b)
    }
}

async fn connect_admin() -> sqlx::PgConnection {
    use sqlx::Connection;
    sqlx::PgConnection::connect(&admin_pg_url())
        .await
        .expect("Postgres must be running for services tests (scripts/test starts it)")
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
        if let Some(name) = self.database.take() {
            // Drop runs outside async; a short-lived runtime on its own thread does the work,
            // so the database goes away even when the test panicked.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                runtime.block_on(async {
                    let mut conn = connect_admin().await;
                    let _ = sqlx::Executor::execute(
                        &mut conn,
                        format!("drop database if exists {name} with (force)").as_str(),
                    )
                    .await;
                });
            })
            .join();
        }
    }
}

/// A running node.
pub struct TestApp {
    pub base: String,
    pub api: Api,
    pub node_id: String,
    /// The node's state, for driving its clock and timed jobs.
    pub state: expo_server::AppState,
    shutdown: CancellationToken,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

impl TestApp {
    pub async fn start(config: Config) -> TestApp {
        let app = App::build(config).await.expect("the server builds");
        let base = format!("http://{}", app.local_addr());
        let node_id = app.state().hub.node_id().to_string();
        let state = app.state().clone();
        let shutdown = app.shutdown_token();
        let task = tokio::spawn(app.run_until_stopped());
        TestApp {
            api: Api::new(&base),
            base,
            node_id,
            state,
            shutdown,
            task: Some(task),
        }
    }

    /// Signs in as the organizer.
    pub async fn admin(&self) -> Api {
        self.api
            .login(ADMIN_EMAIL, ADMIN_PASSWORD)
            .await
            .expect("the organizer signs in")
            .0
    }

    /// Signs in one of the demo fair's accounts (password DEMO_PASSWORD).
    pub async fn demo_user(&self, email: &str) -> Api {
        self.api.login(email, DEMO_PASSWORD).await.unwrap().0
    }

    /// Signs in the demo fair's exhibitor (Park Ji-hoon): his API, his account and his
    /// company's id.
    pub async fn demo_exhibitor(&self) -> (Api, expo_schema::UserProfile, i64) {
        let (staff, me) = self
            .api
            .login("exhibitor@demo.expo", DEMO_PASSWORD)
            .await
            .unwrap();
        let company = me.user.company_id.unwrap();
        (staff, me.user, company)
    }

    /// Registers a buyer, has the organizer approve them, and signs them in.
    pub async fn buyer(&self, email: &str) -> Api {
        self.api
            .register(&RegisterBuyerRequest {
                email: email.into(),
                password: "buyer-password".into(),
                name: format!("Buyer {email}"),
                company_name: "Primorye Trade".into(),
                country: "RU".into(),
                timezone: "Asia/Vladivostok".into(),
                languages: vec!["ru".into(), "en".into()],
                interests: vec!["food".into()],
                share_contact: true,
            })
            .await
            .expect("registration succeeds");
        self.approve(email).await;
        self.api
            .login(email, "buyer-password")
            .await
            .expect("the approved buyer signs in")
            .0
    }

    /// The id of the account with this email, as the organizer sees it.
    pub async fn user_id(&self, email: &str) -> i64 {
        let list = self
            .admin()
            .await
            .users(&UserFilter::default())
            .await
            .expect("the organizer lists users");
        list.users
            .iter()
            .find(|u| u.email == email.to_lowercase())
            .unwrap_or_else(|| panic!("{email} has an account"))
            .id
    }

    /// Has the organizer approve the registered buyer with this email; returns their id.
    pub async fn approve(&self, email: &str) -> i64 {
        let id = self.user_id(email).await;
        self.admin()
            .await
            .approve_user(id)
            .await
            .expect("approval succeeds");
        id
    }

    /// Stops the node gracefully and waits for it.
    pub async fn stop(mut self) {
        self.shutdown.cancel();
        if let Some(task) = self.task.take() {
            let result = tokio::time::timeout(Duration::from_secs(20), task)
                .await
                .expect("the node stops within its grace period");
            result
                .expect("the node task")
                .expect("the node stops cleanly");
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// Runs a scenario on both engine pairs as two tests.
#[macro_export]
macro_rules! both_engines {
    ($($scenario:ident),* $(,)?) => {
        $(
            mod $scenario {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn embedded() {
                    super::$scenario($crate::helpers::Engines::Embedded).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn services() {
                    super::$scenario($crate::helpers::Engines::Services).await;
                }
            }
        )*
    };
}

/// Waits until `check` holds, polling; panics with `what` after `wait`.
pub async fn eventually<F, Fut>(wait: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    eventually_some(wait, what, || {
        let holds = check();
        async move { holds.await.then_some(()) }
    })
    .await
}

/// Waits until `check` gives a value, polling; panics with `what` after `wait`.
pub async fn eventually_some<T, F, Fut>(wait: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        if tokio::time::Instant::now() >= deadline {
            panic!("timed out waiting until {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The server binary, for tests that need a node in a process of its own (to kill it).
pub fn server_binary() -> std::path::PathBuf {
    if let Ok(path) = std::env::var("EXPO_SERVER_BIN") {
        return path.into();
    }
    // Built (or found up to date) by cargo itself, so the test never runs a stale binary.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "-p",
            "expo-server",
            "--bin",
            "expo-server",
        ])
        .current_dir(&root)
        .status()
        .expect("cargo builds the server binary");
    assert!(status.success(), "building the server binary");
    root.join("target/debug/expo-server")
}

/// An invitation with only the fields most tests set (no languages, time zone or admin
/// right); spread it (`..invite(…)`) to set more.
pub fn invite(
    email: &str,
    name: &str,
    role: expo_schema::Role,
    company_id: Option<i64>,
) -> expo_schema::api::InviteRequest {
    expo_schema::api::InviteRequest {
        email: email.into(),
        name: name.into(),
        role,
        company_id,
        company_admin: false,
        languages: vec![],
        timezone: None,
    }
}

/// A buyer's registration with only the required fields set (no languages, interests or
/// consent to share contact); spread it (`..registration(…)`) to set more.
pub fn registration(
    email: &str,
    password: &str,
    name: &str,
    company_name: &str,
    country: &str,
    timezone: &str,
) -> RegisterBuyerRequest {
    RegisterBuyerRequest {
        email: email.into(),
        password: password.into(),
        name: name.into(),
        company_name: company_name.into(),
        country: country.into(),
        timezone: timezone.into(),
        languages: vec![],
        interests: vec![],
        share_contact: false,
    }
}

/// A company with only the required fields set; spread it (`..company_input(…)`) to set
/// more.
pub fn company_input(reg_no: &str, name: &str, country: &str) -> expo_schema::api::CompanyInput {
    expo_schema::api::CompanyInput {
        reg_no: reg_no.into(),
        name: name.into(),
        hall_id: None,
        country: country.into(),
        region: None,
        tagline: None,
        description: None,
        website: None,
        founded_year: None,
        tags: vec![],
        export_countries: vec![],
        texts: Default::default(),
    }
}

/// A product with only its name; spread it (`..product_input(…)`) to set more.
pub fn product_input(name: &str) -> expo_schema::api::ProductInput {
    expo_schema::api::ProductInput {
        name: name.into(),
        code: None,
        description: None,
        hs_code: None,
        category: None,
        tags: vec![],
        min_order: None,
        price_range: None,
        certifications: vec![],
        texts: Default::default(),
    }
}

/// A hall.
pub fn hall_input(slug: &str, name: &str, industry: &str) -> expo_schema::api::HallInput {
    expo_schema::api::HallInput {
        slug: slug.into(),
        name: name.into(),
        industry: industry.into(),
        position: 0,
    }
}

/// Strings, from literals.
pub fn strings<const N: usize>(items: [&str; N]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The accounts waiting for approval (`GET /api/v1/users?status=pending`).
pub fn pending_users() -> UserFilter {
    UserFilter {
        status: Some("pending".into()),
        ..UserFilter::default()
    }
}

/// Strings, from a slice.
pub fn strings_of(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// A lobby search for `q`, texts in `lang` when given.
pub fn booth_query(q: &str, lang: Option<&str>) -> expo_client::api::BoothQuery {
    expo_client::api::BoothQuery {
        q: Some(q.into()),
        lang: lang.map(Into::into),
        ..Default::default()
    }
}

/// A meeting request with only the company, slot and mode; spread it
/// (`..meeting_request(…)`) to set more.
pub fn meeting_request(
    company_id: i64,
    slot_id: i64,
    mode: expo_schema::MeetingMode,
) -> expo_schema::api::MeetingRequest {
    expo_schema::api::MeetingRequest {
        show_id: None,
        company_id,
        slot_id,
        mode,
        message: None,
        product_ids: vec![],
        interpreter_languages: vec![],
        buyer_id: None,
    }
}

/// A day of the meeting grid from `start` to `end` (local times in `timezone`), no breaks.
pub fn grid_input(
    day: &str,
    timezone: &str,
    start: &str,
    end: &str,
    slot_minutes: i64,
) -> expo_schema::api::GridInput {
    expo_schema::api::GridInput {
        day: day.into(),
        timezone: timezone.into(),
        start: start.into(),
        end: end.into(),
        slot_minutes,
        breaks: vec![],
    }
}

/// Accepts meeting `meeting` as `who`, naming no staff member.
pub async fn accept_as(who: &Api, meeting: i64) -> expo_client::Result<expo_schema::Meeting> {
    who.accept_meeting(meeting, &expo_schema::api::AcceptInput::default())
        .await
}

/// Stops the second node, when the test started one (on the services), then the first.
pub async fn stop_nodes(node_a: TestApp, node_b: Option<TestApp>) {
    if let Some(b) = node_b {
        b.stop().await;
    }
    node_a.stop().await;
}

/// A free local TCP port (the probe's listener is closed again at once).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process stopped with SIGTERM (nginx's fast shutdown, ffmpeg's clean end) and
/// waited for when dropped, even after a panic.
pub struct Running(pub Option<std::process::Child>);

impl Running {
    pub fn signal(&mut self, signal: &str) {
        if let Some(child) = &self.0 {
            let _ = std::process::Command::new("kill")
                .args([signal, &child.id().to_string()])
                .status();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.signal("-TERM");
        if let Some(mut child) = self.0.take() {
            let _ = child.wait();
        }
    }
}

/// nginx from the system's packages (`scripts/services.sh` installs it, with the RTMP
/// module), in the foreground, with prefix `dir` and the `nginx.conf` there; `global` adds
/// main-context directives.
pub fn nginx(dir: &std::path::Path, global: &str) -> Running {
    let binary = ["/usr/sbin/nginx", "nginx"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .unwrap_or("nginx");
    let child = std::process::Command::new(binary)
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .args(["-g", &format!("daemon off; {global}")])
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("nginx starts (scripts/services.sh installs it)");
    Running(Some(child))
}

/// Joins chat room `room_id` from its first message: the room as the reader sees it and
/// the page of messages that came with the join.
pub async fn join_from_start(
    hub: &expo_client::Hub,
    room_id: i64,
) -> (expo_schema::ChatRoomInfo, Vec<expo_schema::ChatMessage>) {
    let joined = hub
        .request(expo_schema::protocol::Command::ChatJoin {
            room_id,
            after_seq: 0,
        })
        .await
        .unwrap();
    let expo_schema::protocol::ReplyData::ChatJoined { room, messages, .. } = joined else {
        panic!("unexpected {joined:?}");
    };
    (room, messages)
}
