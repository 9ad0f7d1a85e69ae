//! Automerge 0.12 panics on some malformed changes and documents instead of returning an
//! error (fuzzing found two: an operation on an object no change created, "Obj ... Missing
//! from Index", and a change naming an actor the document never registered, an `unwrap` on
//! `None`; see docs/RELIABILITY.md, "Fuzzing"). A device must not be able to panic the
//! server with the bytes it sends: the panic would poison the document's lock and leave
//! the case unreadable until the instance restarts.
//!
//! Every place that hands bytes from outside to automerge goes through [`contain`] (or
//! [`change_from_bytes`]), which
//! turns such a panic into an error. The state the closure mutated is then half-updated:
//! callers throw it away (the engine reloads the document from storage).

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};

thread_local! {
    /// How many [`contain`] calls this thread is inside.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Whether a panic on this thread now would be contained by [`contain`] (for the fuzz
/// targets' panic hook).
pub fn containing() -> bool {
    DEPTH.with(|depth| depth.get() > 0)
}

/// Runs `f`, which gives automerge bytes a peer sent (or stored bytes), and turns a panic
/// into an error naming `what`. On error, anything `f` mutated must be discarded.
pub fn contain<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, String> {
    DEPTH.with(|depth| depth.set(depth.get() + 1));
    let outcome = catch_unwind(AssertUnwindSafe(f));
    DEPTH.with(|depth| depth.set(depth.get() - 1));
    outcome.map_err(|panic| {
        let why = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("no message");
        tracing::warn!(%what, %why, "automerge panicked; contained");
        format!("automerge cannot read {what}: {why}")
    })
}

/// A change from bytes a peer sent. Automerge 0.12 panics on some while decoding their
/// operations (an operation id out of range, found by fuzzing): an error like any other.
pub fn change_from_bytes(bytes: Vec<u8>) -> Result<automerge::Change, String> {
    contain("a change", || automerge::Change::from_bytes(bytes))?.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::contain;

    #[test]
    fn a_panic_becomes_an_error_and_a_value_passes() {
        assert_eq!(contain("x", || 7), Ok(7));
        let err = contain("the changes", || -> u8 { panic!("boom") }).unwrap_err();
        assert_eq!(err, "automerge cannot read the changes: boom");
        assert!(!super::containing());
        assert_eq!(contain("x", super::containing), Ok(true));
    }
}
