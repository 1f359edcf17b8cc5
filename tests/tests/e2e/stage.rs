//! The live stage (issue 14): stages and shows, who sees the stream key, the media server's
//! callbacks, an external show marked live by hand, and the real video plane: nginx with its
//! RTMP module (from docs/deploy/stage-nginx.conf) and ffmpeg publishing a test pattern with
//! a wrong and a right key, viewers on two nodes hearing the show go live and end.

use crate::booths::company_with_staff;
use crate::both_engines;
use crate::helpers::*;
use expo_client::{Hub, Incoming};
use expo_schema::api::*;
use expo_schema::protocol::{RoomEvent, ServerFrame};
use expo_schema::ErrorCode;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::time::Duration;

const SECRET: &str = "stage-callback-secret-for-tests";
/// Generous: nothing here may fail on a slow machine's timing.
const WAIT: Duration = Duration::from_secs(60);

pub(crate) fn stage_input(slug: &str, kind: StageKind) -> StageInput {
    StageInput {
        slug: slug.into(),
        name: format!("Stage {slug}"),
        kind,
        position: 0,
    }
}

pub(crate) fn show_input(stage_id: i64, title: &str, starts_ms: i64) -> ShowInput {
    ShowInput {
        stage_id,
        title: title.into(),
        description: "Live from the fair".into(),
        texts: Default::default(),
        host_company_id: None,
        starts_ms,
        duration_minutes: 30,
        featured_product_ids: vec![],
        external_url: None,
    }
}

/// A studio for a show's tests: one node (embedded) or two (Postgres and Redis), the
/// organizer, a host company with a staff member, another company with one, and a show on a
/// studio stage hosted by the first, starting now.
pub(crate) struct Studio {
    pub node_a: TestApp,
    pub node_b: Option<TestApp>,
    pub admin: expo_client::Api,
    pub host: expo_schema::Company,
    pub staff: expo_client::Api,
    pub rival: expo_schema::Company,
    pub rival_staff: expo_client::Api,
    pub show: Show,
    // Last: the nodes stop before their database and data directory go.
    _env: TestEnv,
}

impl Studio {
    /// `tag` keeps the companies' e-mail addresses and registration numbers apart per test.
    pub async fn open(engines: Engines, tag: &str, title: &str) -> Studio {
        let env = TestEnv::new(engines).await;
        let (node_a, node_b) = env.one_or_two().await;
        let admin = node_a.admin().await;
        let (host, staff) = company_with_staff(
            &node_a,
            &admin,
            &format!("101-81-{tag}1"),
            &format!("host@{tag}.example"),
        )
        .await;
        let (rival, rival_staff) = company_with_staff(
            &node_a,
            &admin,
            &format!("101-81-{tag}2"),
            &format!("rival@{tag}.example"),
        )
        .await;
        let stage = admin
            .create_stage(&stage_input("studio", StageKind::Studio))
            .await
            .unwrap();
        let mut input = show_input(stage.id, title, now_ms());
        input.host_company_id = Some(host.id);
        let show = admin.create_show(&input).await.unwrap();
        Studio {
            node_a,
            node_b,
            admin,
            host,
            staff,
            rival,
            rival_staff,
            show,
            _env: env,
        }
    }

    /// The second node, or the only one.
    pub fn other(&self) -> &TestApp {
        self.node_b.as_ref().unwrap_or(&self.node_a)
    }

