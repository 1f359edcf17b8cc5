//! `expo`: the Expo Hub command line. Sign in, look at rooms, watch events, run benchmarks.

use clap::{Parser, Subcommand};
use expo_client::bench::{self, BenchConfig};
use expo_client::{Api, Incoming};
use std::time::Duration;

#[derive(Parser)]
#[command(name = "expo", version, about = "Expo Hub command line")]
struct Cli {
    /// The server's root URL.
    #[arg(long, env = "EXPO_URL", default_value = "http://127.0.0.1:8080")]
    url: String,
    #[arg(long, env = "EXPO_EMAIL", default_value = "buyer@demo.expo")]
    email: String,
    #[arg(long, env = "EXPO_PASSWORD", default_value = "expo-demo-2026")]
    password: String,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Sign in and print the session.
    Login,
    /// Print who is in a room.
    Presence {
        #[arg(default_value = "lobby")]
        room: String,
    },
    /// Join a room and print its events until ctrl-c.
    Watch {
        #[arg(default_value = "lobby")]
        room: String,
    },
    /// Load generator: many connections in one room; prints figures.
    Bench {
        #[arg(long, default_value_t = 1000)]
        conns: usize,
        #[arg(long, default_value = "lobby")]
        room: String,
        #[arg(long, default_value_t = 10)]
        probes: usize,
        #[arg(long, default_value_t = 10)]
        cycles: usize,
        #[arg(long, default_value_t = 20)]
        pings: usize,
        /// Connections being set up at once.
        #[arg(long, default_value_t = 200)]
        concurrency: usize,
    },
    /// Chat write path: `--senders` connections over `--rooms` booth rooms each send back to
    /// back (the next once the last is acknowledged) for `--seconds`; prints messages stored
    /// and acknowledged per second, latencies and the delivery accounting (one JSON line).
    /// Start the server with `EXPO_CHAT_RATE_PER_SEC`, `EXPO_USER_RATE_PER_SEC` and
    /// `EXPO_MAX_CONNS_PER_USER` high enough for one user's many senders.
    BenchChat {
        #[arg(long, default_value_t = 64)]
        senders: usize,
        #[arg(long, default_value_t = 1)]
        rooms: usize,
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
    },
    /// One room's fan-out, the same workload against Expo Hub or a peer server (see
    /// `fanout.rs` and `bench/peers/`): `--members` connections, `--senders` of them each
    /// keeping `--window` messages in flight, for `--seconds`; one JSON line with
    /// deliveries/s, latency, connection set-up and, with `--pid`, the servers' CPU per
    /// delivery and memory.
    BenchFanout {
        #[arg(long, value_enum)]
        target: expo_client::fanout::Target,
        /// The servers' root URLs, comma-separated (default: `--url`).
        #[arg(long, value_delimiter = ',')]
        nodes: Vec<String>,
        #[arg(long, default_value_t = 2000)]
        members: usize,
        #[arg(long, default_value_t = 16)]
        senders: usize,
        #[arg(long, default_value_t = 4)]
        window: usize,
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        #[arg(long, default_value_t = 200)]
        concurrency: usize,
        /// The servers' process ids (repeat, or comma-separated).
        #[arg(long = "pid", value_delimiter = ',')]
        server_pids: Vec<u32>,
    },
    /// The sign-in burst: `--count` sign-ins of `--email`, `--concurrency` at once; prints
    /// sign-ins/s, latency, refusals by code and, with `--pid`, the server's CPU per sign-in
    /// and its memory before, at the peak and a second after (one JSON line).
    BenchSignin {
        #[arg(long, default_value_t = 200)]
        count: usize,
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        /// The server's process id (repeat, or comma-separated).
        #[arg(long = "pid", value_delimiter = ',')]
        server_pids: Vec<u32>,
    },
    /// A stage show's chat at broadcast scale (see `stage_bench.rs`): `--viewers` connections
    /// of the signed-in organizer over `--nodes`, `--chatters` buyers registered for the run
    /// sending `--rate` messages a second each, slow mode `--slow-mode` seconds.
    BenchStage {
        /// The nodes' root URLs, comma-separated (default: `--url`).
        #[arg(long, value_delimiter = ',')]
        nodes: Vec<String>,
        #[arg(long)]
        show: Option<i64>,
        #[arg(long, default_value_t = 1000)]
        viewers: usize,
        #[arg(long, default_value_t = 50)]
        chatters: usize,
        #[arg(long, default_value_t = 1.0)]
        rate: f64,
        #[arg(long, default_value_t = 0)]
        slow_mode: i64,
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// The servers' process ids, comma-separated, for their memory per viewer.
        #[arg(long, value_delimiter = ',')]
        server_pids: Vec<u32>,
        /// Several generator processes meet in this folder before the chat starts: each
        /// writes `ready-<pid>` and waits for `go`.
        #[arg(long)]
        barrier: Option<std::path::PathBuf>,
    },
    /// Failover: starts its own Redis and two nodes (`--server-bin`) on `--database-url`,
    /// puts `--clients` connections on node A, then kills A (`--fault kill`) or restarts
    /// Redis (`--fault redis`); prints when A's users left presence, when every client was
    /// back and caught up, and what was lost (one JSON line).
    BenchFailover {
        #[arg(long, default_value = "target/release/expo-server")]
        server_bin: String,
        #[arg(long, env = "EXPO_DATABASE_URL")]
        database_url: String,
        #[arg(long, default_value_t = 2000)]
        clients: usize,
        #[arg(long, default_value = "kill")]
        fault: String,
        #[arg(long, default_value = "failover-bench-password")]
        admin_password: String,
    },
    /// Search quality: runs the search suite (queries in six languages with the booths each
    /// must find; by default the repository's `tests/data/search_queries.json`) against the
    /// server, signed in as `--email`, and prints recall and precision per language.
    SearchEval {
        /// Another suite file in the same format.
        #[arg(long)]
        suite: Option<String>,
        /// Print the figures as JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Booking race: many new buyers request one exhibitor's one-seat slots at the same
    /// moment (over REST); prints winners, losers, latency and whether any slot was booked
    /// twice. Replaces the exhibitor's availability with a far-future test day.
    BenchBooking {
        #[arg(long, default_value_t = 200)]
        buyers: usize,
        #[arg(long, default_value_t = 20)]
        slots: usize,
        #[arg(long, env = "EXPO_ADMIN_EMAIL", default_value = "admin@expo.local")]
        admin_email: String,
        #[arg(long, env = "EXPO_ADMIN_PASSWORD")]
        admin_password: String,
        #[arg(long, default_value = "exhibitor@demo.expo")]
        staff_email: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let api = Api::new(&cli.url);
    match cli.command {
        Cmd::SearchEval { suite, json } => {
            use expo_client::search_eval;
            let suite = match suite {
                Some(path) => search_eval::Suite::parse(&std::fs::read_to_string(&path)?)?,
                None => search_eval::Suite::parse(search_eval::SUITE)?,
            };
            let (api, _) = api.login(&cli.email, &cli.password).await?;
            let report = search_eval::run(&api, &suite).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", report.table());
            }
        }
        Cmd::BenchChat {
            senders,
            rooms,
            seconds,
        } => {
            let report = expo_client::chat_bench::run(expo_client::chat_bench::ChatBenchConfig {
                url: cli.url.clone(),
                email: cli.email.clone(),
                password: cli.password.clone(),
                senders,
                rooms,
                seconds,
            })
            .await?;
            println!("{report}");
        }
        Cmd::BenchFanout {
            target,
            nodes,
            members,
            senders,
            window,
            seconds,
            concurrency,
            server_pids,
        } => {
            let urls = or_url(nodes, &cli.url);
            let config = expo_client::fanout::FanoutConfig {
                target,
                urls,
                email: cli.email.clone(),
                password: cli.password.clone(),
                members,
                senders,
                window,
                seconds,
                concurrency,
                server_pids,
            };
            println!("{}", expo_client::fanout::run(config).await?);
        }
        Cmd::BenchSignin {
            count,
            concurrency,
            server_pids,
        } => {
            let config = expo_client::signin_bench::SigninConfig {
                url: cli.url.clone(),
                email: cli.email.clone(),
                password: cli.password.clone(),
                count,
                concurrency,
                server_pids,
            };
            println!("{}", expo_client::signin_bench::run(config).await?);
        }
        Cmd::BenchStage {
            nodes,
            show,
            viewers,
            chatters,
            rate,
            slow_mode,
            seconds,
            server_pids,
            barrier,
        } => {
            let nodes = or_url(nodes, &cli.url);
            let config = expo_client::stage_bench::StageBenchConfig {
                nodes,
                email: cli.email.clone(),
                password: cli.password.clone(),
                show,
                viewers,
                chatters,
                rate,
                slow_mode_s: slow_mode,
                seconds,
                server_pids,
                barrier,
            };
            println!("{}", expo_client::stage_bench::run(config).await?);
        }
        Cmd::Login => {
            let (_, session) = api.login(&cli.email, &cli.password).await?;
            println!("{}", serde_json::to_string_pretty(&session)?);
        }
        Cmd::Presence { room } => {
            let (api, _) = api.login(&cli.email, &cli.password).await?;
            let hub = api.connect().await?;
            for member in hub.presence(&room).await? {
                println!(
                    "{}\t{}\t{:?}\t{}",
                    member.conn_id,
                    member.user.name,
                    member.user.role,
                    member.user.country.unwrap_or_default()
                );
            }
        }
        Cmd::Watch { room } => {
            let (api, _) = api.login(&cli.email, &cli.password).await?;
            let mut hub = api.connect().await?;
            let members = hub.subscribe(&room).await?;
            println!("{} in {room}", members.len());
            loop {
                match hub.next(Duration::from_secs(3600)).await {
                    Some(Incoming::Frame(frame)) => println!("{}", serde_json::to_string(&frame)?),
                    Some(Incoming::Closed(code)) => {
                        println!("closed: {code:?}");
                        break;
                    }
                    None => {}
                }
            }
        }
        Cmd::Bench {
            conns,
            room,
            probes,
            cycles,
            pings,
            concurrency,
        } => {
            let report = bench::run(BenchConfig {
                url: cli.url,
                email: cli.email,
                password: cli.password,
                conns,
                room,
                probes,
                cycles,
                pings,
                concurrency,
            })
            .await?;
            println!("{report}");
        }
        Cmd::BenchFailover {
            server_bin,
            database_url,
            clients,
            fault,
            admin_password,
        } => {
            let report = expo_client::failover::run(expo_client::failover::FailoverConfig {
                server_bin,
                database_url,
                clients,
                fault,
                admin_password,
            })
            .await?;
            println!("{report}");
        }
        Cmd::BenchBooking {
            buyers,
            slots,
            admin_email,
            admin_password,
            staff_email,
        } => {
            let report = bench::booking(bench::BookingConfig {
                url: cli.url,
                admin_email,
                admin_password,
                staff_email,
                staff_password: cli.password,
                buyers,
                slots,
            })
            .await?;
            println!("{report}");
        }
    }
    Ok(())
}

/// The nodes a bench was given, or else the one `--url`.
fn or_url(nodes: Vec<String>, url: &str) -> Vec<String> {
    if nodes.is_empty() {
        vec![url.to_string()]
    } else {
        nodes
    }
}
