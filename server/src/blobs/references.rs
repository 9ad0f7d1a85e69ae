//! Keeps the blob references of a case in step with the document: after every admitted
//! change, the hashes in `attachments[].sha256`, `observations[].attachments` and
//! `profile.photo` (every concurrent value of it: a photo in an unresolved conflict is
//! still the child's photo) become the case's references.

use std::collections::BTreeSet;

use automerge::{Automerge, ReadDoc, ROOT};
use casesync_contract::case::values::display_value;
use casesync_contract::case::CaseDocument;
use casesync_contract::wire::is_blob_hash;
use casesync_contract::DocumentId;
use casesync_schema::blobs::references;
use casesync_schema::directory::documents;

use crate::domain::error::DomainError;
use crate::state::AppState;

fn normalise(hash: &str) -> Option<String> {
    let hash = hash.trim().to_ascii_lowercase();
    is_blob_hash(&hash).then_some(hash)
}

/// The blob hashes a case document references (`case` read from `doc`).
pub fn referenced_hashes(doc: &Automerge, case: &CaseDocument) -> BTreeSet<String> {
    let mut hashes: BTreeSet<String> = case
        .attachments
        .iter()
        .filter_map(|a| normalise(a.sha256.as_str()))
        .collect();
    hashes.extend(
        case.observations
            .iter()
            .flat_map(|o| o.attachments.iter().flatten())
            .filter_map(|h| normalise(h.as_str())),
    );
    if let Ok(Some((_, profile))) = doc.get(ROOT, "profile") {
        if let Ok(values) = doc.get_all(&profile, "photo") {
            hashes.extend(
                values
                    .iter()
                    .filter_map(|(value, id)| normalise(&display_value(doc, value, id))),
            );
        }
    }
    hashes
}

/// Stores the references of one case. Blocking.
pub fn store(
    state: &AppState,
    id: &DocumentId,
    hashes: &BTreeSet<String>,
) -> Result<(), DomainError> {
    let mut conn = state.db()?;
    // The organisation the server recorded for the case, not the document's own claim.
    let Some(row) = documents::find(&mut conn, id)? else {
        return Ok(());
    };
    references::replace(
        &mut conn,
        &id.to_string(),
        &row.organisation_id,
        hashes,
        state.now(),
    )?;
    Ok(())
}
