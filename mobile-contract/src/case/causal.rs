//! Which episode events the author of each event had seen, read from the automerge change
//! graph instead of the event's own `supersedes` field.
//!
//! Safety first decides on concurrency: two events that did not see each other and disagree
//! (`returned` and `missing`) leave the child missing. A phone writes `supersedes` itself, so
//! an old or careless client could claim to have seen a `missing` report it never received,
//! and an event without the field was taken to have seen everything earlier by the phone's
//! clock. The change graph cannot be claimed: an event's change has in its history exactly
//! the changes its device had received when it was recorded. Events written in one change
//! were seen together; the later one in the list counts as having seen the earlier.

use automerge::{Automerge, ChangeHash, ObjId, ObjType, ReadDoc, Value, ROOT};

use super::validate::{read_case, ShapeError};
use super::{CaseDocument, Str};

/// [`read_case`], with every episode event's `supersedes` replaced by the events its change
/// had in its history. An event whose change cannot be found keeps what it says.
pub fn read_case_causal(doc: &Automerge) -> Result<CaseDocument, ShapeError> {
    let mut case = read_case(doc)?;
    let episodes = list_elements(doc, &ROOT, "episodes");
    for (episode, obj) in case.episodes.iter_mut().zip(episodes) {
        if episode.events.len() < 2 {
            // One event has seen no other: nothing to read from the graph (the common case,
            // and reading costs a walk of the history per event).
            if let Some(event) = episode.events.first_mut() {
                event.supersedes = Some(vec![]);
            }
            continue;
        }
        let Some(events) = list_object(doc, &obj, "events") else {
            continue;
        };
        let seen = seen_events(doc, &events);
        // Ids, not positions, go in `supersedes`.
        let ids: Vec<Str> = episode.events.iter().map(|e| e.id.clone()).collect();
        for (event, seen) in episode.events.iter_mut().zip(seen) {
            if let Some(seen) = seen {
                let seen = seen.into_iter().filter_map(|k| ids.get(k).cloned());
                event.supersedes = Some(seen.collect());
            }
        }
    }
    Ok(case)
}

/// For each element of the events list, the positions of the other events its change had
/// seen; `None` when its change is unknown.
fn seen_events(doc: &Automerge, events: &ObjId) -> Vec<Option<Vec<usize>>> {
    let elements = element_objects(doc, events);
    let origins: Vec<Option<ChangeHash>> = elements.iter().map(|e| doc.hash_for_opid(e)).collect();
    elements
        .iter()
        .enumerate()
        .map(|(j, _)| {
            let origin = origins[j]?;
            let visible: Vec<ObjId> = doc
                .list_range_at(events, .., &[origin])
                .map(|item| item.id())
                .collect();
            Some(
                elements
                    .iter()
                    .enumerate()
                    .filter(|(k, element)| {
                        *k != j
                            && visible.contains(element)
                            && (origins[*k] != Some(origin) || *k < j)
                    })
                    .map(|(k, _)| k)
                    .collect(),
            )
        })
        .collect()
}

fn list_object(doc: &Automerge, parent: &ObjId, key: &str) -> Option<ObjId> {
    match doc.get(parent, key).ok()?? {
        (Value::Object(ObjType::List), list) => Some(list),
        _ => None,
    }
}

fn list_elements(doc: &Automerge, parent: &ObjId, key: &str) -> Vec<ObjId> {
    list_object(doc, parent, key).map_or_else(Vec::new, |list| element_objects(doc, &list))
}

fn element_objects(doc: &Automerge, list: &ObjId) -> Vec<ObjId> {
    (0..doc.length(list))
        .filter_map(|i| match doc.get(list, i) {
            Ok(Some((Value::Object(_), id))) => Some(id),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
#[path = "causal_tests.rs"]
mod tests;
