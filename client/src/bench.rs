//! The load generator behind `expo bench`: opens many connections to one server, joins them to
//! one room, then measures connection set-up, presence fan-out (join/leave changes delivered
//! to every member, gathered by the server into `join`, `leave` and `presence_diff` frames) and
//! command round trips. It prints figures; it asserts nothing.

use crate::{Api, Hub, Incoming};
use expo_schema::protocol::{Command, ServerFrame};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Longer than the server's presence window (`EXPO_PRESENCE_BATCH_MS`, 200 ms by default), so
/// the last announcements of a phase arrive before it is counted.
const SETTLE: Duration = Duration::from_millis(600);

#[derive(Debug, Clone)]
pub struct BenchConfig {
    /// Server root, e.g. `http://127.0.0.1:8080`.
    pub url: String,
    pub email: String,
    pub password: String,
    /// Member connections in the room.
    pub conns: usize,
    pub room: String,
    /// Connections that join and leave the room to generate events.
    pub probes: usize,
    /// Join/leave cycles per probe.
    pub cycles: usize,
    /// Pings per member connection in the round-trip phase.
    pub pings: usize,
    /// Connections being set up at once in the connect phase.
    pub concurrency: usize,
}

#[derive(Debug, Default)]
pub struct BenchReport {
    pub connect_p50_ms: f64,
    pub connect_p99_ms: f64,
    pub connect_total_s: f64,
    /// Joins and leaves the probes made.
    pub changes_made: u64,
    /// Presence frames delivered to all members, and the changes they carried.
    pub frames_delivered: u64,
    pub changes_delivered: u64,
    pub members: u64,
    /// From the first probe's join to the end of the settle time after the last leave.
    pub fanout_s: f64,
    pub deliveries_per_s: f64,
    pub ping_p50_ms: f64,
    pub ping_p99_ms: f64,
    pub pings_per_s: f64,
}

impl std::fmt::Display for BenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "connect:  {} connections in {:.2} s = {:.0}/s (signed in, upgraded, in the room), p50 {:.1} ms, p99 {:.1} ms",
            self.members,
            self.connect_total_s,
            self.members as f64 / self.connect_total_s.max(1e-9),
            self.connect_p50_ms,
            self.connect_p99_ms
        )?;
        writeln!(
            f,
            "fan-out:  {} joins and leaves made; {} members got {} presence frames carrying {} changes in {:.2} s = {:.0} frame deliveries/s",
            self.changes_made,
            self.members,
            self.frames_delivered,
            self.changes_delivered,
            self.fanout_s,
            self.deliveries_per_s
        )?;
        write!(
            f,
            "commands: ping p50 {:.2} ms, p99 {:.2} ms, {:.0} pings/s",
            self.ping_p50_ms, self.ping_p99_ms, self.pings_per_s
        )
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v
}

