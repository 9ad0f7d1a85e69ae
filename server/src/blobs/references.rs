//! Keeps the blob references of a case in step with the document: after every admitted
//! change, the hashes in `attachments[].sha256`, `observations[].attachments` and
//! `profile.photo` (every concurrent value of it: a photo in an unresolved conflict is
//! still the child's photo) become the case's references.

use std::collections::BTreeSet;

use automerge::{Automerge, ReadDoc, ROOT};
use casesync_contract::case::read_case;
use casesync_contract::case::values::display_value;
use casesync_contract::wire::is_blob_hash;
use casesync_contract::DocumentId;
use casesync_schema::blobs::references;
use casesync_schema::directory::documents;

use crate::error::ApiError;
use crate::state::AppState;

fn normalise(hash: &str) -> Option<String> {
    let hash = hash.trim().to_ascii_lowercase();
    is_blob_hash(&hash).then_some(hash)
}

/// The blob hashes a case document references, or `None` if it does not read as a case
/// (then its references are left as they are).
pub fn referenced_hashes(doc: &Automerge) -> Option<BTreeSet<String>> {
    let case = read_case(doc).ok()?;
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
    Some(hashes)
}

/// Recomputes the references of one document. Blocking.
pub fn refresh(state: &AppState, id: &DocumentId) -> Result<(), ApiError> {
    let Some(Some(hashes)) = state.engine.read(id, referenced_hashes)? else {
        return Ok(());
    };
    let mut conn = state.db()?;
    // The organisation the server recorded for the case, not the document's own claim.
    let Some(row) = documents::find(&mut conn, id)? else {
        return Ok(());
    };
    references::replace(
        &mut conn,
        &id.to_string(),
        &row.organisation_id,
        &hashes,
        state.now(),
    )?;
    Ok(())
}
