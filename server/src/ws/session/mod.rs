//! One device's socket: the automerge-repo handshake, then frames in, sync messages out, and
//! live pushes when a document the device holds changes anywhere. Frames of one session are
//! handled in order; sessions run side by side.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use actix_web::web;
use actix_ws::{AggregatedMessage, CloseCode, MessageStream, Session};
use automerge::{sync, ChangeHash};
use casesync_contract::DocumentId;
use casesync_schema::directory::AuthenticatedDevice;
use casesync_sync::protocol::{self, PeerId, PeerMetadata, RepoMessage};
use casesync_sync::HeldChanges;

use super::documents::{sync_frame, Frame, Known, Outcome, Reply};

mod events;
mod states;
mod wipe;
use super::outbox::{Outbox, Outgoing};
use super::MAX_FRAME_BYTES;
use crate::state::AppState;

const PING_EVERY: Duration = Duration::from_secs(10);
const PONG_TIMEOUT: Duration = Duration::from_secs(45);
const JOIN_TIMEOUT: Duration = Duration::from_secs(20);

/// The peer on the other side, once it has joined.
struct Peer {
    id: PeerId,
    /// Where the peer keeps sync state across connections, when it says it does.
    storage_id: Option<String>,
}

struct Live {
    state: AppState,
    device: AuthenticatedDevice,
    /// Names this socket in the audit trail (what it sent, per document).
    session: String,
    out: Outbox,
    peer: Option<Peer>,
    docs: HashMap<DocumentId, sync::State>,
    /// Documents the device was found to may sync (dropped when its scope changes).
    allowed: HashMap<DocumentId, Known>,
    /// Changes that arrived before their history, per document, until it arrives.
    held: HeldChanges,
    /// Changes of the device refused on this socket, per document: while its heads still
    /// reach one, its frames for that document get no sync reply (automerge would ask for
    /// the refused change again and again), only pushes of what others write.
    refused: HashMap<DocumentId, HashSet<ChangeHash>>,
    /// Every document the device synced or asked about on this socket, at most
    /// `limits.documents_per_session`: what the session keeps per document stays bounded.
    asked: HashSet<DocumentId>,
    /// Documents that changed elsewhere, to push at `push_at`.
    due: HashSet<DocumentId>,
    push_at: Option<tokio::time::Instant>,
    started: Instant,
}

