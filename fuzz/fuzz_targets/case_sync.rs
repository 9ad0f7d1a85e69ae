//! Fuzz target `case_sync`: see `casesync_sync::fuzz_checks::case_sync`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: casesync_sync::fuzz_checks::let_automerge_panics_unwind(),
    |data: &[u8]| casesync_sync::fuzz_checks::case_sync(data)
);
