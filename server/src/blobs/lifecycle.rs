//! What happens to blobs over time: those no case references are removed once the grace
//! period has passed (a device may upload before the case change that references the blob
//! reaches the server), abandoned resumable uploads are dropped, and erasure of a case
//! removes its blobs at once.

use std::time::Duration;

use casesync_contract::DocumentId;
use casesync_schema::blobs::{references, stored, uploads, BlobRow};

use crate::error::ApiError;
use crate::state::AppState;

/// Rows handled per database round trip.
const BATCH: i64 = 200;
/// A deletion claimed this long ago and never finished was interrupted: finish it.
const STALE_DELETION_MS: i64 = 10 * 60 * 1000;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub blobs_removed: usize,
    pub uploads_dropped: usize,
}

/// Deletes the objects of claimed rows, then forgets the rows. Stops at the first object
/// that cannot be deleted (the row stays claimed and a later sweep retries it).
fn remove_claimed(state: &AppState, rows: &[BlobRow]) -> Result<usize, ApiError> {
    let mut removed = 0;
    for row in rows {
        state
            .blobs
            .store
            .delete_blocking(&row.object_key)
            .map_err(ApiError::internal)?;
        let mut conn = state.db()?;
        if stored::forget(&mut conn, row)? {
            removed += 1;
        }
    }
    Ok(removed)
}

/// One pass of the lifecycle worker. Blocking: call it from a blocking task (or a test).
pub fn sweep(state: &AppState) -> Result<SweepReport, ApiError> {
    let now = state.now();
    let config = &state.blobs.config;
    let mut report = SweepReport::default();

    let stale = {
        let mut conn = state.db()?;
        stored::stale_deletions(&mut conn, now - STALE_DELETION_MS, BATCH)?
    };
    report.blobs_removed += remove_claimed(state, &stale)?;

    // Erased cases whose erasure left their blobs behind: release them now.
    let erased = {
        let mut conn = state.db()?;
        references::of_erased_documents(&mut conn, BATCH)?
    };
    for case in erased {
        let claimed = {
            let mut conn = state.db()?;
            stored::release_case(&mut conn, &case, now)?
        };
        report.blobs_removed += remove_claimed(state, &claimed)?;
    }

    let cutoff = now - (config.unreferenced_grace_secs as i64).saturating_mul(1000);
    loop {
        let claimed = {
            let mut conn = state.db()?;
            stored::claim_unreferenced(&mut conn, cutoff, now, BATCH)?
        };
        report.blobs_removed += remove_claimed(state, &claimed)?;
        if (claimed.len() as i64) < BATCH {
            break;
        }
    }

    let expired = now - (config.upload_expiry_secs as i64).saturating_mul(1000);
    loop {
        let abandoned = {
            let mut conn = state.db()?;
            uploads::abandoned(&mut conn, expired, BATCH)?
        };
        for upload in &abandoned {
            super::uploads::discard_blocking(state, &upload.id)?;
            report.uploads_dropped += 1;
        }
        if (abandoned.len() as i64) < BATCH {
            break;
        }
    }
    Ok(report)
}

/// Erasure of a case (data protection): removes the case's blob references and, at once,
/// every blob it referenced that no other case references. Returns how many blobs were
/// removed. Blocking: call it from a blocking task, after the case itself is erased or
/// while erasing it (a later change of the case would reference its blobs again).
pub fn erase_case_blobs(state: &AppState, case: &DocumentId) -> Result<usize, ApiError> {
    let claimed = {
        let mut conn = state.db()?;
        stored::release_case(&mut conn, &case.to_string(), state.now())?
    };
    let removed = remove_claimed(state, &claimed)?;
    tracing::info!(case = %case, removed, "blobs of an erased case removed");
    Ok(removed)
}

/// Runs [`sweep`] every `sweep_interval_secs` (never when it is 0).
pub fn spawn_worker(state: &AppState) {
    let interval = state.blobs.config.sweep_interval_secs;
    if interval == 0 {
        return;
    }
    let state = state.clone();
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(interval));
        // The first tick is immediate; let the server finish starting first.
        tick.tick().await;
        loop {
            tick.tick().await;
            let pass = state.clone();
            match tokio::task::spawn_blocking(move || sweep(&pass)).await {
                Ok(Ok(report)) if report != SweepReport::default() => {
                    tracing::info!(
                        blobs_removed = report.blobs_removed,
                        uploads_dropped = report.uploads_dropped,
                        "blob lifecycle pass"
                    );
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "blob lifecycle pass failed"),
                Err(e) => tracing::warn!(error = %e, "blob lifecycle pass panicked"),
            }
        }
    });
}