/// Why a session ends.
enum End {
    Closed,
    Error(String),
    Code(CloseCode, &'static str),
}

pub async fn run(state: AppState, device: AuthenticatedDevice, ws: Session, stream: MessageStream) {
    let mut stream = stream
        .max_frame_size(MAX_FRAME_BYTES)
        .aggregate_continuations()
        .max_continuation_size(MAX_FRAME_BYTES);
    let mut feed = state.feed.subscribe();
    let mut shutdown = state.shutdown.clone();
    let hold_limits = state.config.limits.hold_limits();
    let mut live = Live {
        out: Outbox::start(ws),
        state,
        device,
        session: uuid::Uuid::new_v4().to_string(),
        peer: None,
        docs: HashMap::new(),
        allowed: HashMap::new(),
        held: HeldChanges::new(hold_limits),
        refused: HashMap::new(),
        asked: HashSet::new(),
        due: HashSet::new(),
        push_at: None,
        started: Instant::now(),
    };
    tracing::info!(device = %live.device.device_id, session = %live.session, "live session opened");
    let mut ping = tokio::time::interval(PING_EVERY);
    let mut last_heard = Instant::now();
    let end = loop {
        let push_at = live.push_at;
        tokio::select! {
            frame = stream.recv() => {
                last_heard = Instant::now();
                match frame {
                    Some(Ok(AggregatedMessage::Binary(bytes))) => {
                        if let Some(end) = live.on_frame(&bytes).await { break end; }
                    }
                    Some(Ok(AggregatedMessage::Text(_))) => {
                        break End::Error("frames must be binary CBOR".into());
                    }
                    Some(Ok(AggregatedMessage::Ping(bytes))) => {
                        let _ = live.out.send(Outgoing::Pong(bytes.to_vec()));
                    }
                    Some(Ok(AggregatedMessage::Pong(_))) => {}
                    Some(Ok(AggregatedMessage::Close(_))) | None => break End::Closed,
                    Some(Err(e)) => break End::Error(format!("bad WebSocket frame: {e}")),
                }
            }
            event = feed.recv() => {
                if let Some(end) = live.on_event(event).await { break end; }
            }
            _ = sleep_until(push_at), if push_at.is_some() => {
                if let Some(end) = live.push_due().await { break end; }
            }
            _ = ping.tick() => {
                if live.peer.is_none() && live.started.elapsed() > JOIN_TIMEOUT {
                    break End::Error("expected a join message".into());
                }
                if last_heard.elapsed() > PONG_TIMEOUT {
                    break End::Code(CloseCode::Policy, "no pong: connection presumed dead");
                }
                if live.out.send(Outgoing::Ping).is_err() {
                    break End::Code(CloseCode::Policy, "device is not reading");
                }
            }
            _ = shutdown.changed() => break End::Code(CloseCode::Away, "server is stopping"),
        }
    };
    live.finish(end).await;
}

async fn sleep_until(at: Option<tokio::time::Instant>) {
    if let Some(at) = at {
        tokio::time::sleep_until(at).await;
    }
}

impl Live {
    async fn on_frame(&mut self, bytes: &[u8]) -> Option<End> {
        let message = match protocol::decode(bytes) {
            Ok(m) => m,
            Err(e) => return Some(End::Error(format!("malformed frame ({}): {e}", e.code()))),
        };
        let Some(peer) = &self.peer else {
            return self.on_join(message);
        };
        if message.sender_id().is_some_and(|s| s != &peer.id) {
            return None; // not from the peer that joined: drop, as reference servers do
        }
        match message {
            RepoMessage::Request {
                document_id, data, ..
            } => self.on_sync(document_id, data, true).await,
            RepoMessage::Sync {
                document_id, data, ..
            } => self.on_sync(document_id, data, false).await,
            RepoMessage::Leave { .. } => Some(End::Closed),
            RepoMessage::Join { .. } => Some(End::Error("already joined".into())),
            // Presence and heads gossip are not relayed: case data goes through admission only.
            _ => None,
        }
    }

    fn on_join(&mut self, message: RepoMessage) -> Option<End> {
        let RepoMessage::Join {
            sender_id,
            supported_protocol_versions,
            peer_metadata,
        } = message
        else {
            return Some(End::Error("expected a join message".into()));
        };
        let Some(version) =
            protocol::select_protocol_version(supported_protocol_versions.as_deref())
        else {
            return Some(End::Error("unsupported protocol version".into()));
        };
        let storage_id = peer_metadata
            .storage_id
            .filter(|_| !peer_metadata.is_ephemeral);
        let reply = RepoMessage::Peer {
            sender_id: PeerId::new(self.state.instance.peer_id.clone()),
            target_id: sender_id.clone(),
            selected_protocol_version: version.to_string(),
            peer_metadata: PeerMetadata {
                storage_id: Some(self.state.instance.storage_id.clone()),
                is_ephemeral: false,
            },
        };
        self.peer = Some(Peer {
            id: sender_id,
            storage_id,
        });
        self.send(&reply)
    }

    async fn on_sync(&mut self, id: DocumentId, data: Vec<u8>, is_request: bool) -> Option<End> {
        if !self.asked.contains(&id) {
            let most = self.state.config.limits.documents_per_session;
            if self.asked.len() >= most {
                // This document only: the others of the session go on syncing.
                return self.send(&RepoMessage::Error {
                    sender_id: Some(self.server_peer()),
                    target_id: self.peer.as_ref().map(|p| p.id.clone()),
                    message: format!(
                        "document {id}: {}: a session syncs at most {most} documents; open \
                         another session for the rest",
                        casesync_contract::errors::ErrorCode::LimitExceeded
                    ),
                });
            }
            self.asked.insert(id);
        }
        if self.device.wipe_requested {
            return self.on_sync_under_wipe(id, data, is_request).await;
        }
        self.sync_document(id, data, is_request).await
    }

