//! A typed async client for Expo Hub: REST calls over reqwest and the `/ws` protocol over
//! tokio-tungstenite. Used by the end-to-end tests, the `expo` command line and the load
//! generator, so all three speak exactly the protocol in `expo-schema`.

use expo_schema::protocol::{ClientFrame, Command, ReplyData, ServerFrame};
use expo_schema::{ErrorBody, PresenceEntry};
use futures_util::{SinkExt, StreamExt};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

pub mod api;
pub mod bench;
pub mod chat_bench;
pub mod failover;
pub mod fanout;
pub mod procfs;
pub mod search_eval;
pub mod signin_bench;
pub mod stage_bench;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server answered with a typed error.
    #[error("server error {0}")]
    Server(ErrorBody),
    /// HTTP status without a typed body.
    #[error("HTTP {0}: {1}")]
    Http(u16, String),
    #[error("connection closed")]
    Closed,
    #[error("timed out waiting for the server")]
    Timeout,
    #[error(transparent)]
    Transport(#[from] Box<tokio_tungstenite::tungstenite::Error>),
    #[error(transparent)]
    Reqwest(#[from] reqwest::Error),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

impl ClientError {
    /// The typed error code, when the server sent one.
    pub fn code(&self) -> Option<expo_schema::ErrorCode> {
        match self {
            ClientError::Server(body) => Some(body.code),
            _ => None,
        }
    }
}

pub type Result<T> = std::result::Result<T, ClientError>;

/// REST client bound to one server.
#[derive(Clone)]
pub struct Api {
    base: String,
    http: reqwest::Client,
    token: Option<String>,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token stays out of logs and panic messages.
        f.debug_struct("Api")
            .field("base", &self.base)
            .field("signed_in", &self.token.is_some())
            .finish()
    }
}

impl Api {
    /// `base` is the server's root, e.g. `http://127.0.0.1:8080`.
    pub fn new(base: impl Into<String>) -> Api {
        Api {
            base: base.into().trim_end_matches('/').to_string(),
            http: reqwest::Client::new(),
            token: None,
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn with_token(&self, token: impl Into<String>) -> Api {
        Api {
            token: Some(token.into()),
            ..self.clone()
        }
    }

    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let builder = self.http.request(method, format!("{}{}", self.base, path));
        match &self.token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        let response = self.request(reqwest::Method::GET, path).send().await?;
        decode(response).await
    }

    pub async fn post<T: DeserializeOwned>(&self, path: &str, body: &impl Serialize) -> Result<T> {
        let response = self
            .request(reqwest::Method::POST, path)
            .json(body)
            .send()
            .await?;
        decode(response).await
    }

    /// A POST whose body is raw bytes (an upload).
    pub async fn post_bytes<T: DeserializeOwned>(&self, path: &str, bytes: Vec<u8>) -> Result<T> {
        let response = self
            .request(reqwest::Method::POST, path)
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
            .await?;
        decode(response).await
    }

    pub async fn put<T: DeserializeOwned>(&self, path: &str, body: &impl Serialize) -> Result<T> {
        let response = self
            .request(reqwest::Method::PUT, path)
            .json(body)
            .send()
            .await?;
        decode(response).await
    }

    /// A DELETE (204 on success).
    pub async fn delete(&self, path: &str) -> Result<()> {
        let response = self.request(reqwest::Method::DELETE, path).send().await?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(error_of(response).await)
        }
    }

    /// A GET of raw bytes (a download), with the status.
    pub async fn get_bytes(&self, path: &str) -> Result<Vec<u8>> {
        let response = self.request(reqwest::Method::GET, path).send().await?;
        if response.status().is_success() {
            Ok(response.bytes().await?.to_vec())
        } else {
            Err(error_of(response).await)
        }
    }

    /// A POST with a JSON body whose success has no body (204).
    pub async fn post_empty_json(&self, path: &str, body: &impl Serialize) -> Result<()> {
        let response = self
            .request(reqwest::Method::POST, path)
            .json(body)
            .send()
            .await?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(error_of(response).await)
        }
    }

    /// A POST whose success has no body (204).
    pub async fn post_empty(&self, path: &str) -> Result<()> {
        let response = self.request(reqwest::Method::POST, path).send().await?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(error_of(response).await)
        }
    }

    /// The websocket URL of this server.
    pub fn ws_url(&self) -> String {
        ws_url(&self.base, "/ws")
    }

    /// Opens the hub with this client's token.
    pub async fn connect(&self) -> Result<Hub> {
        Hub::connect(&self.ws_url(), self.token.as_deref(), None).await
    }
}

