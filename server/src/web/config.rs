//! Configuration of the coordinator pages: the `[web]` table (`CASESYNC_WEB__*` variables).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebConfig {
    /// Hours a sign-in lasts; the person signs in again after.
    pub session_hours: u32,
    /// Failed sign-ins allowed per user name and client address within the window.
    pub sign_in_attempts: u32,
    /// Window of the sign-in limit, in seconds.
    pub sign_in_window_secs: u64,
    /// Hours a one-time set-password link printed by the CLI stays valid.
    pub password_link_hours: u32,
    /// Mark cookies `Secure` even without `tls_cert` (behind a TLS-terminating proxy).
    pub secure_cookies: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            session_hours: 12,
            sign_in_attempts: 5,
            sign_in_window_secs: 900,
            password_link_hours: 72,
            secure_cookies: false,
        }
    }
}
