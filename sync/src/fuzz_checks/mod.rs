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
/// [`crate::contain`] can catch one that automerge raises on malformed bytes. This hook lets
/// panics raised in automerge's own source unwind, silently, to whoever contains them; any
/// other panic goes to libFuzzer's hook. An automerge panic that nothing contains still
/// reaches libfuzzer-sys, which aborts: the fuzzer reports it as a crash (replay the input
/// with the stable test, `fuzz/artifacts-regressions/`, to read the panic message).
pub fn let_automerge_panics_unwind() {
    let libfuzzer_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let in_automerge = info
            .location()
            .is_some_and(|at| in_automerge_source(at.file()));
        if !in_automerge {
            libfuzzer_hook(info);
        }
    }));
}

/// Whether `file` is in the automerge crate as cargo unpacks it (`.../automerge-0.12.0/...`).
fn in_automerge_source(file: &str) -> bool {
    file.split(['/', '\\']).any(|part| {
        part.strip_prefix("automerge-")
            .is_some_and(|version| version.starts_with(|c: char| c.is_ascii_digit()))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn automerge_source_is_told_from_the_rest() {
        let registry = "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f";
        assert!(super::in_automerge_source(&format!(
            "{registry}/automerge-0.12.0/src/op_set2/change/batch.rs"
        )));
        assert!(!super::in_automerge_source(&format!(
            "{registry}/autosurgeon-0.10.0/src/lib.rs"
        )));
        assert!(!super::in_automerge_source("sync/src/engine/commit.rs"));
    }
}
