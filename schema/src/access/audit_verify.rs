//! Verifying the audit chain: every entry must hash to its `hash`, link to the previous
//! entry's hash, follow it without a gap, and the last one must be the head. An altered
//! entry fails its own hash; a removed one leaves a gap and a broken link; a removed tail
//! leaves the head pointing past the last entry. Hashes are keyed
//! ([`super::audit_key::ChainKey`]): a trail rewritten wholesale, head included, with hashes
//! recomputed without the key, fails on its first rewritten entry.

use super::audit::{head, page, GENESIS};
use super::audit_key::ChainKey;
use crate::error::DbError;
use crate::DbConn;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum ChainProblem {
    /// The entry's fields no longer hash to its recorded hash.
    Altered { seq: i64 },
    /// Entries numbered `from..=to` are gone.
    Missing { from: i64, to: i64 },
    /// The entry does not link to the entry before it.
    BrokenLink { seq: i64 },
    /// The head names an entry that is not there (the newest entries were removed).
    HeadMismatch { head_seq: i64, last_seq: i64 },
    /// A checkpoint kept outside the database saw the chain at `checkpoint_seq`, and the
    /// chain now ends before it: its newest entries were removed, the head moved back.
    Truncated { checkpoint_seq: i64, head_seq: i64 },
    /// The entry a checkpoint saw at `seq` is no longer the same entry.
    CheckpointMismatch { seq: i64 },
    /// The checkpoint itself was not made with the audit chain key.
    CheckpointForged,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChainReport {
    pub entries: i64,
    pub head_seq: i64,
    pub head_hash: String,
    pub problems: Vec<ChainProblem>,
}

impl ChainReport {
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }
}

const PAGE: i64 = 2_000;

/// What a checkpoint says: entry `seq` had `hash`, sealed by `mac`
/// ([`ChainKey::checkpoint_mac`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    /// When it was written (ms since the epoch).
    pub at: i64,
    pub mac: String,
}

impl Checkpoint {
    /// A checkpoint of the chain's head now.
    pub fn of_head(conn: &mut DbConn, key: &ChainKey, at: i64) -> Result<Self, DbError> {
        let (seq, hash) = head(conn)?;
        Ok(Self {
            mac: key.checkpoint_mac(seq, &hash),
            seq,
            hash,
            at,
        })
    }
}

/// Checks the chain against a checkpoint kept outside the database: the chain must still
/// reach it, with the entry it saw.
pub fn check_checkpoint(
    conn: &mut DbConn,
    key: &ChainKey,
    checkpoint: &Checkpoint,
    report: &mut ChainReport,
) -> Result<(), DbError> {
    if key.checkpoint_mac(checkpoint.seq, &checkpoint.hash) != checkpoint.mac {
        report.problems.push(ChainProblem::CheckpointForged);
        return Ok(());
    }
    if checkpoint.seq == 0 {
        return Ok(());
    }
    if report.head_seq < checkpoint.seq {
        report.problems.push(ChainProblem::Truncated {
            checkpoint_seq: checkpoint.seq,
            head_seq: report.head_seq,
        });
        return Ok(());
    }
    let seen = page(conn, checkpoint.seq - 1, 1)?;
    if !seen
        .first()
        .is_some_and(|e| e.seq == checkpoint.seq && e.hash == checkpoint.hash)
    {
        report.problems.push(ChainProblem::CheckpointMismatch {
            seq: checkpoint.seq,
        });
    }
    Ok(())
}

/// Walks the whole chain in pages. Reads only: safe on a live database.
pub fn verify(conn: &mut DbConn, key: &ChainKey) -> Result<ChainReport, DbError> {
    // The head first: entries appended while we walk are beyond it and not judged.
    let (head_seq, head_hash) = head(conn)?;
    let mut problems = Vec::new();
    let mut entries = 0i64;
    let mut last_seq = 0i64;
    let mut last_hash = GENESIS.to_string();
    let mut done = false;
    while !done {
        let batch = page(conn, last_seq, PAGE)?;
        if batch.is_empty() {
            break;
        }
        for entry in batch {
            if entry.seq > head_seq {
                done = true;
                break;
            }
            entries += 1;
            if entry.seq != last_seq + 1 {
                problems.push(ChainProblem::Missing {
                    from: last_seq + 1,
                    to: entry.seq - 1,
                });
            }
            if entry.prev_hash != last_hash {
                problems.push(ChainProblem::BrokenLink { seq: entry.seq });
            }
            if entry.expected_hash(key) != entry.hash {
                problems.push(ChainProblem::Altered { seq: entry.seq });
            }
            last_seq = entry.seq;
            last_hash = entry.hash;
        }
        done |= last_seq >= head_seq;
    }
    if last_seq != head_seq || (head_seq > 0 && last_hash != head_hash) {
        problems.push(ChainProblem::HeadMismatch { head_seq, last_seq });
    }
    Ok(ChainReport {
        entries,
        head_seq,
        head_hash,
        problems,
    })
}
