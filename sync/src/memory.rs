//! An in-memory [`DocumentStore`] for tests of the engine: no durability, same contract.

use std::collections::HashMap;
use std::sync::Mutex;

use automerge::ActorId;
use casesync_contract::DocumentId;

use crate::store::{
    ActorOwner, ChangeReceipt, ChunkKind, DeriveWork, DocumentMeta, DocumentStore, StoreError,
    StoredChunk, WriteAudit,
};

#[derive(Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    chunks: HashMap<DocumentId, Vec<StoredChunk>>,
    next_seq: HashMap<DocumentId, i64>,
    metas: HashMap<DocumentId, DocumentMeta>,
    receipts: HashMap<(DocumentId, automerge::ChangeHash), ChangeReceipt>,
    actors: HashMap<ActorId, String>,
    derives: HashMap<DocumentId, DeriveWork>,
    audited: Vec<(DocumentId, WriteAudit)>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn receipt(
        &self,
        doc: &DocumentId,
        change: &automerge::ChangeHash,
    ) -> Option<ChangeReceipt> {
        self.lock().ok()?.receipts.get(&(*doc, *change)).cloned()
    }

    /// The derive work recorded for `doc` and not taken yet.
    pub fn pending_derive(&self, doc: &DocumentId) -> Option<DeriveWork> {
        self.lock().ok()?.derives.get(doc).cloned()
    }

    /// Takes the derive work recorded for `doc`, as a worker would.
    pub fn take_derive(&self, doc: &DocumentId) -> Option<DeriveWork> {
        self.lock().ok()?.derives.remove(doc)
    }

    /// The audit of every append, in order.
    pub fn audited(&self) -> Vec<(DocumentId, WriteAudit)> {
        self.lock().map(|i| i.audited.clone()).unwrap_or_default()
    }

    pub fn meta(&self, doc: &DocumentId) -> Option<DocumentMeta> {
        self.lock().ok()?.metas.get(doc).cloned()
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Inner>, StoreError> {
        self.inner
            .lock()
            .map_err(|_| StoreError::Backend("memory store poisoned".into()))
    }
}

impl DocumentStore for MemoryStore {
    fn chunks_after(&self, doc: &DocumentId, after: i64) -> Result<Vec<StoredChunk>, StoreError> {
        let inner = self.lock()?;
        Ok(inner
            .chunks
            .get(doc)
            .map(|c| c.iter().filter(|c| c.seq > after).cloned().collect())
            .unwrap_or_default())
    }

    fn append(
        &self,
        doc: &DocumentId,
        bytes: &[u8],
        receipts: &[ChangeReceipt],
        create: Option<&DocumentMeta>,
        derive: Option<&DeriveWork>,
        audit: Option<&WriteAudit>,
    ) -> Result<i64, StoreError> {
        let mut inner = self.lock()?;
        if let Some(audit) = audit {
            inner.audited.push((*doc, audit.clone()));
        }
        if let Some(work) = derive {
            inner.derives.entry(*doc).or_default().merge(work);
        }
        if let Some(meta) = create {
            inner.metas.entry(*doc).or_insert_with(|| meta.clone());
        }
        let seq = {
            let next = inner.next_seq.entry(*doc).or_insert(0);
            *next += 1;
            *next
        };
        inner.chunks.entry(*doc).or_default().push(StoredChunk {
            seq,
            kind: ChunkKind::Incremental,
            bytes: bytes.to_vec(),
        });
        for r in receipts {
            inner
                .receipts
                .entry((*doc, r.change))
                .or_insert_with(|| r.clone());
        }
        Ok(seq)
    }

    fn compact(&self, doc: &DocumentId, snapshot: &[u8], up_to: i64) -> Result<(), StoreError> {
        let mut inner = self.lock()?;
        let chunks = inner.chunks.entry(*doc).or_default();
        chunks.retain(|c| c.seq > up_to);
        chunks.insert(
            0,
            StoredChunk {
                seq: up_to,
                kind: ChunkKind::Snapshot,
                bytes: snapshot.to_vec(),
            },
        );
        Ok(())
    }

    fn claim_actor(&self, actor: &ActorId, device: &str) -> Result<ActorOwner, StoreError> {
        let mut inner = self.lock()?;
        let owner = inner
            .actors
            .entry(actor.clone())
            .or_insert_with(|| device.to_string());
        Ok(if owner == device {
            ActorOwner::ThisDevice
        } else {
            ActorOwner::OtherDevice(owner.clone())
        })
    }
}
