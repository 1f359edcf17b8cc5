//! The demo fair's studio feed (issue 14, docs/stage.md "In the demo fair"). With `--demo`,
//! when the media server answers on `EXPO_STAGE_RTMP_URL` and ffmpeg is installed, the
//! supervised task `demo-broadcast` publishes a test pattern with a tone under the stream key
//! of the show that is due now, like a studio encoder would, until the show's scheduled end:
//! the media server asks Expo Hub to let it in, the show goes live for every viewer, and when
//! the feed stops the show ends and its recording becomes the replay. Without a media server
//! the show stays scheduled and its page says it is offline; the task looks again now and then.
//! `EXPO_DEMO_BROADCAST=false` turns it off (the browser tests publish with their own ffmpeg).
//!
//! Beside it, the same task records a short take of the demo's show of earlier today (one
//! with a `take` in `demo/stage.json`) once, when that show has no recording yet: the feed
//! publishes under its key for the take's seconds while the take's chat lines and pins are
//! written at their moments through the chat writer and the pin writer, like the host and the
//! buyers would. The media server records it, and the show ends with a replay whose chat and
//! pins fall in step with the video.

use crate::store::now_ms;
use crate::AppState;
use expo_schema::api::ShowState;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;
use tokio::process::Command;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// How long to wait before looking for the media server or a due show again.
const IDLE: Duration = Duration::from_secs(15);
/// How long to wait after a run of ffmpeg ended at its time before the next round.
const AGAIN: Duration = Duration::from_secs(3);
/// The longest single run of ffmpeg (a longer show gets a new run after it).
const LONGEST_S: i64 = 6 * 60 * 60;

/// Says when the feed has wound down after the node's shutdown (its ffmpeg stopped, its show
/// ended), so the node closes its store only after that.
#[derive(Clone)]
pub struct WoundDown(Arc<watch::Sender<bool>>);

impl WoundDown {
    pub fn new() -> WoundDown {
        WoundDown(Arc::new(watch::channel(false).0))
    }

    /// Waits until the feed has wound down, at most `limit`.
    pub async fn wait(&self, limit: Duration) {
        let mut done = self.0.subscribe();
        let _ = tokio::time::timeout(limit, done.wait_for(|done| *done)).await;
    }
}

impl Default for WoundDown {
    fn default() -> WoundDown {
        WoundDown::new()
    }
}

/// The supervised task: feeds the due show, or waits, until `shutdown`; records the earlier
/// show's take beside it (once, then that part rests).
pub async fn run(state: AppState, shutdown: CancellationToken, wound_down: WoundDown) {
    let feeds = rounds(&shutdown, "the demo studio feed failed", || async {
        feed(&state, &shutdown).await.map(Some)
    });
    let takes = rounds(&shutdown, "the demo's take failed", || async {
        // Done, or no media server yet: look again later.
        take(&state, &shutdown)
            .await
            .map(|done| (!done).then_some(IDLE))
    });
    tokio::join!(feeds, takes);
    wound_down.0.send_replace(true);
}

