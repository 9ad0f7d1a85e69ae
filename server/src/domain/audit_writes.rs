//! What the audit trail records of a write to a case, whatever path it came by (batch,
//! WebSocket, a page, the server): the engine asks this when it stores the write, and the
//! store appends the entries in the write's own transaction (`EngineConfig::audits`). So a
//! write is never stored without its entries, and entries that cannot be written fail it.

use automerge::{PatchAction, Prop};
use casesync_contract::case::read_case;
use casesync_contract::wire::DocumentKind;
use casesync_sync::store::{AuditFacts, AuditNote};
use serde_json::{json, Value};

use crate::domain::audit::AuditAction;

/// The entries of a write: `case.written` with the changes it added, and one
/// `case.referral_recorded` per referral (or cross-border notification) it appended. Other
/// documents (alerts, caseloads) are the server's own bookkeeping: not recorded.
pub fn notes(facts: &AuditFacts<'_>) -> Vec<AuditNote> {
    if facts.kind != DocumentKind::Case {
        return vec![];
    }
    let written = json!({
        "changes": facts.added.iter().map(|h| h.to_string()).collect::<Vec<_>>(),
        "created": facts.created,
    });
    let mut notes = vec![note(AuditAction::CaseWritten, &written)];
    // A person on the pages writes a profile register only to resolve a conflict (keep one
    // of the concurrent values, or write a new one): an override, recorded as such.
    if crate::web::session::is_web_device(&facts.writer.device) {
        for field in written_profile_fields(facts) {
            let detail = json!({ "conflict": format!("profile.{field}"), "via": "web" });
            notes.push(note(AuditAction::CaseOverride, &detail));
        }
    }
    for referral in new_referrals(facts) {
        notes.push(note(AuditAction::ReferralRecorded, &referral));
    }
    notes
}

fn note(action: AuditAction, detail: &Value) -> AuditNote {
    AuditNote {
        action: action.as_str().to_string(),
        detail: detail.to_string(),
    }
}

/// The profile registers the write set.
fn written_profile_fields(facts: &AuditFacts<'_>) -> Vec<String> {
    let mut fields: Vec<String> = facts
        .patches
        .iter()
        .filter_map(|p| match (p.path.as_slice(), &p.action) {
            ([(_, Prop::Map(root))], PatchAction::PutMap { key, .. }) if root == "profile" => {
                Some(key.clone())
            }
            _ => None,
        })
        .collect();
    fields.sort();
    fields.dedup();
    fields
}

/// Referrals appended by the write, with the legal basis and data categories each records:
/// the facts an auditor needs, no case content. Read from what the changes did (the patches
/// admission already computed), so a write that adds none costs nothing here.
fn new_referrals(facts: &AuditFacts<'_>) -> Vec<Value> {
    let inserted: Vec<usize> = facts
        .patches
        .iter()
        .filter(|p| matches!(p.path.as_slice(), [(_, Prop::Map(k))] if k == "referrals"))
        .flat_map(|p| match &p.action {
            PatchAction::Insert { index, values, .. } => (*index..*index + values.len()).collect(),
            _ => vec![],
        })
        .collect();
    if inserted.is_empty() {
        return vec![];
    }
    let Ok(case) = read_case(facts.doc) else {
        return vec![];
    };
    inserted
        .into_iter()
        .filter_map(|i| case.referrals.get(i))
        .map(|r| {
            json!({
                "referral_id": r.id.as_str(),
                "to": r.to.as_str(),
                "legal_basis": r.legal_basis.as_str(),
                "data_categories": r.categories.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
                "cross_border": r.cross_border,
            })
        })
        .collect()
}
