//! Who may download a blob: whoever may read a case that references it, or holds a shared
//! view that carries it. The blob served is
//! the one of that case's organisation, so a caller cannot probe another organisation's
//! blobs by hash: a blob no readable case references answers exactly like a missing one.

use casesync_contract::wire::{is_blob_hash, DocumentKind};
use casesync_contract::DocumentId;
use casesync_schema::blobs::{references, stored, BlobRow};
use casesync_schema::directory::AuthenticatedDevice;

use serde_json::json;

use crate::domain::audit::{Actor, AuditAction, AuditEvent};
use crate::error::ApiError;
use crate::state::AppState;

/// Referencing cases looked at per request: a blob attached to more cases than this in the
/// caller's own organisation is still found through the first ones.
const REFERRERS_CHECKED: i64 = 200;

/// The same answer for "no such blob" and "not yours to see".
pub fn blob_not_found() -> ApiError {
    ApiError::new(
        casesync_contract::errors::ErrorCode::NotFound,
        "no such blob",
    )
}

/// The referring document if the caller may read it: a case in scope, or a shared view the
/// caller holds (a partner downloads the photos its view carries, never the case's others).
fn readable_referrer(
    conn: &mut casesync_schema::DbConn,
    caller: &AuthenticatedDevice,
    id: &DocumentId,
) -> Result<Option<casesync_schema::directory::DocumentRow>, ApiError> {
    let Some(row) = casesync_schema::directory::documents::find(conn, id)? else {
        return Ok(None);
    };
    let readable = match row.kind() {
        Some(DocumentKind::Case) => crate::domain::scope::may_read_in(conn, caller, &row)?,
        Some(DocumentKind::SharedView) => {
            crate::domain::shared_views::may_sync_view(conn, caller, &row)?
        }
        _ => false,
    };
    Ok(readable.then_some(row))
}

/// The stored blob `sha256` if the caller may read a case referencing it, with the read
/// (`view`: `download`, `preview`) noted for the audit trail under that case: a photo of a
/// child is case data. Noted, not yet written (`audit::reads`): downloads are many and a
/// phone fetches a case's photos in a burst. Blocking.
pub fn readable_blob(
    state: &AppState,
    caller: &AuthenticatedDevice,
    sha256: &str,
    view: &str,
) -> Result<Option<BlobRow>, ApiError> {
    if !is_blob_hash(sha256) || !caller.role.reads_cases() {
        return Ok(None);
    }
    let mut conn = state.db()?;
    let mut referrers = references::referrers_in(
        &mut conn,
        sha256,
        &caller.organisation_id,
        REFERRERS_CHECKED,
    )?;
    referrers.extend(
        references::referrers(&mut conn, sha256, REFERRERS_CHECKED)?
            .into_iter()
            .filter(|r| r.organisation_id != caller.organisation_id),
    );
    for referrer in referrers {
        let Ok(id) = referrer.document_id.parse::<DocumentId>() else {
            continue;
        };
        let Some(row) = readable_referrer(&mut conn, caller, &id)? else {
            continue;
        };
        // The blob of the case's organisation, as recorded by the server (not the document's
        // own claim).
        if let Some(blob) = stored::find(&mut conn, &row.organisation_id, sha256)? {
            let event = AuditEvent::new(AuditAction::BlobRead)
                .case(&id, &row.organisation_id)
                .detail(json!({ "blob": sha256, "view": view }));
            state
                .audit_reads
                .read(state, &Actor::device(caller), event)?;
            return Ok(Some(blob));
        }
    }
    Ok(None)
}
