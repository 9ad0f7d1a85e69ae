//! The server as the WebSocket session drives the engine (server/src/ws/documents.rs): a
//! frame's changes go through `Engine::receive` with the session's held changes, then one
//! `sync_step_holding` answers it; pushes after other devices' writes admit what became
//! ready first. Every call is checked against the engine's promises on the way (the
//! [`Ledger`]), so a broken promise fails at the step that broke it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use automerge::sync;
use automerge::{Automerge, Change, ChangeHash, ReadDoc};
use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;
use casesync_sync::chunks::changes_from_chunks;
use casesync_sync::{DocumentStore, Engine, EngineConfig, HeldChanges, Refusal, Writer};

use crate::faulty_store::FaultyStore;

/// What the server said, checked against what it stores.
#[derive(Default)]
pub struct Ledger {
    /// Heads the server reported as stored: `Admitted::heads`, and heads its sync messages
    /// announced. Their whole history must survive anything, restarts included.
    pub acknowledged: HashSet<ChangeHash>,
    /// Changes the server refused: never to be stored.
    pub refused: HashSet<ChangeHash>,
    /// Every change a device sent, to look up the dependencies of held ones.
    pub seen: HashMap<ChangeHash, Change>,
    pub admissions: usize,
    pub held_peak: usize,
    pub store_failures: usize,
}

/// What a frame or a push sends back to the device.
pub enum ToPhone {
    /// A refusal: the changes refused (the error frame of the WebSocket, or a batch reply's
    /// `refused_changes`).
    Refused(Vec<ChangeHash>),
    /// An encoded sync message.
    Sync(Vec<u8>),
}

/// One device's connection, as the server sees it.
pub struct Session {
    pub peer: sync::State,
    pub held: HeldChanges,
}

/// The session cannot go on: the server failed (a storage error) and closed the socket.
pub struct Closed;

pub struct Server {
    pub engine: Engine<FaultyStore>,
    pub store: Arc<FaultyStore>,
    pub id: DocumentId,
    pub sessions: BTreeMap<usize, Session>,
    /// Sync states saved when a session ends cleanly, as the server keeps them per device
    /// and storage id; they outlive a server restart.
    pub saved: BTreeMap<usize, Vec<u8>>,
    pub ledger: Ledger,
    /// The test's own reading of the database, to check the engine against.
    database: Database,
    now: i64,
}

/// The document as the database holds it, read without the engine, caught up chunk by
/// chunk (a whole load per check would cost more than the engine's work).
#[derive(Default)]
struct Database {
    doc: Automerge,
    seq: i64,
}

impl Database {
    fn read(&mut self, store: &FaultyStore, id: &DocumentId) -> &Automerge {
        for chunk in store.chunks_after(id, self.seq).unwrap() {
            // A snapshot written since holds all it replaced: loading it again is harmless.
            self.doc.load_incremental(&chunk.bytes).unwrap();
            self.seq = chunk.seq;
        }
        &self.doc
    }
}

impl Server {
    pub fn new(store: Arc<FaultyStore>, id: DocumentId) -> Self {
        Self {
            engine: Engine::new(store.clone(), config()),
            store,
            id,
            sessions: BTreeMap::new(),
            saved: BTreeMap::new(),
            ledger: Ledger::default(),
            database: Database::default(),
            now: 0,
        }
    }

    pub fn tick(&mut self, now: i64) {
        self.now = now;
    }

    /// A device connects: its session starts from the sync state saved for it, if any.
    pub fn open(&mut self, device: usize) {
        let peer = self
            .saved
            .get(&device)
            .map(|bytes| sync::State::decode(bytes).unwrap())
            .unwrap_or_default();
        let held = HeldChanges::default();
        self.sessions.insert(device, Session { peer, held });
    }

    /// The connection ended; `cleanly` when the server saves the session's state (not after
    /// a failure, whose state it drops with the document's entry).
    pub fn close(&mut self, device: usize, cleanly: bool) {
        if let Some(session) = self.sessions.remove(&device) {
            if cleanly {
                self.saved.insert(device, session.peer.encode());
            }
        }
    }

    /// The process dies and another starts over the same database: every session and
    /// everything in memory (documents, the refused-change memo) is gone.
    pub fn restart(&mut self) {
        self.sessions.clear();
        self.engine = Engine::new(self.store.clone(), config());
        let stored = stored_document(&self.store, &self.id);
        self.check_acknowledged_stored(&stored, "after a server restart");
    }

    /// A `sync` frame from `device`, as `sync_frame` handles it for a known case.
    pub fn frame(
        &mut self,
        device: usize,
        who: &Writer,
        bytes: &[u8],
    ) -> Result<Vec<ToPhone>, Closed> {
        let message = sync::Message::decode(bytes).unwrap();
        let mut out = Vec::new();
        let carries = !message.changes.is_empty();
        let held = self
            .sessions
            .get(&device)
            .map_or(0, |s| s.held.count(&self.id));
        if carries || held > 0 {
            let raw = changes_from_chunks(message.changes.iter()).unwrap();
            if let Some(refused) = self.receive(device, who, &raw)? {
                out.push(ToPhone::Refused(refused));
            }
        }
        let session = self.sessions.get_mut(&device).unwrap();
        let engine = &self.engine;
        let id = self.id;
        let reply = engine
            .sync_step_holding(&id, &mut session.peer, Some(message), &session.held)
            .map_err(|_| Closed)?
            .expect("the case exists");
        if let Some(reply) = reply {
            self.announced(&reply);
            out.push(ToPhone::Sync(reply.encode()));
        }
        Ok(out)
    }

