//! Admission rules for case documents: after merging a device's changes the document must
//! still read as a case document, its identity must match where it lives, and every edit
//! must be allowed for the device user's role (the permission table of the contract).

use std::collections::HashSet;

use automerge::{Automerge, ChangeHash, ObjId, Patch, PatchAction, Prop, ReadDoc, Value, ROOT};
use casesync_contract::case::read_case;
use casesync_contract::case::values::display_value;
use casesync_contract::permissions::{self, check, root_zone, Operation, Zone};
use casesync_contract::views::provenance::element_ids;
use casesync_contract::DocumentId;

use super::authorship::check_authorship;
use super::touched::check_touched;
use super::{Refusal, Writer};

/// Checks a case document after the device's changes were applied to it; `patches` are what
/// they changed (from the document at `before` to now, as `doc.diff` gives them).
/// A document whose root is still empty passes: automerge-repo clients create a document in
/// one change and fill it in the next, and the first may arrive alone.
pub fn check_case(
    doc: &Automerge,
    id: &DocumentId,
    before: &[ChangeHash],
    writer: &Writer,
    patches: &[Patch],
) -> Result<(), Refusal> {
    let created = doc.keys_at(ROOT, before).next().is_none();
    if created && doc.keys(ROOT).next().is_none() {
        return Ok(());
    }
    // What a device changed in an existing case is all that needs checking again. The
    // server's own writes, and new cases, are read whole.
    let shape_checked =
        !created && writer.role.is_some() && matches!(check_touched(doc, patches), Some(Ok(())));
    if !shape_checked {
        check_whole(doc, id, created, writer)?;
    }
    let Some(role) = writer.role else {
        return Ok(()); // the server itself
    };
    let fresh = created_objects(patches);
    for patch in patches {
        let (zone, op, path) = classify(patch, &fresh, created);
        if let Some((zone, op)) = zone.zip(op) {
            check(role, zone, op, &path)?;
        }
        // Registers are written whole: splicing characters into one would merge two
        // people's values into a third that nobody wrote, instead of showing a conflict.
        if matches!(
            patch.action,
            PatchAction::SpliceText { .. } | PatchAction::DeleteSeq { .. }
        ) && path.starts_with("profile.")
            && !fresh.contains(&patch.obj)
        {
            return Err(Refusal::Denied(permissions::Denial {
                rule: "registers_written_whole",
                role,
                zone: Zone::Profile,
                operation: Operation::Edit,
                path,
            }));
        }
    }
    check_new_event_states(doc, &fresh, role)?;
    check_authorship(doc, &fresh, writer, role)?;
    Ok(())
}

/// Reads the whole document as a case and checks where it claims to live.
fn check_whole(
    doc: &Automerge,
    id: &DocumentId,
    created: bool,
    writer: &Writer,
) -> Result<(), Refusal> {
    let case = read_case(doc)?;
    if case.case_id.as_str() != id.to_string() {
        return Err(Refusal::WrongIdentity(format!(
            "case_id \"{}\" does not match the document id {id}",
            case.case_id
        )));
    }
    if created && case.organisation.as_str() != writer.organisation {
        return Err(Refusal::WrongIdentity(
            "a new case must belong to the device's organisation".into(),
        ));
    }
    if let (true, Some(site)) = (created, writer.site.as_deref()) {
        if case.site.as_str() != site {
            return Err(Refusal::WrongIdentity(
                "a new case must belong to the device's site".into(),
            ));
        }
    }
    Ok(())
}

/// Some episode states are decisions of particular roles (closure: coordinators). Read from
/// the document itself, whatever representation the client used for the text.
fn check_new_event_states(
    doc: &Automerge,
    fresh: &HashSet<ObjId>,
    role: casesync_contract::Role,
) -> Result<(), Refusal> {
    for episode in element_ids(doc, &list_at_root(doc, "episodes")) {
        let Ok(Some((_, events))) = doc.get(&episode, "events") else {
            continue;
        };
        for event in element_ids(doc, &events) {
            if !fresh.contains(&event) {
                continue;
            }
            let state = match doc.get(&event, "state") {
                Ok(Some((value, id))) => display_value(doc, &value, &id),
                _ => continue,
            };
            if !permissions::may_record_state(role, &state) {
                return Err(Refusal::Denied(permissions::Denial {
                    rule: "episode_state_by_role",
                    role,
                    zone: Zone::EpisodeEvents,
                    operation: Operation::Append,
                    path: format!("episodes[].events[].state = {state}"),
                }));
            }
        }
    }
    Ok(())
}

