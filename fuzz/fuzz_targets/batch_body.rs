//! Fuzz target `batch_body`: see `casesync_sync::fuzz_checks::batch_body`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: casesync_sync::fuzz_checks::let_automerge_panics_unwind(),
    |data: &[u8]| casesync_sync::fuzz_checks::batch_body(data)
);