pub async fn run(config: BenchConfig) -> anyhow::Result<BenchReport> {
    let api = Api::new(&config.url);
    let (api, _) = api
        .login(&config.email, &config.password)
        .await
        .map_err(|e| anyhow::anyhow!("signing in: {e}"))?;
    let mut report = BenchReport::default();

    // Phase 1: connect and join, `concurrency` at a time (a new one as soon as one is in).
    let started = Instant::now();
    let mut members: Vec<Hub> = Vec::with_capacity(config.conns);
    let mut connect_ms = Vec::with_capacity(config.conns);
    let turns = Arc::new(tokio::sync::Semaphore::new(config.concurrency.max(1)));
    let mut tasks = Vec::with_capacity(config.conns);
    for _ in 0..config.conns {
        let (api, room, turns) = (api.clone(), config.room.clone(), turns.clone());
        tasks.push(tokio::spawn(async move {
            let _turn = turns.acquire_owned().await.expect("open semaphore");
            let t = Instant::now();
            let hub = api.connect().await?;
            hub.subscribe(&room).await?;
            Ok::<_, crate::ClientError>((hub, t.elapsed().as_secs_f64() * 1000.0))
        }));
    }
    for task in tasks {
        let (hub, ms) = task.await??;
        members.push(hub);
        connect_ms.push(ms);
    }
    report.connect_total_s = started.elapsed().as_secs_f64();
    let connect_ms = sorted(connect_ms);
    report.connect_p50_ms = percentile(&connect_ms, 0.5);
    report.connect_p99_ms = percentile(&connect_ms, 0.99);

    // Let the join storm of phase 1 settle (its last presence window included), then drain it.
    tokio::time::sleep(SETTLE).await;
    for hub in members.iter_mut() {
        while hub.next(Duration::from_millis(1)).await.is_some() {}
    }

    // Phase 2: probes join and leave. Every member hears of them, in as many frames as the
    // server's presence windows make; a join and leave within one window may fold into one.
    let frames = Arc::new(AtomicU64::new(0));
    let changes = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    report.changes_made = (config.probes * config.cycles * 2) as u64;
    report.members = members.len() as u64;
    let mut counters = Vec::new();
    for mut hub in members.drain(..) {
        let (frames, changes, stop) = (frames.clone(), changes.clone(), stop.clone());
        counters.push(tokio::spawn(async move {
            loop {
                match hub.next(Duration::from_millis(100)).await {
                    Some(Incoming::Frame(ServerFrame::Event { event, .. })) => {
                        // A crowded room's windows are counted, not named.
                        let carried = match &event {
                            expo_schema::protocol::RoomEvent::PresenceCount {
                                joined,
                                left,
                                ..
                            } => (*joined + *left) as usize,
                            _ => event.joined().len() + event.left().len(),
                        };
                        if carried > 0 {
                            frames.fetch_add(1, Ordering::Relaxed);
                            changes.fetch_add(carried as u64, Ordering::Relaxed);
                        }
                    }
                    Some(Incoming::Frame(_)) => {}
                    Some(_) => break,
                    None if stop.load(Ordering::Relaxed) => break,
                    None => {}
                }
            }
            hub
        }));
    }
    let mut probes = Vec::new();
    for _ in 0..config.probes {
        probes.push(api.connect().await?);
    }
    let fanout_started = Instant::now();
    let mut probe_tasks = Vec::new();
    for probe in probes {
        let room = config.room.clone();
        let cycles = config.cycles;
        probe_tasks.push(tokio::spawn(async move {
            for _ in 0..cycles {
                probe.subscribe(&room).await?;
                probe.unsubscribe(&room).await?;
                // Stay within the per-connection command rate.
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Ok::<_, crate::ClientError>(probe)
        }));
    }
    for task in probe_tasks {
        task.await??;
    }
    // The last window's announcements, then the members stop listening.
    tokio::time::sleep(SETTLE).await;
    stop.store(true, Ordering::Relaxed);
    let mut members = Vec::new();
    for counter in counters {
        members.push(counter.await?);
    }
    report.fanout_s = fanout_started.elapsed().as_secs_f64();
    report.frames_delivered = frames.load(Ordering::Relaxed);
    report.changes_delivered = changes.load(Ordering::Relaxed);
    report.deliveries_per_s = report.frames_delivered as f64 / report.fanout_s.max(1e-9);

    // Phase 3: every member pings, concurrently.
    let ping_started = Instant::now();
    let mut tasks = Vec::new();
    for hub in members {
        let pings = config.pings;
        tasks.push(tokio::spawn(async move {
            let mut ms = Vec::with_capacity(pings);
            for _ in 0..pings {
                let t = Instant::now();
                hub.request(Command::Ping).await?;
                ms.push(t.elapsed().as_secs_f64() * 1000.0);
                tokio::time::sleep(Duration::from_millis(60)).await;
            }
            Ok::<_, crate::ClientError>(ms)
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await??);
    }
    let elapsed = ping_started.elapsed().as_secs_f64();
    report.pings_per_s = all.len() as f64 / elapsed.max(1e-9);
    let all = sorted(all);
    report.ping_p50_ms = percentile(&all, 0.5);
    report.ping_p99_ms = percentile(&all, 0.99);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let v = sorted(vec![5.0, 1.0, 3.0, 2.0, 4.0]);
        assert_eq!(percentile(&v, 0.5), 3.0);
        assert_eq!(percentile(&v, 0.99), 5.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }
}

/// `expo bench-booking`: many buyers race for one exhibitor's slots at once.
#[derive(Debug, Clone)]
pub struct BookingConfig {
    pub url: String,
    pub admin_email: String,
    pub admin_password: String,
    pub staff_email: String,
    pub staff_password: String,
    pub buyers: usize,
    pub slots: usize,
}

#[derive(Debug, Default)]
pub struct BookingReport {
    pub buyers: usize,
    pub slots: usize,
    pub won: usize,
    pub slot_taken: usize,
    pub other_errors: usize,
    pub wall_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub requests_per_s: f64,
    pub slots_left_free: i64,
}

impl std::fmt::Display for BookingReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "race:     {} buyers for {} one-seat slots: {} booked, {} slot_taken, {} other errors",
            self.buyers, self.slots, self.won, self.slot_taken, self.other_errors
        )?;
        writeln!(
            f,
            "latency:  p50 {:.1} ms, p99 {:.1} ms; all in {:.2} s = {:.0} requests/s",
            self.p50_ms, self.p99_ms, self.wall_s, self.requests_per_s
        )?;
        write!(
            f,
            "check:    {} slot(s) still showing a free seat (0 means every slot booked exactly once)",
            self.slots_left_free
        )
    }
}