/// `path` on the server at `base` (`http://…` or `https://…`), as a websocket URL.
pub fn ws_url(base: &str, path: &str) -> String {
    let rest = base
        .strip_prefix("http://")
        .map(|r| format!("ws://{r}"))
        .or_else(|| base.strip_prefix("https://").map(|r| format!("wss://{r}")))
        .unwrap_or_else(|| base.to_string());
    format!("{}{path}", rest.trim_end_matches('/'))
}

async fn decode<T: DeserializeOwned>(response: reqwest::Response) -> Result<T> {
    if response.status().is_success() {
        Ok(response.json().await?)
    } else {
        Err(error_of(response).await)
    }
}

async fn error_of(response: reqwest::Response) -> ClientError {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    match serde_json::from_str::<ErrorBody>(&text) {
        Ok(body) => ClientError::Server(body),
        Err(_) => ClientError::Http(status, text),
    }
}

/// Something the hub connection received that is not a reply to a request.
// Frames are the common case and move once from the reader task to the caller; boxing them
// would only make every pattern match in the tests noisier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    Frame(ServerFrame),
    /// The connection closed, with the close code if the server sent one.
    Closed(Option<u16>),
}

type Pending = Arc<Mutex<HashMap<String, oneshot::Sender<ServerFrame>>>>;

/// A live `/ws` connection.
pub struct Hub {
    out: mpsc::UnboundedSender<Message>,
    pending: Pending,
    incoming: mpsc::UnboundedReceiver<Incoming>,
    next_id: AtomicU64,
    /// The welcome frame the server sent first.
    pub welcome: ServerFrame,
    /// How long `request` waits for a reply.
    pub timeout: Duration,
    /// How many text frames arrived, and how many of them were `batch` frames (each is
    /// unpacked into its frames, in order).
    frames: Arc<AtomicU64>,
    batches: Arc<AtomicU64>,
    /// Where frames go undecoded once [`Hub::take_raw`] was called.
    raw: Arc<std::sync::OnceLock<mpsc::UnboundedSender<RawFrame>>>,
}

/// A frame as it arrived, undecoded, with its arrival time (UTC milliseconds).
pub type RawFrame = (i64, tokio_tungstenite::tungstenite::Utf8Bytes);

