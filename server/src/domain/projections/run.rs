//! One document's run: claim its outbox row, read the case once, recompute what the pending
//! work requires, remove the row; repeat while changes keep arriving.

use std::collections::BTreeSet;
use std::time::Duration;

use casesync_contract::case::{read_case_causal, CaseDocument};
use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;
use casesync_schema::access::shares;
use casesync_schema::directory::documents;
use casesync_schema::directory::summaries::{self, CaseSummaryRow};
use casesync_schema::outbox::{self, Claim};

use super::Needs;
use crate::domain::alerts::{deliveries, derive};
use crate::domain::error::DomainError;
use crate::domain::shared_views;
use crate::domain::summary::summarise;
use crate::feed::DocChanged;
use crate::state::AppState;

/// How long a claim on a document's work holds. A run takes milliseconds; an instance that
/// dies holding a claim delays that document's consequences by this much at most.
pub const LEASE: Duration = Duration::from_secs(10);

/// Longest wait before a failed run is tried again.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// Gives the document up if the run ends in a panic, so that nobody waits for it forever.
struct Abandon<'a> {
    state: &'a AppState,
    id: &'a DocumentId,
    armed: bool,
}

impl Drop for Abandon<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.state.projections.give_up(self.id);
        }
    }
}

pub fn run(state: &AppState, id: &DocumentId) {
    let mut guard = Abandon {
        state,
        id,
        armed: true,
    };
    while let Some(run) = state.projections.take(id) {
        if state.projections.stopping() {
            // Left in the outbox: the next start, or another instance, does it.
            return;
        }
        crate::fail_point::pause("derive.before_claim", || state.projections.stopping());
        if let Err(e) = derive_pending(state, id, run.recovered) {
            tracing::warn!(document = %id, error = %e, "derived state not refreshed; retried from the outbox");
        }
        state.projections.done(id, run.generation);
    }
    guard.armed = false;
}

/// Does the work the outbox holds for the document. A failure releases the claim with a
/// backoff, so the work is retried (here or elsewhere) and never dropped.
fn derive_pending(state: &AppState, id: &DocumentId, recovered: bool) -> Result<(), DomainError> {
    let me = &state.instance.id;
    let (claim, row) = {
        let mut conn = state.db()?;
        let claim = outbox::claim(&mut conn, id, me, LEASE.as_millis() as i64)?;
        (claim, documents::find(&mut conn, id)?)
    };
    let (pending, mine) = match claim {
        Claim::Mine(pending) => {
            crate::fail_point::pause("derive.after_claim", || state.projections.stopping());
            (pending, true)
        }
        // Another instance holds the claim; the caller waiting here still wants the
        // consequences, and deriving twice is harmless.
        Claim::Elsewhere(pending) => (pending, false),
        Claim::Nothing => return Ok(()),
    };
    let outcome = match row.and_then(|r| r.kind()) {
        Some(kind) => project(state, id, kind, Needs::of_work(kind, &pending.work)),
        // Erased since, or never a document of a known kind: nothing to derive.
        None => Ok(()),
    };
    let mut conn = state.db()?;
    match outcome {
        Ok(()) => {
            if mine {
                outbox::complete(&mut conn, id, me, &pending)?;
            }
            if recovered {
                // Nobody was told the document changed: the instance that committed it died.
                state.feed.publish(DocChanged {
                    document: *id,
                    origin_device: None,
                });
            }
            Ok(())
        }
        Err(e) => {
            if mine {
                let backoff =
                    Duration::from_secs(1u64 << pending.attempts.clamp(0, 9)).min(MAX_BACKOFF);
                outbox::fail(
                    &mut conn,
                    id,
                    me,
                    &e.to_string(),
                    backoff.as_millis() as i64,
                )?;
            }
            Err(e)
        }
    }
}

fn project(
    state: &AppState,
    id: &DocumentId,
    kind: DocumentKind,
    needs: Needs,
) -> Result<(), DomainError> {
    match kind {
        DocumentKind::Case => project_case(state, id, needs),
        DocumentKind::Alerts if needs.acks => deliveries::record_acks(state, id),
        DocumentKind::SharedView => {
            if needs.contributions {
                shared_views::admit_contributions(state, id)?;
            }
            if needs.peers {
                crate::federation::enqueue::view_changed(state, id)?;
            }
            Ok(())
        }
        DocumentKind::Alerts | DocumentKind::Caseload => Ok(()),
    }
}

/// What one read of the case yields.
struct CaseRead {
    case: CaseDocument,
    summary: Option<CaseSummaryRow>,
    blobs: Option<BTreeSet<String>>,
}

fn project_case(state: &AppState, id: &DocumentId, needs: Needs) -> Result<(), DomainError> {
    let now = state.now();
    // A case new to this server's derivations (created, or queued whole by an upgrade) gets
    // the record logs it lacks; its own change queues the rest of this run again.
    if needs.alerts && needs.summary {
        crate::domain::record_logs::ensure(state, id)?;
    }
    // One indexed query per run; the case is read for views only when it is shared.
    let shared = if needs.views {
        let mut conn = state.db()?;
        shares::active_of_document(&mut conn, &id.to_string())?
    } else {
        vec![]
    };
    if needs.summary || needs.blobs || needs.alerts || !shared.is_empty() {
        let read = state
            .engine
            .read(id, |doc| {
                // Not (yet) a case: an empty document a device is about to fill.
                let case = read_case_causal(doc).ok()?;
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
        if !shared.is_empty() {
            shared_views::refresh(state, id, &read.case, &shared)?;
        }
    }
    if needs.touch && !needs.summary {
        let mut conn = state.db()?;
        summaries::touch(&mut conn, &id.to_string(), now)?;
    }
    Ok(())
}
