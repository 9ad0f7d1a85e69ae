//! Checks for coverage-guided fuzzing and for replaying its corpus. **Not an API for the
//! server**: the `fuzz/` crate (cargo-fuzz, nightly) calls one function per target with the
//! bytes libFuzzer makes up, and `sync/tests/fuzz_corpus.rs` (stable, part of
//! `cargo test --workspace`) calls the same functions with every file of `fuzz/corpus/*` and
//! `fuzz/artifacts-regressions/*`, so an input that once broke something keeps being tried.
//!
//! Each check feeds arbitrary bytes to code that reads what devices send and returns
//! normally whatever the bytes are: a bad input must come back as a clean error. It panics
//! only when a property of the code does not hold (a decoded frame that does not re-encode to
//! itself, a refused change that was stored, a stored case that no longer reads as a case),
//! which is what the fuzzer reports as a crash.
//!
//! | target | check | what the bytes are |
//! |---|---|---|
//! | `repo_frame` | [`repo_frame`] | one automerge-repo WebSocket frame |
//! | `batch_body` | [`batch_body`] | a `POST /v1/sync` body, read as CBOR and as JSON |
//! | `case_sync` | [`case_sync`] | a device's push to a stored case (see [`case_sync`]) |
//! | `case_doc` | [`case_doc`] | a case document as automerge bytes or JSON (see [`case_doc`]) |
//!
//! [`seeds`] makes the seed corpus (`cargo run -p casesync-sync --example fuzz_seeds`).

mod batch;
mod case_doc;
mod case_sync;
mod fixture;
mod frame;
mod legacy_entries;
pub mod seeds;

pub use batch::batch_body;
pub use case_doc::case_doc;
pub use case_sync::case_sync;
pub use frame::repo_frame;

/// A check: returns for any bytes, panics only when a property fails.
pub type Check = fn(&[u8]);

/// The fuzz targets, by the name of their folder under `fuzz/corpus/` and of their binary in
/// `fuzz/fuzz_targets/`, with their check.
pub const TARGETS: [(&str, Check); 4] = [
    ("repo_frame", repo_frame),
    ("batch_body", batch_body),
    ("case_sync", case_sync),
    ("case_doc", case_doc),
];

/// The fuzz targets' `init`. libFuzzer's panic hook aborts on every panic, before
/// [`crate::contain`] can catch one that automerge raises on malformed bytes (in its own
/// source or in `core`, e.g. a sort whose order it broke). This hook lets a panic inside
/// `contain` unwind, silently, to it; any other panic goes to libFuzzer's hook and is a
/// crash (replay the input with the stable test, `fuzz/artifacts-regressions/`, to read a
/// panic message libFuzzer did not print).
pub fn let_automerge_panics_unwind() {
    let libfuzzer_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !crate::contain::containing() {
            libfuzzer_hook(info);
        }
    }));
}
