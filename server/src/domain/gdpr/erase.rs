//! Erasure of a case: its document, chunks, receipts, read model, assignments, shares and
//! attachments go, its devices are told to purge it (their next batch lists it in
//! `removed_documents`; live sessions recompute their caseload on `ScopeChanged`), and the
//! audit trail keeps a pseudonymous tombstone: the case id, who erased it, when and why.
//! A case under a legal hold is not erased.

use casesync_contract::errors::ErrorCode;
use casesync_contract::wire::CaseErased;
use casesync_contract::DocumentId;
use casesync_schema::access::{erasure, holds, shares};
use casesync_schema::connection::write_tx;
use casesync_schema::directory::{AuthenticatedDevice, DocumentRow};
use serde_json::{json, Value};

use crate::domain::access::{readable_case, require_owning_coordinator};
use crate::domain::audit::{record_in, Actor, AuditAction, AuditEvent};
use crate::domain::error::DomainError;
use crate::feed::FeedEvent;
use crate::state::AppState;

/// `DELETE /v1/cases/{id}` by a coordinator of the owning organisation.
pub fn erase_on_request(
    state: &AppState,
    caller: &AuthenticatedDevice,
    case: &str,
) -> Result<CaseErased, DomainError> {
    let (id, row) = {
        let mut conn = state.db()?;
        readable_case(&mut conn, caller, case)?
    };
    require_owning_coordinator(caller, &row, "erase cases")?;
    erase(
        state,
        &Actor::device(caller),
        &id,
        &row,
        json!({ "reason": "erasure_request" }),
        Holds::Respect,
    )
}

/// Whether a legal hold stops the erasure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holds {
    Respect,
    /// Re-applying an erasure from the ledger: it already happened.
    Ignore,
}

fn legal_hold() -> DomainError {
    DomainError::new(
        ErrorCode::LegalHold,
        "the case is under a legal hold and cannot be erased",
    )
}

/// Erases a case for `actor`; `why` goes into the tombstone. The erasure ledger gets its
/// entry first (`ledger`): a backup restored later cannot bring the case back.
pub fn erase(
    state: &AppState,
    actor: &Actor,
    id: &DocumentId,
    row: &DocumentRow,
    why: Value,
    holds_rule: Holds,
) -> Result<CaseErased, DomainError> {
    let now = state.now();
    let mut conn = state.db()?;
    if holds_rule == Holds::Respect && holds::active(&mut conn, &row.id)?.is_some() {
        return Err(legal_hold());
    }
    super::ledger::record(state, id, &row.organisation_id, now)?;
    let mut concerned: Vec<String> = shares::of_document(&mut conn, &row.id)?
        .into_iter()
        .map(|s| s.organisation_id)
        .collect();
    concerned.push(row.organisation_id.clone());
    concerned.sort();
    concerned.dedup();
    let erased = write_tx(&mut conn, |conn| {
        // Checked inside the transaction: a hold placed a moment ago still wins.
        if holds_rule == Holds::Respect && holds::active(conn, &row.id)?.is_some() {
            return Ok(None);
        }
        let rows = erasure::erase_case_rows(conn, &row.id, now)?;
        let tombstone = AuditEvent::new(AuditAction::CaseErased)
            .case(id, &row.organisation_id)
            .detail(json!({ "why": why, "rows": rows }));
        record_in(conn, &state.audit_key, actor, &[tombstone], now)?;
        Ok(Some(rows))
    });
    drop(conn);
    let rows = match erased {
        Ok(Some(rows)) => rows,
        Ok(None) => {
            super::ledger::withdraw(state, id);
            return Err(legal_hold());
        }
        // Not erased now: the ledger entry stays, and the next start completes it.
        Err(e) => return Err(e.into()),
    };
    state.engine.forget(id);
    // The views' references go first: a photo still referenced by a view would survive.
    let views: Vec<DocumentId> = rows.views.iter().filter_map(|v| v.parse().ok()).collect();
    let mut attachments_erased = true;
    for view in &views {
        state.engine.forget(view);
        attachments_erased &= erase_attachments(state, view);
    }
    let attachments_erased = erase_attachments(state, id) && attachments_erased;
    crate::domain::alerts::purge::rebuild_without(state, id, &rows.alert_documents);
    for org in concerned {
        state.feed.publish_event(FeedEvent::ScopeChanged {
            organisation_id: org,
        });
    }
    Ok(CaseErased {
        case_id: *id,
        erased_at: now,
        chunks: rows.chunks,
        receipts: rows.receipts,
        assignments: rows.assignments,
        shares: rows.shares,
        attachments_erased,
    })
}

/// Removes the case's blob references and the blobs no other case uses. A failure leaves
/// them for the blob lifecycle worker (the case itself is already erased).
fn erase_attachments(state: &AppState, id: &DocumentId) -> bool {
    match crate::blobs::lifecycle::erase_case_blobs(state, id) {
        Ok(_) => true,
        Err(e) => {
            tracing::error!(case = %id, error = %e, "attachments of an erased case not removed");
            false
        }
    }
}