/// Runs `round` again and again, after the pause it asks for (after a failure, logged, after
/// [`IDLE`]), until `shutdown` or until it says it is done (`None`).
async fn rounds<F, Fut>(shutdown: &CancellationToken, failed: &str, mut round: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Option<Duration>>>,
{
    loop {
        let wait = match round().await {
            Ok(Some(wait)) => wait,
            Ok(None) => return,
            Err(error) => {
                tracing::warn!(error = format!("{error:#}"), "{failed}");
                IDLE
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.cancelled() => return,
        }
    }
}

/// Whether the media server answers on its RTMP address, and this node may let a feed in.
async fn media_server(state: &AppState) -> Option<String> {
    if state
        .config
        .stage_callback_secret
        .as_deref()
        .is_none_or(str::is_empty)
    {
        // Without the callbacks' secret this node refuses every publish, its own feed's too:
        // starting ffmpeg would only be refused again and again.
        return None;
    }
    let address = rtmp_address(&state.config.stage_rtmp_url)?;
    let reachable = tokio::time::timeout(
        Duration::from_secs(2),
        tokio::net::TcpStream::connect(&address),
    )
    .await;
    matches!(reachable, Ok(Ok(_))).then_some(address)
}

/// One round of takes: records each demo show with a take that is still scheduled and has no
/// recording. True when there is nothing (more) to record.
async fn take(state: &AppState, shutdown: &CancellationToken) -> anyhow::Result<bool> {
    let data = crate::demo::data::stages()?;
    let mut pending = Vec::new();
    for show in data.shows.iter().filter(|s| s.take.is_some()) {
        let row: Option<(i64, String, i64, Option<i64>)> = sqlx::query_as(
            "select s.id, s.stream_key, s.host_company_id, r.id from shows s \
             left join chat_rooms r on r.show_id = s.id \
             where s.title = $1 and s.state = 'scheduled' and s.recording is null \
             and s.stream_key is not null",
        )
        .bind(&show.title)
        .fetch_optional(state.store.pool())
        .await?;
        if let Some(row) = row {
            pending.push((row, show));
        }
    }
    if pending.is_empty() {
        return Ok(true);
    }
    if media_server(state).await.is_none() {
        return Ok(false);
    }
    for ((show_id, key, company, room), show) in pending {
        let script = show.take.as_ref().expect("filtered on its take");
        let url = format!(
            "{}/{key}",
            state.config.stage_rtmp_url.trim_end_matches('/')
        );
        let mut ffmpeg = Command::from(test_pattern(&url, script.seconds))
            .kill_on_drop(true)
            .spawn()?;
        tracing::info!(
            show_id,
            seconds = script.seconds,
            "the demo records a take of an earlier show"
        );
        // What the take says happens while it runs (what is left when it ends is dropped).
        let acting = act(state, show_id, company, room, script);
        tokio::pin!(acting);
        let mut acted = false;
        loop {
            tokio::select! {
                status = ffmpeg.wait() => {
                    let status = status?;
                    anyhow::ensure!(status.success(), "the take's ffmpeg stopped: {status}");
                    break;
                }
                done = &mut acting, if !acted => {
                    done?;
                    acted = true;
                }
                _ = shutdown.cancelled() => {
                    ffmpeg.kill().await.ok();
                    super::rtmp::go(state, show_id, ShowState::Ended)
                        .await
                        .map_err(|e| anyhow::anyhow!("ending the take: {}", e.body()))?;
                    return Ok(true);
                }
            }
        }
    }
    Ok(true)
}

/// Plays a take's chat lines and pins at their moments from when the show went live.
async fn act(
    state: &AppState,
    show_id: i64,
    company: i64,
    room: Option<i64>,
    script: &crate::demo::data::DemoTake,
) -> anyhow::Result<()> {
    use crate::chat::writer::NewMessage;
    // The show goes live once the media server has let the feed in.
    let mut live_since = None;
    for _ in 0..150 {
        live_since = sqlx::query_scalar::<_, Option<i64>>(
            "select live_since_ms from shows where id = $1 and state = 'live'",
        )
        .bind(show_id)
        .fetch_optional(state.store.pool())
        .await?
        .flatten();
        if live_since.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let since = live_since.ok_or_else(|| anyhow::anyhow!("the take's show did not go live"))?;
    enum Beat<'a> {
        Pin(&'a str),
        Line(&'a str, &'a str),
    }
    let mut beats: Vec<(i64, usize, Beat)> = script
        .pins
        .iter()
        .map(|p| (p.at_s, 0, Beat::Pin(&p.product)))
        .chain(
            script
                .chat
                .iter()
                .enumerate()
                .map(|(n, l)| (l.at_s, n, Beat::Line(&l.sender, &l.text))),
        )
        .collect();
    beats.sort_by_key(|(at, _, _)| *at);
    for (at_s, n, beat) in beats {
        let due = since + at_s * 1000 - now_ms();
        if due > 0 {
            tokio::time::sleep(Duration::from_millis(due as u64)).await;
        }
        match beat {
            Beat::Pin(code) => {
                let product: i64 = sqlx::query_scalar(
                    "select id from products where company_id = $1 and code = $2",
                )
                .bind(company)
                .bind(code)
                .fetch_one(state.store.pool())
                .await?;
                super::edit::pin(state, show_id, Some(product), None)
                    .await
                    .map_err(|e| anyhow::anyhow!("the take's pin: {}", e.body()))?;
            }
            Beat::Line(sender, text) => {
                let room = room.ok_or_else(|| anyhow::anyhow!("the take's show has no chat"))?;
                let id: i64 = sqlx::query_scalar("select id from users where email = $1")
                    .bind(sender)
                    .fetch_one(state.store.pool())
                    .await?;
                let user = crate::auth::load_user(&state.store, id)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("no demo account {sender}"))?;
                let stored = state
                    .chat
                    .writer
                    .store(NewMessage {
                        room_id: room,
                        sender: user.summary(),
                        body: text.to_string(),
                        key: format!("demo-take-{show_id}-{n}"),
                        attachment: None,
                        phrase: None,
                        created_ms: now_ms(),
                    })
                    .await;
                match stored {
                    // Written already (another node's take of the same show).
                    Ok(_) | Err(crate::chat::writer::WriteError::DuplicateKey) => {}
                    Err(error) => anyhow::bail!("the take's chat line: {error:?}"),
                }
            }
        }
    }
    Ok(())
}

/// The media server's RTMP `host:port` from an `rtmp://host[:port]/app` address.
pub fn rtmp_address(url: &str) -> Option<String> {
    let rest = url.strip_prefix("rtmp://")?;
    let authority = rest.split('/').next().filter(|a| !a.is_empty())?;
    Some(if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:1935")
    })
}

/// One round: publishes to the show due now (by its schedule: a feed that dropped comes
/// back within the show's time, as a studio's encoder would) until it ends or ffmpeg stops,
/// or finds nothing to do. Returns how long to wait before the next round.
async fn feed(state: &AppState, shutdown: &CancellationToken) -> anyhow::Result<Duration> {
    if media_server(state).await.is_none() {
        // No media server: the demo's show stays scheduled, "offline" on its page.
        return Ok(IDLE);
    }
    let now = now_ms();
    let due: Option<(i64, String, i64, String)> = sqlx::query_as(
        "select id, stream_key, ends_ms, state from shows \
         where stream_key is not null and external_url is null \
         and starts_ms <= $1 and ends_ms > $1 order by starts_ms, id limit 1",
    )
    .bind(now)
    .fetch_optional(state.store.pool())
    .await?;
    let Some((show_id, key, ends_ms, show_state)) = due else {
        return Ok(IDLE);
    };
    if show_state == "live" {
        // Fed already: by another node's feed (each node of a demo fair runs this task; the
        // media server takes one publisher per stream, and the others wait here) or a studio.
        return Ok(IDLE);
    }
    let seconds = ((ends_ms - now) / 1000).clamp(1, LONGEST_S);
    let url = format!(
        "{}/{key}",
        state.config.stage_rtmp_url.trim_end_matches('/')
    );
    let mut ffmpeg = match Command::from(test_pattern(&url, seconds))
        .kill_on_drop(true)
        .spawn()
    {
        Ok(child) => child,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            tracing::info!("ffmpeg is not installed: the demo's studio show stays offline");
            return Ok(IDLE * 20);
        }
        Err(error) => return Err(error.into()),
    };
    tracing::info!(
        show_id,
        seconds,
        "the demo studio feed publishes a test pattern"
    );
    tokio::select! {
        status = ffmpeg.wait() => {
            let status = status?;
            if status.success() {
                // Its time ran out (a longer show gets a new run).
                return Ok(AGAIN);
            }
            // Refused by the media server, or dropped: looked at again after a pause, not in
            // a tight loop of ffmpeg starts.
            tracing::warn!(show_id, %status, "the demo studio feed stopped");
            Ok(IDLE)
        }
        _ = shutdown.cancelled() => {
            // The feed goes with the node, and the show ends for its viewers now: the media
            // server's on_publish_done may find no node to tell (a demo fair of one node),
            // and a show left live would keep the next start's feed waiting.
            ffmpeg.kill().await.ok();
            super::rtmp::go(state, show_id, ShowState::Ended)
                .await
                .map_err(|e| anyhow::anyhow!("ending the demo show: {}", e.body()))?;
            Ok(Duration::ZERO)
        }
    }
}

