//! The engine: admits devices' changes into documents, stores them, and answers what a peer
//! lacks. It keeps recently used documents in memory and drops idle ones; the store is the
//! truth, so any instance can serve any document.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use automerge::sync::{self, SyncDoc};
use automerge::{Automerge, Change, ChangeHash, Patch, PatchLog, ReadDoc};
use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;

use crate::admission::{check_alerts, check_case, Refusal, Writer};

mod cache;
mod incoming;
mod touched;
use crate::live::LiveDocument;
use crate::store::{
    ActorOwner, ChangeReceipt, DeriveWork, DocumentMeta, DocumentStore, StoreError,
};
use cache::Handle;
use incoming::{check_dependencies, new_changes, parse_changes};
use touched::touched_root_keys;

#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Write a snapshot after this many incremental chunks.
    pub compact_after: usize,
    /// Drop a document from memory after this long unused.
    pub idle_after: Duration,
    /// How long live sync may trust a document in memory without asking storage for chunks
    /// other instances wrote. Their notifications mark it stale at once
    /// ([`Engine::mark_stale`]); this bounds how late a lost notification is noticed.
    /// Admission and [`Engine::read`] always ask.
    pub recheck_after: Duration,
    /// Whether an append of a document of this kind, with this work, leaves something for the
    /// server to derive: only then is derive work recorded with the chunk.
    pub derives: fn(DocumentKind, &DeriveWork) -> bool,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            compact_after: 64,
            idle_after: Duration::from_secs(120),
            recheck_after: Duration::from_secs(1),
            derives: |_, _| true,
        }
    }
}

/// What an admission did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admitted {
    pub heads_before: Vec<ChangeHash>,
    /// Heads after the commit: acknowledging these acknowledges the device's changes.
    pub heads: Vec<ChangeHash>,
    /// Changes that were new to the server, now durable.
    pub added: Vec<ChangeHash>,
    pub created: bool,
    pub compaction_due: bool,
    /// The root keys the new changes wrote under (every root key of a new document), and
    /// `key.field` for the fields of root-list entries they wrote: what the server derives
    /// from a case need only be recomputed when its inputs changed.
    pub touched: BTreeSet<String>,
    pub kind: DocumentKind,
}

pub struct Engine<S: DocumentStore + ?Sized> {
    store: Arc<S>,
    docs: Mutex<HashMap<DocumentId, Handle>>,
    config: EngineConfig,
}

impl<S: DocumentStore + ?Sized> Engine<S> {
    pub fn new(store: Arc<S>, config: EngineConfig) -> Self {
        Self {
            store,
            docs: Mutex::new(HashMap::new()),
            config,
        }
    }

    pub fn store(&self) -> &Arc<S> {
        &self.store
    }

    /// Reads a document as currently stored; `None` if it has no history anywhere.
    pub fn read<R>(
        &self,
        id: &DocumentId,
        f: impl FnOnce(&Automerge) -> R,
    ) -> Result<Option<R>, StoreError> {
        let handle = self.handle(id)?;
        let mut live = lock(&handle)?;
        live.refresh(&*self.store, id)?;
        if !live.exists() {
            drop(live);
            self.forget_if_empty(id);
            return Ok(None);
        }
        Ok(Some(f(&live.doc)))
    }

    /// Like [`Engine::read`], but a document not in memory is read from storage and dropped
    /// afterwards: for sweeps over every document (deadlines, retention), which would
    /// otherwise pull them all into memory at every pass.
    pub fn peek<R>(
        &self,
        id: &DocumentId,
        f: impl FnOnce(&Automerge) -> R,
    ) -> Result<Option<R>, StoreError> {
        let loaded = self
            .docs
            .lock()
            .map_err(|_| StoreError::Backend("document cache poisoned".into()))?
            .get(id)
            .cloned();
        if loaded.is_some() {
            return self.read(id, f);
        }
        let mut passing = LiveDocument::empty();
        passing.refresh(&*self.store, id)?;
        Ok(passing.exists().then(|| f(&passing.doc)))
    }

