//! Erasure reaches alert documents too: an alert names the child, and an automerge document
//! keeps its whole history, so deleting the entry is not enough. Each alert document that
//! held an erased case's alerts is rebuilt as a new document with the other cases' alerts;
//! the old one is erased and devices swap to the new one through their caseloads.

use casesync_contract::DocumentId;

use super::documents::{create_skeleton, write_entry};
use super::list::read_entries;
use crate::domain::error::DomainError;
use crate::feed::FeedEvent;
use crate::state::AppState;

/// Rebuilds `documents` without the alerts of `erased_case`. Errors are logged per document.
pub fn rebuild_without(state: &AppState, erased_case: &DocumentId, documents: &[String]) {
    for old in documents {
        if let Err(e) = rebuild_one(state, erased_case, old) {
            tracing::error!(document = %old, error = %e, "alert document not rebuilt after erasure");
        }
    }
}

fn rebuild_one(state: &AppState, erased_case: &DocumentId, old: &str) -> Result<(), DomainError> {
    let old_id: DocumentId = old
        .parse()
        .map_err(|_| DomainError::internal("alert document id"))?;
    let Some((org, site)) = ({
        let mut conn = state.db()?;
        casesync_schema::alerts::audience_of(&mut conn, old)?
    }) else {
        return Ok(());
    };
    let keep: Vec<_> = state
        .engine
        .read(&old_id, read_entries)?
        .unwrap_or_default()
        .into_values()
        .filter(|entry| entry.case_id != *erased_case)
        .collect();
    let new_id = DocumentId::random();
    create_skeleton(state, &new_id, &org, site.as_deref())?;
    for entry in &keep {
        write_entry(state, &new_id, &org, entry)?;
    }
    let now = state.now();
    {
        let mut conn = state.db()?;
        casesync_schema::alerts::replace_document(&mut conn, old, &new_id.to_string())?;
        casesync_schema::connection::write_tx(&mut conn, |conn| {
            casesync_schema::access::erasure::erase_case_rows(conn, old, now).map(|_| ())
        })?;
    }
    state.engine.forget(&old_id);
    state.feed.publish_event(FeedEvent::ScopeChanged {
        organisation_id: org.to_string(),
    });
    Ok(())
}
