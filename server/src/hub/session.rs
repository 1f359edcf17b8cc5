//! One websocket connection: a reader loop that decodes and dispatches commands, and a writer
//! task that drains the bounded outbound queue, batches frames per flush and sends heartbeats.
//!
//! Every way a connection can end (peer close, heartbeat timeout, token expiry or revocation,
//! flooding, an oversized frame, a slow consumer, node shutdown) goes through its [`Closer`],
//! and the clean-up (leaving rooms, presence) happens in exactly one place, after the loop.

use super::ratelimit::TokenBucket;
use super::{CloseReason, Closer, ConnHandle, Hub, Identity};
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use expo_schema::protocol::{close_code, Command, ReplyData, ServerFrame, PROTOCOL_VERSION};
use expo_schema::{ErrorBody, ErrorCode};
use futures_util::future::BoxFuture;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Frames written per flush at most, so one busy connection still yields to others.
const MAX_BATCH: usize = 64;

/// Consecutive rate-limited commands after which a connection is closed as flooding.
const FLOOD_STRIKES: u32 = 100;

/// Handles the commands the hub does not know itself. Implemented by the application, which
/// knows the domains.
pub trait Dispatch: Send + Sync + 'static {
    fn dispatch<'a>(
        &'a self,
        conn: &'a ConnHandle,
        command: Command,
    ) -> BoxFuture<'a, Result<ReplyData, ErrorBody>>;

    /// Called once, right after the welcome frame, before any command is read.
    fn on_open<'a>(&'a self, conn: &'a ConnHandle) -> BoxFuture<'a, ()>;

    /// Called once when the connection has ended, with the rooms it was still in (already
    /// left in the hub), so domains can close what they opened (a booth visit, say).
    fn on_close<'a>(&'a self, conn: &'a ConnHandle, rooms: Vec<String>) -> BoxFuture<'a, ()>;
}

