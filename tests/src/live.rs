//! A Rust peer speaking the automerge-repo protocol over casesync's WebSocket: what an app
//! built on automerge-repo's Rust or Swift libraries does, in a form tests can drive step by
//! step (send a frame, read frames until quiet).

use std::collections::HashMap;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use automerge::sync::{self, SyncDoc};
use automerge::{ActorId, AutoCommit, ChangeHash};
use casesync_contract::DocumentId;
use casesync_sync::protocol::{self, PeerId, PeerMetadata, RepoMessage};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

pub struct LivePeer {
    pub socket: WebSocket<MaybeTlsStream<TcpStream>>,
    pub peer_id: PeerId,
    pub server_peer: Option<PeerId>,
    pub docs: HashMap<DocumentId, (AutoCommit, sync::State)>,
    pub unavailable: Vec<DocumentId>,
    pub errors: Vec<String>,
    pub closed: bool,
    /// Payload bytes of the binary frames sent and received (WebSocket framing aside).
    pub bytes_sent: usize,
    pub bytes_received: usize,
}

/// Connects with a token in the `Authorization` header (`query: false`) or as `?token=`.
pub fn connect(base_url: &str, token: &str, query: bool) -> Result<LivePeer, tungstenite::Error> {
    let ws_url = base_url.replacen("http://", "ws://", 1) + "/v1/sync/ws";
    let request = if query {
        tungstenite::client::IntoClientRequest::into_client_request(format!(
            "{ws_url}?token={token}"
        ))?
    } else {
        let mut r = tungstenite::client::IntoClientRequest::into_client_request(ws_url)?;
        r.headers_mut().insert(
            "authorization",
            format!("Bearer {token}").parse().expect("header value"),
        );
        r
    };
    let (socket, _) = tungstenite::connect(request)?;
    if let MaybeTlsStream::Plain(stream) = socket.get_ref() {
        stream
            .set_read_timeout(Some(Duration::from_millis(100)))
            .expect("timeout");
    }
    Ok(LivePeer {
        socket,
        peer_id: PeerId::new(format!("rust-{}", uuid::Uuid::new_v4())),
        server_peer: None,
        docs: HashMap::new(),
        unavailable: vec![],
        errors: vec![],
        closed: false,
        bytes_sent: 0,
        bytes_received: 0,
    })
}

impl LivePeer {
    /// Sends `join` and waits for `peer`.
    pub fn join(&mut self) {
        self.send(&RepoMessage::Join {
            sender_id: self.peer_id.clone(),
            supported_protocol_versions: Some(vec!["1".into()]),
            peer_metadata: PeerMetadata {
                storage_id: None,
                is_ephemeral: true,
            },
        });
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.server_peer.is_none() && Instant::now() < deadline && !self.closed {
            self.pump_once();
        }
        assert!(self.server_peer.is_some(), "server answered join with peer");
    }

    pub fn send(&mut self, message: &RepoMessage) {
        self.send_raw(protocol::encode(message));
    }

    pub fn send_raw(&mut self, bytes: Vec<u8>) {
        self.bytes_sent += bytes.len();
        if self.socket.send(Message::Binary(bytes.into())).is_err() {
            self.closed = true;
        }
    }

    /// Starts syncing a document: an existing local copy, or `request` for one we lack.
    pub fn open(&mut self, id: DocumentId) {
        let is_new = !self.docs.contains_key(&id);
        let (doc, state) = self.docs.entry(id).or_insert_with(|| {
            (
                AutoCommit::new().with_actor(ActorId::random()),
                sync::State::new(),
            )
        });
        let Some(message) = doc.sync().generate_sync_message(state) else {
            return;
        };
        let data = message.encode();
        let (sender_id, target_id) = (self.peer_id.clone(), self.server());
        let frame = if is_new {
            RepoMessage::Request {
                sender_id,
                target_id,
                document_id: id,
                data,
            }
        } else {
            RepoMessage::Sync {
                sender_id,
                target_id,
                document_id: id,
                data,
            }
        };
        self.send(&frame);
    }

    /// Holds a document created locally and announces it.
    pub fn hold(&mut self, id: DocumentId, doc: AutoCommit) {
        self.docs.insert(id, (doc, sync::State::new()));
        self.open(id);
    }

    /// After a local edit: send what the server lacks.
    pub fn changed(&mut self, id: DocumentId) {
        self.open(id);
    }

    pub fn doc(&mut self, id: &DocumentId) -> &mut AutoCommit {
        &mut self.docs.get_mut(id).expect("document held").0
    }

    /// Whether we hold any history of the document.
    pub fn has_content(&mut self, id: &DocumentId) -> bool {
        self.docs
            .get_mut(id)
            .is_some_and(|(d, _)| !d.get_heads().is_empty())
    }

