//! How a run is shaped (the faults' rates, drawn from the seed) and how a phone's message
//! loses a change on the way.

use automerge::sync;
use casesync_sync::chunks::changes_from_chunks;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;

use crate::faulty_store::StoreFaults;

/// How a run is shaped. Probabilities are per scheduler step or per message.
pub struct Shape {
    pub phones: usize,
    pub steps: u64,
    /// Of an edit: that it is one the rules forbid.
    pub forbidden: f64,
    /// Of a message: lost (the connection breaks; both ends lose what was in flight).
    pub loss: f64,
    /// Of a message to the server: delivered twice.
    pub duplicate: f64,
    /// Of a delivery to the server: a later message overtakes the first in the queue.
    pub reorder: f64,
    /// Of a phone's message: a change left out (a Bloom filter false positive), so the
    /// server receives its dependents first and holds them.
    pub left_out: f64,
    /// Of an append: lost, or committed but reported failed.
    pub store: StoreFaults,
    /// Rounds the healed network gets to fall silent before the run counts as stalled.
    pub quiescence_rounds: usize,
}

impl Shape {
    pub fn for_seed(rng: &mut StdRng) -> Self {
        Self {
            phones: rng.random_range(2..=4),
            steps: rng.random_range(30..=90),
            forbidden: 0.08,
            loss: 0.04,
            duplicate: 0.05,
            reorder: 0.1,
            left_out: 0.15,
            store: StoreFaults {
                lost: 0.15,
                committed_but_failed: 0.15,
            },
            quiescence_rounds: 40,
        }
    }
}

/// Leaves one change out of a phone's message, as a Bloom filter false positive does (the
/// phone took the change for one the server has) or as a lost earlier message did (the
/// phone records it as sent): the server receives what depends on it first.
pub fn leave_one_out(
    message: &mut sync::Message,
    rng: &mut StdRng,
    state: Option<&mut sync::State>,
) {
    let mut changes = changes_from_chunks(message.changes.iter()).unwrap();
    let out = changes.remove(rng.random_range(0..changes.len()));
    let hash = automerge::Change::from_bytes(out).unwrap().hash();
    if rng.random_bool(0.5) {
        if let Some(state) = state {
            // A false positive: the phone never sent it, and will when asked.
            state.sent_hashes.remove(&hash);
        }
    }
    changes.shuffle(rng);
    message.changes = sync::ChunkList::from(changes);
}
