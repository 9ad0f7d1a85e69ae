//! Which documents a device may sync live: the same rules as batch sync
//! ([`crate::domain::sync_access`]).

use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;
use casesync_schema::directory::{documents, AuthenticatedDevice, DocumentRow};
use casesync_schema::{DbConn, DbError};

use crate::domain::sync_access;

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
    Ok(sync_access::may_sync(conn, device, &row)?.then_some((row, kind)))
}
