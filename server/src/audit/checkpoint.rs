//! Checkpoints of the audit chain's head, written to the blob store: outside the database,
//! sealed with the audit chain key. The keyed chain alone shows an edited, removed or
//! rewritten entry, but not its newest entries removed with the head moved back to the last
//! one kept; a checkpoint does, for every entry up to it (`casesync audit verify` reads it).
//!
//! Written at start, every `audit.checkpoint_secs` when the head moved, and when the server
//! stops: one small object, overwritten. Entries after the last checkpoint are covered by the
//! next one. With a store that keeps object versions (or locks them), rolling the checkpoint
//! back takes more than the database.

use bytes::Bytes;
use casesync_schema::access::audit_key::ChainKey;
use casesync_schema::access::audit_verify::{check_checkpoint, ChainReport, Checkpoint};
use casesync_schema::DbConn;

use crate::blobs::store::BlobStore;
use crate::domain::error::DomainError;
use crate::state::AppState;

/// Where the checkpoint is kept in the blob store.
pub const OBJECT: &str = "audit/checkpoint.json";

/// Writes a checkpoint of the head unless it is still `last_seq`; returns the head. A chain
/// that no longer matches the last checkpoint (truncated or rewritten while the server was
/// down, say) is never checkpointed again: that would launder it. Blocking.
pub fn advance(
    conn: &mut DbConn,
    key: &ChainKey,
    store: &BlobStore,
    at: i64,
    last_seq: i64,
) -> anyhow::Result<i64> {
    // The last checkpoint first, then the head: the head only grows, so another instance's
    // checkpoint written meanwhile is never mistaken for one beyond the trail.
    let previous = read(store)?;
    let checkpoint = Checkpoint::of_head(conn, key, at)?;
    if checkpoint.seq == last_seq {
        return Ok(last_seq);
    }
    if let Some(previous) = previous {
        let mut report = ChainReport {
            entries: 0,
            head_seq: checkpoint.seq,
            head_hash: checkpoint.hash.clone(),
            problems: vec![],
        };
        check_checkpoint(conn, key, &previous, &mut report)?;
        if !report.intact() {
            anyhow::bail!(
                "the audit trail does not match its last checkpoint ({:?}): not overwriting it; \
                 run `casesync audit verify`",
                report.problems
            );
        }
    }
    store.put_blocking(OBJECT, Bytes::from(serde_json::to_vec(&checkpoint)?))?;
    Ok(checkpoint.seq)
}

/// [`advance`] for the server. Blocking.
pub fn advance_server(state: &AppState, last_seq: i64) -> Result<i64, DomainError> {
    let mut conn = state.db()?;
    advance(
        &mut conn,
        &state.audit_key,
        &state.blobs.store,
        state.now(),
        last_seq,
    )
    .map_err(DomainError::internal)
}

/// Checkpoints every `audit.checkpoint_secs` (the first at once, before much is served), and
/// the caller checkpoints once more at a graceful stop (`Stopper::stop`).
pub fn spawn(state: &AppState) {
    let state = state.clone();
    let period = std::time::Duration::from_secs(state.config.audit.checkpoint_secs.max(1));
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last = -1;
        loop {
            tick.tick().await;
            let writing = state.clone();
            match tokio::task::spawn_blocking(move || advance_server(&writing, last)).await {
                Ok(Ok(seq)) => last = seq,
                Ok(Err(e)) => tracing::error!(error = %e, "audit checkpoint not written"),
                Err(e) => tracing::error!(error = %e, "audit checkpoint task failed"),
            }
        }
    });
}

/// The last checkpoint, if one was ever written. Blocking.
pub fn read(store: &BlobStore) -> anyhow::Result<Option<Checkpoint>> {
    match store.get_blocking(OBJECT)? {
        Some(bytes) => Ok(Some(serde_json::from_slice(&bytes)?)),
        None => Ok(None),
    }
}
