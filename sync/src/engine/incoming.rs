//! The changes a device sent, before anything is applied: parsed, new ones kept, and their
//! dependencies known.

use std::collections::HashSet;

use automerge::{Automerge, Change, ChangeHash};

use crate::admission::Refusal;
use crate::contain::change_from_bytes;

pub(super) fn parse_changes(raw: &[Vec<u8>]) -> Result<Vec<Change>, Refusal> {
    raw.iter()
        .enumerate()
        .map(|(i, bytes)| {
            change_from_bytes(bytes.clone())
                .map_err(|e| Refusal::InvalidChanges(format!("change {i}: {e}")))
        })
        .collect()
}

/// The changes the document does not have yet, each once.
pub(super) fn new_changes(doc: &Automerge, changes: Vec<Change>) -> Vec<Change> {
    let mut seen = HashSet::new();
    changes
        .into_iter()
        .filter(|c| !crate::history::contains(doc, &c.hash()) && seen.insert(c.hash()))
        .collect()
}

pub(super) fn check_dependencies(doc: &Automerge, new: &[Change]) -> Result<(), Refusal> {
    let in_batch: HashSet<ChangeHash> = new.iter().map(Change::hash).collect();
    let missing = new
        .iter()
        .filter(|c| {
            c.deps()
                .iter()
                .any(|d| !in_batch.contains(d) && !crate::history::contains(doc, d))
        })
        .count();
    if missing > 0 {
        return Err(Refusal::MissingDependencies(missing));
    }
    Ok(())
}