fn list_at_root(doc: &Automerge, key: &str) -> ObjId {
    match doc.get(ROOT, key) {
        Ok(Some((Value::Object(_), id))) => id,
        _ => ROOT,
    }
}

/// Objects made by this very diff: everything inside them is part of an append.
fn created_objects(patches: &[Patch]) -> HashSet<ObjId> {
    let mut fresh = HashSet::new();
    for patch in patches {
        match &patch.action {
            PatchAction::PutMap {
                value: (Value::Object(_), id),
                ..
            }
            | PatchAction::PutSeq {
                value: (Value::Object(_), id),
                ..
            } => {
                fresh.insert(id.clone());
            }
            PatchAction::Insert { values, .. } => {
                for (value, id, _) in values.iter() {
                    if matches!(value, Value::Object(_)) {
                        fresh.insert(id.clone());
                    }
                }
            }
            _ => {}
        }
    }
    fresh
}

/// Zone and operation of one patch; `None` when the patch is inside something new.
fn classify(
    patch: &Patch,
    fresh: &HashSet<ObjId>,
    created: bool,
) -> (Option<Zone>, Option<Operation>, String) {
    let props: Vec<&Prop> = patch.path.iter().map(|(_, p)| p).collect();
    let mut path = render(&props);
    if let Some(key) = action_key(&patch.action) {
        path = if path.is_empty() {
            key
        } else {
            format!("{path}.{key}")
        };
    }
    // Inside an object this same diff created: it is part of an append one level up.
    if fresh.contains(&patch.obj) {
        return (None, None, path);
    }
    let keys: Vec<String> = props.iter().map(|p| prop_str(p)).collect();
    let op = operation(&patch.action);
    let zone = match keys.as_slice() {
        // The root map itself: which key is written decides.
        [] => {
            let key = action_key(&patch.action).unwrap_or_default();
            if created {
                return (None, None, path); // the device writes the whole skeleton of a new case
            }
            let zone = root_zone(&key);
            // Replacing a whole log or the profile drops entries: never allowed.
            let op = if zone == Zone::Profile || is_root_log(zone) {
                Operation::Edit
            } else {
                op
            };
            return (Some(zone), Some(op), path);
        }
        [root] => root_zone(root),
        [root, _idx, events] if root == "episodes" && events == "events" => Zone::EpisodeEvents,
        [root, _idx, steps] if root == "checklists" && steps == "steps" => Zone::ChecklistSteps,
        [root, _idx, steps, _step] if root == "checklists" && steps == "steps" => {
            return (Some(Zone::ChecklistSteps), Some(Operation::Edit), path);
        }
        // A strategy meeting action's `done` register, written whole (the only edit a record
        // admits); anything else inside the action is an edit of the entry.
        [root, _idx, actions, _action] if root == "strategy_meetings" && actions == "actions" => {
            if action_key(&patch.action).as_deref() == Some("done") {
                return (Some(Zone::MeetingActionDone), Some(op), path);
            }
            return (Some(Zone::StrategyMeetings), Some(Operation::Edit), path);
        }
        [root, ..] => {
            // Inside an existing entry of a log: an edit, whatever the action.
            return (Some(root_zone(root)), Some(Operation::Edit), path);
        }
    };
    (Some(zone), Some(op), path)
}

fn is_root_log(zone: Zone) -> bool {
    !matches!(
        zone,
        Zone::Identity | Zone::Profile | Zone::Jurisdiction | Zone::Unknown
    )
}

fn operation(action: &PatchAction) -> Operation {
    match action {
        PatchAction::Insert { .. } => Operation::Append,
        PatchAction::DeleteMap { .. } | PatchAction::DeleteSeq { .. } => Operation::Delete,
        _ => Operation::Edit,
    }
}

fn action_key(action: &PatchAction) -> Option<String> {
    match action {
        PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } => Some(key.clone()),
        PatchAction::PutSeq { index, .. }
        | PatchAction::Insert { index, .. }
        | PatchAction::DeleteSeq { index, .. } => Some(format!("[{index}]")),
        _ => None,
    }
}

fn prop_str(p: &Prop) -> String {
    match p {
        Prop::Map(k) => k.clone(),
        Prop::Seq(i) => i.to_string(),
    }
}

fn render(props: &[&Prop]) -> String {
    let mut out = String::new();
    for p in props {
        match p {
            Prop::Map(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Prop::Seq(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}
