//! No token or password in any log line: a node's logs, at every level, are captured while a
//! client signs in (wrongly, then rightly), opens the hub with `?token=`, and reads its private
//! calendar feed; none of those secrets may appear.
//!
//! A test binary of its own: `tracing` caches per call site whether anyone listens, and with
//! other tests starting nodes on other threads of the same process, a call site first reached
//! there could be cached as unwatched while this test's scoped subscriber is being set up (the
//! capture then missed the request spans). Alone in its process, every call site is first
//! reached after the capture is installed.

#[path = "e2e/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use helpers::*;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Log output gathered in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn no_secrets_in_log_lines() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let dispatch = tracing::Dispatch::new(subscriber);
    // Every thread of this test's own runtime logs to the capture (other tests are untouched).
    let on_start = dispatch.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .on_thread_start(move || {
            std::mem::forget(tracing::dispatcher::set_default(&on_start));
        })
        .build()
        .unwrap();
    let _guard = tracing::dispatcher::set_default(&dispatch);
    let secrets = runtime.block_on(async {
        let env = TestEnv::new(Engines::Embedded).await;
        let app = env.start().await;
        let wrong = "wrong-horse-battery-77";
        let _ = app.api.login(ADMIN_EMAIL, wrong).await;
        let (admin, session) = app.api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.unwrap();
        // The hub opened with the token in the address, as browsers on other origins do.
        let url = format!("{}?token={}", app.api.ws_url(), session.token);
        let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        use futures_util::StreamExt;
        let _ = socket.next().await;
        drop(socket);
        let feed: serde_json::Value = admin.get("/api/v1/me/calendar").await.unwrap();
        let feed_url = feed["url"].as_str().unwrap().to_string();
        let feed_token = feed_url
            .rsplit('/')
            .next()
            .unwrap()
            .trim_end_matches(".ics")
            .to_string();
        let path = feed_url.split_once("/api/").unwrap().1;
        let _ = app.api.get_bytes(&format!("/api/{path}")).await.unwrap();
        app.stop().await;
        vec![
            session.token.clone(),
            ADMIN_PASSWORD.to_string(),
            wrong.to_string(),
            feed_token,
        ]
    });
    drop(runtime);
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("/api/v1/auth/login") && logs.lines().count() > 10,
        "the capture holds the node's logs:\n{logs}"
    );
    for secret in secrets {
        assert!(
            !logs.contains(&secret),
            "a secret in the logs: {secret}\n{logs}"
        );
    }
}
