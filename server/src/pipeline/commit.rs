//! The commit hook: what follows every committed change, whoever wrote it (a device over
//! batch or WebSocket, a page, the server itself). The derive work it implies is already in
//! the outbox (written in the commit's transaction); this tells the rest of the instance.

use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;
use casesync_sync::Admitted;

use crate::domain::projections::Ticket;
use crate::feed::{DocChanged, FeedEvent};
use crate::state::AppState;

/// Who wrote a committed change.
#[derive(Debug, Clone, Copy)]
pub enum Author<'a> {
    /// A device (or a page acting as its user's device): its write is audited as its own,
    /// and its own session need not be told.
    Device(&'a str),
    /// The server itself (alert documents, caseloads, demo data).
    Server,
}

impl Author<'_> {
    fn device(&self) -> Option<&str> {
        match self {
            Author::Device(id) => Some(id),
            Author::Server => None,
        }
    }
}

/// What has to happen once changes are durable (with their audit entries, written in the
/// same transaction): the creator's assignment of a new case, the change feed,
/// the derive run (its work is already durable in the outbox), compaction. Failures here are
/// logged, not returned: the changes are committed, and what they imply is in the outbox.
/// Wait for the ticket to answer a caller who expects the consequences (a missing report's
/// alert, the case list); never from within a derive run.
pub fn committed(
    state: &AppState,
    id: &DocumentId,
    admitted: &Admitted,
    author: Author<'_>,
) -> Option<Ticket> {
    if admitted.added.is_empty() {
        return None;
    }
    if admitted.kind == DocumentKind::Case {
        crate::domain::access::after_write::assign_creator(state, id, admitted, author.device());
    }
    state.feed.publish(DocChanged {
        document: *id,
        origin_device: author.device().map(str::to_string),
    });
    let ticket = state.projections.schedule(id, admitted);
    if admitted.created && admitted.kind == DocumentKind::Case {
        announce_new_case(state, id);
    }
    if admitted.compaction_due {
        compact(state, id);
    }
    ticket
}

/// Writes the document's snapshot, off the request path: a long history takes a while. A
/// request hands it to the runtime's blocking threads; a derive worker (a plain thread, no
/// runtime: spawning there panicked, and with it every later write of that document from a
/// worker) is off the request path already and compacts itself.
fn compact(state: &AppState, id: &DocumentId) {
    let engine = state.engine.clone();
    let id = *id;
    let job = move || {
        if let Err(e) = engine.compact(&id) {
            tracing::warn!(document = %id, error = %e, "compaction failed");
        }
    };
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            runtime.spawn_blocking(job);
        }
        Err(_) => job(),
    }
}

/// A new case is in someone's scope: caseloads must list it.
fn announce_new_case(state: &AppState, id: &DocumentId) {
    let row = state
        .db()
        .ok()
        .and_then(|mut conn| casesync_schema::directory::documents::find(&mut conn, id).ok())
        .flatten();
    if let Some(row) = row {
        state.feed.publish_event(FeedEvent::ScopeChanged {
            organisation_id: row.organisation_id,
        });
    }
}