    /// Admits `raw` changes from `writer` into document `id` of `kind`. Nothing is stored
    /// unless every check passes; on success the changes are durable when this returns.
    pub fn admit(
        &self,
        id: &DocumentId,
        kind: DocumentKind,
        writer: &Writer,
        raw: &[Vec<u8>],
        create: Option<&DocumentMeta>,
        now: i64,
    ) -> Result<Admitted, Refusal> {
        let changes = parse_changes(raw)?;
        let handle = self.handle(id)?;
        let mut live = lock(&handle)?;
        live.refresh(&*self.store, id)?;
        let heads_before = live.doc.get_heads();
        let new = new_changes(&live.doc, changes);
        if new.is_empty() {
            return Ok(Admitted {
                heads: heads_before.clone(),
                heads_before,
                added: vec![],
                created: false,
                compaction_due: false,
                touched: BTreeSet::new(),
                kind,
            });
        }
        check_dependencies(&live.doc, &new)?;
        self.check_authors(&new, writer)?;
        let created = !live.exists();
        if created && create.is_none() {
            return Err(Refusal::WrongIdentity(format!(
                "document {id} does not exist"
            )));
        }
        let added: Vec<ChangeHash> = new.iter().map(Change::hash).collect();
        // Apply in one batch: one by one is orders of magnitude slower on long histories.
        // Logging what the changes did to the document: admission reads that instead of
        // diffing the whole document, which costs as much as the case's history.
        let mut changed = PatchLog::active();
        if let Err(e) = live.doc.apply_changes_log_patches(new, &mut changed) {
            self.reload(&mut live, id)?;
            return Err(Refusal::InvalidChanges(e.to_string()));
        }
        let patches = live.doc.make_patches(&mut changed);
        let checked = self.check_kind(&live.doc, id, kind, &heads_before, writer, &patches);
        if let Err(refusal) = checked {
            self.reload(&mut live, id)?;
            return Err(refusal);
        }
        let touched = if created {
            live.doc.keys(automerge::ROOT).collect()
        } else {
            touched_root_keys(&patches)
        };
        let bytes = live.doc.save_after(&heads_before);
        let receipts: Vec<ChangeReceipt> = added
            .iter()
            .map(|change| ChangeReceipt {
                change: *change,
                device: writer.device.clone(),
                received_at: now,
            })
            .collect();
        let work = DeriveWork {
            touched: touched.clone(),
            created,
        };
        let derive = (self.config.derives)(kind, &work).then_some(&work);
        let seq = match self
            .store
            .append(id, &bytes, &receipts, create.filter(|_| created), derive)
        {
            Ok(seq) => seq,
            Err(e) => {
                self.reload(&mut live, id)?;
                return Err(Refusal::Store(e));
            }
        };
        // A gap means another instance wrote in between: the next refresh reads its chunk
        // (and ours again, harmlessly) before anything else happens to this document.
        if seq == live.last_seq + 1 {
            live.last_seq = seq;
            live.increments += 1;
        }
        Ok(Admitted {
            heads_before,
            heads: live.doc.get_heads(),
            added,
            created,
            compaction_due: live.increments >= self.config.compact_after,
            touched,
            kind,
        })
    }

    /// The changes a peer with heads `have` lacks, the server's heads, and whether some of
    /// `have` is unknown here (the peer holds changes the server has not received).
    pub fn changes_for(
        &self,
        id: &DocumentId,
        have: &[ChangeHash],
    ) -> Result<Option<MissingChanges>, StoreError> {
        self.read(id, |doc| {
            let known = crate::history::known(doc, have);
            MissingChanges {
                changes: doc
                    .get_changes(&known)
                    .into_iter()
                    .map(|c| c.raw_bytes().to_vec())
                    .collect(),
                heads: doc.get_heads(),
                peer_ahead: known.len() < have.len(),
            }
        })
    }