/// Serves one upgraded websocket until it closes.
pub async fn run(hub: Hub, socket: WebSocket, identity: Identity, dispatcher: Arc<dyn Dispatch>) {
    let expires_ms = identity.expires_ms;
    let (conn, rx) = hub.register(identity);
    let limits = hub.limits().clone();
    let (sink, stream) = socket.split();
    conn.send(&ServerFrame::Welcome {
        protocol: PROTOCOL_VERSION,
        node: hub.node_id().to_string(),
        conn_id: conn.id.clone(),
        user: conn.identity.user.clone(),
        heartbeat_secs: limits.heartbeat.as_secs(),
        max_frame_bytes: limits.max_frame_bytes,
        rate_per_sec: limits.rate_per_sec,
    });
    let writer = tokio::spawn(write_loop(sink, rx, conn.closer.clone(), limits.heartbeat));
    dispatcher.on_open(&conn).await;
    let mut stream = stream;
    read_loop(&hub, &conn, &mut stream, expires_ms, dispatcher.as_ref()).await;
    let rooms = hub.rooms_of(&conn.id);
    // The socket closes on the transport's own schedule, never later for the bookkeeping
    // (presence, session records) that follows: the writer says goodbye (at most a second)
    // while we keep reading and discarding until the peer's close or 2 s, because closing a
    // socket with unread input makes the kernel send a reset, which can destroy our close
    // frame before the peer reads it. Then both halves are gone and the peer sees the end.
    let writer_abort = writer.abort_handle();
    let transport = async {
        let drain = async {
            while let Some(Ok(message)) = stream.next().await {
                if matches!(message, Message::Close(_)) {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(2), drain).await;
        if tokio::time::timeout(Duration::from_secs(3), writer)
            .await
            .is_err()
        {
            tracing::debug!(conn = conn.id, "writer did not finish in time");
            writer_abort.abort();
        }
        drop(stream);
    };
    tokio::join!(hub.unregister(&conn.id), transport);
    dispatcher.on_close(&conn, rooms).await;
}

/// Closes a socket whose credentials were refused: a `closing` frame with the reason, then
/// close code 4001.
pub async fn refuse(mut socket: WebSocket, error: ErrorBody) {
    let frame = ServerFrame::Closing {
        code: close_code::UNAUTHORIZED,
        reason: error.code,
        message: error.message,
        reconnect: false,
    };
    let text = serde_json::to_string(&frame).expect("a frame always serializes");
    let goodbye = async {
        socket.send(Message::Text(text.into())).await?;
        socket
            .send(Message::Close(Some(CloseFrame {
                code: close_code::UNAUTHORIZED,
                reason: Utf8Bytes::from(error.code.as_str()),
            })))
            .await?;
        // Wait for the peer's close so the close frame is not lost to a reset.
        while let Some(Ok(message)) = socket.recv().await {
            if matches!(message, Message::Close(_)) {
                break;
            }
        }
        Ok::<_, axum::Error>(())
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), goodbye).await;
}

async fn read_loop(
    hub: &Hub,
    conn: &ConnHandle,
    stream: &mut SplitStream<WebSocket>,
    expires_ms: i64,
    dispatcher: &dyn Dispatch,
) {
    let limits = hub.limits().clone();
    let mut bucket = TokenBucket::new(limits.rate_per_sec, limits.rate_burst);
    let mut strikes = 0u32;
    let until_expiry = Duration::from_millis((expires_ms - crate::store::now_ms()).max(0) as u64);
    let expiry = tokio::time::sleep(until_expiry);
    tokio::pin!(expiry);
    loop {
        let next = tokio::select! {
            _ = conn.closer.closed() => break,
            _ = &mut expiry => {
                conn.closer.close(CloseReason::new(
                    close_code::UNAUTHORIZED,
                    ErrorCode::TokenExpired,
                    "the session expired; sign in again",
                ));
                break;
            }
            next = tokio::time::timeout(limits.heartbeat_timeout, stream.next()) => next,
        };
        let message = match next {
            Err(_) => {
                conn.closer.close(CloseReason::new(
                    close_code::HEARTBEAT_TIMEOUT,
                    ErrorCode::BadRequest,
                    "no heartbeat from the client",
                ));
                break;
            }
            Ok(None) => {
                conn.closer.close(CloseReason::quiet());
                break;
            }
            Ok(Some(Err(error))) => {
                conn.closer.close(transport_close(error));
                break;
            }
            Ok(Some(Ok(message))) => message,
        };
        match message {
            Message::Text(text) => {
                if !bucket.take() {
                    strikes += 1;
                    metrics::counter!("expo_ws_errors_total", "code" => "rate_limited")
                        .increment(1);
                    if strikes >= FLOOD_STRIKES {
                        conn.closer.close(CloseReason::new(
                            close_code::FLOODING,
                            ErrorCode::RateLimited,
                            "too many commands; slow down",
                        ));
                        break;
                    }
                    let error = ErrorBody::new(
                        ErrorCode::RateLimited,
                        format!(
                            "more than {} commands a second; this one was dropped",
                            limits.rate_per_sec
                        ),
                    );
                    conn.send(&ServerFrame::err(request_id(&text), error));
                    continue;
                }
                // The user's allowance over all their connections on all nodes.
                let user_key = format!("cmd:{}", conn.identity.user.id);
                if !hub
                    .limiter()
                    .take(&user_key, limits.user_rate_per_sec, limits.user_rate_burst)
                    .await
                {
                    metrics::counter!("expo_ws_errors_total", "code" => "rate_limited")
                        .increment(1);
                    let error = ErrorBody::new(
                        ErrorCode::RateLimited,
                        format!(
                            "more than {} commands a second from this account over all its \
                             connections; this one was dropped",
                            limits.user_rate_per_sec
                        ),
                    );
                    conn.send(&ServerFrame::err(request_id(&text), error));
                    continue;
                }
                strikes = 0;
                handle_text(conn, &text, limits.max_frame_bytes, dispatcher).await;
            }
            Message::Binary(_) => {
                let error = ErrorBody::new(
                    ErrorCode::BadRequest,
                    "binary frames are not part of the protocol; send JSON text",
                );
                conn.send(&ServerFrame::err(None, error));
            }
            // Pongs only prove liveness (the timeout above); axum answers pings itself.
            Message::Ping(_) | Message::Pong(_) => {}
            Message::Close(_) => {
                conn.closer.close(CloseReason::quiet());
                break;
            }
        }
    }
}

/// Maps a transport error to the close that follows it.
fn transport_close(error: axum::Error) -> CloseReason {
    let inner = error.into_inner();
    match inner.downcast_ref::<tungstenite::Error>() {
        Some(tungstenite::Error::Capacity(_)) => CloseReason::new(
            close_code::MESSAGE_TOO_BIG,
            ErrorCode::MessageTooLarge,
            "the frame exceeds the transport limit",
        ),
        _ => CloseReason::quiet(),
    }
}

/// The request id of a frame, if it is readable, for error replies that fail early.
fn request_id(text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct IdOnly {
        id: Option<serde_json::Value>,
    }
    serde_json::from_str::<IdOnly>(text)
        .ok()
        .and_then(|f| f.id)
        .and_then(id_text)
}

fn id_text(value: serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Decodes one text frame into a command, runs it, and replies.
pub async fn handle_text(
    conn: &ConnHandle,
    text: &str,
    max_bytes: usize,
    dispatcher: &dyn Dispatch,
) {
    let started = Instant::now();
    let (id, outcome, name) = match decode(text, max_bytes) {
        Err((id, error)) => (id, Err(error), "invalid"),
        Ok((id, command)) => {
            let name = command.type_name();
            (id, dispatcher.dispatch(conn, command).await, name)
        }
    };
    metrics::counter!("expo_ws_commands_total", "type" => name).increment(1);
    metrics::histogram!("expo_ws_command_seconds", "type" => name)
        .record(started.elapsed().as_secs_f64());
    match outcome {
        Ok(data) => {
            if id.is_some() {
                conn.send(&ServerFrame::ok(id, data));
            }
        }
        Err(error) => {
            metrics::counter!("expo_ws_errors_total", "code" => error.code.as_str()).increment(1);
            conn.send(&ServerFrame::err(id, error));
        }
    }
}

type Decoded = Result<(Option<String>, Command), (Option<String>, ErrorBody)>;

/// Tells apart: too large, not JSON, not an object, no type, an unknown type, and a known
/// type with bad fields; each gets its own code.
pub fn decode(text: &str, max_bytes: usize) -> Decoded {
    if text.len() > max_bytes {
        return Err((
            None,
            ErrorBody::new(
                ErrorCode::MessageTooLarge,
                format!(
                    "frames may have at most {max_bytes} bytes; this one has {}",
                    text.len()
                ),
            ),
        ));
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        (
            None,
            ErrorBody::new(ErrorCode::BadRequest, format!("not valid JSON: {e}")),
        )
    })?;
    let serde_json::Value::Object(map) = &value else {
        return Err((
            None,
            ErrorBody::new(ErrorCode::BadRequest, "a frame must be a JSON object"),
        ));
    };
    let id = map.get("id").cloned().and_then(id_text);
    let Some(kind) = map.get("type").and_then(|t| t.as_str()).map(str::to_string) else {
        return Err((
            id,
            ErrorBody::new(ErrorCode::BadRequest, "a frame needs a string \"type\""),
        ));
    };
    if !Command::TYPES.contains(&kind.as_str()) {
        return Err((
            id,
            ErrorBody::new(
                ErrorCode::UnknownCommand,
                format!("unknown command type {kind:?}"),
            ),
        ));
    }
    match serde_json::from_value::<Command>(value) {
        Ok(command) => Ok((id, command)),
        Err(e) => Err((
            id,
            ErrorBody::new(
                ErrorCode::InvalidCommand,
                format!("bad {kind:?} command: {e}"),
            ),
        )),
    }
}

type Sink = SplitSink<WebSocket, Message>;

async fn write_loop(
    mut sink: Sink,
    mut rx: mpsc::Receiver<Utf8Bytes>,
    closer: Arc<Closer>,
    heartbeat: Duration,
) {
    tokio::select! {
        _ = write_frames(&mut sink, &mut rx, heartbeat) => {}
        _ = closer.writer_closed() => {}
    }
    let reason = closer.reason().unwrap_or_else(CloseReason::quiet);
    let goodbye = async {
        if reason.announce {
            let frame = ServerFrame::Closing {
                code: reason.code,
                reason: reason.reason,
                message: reason.message.clone(),
                reconnect: reason.reconnect,
            };
            let text = serde_json::to_string(&frame).expect("a frame always serializes");
            sink.feed(Message::Text(text.into())).await?;
        }
        let close = CloseFrame {
            code: reason.code,
            reason: Utf8Bytes::from(reason.reason.as_str()),
        };
        sink.send(Message::Close(Some(close))).await?;
        sink.close().await
    };
    // A peer that stopped reading must not hold the task: give it a second.
    let _ = tokio::time::timeout(Duration::from_secs(1), goodbye).await;
}

async fn write_frames(
    sink: &mut Sink,
    rx: &mut mpsc::Receiver<Utf8Bytes>,
    heartbeat: Duration,
) -> Result<(), axum::Error> {
    let mut ping = tokio::time::interval(heartbeat);
    ping.tick().await;
    // Looked up once, not on every flush.
    let frames_out = metrics::counter!("expo_ws_frames_out_total");
    loop {
        tokio::select! {
            frame = rx.recv() => {
                let Some(frame) = frame else { return Ok(()) };
                sink.feed(Message::Text(frame)).await?;
                let mut batch = 1;
                while batch < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(frame) => {
                            sink.feed(Message::Text(frame)).await?;
                            batch += 1;
                        }
                        Err(_) => break,
                    }
                }
                sink.flush().await?;
                frames_out.increment(batch as u64);
            }
            _ = ping.tick() => {
                sink.send(Message::Ping(bytes::Bytes::new())).await?;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The command decoder on mutated frames: never a panic, always one of its typed
    /// answers, and every command it accepts encodes and decodes back to itself.
    #[test]
    fn fuzz_command_decoder() {
        use crate::http::guard::fuzzing;
        let seeds: &[&[u8]] = &[
            br#"{"type":"subscribe","room":"booth:7","id":"1"}"#,
            br#"{"type":"chat_send","room_id":3,"body":"hi","key":"k","attachment_id":null}"#,
            br#"{"type":"chat_history","room_id":3,"before_seq":10,"limit":50}"#,
            br#"{"type":"meeting_signal","meeting_id":1,"to":2,"data":{"sdp":"v=0"}}"#,
            br#"{"type":"open_item","company_id":1,"kind":"product","item_id":2}"#,
            br#"{"type":"ping","id":7}"#,
        ];
        let mut rng = fuzzing::rng("command decoder");
        for _ in 0..fuzzing::iterations() {
            let raw = fuzzing::mutate(&mut rng, seeds);
            let text = String::from_utf8_lossy(&raw);
            match decode(&text, 4096) {
                Ok((_, command)) => {
                    let again = serde_json::to_string(&command).unwrap();
                    let (_, back) = decode(&again, usize::MAX).expect("a command round-trips");
                    assert_eq!(back, command);
                }
                Err((_, error)) => assert!(matches!(
                    error.code,
                    ErrorCode::MessageTooLarge
                        | ErrorCode::BadRequest
                        | ErrorCode::UnknownCommand
                        | ErrorCode::InvalidCommand
                )),
            }
        }
    }

    /// Found by `cargo fuzz` (`command_decoder`, docs/fuzzing.md): a number inside a relayed
    /// payload changed in its last bits on the way through the decoder (serde_json's fast
    /// float parser is not correctly rounded), so the payload relayed was not the one sent.
    #[test]
    fn relayed_numbers_survive_decoding() {
        let text = r#"{"type":"meeting_signal","meeting_id":1,"to":2,"data":{"x":11.111111111111149999999e-9}}"#;
        let (_, command) = decode(text, 4096).expect("a meeting signal");
        let again = serde_json::to_string(&command).unwrap();
        let (_, back) = decode(&again, usize::MAX).expect("a command round-trips");
        assert_eq!(back, command);
        let Command::MeetingSignal { data, .. } = command else {
            panic!("a meeting signal");
        };
        // Rust's own parser is correctly rounded.
        let sent: f64 = "11.111111111111149999999e-9".parse().unwrap();
        assert_eq!(data["x"].as_f64(), Some(sent));
    }

    #[test]
    fn decode_tells_failures_apart() {
        let code = |text: &str| decode(text, 100).unwrap_err().1.code;
        assert_eq!(code("{nope"), ErrorCode::BadRequest);
        assert_eq!(code("[1,2]"), ErrorCode::BadRequest);
        assert_eq!(code(r#"{"id":"1"}"#), ErrorCode::BadRequest);
        assert_eq!(code(r#"{"type":"dance"}"#), ErrorCode::UnknownCommand);
        assert_eq!(code(r#"{"type":"subscribe"}"#), ErrorCode::InvalidCommand);
        assert_eq!(
            code(r#"{"type":"subscribe","room":7}"#),
            ErrorCode::InvalidCommand
        );
        assert_eq!(code(&" ".repeat(101)), ErrorCode::MessageTooLarge);
        let (id, command) = decode(r#"{"id":7,"type":"ping"}"#, 100).unwrap();
        assert_eq!(id.as_deref(), Some("7"));
        assert_eq!(command, Command::Ping);
    }

    #[test]
    fn errors_keep_the_request_id() {
        let (id, error) = decode(r#"{"id":"r9","type":"dance"}"#, 100).unwrap_err();
        assert_eq!(id.as_deref(), Some("r9"));
        assert_eq!(error.code, ErrorCode::UnknownCommand);
        assert_eq!(
            request_id(r#"{"id":"r3","type":"x"}"#).as_deref(),
            Some("r3")
        );
    }
}
