//! Sorting a device's changes before admission, in causal order: each is ready (its whole
//! history is stored or comes with it), waits for a change nobody has sent yet, or is
//! refused without being looked at (it, or a change it depends on, was refused before).

use std::collections::{BTreeSet, HashMap, HashSet};

use automerge::{Automerge, Change, ChangeHash};

use super::refused::{Verdict, Verdicts};

pub(super) struct Triage {
    /// In causal order: a change comes after those it depends on.
    pub(super) ready: Vec<Change>,
    /// In causal order too.
    pub(super) waiting: Vec<Change>,
}

/// Sorts `changes`, new to `doc` and each there once. `remembered` says which changes were
/// refused before; those, and the changes depending on them, go to `verdicts`.
pub(super) fn triage(
    doc: &Automerge,
    changes: Vec<Change>,
    remembered: impl Fn(&ChangeHash) -> Option<Verdict>,
    verdicts: &mut Verdicts,
) -> Triage {
    let sent: HashSet<ChangeHash> = changes.iter().map(Change::hash).collect();
    let stored = |hash: &ChangeHash| crate::history::contains(doc, hash);
    let mut waiting_for: HashSet<ChangeHash> = HashSet::new();
    let mut triage = Triage {
        ready: Vec::new(),
        waiting: Vec::new(),
    };
    for change in causal_order(changes) {
        let hash = change.hash();
        if let Some(verdict) = remembered(&hash) {
            verdicts.repeat(hash, verdict);
            continue;
        }
        if let Some(refused) = verdicts.refused_among(change.deps()) {
            verdicts.refuse_dependent(hash, refused);
            continue;
        }
        // Not sent again, but its refusal is remembered: no need to wait for it.
        let unknown = || {
            change
                .deps()
                .iter()
                .filter(|d| !sent.contains(*d) && !stored(d))
        };
        if let Some(verdict) = unknown().find_map(&remembered) {
            verdicts.repeat(hash, verdict);
            continue;
        }
        let waits =
            unknown().next().is_some() || change.deps().iter().any(|d| waiting_for.contains(d));
        if waits {
            waiting_for.insert(hash);
            triage.waiting.push(change);
        } else {
            triage.ready.push(change);
        }
    }
    triage
}

/// `changes` with each after those of them it depends on; otherwise in the order given.
pub(super) fn causal_order(changes: Vec<Change>) -> Vec<Change> {
    let position: HashMap<ChangeHash, usize> = changes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.hash(), i))
        .collect();
    let mut unmet = vec![0usize; changes.len()];
    let mut dependents = vec![Vec::new(); changes.len()];
    for (i, change) in changes.iter().enumerate() {
        for dep in change.deps() {
            if let Some(&j) = position.get(dep) {
                unmet[i] += 1;
                dependents[j].push(i);
            }
        }
    }
    let mut next: BTreeSet<usize> = (0..changes.len()).filter(|&i| unmet[i] == 0).collect();
    let mut order = Vec::with_capacity(changes.len());
    while let Some(i) = next.pop_first() {
        order.push(i);
        for &k in &dependents[i] {
            unmet[k] -= 1;
            if unmet[k] == 0 {
                next.insert(k);
            }
        }
    }
    let mut slots: Vec<Option<Change>> = changes.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::{transaction::Transactable, AutoCommit, ROOT};
    use casesync_contract::errors::{ErrorCode, ErrorDetail};

    fn chain(n: usize) -> Vec<Change> {
        let mut doc = AutoCommit::new();
        for i in 0..n {
            doc.put(ROOT, "n", i as i64).unwrap();
            doc.commit();
        }
        doc.get_changes(&[])
    }

    fn hashes(changes: &[Change]) -> Vec<ChangeHash> {
        changes.iter().map(Change::hash).collect()
    }

    #[test]
    fn causal_order_puts_dependencies_first() {
        let c = chain(4);
        let shuffled = vec![c[3].clone(), c[1].clone(), c[2].clone(), c[0].clone()];
        assert_eq!(hashes(&causal_order(shuffled)), hashes(&c));
    }

    #[test]
    fn ready_waiting_and_remembered() {
        let c = chain(5);
        let mut doc = Automerge::new();
        doc.apply_changes([c[0].clone()]).unwrap();
        let mut verdicts = Verdicts::default();
        // c[2] is missing: c[3] and c[4] wait for it.
        let sorted = triage(
            &doc,
            vec![c[4].clone(), c[3].clone(), c[1].clone()],
            |_| None,
            &mut verdicts,
        );
        assert_eq!(hashes(&sorted.ready), vec![c[1].hash()]);
        assert_eq!(hashes(&sorted.waiting), vec![c[3].hash(), c[4].hash()]);
        // c[2] was refused before: what depends on it is refused, not held.
        let verdict = Verdict {
            at_fault: c[2].hash(),
            detail: ErrorDetail::new(ErrorCode::PermissionDenied, "no"),
        };
        let bad = c[2].hash();
        let sorted = triage(
            &doc,
            vec![c[4].clone(), c[3].clone()],
            |h| (*h == bad).then(|| verdict.clone()),
            &mut verdicts,
        );
        assert!(sorted.ready.is_empty() && sorted.waiting.is_empty());
        let rejected = verdicts.into_rejected().unwrap();
        assert_eq!(rejected.changes, vec![c[3].hash(), c[4].hash()]);
        assert!(rejected.refusal.to_string().contains("depends on refused"));
    }
}