/// ffmpeg publishing a test pattern with a 440 Hz tone to `url` for `seconds`, in H.264 and
/// AAC as the media server's HLS needs, small and cheap (320×240 at 15 frames a second); its
/// output is discarded. The end-to-end tests publish with it too.
pub fn test_pattern(url: &str, seconds: i64) -> std::process::Command {
    let mut command = std::process::Command::new("ffmpeg");
    command
        .args(["-hide_banner", "-loglevel", "error", "-nostdin", "-re"])
        .args(["-f", "lavfi", "-i", "testsrc=size=320x240:rate=15"])
        .args(["-f", "lavfi", "-i", "sine=frequency=440"])
        .args([
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-tune",
            "zerolatency",
        ])
        .args(["-pix_fmt", "yuv420p", "-g", "15", "-c:a", "aac"])
        .args(["-t", &seconds.to_string(), "-f", "flv", url])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_media_servers_address_comes_from_the_ingest_url() {
        assert_eq!(
            rtmp_address("rtmp://127.0.0.1:1935/live").as_deref(),
            Some("127.0.0.1:1935")
        );
        assert_eq!(
            rtmp_address("rtmp://stage.example/live").as_deref(),
            Some("stage.example:1935")
        );
        assert_eq!(rtmp_address("https://stage.example/live"), None);
        assert_eq!(rtmp_address("rtmp:///live"), None);
    }
}
