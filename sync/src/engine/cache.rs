//! The documents an instance holds in memory: loaded on first use, marked stale when another
//! instance changed them, dropped when idle or erased.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use casesync_contract::DocumentId;

use super::Engine;
use crate::live::LiveDocument;
use crate::store::{DocumentStore, StoreError};

/// A document in memory, and whether another instance told us it changed.
pub(super) struct Slot {
    pub(super) live: Mutex<LiveDocument>,
    pub(super) stale: AtomicBool,
}

pub(super) type Handle = Arc<Slot>;

impl<S: DocumentStore + ?Sized> Engine<S> {
    /// Drops documents unused for longer than the configured idle time. Returns how many.
    pub fn evict_idle(&self) -> usize {
        let Ok(mut docs) = self.docs.lock() else {
            return 0;
        };
        let before = docs.len();
        let idle = self.config.idle_after;
        docs.retain(|_, handle| match handle.live.try_lock() {
            Ok(live) => live.last_used.elapsed() < idle,
            Err(_) => true, // in use right now
        });
        before - docs.len()
    }

    /// Drops a document from memory at once, used or not: it was erased, and nothing of it
    /// may stay readable here.
    pub fn forget(&self, id: &DocumentId) {
        if let Ok(mut docs) = self.docs.lock() {
            docs.remove(id);
        }
    }

    /// Another instance stored changes to this document: the next live sync step reads them.
    pub fn mark_stale(&self, id: &DocumentId) {
        if let Ok(docs) = self.docs.lock() {
            if let Some(slot) = docs.get(id) {
                slot.stale.store(true, Ordering::Release);
            }
        }
    }

    /// Notifications from other instances may have been missed (the connection that brings
    /// them was lost): every document in memory is read again before its next sync step.
    pub fn mark_all_stale(&self) {
        if let Ok(docs) = self.docs.lock() {
            for slot in docs.values() {
                slot.stale.store(true, Ordering::Release);
            }
        }
    }

    /// Where each document in memory stands in its stored series (its last chunk read).
    /// Left out: documents in use at this moment (their current step reads storage) and those
    /// already marked stale (whoever marked them told the sessions).
    pub fn positions(&self) -> Vec<(DocumentId, i64)> {
        let handles: Vec<(DocumentId, Handle)> = match self.docs.lock() {
            Ok(docs) => docs.iter().map(|(id, h)| (*id, h.clone())).collect(),
            Err(_) => return Vec::new(),
        };
        handles
            .into_iter()
            .filter(|(_, handle)| !handle.stale.load(Ordering::Acquire))
            .filter_map(|(id, handle)| {
                let live = handle.live.try_lock().ok()?;
                live.exists().then_some((id, live.last_seq))
            })
            .collect()
    }

    /// How many documents are in memory.
    pub fn loaded(&self) -> usize {
        self.docs.lock().map(|d| d.len()).unwrap_or(0)
    }

    pub(super) fn handle(&self, id: &DocumentId) -> Result<Handle, StoreError> {
        let mut docs = self
            .docs
            .lock()
            .map_err(|_| StoreError::Backend("document cache poisoned".into()))?;
        Ok(docs
            .entry(*id)
            .or_insert_with(|| {
                Arc::new(Slot {
                    live: Mutex::new(LiveDocument::empty()),
                    stale: AtomicBool::new(false),
                })
            })
            .clone())
    }

    pub(super) fn forget_if_empty(&self, id: &DocumentId) {
        if let Ok(mut docs) = self.docs.lock() {
            let empty = docs
                .get(id)
                .and_then(|h| h.live.try_lock().ok().map(|l| !l.exists()))
                .unwrap_or(false);
            if empty {
                docs.remove(id);
            }
        }
    }
}
