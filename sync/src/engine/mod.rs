//! The engine: admits devices' changes into documents, stores them, and answers what a peer
//! lacks. It keeps recently used documents in memory and drops idle ones; the store is the
//! truth, so any instance can serve any document.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use automerge::{ActorId, Automerge, Change, ChangeHash, Patch, PatchLog};
use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;

use crate::admission::{check_alerts, check_case, check_view, Refusal, Writer};

mod cache;
mod commit;
mod held;
mod incoming;
mod receive;
mod refused;
mod sync_step;
mod touched;
mod triage;
use crate::live::LiveDocument;
use crate::store::{
    ActorOwner, AuditFacts, AuditNote, DeriveWork, DocumentMeta, DocumentStore, StoreError,
};
use cache::Handle;
use commit::{nothing_new, Push};
pub use held::{HeldChanges, HoldLimits};
use incoming::{check_dependencies, new_changes, parse_changes};
pub use receive::Received;
use refused::RefusedChanges;
pub use refused::Rejected;

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
    /// How many refused changes (per document and device) the engine remembers, so that a
    /// device sending one again is answered without admitting it again.
    pub remembered_refusals: usize,
    /// Whether an append of a document of this kind, with this work, leaves something for the
    /// server to derive: only then is derive work recorded with the chunk.
    pub derives: fn(DocumentKind, &DeriveWork) -> bool,
    /// What the audit trail records of an append (nothing: no entry). The store writes it in
    /// the append's transaction.
    pub audits: fn(&AuditFacts<'_>) -> Vec<AuditNote>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            compact_after: 64,
            idle_after: Duration::from_secs(120),
            recheck_after: Duration::from_secs(1),
            remembered_refusals: 10_000,
            derives: |_, _| true,
            audits: |_| vec![],
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
    refused: Mutex<RefusedChanges>,
    config: EngineConfig,
}

impl<S: DocumentStore + ?Sized> Engine<S> {
    pub fn new(store: Arc<S>, config: EngineConfig) -> Self {
        Self {
            store,
            docs: Mutex::new(HashMap::new()),
            refused: Mutex::new(RefusedChanges::new(config.remembered_refusals)),
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
    /// For devices' changes, [`Engine::receive`] refuses only the changes at fault and holds
    /// those that arrive before their dependencies.
    pub fn admit(
        &self,
        id: &DocumentId,
        kind: DocumentKind,
        writer: &Writer,
        raw: &[Vec<u8>],
        create: Option<&DocumentMeta>,
        now: i64,
    ) -> Result<Admitted, Refusal> {
        let push = Push {
            id,
            kind,
            writer,
            create,
            now,
        };
        let changes = parse_changes(raw)?;
        let handle = self.handle(id)?;
        let mut live = lock(&handle)?;
        live.refresh(&*self.store, id)?;
        let heads_before = live.doc.get_heads();
        let new = new_changes(&live.doc, changes);
        if new.is_empty() {
            return Ok(nothing_new(&live.doc, kind));
        }
        check_dependencies(&live.doc, &new)?;
        self.check_authors(&new, writer)?;
        if !live.exists() && create.is_none() {
            return Err(Refusal::WrongIdentity(format!(
                "document {id} does not exist"
            )));
        }
        let added: Vec<ChangeHash> = new.iter().map(Change::hash).collect();
        let mut log = PatchLog::active();
        let patches = match self.apply_and_check(push, &mut live.doc, &mut log, &heads_before, new)
        {
            Ok(patches) => patches,
            Err(refusal) => {
                self.reload(&mut live, id)?;
                return Err(refusal);
            }
        };
        self.store_admitted(push, &mut live, heads_before, added, &patches)
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
        match self.forged_actors(new, writer)?.into_iter().next() {
            Some(actor) => Err(Refusal::ForgedChange {
                actor: actor.to_hex_string(),
            }),
            None => Ok(()),
        }
    }

    /// The actors of `new` that belong to another device. Unclaimed ones are bound to the
    /// writer's device on the way.
    fn forged_actors(
        &self,
        new: &[Change],
        writer: &Writer,
    ) -> Result<HashSet<ActorId>, StoreError> {
        let actors: HashSet<&ActorId> = new.iter().map(Change::actor_id).collect();
        let mut forged = HashSet::new();
        for actor in actors {
            if let ActorOwner::OtherDevice(_) = self.store.claim_actor(actor, &writer.device)? {
                forged.insert(actor.clone());
            }
        }
        Ok(forged)
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
            DocumentKind::SharedView => check_view(doc, before, writer),
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
