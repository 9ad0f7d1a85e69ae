//! The audit trail's keeping: the key that seals its chain (kept outside the database, like
//! the blob master key) and the log of reads that go into it in batches
//! ([`reads::ReadLog`]). What is recorded, and under which names, is `domain::audit`.

pub mod checkpoint;
pub mod key;
pub mod reads;

use serde::{Deserialize, Serialize};

/// The `[audit]` configuration table (environment: `CASESYNC_AUDIT__KEY`...). Documented in
/// `ops/config.md`. The key never appears in `Debug`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
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
    /// How often the reads collected in memory (what live sessions send, blob downloads)
    /// are written to the trail, in milliseconds: a crash loses at most this interval of
    /// them.
    pub read_flush_ms: u64,
    /// How often the head of the chain is checkpointed to the blob store (when it moved), in
    /// seconds: the newest entries removed since the last checkpoint are not detected.
    pub checkpoint_secs: u64,
    /// Reads waiting to be written beyond which new reads are refused (the trail is failing:
    /// serving reads it cannot record would lose them).
    pub max_pending_reads: usize,
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self {
            key: String::new(),
            key_file: String::new(),
            unkeyed_until: 0,
            read_flush_ms: 1000,
            checkpoint_secs: 60,
            max_pending_reads: 100_000,
        }
    }
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
            .field("read_flush_ms", &self.read_flush_ms)
            .field("checkpoint_secs", &self.checkpoint_secs)
            .field("max_pending_reads", &self.max_pending_reads)
            .finish()
    }
}
