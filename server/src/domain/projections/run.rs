//! One document's run: read it once, recompute what was queued, repeat while changes keep
//! arriving.

use std::collections::BTreeSet;

use casesync_contract::case::{read_case, CaseDocument};
use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;
use casesync_schema::directory::summaries::{self, CaseSummaryRow};

use super::Needs;
use crate::domain::alerts::{deliveries, derive};
use crate::domain::summary::summarise;
use crate::error::ApiError;
use crate::state::AppState;

/// Runs the document's queued work on a thread of its own: not the request handlers'
/// blocking pool, where requests waiting for this run could hold every thread.
pub fn start(state: AppState, id: DocumentId) {
    let projections = state.projections.clone();
    let work = move || run(&state, &id);
    if let Err(e) = std::thread::Builder::new()
        .name("projections".into())
        .spawn(work)
    {
        tracing::error!(error = %e, "no thread for the projections of a document");
        projections.abandon(&id);
    }
}

/// Gives the document up if the run ends in a panic, so that nobody waits for it forever.
struct Abandon<'a> {
    state: &'a AppState,
    id: &'a DocumentId,
    armed: bool,
}

impl Drop for Abandon<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.state.projections.abandon(self.id);
        }
    }
}

fn run(state: &AppState, id: &DocumentId) {
    let mut guard = Abandon {
        state,
        id,
        armed: true,
    };
    while let Some((kind, needs, generation)) = state.projections.take(id) {
        if let Err(e) = project(state, id, kind, needs) {
            // The change itself is committed; the next change of the document retries.
            tracing::warn!(document = %id, error = %e, "derived state not refreshed");
        }
        state.projections.done(id, generation);
    }
    guard.armed = false;
}

fn project(
    state: &AppState,
    id: &DocumentId,
    kind: DocumentKind,
    needs: Needs,
) -> Result<(), ApiError> {
    match kind {
        DocumentKind::Case => project_case(state, id, needs),
        DocumentKind::Alerts if needs.acks => deliveries::record_acks(state, id),
        DocumentKind::Alerts | DocumentKind::Caseload => Ok(()),
    }
}

/// What one read of the case yields.
struct CaseRead {
    case: CaseDocument,
    summary: Option<CaseSummaryRow>,
    blobs: Option<BTreeSet<String>>,
}

fn project_case(state: &AppState, id: &DocumentId, needs: Needs) -> Result<(), ApiError> {
    let now = state.now();
    if needs.summary || needs.blobs || needs.alerts {
        let read = state
            .engine
            .read(id, |doc| {
                // Not (yet) a case: an empty document a device is about to fill.
                let case = read_case(doc).ok()?;
                Some(CaseRead {
                    summary: needs.summary.then(|| summarise(doc, &case, id, now)),
                    blobs: needs
                        .blobs
                        .then(|| crate::blobs::references::referenced_hashes(doc, &case)),
                    case,
                })
            })?
            .flatten();
        let Some(read) = read else {
            return Ok(());
        };
        if let Some(row) = &read.summary {
            let mut conn = state.db()?;
            summaries::upsert(&mut conn, row)?;
        }
        if let Some(hashes) = &read.blobs {
            crate::blobs::references::store(state, id, hashes)?;
        }
        if needs.alerts {
            derive::derive(state, id, &read.case)?;
        }
    }
    if needs.touch && !needs.summary {
        let mut conn = state.db()?;
        summaries::touch(&mut conn, &id.to_string(), now)?;
    }
    Ok(())
}
