//! What one device may take of the server (OWASP API4, unrestricted resource consumption).
//! Each limit answers a way a phone, broken or stolen, could starve everyone else:
//!
//! - documents per batch request and changes per message: the work one message can cause;
//! - documents per WebSocket session: the sync state a session keeps (one asked about
//!   200,000 unknown ids and memory grew by a third);
//! - changes held per document until their history arrives ([`casesync_sync::HoldLimits`]);
//! - sockets per device: sessions each keep a feed subscription and per-document state;
//! - batch sync requests per device per minute: each walks the device's whole caseload;
//! - slow clients: a request head must arrive within `request_head_secs`, a body within
//!   `request_body_secs` (slowloris).
//!
//! Counters are per instance (in memory); every instance applies the same limits, so a
//! device that spreads over N instances gets at most N times the share, which the load
//! balancer's per-client limits bound further. Every limit is in `[limits]` (ops/config.md).

mod config;
mod sockets;
mod window;

pub use config::LimitsConfig;
pub use sockets::{SocketSlot, Sockets};
pub use window::SlidingWindow;

/// Milliseconds on this process's monotonic clock. Rates are about real time: not the
/// domain clock, which a test may hold still or an operator may set wrong.
pub fn monotonic_millis() -> i64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_millis() as i64
}

/// Per-device counters of this instance.
#[derive(Default)]
pub struct DeviceLimits {
    pub sockets: Sockets,
    /// Batch sync requests per device.
    pub sync_requests: SlidingWindow,
}
