//! A sliding-window rate limit kept in memory per instance: attempts per key (a client
//! address, an enrolment code, a device) within a window, on the injected clock.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// Keys above this count are pruned of old attempts, so memory stays bounded.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Default)]
pub struct SlidingWindow {
    attempts: Mutex<HashMap<String, VecDeque<i64>>>,
}

impl SlidingWindow {
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts an attempt under `key` at `now`; `false` when `max` attempts were already made
    /// within the last `window` milliseconds.
    pub fn allow(&self, key: &str, max: u32, window: i64, now: i64) -> bool {
        let Ok(mut attempts) = self.attempts.lock() else {
            return false;
        };
        if attempts.len() > PRUNE_ABOVE {
            attempts.retain(|_, times| times.back().is_some_and(|t| now - t < window));
        }
        let times = attempts.entry(key.to_string()).or_default();
        while times.front().is_some_and(|t| now - t >= window) {
            times.pop_front();
        }
        if times.len() >= max as usize {
            return false;
        }
        times.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_key_within_the_window() {
        let limiter = SlidingWindow::new();
        assert!(limiter.allow("ip:a", 2, 1000, 0));
        assert!(limiter.allow("ip:a", 2, 1000, 10));
        assert!(!limiter.allow("ip:a", 2, 1000, 20));
        assert!(
            limiter.allow("ip:b", 2, 1000, 20),
            "other keys are not affected"
        );
        assert!(limiter.allow("ip:a", 2, 1000, 1000), "the window slid");
    }
}