    pub async fn stop(self) {
        stop_nodes(self.node_a, self.node_b).await;
    }
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn lang(code: &str) -> LangQuery {
    LangQuery {
        lang: Some(code.into()),
    }
}

fn secret(value: &str) -> CallbackQuery {
    CallbackQuery {
        secret: Some(value.into()),
    }
}

fn publish_form(name: &str, call: &str) -> RtmpCallback {
    RtmpCallback {
        name: name.into(),
        call: Some(call.into()),
        app: Some("live".into()),
        path: None,
    }
}

/// nginx-rtmp's `on_record_done` for a show's recording at `path`.
fn record_form(show_id: i64, path: &str) -> RtmpCallback {
    RtmpCallback {
        name: format!("show-{show_id}"),
        call: Some("record_done".into()),
        app: Some("hls".into()),
        path: Some(path.into()),
    }
}

/// Waits for a show event about `show_id` in `room`; panics after [`WAIT`].
async fn wait_show_event(hub: &mut Hub, room: &str, show_id: i64, live: bool) -> RoomEvent {
    let got = hub
        .wait_for(WAIT, |incoming| match incoming {
            Incoming::Frame(ServerFrame::Event { room: r, event }) if r == room => match event {
                RoomEvent::ShowLive { show_id: id, .. } => live && *id == show_id,
                RoomEvent::ShowEnded { show_id: id, .. } => !live && *id == show_id,
                _ => false,
            },
            _ => false,
        })
        .await;
    match got {
        Some(Incoming::Frame(ServerFrame::Event { event, .. })) => event,
        other => panic!(
            "no show_{} for show {show_id} in {room}: {other:?}",
            if live { "live" } else { "ended" }
        ),
    }
}

/// Waits for `show_ended` in the show's room and in each of `also` (the lobby), and for
/// `show_replay` in the show's room, in any order: the media server's two callbacks race, and
/// [`Hub::wait_for`] drops what it passes over. Returns the replay's address and start.
async fn ended_and_replayed(hub: &mut Hub, show_id: i64, also: &[&str]) -> (String, i64) {
    let room = format!("show:{show_id}");
    let mut ended: Vec<String> = Vec::new();
    let mut replay = None;
    let done = |ended: &Vec<String>, replay: &Option<(String, i64)>| {
        replay.is_some()
            && ended.contains(&room)
            && also.iter().all(|r| ended.iter().any(|e| e == r))
    };
    while !done(&ended, &replay) {
        let got = hub
            .wait_for(WAIT, |incoming| match incoming {
                Incoming::Frame(ServerFrame::Event {
                    room: r,
                    event: RoomEvent::ShowEnded { show_id: id, .. },
                }) => *id == show_id && (*r == room || also.contains(&r.as_str())),
                Incoming::Frame(ServerFrame::Event {
                    room: r,
                    event: RoomEvent::ShowReplay { show_id: id, .. },
                }) => *id == show_id && *r == room,
                _ => false,
            })
            .await;
        match got {
            Some(Incoming::Frame(ServerFrame::Event {
                room: r,
                event: RoomEvent::ShowEnded { .. },
            })) => ended.push(r),
            Some(Incoming::Frame(ServerFrame::Event {
                event:
                    RoomEvent::ShowReplay {
                        replay_url,
                        recording_ms,
                        ..
                    },
                ..
            })) => replay = Some((replay_url, recording_ms)),
            other => {
                panic!("show {show_id}: ended in {ended:?}, replay {replay:?}, then {other:?}")
            }
        }
    }
    replay.expect("done has the replay")
}

async fn stages_and_shows(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env
        .start_with(|c| {
            c.stage_callback_secret = Some(SECRET.into());
            c.stage_hls_base = "https://media.expo.test/hls/".into();
            c.stage_rtmp_url = "rtmp://media.expo.test/live".into();
        })
        .await;
    let admin = app.admin().await;
    let (host, staff) = company_with_staff(&app, &admin, "101-81-30001", "host@s.example").await;
    let (_other, other_staff) =
        company_with_staff(&app, &admin, "101-81-30002", "other@s.example").await;
    let product = admin
        .create_product(host.id, &product_input("Pine honey"))
        .await
        .unwrap();
    let buyer = app.buyer("viewer@s.example").await;

    // Organizers make stages; slugs are unique; nobody else may.
    let main = admin
        .create_stage(&stage_input("main", StageKind::Main))
        .await
        .unwrap();
    assert_eq!(main.kind, StageKind::Main);
    let dup = admin
        .create_stage(&stage_input("main", StageKind::Studio))
        .await
        .unwrap_err();
    assert_eq!(dup.code(), Some(ErrorCode::Conflict));
    let refused = buyer
        .create_stage(&stage_input("mine", StageKind::Studio))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Forbidden));
    let studio = admin
        .update_stage(
            main.id,
            &StageInput {
                position: 2,
                ..stage_input("main", StageKind::Main)
            },
        )
        .await
        .unwrap();
    assert_eq!(studio.position, 2);

    // A show hosted by company A, with a Korean title and a featured product.
    let start = now_ms() + 60 * 60 * 1000;
    let mut input = show_input(main.id, "Herbs of Gangwon", start);
    input.host_company_id = Some(host.id);
    input.featured_product_ids = vec![product.id];
    input.texts.insert(
        "ko".into(),
        ShowText {
            title: Some("강원도의 산나물".into()),
            description: None,
        },
    );
    let show = admin.create_show(&input).await.unwrap();
    assert_eq!(show.state, ShowState::Scheduled);
    assert_eq!(show.ends_ms, start + 30 * 60 * 1000);
    assert_eq!(
        show.hls_url.as_deref(),
        Some(format!("https://media.expo.test/hls/show-{}.m3u8", show.id).as_str())
    );
    let bad = admin
        .create_show(&ShowInput {
            featured_product_ids: vec![999_999],
            ..input.clone()
        })
        .await
        .unwrap_err();
    assert_eq!(bad.code(), Some(ErrorCode::NotFound));
    let bad = admin
        .create_show(&ShowInput {
            texts: [("xx".to_string(), ShowText::default())].into(),
            ..input.clone()
        })
        .await
        .unwrap_err();
    assert_eq!(bad.code(), Some(ErrorCode::Validation));

    // The lobby: nothing live, this show next, in the viewer's language.
    let lobby = buyer.stages(&lang("ko")).await.unwrap();
    assert_eq!(lobby.stages.len(), 1);
    assert!(lobby.stages[0].live.is_none());
    let next = lobby.stages[0].next.as_ref().expect("the show is next");
    assert_eq!(next.title, "강원도의 산나물");
    assert_eq!(next.description, "Live from the fair");
    assert_eq!(next.featured_product_ids, vec![product.id]);
    assert_eq!(
        buyer.show(show.id, &lang("ru")).await.unwrap().title,
        "Herbs of Gangwon"
    );

    // The stream key: organizers and the host's staff only; never in what viewers read.
    let ingest = admin.show_ingest(show.id).await.unwrap();
    assert_eq!(ingest.rtmp_url, "rtmp://media.expo.test/live");
    assert_eq!(
        ingest.publish_url,
        format!("rtmp://media.expo.test/live/{}", ingest.stream_key)
    );
    assert!(ingest.stream_key.len() >= 32);
    assert_eq!(staff.show_ingest(show.id).await.unwrap(), ingest);
    for who in [&other_staff, &buyer] {
        let refused = who.show_ingest(show.id).await.unwrap_err();
        assert_eq!(refused.code(), Some(ErrorCode::Forbidden));
    }
    let seen = serde_json::to_string(&buyer.stages(&lang("en")).await.unwrap()).unwrap()
        + &serde_json::to_string(&buyer.show(show.id, &lang("en")).await.unwrap()).unwrap();
    assert!(
        !seen.contains(&ingest.stream_key),
        "viewers never see the key"
    );

    // The media server's callbacks: the secret first, then the key.
    let mut viewer = buyer.connect().await.unwrap();
    let room = format!("show:{}", show.id);
    viewer.subscribe(&room).await.unwrap();
    viewer.subscribe("lobby").await.unwrap();
    let key = publish_form(&ingest.stream_key, "publish");
    let done = publish_form(&ingest.stream_key, "publish_done");
    let publish_done = || async {
        app.api
            .rtmp_publish_done(&secret(SECRET), &done)
            .await
            .unwrap()
    };
    for wrong in ["", "not-the-secret"] {
        let refused = app
            .api
            .rtmp_publish(&secret(wrong), &key)
            .await
            .unwrap_err();
        assert_eq!(refused.code(), Some(ErrorCode::Forbidden), "{wrong:?}");
    }
    let refused = app
        .api
        .rtmp_publish(&secret(SECRET), &publish_form("no-such-key", "publish"))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Forbidden));
    assert_eq!(
        buyer.show(show.id, &lang("en")).await.unwrap().state,
        ShowState::Scheduled
    );
    let answer = app.api.rtmp_publish(&secret(SECRET), &key).await.unwrap();
    assert_eq!(answer.status, 302);
    assert_eq!(answer.location, Some(format!("show-{}", show.id)));
    let event = wait_show_event(&mut viewer, &room, show.id, true).await;
    let RoomEvent::ShowLive { hls_url, .. } = event else {
        unreachable!()
    };
    assert_eq!(hls_url, show.hls_url);
    wait_show_event(&mut viewer, "lobby", show.id, true).await;
    let live = buyer.show(show.id, &lang("en")).await.unwrap();
    assert_eq!(live.state, ShowState::Live);
    assert!(live.live_since_ms.is_some());
    assert_eq!(live.viewers, 1, "the viewer in the show's room is counted");
    let lobby = buyer.stages(&lang("en")).await.unwrap();
    assert_eq!(
        lobby.stages[0].live.as_ref().map(|s| s.id),
        Some(show.id),
        "the lobby shows it live now"
    );
    publish_done().await;
    wait_show_event(&mut viewer, &room, show.id, false).await;
    let ended = buyer.show(show.id, &lang("en")).await.unwrap();
    assert_eq!(ended.state, ShowState::Ended);
    assert!(ended.ended_ms.is_some());
    // An encoder that dropped comes back within the show's time: live again.
    let again = app.api.rtmp_publish(&secret(SECRET), &key).await.unwrap();
    assert_eq!(again.location, Some(format!("show-{}", show.id)));
    wait_show_event(&mut viewer, &room, show.id, true).await;
    publish_done().await;
    wait_show_event(&mut viewer, &room, show.id, false).await;
    // The recording's callback: the media server's secret, a show's public name, and a
    // recorder's file name; the replay is the last take's MP4, timed from that take.
    assert_eq!(
        buyer.show(show.id, &lang("en")).await.unwrap().replay_url,
        None
    );
    let take = format!("/var/lib/expo-stage/rec/show-{}-1764540000.flv", show.id);
    let refused = app
        .api
        .rtmp_record_done(&secret("not-the-secret"), &record_form(show.id, &take))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Forbidden));
    let refused = app
        .api
        .rtmp_record_done(
            &secret(SECRET),
            &record_form(
                show.id + 1000,
                &format!("/rec/show-{}-1764540000.flv", show.id + 1000),
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::NotFound), "no such show");
    for bad in ["/etc/passwd", "/rec/show-0-1764540000.flv", "/rec/x.flv"] {
        let refused = app
            .api
            .rtmp_record_done(&secret(SECRET), &record_form(show.id, bad))
            .await
            .unwrap_err();
        assert_eq!(refused.code(), Some(ErrorCode::Validation), "{bad}");
    }
    app.api
        .rtmp_record_done(&secret(SECRET), &record_form(show.id, &take))
        .await
        .unwrap();
    let recorded = buyer.show(show.id, &lang("en")).await.unwrap();
    let media_root = show
        .hls_url
        .as_deref()
        .unwrap()
        .rsplit_once("/hls/")
        .unwrap()
        .0;
    assert_eq!(
        recorded.replay_url,
        Some(format!("{media_root}/rec/show-{}-1764540000.mp4", show.id)),
        "beside the HLS base by default"
    );
    assert_eq!(recorded.recording_ms, recorded.live_since_ms);
    // Once its time is over, an ended show's key lets nobody in.
    let past = admin
        .create_show(&show_input(
            main.id,
            "Yesterday",
            now_ms() - 2 * 60 * 60 * 1000,
        ))
        .await
        .unwrap();
    let past_key = publish_form(
        &admin.show_ingest(past.id).await.unwrap().stream_key,
        "publish",
    );
    app.api
        .rtmp_publish(&secret(SECRET), &past_key)
        .await
        .unwrap();
    app.api
        .rtmp_publish_done(&secret(SECRET), &past_key)
        .await
        .unwrap();
    let refused = app
        .api
        .rtmp_publish(&secret(SECRET), &past_key)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Forbidden));

    // An external stream: no key; the organizer marks it live and ended by hand.
    let external = admin
        .create_show(&ShowInput {
            external_url: Some("https://video.example/live/fair.m3u8".into()),
            ..show_input(main.id, "Elsewhere", now_ms())
        })
        .await
        .unwrap();
    assert_eq!(external.hls_url, None);
    let no_key = admin.show_ingest(external.id).await.unwrap_err();
    assert_eq!(no_key.code(), Some(ErrorCode::Conflict));
    let not_by_hand = admin.mark_show_live(show.id).await.unwrap_err();
    assert_eq!(not_by_hand.code(), Some(ErrorCode::Conflict));
    let refused = buyer.mark_show_live(external.id).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Forbidden));
    let shown = admin.mark_show_live(external.id).await.unwrap();
    assert_eq!(shown.state, ShowState::Live);
    let event = wait_show_event(&mut viewer, "lobby", external.id, true).await;
    let RoomEvent::ShowLive { external_url, .. } = event else {
        unreachable!()
    };
    assert_eq!(
        external_url.as_deref(),
        Some("https://video.example/live/fair.m3u8")
    );
    admin.mark_show_ended(external.id).await.unwrap();
    wait_show_event(&mut viewer, "lobby", external.id, false).await;
    let shows = buyer.stage_shows(main.id, &lang("en")).await.unwrap();
    assert_eq!(
        shows.shows.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![past.id, external.id, show.id],
        "by start"
    );

    // Editing: the key stays through an edit, goes with a switch to an external stream, and
    // a switch back gives a fresh one; unknown ids are 404 and nothing else changes.
    let edited = admin
        .update_show(
            show.id,
            &ShowInput {
                title: "Herbs of Gangwon, part 2".into(),
                duration_minutes: 45,
                ..input.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(edited.title, "Herbs of Gangwon, part 2");
    assert_eq!(edited.ends_ms, start + 45 * 60 * 1000);
    assert_eq!(admin.show_ingest(show.id).await.unwrap(), ingest);
    let outside = ShowInput {
        external_url: Some("https://video.example/live/herbs.m3u8".into()),
        ..input.clone()
    };
    let moved = admin.update_show(show.id, &outside).await.unwrap();
    assert_eq!(moved.hls_url, None);
    let gone = admin.show_ingest(show.id).await.unwrap_err();
    assert_eq!(gone.code(), Some(ErrorCode::Conflict));
    admin.update_show(show.id, &input).await.unwrap();
    let fresh = admin.show_ingest(show.id).await.unwrap();
    assert_ne!(fresh.stream_key, ingest.stream_key, "the old key is dead");
    let missing = admin.update_show(999_999, &input).await.unwrap_err();
    assert_eq!(missing.code(), Some(ErrorCode::NotFound));
    let missing = admin
        .update_stage(999_999, &stage_input("nowhere", StageKind::Studio))
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Some(ErrorCode::NotFound));
    let taken = admin
        .create_stage(&stage_input("side", StageKind::Studio))
        .await
        .unwrap();
    let clash = admin
        .update_stage(taken.id, &stage_input("main", StageKind::Studio))
        .await
        .unwrap_err();
    assert_eq!(clash.code(), Some(ErrorCode::Conflict));
    let refused = buyer.update_show(show.id, &input).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Forbidden));
    viewer.close();
    app.stop().await;
}

