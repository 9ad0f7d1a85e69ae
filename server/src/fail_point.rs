//! Fail points: places where a test makes the server stop dead, to kill it there and show
//! that what was committed survives. Debug builds only; release builds compile them away.
//!
//! `CASESYNC_FAIL_POINTS=derive.before_claim` (names separated by commas) makes every thread
//! that reaches a named point log `fail point reached` and wait there until the process is
//! killed or stops. The points:
//! - `derive.before_claim`: a derive worker, after the change was committed and acknowledged,
//!   before it claimed the outbox row;
//! - `derive.after_claim`: a derive worker holding the claim (its lease running), before it
//!   derived anything;
//! - `alert.recorded`: an alert recorded as raised (its dedupe key taken), its entry not yet
//!   written to the alert document.

/// Pauses here if the fail point `name` is set; `stopping` ends the pause.
#[cfg(debug_assertions)]
pub fn pause(name: &str, stopping: impl Fn() -> bool) {
    static SET: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let set = SET.get_or_init(|| std::env::var("CASESYNC_FAIL_POINTS").unwrap_or_default());
    if !set.split(',').any(|p| p.trim() == name) {
        return;
    }
    tracing::warn!(fail_point = name, "fail point reached");
    while !stopping() {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[cfg(not(debug_assertions))]
pub fn pause(_name: &str, _stopping: impl Fn() -> bool) {}
