//! Writing a view's `case` part. Reconciling the whole content compares every entry of every
//! list, which on a case with thousands of observations costs tens of milliseconds per
//! change. The logs a view carries (observations, risk assessments, attachments, legal bases,
//! referrals) hold entries that never change once written (the case's logs are append-only),
//! so they are compared by the ids the view holds, and only the new entries are inserted,
//! where they belong in time order (a phone back online brings older entries). Episodes and
//! checklists change inside their entries and are short: they, the profile and the facts
//! are compared whole and rewritten when they differ.

use automerge::{ObjId, ObjType, Value, ROOT};
use autosurgeon::{hydrate_prop, reconcile_insert, reconcile_prop, Doc, Reconcile, ReconcileError};

use super::SharedCase;

/// Brings the view's `case` part to `content`, writing only what differs.
pub fn write_view_case<D: Doc>(doc: &mut D, content: &SharedCase) -> Result<(), ReconcileError> {
    let case_obj = match doc.get(&ROOT, "case")? {
        Some((Value::Object(ObjType::Map), id)) => id,
        _ => return reconcile_prop(doc, ROOT, "case", content),
    };
    whole(doc, &case_obj, "profile", &content.profile)?;
    whole(doc, &case_obj, "facts", &content.facts)?;
    whole(doc, &case_obj, "episodes", &content.episodes)?;
    whole(doc, &case_obj, "checklists", &content.checklists)?;
    // Records are few, and a meeting action's `done` changes inside its entry.
    whole(doc, &case_obj, "records", &content.records)?;
    let observations: Vec<&str> = content.observations.iter().map(|o| o.id.as_str()).collect();
    log(
        doc,
        &case_obj,
        "observations",
        "id",
        &observations,
        &content.observations,
    )?;
    let assessments: Vec<&str> = content
        .risk_assessments
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    log(
        doc,
        &case_obj,
        "risk_assessments",
        "id",
        &assessments,
        &content.risk_assessments,
    )?;
    let attachments: Vec<&str> = content
        .attachments
        .iter()
        .map(|a| a.sha256.as_str())
        .collect();
    log(
        doc,
        &case_obj,
        "attachments",
        "sha256",
        &attachments,
        &content.attachments,
    )?;
    let bases: Vec<&str> = content.legal_bases.iter().map(|b| b.id.as_str()).collect();
    log(
        doc,
        &case_obj,
        "legal_bases",
        "id",
        &bases,
        &content.legal_bases,
    )?;
    let referrals: Vec<&str> = content.referrals.iter().map(|r| r.id.as_str()).collect();
    log(
        doc,
        &case_obj,
        "referrals",
        "id",
        &referrals,
        &content.referrals,
    )?;
    Ok(())
}

/// A part compared and rewritten whole.
fn whole<D, T>(doc: &mut D, case_obj: &ObjId, key: &str, wanted: &T) -> Result<(), ReconcileError>
where
    D: Doc,
    T: Reconcile + autosurgeon::Hydrate + PartialEq,
{
    let held: Option<T> = hydrate_prop(&*doc, case_obj, key).ok();
    if held.as_ref() != Some(wanted) {
        reconcile_prop(doc, case_obj, key, wanted)?;
    }
    Ok(())
}

/// A log of unchanging entries: the entries the view lacks are inserted in place; anything
/// else (an entry gone, the order changed) rewrites the log whole.
fn log<D: Doc, T: Reconcile>(
    doc: &mut D,
    case_obj: &ObjId,
    key: &str,
    id_field: &str,
    wanted_ids: &[&str],
    wanted: &[T],
) -> Result<(), ReconcileError> {
    let list_obj = match doc.get(case_obj, key)? {
        Some((Value::Object(ObjType::List), id)) => id,
        _ => return reconcile_prop(doc, case_obj, key, wanted),
    };
    let held: Vec<Option<String>> = (0..doc.length(&list_obj))
        .map(|i| match doc.get(&list_obj, i) {
            Ok(Some((Value::Object(_), entry))) => match doc.get(&entry, id_field) {
                // Rust apps write ids as strings, JS apps as text objects.
                Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
                    automerge::ScalarValue::Str(text) => Some(text.to_string()),
                    _ => None,
                },
                Ok(Some((Value::Object(ObjType::Text), text))) => doc.text(&text).ok(),
                _ => None,
            },
            _ => None,
        })
        .collect();
    // Where each new entry goes: walk both in order; a held entry that is not next in
    // `wanted` means something other than insertions happened.
    let mut inserts = Vec::new();
    let mut h = 0;
    for (w, id) in wanted_ids.iter().enumerate() {
        if held.get(h).and_then(|x| x.as_deref()) == Some(*id) {
            h += 1;
        } else {
            inserts.push(w);
        }
    }
    if h != held.len() {
        return reconcile_prop(doc, case_obj, key, wanted);
    }
    // Inserting at `w` in increasing order: every earlier insert is already in place.
    for w in inserts {
        reconcile_insert(doc, list_obj.clone(), w, &wanted[w])?;
    }
    Ok(())
}