impl Hub {
    /// Connects to `url` (`ws://host/ws`) with an optional token (sent as a bearer header) and
    /// an optional Origin header, and waits for the welcome frame.
    pub async fn connect(url: &str, token: Option<&str>, origin: Option<&str>) -> Result<Hub> {
        let mut request = url
            .into_client_request()
            .map_err(|e| ClientError::Transport(Box::new(e)))?;
        if let Some(token) = token {
            let value = HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|e| ClientError::Http(0, e.to_string()))?;
            request.headers_mut().insert("authorization", value);
        }
        if let Some(origin) = origin {
            let value =
                HeaderValue::from_str(origin).map_err(|e| ClientError::Http(0, e.to_string()))?;
            request.headers_mut().insert("origin", value);
        }
        // A small read buffer: a load generator holds tens of thousands of these (the default
        // is 128 KiB each, allocated up front); bigger frames grow it as they come.
        let config = WebSocketConfig::default()
            .max_message_size(Some(16 << 20))
            .read_buffer_size(16 * 1024);
        let (socket, _) = tokio_tungstenite::connect_async_with_config(request, Some(config), true)
            .await
            .map_err(|e| match e {
                tokio_tungstenite::tungstenite::Error::Http(response) => {
                    let status = response.status().as_u16();
                    let body = response
                        .body()
                        .as_ref()
                        .map(|b| String::from_utf8_lossy(b).to_string())
                        .unwrap_or_default();
                    match serde_json::from_str::<ErrorBody>(&body) {
                        Ok(error) => ClientError::Server(error),
                        Err(_) => ClientError::Http(status, body),
                    }
                }
                other => ClientError::Transport(Box::new(other)),
            })?;
        let (mut sink, mut stream) = socket.split();
        let (out_tx, mut out_rx) = mpsc::unbounded_channel::<Message>();
        let (in_tx, mut in_rx) = mpsc::unbounded_channel();
        let pending: Pending = Arc::default();
        tokio::spawn(async move {
            while let Some(message) = out_rx.recv().await {
                let closing = matches!(message, Message::Close(_));
                if sink.send(message).await.is_err() || closing {
                    break;
                }
            }
        });
        let reader_pending = pending.clone();
        let frames = Arc::new(AtomicU64::new(0));
        let reader_frames = frames.clone();
        let batches = Arc::new(AtomicU64::new(0));
        let reader_batches = batches.clone();
        let raw: Arc<std::sync::OnceLock<mpsc::UnboundedSender<RawFrame>>> = Arc::default();
        let reader_raw = raw.clone();
        tokio::spawn(async move {
            let mut code = None;
            while let Some(message) = stream.next().await {
                match message {
                    Ok(Message::Text(text)) => {
                        reader_frames.fetch_add(1, Ordering::Relaxed);
                        // Only replies are decoded when nobody takes this connection's events
                        // (a load generator's sender in a busy room), or when they are taken
                        // raw. The server writes a frame's `type` first.
                        if !text.starts_with(r#"{"type":"reply""#) {
                            if let Some(raw) = reader_raw.get() {
                                let _ = raw.send((chat_bench::now_ms(), text));
                                continue;
                            }
                            if in_tx.is_closed() {
                                continue;
                            }
                        }
                        let Ok(frame) = serde_json::from_str::<ServerFrame>(&text) else {
                            continue;
                        };
                        if let ServerFrame::Batch { frames } = frame {
                            reader_batches.fetch_add(1, Ordering::Relaxed);
                            for frame in frames {
                                let _ = in_tx.send(Incoming::Frame(frame));
                            }
                            continue;
                        }
                        if let ServerFrame::Reply { id: Some(id), .. } = &frame {
                            let waiter = reader_pending.lock().expect("pending").remove(id);
                            if let Some(waiter) = waiter {
                                let _ = waiter.send(frame);
                                continue;
                            }
                        }
                        let _ = in_tx.send(Incoming::Frame(frame));
                    }
                    Ok(Message::Close(frame)) => {
                        code = frame.map(|f| u16::from(f.code));
                        break;
                    }
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
            reader_pending.lock().expect("pending").clear();
            let _ = in_tx.send(Incoming::Closed(code));
        });
        let welcome = match tokio::time::timeout(Duration::from_secs(10), in_rx.recv()).await {
            Ok(Some(Incoming::Frame(frame @ ServerFrame::Welcome { .. }))) => frame,
            // Refused credentials arrive as a `closing` frame before any welcome.
            Ok(Some(Incoming::Frame(ServerFrame::Closing {
                reason, message, ..
            }))) => return Err(ClientError::Server(ErrorBody::new(reason, message))),
            Ok(_) => return Err(ClientError::Closed),
            Err(_) => return Err(ClientError::Timeout),
        };
        Ok(Hub {
            out: out_tx,
            pending,
            incoming: in_rx,
            next_id: AtomicU64::new(1),
            welcome,
            timeout: Duration::from_secs(10),
            frames,
            batches,
            raw,
        })
    }

    /// From now on, every frame but replies comes undecoded with its arrival time, here
    /// instead of through [`Hub::take_incoming`]: for a load generator that decodes only what
    /// it counts, and times deliveries on arrival rather than after its own queue.
    pub fn take_raw(&mut self) -> mpsc::UnboundedReceiver<RawFrame> {
        let (tx, rx) = mpsc::unbounded_channel();
        if self.raw.set(tx).is_err() {
            // Taken before: the earlier receiver keeps the frames.
            return mpsc::unbounded_channel().1;
        }
        rx
    }

    /// How many text frames this connection has received so far (a batch counts once).
    pub fn frames_received(&self) -> u64 {
        self.frames.load(Ordering::Relaxed)
    }

    /// How many `batch` frames this connection has received so far.
    pub fn batches_received(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
    }

    /// This connection's id, from the welcome frame.
    pub fn conn_id(&self) -> &str {
        match &self.welcome {
            ServerFrame::Welcome { conn_id, .. } => conn_id,
            _ => "",
        }
    }

    /// Sends a command and waits for its reply.
    pub async fn request(&self, command: Command) -> Result<ReplyData> {
        self.send_request(command)?.await
    }

    /// Sends a command now, so commands sent one after another leave in that order, and
    /// returns the wait for its reply (for a caller that keeps several in flight).
    pub fn send_request(
        &self,
        command: Command,
    ) -> Result<impl std::future::Future<Output = Result<ReplyData>> + Send + 'static> {
        let id = format!("c{}", self.next_id.fetch_add(1, Ordering::Relaxed));
        let (tx, rx) = oneshot::channel();
        self.pending.lock().expect("pending").insert(id.clone(), tx);
        let frame = ClientFrame {
            id: Some(id.clone()),
            command,
        };
        if let Err(e) = serde_json::to_string(&frame)
            .map_err(ClientError::from)
            .and_then(|text| self.send_text(text))
        {
            self.pending.lock().expect("pending").remove(&id);
            return Err(e);
        }
        let (pending, timeout) = (self.pending.clone(), self.timeout);
        Ok(async move {
            match tokio::time::timeout(timeout, rx).await {
                Ok(Ok(ServerFrame::Reply {
                    ok: true,
                    data: Some(data),
                    ..
                })) => Ok(data),
                Ok(Ok(ServerFrame::Reply {
                    error: Some(error), ..
                })) => Err(ClientError::Server(error)),
                Ok(Ok(_)) | Ok(Err(_)) => Err(ClientError::Closed),
                Err(_) => {
                    pending.lock().expect("pending").remove(&id);
                    Err(ClientError::Timeout)
                }
            }
        })
    }

