//! The outgoing side of a socket: a bounded queue drained by its own task, so a device that
//! stops reading cannot make the server buffer without limit. When the queue is full the
//! session closes the socket instead of waiting.

use actix_ws::{CloseCode, CloseReason, Session};
use tokio::sync::mpsc;

/// Frames waiting for a slow device before it is cut off.
pub const QUEUE_FRAMES: usize = 256;

pub enum Outgoing {
    Frame(Vec<u8>),
    Ping,
    Pong(Vec<u8>),
    Close(CloseCode, String),
}

#[derive(Clone)]
pub struct Outbox {
    tx: mpsc::Sender<Outgoing>,
}

/// The queue is full or the socket is gone.
#[derive(Debug)]
pub struct Stalled;

impl Outbox {
    /// Starts the writer task for `session`.
    pub fn start(session: Session) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE_FRAMES);
        actix_web::rt::spawn(write_loop(session, rx));
        Self { tx }
    }

    pub fn send(&self, item: Outgoing) -> Result<(), Stalled> {
        self.tx.try_send(item).map_err(|_| Stalled)
    }

    /// Queues the close frame even when the queue is full (it then waits for a slot).
    pub async fn close(&self, code: CloseCode, reason: &str) {
        let _ = self
            .tx
            .send(Outgoing::Close(code, reason.to_string()))
            .await;
    }
}

async fn write_loop(mut session: Session, mut rx: mpsc::Receiver<Outgoing>) {
    while let Some(item) = rx.recv().await {
        let sent = match item {
            Outgoing::Frame(bytes) => session.binary(bytes).await,
            Outgoing::Ping => session.ping(b"casesync").await,
            Outgoing::Pong(bytes) => session.pong(&bytes).await,
            Outgoing::Close(code, description) => {
                let _ = session
                    .close(Some(CloseReason {
                        code,
                        description: Some(description),
                    }))
                    .await;
                return;
            }
        };
        if sent.is_err() {
            return;
        }
    }
    let _ = session.close(None).await;
}
