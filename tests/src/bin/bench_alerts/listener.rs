//! The listening phones: one OS thread and one WebSocket each (the tests' automerge-repo
//! peer), holding the centre's alert document. A thread sleeps in a blocking read until a
//! frame arrives, applies it, answers like any automerge-repo peer, and notes the instant a
//! new `missing` alert entry is in its copy. Reads time out every half second only so that
//! the thread can notice the end of the run.
//!
//! `silent` listeners apply what the server sends but never answer once set up: no reply
//! reaches the server, so a round measures the push path alone, without the work each
//! phone's answer causes there (sync state, delivery records).

use std::collections::HashSet;
use std::io::ErrorKind;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use automerge::sync::{self, SyncDoc};
use automerge::{ObjType, ReadDoc, Value, ROOT};
use casesync_contract::DocumentId;
use casesync_sync::protocol::{self, PeerMetadata, RepoMessage};
use casesync_tests::live::{connect, LivePeer};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::Message;

use crate::fleet::Phone;

/// A missing alert for `case_id` is in one listener's copy since `at`.
pub struct Arrival {
    pub case_id: String,
    pub at: Instant,
}

pub struct Listeners {
    handles: Vec<JoinHandle<anyhow::Result<()>>>,
    stop: Arc<AtomicBool>,
    pub arrivals: Receiver<Arrival>,
    /// Listeners that joined and hold the alert document.
    pub ready: usize,
    pub failures: Vec<String>,
}

/// Connects the phones `wave` at a time (each wave joined and synced before the next), so
/// that the set-up does not look like a reconnect storm.
pub fn start(
    base_url: &str,
    phones: &[Phone],
    alert_doc: DocumentId,
    wave: usize,
    silent: bool,
) -> anyhow::Result<Listeners> {
    let stop = Arc::new(AtomicBool::new(false));
    let (arrived, arrivals) = channel();
    let (set_up, ready_rx) = channel::<Result<(), String>>();
    let mut listeners = Listeners {
        handles: Vec::with_capacity(phones.len()),
        stop,
        arrivals,
        ready: 0,
        failures: vec![],
    };
    for chunk in phones.chunks(wave.max(1)) {
        for phone in chunk {
            let (base_url, token) = (base_url.to_string(), phone.token.clone());
            let (arrived, set_up, stop) = (arrived.clone(), set_up.clone(), listeners.stop.clone());
            let handle = std::thread::Builder::new()
                .stack_size(1024 * 1024)
                .spawn(move || listen(&base_url, &token, alert_doc, silent, arrived, set_up, stop))
                .context("spawn a listener thread")?;
            listeners.handles.push(handle);
        }
        for _ in chunk {
            match ready_rx.recv_timeout(Duration::from_secs(120)) {
                Ok(Ok(())) => listeners.ready += 1,
                Ok(Err(e)) => listeners.failures.push(e),
                Err(RecvTimeoutError::Timeout) => bail!("listeners did not set up within 120 s"),
                Err(RecvTimeoutError::Disconnected) => bail!("listener threads are gone"),
            }
        }
    }
    Ok(listeners)
}

impl Listeners {
    /// Tells every thread to close its socket and waits for them; returns the errors seen.
    pub fn stop(mut self) -> Vec<String> {
        self.stop.store(true, Ordering::Relaxed);
        for handle in self.handles.drain(..) {
            match handle.join() {
                Ok(Ok(())) => {}
                Ok(Err(e)) => self.failures.push(format!("{e:#}")),
                Err(_) => self.failures.push("a listener thread panicked".into()),
            }
        }
        self.failures
    }
}

