//! The case shape, checked only where a batch changed the document. Every stored case was
//! checked whole when its last changes were admitted, so when a batch only appends log
//! entries, edits entries or writes profile registers, reading back those entries and the
//! profile and checking them with the contract's rules says as much as reading the whole
//! document again, at a cost that does not grow with the case's history.
//!
//! Anything else (root keys, replaced or deleted entries, counters, marks) returns `None`,
//! and the caller reads the whole document as before.

use std::collections::{BTreeMap, HashSet};

use automerge::{Automerge, ObjId, ObjType, Patch, PatchAction, Prop, ReadDoc, Value, ROOT};
use autosurgeon::{Hydrate, HydrateError};
use casesync_contract::case::validate::check_case as check_shape;
use casesync_contract::case::{
    AttachmentRef, CaseDocument, CaseLog, Millis, ShapeError, Str, Whole, CASE_KIND, SCHEMA_VERSION,
};

/// `Some(Ok)` when every part the patches touched still reads as a case would; `Some(Err)`
/// when one does not (the caller then reads the whole document for the exact refusal);
/// `None` when the patches touch something checked only by reading the whole document.
pub fn check_touched(doc: &Automerge, patches: &[Patch]) -> Option<Result<(), ShapeError>> {
    let mut entries: Vec<(&'static str, ObjId)> = Vec::new();
    let mut seen: HashSet<ObjId> = HashSet::new();
    let mut profile = false;
    for patch in patches {
        let Some((parent, Prop::Map(root))) = patch.path.first() else {
            return None; // a root key itself was written or deleted
        };
        if *parent != ROOT {
            return None;
        }
        if root == "profile" {
            profile = true;
            continue;
        }
        // The root lists whose entries can be checked one by one.
        let log = CaseLog::ALL
            .iter()
            .map(|l| l.key())
            .find(|l| *l == root.as_str())?;
        let entry = match (patch.path.len(), &patch.action) {
            // Entries added to the log: each is read back whole below.
            (1, PatchAction::Insert { values, .. }) => {
                for (value, id, _) in values.iter() {
                    if !matches!(value, Value::Object(ObjType::Map)) {
                        return None;
                    }
                    if seen.insert(id.clone()) {
                        entries.push((log, id.clone()));
                    }
                }
                continue;
            }
            (1, _) => return None, // an entry replaced or deleted
            // Inside an entry (new or existing): that entry is read back whole.
            (2, _) => patch.obj.clone(),
            (_, _) => patch.path[2].0.clone(),
        };
        if seen.insert(entry.clone()) {
            entries.push((log, entry));
        }
    }
    Some(read_back(doc, &entries, profile))
}

/// The touched entries and profile, as a case holding only them, checked by the contract.
fn read_back(
    doc: &Automerge,
    entries: &[(&'static str, ObjId)],
    profile: bool,
) -> Result<(), ShapeError> {
    // Every field named: a log added to the model fails to compile here until LOGS has it.
    let mut case = CaseDocument {
        schema_version: Whole(SCHEMA_VERSION),
        kind: Str::from(CASE_KIND),
        // Root keys were not touched: they are as valid as when last checked.
        case_id: Str::from("unchanged"),
        organisation: Str::from("unchanged"),
        site: Str::from("unchanged"),
        jurisdiction: None,
        created_at: Millis(0),
        profile: BTreeMap::new(),
        observations: vec![],
        episodes: vec![],
        risk_assessments: vec![],
        checklists: vec![],
        legal_bases: vec![],
        referrals: vec![],
        attachments: vec![],
        strategy_meetings: vec![],
        wellbeing_checks: vec![],
        return_interviews: vec![],
        nrm_referrals: vec![],
        police_instruments: vec![],
        notifications: vec![],
    };
    if profile {
        case.profile = autosurgeon::hydrate_prop(doc, ROOT, "profile").map_err(unreadable)?;
    }
    for (log, obj) in entries {
        if doc.object_type(obj).ok() != Some(ObjType::Map) {
            return Err(ShapeError::Unreadable(format!(
                "{log}[] entry is not a map"
            )));
        }
        match *log {
            "observations" => case.observations.push(entry(doc, obj)?),
            "episodes" => case.episodes.push(entry(doc, obj)?),
            "risk_assessments" => case.risk_assessments.push(entry(doc, obj)?),
            "checklists" => case.checklists.push(entry(doc, obj)?),
            "legal_bases" => case.legal_bases.push(entry(doc, obj)?),
            "referrals" => case.referrals.push(entry(doc, obj)?),
            "strategy_meetings" => case.strategy_meetings.push(entry(doc, obj)?),
            "wellbeing_checks" => case.wellbeing_checks.push(entry(doc, obj)?),
            "return_interviews" => case.return_interviews.push(entry(doc, obj)?),
            "nrm_referrals" => case.nrm_referrals.push(entry(doc, obj)?),
            "police_instruments" => case.police_instruments.push(entry(doc, obj)?),
            "notifications" => case.notifications.push(entry(doc, obj)?),
            _ => case.attachments.push(entry::<AttachmentRef>(doc, obj)?),
        }
    }
    check_shape(&case)
}

fn entry<T: Hydrate>(doc: &Automerge, obj: &ObjId) -> Result<T, ShapeError> {
    T::hydrate_map(doc, obj).map_err(unreadable)
}

fn unreadable(e: HydrateError) -> ShapeError {
    ShapeError::Unreadable(e.to_string())
}