    pub async fn subscribe(&self, room: &str) -> Result<Vec<PresenceEntry>> {
        match self
            .request(Command::Subscribe {
                room: room.to_string(),
            })
            .await?
        {
            ReplyData::Subscribed { members, .. } => Ok(members),
            other => Err(ClientError::Http(0, format!("unexpected reply {other:?}"))),
        }
    }

    pub async fn unsubscribe(&self, room: &str) -> Result<()> {
        self.request(Command::Unsubscribe {
            room: room.to_string(),
        })
        .await
        .map(|_| ())
    }

    pub async fn presence(&self, room: &str) -> Result<Vec<PresenceEntry>> {
        match self
            .request(Command::Presence {
                room: room.to_string(),
            })
            .await?
        {
            ReplyData::Presence { members, .. } => Ok(members),
            other => Err(ClientError::Http(0, format!("unexpected reply {other:?}"))),
        }
    }

    /// Sends any text frame as is (for testing how the server treats bad input).
    pub fn send_text(&self, text: String) -> Result<()> {
        self.out
            .send(Message::Text(text.into()))
            .map_err(|_| ClientError::Closed)
    }

    /// The next event, error without id, closing frame or close, waiting at most `wait`.
    pub async fn next(&mut self, wait: Duration) -> Option<Incoming> {
        tokio::time::timeout(wait, self.incoming.recv())
            .await
            .ok()
            .flatten()
    }

    /// Waits for the first incoming item that `matches`, skipping others.
    pub async fn wait_for(
        &mut self,
        wait: Duration,
        mut matches: impl FnMut(&Incoming) -> bool,
    ) -> Option<Incoming> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let item = self.next(left).await?;
            if matches(&item) {
                return Some(item);
            }
        }
    }

    /// Waits for the connection to close; returns its close code.
    pub async fn closed(&mut self, wait: Duration) -> Option<Option<u16>> {
        match self
            .wait_for(wait, |i| matches!(i, Incoming::Closed(_)))
            .await
        {
            Some(Incoming::Closed(code)) => Some(code),
            _ => None,
        }
    }

    /// Takes the stream of incoming items, for a task of its own (a load generator counts
    /// events there while this handle sends requests). `next` sees nothing afterwards.
    pub fn take_incoming(&mut self) -> mpsc::UnboundedReceiver<Incoming> {
        let (_, empty) = mpsc::unbounded_channel();
        std::mem::replace(&mut self.incoming, empty)
    }

    /// Closes the connection politely.
    pub fn close(&self) {
        let _ = self.out.send(Message::Close(None));
    }
}
