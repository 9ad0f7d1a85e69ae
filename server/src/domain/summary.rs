//! Keeps the case list read model in step with the documents.

use automerge::Automerge;
use casesync_contract::case::CaseDocument;
use casesync_contract::views::{child_status, profile_conflicts, NoReceipts};
use casesync_contract::wire::case_reference;
use casesync_contract::DocumentId;
use casesync_schema::directory::summaries::CaseSummaryRow;

/// The name coordinators see in lists: given and family name, or the reference.
pub fn display_name(case: &CaseDocument, id: &DocumentId) -> String {
    let name: Vec<&str> = ["given_name", "family_name"]
        .iter()
        .filter_map(|k| case.profile.get(*k).map(|v| v.as_str()))
        .filter(|v| !v.trim().is_empty())
        .collect();
    if name.is_empty() {
        case_reference(id)
    } else {
        name.join(" ")
    }
}

/// The summary row of a case document as it is now (`case` read from `doc`).
pub fn summarise(
    doc: &Automerge,
    case: &CaseDocument,
    id: &DocumentId,
    now: i64,
) -> CaseSummaryRow {
    let (status, episode) = child_status(&case.episodes);
    CaseSummaryRow {
        document_id: id.to_string(),
        organisation_id: case.organisation.0.clone(),
        site_id: case.site.0.clone(),
        reference: case_reference(id),
        display_name: display_name(case, id),
        status: status.as_str().to_string(),
        status_since: episode.map(|e| e.since),
        open_conflicts: profile_conflicts(doc, &NoReceipts).len() as i32,
        updated_at: now,
    }
}
