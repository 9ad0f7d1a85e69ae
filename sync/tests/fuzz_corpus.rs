//! Replays the fuzz corpus on stable: every file of `fuzz/corpus/<target>/` (the seeds and
//! what the fuzzer kept) and of `fuzz/artifacts-regressions/<target>/` (inputs that once
//! crashed a target) goes through that target's check, the same function the fuzz target
//! calls. A check panics only when a property fails, so any panic fails this test, naming
//! the files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use casesync_sync::fuzz_checks::{seeds, TARGETS};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return vec![];
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_corpus_file_passes_its_check() {
    let mut failures = Vec::new();
    let mut replayed = 0;
    for (target, check) in TARGETS {
        let corpus = files(&fuzz_dir().join("corpus").join(target));
        assert!(!corpus.is_empty(), "fuzz/corpus/{target} has no inputs");
        let regressions = files(&fuzz_dir().join("artifacts-regressions").join(target));
        for path in corpus.iter().chain(&regressions) {
            let bytes = std::fs::read(path).unwrap();
            replayed += 1;
            if let Err(panic) = catch_unwind(AssertUnwindSafe(|| check(&bytes))) {
                let why = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("{}: {why}", path.display()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "checks failed:\n{}",
        failures.join("\n")
    );
    eprintln!("replayed {replayed} inputs");
}

/// The seeds on disk are what the generator makes today (run the `fuzz_seeds` example after
/// changing it), so the corpus starts from inputs that match the fixture.
#[test]
fn the_seed_files_are_the_generated_seeds() {
    for seed in seeds::all() {
        let path = fuzz_dir()
            .join("corpus")
            .join(seed.target)
            .join(format!("seed-{}", seed.name));
        let on_disk = std::fs::read(&path).unwrap_or_default();
        assert!(
            on_disk == seed.bytes,
            "{} differs from the generated seed: cargo run -p casesync-sync --example fuzz_seeds",
            path.display()
        );
    }
}