    /// What the server sends a connected device after the case changed elsewhere
    /// (`ws::documents::push`): held changes that became ready are admitted first.
    pub fn push(&mut self, device: usize, who: &Writer) -> Result<Vec<ToPhone>, Closed> {
        let mut out = Vec::new();
        let held = self
            .sessions
            .get(&device)
            .map_or(0, |s| s.held.count(&self.id));
        if held > 0 {
            if let Some(refused) = self.receive(device, who, &[])? {
                out.push(ToPhone::Refused(refused));
            }
        }
        let Some(session) = self.sessions.get_mut(&device) else {
            return Ok(out);
        };
        let engine = &self.engine;
        let id = self.id;
        let reply = engine
            .sync_step_holding(&id, &mut session.peer, None, &session.held)
            .map_err(|_| Closed)?
            .expect("the case exists");
        if let Some(reply) = reply {
            self.announced(&reply);
            out.push(ToPhone::Sync(reply.encode()));
        }
        Ok(out)
    }

    /// `Engine::receive` for the session, checked. Returns the changes refused, if any.
    fn receive(
        &mut self,
        device: usize,
        who: &Writer,
        raw: &[Vec<u8>],
    ) -> Result<Option<Vec<ChangeHash>>, Closed> {
        let id = self.id;
        let session = self.sessions.get_mut(&device).unwrap();
        let incoming: Vec<Change> = raw
            .iter()
            .map(|bytes| Change::from_bytes(bytes.clone()).unwrap())
            .collect();
        for change in &incoming {
            self.ledger.seen.insert(change.hash(), change.clone());
        }
        let given: HashSet<ChangeHash> = session
            .held
            .hashes(&id)
            .into_iter()
            .chain(incoming.iter().map(Change::hash))
            .collect();
        let engine = &self.engine;
        let result = engine.receive(
            &id,
            DocumentKind::Case,
            who,
            raw,
            None,
            self.now,
            &mut session.held,
        );
        let held_now: Vec<ChangeHash> = session.held.hashes(&id);
        self.ledger.held_peak = self.ledger.held_peak.max(held_now.len());
        let stored = self.database.read(&self.store, &id);
        match result {
            Ok(received) => {
                if let Some(admitted) = &received.admitted {
                    self.ledger.admissions += 1;
                    for change in &admitted.added {
                        assert!(has(stored, change), "admitted {change} is not stored");
                    }
                    for head in &admitted.heads {
                        assert!(has(stored, head), "acknowledged head {head} is not stored");
                    }
                    self.ledger
                        .acknowledged
                        .extend(admitted.heads.iter().copied());
                }
                let refused = received.refused.map(|r| r.changes);
                for change in refused.iter().flatten() {
                    assert!(!has(stored, change), "refused {change} is stored");
                    self.ledger.refused.insert(*change);
                }
                nothing_held_is_ready(&self.ledger.seen, stored, &held_now);
                assert_eq!(
                    received.need.is_empty(),
                    held_now.is_empty(),
                    "held changes and what they wait for go together"
                );
                Ok(refused)
            }
            Err(Refusal::Store(_)) => {
                self.ledger.store_failures += 1;
                // A storage failure must not lose what the session was given: each change
                // of the call is stored (the append committed after all) or still held for
                // the next call. A lost one would never come again in this session: the
                // device's sync state records it as sent.
                for change in &given {
                    assert!(
                        has(stored, change) || held_now.contains(change),
                        "change {change} neither stored nor held after a storage failure"
                    );
                }
                Err(Closed)
            }
            Err(refusal) => {
                assert!(refusal.is_device_fault());
                Ok(Some(Vec::new()))
            }
        }
    }

    fn announced(&mut self, message: &sync::Message) {
        self.ledger
            .acknowledged
            .extend(message.heads.iter().copied());
    }

    /// Every head the server acknowledged is in `stored` (the database, read whole), with
    /// its history; no change it refused is.
    pub fn check_acknowledged_stored(&self, stored: &Automerge, when: &str) {
        for head in &self.ledger.acknowledged {
            assert!(has(stored, head), "acknowledged {head} lost {when}");
        }
        for change in &self.ledger.refused {
            assert!(!has(stored, change), "refused {change} stored {when}");
        }
    }
}

fn config() -> EngineConfig {
    EngineConfig {
        // Snapshots early, so that restarts also load from them.
        compact_after: 4,
        // The engine's clock is the wall clock: always ask storage, and never drop the
        // document for idleness, so that a replay does exactly what the run did.
        recheck_after: Duration::ZERO,
        idle_after: Duration::from_secs(24 * 3600),
        ..EngineConfig::default()
    }
}

/// The document as the database holds it, read without the engine.
pub fn stored_document(store: &FaultyStore, id: &DocumentId) -> Automerge {
    let mut doc = Automerge::new();
    for chunk in store.chunks_after(id, 0).unwrap() {
        doc.load_incremental(&chunk.bytes).unwrap();
    }
    doc
}

/// Held changes wait for a change nobody sent: one whose dependencies are all stored is
/// ready, and must have been admitted.
fn nothing_held_is_ready(
    seen: &HashMap<ChangeHash, Change>,
    stored: &Automerge,
    held: &[ChangeHash],
) {
    for hash in held {
        assert!(
            !seen[hash].deps().iter().all(|d| has(stored, d)),
            "held change {hash} has all its dependencies stored"
        );
    }
}

pub fn has(doc: &Automerge, hash: &ChangeHash) -> bool {
    doc.get_change_by_hash(hash).is_some()
}
