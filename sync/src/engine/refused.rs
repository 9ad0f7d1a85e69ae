//! Refused changes: those of one call, and those the engine remembers so that a device
//! resending a refused change is answered without admitting it again.
//!
//! A change is refused either for what it does (the change at fault) or because it depends
//! on a refused change: it cannot be stored without its history. Either way the device
//! hears the refusal of the change at fault.

use std::collections::{HashMap, VecDeque};

use automerge::ChangeHash;
use casesync_contract::errors::ErrorDetail;
use casesync_contract::DocumentId;

use crate::admission::Refusal;

/// Why a change was refused: the change at fault (itself, or one it depends on) and what
/// its refusal said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Verdict {
    pub(super) at_fault: ChangeHash,
    pub(super) detail: ErrorDetail,
}

impl Verdict {
    /// What a device hears about `change` under this verdict.
    fn detail_for(&self, change: &ChangeHash) -> ErrorDetail {
        if *change == self.at_fault {
            return self.detail.clone();
        }
        ErrorDetail::new(
            self.detail.code,
            format!(
                "depends on refused change {}: {}",
                self.at_fault, self.detail.message
            ),
        )
    }
}

/// The changes of one call that were refused.
#[derive(Debug)]
pub struct Rejected {
    /// The first refusal, in causal order: the rule a change at fault broke (or, for a change
    /// refused before, [`Refusal::Repeated`] with what its refusal said then).
    pub refusal: Refusal,
    /// Every change refused by the call: those at fault and those depending on them.
    pub changes: Vec<ChangeHash>,
}

/// Refusals collected while one call sorts and admits a device's changes.
#[derive(Default)]
pub(super) struct Verdicts {
    first: Option<Refusal>,
    order: Vec<ChangeHash>,
    by_change: HashMap<ChangeHash, Verdict>,
}

impl Verdicts {
    /// `change` is at fault. Storage failures are not the change's: the caller never passes
    /// them here.
    pub(super) fn refuse(&mut self, change: ChangeHash, refusal: Refusal) {
        let verdict = Verdict {
            at_fault: change,
            detail: refusal.detail(),
        };
        self.record(change, verdict, refusal);
    }

    /// `change` was refused before, or depends on a change refused before.
    pub(super) fn repeat(&mut self, change: ChangeHash, verdict: Verdict) {
        let refusal = Refusal::Repeated(verdict.detail_for(&change));
        self.record(change, verdict, refusal);
    }

    /// `change` depends on `refused`, refused in this call.
    pub(super) fn refuse_dependent(&mut self, change: ChangeHash, refused: &ChangeHash) {
        if let Some(verdict) = self.by_change.get(refused).cloned() {
            let refusal = Refusal::Repeated(verdict.detail_for(&change));
            self.record(change, verdict, refusal);
        }
    }

    /// The first of `deps` refused in this call, if any.
    pub(super) fn refused_among<'a>(&self, deps: &'a [ChangeHash]) -> Option<&'a ChangeHash> {
        deps.iter().find(|d| self.by_change.contains_key(d))
    }

    fn record(&mut self, change: ChangeHash, verdict: Verdict, refusal: Refusal) {
        if self.by_change.insert(change, verdict).is_none() {
            self.order.push(change);
            self.first.get_or_insert(refusal);
        }
    }

    /// The verdicts to remember (those remembered already stay as they are).
    pub(super) fn to_remember(&self) -> impl Iterator<Item = (&ChangeHash, &Verdict)> {
        self.by_change.iter()
    }

    pub(super) fn into_rejected(self) -> Option<Rejected> {
        self.first.map(|refusal| Rejected {
            refusal,
            changes: self.order,
        })
    }
}

/// The engine's memory of refused changes, per document and device, forgetting the oldest
/// past its capacity. Keyed by device: another device sending the same change is checked
/// for itself (its user may be allowed what this one was not).
pub(super) struct RefusedChanges {
    capacity: usize,
    by_device: HashMap<String, HashMap<(DocumentId, ChangeHash), Verdict>>,
    oldest_first: VecDeque<(String, DocumentId, ChangeHash)>,
}

impl RefusedChanges {
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            by_device: HashMap::new(),
            oldest_first: VecDeque::new(),
        }
    }

    pub(super) fn get(
        &self,
        id: &DocumentId,
        device: &str,
        change: &ChangeHash,
    ) -> Option<Verdict> {
        self.by_device.get(device)?.get(&(*id, *change)).cloned()
    }

    pub(super) fn remember(
        &mut self,
        id: &DocumentId,
        device: &str,
        change: ChangeHash,
        verdict: Verdict,
    ) {
        if self.capacity == 0 {
            return;
        }
        let known = self.by_device.entry(device.to_string()).or_default();
        if known.insert((*id, change), verdict).is_some() {
            return;
        }
        self.oldest_first
            .push_back((device.to_string(), *id, change));
        while self.oldest_first.len() > self.capacity {
            let Some((device, id, change)) = self.oldest_first.pop_front() else {
                break;
            };
            if let Some(known) = self.by_device.get_mut(&device) {
                known.remove(&(id, change));
                if known.is_empty() {
                    self.by_device.remove(&device);
                }
            }
        }
    }

    pub(super) fn len(&self) -> usize {
        self.oldest_first.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use casesync_contract::errors::ErrorCode;

    fn verdict(n: u8) -> (ChangeHash, Verdict) {
        let hash = ChangeHash([n; 32]);
        let detail = ErrorDetail::new(ErrorCode::PermissionDenied, format!("no {n}"));
        (
            hash,
            Verdict {
                at_fault: hash,
                detail,
            },
        )
    }

    #[test]
    fn forgets_the_oldest_past_capacity() {
        let id = DocumentId::random();
        let mut memo = RefusedChanges::new(2);
        for n in 0..3 {
            let (hash, v) = verdict(n);
            memo.remember(&id, "dev-a", hash, v);
        }
        assert_eq!(memo.len(), 2);
        assert!(memo.get(&id, "dev-a", &verdict(0).0).is_none());
        assert_eq!(memo.get(&id, "dev-a", &verdict(2).0), Some(verdict(2).1));
        assert!(memo.get(&id, "dev-b", &verdict(2).0).is_none());
    }

    #[test]
    fn dependents_hear_the_change_at_fault() {
        let mut verdicts = Verdicts::default();
        let (bad, _) = verdict(1);
        let child = ChangeHash([2; 32]);
        verdicts.refuse(bad, Refusal::WrongIdentity("wrong".into()));
        verdicts.refuse_dependent(child, &bad);
        assert_eq!(verdicts.refused_among(&[child]), Some(&child));
        assert_eq!(verdicts.to_remember().count(), 2);
        let rejected = verdicts.into_rejected().unwrap();
        assert_eq!(rejected.changes, vec![bad, child]);
        assert!(matches!(rejected.refusal, Refusal::WrongIdentity(_)));
    }
}
