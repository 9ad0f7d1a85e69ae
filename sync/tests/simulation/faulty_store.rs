//! Storage that fails on purpose. A real database fails in two ways the engine must survive:
//! an append that never happened (the connection dropped before the commit), and the nastier
//! one, an append that committed but whose acknowledgement was lost (the connection dropped
//! after the commit): the caller sees an error for a chunk that is durable.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use automerge::ActorId;
use casesync_contract::DocumentId;
use casesync_sync::memory::MemoryStore;
use casesync_sync::store::{ActorOwner, StoredChunk};
use casesync_sync::{
    ChangeReceipt, DeriveWork, DocumentMeta, DocumentStore, StoreError, WriteAudit,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// How often an append fails, each way.
#[derive(Debug, Clone, Copy)]
pub struct StoreFaults {
    /// The append does not happen and reports failure.
    pub lost: f64,
    /// The append commits and reports failure.
    pub committed_but_failed: f64,
}

/// What the faults did, for the run's summary and for checks that want to know a fault hit.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FaultCounts {
    pub lost: usize,
    pub committed_but_failed: usize,
}

/// [`MemoryStore`] with appends that fail. Its own generator, seeded from the run's seed,
/// keeps the run reproducible: the simulation is single-threaded, so the order of appends,
/// and so of draws, is the same for the same seed.
pub struct FaultyStore {
    inner: MemoryStore,
    faults: StoreFaults,
    /// Off while the case is created, and again once the network heals: the final sync
    /// must be able to finish.
    enabled: AtomicBool,
    rng: Mutex<StdRng>,
    counts: Mutex<FaultCounts>,
}

impl FaultyStore {
    pub fn new(seed: u64, faults: StoreFaults) -> Self {
        Self {
            inner: MemoryStore::new(),
            faults,
            enabled: AtomicBool::new(false),
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
            counts: Mutex::new(FaultCounts::default()),
        }
    }

    pub fn set_failing(&self, failing: bool) {
        self.enabled.store(failing, Ordering::SeqCst);
    }

    pub fn counts(&self) -> FaultCounts {
        *self.counts.lock().unwrap()
    }

    /// The store as the database holds it, without any engine in between.
    pub fn memory(&self) -> &MemoryStore {
        &self.inner
    }

    fn draw(&self) -> Option<Fault> {
        if !self.enabled.load(Ordering::SeqCst) {
            return None;
        }
        let roll: f64 = self.rng.lock().unwrap().random();
        let mut counts = self.counts.lock().unwrap();
        if roll < self.faults.lost {
            counts.lost += 1;
            Some(Fault::Lost)
        } else if roll < self.faults.lost + self.faults.committed_but_failed {
            counts.committed_but_failed += 1;
            Some(Fault::CommittedButFailed)
        } else {
            None
        }
    }
}

enum Fault {
    Lost,
    CommittedButFailed,
}

impl DocumentStore for FaultyStore {
    fn chunks_after(&self, doc: &DocumentId, after: i64) -> Result<Vec<StoredChunk>, StoreError> {
        self.inner.chunks_after(doc, after)
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
        match self.draw() {
            Some(Fault::Lost) => Err(StoreError::Backend("simulated: append lost".into())),
            Some(Fault::CommittedButFailed) => {
                self.inner
                    .append(doc, bytes, receipts, create, derive, audit)?;
                Err(StoreError::Backend(
                    "simulated: append committed, acknowledgement lost".into(),
                ))
            }
            None => self
                .inner
                .append(doc, bytes, receipts, create, derive, audit),
        }
    }

    fn compact(&self, doc: &DocumentId, snapshot: &[u8], up_to: i64) -> Result<(), StoreError> {
        self.inner.compact(doc, snapshot, up_to)
    }

    fn claim_actor(&self, actor: &ActorId, device: &str) -> Result<ActorOwner, StoreError> {
        self.inner.claim_actor(actor, device)
    }
}
