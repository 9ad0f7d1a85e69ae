//! Missing-child alerts and the handbook's response flows.
//!
//! After every admitted change of a case, [`derive`] starts the checklists whose anchor
//! event arrived (once), raises a `missing` alert at once (no waiting period) and stands
//! alerts down when the child is found. The [`escalation`] worker watches deadlines:
//! overdue steps, unresolved absences, return interviews, repeat episodes, and alerts nobody
//! acknowledged. Alerts are written into alert documents ([`documents`]) that devices sync
//! like any document; raising is exactly-once across instances through a unique key.

pub mod deliveries;
pub mod derive;
pub mod documents;
pub mod escalation;
pub mod list;
pub mod purge;
pub mod raise;
pub mod rules;

pub use list::list_alerts;

use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;

use crate::state::AppState;

/// What alerts make of a stored change: derivations for a case, acknowledgements for an
/// alert document. Errors are logged: the change itself is already committed.
pub fn follow_up(state: &AppState, id: &DocumentId) {
    let kind = state
        .db()
        .ok()
        .and_then(|mut conn| {
            casesync_schema::directory::documents::find(&mut conn, id)
                .ok()
                .flatten()
        })
        .and_then(|row| row.kind());
    let result = match kind {
        Some(DocumentKind::Case) => derive::derive(state, id),
        Some(DocumentKind::Alerts) => deliveries::record_acks(state, id),
        _ => Ok(()),
    };
    if let Err(e) = result {
        tracing::warn!(document = %id, error = %e, "alert follow-up failed");
    }
}
