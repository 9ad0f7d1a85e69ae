//! Changes a device sent before the changes they depend on.
//!
//! An automerge peer leaves out the changes it believes the server has: a Bloom filter
//! false positive (about 1 %), or a message still in flight, and a change arrives without
//! its dependency. Automerge's own receiver queues such a change and asks for the missing
//! ones; so does the server, per session: the changes wait here, outside the shared
//! document, never applied, receipted or acknowledged, until what they depend on arrives.

use std::collections::{BTreeSet, HashMap, HashSet};

use automerge::{Automerge, Change, ChangeHash};
use casesync_contract::DocumentId;

/// How much one session holds per document before it gives up on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HoldLimits {
    pub max_changes: usize,
    /// Counted as the changes' encoded size.
    pub max_bytes: usize,
}

impl Default for HoldLimits {
    fn default() -> Self {
        Self {
            max_changes: 1_000,
            max_bytes: 8 * 1024 * 1024,
        }
    }
}

/// The changes one session (a WebSocket connection, or one batch request) holds for each
/// document until their dependencies arrive. Owned by the caller and handed to
/// [`crate::Engine::receive`], which alone adds and removes changes.
#[derive(Debug, Clone, Default)]
pub struct HeldChanges {
    limits: HoldLimits,
    docs: HashMap<DocumentId, Vec<Change>>,
}

impl HeldChanges {
    pub fn new(limits: HoldLimits) -> Self {
        Self {
            limits,
            docs: HashMap::new(),
        }
    }

    pub fn limits(&self) -> HoldLimits {
        self.limits
    }

    /// How many changes of `id` are held.
    pub fn count(&self, id: &DocumentId) -> usize {
        self.docs.get(id).map_or(0, Vec::len)
    }

    /// The hashes of the changes of `id` held, in the order they arrived.
    pub fn hashes(&self, id: &DocumentId) -> Vec<ChangeHash> {
        self.held(id).iter().map(Change::hash).collect()
    }

    /// The documents with changes held. When one of them changes (another device may have
    /// sent what they wait for), [`crate::Engine::receive`] with no changes admits those
    /// that became ready.
    pub fn documents(&self) -> impl Iterator<Item = &DocumentId> {
        self.docs.keys()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Drops what is held for `id` (the device stopped syncing it, or it was erased).
    pub fn forget(&mut self, id: &DocumentId) {
        self.docs.remove(id);
    }

    pub(super) fn held(&self, id: &DocumentId) -> &[Change] {
        self.docs.get(id).map_or(&[], Vec::as_slice)
    }

    pub(super) fn take(&mut self, id: &DocumentId) -> Vec<Change> {
        self.docs.remove(id).unwrap_or_default()
    }

    /// How many changes, and bytes, `changes` are when that is more than one document may
    /// hold.
    pub(super) fn over_limits(&self, changes: &[Change]) -> Option<(usize, usize)> {
        let bytes: usize = changes.iter().map(|c| c.raw_bytes().len()).sum();
        (changes.len() > self.limits.max_changes || bytes > self.limits.max_bytes)
            .then_some((changes.len(), bytes))
    }

    /// Holds `changes` for `id` (what was held is in them: [`Self::take`] took it).
    pub(super) fn put_back(&mut self, id: &DocumentId, changes: Vec<Change>) {
        if changes.is_empty() {
            self.docs.remove(id);
        } else {
            self.docs.insert(*id, changes);
        }
    }
}

/// The changes a device must still send: walking back from `from` through the `held`
/// changes, the first hashes that neither the document nor the held set has.
pub(super) fn missing(
    doc: &Automerge,
    held: &[Change],
    from: impl IntoIterator<Item = ChangeHash>,
) -> Vec<ChangeHash> {
    let held: HashMap<ChangeHash, &Change> = held.iter().map(|c| (c.hash(), c)).collect();
    let mut missing = BTreeSet::new();
    let mut seen = HashSet::new();
    let mut stack: Vec<ChangeHash> = from.into_iter().collect();
    while let Some(hash) = stack.pop() {
        if !seen.insert(hash) || crate::history::contains(doc, &hash) {
            continue;
        }
        match held.get(&hash) {
            Some(change) => stack.extend(change.deps()),
            None => {
                missing.insert(hash);
            }
        }
    }
    missing.into_iter().collect()
}

/// What the held changes themselves wait for.
pub(super) fn missing_for(doc: &Automerge, held: &[Change]) -> Vec<ChangeHash> {
    missing(doc, held, held.iter().map(Change::hash))
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::{transaction::Transactable, AutoCommit, ROOT};

    fn chain(n: usize) -> Vec<Change> {
        let mut doc = AutoCommit::new();
        for i in 0..n {
            doc.put(ROOT, "n", i as i64).unwrap();
            doc.commit();
        }
        doc.get_changes(&[])
    }

    #[test]
    fn missing_stops_at_the_first_hashes_nobody_has() {
        let changes = chain(4);
        let mut doc = Automerge::new();
        doc.apply_changes([changes[0].clone()]).unwrap();
        let held = vec![changes[2].clone(), changes[3].clone()];
        assert_eq!(missing_for(&doc, &held), vec![changes[1].hash()]);
        assert_eq!(
            missing(&doc, &held, [changes[3].hash()]),
            vec![changes[1].hash()]
        );
        // A head nobody has is what is missing itself.
        assert_eq!(
            missing(&doc, &[], [changes[3].hash()]),
            vec![changes[3].hash()]
        );
        assert!(missing(&doc, &held, [changes[0].hash()]).is_empty());
    }

    #[test]
    fn limits_count_changes() {
        let id = DocumentId::random();
        let mut held = HeldChanges::new(HoldLimits {
            max_changes: 2,
            max_bytes: usize::MAX,
        });
        assert_eq!(held.over_limits(&chain(2)), None);
        assert_eq!(held.over_limits(&chain(3)).map(|(n, _)| n), Some(3));
        held.put_back(&id, chain(2));
        assert_eq!(held.count(&id), 2);
        assert_eq!(held.take(&id).len(), 2);
        assert!(held.is_empty());
    }

    #[test]
    fn held_changes_move_between_threads() {
        fn send<T: Send>(_: &T) {}
        send(&HeldChanges::default());
    }
}
