//! The instance's book of scheduled runs: which documents have work queued or running, and
//! the tickets callers wait on. The outbox says what to do; the book only says when a
//! caller's consequences are in.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard};

use casesync_contract::DocumentId;

/// A scheduled run: [`Book::wait`] returns once a run that started after it was scheduled
/// has finished.
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    id: DocumentId,
    generation: u64,
}

/// A document with work scheduled or running.
struct Pending {
    /// Work arrived since the last run started.
    queued: bool,
    running: bool,
    /// Found in the outbox by a sweep: the devices holding it were never told it changed.
    recovered: bool,
    /// The newest ticket handed out for this document.
    latest: u64,
    /// Every ticket up to this one is done.
    finished: u64,
}

#[derive(Default)]
struct Entries {
    /// Tickets are numbered across documents, so that a document's entry can be dropped when
    /// idle: a ticket older than a fresh entry's start was finished before it.
    issued: u64,
    pending: HashMap<DocumentId, Pending>,
}

/// One run to do: up to which ticket it covers, and whether it recovers lost work.
pub struct Run {
    pub generation: u64,
    pub recovered: bool,
}

#[derive(Default)]
pub struct Book {
    entries: Mutex<Entries>,
    finished: Condvar,
}

impl Book {
    /// Queues a run for `id`; says whether a worker must be given the document (none is on
    /// it here).
    pub fn schedule(&self, id: &DocumentId, recovered: bool) -> (Ticket, bool) {
        let mut entries = self.lock();
        entries.issued += 1;
        let generation = entries.issued;
        let entry = entries.pending.entry(*id).or_insert(Pending {
            queued: false,
            running: false,
            recovered: false,
            latest: generation,
            finished: generation - 1,
        });
        entry.queued = true;
        entry.recovered |= recovered;
        entry.latest = generation;
        let start = !entry.running;
        entry.running = true;
        (
            Ticket {
                id: *id,
                generation,
            },
            start,
        )
    }

    /// Blocks until the work of `ticket` is done.
    pub fn wait(&self, ticket: Ticket) {
        let mut entries = self.lock();
        loop {
            match entries.pending.get(&ticket.id) {
                Some(p) if p.finished < ticket.generation => {
                    entries = match self.finished.wait(entries) {
                        Ok(entries) => entries,
                        Err(poisoned) => poisoned.into_inner(),
                    };
                }
                _ => return,
            }
        }
    }

    /// How many documents have work scheduled or running.
    pub fn pending(&self) -> usize {
        self.lock().pending.len()
    }

    /// The next run for a document; `None` (and the document is idle here) when nothing was
    /// queued since the last one started.
    pub fn take(&self, id: &DocumentId) -> Option<Run> {
        let mut entries = self.lock();
        let entry = entries.pending.get_mut(id)?;
        if !entry.queued {
            entries.pending.remove(id);
            self.finished.notify_all();
            return None;
        }
        entry.queued = false;
        Some(Run {
            generation: entry.latest,
            recovered: std::mem::take(&mut entry.recovered),
        })
    }

    /// Marks the tickets up to `generation` done.
    pub fn done(&self, id: &DocumentId, generation: u64) {
        let mut entries = self.lock();
        if let Some(entry) = entries.pending.get_mut(id) {
            entry.finished = entry.finished.max(generation);
        }
        self.finished.notify_all();
    }

    /// Gives a document up (a run panicked, or the instance is stopping): its waiters go on,
    /// and its work stays in the outbox.
    pub fn abandon(&self, id: &DocumentId) {
        self.lock().pending.remove(id);
        self.finished.notify_all();
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        // A panic while holding the book leaves it consistent (every update is one step).
        match self.entries.lock() {
            Ok(entries) => entries,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}
