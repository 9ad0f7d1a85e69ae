//! The erasure ledger: one object per erased case in the blob store (`erasures/<case id>`),
//! sealed with the audit chain key, outside the database. A database restored from a backup
//! taken before an erasure would bring the child back; every start re-applies the ledger
//! (`reapply`), so the case is erased again before anything is served. The ledger is written
//! before the erasure's transaction: an erasure is never committed without its entry. Until
//! the ledger has been re-applied, only the probes are served. An
//! entry whose erasure then fails (a legal hold placed a moment before) is removed; one
//! left by a crash between the two is completed at the next start, which is what was asked.
//!
//! Entries name only ids (like the audit trail's tombstone). An entry that does not carry
//! the key's seal is ignored and reported: nobody erases a case by writing into the bucket.

use bytes::Bytes;
use casesync_contract::DocumentId;
use casesync_schema::directory::documents;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::erase::{erase, Holds};
use crate::domain::audit::Actor;
use crate::domain::error::DomainError;
use crate::state::AppState;

/// The key prefix of the ledger in the blob store.
pub const PREFIX: &str = "erasures/";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub case_id: String,
    pub organisation_id: String,
    pub erased_at: i64,
    /// HMAC-SHA256 of the case id and time under the audit chain key.
    pub seal: String,
}

fn key_of(case: &DocumentId) -> String {
    format!("{PREFIX}{case}.json")
}

/// Writes the ledger entry of an erasure about to happen. Blocking.
pub fn record(
    state: &AppState,
    case: &DocumentId,
    organisation_id: &str,
    at: i64,
) -> Result<(), DomainError> {
    let entry = LedgerEntry {
        case_id: case.to_string(),
        organisation_id: organisation_id.to_string(),
        erased_at: at,
        seal: state.audit_key.erasure_mac(&case.to_string(), at),
    };
    let bytes = serde_json::to_vec(&entry).map_err(DomainError::internal)?;
    state
        .blobs
        .store
        .put_blocking(&key_of(case), Bytes::from(bytes))
        .map_err(DomainError::internal)
}

/// Removes the entry of an erasure that did not happen. Blocking.
pub fn withdraw(state: &AppState, case: &DocumentId) {
    if let Err(e) = state.blobs.store.delete_blocking(&key_of(case)) {
        tracing::error!(case = %case, error = %e, "erasure ledger entry of a refused erasure not removed; the next start will erase the case");
    }
}

/// The sealed entries of the ledger; unsealed ones are reported and skipped. Blocking.
pub fn entries(state: &AppState) -> Result<Vec<LedgerEntry>, DomainError> {
    let store = &state.blobs.store;
    let mut found = Vec::new();
    for key in store
        .list_prefix_blocking(Some(PREFIX))
        .map_err(DomainError::internal)?
    {
        let Some(bytes) = store.get_blocking(&key).map_err(DomainError::internal)? else {
            continue;
        };
        match serde_json::from_slice::<LedgerEntry>(&bytes) {
            Ok(entry)
                if entry.seal == state.audit_key.erasure_mac(&entry.case_id, entry.erased_at) =>
            {
                found.push(entry)
            }
            _ => {
                tracing::error!(object = %key, "erasure ledger entry without a valid seal: ignored")
            }
        }
    }
    Ok(found)
}

/// Erases again every case the ledger names that the database still holds (a restored
/// backup, or a crash between the entry and the erasure). Returns how many. Blocking.
pub fn reapply(state: &AppState) -> Result<usize, DomainError> {
    let mut erased = 0;
    for entry in entries(state)? {
        let Ok(id) = entry.case_id.parse::<DocumentId>() else {
            continue;
        };
        let row = {
            let mut conn = state.db()?;
            documents::find(&mut conn, &id)?
        };
        let Some(row) = row.filter(|r| r.deleted_at.is_none()) else {
            continue;
        };
        // The erasure happened (or was authorised) after any hold the restored database
        // may still carry: it is completed regardless.
        erase(
            state,
            &Actor::Server,
            &id,
            &row,
            json!({ "reason": "erasure_ledger", "erased_at": entry.erased_at }),
            Holds::Ignore,
        )?;
        tracing::warn!(case = %id, erased_at = entry.erased_at, "a case erased earlier was back (a restored backup?): erased again from the erasure ledger");
        erased += 1;
    }
    Ok(erased)
}

/// Re-applies the ledger before the server serves; if the blob store does not answer, tries
/// again every few seconds in the background. Until it succeeds, requests other than the
/// probes are answered `503` (`request_guard::hold_until_erasures_applied`) and `/readyz`
/// says why.
pub fn apply_at_start(state: &AppState) {
    use std::sync::atomic::Ordering;
    if try_apply(state) {
        state.erasures_applied.store(true, Ordering::SeqCst);
        return;
    }
    let state = state.clone();
    std::thread::spawn(move || loop {
        std::thread::sleep(std::time::Duration::from_secs(2));
        if try_apply(&state) {
            state.erasures_applied.store(true, Ordering::SeqCst);
            return;
        }
        if *state.shutdown.borrow() {
            return;
        }
    });
}

fn try_apply(state: &AppState) -> bool {
    match reapply(state) {
        Ok(0) => true,
        Ok(n) => {
            tracing::warn!(cases = n, "erasures re-applied from the erasure ledger");
            true
        }
        Err(e) => {
            tracing::error!(error = %e, "the erasure ledger could not be re-applied; serving nothing but the probes until it is");
            false
        }
    }
}