/// nginx with the RTMP module, run from the system's packages with the configuration of
/// `docs/deploy/stage-nginx.conf` (its ports, Expo Hub's address, the secret and the state
/// directory swapped for this test's).
struct MediaServer {
    _nginx: Running,
    rtmp_port: u16,
    http_port: u16,
    dir: PathBuf,
}

impl MediaServer {
    async fn start(dir: &Path, expo_addr: &str, rtmp_port: u16, http_port: u16) -> MediaServer {
        let dir = dir.join("stage-nginx");
        std::fs::create_dir_all(dir.join("hls")).unwrap();
        std::fs::create_dir_all(dir.join("rec")).unwrap();
        // The workers may run as another user than the master.
        let _ = Process::new("chmod").args(["-R", "777"]).arg(&dir).status();
        let shipped = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/deploy/stage-nginx.conf"),
        )
        .unwrap();
        let conf = shipped
            .replace("listen 1935;", &format!("listen 127.0.0.1:{rtmp_port};"))
            .replace("127.0.0.1:1935", &format!("127.0.0.1:{rtmp_port}"))
            .replace("listen 8088;", &format!("listen 127.0.0.1:{http_port};"))
            .replace("127.0.0.1:8080", expo_addr)
            .replace("CHANGE-ME", SECRET)
            .replace("/var/lib/expo-stage", &dir.display().to_string());
        // The placeholders as the shipped file writes them (a bare "1935" would also match
        // a free port such as 41935).
        for placeholder in [
            "listen 1935;",
            ":1935/",
            "listen 8088;",
            ":8080/",
            "CHANGE-ME",
            "/var/lib/expo-stage",
        ] {
            assert!(
                !conf
                    .lines()
                    .filter(|l| !l.trim_start().starts_with('#'))
                    .any(|l| l.contains(placeholder)),
                "{placeholder} was swapped in the documented configuration"
            );
        }
        std::fs::write(dir.join("nginx.conf"), conf).unwrap();
        let server = MediaServer {
            _nginx: nginx(&dir, ""),
            rtmp_port,
            http_port,
            dir,
        };
        eventually(WAIT, "nginx listens for RTMP and HTTP", || async move {
            std::net::TcpStream::connect(("127.0.0.1", rtmp_port)).is_ok()
                && std::net::TcpStream::connect(("127.0.0.1", http_port)).is_ok()
        })
        .await;
        server
    }

    fn hls_base(&self) -> String {
        format!("http://127.0.0.1:{}/hls", self.http_port)
    }

    fn rtmp_url(&self) -> String {
        format!("rtmp://127.0.0.1:{}/live", self.rtmp_port)
    }

    fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default()
    }
}

