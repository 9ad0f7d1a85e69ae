//! Cases written before the record logs existed lack them, and a device may not create a
//! root log itself (two phones creating one at once would leave two lists competing for one
//! key, and the entries of the losing one out of sight). The server adds them, with the
//! contract's `record_logs_change`: the same bytes whichever instance writes it and
//! whenever, so two instances upgrading one case at once store one change.

use automerge::{ReadDoc, ROOT};
use casesync_contract::case::{missing_record_logs, record_logs_change, values::display_value};
use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;
use casesync_sync::Writer;

use super::error::DomainError;
use super::server_write::admit_server_changes;
use crate::state::AppState;

/// Adds the record logs `id` lacks. Returns whether it wrote anything.
pub fn ensure(state: &AppState, id: &DocumentId) -> Result<bool, DomainError> {
    let upgrade = state
        .engine
        .read(id, |doc| {
            let missing = missing_record_logs(doc);
            if missing.is_empty() {
                return None;
            }
            // Not (yet) a case: an empty document a device is about to fill.
            let organisation = match doc.get(ROOT, "organisation") {
                Ok(Some((value, obj))) => display_value(doc, &value, &obj),
                _ => return None,
            };
            Some((organisation, missing))
        })?
        .flatten();
    let Some((organisation, missing)) = upgrade else {
        return Ok(false);
    };
    let change = record_logs_change(&id.to_string(), &missing).map_err(DomainError::internal)?;
    admit_server_changes(
        state,
        id,
        DocumentKind::Case,
        &Writer::server(&organisation),
        &[change],
        None,
    )?;
    tracing::info!(case = %id, logs = missing.len(), "record logs added to an older case");
    Ok(true)
}
