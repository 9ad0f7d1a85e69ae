//! One simulated device on its own WebSocket: the automerge-repo protocol v1 (the sync
//! crate's codec), one actor for all its documents, every byte counted at the TCP stream. The
//! same code talks to casesync and to the official Node sync server; only the URL and the
//! token differ.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use automerge::sync::{self, SyncDoc};
use automerge::{ActorId, AutoCommit, ChangeHash};
use casesync_contract::DocumentId;
use casesync_sync::history;
use casesync_sync::protocol::{self, PeerId, PeerMetadata, RepoMessage};
use tungstenite::{Message, WebSocket};

/// A TCP stream that counts what crosses it (WebSocket frames and the HTTP upgrade).
pub struct Counted {
    tcp: TcpStream,
    pub read: u64,
    pub written: u64,
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.tcp.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

impl Write for Counted {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.tcp.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.tcp.flush()
    }
}

pub struct Held {
    pub doc: AutoCommit,
    pub state: sync::State,
}

/// What one frame from the server was about.
#[derive(Debug, PartialEq, Eq)]
pub enum Heard {
    Nothing,
    Sync(DocumentId),
    Unavailable(DocumentId),
    Other,
}

/// A document, a change, the server's heads and ours.
type Asked = (DocumentId, ChangeHash, Vec<ChangeHash>, Vec<ChangeHash>);

pub struct BenchPeer {
    socket: WebSocket<Counted>,
    me: PeerId,
    server: PeerId,
    pub actor: ActorId,
    pub docs: HashMap<DocumentId, Held>,
    pub frames_in: u64,
    pub frames_out: u64,
    /// The last [`BenchPeer::acknowledged`] question answered no, with the heads it saw.
    not_acknowledged: Option<Asked>,
}

/// Where a simulated device connects: `ws://host:port/path`, with a device token or none.
#[derive(Clone)]
pub struct Endpoint {
    pub ws_url: String,
    pub token: Option<String>,
}

impl BenchPeer {
    /// Opens the socket, sends `join` and waits for `peer`. `actor` writes every change of
    /// this device (casesync binds an actor to the first device that uses it).
    pub fn connect(endpoint: &Endpoint, actor: ActorId) -> anyhow::Result<Self> {
        let url = endpoint.ws_url.trim_start_matches("ws://");
        let host = url.split('/').next().unwrap_or(url);
        let tcp = TcpStream::connect(host).with_context(|| format!("connect {host}"))?;
        tcp.set_nodelay(true)?;
        let mut request =
            tungstenite::client::IntoClientRequest::into_client_request(&endpoint.ws_url)?;
        if let Some(token) = &endpoint.token {
            request
                .headers_mut()
                .insert("authorization", format!("Bearer {token}").parse()?);
        }
        let stream = Counted {
            tcp,
            read: 0,
            written: 0,
        };
        // tungstenite zeroes its whole read buffer before every read, timed-out ones
        // included: 128 KiB (the default) per poll of 200 devices was a twentieth of their time.
        let config = tungstenite::protocol::WebSocketConfig::default().read_buffer_size(16 * 1024);
        let (socket, _) = tungstenite::client::client_with_config(request, stream, Some(config))
            .map_err(|e| anyhow!("handshake: {e}"))?;
        socket
            .get_ref()
            .tcp
            .set_read_timeout(Some(Duration::from_millis(100)))?;
        let mut peer = Self {
            socket,
            me: PeerId::new(format!("bench-{}", uuid::Uuid::new_v4())),
            server: PeerId::new("server"),
            actor,
            docs: HashMap::new(),
            frames_in: 0,
            frames_out: 0,
            not_acknowledged: None,
        };
        peer.join()?;
        Ok(peer)
    }

