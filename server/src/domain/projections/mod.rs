//! What the server derives from a document once a change to it is committed: for a case, the
//! case list's summary row, its blob references, its checklists and alerts; for an alert
//! document, the acknowledgements devices appended.
//!
//! Derived off the acknowledgement path, at most one run per document at a time: changes
//! that arrive during a run are folded into the next one. A phone's change is acknowledged
//! as soon as it is committed; reading the whole case back after every change (what this
//! costs grows with the case's history) neither holds that acknowledgement back nor runs
//! once per change when fifty phones write to the same case. Callers that answer a request
//! whose caller expects the consequences (batch sync, `POST /v1/cases`, the demo) wait for
//! their [`Ticket`].
//!
//! Only what a change can affect is recomputed ([`Needs::of`]): an observation appended to a
//! case refreshes its blob references and its last-updated time, not its alerts.

mod run;

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;
use casesync_sync::Admitted;

use crate::state::AppState;

/// What a change requires to be recomputed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    /// The case's summary row (name, state, conflicts).
    pub summary: bool,
    /// Only the summary's last-updated time.
    pub touch: bool,
    /// The blob references.
    pub blobs: bool,
    /// Checklists started and alerts raised or stood down.
    pub alerts: bool,
    /// Acknowledgements in an alert document.
    pub acks: bool,
}

impl Needs {
    /// What the admitted changes can have changed, from the root keys they wrote under
    /// (and the fields of log entries: an observation with photos changes the references).
    pub fn of(admitted: &Admitted) -> Self {
        if admitted.added.is_empty() {
            return Self::default();
        }
        let touched =
            |keys: &[&str]| admitted.created || keys.iter().any(|k| admitted.touched.contains(*k));
        match admitted.kind {
            DocumentKind::Case => Self {
                summary: touched(&["profile", "episodes", "organisation", "site"]),
                touch: true,
                blobs: touched(&["attachments", "observations.attachments", "profile"]),
                alerts: touched(&["episodes", "checklists", "created_at"]),
                acks: false,
            },
            DocumentKind::Alerts => Self {
                acks: touched(&["acks"]),
                ..Self::default()
            },
            DocumentKind::Caseload => Self::default(),
        }
    }

    fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    fn add(&mut self, other: Needs) {
        self.summary |= other.summary;
        self.touch |= other.touch;
        self.blobs |= other.blobs;
        self.alerts |= other.alerts;
        self.acks |= other.acks;
    }
}

/// A scheduled run: [`Projections::wait`] returns once a run that started after it was
/// scheduled has finished.
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    id: DocumentId,
    generation: u64,
}

/// A document with work scheduled or running.
struct Pending {
    kind: DocumentKind,
    queued: Needs,
    running: bool,
    /// The newest ticket handed out for this document.
    latest: u64,
    /// Every ticket up to this one is done.
    finished: u64,
}

#[derive(Default)]
struct Book {
    /// Tickets are numbered across documents, so that a document's entry can be dropped when
    /// idle: a ticket older than a fresh entry's start was finished before it.
    issued: u64,
    pending: HashMap<DocumentId, Pending>,
}

#[derive(Default)]
pub struct Projections {
    book: Mutex<Book>,
    finished: Condvar,
}

impl Projections {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Schedules what `admitted` requires; starts a run unless one is going for the document.
    pub fn schedule(
        &self,
        state: &AppState,
        id: &DocumentId,
        admitted: &Admitted,
    ) -> Option<Ticket> {
        let needs = Needs::of(admitted);
        if needs.is_empty() {
            return None;
        }
        let mut book = self.lock();
        book.issued += 1;
        let generation = book.issued;
        let entry = book.pending.entry(*id).or_insert(Pending {
            kind: admitted.kind,
            queued: Needs::default(),
            running: false,
            latest: generation,
            finished: generation - 1,
        });
        entry.queued.add(needs);
        entry.latest = generation;
        let start = !entry.running;
        entry.running = true;
        drop(book);
        if start {
            run::start(state.clone(), *id);
        }
        Some(Ticket {
            id: *id,
            generation,
        })
    }

    /// Blocks until the work of `ticket` is done. Never call it from a run (a run that
    /// writes to its own document schedules itself, and would wait for itself).
    pub fn wait(&self, ticket: Ticket) {
        let mut book = self.lock();
        loop {
            match book.pending.get(&ticket.id) {
                Some(p) if p.finished < ticket.generation => {
                    book = match self.finished.wait(book) {
                        Ok(book) => book,
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

    /// Takes the queued work of a document for a run; `None` (and the document is idle)
    /// when there is none.
    fn take(&self, id: &DocumentId) -> Option<(DocumentKind, Needs, u64)> {
        let mut book = self.lock();
        let entry = book.pending.get_mut(id)?;
        if entry.queued.is_empty() {
            book.pending.remove(id);
            self.finished.notify_all();
            return None;
        }
        let needs = std::mem::take(&mut entry.queued);
        Some((entry.kind, needs, entry.latest))
    }

    /// Marks the tickets up to `generation` done.
    fn done(&self, id: &DocumentId, generation: u64) {
        let mut book = self.lock();
        if let Some(entry) = book.pending.get_mut(id) {
            entry.finished = entry.finished.max(generation);
        }
        self.finished.notify_all();
    }

    /// Gives a document up after a run failed to finish (a panic): its waiters go on.
    fn abandon(&self, id: &DocumentId) {
        self.lock().pending.remove(id);
        self.finished.notify_all();
    }

    fn lock(&self) -> MutexGuard<'_, Book> {
        // A panic while holding the book leaves it consistent (every update is one step).
        match self.book.lock() {
            Ok(book) => book,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

#[cfg(test)]
mod tests;
