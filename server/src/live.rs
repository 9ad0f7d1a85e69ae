//! The change feed: every admitted change to a document, from this instance (batch or
//! WebSocket) or, through the database, from other instances. WebSocket sessions subscribe
//! and push to their devices.

use casesync_contract::DocumentId;
use tokio::sync::broadcast;

/// A document has new changes stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocChanged {
    pub document: DocumentId,
    /// The device whose changes they were, so its own session need not echo them.
    pub origin_device: Option<String>,
}

#[derive(Clone)]
pub struct ChangeFeed {
    tx: broadcast::Sender<DocChanged>,
}

impl ChangeFeed {
    pub fn new(capacity: usize) -> Self {
        let (tx, _) = broadcast::channel(capacity);
        Self { tx }
    }

    /// Tells local subscribers. Nobody listening is fine.
    pub fn publish(&self, event: DocChanged) {
        let _ = self.tx.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<DocChanged> {
        self.tx.subscribe()
    }
}