    async fn sync_document(
        &mut self,
        id: DocumentId,
        data: Vec<u8>,
        is_request: bool,
    ) -> Option<End> {
        let mut peer_state = match self.docs.remove(&id) {
            Some(s) => s,
            None => self.saved_state(id).await,
        };
        let state = self.state.clone();
        let device = self.device.clone();
        let known = self.allowed.get(&id).cloned();
        let mut held = std::mem::take(&mut self.held);
        let session = self.session.clone();
        let result = web::block(move || {
            let frame = Frame {
                session: &session,
                id,
                data: &data,
                is_request,
                known,
            };
            let outcome = sync_frame(&state, &device, frame, &mut peer_state, &mut held);
            (outcome, peer_state, held)
        })
        .await;
        let (outcome, peer_state, held) = match result {
            Ok(r) => r,
            Err(e) => return Some(End::Error(format!("internal error: {e}"))),
        };
        self.held = held;
        match outcome {
            Ok(Outcome::Reply(reply)) => {
                self.docs.insert(id, peer_state);
                self.on_reply(id, reply)
            }
            Ok(Outcome::Unavailable) => self.send_unavailable(id),
            Ok(Outcome::Malformed(why)) => Some(End::Error(why)),
            Err(e) => Some(End::Error(format!(
                "document {id}: {}: {}",
                e.code, e.message
            ))),
        }
    }

    /// Sends the reply to a frame; a refusal goes out as an `error` frame naming the
    /// document and the rule, and the socket stays open for everything else.
    fn on_reply(&mut self, id: DocumentId, reply: Reply) -> Option<End> {
        if let Some(known) = reply.known {
            self.allowed.insert(id, known);
        }
        if let Some((detail, hashes)) = reply.refused {
            tracing::info!(document = %id, device = %self.device.device_id, code = %detail.code, "live changes refused");
            self.refused.entry(id).or_default().extend(hashes);
            if let Some(end) = self.send(&RepoMessage::Error {
                sender_id: Some(self.server_peer()),
                target_id: self.peer.as_ref().map(|p| p.id.clone()),
                message: format!("document {id}: {}: {}", detail.code, detail.message),
            }) {
                return Some(end);
            }
            return reply.message.and_then(|data| self.send_sync(id, data));
        }
        let still_refused = self
            .refused
            .get(&id)
            .is_some_and(|refused| reply.device_heads.iter().any(|h| refused.contains(h)));
        if !still_refused {
            // The device reset the document (or never had a refusal): sync as usual.
            self.refused.remove(&id);
        } else if !reply.committed {
            return None;
        }
        reply.message.and_then(|data| self.send_sync(id, data))
    }

    fn send_unavailable(&self, id: DocumentId) -> Option<End> {
        self.send(&RepoMessage::DocUnavailable {
            sender_id: self.server_peer(),
            target_id: self.peer_id(),
            document_id: id,
        })
    }

    fn send_sync(&self, id: DocumentId, data: Vec<u8>) -> Option<End> {
        self.send(&RepoMessage::Sync {
            sender_id: self.server_peer(),
            target_id: self.peer_id(),
            document_id: id,
            data,
        })
    }

    fn send(&self, message: &RepoMessage) -> Option<End> {
        match self.out.send(Outgoing::Frame(protocol::encode(message))) {
            Ok(()) => None,
            Err(_) => Some(End::Code(
                CloseCode::Policy,
                "device is not reading: send queue full",
            )),
        }
    }

    fn server_peer(&self) -> PeerId {
        PeerId::new(self.state.instance.peer_id.clone())
    }

    fn peer_id(&self) -> PeerId {
        self.peer
            .as_ref()
            .map(|p| p.id.clone())
            .unwrap_or_else(|| PeerId::new("unknown"))
    }

    async fn finish(self, end: End) {
        match &end {
            End::Closed => self.out.close(CloseCode::Normal, "bye").await,
            End::Error(message) => {
                tracing::info!(device = %self.device.device_id, %message, "live session error");
                let _ = self.send(&RepoMessage::Error {
                    sender_id: Some(self.server_peer()),
                    target_id: self.peer.as_ref().map(|p| p.id.clone()),
                    message: message.clone(),
                });
                self.out.close(CloseCode::Protocol, "protocol error").await;
            }
            End::Code(code, why) => self.out.close(*code, why).await,
        }
        self.save_states().await;
        tracing::info!(
            device = %self.device.device_id,
            seconds = self.started.elapsed().as_secs(),
            documents = self.docs.len(),
            "live session closed"
        );
    }
}
