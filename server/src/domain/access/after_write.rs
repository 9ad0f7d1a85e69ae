//! What follows an admitted write to a case, whatever path it came by (batch, WebSocket,
//! server): the audit entry, the referrals and cross-border notifications it recorded, and
//! for a new case its creator's assignment (before the commit hook announces the
//! scope change to live sessions).

use automerge::{Patch, PatchAction, Prop};
use casesync_contract::case::read_case;
use casesync_contract::wire::DocumentKind;
use casesync_contract::{DocumentId, Role};
use casesync_schema::access::assignments::{self, AssignmentReason};
use casesync_schema::access::devices::owner;
use casesync_schema::directory::documents;
use casesync_sync::Admitted;
use serde_json::json;

use crate::domain::audit::{record_all, Actor, AuditAction, AuditEvent};
use crate::domain::error::DomainError;
use crate::state::AppState;

/// The audit of a write to a case, called by the commit hook (`pipeline::commit`). Failures
/// are logged: the write is already committed.
pub fn audit_write(state: &AppState, id: &DocumentId, admitted: &Admitted, origin: Option<&str>) {
    if let Err(e) = record_write(state, id, admitted, origin) {
        tracing::error!(document = %id, error = %e, "admitted write not audited");
    }
}

fn record_write(
    state: &AppState,
    id: &DocumentId,
    admitted: &Admitted,
    origin: Option<&str>,
) -> Result<(), DomainError> {
    let (row, author) = {
        let mut conn = state.db()?;
        let row = documents::find(&mut conn, id)?;
        let author = match origin {
            Some(device) => owner(&mut conn, device)?,
            None => None,
        };
        (row, author)
    };
    let Some(row) = row.filter(|r| r.kind() == Some(DocumentKind::Case)) else {
        return Ok(());
    };
    let actor = match &author {
        Some(a) => Actor::Device {
            device_id: a.device_id.clone(),
            user_id: a.user_id.clone(),
            organisation_id: a.organisation_id.clone(),
        },
        None => Actor::Server,
    };
    let mut events = vec![AuditEvent::new(AuditAction::CaseWritten)
        .case(id, &row.organisation_id)
        .detail(json!({
            "changes": admitted.added.iter().map(|h| h.to_string()).collect::<Vec<_>>(),
            "created": admitted.created,
        }))];
    for referral in new_referrals(state, id, admitted)? {
        events.push(
            AuditEvent::new(AuditAction::ReferralRecorded)
                .case(id, &row.organisation_id)
                .detail(referral),
        );
    }
    record_all(state, &actor, &events)?;
    if admitted.created {
        if let Some(author) = author {
            let keeps_own = matches!(
                Role::parse(&author.role),
                Some(Role::OutreachWorker | Role::Caseworker)
            );
            if keeps_own {
                let mut conn = state.db()?;
                assignments::assign(
                    &mut conn,
                    &row.id,
                    &author.user_id,
                    AssignmentReason::Creator,
                    &author.user_id,
                    state.now(),
                )?;
            }
        }
        // The commit hook then publishes the scope change for live sessions.
    }
    Ok(())
}

/// Referrals (and cross-border notifications) appended by this write, with the legal basis
/// and data categories each records: the facts an auditor needs, no case content.
fn new_referrals(
    state: &AppState,
    id: &DocumentId,
    admitted: &Admitted,
) -> Result<Vec<serde_json::Value>, DomainError> {
    let found = state.engine.read(id, |doc| {
        let patches: Vec<Patch> = doc.diff(&admitted.heads_before, &admitted.heads);
        let inserted: Vec<usize> = patches
            .iter()
            .filter(|p| matches!(p.path.as_slice(), [(_, Prop::Map(k))] if k == "referrals"))
            .flat_map(|p| match &p.action {
                PatchAction::Insert { index, values, .. } => {
                    (*index..*index + values.len()).collect()
                }
                _ => vec![],
            })
            .collect();
        if inserted.is_empty() {
            return vec![];
        }
        let Ok(case) = read_case(doc) else {
            return vec![];
        };
        inserted
            .into_iter()
            .filter_map(|i| case.referrals.get(i))
            .map(|r| {
                json!({
                    "referral_id": r.id.as_str(),
                    "to": r.to.as_str(),
                    "legal_basis": r.legal_basis.as_str(),
                    "data_categories": r.categories.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
                    "cross_border": r.cross_border,
                })
            })
            .collect()
    })?;
    Ok(found.unwrap_or_default())
}
