//! The `[limits]` table (`CASESYNC_LIMITS__*` variables); see ops/config.md.

use casesync_sync::HoldLimits;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Documents one batch request (`POST /v1/sync`) may carry.
    pub documents_per_request: usize,
    /// Changes one sync message (a batch document push, a WebSocket sync frame) may carry.
    pub changes_per_message: usize,
    /// Distinct documents one WebSocket session may sync or ask about.
    pub documents_per_session: usize,
    /// Changes one session holds per document while their history is missing.
    pub held_changes: usize,
    /// Bytes of those changes.
    pub held_bytes: usize,
    /// Open WebSockets per device on one instance.
    pub sockets_per_device: usize,
    /// Batch sync requests per device per minute on one instance.
    pub sync_requests_per_minute: u32,
    /// Seconds a client has to send a request's head (method, path, headers).
    pub request_head_secs: u64,
    /// Seconds a client has to send a request's body.
    pub request_body_secs: u64,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            documents_per_request: 5_000,
            // A phone a week offline sends a few hundred changes per case; automerge sends
            // all a peer lacks in one message, so this must stay far above any real backlog
            // (the 8 MiB frame limit bounds the bytes).
            changes_per_message: 50_000,
            documents_per_session: 10_000,
            held_changes: HoldLimits::default().max_changes,
            held_bytes: HoldLimits::default().max_bytes,
            sockets_per_device: 4,
            // A phone syncs every few seconds at most while in use.
            sync_requests_per_minute: 120,
            request_head_secs: 10,
            request_body_secs: 300,
        }
    }
}

impl LimitsConfig {
    pub fn body_time(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.request_body_secs.max(1))
    }

    pub fn head_time(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.request_head_secs.max(1))
    }

    pub fn hold_limits(&self) -> HoldLimits {
        HoldLimits {
            max_changes: self.held_changes,
            max_bytes: self.held_bytes,
        }
    }
}