    /// The ids of the case's observations as held here (none if not held, or not a case).
    pub fn observation_ids(&self, id: &DocumentId) -> Vec<String> {
        self.docs
            .get(id)
            .and_then(|(doc, _)| casesync_contract::case::read_case(doc).ok())
            .map(|c| c.observations.iter().map(|o| o.id.0.clone()).collect())
            .unwrap_or_default()
    }

    pub fn heads(&mut self, id: &DocumentId) -> Vec<ChangeHash> {
        self.doc(id).get_heads()
    }

    fn server(&self) -> PeerId {
        self.server_peer
            .clone()
            .unwrap_or_else(|| PeerId::new("server"))
    }

    /// Reads and handles at most one frame (waits up to the read timeout).
    pub fn pump_once(&mut self) -> bool {
        let frame = match self.socket.read() {
            Ok(Message::Binary(bytes)) => {
                self.bytes_received += bytes.len();
                bytes
            }
            Ok(Message::Close(_)) => {
                self.closed = true;
                return false;
            }
            Ok(_) => return true,
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return false
            }
            Err(_) => {
                self.closed = true;
                return false;
            }
        };
        match protocol::decode(&frame) {
            Ok(RepoMessage::Peer { sender_id, .. }) => self.server_peer = Some(sender_id),
            Ok(RepoMessage::Sync {
                document_id, data, ..
            }) => {
                let (doc, state) = self.docs.entry(document_id).or_insert_with(|| {
                    (
                        AutoCommit::new().with_actor(ActorId::random()),
                        sync::State::new(),
                    )
                });
                let message = sync::Message::decode(&data).expect("server sync message");
                doc.sync()
                    .receive_sync_message(state, message)
                    .expect("apply server sync");
                let reply = doc.sync().generate_sync_message(state);
                if let Some(reply) = reply {
                    let frame = RepoMessage::Sync {
                        sender_id: self.peer_id.clone(),
                        target_id: self.server(),
                        document_id,
                        data: reply.encode(),
                    };
                    self.send(&frame);
                }
            }
            Ok(RepoMessage::DocUnavailable { document_id, .. }) => {
                self.unavailable.push(document_id)
            }
            Ok(RepoMessage::Error { message, .. }) => self.errors.push(message),
            Ok(_) => {}
            Err(e) => self
                .errors
                .push(format!("undecodable frame from server: {e}")),
        }
        true
    }

    /// Handles frames until none arrives for `quiet`, or `max` passes.
    pub fn pump(&mut self, quiet: Duration, max: Duration) {
        let start = Instant::now();
        let mut last = Instant::now();
        while start.elapsed() < max && !self.closed {
            if self.pump_once() {
                last = Instant::now();
            } else if last.elapsed() >= quiet {
                break;
            }
        }
    }

    /// Handles frames until `done` holds or `max` passes; returns whether it held.
    pub fn pump_until(&mut self, max: Duration, mut done: impl FnMut(&mut Self) -> bool) -> bool {
        let start = Instant::now();
        while start.elapsed() < max {
            if done(self) {
                return true;
            }
            if self.closed {
                return done(self);
            }
            self.pump_once();
        }
        done(self)
    }
}

/// The alert documents a caseload lists.
pub fn alert_documents(peer: &LivePeer, caseload: &DocumentId) -> Vec<DocumentId> {
    use automerge::{ReadDoc, ROOT};
    let Some((doc, _)) = peer.docs.get(caseload) else {
        return vec![];
    };
    let Ok(Some((_, docs))) = doc.get(ROOT, "documents") else {
        return vec![];
    };
    doc.keys(&docs)
        .filter(|k| {
            doc.get(&docs, k.as_str())
                .ok()
                .flatten()
                .and_then(|(_, entry)| doc.get(&entry, "kind").ok().flatten())
                .is_some_and(|(v, _)| v.as_str() == Some("alerts"))
        })
        .filter_map(|k| k.parse().ok())
        .collect()
}

/// The alerts an alert document holds here, as (kind, status).
pub fn alerts_in(peer: &LivePeer, id: &DocumentId) -> Vec<(String, String)> {
    use automerge::{ObjType, ReadDoc, Value, ROOT};
    let Some((doc, _)) = peer.docs.get(id) else {
        return vec![];
    };
    let Ok(Some((Value::Object(ObjType::Map), alerts))) = doc.get(ROOT, "alerts") else {
        return vec![];
    };
    doc.keys(&alerts)
        .filter_map(|key| {
            let (_, a) = doc.get(&alerts, key.as_str()).ok().flatten()?;
            let field = |k: &str| {
                doc.get(&a, k)
                    .ok()
                    .flatten()
                    .and_then(|(v, _)| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            };
            Some((field("kind"), field("status")))
        })
        .collect()
}

/// Whether the alert document holds an alert of `kind`.
pub fn holds_alert(peer: &LivePeer, id: &DocumentId, kind: &str) -> bool {
    alerts_in(peer, id).iter().any(|(k, _)| k == kind)
}
