//! What a device receives of a case is a read, recorded in the audit trail. A batch reply
//! records its deliveries here, once per request, before it is sent; a live session notes
//! what it sends per (session, document) and the read log writes them in bulk
//! (`crate::audit::reads`), since a push reaches many sessions at once.

use casesync_contract::DocumentId;
use casesync_schema::directory::AuthenticatedDevice;
use serde_json::json;

use crate::domain::audit::{record_all, Actor, AuditAction, AuditEvent};
use crate::domain::error::DomainError;
use crate::state::AppState;

/// A case's changes going out to a device: which case, whose, how many changes.
pub struct Delivery {
    pub case: DocumentId,
    pub organisation: String,
    pub changes: usize,
}

/// Records the deliveries before they leave (a read that was not recorded must not happen).
pub fn delivered(
    state: &AppState,
    device: &AuthenticatedDevice,
    deliveries: &[Delivery],
) -> Result<(), DomainError> {
    let events: Vec<AuditEvent> = deliveries
        .iter()
        .filter(|d| d.changes > 0)
        .map(|d| {
            AuditEvent::new(AuditAction::CaseSynced)
                .case(&d.case, &d.organisation)
                .detail(json!({ "changes": d.changes }))
        })
        .collect();
    if events.is_empty() {
        return Ok(());
    }
    record_all(state, &Actor::device(device), &events)
}
