//! The key of the audit chain. Each entry's `hash` is an HMAC-SHA256 under this key, which
//! lives outside the database (a file beside the blob master key, or the configuration):
//! someone who can rewrite every row of the trail and its head still cannot compute the
//! hashes, so `casesync audit verify` finds a wholesale rewrite as well as an edited or
//! removed entry. One HMAC per entry: the cost of the SHA-256 it replaces, plus two blocks.
//!
//! Entries written before chains were keyed (a database older than the key) keep their
//! plain SHA-256; `unkeyed_until` (recorded with the key when it was generated, never read
//! from the database) says how many there are, so an attacker cannot claim more of them.

use aws_lc_rs::hmac;
use sha2::{Digest, Sha256};

#[derive(Clone)]
pub struct ChainKey {
    key: hmac::Key,
    id: String,
    unkeyed_until: i64,
}

impl std::fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainKey")
            .field("id", &self.id)
            .field("unkeyed_until", &self.unkeyed_until)
            .finish_non_exhaustive()
    }
}

impl ChainKey {
    /// A key of 32 bytes; entries numbered up to `unkeyed_until` predate it.
    pub fn new(bytes: &[u8; 32], unkeyed_until: i64) -> Self {
        Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, bytes),
            id: hex::encode(&Sha256::digest(bytes)[..8]),
            unkeyed_until: unkeyed_until.max(0),
        }
    }

    /// A fingerprint of the key, safe to print (which key verified a chain).
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn unkeyed_until(&self) -> i64 {
        self.unkeyed_until
    }

    /// The HMAC (hex) of a checkpoint of the chain's head: entry `seq` had hash `hash`.
    pub fn checkpoint_mac(&self, seq: i64, hash: &str) -> String {
        let text = format!("casesync audit checkpoint\n{seq}\n{hash}");
        hex::encode(hmac::sign(&self.key, text.as_bytes()).as_ref())
    }

    /// The HMAC (hex) of an erasure ledger entry: case `case_id` was erased at `erased_at`.
    /// Only the server (holding the key) can add entries that the next start re-applies.
    pub fn erasure_mac(&self, case_id: &str, erased_at: i64) -> String {
        let text = format!("casesync erasure ledger\n{case_id}\n{erased_at}");
        hex::encode(hmac::sign(&self.key, text.as_bytes()).as_ref())
    }

    /// The hash of entry `seq` whose canonical form is `canonical`: keyed, unless the entry
    /// predates the key.
    pub fn seal(&self, seq: i64, canonical: &[u8]) -> String {
        if seq <= self.unkeyed_until {
            hex::encode(Sha256::digest(canonical))
        } else {
            hex::encode(hmac::sign(&self.key, canonical).as_ref())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_entries_before_the_key_are_plain_hashes() {
        let key = ChainKey::new(&[7u8; 32], 2);
        let plain = hex::encode(Sha256::digest(b"x"));
        assert_eq!(key.seal(2, b"x"), plain);
        assert_ne!(key.seal(3, b"x"), plain);
        assert_ne!(
            key.seal(3, b"x"),
            ChainKey::new(&[8u8; 32], 2).seal(3, b"x")
        );
    }
}