fn listen(
    base_url: &str,
    token: &str,
    alert_doc: DocumentId,
    silent: bool,
    arrived: Sender<Arrival>,
    set_up: Sender<Result<(), String>>,
    stop: Arc<AtomicBool>,
) -> anyhow::Result<()> {
    let (mut peer, mut seen) = match join_and_hold(base_url, token, alert_doc) {
        Ok(ready) => {
            let _ = set_up.send(Ok(()));
            ready
        }
        Err(e) => {
            let _ = set_up.send(Err(format!("{e:#}")));
            return Err(e);
        }
    };
    while !stop.load(Ordering::Relaxed) {
        let handled = if silent {
            receive_without_answer(&mut peer)
        } else {
            peer.pump_once()
        };
        if !handled {
            if peer.closed {
                bail!("the server closed the socket: {:?}", peer.errors);
            }
            continue;
        }
        let at = Instant::now();
        for case_id in new_missing_alerts(&peer, &alert_doc, &mut seen) {
            let _ = arrived.send(Arrival { case_id, at });
        }
    }
    let _ = peer.socket.close(None);
    let _ = peer.socket.flush();
    Ok(())
}

/// Joins, asks for the alert document and waits until it holds its alerts so far (the
/// warm-up alert), which are then not new.
fn join_and_hold(
    base_url: &str,
    token: &str,
    alert_doc: DocumentId,
) -> anyhow::Result<(LivePeer, HashSet<String>)> {
    let mut peer = connect(base_url, token, false)?;
    if let MaybeTlsStream::Plain(tcp) = peer.socket.get_ref() {
        tcp.set_read_timeout(Some(Duration::from_millis(500)))?;
    }
    peer.send(&RepoMessage::Join {
        sender_id: peer.peer_id.clone(),
        supported_protocol_versions: Some(vec!["1".into()]),
        peer_metadata: PeerMetadata {
            storage_id: None,
            is_ephemeral: true,
        },
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    while peer.server_peer.is_none() {
        if peer.closed || Instant::now() > deadline {
            bail!("no answer to join: {:?}", peer.errors);
        }
        peer.pump_once();
    }
    peer.open(alert_doc);
    let mut seen = HashSet::new();
    loop {
        new_missing_alerts(&peer, &alert_doc, &mut seen);
        if !seen.is_empty() {
            break;
        }
        if peer.closed || peer.unavailable.contains(&alert_doc) || Instant::now() > deadline {
            bail!("the alert document did not arrive: {:?}", peer.errors);
        }
        peer.pump_once();
    }
    Ok((peer, seen))
}

/// Case ids of `missing` alert entries not in `seen`; every entry seen is added to it.
fn new_missing_alerts(
    peer: &LivePeer,
    alert_doc: &DocumentId,
    seen: &mut HashSet<String>,
) -> Vec<String> {
    let Some((doc, _)) = peer.docs.get(alert_doc) else {
        return vec![];
    };
    let Ok(Some((Value::Object(ObjType::Map), alerts))) = doc.get(ROOT, "alerts") else {
        return vec![];
    };
    let mut found = vec![];
    for key in doc.keys(&alerts) {
        if seen.contains(&key) {
            continue;
        }
        let Ok(Some((_, entry))) = doc.get(&alerts, key.as_str()) else {
            continue;
        };
        let field = |name: &str| {
            doc.get(&entry, name)
                .ok()
                .flatten()
                .and_then(|(v, _)| v.as_str().map(str::to_string))
        };
        if field("kind").as_deref() == Some("missing") {
            found.extend(field("case_id"));
        }
        seen.insert(key);
    }
    found
}

/// Reads one frame and applies a sync message without sending the answer; `false` when no
/// frame came within the read timeout or the socket is gone.
fn receive_without_answer(peer: &mut LivePeer) -> bool {
    let frame = match peer.socket.read() {
        Ok(Message::Binary(bytes)) => bytes,
        Ok(Message::Close(_)) => {
            peer.closed = true;
            return false;
        }
        Ok(_) => return true,
        Err(tungstenite::Error::Io(e))
            if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
        {
            return false
        }
        Err(_) => {
            peer.closed = true;
            return false;
        }
    };
    if let Ok(RepoMessage::Sync {
        document_id, data, ..
    }) = protocol::decode(&frame)
    {
        if let (Some((doc, state)), Ok(message)) = (
            peer.docs.get_mut(&document_id),
            sync::Message::decode(&data),
        ) {
            if let Err(e) = doc.sync().receive_sync_message(state, message) {
                peer.errors.push(format!("apply server sync: {e}"));
            }
        }
    }
    true
}
