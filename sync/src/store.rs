//! The storage the engine needs, defined here and implemented by the schema crate (SQLite,
//! PostgreSQL) and by [`crate::memory`] for tests.
//!
//! A document is stored as an append-only series of chunks numbered per document: incremental
//! chunks (the changes one admission added) and, after compaction, one snapshot that replaces
//! the chunks it covers. Several server instances may append to the same document: each
//! reloads the chunks numbered after the last one it has seen before it writes.

use std::collections::BTreeSet;

use automerge::{ActorId, Automerge, ChangeHash, Patch};
use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkKind {
    Snapshot,
    Incremental,
}

impl ChunkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Snapshot => "snapshot",
            Self::Incremental => "incremental",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredChunk {
    /// Position in the document's series, from 1.
    pub seq: i64,
    pub kind: ChunkKind,
    pub bytes: Vec<u8>,
}

/// Which device delivered a change, and when the server stored it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeReceipt {
    pub change: ChangeHash,
    pub device: String,
    pub received_at: i64,
}

/// What a document is and whom it belongs to; written with its first chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentMeta {
    pub kind: DocumentKind,
    pub organisation: String,
    pub site: Option<String>,
}

/// What the server has to derive from a document once an append is committed (the case
/// list's row, checklists, alerts...). The store records it in the same transaction as the
/// chunk, so a crash between the commit and the derivation loses nothing: the server's
/// workers drain these records afterwards, on whichever instance is alive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeriveWork {
    /// The root keys the changes wrote under, and `key.field` for the fields of root-list
    /// entries they wrote.
    pub touched: BTreeSet<String>,
    /// The document did not exist before: everything about it is new.
    pub created: bool,
}

impl DeriveWork {
    /// Work recorded separately for one document, as one.
    pub fn merge(&mut self, other: &DeriveWork) {
        self.created |= other.created;
        self.touched.extend(other.touched.iter().cloned());
    }
}

/// Who wrote an append, as the audit trail names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditActor {
    /// `device` (a device, or a page writing as its user's device) or `server`.
    pub kind: String,
    pub user: Option<String>,
    pub device: Option<String>,
    /// The writer's organisation.
    pub organisation: Option<String>,
}

/// One audit entry about an append: what was done (`case.written`...) and its detail (JSON
/// text: ids and hashes, never what the document says).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditNote {
    pub action: String,
    pub detail: String,
}

/// What the audit trail records of an append. The store writes it in the append's own
/// transaction, under the document's organisation: a write without its audit entry cannot
/// exist, and an audit entry that cannot be written fails the write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteAudit {
    pub actor: AuditActor,
    pub at: i64,
    pub notes: Vec<AuditNote>,
}

/// What an append adds, for the server's audit rule (`EngineConfig::audits`), which says
/// what the trail records of it.
pub struct AuditFacts<'a> {
    pub id: &'a DocumentId,
    pub kind: DocumentKind,
    /// The document with the new changes.
    pub doc: &'a Automerge,
    /// What the new changes did to it.
    pub patches: &'a [Patch],
    pub added: &'a [ChangeHash],
    pub created: bool,
    /// Who wrote it (a device, a person on the pages as `web:<user id>`, or the server).
    pub writer: &'a crate::Writer,
}

/// Who an actor id belongs to, once claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActorOwner {
    /// The actor belongs to the device asking (it may have just been bound to it).
    ThisDevice,
    OtherDevice(String),
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the document was written concurrently; retry")]
    Contention,
    #[error("storage failed: {0}")]
    Backend(String),
}

pub trait DocumentStore: Send + Sync {
    /// Chunks of `doc` numbered after `after`, in order. Empty for an unknown document.
    fn chunks_after(&self, doc: &DocumentId, after: i64) -> Result<Vec<StoredChunk>, StoreError>;

    /// Appends an incremental chunk with the receipts of the changes it holds, atomically,
    /// creating the document with `create` if it does not exist yet, and recording `derive`
    /// (merged with any derive work still pending for the document) and `audit` in the same
    /// transaction. Returns its number. When this returns, the chunk, its derive work and its
    /// audit entries are durable; when it fails, none of them is.
    fn append(
        &self,
        doc: &DocumentId,
        bytes: &[u8],
        receipts: &[ChangeReceipt],
        create: Option<&DocumentMeta>,
        derive: Option<&DeriveWork>,
        audit: Option<&WriteAudit>,
    ) -> Result<i64, StoreError>;

    /// Replaces the chunks numbered up to `up_to` by one snapshot holding all of them.
    fn compact(&self, doc: &DocumentId, snapshot: &[u8], up_to: i64) -> Result<(), StoreError>;

    /// Binds `actor` to `device` if no device has it yet, and says who owns it. Actor ids
    /// are chosen by the automerge library on the phone, so the first device to use one owns
    /// it; no other device can then author changes under it.
    fn claim_actor(&self, actor: &ActorId, device: &str) -> Result<ActorOwner, StoreError>;
}
