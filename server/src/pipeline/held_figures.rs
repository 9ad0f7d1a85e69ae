//! What this instance's sessions held, and what they later admitted: changes that arrived
//! before their history (a Bloom filter false positive on the device, or a message still in
//! flight). Counted here, per instance, for the load tests and the operators' figures.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};

use automerge::ChangeHash;

#[derive(Debug, Default)]
pub struct HeldFigures {
    held: AtomicU64,
    admitted: AtomicU64,
}

/// A reading of [`HeldFigures`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HeldReading {
    /// Changes that had to wait for their history.
    pub held: u64,
    /// Of those, changes admitted once their history arrived.
    pub admitted: u64,
}

impl HeldFigures {
    /// Counts one receipt: `before` were held for the document before the call, `after`
    /// after it, and `added` were committed by it.
    pub fn count(&self, before: &[ChangeHash], after: &[ChangeHash], added: &[ChangeHash]) {
        if before.is_empty() && after.is_empty() {
            return;
        }
        let before: HashSet<&ChangeHash> = before.iter().collect();
        let newly_held = after.iter().filter(|h| !before.contains(h)).count();
        let released = added.iter().filter(|h| before.contains(h)).count();
        self.held.fetch_add(newly_held as u64, Ordering::Relaxed);
        self.admitted.fetch_add(released as u64, Ordering::Relaxed);
    }

    pub fn read(&self) -> HeldReading {
        HeldReading {
            held: self.held.load(Ordering::Relaxed),
            admitted: self.admitted.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(n: u8) -> ChangeHash {
        ChangeHash([n; 32])
    }

    #[test]
    fn counts_changes_held_and_those_admitted_later() {
        let figures = HeldFigures::default();
        // Change 2 arrives before change 1: held.
        figures.count(&[], &[hash(2)], &[]);
        // Change 1 arrives: both committed, nothing held any more.
        figures.count(&[hash(2)], &[], &[hash(1), hash(2)]);
        // An ordinary push counts nothing.
        figures.count(&[], &[], &[hash(3)]);
        assert_eq!(
            figures.read(),
            HeldReading {
                held: 1,
                admitted: 1
            }
        );
    }
}