    fn join(&mut self) -> anyhow::Result<()> {
        self.send(&RepoMessage::Join {
            sender_id: self.me.clone(),
            supported_protocol_versions: Some(vec!["1".into()]),
            peer_metadata: PeerMetadata {
                storage_id: None,
                is_ephemeral: true,
            },
        })?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let Some(frame) = self.read_frame()? else {
                continue;
            };
            if let RepoMessage::Peer { sender_id, .. } = protocol::decode(&frame)? {
                self.server = sender_id;
                return Ok(());
            }
        }
        bail!("no peer message within 30 s")
    }

    /// Bytes (read, written) on this socket so far.
    pub fn bytes(&self) -> (u64, u64) {
        let s = self.socket.get_ref();
        (s.read, s.written)
    }

    fn send(&mut self, message: &RepoMessage) -> anyhow::Result<()> {
        self.socket
            .send(Message::Binary(protocol::encode(message).into()))
            .context("send frame")?;
        self.frames_out += 1;
        Ok(())
    }

    fn read_frame(&mut self) -> anyhow::Result<Option<Vec<u8>>> {
        match self.socket.read() {
            Ok(Message::Binary(bytes)) => {
                self.frames_in += 1;
                Ok(Some(bytes.to_vec()))
            }
            Ok(Message::Close(reason)) => bail!("server closed the socket: {reason:?}"),
            Ok(_) => Ok(None),
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(anyhow!("socket: {e}")),
        }
    }

    /// Holds a document this device made (a new case) and sends it.
    pub fn hold(&mut self, id: DocumentId, doc: AutoCommit) -> anyhow::Result<()> {
        self.docs.insert(
            id,
            Held {
                doc,
                state: sync::State::new(),
            },
        );
        self.sync(id, false)
    }

    /// Asks for a document this device lacks.
    pub fn request(&mut self, id: DocumentId) -> anyhow::Result<()> {
        self.docs.insert(
            id,
            Held {
                doc: AutoCommit::new().with_actor(self.actor.clone()),
                state: sync::State::new(),
            },
        );
        self.sync(id, true)
    }

    /// Sends what the server lacks of `id` (after a local edit, or to start).
    pub fn sync(&mut self, id: DocumentId, as_request: bool) -> anyhow::Result<()> {
        let held = self.docs.get_mut(&id).context("document held")?;
        let Some(message) = held.doc.sync().generate_sync_message(&mut held.state) else {
            return Ok(());
        };
        let (sender_id, target_id, data) = (self.me.clone(), self.server.clone(), message.encode());
        let frame = if as_request {
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
        self.send(&frame)
    }

    /// Reads and handles at most one frame (waits up to 100 ms for one).
    pub fn pump(&mut self) -> anyhow::Result<Heard> {
        let Some(frame) = self.read_frame()? else {
            return Ok(Heard::Nothing);
        };
        let message = protocol::decode(&frame)?;
        if std::env::var_os("BENCH_DEBUG").is_some() {
            eprintln!("{}: {message:?}", self.me);
        }
        match message {
            RepoMessage::Sync {
                document_id, data, ..
            } => {
                let actor = self.actor.clone();
                let held = self.docs.entry(document_id).or_insert_with(|| Held {
                    doc: AutoCommit::new().with_actor(actor),
                    state: sync::State::new(),
                });
                let message = sync::Message::decode(&data)?;
                held.doc
                    .sync()
                    .receive_sync_message(&mut held.state, message)?;
                self.sync(document_id, false)?;
                Ok(Heard::Sync(document_id))
            }
            RepoMessage::DocUnavailable { document_id, .. } => Ok(Heard::Unavailable(document_id)),
            RepoMessage::Error { message, .. } => bail!("server error: {message}"),
            _ => Ok(Heard::Other),
        }
    }

    /// Handles frames until `done` holds; fails after `max`.
    pub fn pump_until(
        &mut self,
        max: Duration,
        what: &str,
        mut done: impl FnMut(&mut Self) -> bool,
    ) -> anyhow::Result<()> {
        let deadline = Instant::now() + max;
        while !done(self) {
            if Instant::now() > deadline {
                bail!(
                    "timed out after {max:?} waiting for {what}: {}",
                    self.describe()
                );
            }
            self.pump()?;
        }
        Ok(())
    }

    /// Heads here and as last heard from the server, per document (for error messages).
    fn describe(&mut self) -> String {
        self.docs
            .iter_mut()
            .map(|(id, held)| {
                format!(
                    "{id}: here {:?}, server {:?}",
                    held.doc.get_heads(),
                    held.state.their_heads
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn heads(&mut self, id: &DocumentId) -> Vec<ChangeHash> {
        self.docs
            .get_mut(id)
            .map(|h| h.doc.get_heads())
            .unwrap_or_default()
    }

    /// Whether the server's last advertised heads include `change`, or a change built on it:
    /// for casesync, that the change is committed.
    pub fn acknowledged(&mut self, id: &DocumentId, change: &ChangeHash) -> bool {
        let Some(held) = self.docs.get_mut(id) else {
            return false;
        };
        let Some(theirs) = held.state.their_heads.as_ref() else {
            return false;
        };
        if theirs.contains(change) {
            return true;
        }
        // Asked after every frame while waiting: walk the history only when the server's
        // heads or ours moved since the last answer (the walk was a tenth of the devices'
        // time). Ours count too: the server's heads can arrive before the changes they name.
        let ours = held.doc.get_heads();
        let asked = (*id, *change, theirs.clone(), ours);
        if self.not_acknowledged.as_ref() == Some(&asked) {
            return false;
        }
        let reached = history::reaches(held.doc.document(), theirs, change);
        self.not_acknowledged = (!reached).then_some(asked);
        reached
    }

    /// Whether this device holds every change in `changes`.
    pub fn has_all<'a>(
        &mut self,
        id: &DocumentId,
        mut changes: impl Iterator<Item = &'a ChangeHash>,
    ) -> bool {
        let Some(held) = self.docs.get_mut(id) else {
            return false;
        };
        let doc = held.doc.document();
        changes.all(|h| history::contains(doc, h))
    }

    /// Takes over documents held on an earlier connection; sync starts afresh.
    pub fn adopt(&mut self, docs: HashMap<DocumentId, Held>) -> anyhow::Result<()> {
        for (id, held) in docs {
            self.docs.insert(
                id,
                Held {
                    doc: held.doc,
                    state: sync::State::new(),
                },
            );
            self.sync(id, false)?;
        }
        Ok(())
    }

    /// Says goodbye and closes the socket; returns the documents held.
    pub fn close(mut self) -> HashMap<DocumentId, Held> {
        let _ = self.send(&RepoMessage::Leave {
            sender_id: self.me.clone(),
        });
        let _ = self.socket.close(None);
        // Wait for the server's close frame, so that it sees a clean close.
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            match self.socket.read() {
                Ok(Message::Close(_)) => break,
                Ok(_) => {}
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => break,
            }
        }
        std::mem::take(&mut self.docs)
    }
}
