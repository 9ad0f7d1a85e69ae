//! What a caller may see. For now a device sees the case documents of its organisation;
//! roles that hold no case content (org admin, auditor) see none. Anything outside scope is
//! reported exactly like a document that does not exist.

use casesync_contract::wire::{DocumentKind, ScopeEntry};
use casesync_contract::DocumentId;
use casesync_schema::directory::{documents, AuthenticatedDevice, DocumentRow};
use casesync_schema::{DbConn, DbError};

/// Whether the caller may read this document.
pub fn may_read(caller: &AuthenticatedDevice, row: &DocumentRow) -> bool {
    row.deleted_at.is_none()
        && row.organisation_id == caller.organisation_id
        && caller.role.reads_cases()
}

/// The document if it exists and is in the caller's scope; `None` otherwise (same answer).
pub fn readable(
    conn: &mut DbConn,
    caller: &AuthenticatedDevice,
    id: &DocumentId,
) -> Result<Option<DocumentRow>, DbError> {
    Ok(documents::find(conn, id)?.filter(|row| may_read(caller, row)))
}

/// Every document the caller's device should hold.
pub fn documents_in_scope(
    conn: &mut DbConn,
    caller: &AuthenticatedDevice,
) -> Result<Vec<ScopeEntry>, DbError> {
    if !caller.role.reads_cases() {
        return Ok(vec![]);
    }
    let rows = documents::of_organisation(conn, &caller.organisation_id, DocumentKind::Case)?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let id = row.id.parse().ok()?;
            Some(ScopeEntry {
                id,
                kind: row.kind().unwrap_or(DocumentKind::Case),
            })
        })
        .collect())
}
