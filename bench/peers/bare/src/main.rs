//! The transport's ceiling, for `expo bench-fanout --target bare` (docs/BENCHMARKS.md): one
//! room of every connection; every text frame a connection sends goes to all of them,
//! itself included. The frame's bytes are shared, not copied or encoded again per receiver,
//! and each receiver's writer flushes once per burst of queued frames. No sign-in, no
//! storage, no presence: what a websocket broadcast costs on tokio-tungstenite and nothing
//! more.
//!
//!     expo-peer-bare [ADDRESS]      (default 127.0.0.1:3200)

use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

type Room = Arc<Mutex<HashMap<u64, mpsc::UnboundedSender<Message>>>>;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3200".to_string());
    let listener = TcpListener::bind(&address).await?;
    println!("expo-peer-bare listening on {}", listener.local_addr()?);
    let room: Room = Arc::default();
    let mut next_id = 0u64;
    loop {
        let (stream, _) = listener.accept().await?;
        next_id += 1;
        tokio::spawn(serve(stream, next_id, room.clone()));
    }
}

async fn serve(stream: TcpStream, id: u64, room: Room) {
    let _ = stream.set_nodelay(true);
    // The read buffer Expo Hub's connections have (tungstenite's default is 128 KiB each,
    // allocated up front), so resident memory compares like with like.
    let config = WebSocketConfig::default().read_buffer_size(4 * 1024);
    let Ok(socket) = tokio_tungstenite::accept_async_with_config(stream, Some(config)).await else {
        return;
    };
    let (mut sink, mut frames) = socket.split();
    let (queue, mut queued) = mpsc::unbounded_channel::<Message>();
    room.lock().expect("room").insert(id, queue);
    let writer = tokio::spawn(async move {
        while let Some(message) = queued.recv().await {
            if sink.feed(message).await.is_err() {
                return;
            }
            while let Ok(message) = queued.try_recv() {
                if sink.feed(message).await.is_err() {
                    return;
                }
            }
            if sink.flush().await.is_err() {
                return;
            }
        }
    });
    while let Some(Ok(message)) = frames.next().await {
        match message {
            Message::Text(_) => {
                for member in room.lock().expect("room").values() {
                    // A clone shares the frame's bytes.
                    let _ = member.send(message.clone());
                }
            }
            Message::Close(_) => break,
            _ => {}
        }
    }
    room.lock().expect("room").remove(&id);
    writer.abort();
}
