//! Writes the seed corpus of the fuzz targets: `fuzz/corpus/<target>/seed-<name>`, from
//! `casesync_sync::fuzz_checks::seeds` (fixed ids, actors and times: the same bytes on every
//! run). Run it after changing the seeds or the fixture:
//!
//! ```sh
//! cargo run -p casesync-sync --example fuzz_seeds
//! ```
//!
//! It replaces only `seed-*` files; what the fuzzer added to the corpus stays.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use casesync_sync::fuzz_checks::{seeds, TARGETS};

fn main() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    for (target, _) in TARGETS {
        let dir = corpus.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let is_seed = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("seed-"));
            if is_seed {
                std::fs::remove_file(path).unwrap();
            }
        }
    }
    let all = seeds::all();
    for seed in &all {
        let path = corpus.join(seed.target).join(format!("seed-{}", seed.name));
        std::fs::write(&path, &seed.bytes).unwrap();
    }
    println!("wrote {} seeds under {}", all.len(), corpus.display());
}