    /// One step of the automerge sync protocol with a peer whose changes (if any) were
    /// already admitted: updates the peer's sync state from `incoming` (its changes stripped:
    /// nothing enters the document here) and returns the next message for the peer, if any.
    /// `None` overall when the document does not exist.
    pub fn sync_step(
        &self,
        id: &DocumentId,
        peer: &mut sync::State,
        incoming: Option<sync::Message>,
    ) -> Result<Option<Option<sync::Message>>, StoreError> {
        let handle = self.handle(id)?;
        let mut live = lock(&handle)?;
        // Pushes to every connected device follow each change: asking storage for every one
        // of them would cost a query per device per change, under the document's lock.
        let due = live
            .checked
            .is_none_or(|at| at.elapsed() >= self.config.recheck_after);
        if handle.stale.swap(false, Ordering::AcqRel) || due {
            live.refresh(&*self.store, id)?;
        } else {
            live.last_used = std::time::Instant::now();
        }
        if !live.exists() {
            drop(live);
            self.forget_if_empty(id);
            return Ok(None);
        }
        if let Some(mut message) = incoming {
            let carried_changes = !message.changes.is_empty();
            let announced = peer.last_sent_heads.clone();
            message.changes = sync::ChunkList::empty();
            live.doc
                .receive_sync_message(peer, message)
                .map_err(|e| StoreError::Backend(format!("sync state update failed: {e}")))?;
            if carried_changes {
                // Admitted already, the peer's changes make its heads equal ours, and automerge
                // then takes them for heads we announced and stays silent: the peer would never
                // hear that its changes are stored. Had automerge applied them itself, it would
                // answer with its new heads, the acknowledgement; so must we.
                peer.last_sent_heads = announced;
            }
        }
        Ok(Some(live.doc.generate_sync_message(peer)))
    }

    /// Writes a snapshot of the document and drops the chunks it covers.
    pub fn compact(&self, id: &DocumentId) -> Result<(), StoreError> {
        let handle = self.handle(id)?;
        let mut live = lock(&handle)?;
        live.refresh(&*self.store, id)?;
        if live.increments < 2 {
            return Ok(());
        }
        let snapshot = live.doc.save();
        self.store.compact(id, &snapshot, live.last_seq)?;
        live.increments = 0;
        Ok(())
    }

    /// Throws away a document whose in-memory state took changes that were then refused.
    fn reload(&self, live: &mut LiveDocument, id: &DocumentId) -> Result<(), StoreError> {
        *live = LiveDocument::empty();
        live.refresh(&*self.store, id)
    }

    fn check_authors(&self, new: &[Change], writer: &Writer) -> Result<(), Refusal> {
        let actors: HashSet<_> = new.iter().map(|c| c.actor_id().clone()).collect();
        for actor in actors {
            if let ActorOwner::OtherDevice(_) = self.store.claim_actor(&actor, &writer.device)? {
                return Err(Refusal::ForgedChange {
                    actor: actor.to_hex_string(),
                });
            }
        }
        Ok(())
    }

    fn check_kind(
        &self,
        doc: &Automerge,
        id: &DocumentId,
        kind: DocumentKind,
        before: &[ChangeHash],
        writer: &Writer,
        patches: &[Patch],
    ) -> Result<(), Refusal> {
        match kind {
            DocumentKind::Case => check_case(doc, id, before, writer, patches),
            DocumentKind::Alerts => check_alerts(doc, before, writer),
            // Caseloads are server-authored only.
            DocumentKind::Caseload if writer.role.is_none() => Ok(()),
            DocumentKind::Caseload => {
                Err(Refusal::Denied(casesync_contract::permissions::Denial {
                    rule: "server_authored_document",
                    role: writer.role.unwrap_or(casesync_contract::Role::Auditor),
                    zone: casesync_contract::permissions::Zone::Identity,
                    operation: casesync_contract::permissions::Operation::Edit,
                    path: kind.as_str().to_string(),
                }))
            }
        }
    }
}

/// What a peer lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingChanges {
    pub changes: Vec<Vec<u8>>,
    pub heads: Vec<ChangeHash>,
    pub peer_ahead: bool,
}

fn lock(handle: &Handle) -> Result<MutexGuard<'_, LiveDocument>, StoreError> {
    handle
        .live
        .lock()
        .map_err(|_| StoreError::Backend("document lock poisoned".into()))
}
