//! Who may hold an alert document: the devices of the organisation it belongs to, limited to
//! its site when it is a site's alert document (coordinators see every site of their
//! organisation). Devices of other organisations receive alerts through their own
//! organisation's alert document when a case is shared with them.

use casesync_contract::Role;
use casesync_schema::directory::{AuthenticatedDevice, DocumentRow};
use casesync_schema::{DbConn, DbError};

pub fn may_read_alerts(
    _conn: &mut DbConn,
    device: &AuthenticatedDevice,
    row: &DocumentRow,
) -> Result<bool, DbError> {
    if row.deleted_at.is_some() || row.organisation_id != device.organisation_id {
        return Ok(false);
    }
    Ok(match (&row.site_id, device.role) {
        (None, _) => true,
        (Some(_), Role::Coordinator | Role::Caseworker) => true,
        (Some(site), _) => device.site_id.as_deref() == Some(site.as_str()),
    })
}
