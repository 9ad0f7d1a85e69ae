//! The audit trail's keeping: the key that seals its chain (kept outside the database, like
//! the blob master key). What is recorded, and under which names, is `domain::audit`.

pub mod key;

use serde::{Deserialize, Serialize};

/// The `[audit]` configuration table (environment: `CASESYNC_AUDIT__KEY`...). Documented in
/// `ops/config.md`. The key never appears in `Debug`.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditConfig {
    /// Base64 of 32 random bytes sealing the audit chain (HMAC-SHA256). Empty: the key file.
    /// Every instance of one database must have the same.
    pub key: String,
    /// File holding the key when `key` is empty; empty means `<data_dir>/audit-chain.key`,
    /// generated (mode 0600) on first start.
    pub key_file: String,
    /// With `key`: how many entries of the trail predate keyed chains (they keep their plain
    /// SHA-256). A generated key file records this itself.
    pub unkeyed_until: i64,
}

impl std::fmt::Debug for AuditConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditConfig")
            .field(
                "key",
                &if self.key.is_empty() {
                    "(unset)"
                } else {
                    "(set)"
                },
            )
            .field("key_file", &self.key_file)
            .field("unkeyed_until", &self.unkeyed_until)
            .finish()
    }
}