/// Registers and approves `n` buyers (a few at a time), returning signed-in clients.
async fn make_buyers(api: &Api, admin: &Api, run: u64, n: usize) -> anyhow::Result<Vec<Api>> {
    use futures_util::StreamExt;
    let made = futures_util::stream::iter(0..n)
        .map(|i| {
            let (api, admin) = (api.clone(), admin.clone());
            async move {
                let email = format!("bench-{run}-{i}@bench.expo");
                let password = "bench-password-1";
                api.register(&expo_schema::api::RegisterBuyerRequest {
                    email: email.clone(),
                    password: password.into(),
                    name: format!("Bench Buyer {i}"),
                    company_name: "Bench Trading".into(),
                    country: "RU".into(),
                    timezone: "Asia/Vladivostok".into(),
                    languages: vec!["ru".into()],
                    interests: vec![],
                    share_contact: false,
                })
                .await?;
                let pending = admin
                    .users(&crate::api::UserFilter {
                        status: Some("pending".into()),
                        ..Default::default()
                    })
                    .await?;
                let id = pending
                    .users
                    .iter()
                    .find(|u| u.email == email)
                    .map(|u| u.id)
                    .ok_or_else(|| anyhow::anyhow!("{email} is not waiting for approval"))?;
                admin.approve_user(id).await?;
                Ok::<Api, anyhow::Error>(api.login(&email, password).await?.0)
            }
        })
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await;
    made.into_iter().collect()
}

pub async fn booking(config: BookingConfig) -> anyhow::Result<BookingReport> {
    let api = Api::new(&config.url);
    let (admin, _) = api
        .login(&config.admin_email, &config.admin_password)
        .await?;
    let (staff, me) = api
        .login(&config.staff_email, &config.staff_password)
        .await?;
    let company = me
        .user
        .company_id
        .ok_or_else(|| anyhow::anyhow!("{} is not exhibitor staff", config.staff_email))?;
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    // A day of its own, far enough ahead not to meet the fair's real meetings.
    let day = chrono::Utc::now() + chrono::Duration::days(60 + (run % 300) as i64);
    // 08:00 to at most 23:00.
    let slots = config.slots.clamp(1, 30);
    let end = 8 * 60 + slots * 30;
    let grid = admin
        .create_grid(&expo_schema::api::GridInput {
            day: day.format("%Y-%m-%d").to_string(),
            timezone: "Asia/Seoul".into(),
            start: "08:00".into(),
            end: format!("{:02}:{:02}", end / 60, end % 60),
            slot_minutes: 30,
            breaks: vec![],
        })
        .await?;
    let ids: Vec<i64> = grid.slots.iter().map(|s| s.id).collect();
    staff
        .set_availability(
            company,
            &expo_schema::api::AvailabilityInput {
                slot_ids: ids.clone(),
                seats: 1,
            },
        )
        .await?;
    eprintln!("registering {} buyers…", config.buyers);
    let buyers = make_buyers(&api, &admin, run, config.buyers).await?;
    let start = Instant::now();
    let tasks: Vec<_> = buyers
        .into_iter()
        .enumerate()
        .map(|(i, buyer)| {
            let slot = ids[i % ids.len()];
            tokio::spawn(async move {
                let t = Instant::now();
                let result = buyer
                    .request_meeting(&expo_schema::api::MeetingRequest {
                        show_id: None,
                        company_id: company,
                        slot_id: slot,
                        mode: expo_schema::MeetingMode::Online,
                        message: None,
                        product_ids: vec![],
                        interpreter_languages: vec![],
                        buyer_id: None,
                    })
                    .await;
                (t.elapsed(), result)
            })
        })
        .collect();
    let mut report = BookingReport {
        buyers: config.buyers,
        slots: ids.len(),
        ..Default::default()
    };
    let mut latencies = Vec::new();
    for task in tasks {
        let (took, result) = task.await?;
        latencies.push(took.as_secs_f64() * 1000.0);
        match result {
            Ok(_) => report.won += 1,
            Err(e) if e.code() == Some(expo_schema::ErrorCode::SlotTaken) => report.slot_taken += 1,
            Err(_) => report.other_errors += 1,
        }
    }
    report.wall_s = start.elapsed().as_secs_f64();
    report.requests_per_s = config.buyers as f64 / report.wall_s;
    latencies.sort_by(|a, b| a.total_cmp(b));
    report.p50_ms = percentile(&latencies, 0.50);
    report.p99_ms = percentile(&latencies, 0.99);
    let availability = staff.availability(company).await?;
    report.slots_left_free = availability
        .slots
        .iter()
        .filter(|s| ids.contains(&s.slot.id))
        .map(|s| s.free_seats)
        .sum();
    Ok(report)
}
