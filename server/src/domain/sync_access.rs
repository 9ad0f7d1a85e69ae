//! Which documents a device may sync, by kind, on either path (batch or WebSocket): cases by
//! the caller's scope (assignments included), its own caseload only, the alert documents of
//! its organisation and site, and the shared views of active shares with its organisation.

use casesync_contract::wire::DocumentKind;
use casesync_schema::directory::{AuthenticatedDevice, DocumentRow};
use casesync_schema::{live, DbConn, DbError};

use super::{alert_access, scope};

pub fn may_sync(
    conn: &mut DbConn,
    device: &AuthenticatedDevice,
    row: &DocumentRow,
) -> Result<bool, DbError> {
    if row.deleted_at.is_some() {
        return Ok(false);
    }
    match row.kind() {
        Some(DocumentKind::Case) => scope::may_read_in(conn, device, row),
        Some(DocumentKind::Caseload) => {
            let id = row
                .id
                .parse()
                .map_err(|_| DbError::Invalid("document id".into()))?;
            Ok(live::caseload_owner(conn, &id)?.as_deref() == Some(device.device_id.as_str()))
        }
        Some(DocumentKind::Alerts) => alert_access::may_read_alerts(conn, device, row),
        Some(DocumentKind::SharedView) => super::shared_views::may_sync_view(conn, device, row),
        None => Ok(false),
    }
}