/// ffmpeg publishing a test pattern with a tone to `url` for at most `seconds` (as the demo's
/// studio feed does).
fn ffmpeg(url: &str, seconds: u32) -> Child {
    expo_server::stage::broadcast::test_pattern(url, seconds.into())
        .spawn()
        .expect("ffmpeg runs (scripts/services.sh installs it)")
}

async fn live_through_nginx_rtmp(engines: Engines) {
    let env = TestEnv::new(engines).await;
    // The ports come first: the nodes tell viewers and encoders about the media server, and
    // the media server calls node A back.
    let (rtmp_port, http_port) = (free_port(), free_port());
    let hls_base = format!("http://127.0.0.1:{http_port}/hls");
    let rtmp_url = format!("rtmp://127.0.0.1:{rtmp_port}/live");
    let tweak = |c: &mut expo_server::Config| {
        c.stage_callback_secret = Some(SECRET.into());
        c.stage_hls_base = hls_base.clone();
        c.stage_rtmp_url = rtmp_url.clone();
    };
    let addr: std::net::SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let node_a = env
        .start_with(|c| {
            tweak(c);
            c.listen = addr;
        })
        .await;
    let media = MediaServer::start(&env.data_dir, &addr.to_string(), rtmp_port, http_port).await;
    assert_eq!(
        (media.hls_base(), media.rtmp_url()),
        (hls_base.clone(), rtmp_url.clone())
    );
    // Two nodes where they share a bus (Postgres and Redis); one node otherwise.
    let node_b = match engines {
        Engines::Services => Some(env.start_with(tweak).await),
        Engines::Embedded => None,
    };
    let other = node_b.as_ref().unwrap_or(&node_a);
    let admin = node_a.admin().await;
    let stage = admin
        .create_stage(&stage_input("main", StageKind::Main))
        .await
        .unwrap();
    let show = admin
        .create_show(&show_input(stage.id, "Opening", now_ms()))
        .await
        .unwrap();
    let ingest = admin.show_ingest(show.id).await.unwrap();
    assert_eq!(ingest.rtmp_url, rtmp_url);
    let hls_url = format!("{hls_base}/show-{}.m3u8", show.id);
    assert_eq!(show.hls_url.as_deref(), Some(hls_url.as_str()));

    let viewer_a = node_a.buyer("a@stage.example").await;
    other.buyer("b@stage.example").await;
    let viewer_b = other
        .api
        .login("b@stage.example", "buyer-password")
        .await
        .unwrap()
        .0;
    let room = format!("show:{}", show.id);
    let mut hub_a = viewer_a.connect().await.unwrap();
    hub_a.subscribe(&room).await.unwrap();
    let mut hub_b = viewer_b.connect().await.unwrap();
    hub_b.subscribe(&room).await.unwrap();
    hub_b.subscribe("lobby").await.unwrap();

    // A wrong key: Expo Hub refuses the publish, nginx drops the encoder.
    let mut wrong = Running(Some(ffmpeg(&format!("{rtmp_url}/not-a-stream-key"), 10)));
    let deadline = tokio::time::Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = wrong.0.as_mut().unwrap().try_wait().unwrap() {
            break status;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "ffmpeg with a wrong key ends"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    wrong.0 = None;
    assert!(!status.success(), "ffmpeg with a wrong key is refused");
    assert_eq!(
        viewer_a.show(show.id, &lang("en")).await.unwrap().state,
        ShowState::Scheduled
    );

    // The right key: the show goes live for viewers on both nodes.
    let mut encoder = Running(Some(ffmpeg(&ingest.publish_url, 120)));
    let started = std::time::Instant::now();
    wait_show_event(&mut hub_a, &room, show.id, true).await;
    wait_show_event(&mut hub_b, &room, show.id, true).await;
    wait_show_event(&mut hub_b, "lobby", show.id, true).await;
    println!("stage: live after {:.1} s", started.elapsed().as_secs_f64());
    assert_eq!(
        viewer_b.show(show.id, &lang("en")).await.unwrap().state,
        ShowState::Live
    );
    // The public playlist appears under the show's name and lists segments.
    let http = reqwest::Client::new();
    let mut playlist = String::new();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Ok(response) = http.get(&hls_url).send().await {
            if response.status().is_success() {
                let no_cache = response
                    .headers()
                    .get("cache-control")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                let cors = response
                    .headers()
                    .contains_key("access-control-allow-origin");
                playlist = response.text().await.unwrap_or_default();
                let segments = playlist.lines().filter(|l| l.ends_with(".ts")).count();
                if segments >= 2 {
                    assert_eq!(no_cache.as_deref(), Some("no-cache"));
                    assert!(cors, "players on the fair's origin may fetch it");
                    break;
                }
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the playlist {hls_url} lists segments: {playlist:?}\n{}",
            media.error_log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!(
        "stage: playlist with segments after {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(playlist.starts_with("#EXTM3U"));
    let segment = playlist.lines().find(|l| l.ends_with(".ts")).unwrap();
    assert!(segment.starts_with(&format!("show-{}", show.id)));
    let bytes = http
        .get(format!("{hls_base}/{segment}"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(
        bytes.len() > 188 && bytes[0] == 0x47,
        "a segment is an MPEG transport stream"
    );
    // The key names no file the media server serves.
    for entry in std::fs::read_dir(media.dir.join("hls")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        assert!(!name.contains(&ingest.stream_key), "{name}");
    }

    // The encoder stops: both viewers hear the show end, and it reads ended.
    encoder.signal("-INT");
    // The media server's two callbacks race: the recording may be announced first.
    let announced = [
        ended_and_replayed(&mut hub_a, show.id, &[]).await,
        ended_and_replayed(&mut hub_b, show.id, &["lobby"]).await,
    ];
    drop(encoder);
    let ended = viewer_b.show(show.id, &lang("en")).await.unwrap();
    assert_eq!(ended.state, ShowState::Ended);
    assert!(ended.ended_ms >= ended.live_since_ms);

    // The replay: the media server recorded the take, remuxed it to MP4 and told Expo Hub,
    // which gives viewers on every node its address, timed from the take's start.
    assert_eq!(announced[0], announced[1], "the same on both nodes");
    let recorded = viewer_a.show(show.id, &lang("en")).await.unwrap();
    let replay_url = recorded
        .replay_url
        .clone()
        .expect("the show has its replay");
    assert_eq!(
        announced[0],
        (replay_url.clone(), recorded.recording_ms.unwrap())
    );
    let prefix = format!("http://127.0.0.1:{http_port}/rec/show-{}-", show.id);
    assert!(
        replay_url.starts_with(&prefix) && replay_url.ends_with(".mp4"),
        "{replay_url}"
    );
    assert_eq!(recorded.recording_ms, recorded.live_since_ms);
    let on_b = viewer_b.show(show.id, &lang("en")).await.unwrap();
    assert_eq!(on_b.replay_url.as_deref(), Some(replay_url.as_str()));
    let mp4 = eventually_some(WAIT, "the recording is served as MP4", || async {
        let response = http.get(&replay_url).send().await.ok()?;
        if !response.status().is_success() {
            return None;
        }
        let bytes = response.bytes().await.ok()?;
        // faststart: the file begins with its type box and its index (moov) follows.
        (bytes.len() > 1024
            && &bytes[4..8] == b"ftyp"
            && bytes[..4096.min(bytes.len())]
                .windows(4)
                .any(|w| w == b"moov"))
        .then_some(bytes)
    })
    .await;
    let file = media.dir.join("replay-check.mp4");
    std::fs::write(&file, &mp4).unwrap();
    let probe = Process::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "csv=p=0",
        ])
        .arg(&file)
        .output()
        .expect("ffprobe runs (it comes with ffmpeg)");
    let seconds: f64 = String::from_utf8_lossy(&probe.stdout)
        .trim()
        .parse()
        .unwrap();
    let took = (ended.ended_ms.unwrap() - ended.live_since_ms.unwrap()) as f64 / 1000.0;
    assert!(
        seconds > 1.0 && seconds <= took + 1.0,
        "the recording lasts the take: {seconds} s of {took} s"
    );
    // The raw recording is not served; the record done callback wants the media server.
    let flv = replay_url.replace(".mp4", ".flv");
    assert_eq!(http.get(&flv).send().await.unwrap().status(), 404);
    hub_a.close();
    hub_b.close();
    if let Some(node_b) = node_b {
        node_b.stop().await;
    }
    node_a.stop().await;
}

/// The demo fair's studio feed: with a media server at hand, the node's `demo-broadcast`
/// task publishes a test pattern under the show that is due now, which goes live for its
/// viewers with a playlist of segments; a node that stops takes its ffmpeg with it.
async fn the_demo_studio_goes_live_by_itself(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let (rtmp_port, http_port) = (free_port(), free_port());
    let addr: std::net::SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    // The media server first: the node finds it at once.
    let media = MediaServer::start(&env.data_dir, &addr.to_string(), rtmp_port, http_port).await;
    let node = env
        .start_with(|c| {
            c.demo = true;
            c.demo_broadcast = true;
            c.stage_callback_secret = Some(SECRET.into());
            c.stage_hls_base = media.hls_base();
            c.stage_rtmp_url = media.rtmp_url();
            c.listen = addr;
        })
        .await;
    let buyer = node.demo_user("buyer@demo.expo").await;
    let stages = buyer.stages(&lang("en")).await.unwrap();
    let studio = stages
        .stages
        .iter()
        .find(|s| s.stage.kind == StageKind::Studio)
        .expect("the demo has a studio");
    let show_id = studio
        .live
        .as_ref()
        .or(studio.next.as_ref())
        .expect("a show is due now")
        .id;
    eventually(WAIT, "the demo's show goes live by itself", || async {
        buyer.show(show_id, &lang("en")).await.unwrap().state == ShowState::Live
    })
    .await;
    let show = buyer.show(show_id, &lang("en")).await.unwrap();
    let playlist = show.hls_url.clone().unwrap();
    let http = reqwest::Client::new();
    eventually(WAIT, "its playlist lists segments", || async {
        match http.get(&playlist).send().await {
            Ok(r) if r.status().is_success() => {
                let text = r.text().await.unwrap_or_default();
                text.lines().filter(|l| l.ends_with(".ts")).count() >= 2
            }
            _ => false,
        }
    })
    .await;
    let key = node
        .admin()
        .await
        .show_ingest(show_id)
        .await
        .unwrap()
        .stream_key;
    let feeds = || {
        Process::new("pgrep")
            .args(["-f", &key])
            .stdout(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    };
    assert!(feeds(), "an ffmpeg publishes under the show's key");

    // Beside it, the feed records a take of the main stage's show of earlier today: its
    // chat lines and pins come at their moments of the recording, and the lobby lists the
    // stage's replay.
    let replay = eventually_some(
        Duration::from_secs(90),
        "the earlier show's replay",
        || async {
            let stages = buyer.stages(&lang("ru")).await.ok()?;
            stages
                .stages
                .into_iter()
                .find(|s| s.stage.kind == StageKind::Main)?
                .replay
        },
    )
    .await;
    assert_eq!(
        replay.title,
        "Уход за кожей на глубинной воде Японского моря: презентация для иностранных покупателей"
    );
    assert_eq!(replay.state, ShowState::Ended);
    assert!(
        replay.starts_ms < replay.live_since_ms.unwrap(),
        "a show of earlier today"
    );
    let start = replay
        .recording_ms
        .expect("timed from the recording's start");
    let url = replay.replay_url.clone().unwrap();
    assert!(url.ends_with(".mp4"), "{url}");
    let pins = buyer.show_pins(replay.id, &lang("en")).await.unwrap().pins;
    let named: Vec<&str> = pins
        .iter()
        .map(|p| p.product_name.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(named, ["Deep Sea Water Toner", "Sea Mineral Sheet Mask"]);
    let chat = buyer.show_chat(replay.id).await.unwrap();
    let hub = buyer.connect().await.unwrap();
    let (_, messages) = join_from_start(&hub, chat.room_id).await;
    assert_eq!(messages.len(), 8, "the take's chat lines");
    assert_eq!(
        messages[1].body.as_deref(),
        Some("Здравствуйте! Есть ли сертификат ЕАЭС на тонер?")
    );
    assert_eq!(messages[1].sender.name, "Anna Kuznetsova");
    let ended = replay.ended_ms.unwrap();
    for at in messages
        .iter()
        .map(|m| m.created_ms)
        .chain(pins.iter().map(|p| p.at_ms))
    {
        assert!(
            (start..=ended).contains(&at),
            "{at} falls within the recording ({start}..={ended})"
        );
    }
    assert!(
        pins[0].at_ms < messages[0].created_ms && messages[3].created_ms < pins[1].at_ms,
        "the pins and the lines in the take's order"
    );
    hub.close();
    node.stop().await;
    eventually(WAIT, "the node's ffmpeg stops with it", || async {
        !feeds()
    })
    .await;
    // The show ended with its feed, so the next start (here a node without the feed) finds
    // it ended, not live with nobody publishing.
    let next = env.start().await;
    let api = next.demo_user("buyer@demo.expo").await;
    assert_eq!(
        api.show(show_id, &lang("en")).await.unwrap().state,
        ShowState::Ended
    );
    next.stop().await;
    drop(media);
}

/// A show's page is an audience: a viewer joining it is counted (the reply's total, the
/// show's `viewers`) but not announced to the other viewers, on either node, while the same
/// join in the lobby is announced (so announcements do flow, and arrive after the page's
/// would have: one announcer sends them in order).
async fn show_viewers_are_counted_not_announced(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let (node_a, node_b) = env.one_or_two().await;
    let other = node_b.as_ref().unwrap_or(&node_a);
    let admin = node_a.admin().await;
    let stage = admin
        .create_stage(&stage_input("studio", StageKind::Studio))
        .await
        .unwrap();
    let show = admin
        .create_show(&show_input(stage.id, "Audience", now_ms()))
        .await
        .unwrap();
    let room = format!("show:{}", show.id);
    let mut first = admin.connect().await.unwrap();
    first.subscribe("lobby").await.unwrap();
    let joined = first
        .request(expo_schema::protocol::Command::Subscribe { room: room.clone() })
        .await
        .unwrap();
    let expo_schema::protocol::ReplyData::Subscribed { members, total, .. } = joined else {
        panic!("unexpected {joined:?}");
    };
    assert_eq!((members.len(), total), (0, 1), "a count, no faces");
    let second = other.admin().await.connect().await.unwrap();
    let joined = second
        .request(expo_schema::protocol::Command::Subscribe { room: room.clone() })
        .await
        .unwrap();
    let expo_schema::protocol::ReplyData::Subscribed { members, total, .. } = joined else {
        panic!("unexpected {joined:?}");
    };
    assert_eq!((members.len(), total), (0, 2));
    second.subscribe("lobby").await.unwrap();
    let second_conn = match &second.welcome {
        ServerFrame::Welcome { conn_id, .. } => conn_id.clone(),
        other => panic!("unexpected {other:?}"),
    };
    // Everything the first viewer hears until the second one's lobby join: nothing about the
    // show's page.
    let mut heard = Vec::new();
    let lobby_join = first
        .wait_for(WAIT, |incoming| {
            if let Incoming::Frame(ServerFrame::Event { room: r, event }) = incoming {
                heard.push((r.clone(), event.clone()));
                r == "lobby"
                    && match event {
                        RoomEvent::Join { member } => member.conn_id == second_conn,
                        RoomEvent::PresenceDiff { joins, .. } => {
                            joins.iter().any(|m| m.conn_id == second_conn)
                        }
                        _ => false,
                    }
            } else {
                false
            }
        })
        .await;
    assert!(
        lobby_join.is_some(),
        "the lobby join is announced: {heard:?}"
    );
    assert!(
        heard.iter().all(|(r, _)| r != &room),
        "nothing about the show's page: {heard:?}"
    );
    assert_eq!(admin.show(show.id, &lang("en")).await.unwrap().viewers, 2);
    first.close();
    second.close();
    stop_nodes(node_a, node_b).await;
}

both_engines!(
    show_viewers_are_counted_not_announced,
    stages_and_shows,
    live_through_nginx_rtmp,
    pins_reach_every_viewer,
    the_demo_studio_goes_live_by_itself
);

/// The next `show_pin` of `show_id` in its room; its product.
async fn wait_pin(hub: &mut Hub, show_id: i64) -> Option<i64> {
    let room = format!("show:{show_id}");
    let got = hub
        .wait_for(WAIT, |incoming| {
            matches!(incoming, Incoming::Frame(ServerFrame::Event { room: r, event: RoomEvent::ShowPin { show_id: id, .. } }) if *r == room && *id == show_id)
        })
        .await;
    match got {
        Some(Incoming::Frame(ServerFrame::Event {
            event: RoomEvent::ShowPin { product_id, .. },
            ..
        })) => product_id,
        other => panic!("no show_pin for show {show_id}: {other:?}"),
    }
}

/// The host's staff pin a product: viewers on every node see it at once (two nodes on
/// Postgres and Redis), the show reads it, the pins are kept in order for the replay; only
/// the host's or featured products, only the host's staff and organizers, never after the
/// show.
async fn pins_reach_every_viewer(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let (node_a, node_b) = env.one_or_two().await;
    let other = node_b.as_ref().unwrap_or(&node_a);
    let admin = node_a.admin().await;
    let (host, staff) =
        company_with_staff(&node_a, &admin, "101-81-30011", "host@pin.example").await;
    let (rival, rival_staff) =
        company_with_staff(&node_a, &admin, "101-81-30012", "rival@pin.example").await;
    let honey = admin
        .create_product(host.id, &product_input("Pine honey"))
        .await
        .unwrap();
    let tea = admin
        .create_product(rival.id, &product_input("Pine needle tea"))
        .await
        .unwrap();
    let foreign = admin
        .create_product(rival.id, &product_input("Birch sap"))
        .await
        .unwrap();
    let stage = admin
        .create_stage(&stage_input("studio", StageKind::Studio))
        .await
        .unwrap();
    let mut input = show_input(stage.id, "Honey live", now_ms());
    input.host_company_id = Some(host.id);
    input.featured_product_ids = vec![tea.id];
    let show = admin.create_show(&input).await.unwrap();

    let buyer_a = node_a.buyer("a@pin.example").await;
    let buyer_b = other.buyer("b@pin.example").await;
    let mut viewer_a = buyer_a.connect().await.unwrap();
    let mut viewer_b = buyer_b.connect().await.unwrap();
    let room = format!("show:{}", show.id);
    viewer_a.subscribe(&room).await.unwrap();
    viewer_b.subscribe(&room).await.unwrap();

    let pin = |product_id| PinInput { product_id };
    let pinned = staff
        .pin_show_product(show.id, &pin(Some(honey.id)))
        .await
        .unwrap();
    assert_eq!(pinned.product_id, Some(honey.id));
    assert_eq!(wait_pin(&mut viewer_a, show.id).await, Some(honey.id));
    assert_eq!(wait_pin(&mut viewer_b, show.id).await, Some(honey.id));
    let read = buyer_b.show(show.id, &lang("zh")).await.unwrap();
    assert_eq!(read.pinned_product_id, Some(honey.id));
    let card = read.pinned_product.expect("the pinned product's card");
    assert_eq!(
        (card.id, card.company_id, card.name.as_str()),
        (honey.id, host.id, "Pine honey")
    );
    assert_eq!(card.company_name, host.name);

    // A featured product of another company may be pinned; any other product may not.
    admin
        .pin_show_product(show.id, &pin(Some(tea.id)))
        .await
        .unwrap();
    assert_eq!(wait_pin(&mut viewer_a, show.id).await, Some(tea.id));
    assert_eq!(wait_pin(&mut viewer_b, show.id).await, Some(tea.id));
    let refused = staff
        .pin_show_product(show.id, &pin(Some(foreign.id)))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Validation));
    for who in [&rival_staff, &buyer_a] {
        let refused = who
            .pin_show_product(show.id, &pin(Some(honey.id)))
            .await
            .unwrap_err();
        assert_eq!(refused.code(), Some(ErrorCode::Forbidden));
    }
    let missing = admin
        .pin_show_product(999_999, &pin(Some(honey.id)))
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Some(ErrorCode::NotFound));
    let missing = admin
        .pin_show_product(show.id, &pin(Some(999_999)))
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Some(ErrorCode::NotFound));

    // Taken down: everyone hears it, and the show has no pin.
    staff.pin_show_product(show.id, &pin(None)).await.unwrap();
    assert_eq!(wait_pin(&mut viewer_a, show.id).await, None);
    assert_eq!(wait_pin(&mut viewer_b, show.id).await, None);
    assert_eq!(
        buyer_a
            .show(show.id, &lang("en"))
            .await
            .unwrap()
            .pinned_product,
        None
    );
    let pins = buyer_b.show_pins(show.id, &lang("en")).await.unwrap().pins;
    assert_eq!(
        pins.iter().map(|p| p.product_id).collect::<Vec<_>>(),
        vec![Some(honey.id), Some(tea.id), None],
        "every pin, in order, for the replay"
    );
    assert_eq!(
        pins.iter()
            .map(|p| p.product_name.as_deref())
            .collect::<Vec<_>>(),
        vec![Some(honey.name.as_str()), Some(tea.name.as_str()), None],
        "with the products' names"
    );

    // An ended show takes no pins.
    let external = admin
        .create_show(&ShowInput {
            external_url: Some("https://video.example/live/honey.m3u8".into()),
            ..input.clone()
        })
        .await
        .unwrap();
    admin.mark_show_live(external.id).await.unwrap();
    admin.mark_show_ended(external.id).await.unwrap();
    let over = staff
        .pin_show_product(external.id, &pin(Some(honey.id)))
        .await
        .unwrap_err();
    assert_eq!(over.code(), Some(ErrorCode::Conflict));

    viewer_a.close();
    viewer_b.close();
    stop_nodes(node_a, node_b).await;
}
