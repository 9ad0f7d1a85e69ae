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

/// Something live sessions must react to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedEvent {
    Doc(DocChanged),
    /// The device's token was revoked or it must wipe: close its sessions now.
    DeviceCut {
        device_id: String,
    },
    /// Who may see what changed in this organisation (assignment, share, new case):
    /// sessions recompute their scope.
    ScopeChanged {
        organisation_id: String,
    },
    /// Other instances' events may have been missed (the connection that brings them was
    /// lost and is back): every session brings what it holds up to date and rechecks its
    /// scope, as after a lag.
    Missed,
}

#[derive(Clone)]
pub struct ChangeFeed {
    tx: broadcast::Sender<FeedEvent>,
    /// Events to tell other instances (through PostgreSQL), when there are any.
    remote: Option<tokio::sync::mpsc::UnboundedSender<FeedEvent>>,
}

impl ChangeFeed {
    pub fn new(capacity: usize) -> Self {
        let (tx, _) = broadcast::channel(capacity);
        Self { tx, remote: None }
    }

    /// Also sends every event to other instances through `remote`.
    pub fn with_remote(mut self, remote: tokio::sync::mpsc::UnboundedSender<FeedEvent>) -> Self {
        self.remote = Some(remote);
        self
    }

    /// Tells subscribers here and on other instances. Nobody listening is fine.
    pub fn publish(&self, event: DocChanged) {
        self.publish_event(FeedEvent::Doc(event));
    }

    pub fn publish_event(&self, event: FeedEvent) {
        if let Some(remote) = &self.remote {
            let _ = remote.send(event.clone());
        }
        let _ = self.tx.send(event);
    }

    /// An event that came from another instance: local subscribers only.
    pub fn publish_local(&self, event: FeedEvent) {
        let _ = self.tx.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<FeedEvent> {
        self.tx.subscribe()
    }
}
