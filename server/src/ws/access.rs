//! Which documents a device may sync live, by kind: cases by scope, its own caseload.

use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;
use casesync_schema::directory::{documents, AuthenticatedDevice, DocumentRow};
use casesync_schema::{live, DbConn, DbError};

use crate::domain::scope;

/// The document if the device may sync it; `None` for unknown and forbidden alike.
pub fn accessible(
    conn: &mut DbConn,
    device: &AuthenticatedDevice,
    id: &DocumentId,
) -> Result<Option<(DocumentRow, DocumentKind)>, DbError> {
    let Some(row) = documents::find(conn, id)? else {
        return Ok(None);
    };
    let Some(kind) = row.kind() else {
        return Ok(None);
    };
    let allowed = match kind {
        DocumentKind::Case => scope::may_read(device, &row),
        DocumentKind::Caseload => {
            live::caseload_owner(conn, id)?.as_deref() == Some(device.device_id.as_str())
        }
        DocumentKind::Alerts => crate::domain::alert_access::may_read_alerts(conn, device, &row)?,
    };
    Ok(allowed.then_some((row, kind)))
}

/// Whether the document exists at all (to tell creation from a forbidden push).
pub fn exists(conn: &mut DbConn, id: &DocumentId) -> Result<bool, DbError> {
    Ok(documents::find(conn, id)?.is_some())
}
