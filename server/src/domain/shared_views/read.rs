//! Reading a shared view for the API or a page: the same answer as a missing document for
//! anyone who may not, and an audit entry (`case.read`, `detail.view` = `shared_view`) for
//! whoever may.

use casesync_contract::sharing::SharedViewDocument;
use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;
use casesync_schema::access::shares;
use casesync_schema::directory::{documents, AuthenticatedDevice};
use serde_json::json;

use super::access::{may_read_view, views_in_scope};
use crate::domain::audit::{record, Actor, AuditAction, AuditEvent};
use crate::domain::error::DomainError;
use crate::state::AppState;

/// The view `id` as its reader sees it. `via` goes into the audit entry (`api`, `web`).
pub fn read_view(
    state: &AppState,
    caller: &AuthenticatedDevice,
    id: &str,
    via: &str,
) -> Result<(DocumentId, SharedViewDocument), DomainError> {
    let id: DocumentId = id.parse().map_err(|_| DomainError::not_found())?;
    {
        let mut conn = state.db()?;
        let row = documents::find(&mut conn, &id)?
            .filter(|row| row.kind() == Some(DocumentKind::SharedView))
            .ok_or_else(DomainError::not_found)?;
        if !may_read_view(&mut conn, caller, &row)? {
            return Err(DomainError::not_found());
        }
    }
    record(
        state,
        &Actor::device(caller),
        AuditEvent::new(AuditAction::CaseRead)
            .case(&id, &caller.organisation_id)
            .detail(json!({ "view": "shared_view", "via": via })),
    )?;
    let view = state
        .engine
        .read(&id, |doc| {
            autosurgeon::hydrate::<_, SharedViewDocument>(doc)
        })?
        .ok_or_else(DomainError::not_found)?
        .map_err(DomainError::internal)?;
    Ok((id, view))
}

/// One line of the partner's list of views: id, reference, the organisation that shares
/// (its name), the categories and when.
#[derive(Debug, Clone)]
pub struct HeldView {
    pub id: DocumentId,
    pub reference: String,
    pub source_organisation: String,
    pub categories: Vec<String>,
    pub shared_at: i64,
    pub purpose: String,
}

/// The views the caller holds, newest share first (no document content: a list).
pub fn held_views(
    state: &AppState,
    caller: &AuthenticatedDevice,
) -> Result<Vec<HeldView>, DomainError> {
    let mut conn = state.db()?;
    let mut held = Vec::new();
    for entry in views_in_scope(&mut conn, caller)? {
        let Some(share) = shares::by_view(&mut conn, &entry.id.to_string())? else {
            // A view a peer server's organisation shared (federation).
            if let Some(row) =
                casesync_schema::federation::views::find(&mut conn, &entry.id.to_string())?
            {
                let source = casesync_schema::directory::organisations::find(
                    &mut conn,
                    &row.source_organisation,
                )
                .map(|o| format!("{} ({})", o.name, row.peer))
                .unwrap_or_else(|_| row.source_organisation.clone());
                held.push(HeldView {
                    id: entry.id,
                    categories: row.categories(),
                    reference: row.reference,
                    source_organisation: source,
                    shared_at: row.shared_at,
                    purpose: row.purpose,
                });
            }
            continue;
        };
        let Some(case) = documents::find(
            &mut conn,
            &share
                .document_id
                .parse()
                .map_err(|_| DomainError::internal("stored case id is invalid"))?,
        )?
        else {
            continue;
        };
        let source =
            casesync_schema::directory::organisations::find(&mut conn, &case.organisation_id)
                .map(|o| o.name)
                .unwrap_or(case.organisation_id);
        held.push(HeldView {
            id: entry.id,
            categories: share.categories(),
            reference: share.id,
            source_organisation: source,
            shared_at: share.shared_at,
            purpose: share.purpose,
        });
    }
    held.sort_by_key(|v| std::cmp::Reverse(v.shared_at));
    Ok(held)
}
