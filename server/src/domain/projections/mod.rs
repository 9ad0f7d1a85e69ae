//! What the server derives from a document once a change to it is committed: for a case, the
//! case list's summary row, its blob references, its checklists and alerts; for an alert
//! document, the acknowledgements devices appended.
//!
//! The work is durable: the transaction that commits a change also records what it implies
//! in the outbox (`casesync_schema::outbox`). Workers drain it off the acknowledgement path,
//! a bounded pool per instance ([`pool`]), at most one run per document at a time on an
//! instance: changes that arrive during a run are folded into the next one. At start and
//! periodically every instance also picks up work nobody is doing: never claimed (the
//! instance that committed it died first) or whose claimer's lease ran out ([`sweep`]). A
//! crash anywhere between the commit and the derivation therefore delays the consequences
//! (an alert, a checklist) by a lease at most; it never loses them.
//!
//! Callers that answer a request whose caller expects the consequences (batch sync,
//! `POST /v1/cases`, the demo) wait for their [`Ticket`].
//!
//! Only what a change can affect is recomputed ([`Needs::of`]): an observation appended to a
//! case refreshes its blob references and its last-updated time, not its alerts.

mod book;
mod needs;
pub mod pool;
mod run;
pub mod sweep;

use std::sync::Arc;

use casesync_contract::DocumentId;
use casesync_sync::Admitted;

pub use book::Ticket;
pub use needs::Needs;

use crate::state::AppState;

/// The derive work of one instance: tickets for waiting callers and the workers.
pub struct Projections {
    book: book::Book,
    pool: pool::Pool,
}

impl Projections {
    pub fn new(workers: usize) -> Arc<Self> {
        Arc::new(Self {
            book: book::Book::default(),
            pool: pool::Pool::new(workers),
        })
    }

    /// Starts the workers; they hold a copy of `state` until [`Projections::stop`].
    pub fn start(&self, state: &AppState) {
        self.pool.start(state);
    }

    /// Lets the workers finish what they are running and stops them. Work not done stays in
    /// the outbox for the next start (or another instance).
    pub fn stop(&self) {
        self.pool.stop();
    }

    /// Schedules what `admitted` requires (its outbox row is already committed); starts a run
    /// unless one is going for the document here.
    pub fn schedule(&self, id: &DocumentId, admitted: &Admitted) -> Option<Ticket> {
        if Needs::of(admitted).is_empty() {
            return None;
        }
        Some(self.enqueue(id, false))
    }

    /// Schedules work the caller recorded in the outbox itself (a share made); the ticket
    /// says when it is done.
    pub fn request(&self, id: &DocumentId) -> Ticket {
        self.enqueue(id, false)
    }

    /// Schedules work found in the outbox that nobody was doing (a crash, an expired lease).
    pub fn recover(&self, id: &DocumentId) {
        self.enqueue(id, true);
    }

    fn enqueue(&self, id: &DocumentId, recovered: bool) -> Ticket {
        let (ticket, start) = self.book.schedule(id, recovered);
        if start && !self.pool.submit(*id) {
            // No workers (stopping, or a command that never started them): the work stays
            // in the outbox for the next start, and nobody waits here for a run that will
            // not come.
            tracing::debug!(document = %id, "no derive workers here; left in the outbox");
            self.book.abandon(id);
        }
        ticket
    }

    /// Blocks until the work of `ticket` is done. Never call it from a run (a run that
    /// writes to its own document schedules itself, and would wait for itself).
    pub fn wait(&self, ticket: Ticket) {
        self.book.wait(ticket);
    }

    /// How many documents have work scheduled or running here.
    pub fn pending(&self) -> usize {
        self.book.pending()
    }

    /// Runs in progress here.
    pub fn busy(&self) -> usize {
        self.pool.busy()
    }

    /// Whether [`Projections::stop`] was called.
    pub fn is_stopped(&self) -> bool {
        self.pool.stopping()
    }

    fn stopping(&self) -> bool {
        self.pool.stopping()
    }

    fn take(&self, id: &DocumentId) -> Option<book::Run> {
        self.book.take(id)
    }

    fn done(&self, id: &DocumentId, generation: u64) {
        self.book.done(id, generation);
    }

    fn give_up(&self, id: &DocumentId) {
        self.book.abandon(id);
    }
}

#[cfg(test)]
mod tests;
