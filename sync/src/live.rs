//! A document as one server instance holds it in memory: the automerge state and how far
//! into the stored chunk series it has read.

use std::time::Instant;

use automerge::Automerge;
use casesync_contract::DocumentId;

use crate::contain::contain;
use crate::store::{ChunkKind, DocumentStore, StoreError};

pub struct LiveDocument {
    pub doc: Automerge,
    /// The last chunk of the stored series that `doc` includes.
    pub last_seq: i64,
    /// Incremental chunks stored since the last snapshot (drives compaction).
    pub increments: usize,
    pub last_used: Instant,
    /// When storage was last asked for newer chunks (`None`: never).
    pub checked: Option<Instant>,
}

impl LiveDocument {
    pub fn empty() -> Self {
        Self {
            doc: Automerge::new(),
            last_seq: 0,
            increments: 0,
            last_used: Instant::now(),
            checked: None,
        }
    }

    /// Reads the chunks other writers (or other instances) stored since we last looked.
    pub fn refresh<S: DocumentStore + ?Sized>(
        &mut self,
        store: &S,
        id: &DocumentId,
    ) -> Result<(), StoreError> {
        self.last_used = Instant::now();
        let chunks = store.chunks_after(id, self.last_seq)?;
        self.checked = Some(self.last_used);
        for chunk in chunks {
            let corrupt = |e: &dyn std::fmt::Display| {
                StoreError::Backend(format!(
                    "stored chunk {} of {id} is corrupt: {e}",
                    chunk.seq
                ))
            };
            match contain("a stored chunk", || self.doc.load_incremental(&chunk.bytes)) {
                Ok(loaded) => loaded.map_err(|e| corrupt(&e))?,
                Err(panic) => {
                    // Half-loaded: start again from storage next time.
                    *self = Self::empty();
                    return Err(corrupt(&panic));
                }
            };
            self.last_seq = chunk.seq;
            match chunk.kind {
                ChunkKind::Snapshot => self.increments = 0,
                ChunkKind::Incremental => self.increments += 1,
            }
        }
        Ok(())
    }

    /// Whether the document exists anywhere (has any history).
    pub fn exists(&self) -> bool {
        !self.doc.get_heads().is_empty()
    }
}
