//! Questions about a document's change history that need only its change graph.
//!
//! `Automerge::get_change_by_hash` rebuilds the whole change from the op columns: on a long
//! history, asking it "do you have this change?" for every head of every sync message cost
//! more than admitting the changes. The change metadata comes from the graph alone.

use std::collections::HashSet;

use automerge::{Automerge, ChangeHash};

/// Whether the document holds the change.
pub fn contains(doc: &Automerge, hash: &ChangeHash) -> bool {
    doc.get_change_meta_by_hash(hash).is_some()
}

/// The hashes of `heads` the document holds, in their order.
pub fn known(doc: &Automerge, heads: &[ChangeHash]) -> Vec<ChangeHash> {
    heads.iter().filter(|h| contains(doc, h)).copied().collect()
}

/// Whether `change` is one of `heads` or one of their ancestors, as far as the document
/// knows the history (a head it does not hold counts for nothing).
///
/// Walks back only through changes that could descend from `change`: a change's first op
/// counter is above every op of its ancestors, so a change starting below `change`'s first
/// op cannot have it as an ancestor. Asking about a recent change costs the changes since,
/// not the whole history.
pub fn reaches(doc: &Automerge, heads: &[ChangeHash], change: &ChangeHash) -> bool {
    let Some(target) = doc.get_change_meta_by_hash(change) else {
        return false;
    };
    let mut stack: Vec<ChangeHash> = heads.to_vec();
    let mut seen = HashSet::new();
    while let Some(hash) = stack.pop() {
        if hash == *change {
            return true;
        }
        if !seen.insert(hash) {
            continue;
        }
        if let Some(meta) = doc.get_change_meta_by_hash(&hash) {
            if meta.start_op >= target.start_op {
                stack.extend(meta.deps);
            }
        }
    }
    false
}

/// The hashes of the changes the document holds that `heads` do not reach.
pub fn not_reached(doc: &Automerge, heads: &[ChangeHash]) -> HashSet<ChangeHash> {
    doc.get_changes_meta(&known(doc, heads))
        .into_iter()
        .map(|m| m.hash)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::{transaction::Transactable, AutoCommit, ROOT};

    fn doc_with(n: usize) -> (AutoCommit, Vec<ChangeHash>) {
        let mut doc = AutoCommit::new();
        let mut hashes = Vec::new();
        for i in 0..n {
            doc.put(ROOT, "n", i as i64).unwrap();
            hashes.push(doc.commit().unwrap());
        }
        (doc, hashes)
    }

    #[test]
    fn answers_from_the_change_graph() {
        let (mut doc, hashes) = doc_with(3);
        let (mut other, foreign) = doc_with(1);
        let doc = doc.document();
        assert!(hashes.iter().all(|h| contains(doc, h)));
        assert!(!contains(doc, &foreign[0]));
        assert_eq!(known(doc, &[foreign[0], hashes[1]]), vec![hashes[1]]);
        assert!(reaches(doc, &[hashes[2]], &hashes[0]));
        assert!(!reaches(doc, &[hashes[0]], &hashes[2]));
        assert!(!reaches(doc, &[foreign[0]], &hashes[0]));
        assert!(reaches(doc, &[hashes[2]], &hashes[2]));
        assert!(reaches(doc, &[hashes[1]], &hashes[1]));
        assert_eq!(
            not_reached(doc, &[hashes[0]]),
            HashSet::from([hashes[1], hashes[2]])
        );
        assert_eq!(not_reached(doc, &[]).len(), 3);
        let _ = other.document();
    }

    #[test]
    fn reaches_across_concurrent_branches() {
        let (mut a, _) = doc_with(1);
        let mut b = a.fork();
        b.put(ROOT, "b", 1).unwrap();
        let b1 = b.commit().unwrap();
        b.put(ROOT, "b", 2).unwrap();
        b.commit().unwrap();
        for i in 0..5 {
            a.put(ROOT, "a", i).unwrap();
            a.commit().unwrap();
        }
        let a_alone = a.get_heads();
        a.merge(&mut b).unwrap();
        a.put(ROOT, "m", 1).unwrap();
        let m = a.commit().unwrap();
        let doc = a.document();
        assert!(reaches(doc, &[m], &b1));
        assert!(!reaches(doc, &a_alone, &b1));
    }
}
