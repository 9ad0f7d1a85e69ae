//! Who may act on a case and on devices, beyond reading: assignments, shares, device
//! revocation and remote wipe, and what follows a device's write.
//!
//! The order of checks is the same everywhere: a case the caller cannot read answers 404
//! exactly like a case that does not exist; a case it can read but may not act on answers
//! 403 naming why.

pub mod after_write;
pub mod assignments;
pub mod config;
pub mod devices;
pub mod shares;

use casesync_contract::wire::DocumentKind;
use casesync_contract::{DocumentId, Role};
use casesync_schema::directory::{AuthenticatedDevice, DocumentRow};
use casesync_schema::DbConn;

use super::scope;
use crate::domain::error::DomainError;

/// The case named by a path segment, if the caller may read it; 404 otherwise.
pub fn readable_case(
    conn: &mut DbConn,
    caller: &AuthenticatedDevice,
    id: &str,
) -> Result<(DocumentId, DocumentRow), DomainError> {
    let id: DocumentId = id.parse().map_err(|_| DomainError::not_found())?;
    let row = scope::readable(conn, caller, &id)?.ok_or_else(DomainError::not_found)?;
    if row.kind() != Some(DocumentKind::Case) {
        return Err(DomainError::not_found());
    }
    Ok((id, row))
}

/// 403 unless the caller has one of `roles`.
pub fn require_role(
    caller: &AuthenticatedDevice,
    roles: &[Role],
    what: &str,
) -> Result<(), DomainError> {
    if roles.contains(&caller.role) {
        return Ok(());
    }
    Err(DomainError::forbidden(format!(
        "a {} may not {what}",
        caller.role
    )))
}

/// 403 unless the caller is a coordinator of the organisation owning the case: decisions
/// about a case (sharing, export, erasure, holds, retention) stay with its owner.
pub fn require_owning_coordinator(
    caller: &AuthenticatedDevice,
    row: &DocumentRow,
    what: &str,
) -> Result<(), DomainError> {
    require_role(caller, &[Role::Coordinator], what)?;
    if row.organisation_id != caller.organisation_id {
        return Err(DomainError::forbidden(format!(
            "only the organisation owning the case may {what}"
        )));
    }
    Ok(())
}
