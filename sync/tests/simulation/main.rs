//! Deterministic simulation of the sync engine: phones and the server, over a network that
//! loses, duplicates and reorders messages, partitions phones, restarts them and the server,
//! and storage that fails on purpose (including appends that commit but report failure).
//! Phones record observations the rules allow and edits they forbid. After the network
//! heals and everyone syncs until nobody has anything to say, everyone must have the same
//! heads, nothing the server acknowledged may be missing, nothing refused may be stored, and
//! every observation recorded must be on the server. The engine's promises are also checked
//! at every call (see `server.rs`).
//!
//! Every run is a seed. `cargo test -p casesync-sync --test simulation` runs 500 seeds;
//! `SIM_SEEDS=20000` runs more; `SIM_SEED=42` replays one seed exactly. A failing seed
//! prints the command that replays it. See docs/RELIABILITY.md.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

#[path = "../common/mod.rs"]
mod common;
mod faulty_store;
mod phone;
mod server;
mod shape;
mod world;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use world::{Summary, World};

/// Seeds in a plain `cargo test`: enough to meet every fault many times, in seconds.
const DEFAULT_SEEDS: u64 = 500;

fn env_u64(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    Some(
        value
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not {value:?}")),
    )
}

fn replay_command(seed: u64) -> String {
    format!("SIM_SEED={seed} cargo test -p casesync-sync --test simulation -- --nocapture")
}

#[test]
fn replicas_converge_under_faults() {
    let seeds: Vec<u64> = match env_u64("SIM_SEED") {
        Some(seed) => vec![seed],
        None => (0..env_u64("SIM_SEEDS").unwrap_or(DEFAULT_SEEDS)).collect(),
    };
    let started = Instant::now();
    let mut total = Totals::default();
    for &seed in &seeds {
        match catch_unwind(AssertUnwindSafe(|| World::new(seed).run())) {
            Ok(summary) => total.add(&summary),
            Err(_) => panic!(
                "simulation seed {seed} failed (the panic above says which check); replay with:\n  {}",
                replay_command(seed)
            ),
        }
    }
    eprintln!(
        "simulation: {} seeds in {:.1?}: {total:?}",
        seeds.len(),
        started.elapsed()
    );
    if seeds.len() >= 100 {
        // Over many seeds every fault must have happened, or the simulation tests less
        // than it claims.
        assert!(total.refused > 0, "no refusals: {total:?}");
        assert!(total.held_peak > 0, "nothing was ever held: {total:?}");
        assert!(total.store_lost > 0 && total.store_committed_but_failed > 0);
        assert!(total.server_restarts > 0 && total.phone_restarts > 0);
        assert!(total.lost_messages > 0);
    }
}

#[derive(Debug, Default)]
struct Totals {
    admissions: usize,
    refused: usize,
    held_peak: usize,
    store_lost: usize,
    store_committed_but_failed: usize,
    server_restarts: usize,
    phone_restarts: usize,
    lost_messages: usize,
    max_quiescence_rounds: usize,
}

impl Totals {
    fn add(&mut self, s: &Summary) {
        self.admissions += s.admissions;
        self.refused += s.refused;
        self.held_peak = self.held_peak.max(s.held_peak);
        self.store_lost += s.store_faults.lost;
        self.store_committed_but_failed += s.store_faults.committed_but_failed;
        self.server_restarts += s.server_restarts;
        self.phone_restarts += s.phone_restarts;
        self.lost_messages += s.lost_messages;
        self.max_quiescence_rounds = self.max_quiescence_rounds.max(s.quiescence_rounds);
    }
}

#[test]
fn a_seed_replays_exactly() {
    // The replay command is only worth printing if a seed is a run.
    let seed = env_u64("SIM_SEED").unwrap_or(7);
    let first = World::new(seed).run();
    assert!(!first.heads.is_empty());
    assert_eq!(World::new(seed).run(), first);
}
