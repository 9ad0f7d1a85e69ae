//! Picks up derive work nobody is doing: at start (what a crash left behind, or what the
//! upgrade queued) and then periodically (what an instance that died was holding, once its
//! lease ran out, or a run that failed, once its backoff is over). Every instance sweeps, so
//! the work of a dead instance is finished by the others.

use std::time::Duration;

use casesync_schema::access::share_versions;
use casesync_schema::outbox;

use crate::domain::access::shares::shares_changed;

use crate::state::AppState;

/// How often an instance looks for abandoned work.
pub const EVERY: Duration = Duration::from_secs(2);

/// How old unclaimed work must be before a periodic sweep takes it: the instance that
/// committed it normally claims it within milliseconds.
const GRACE: Duration = Duration::from_secs(5);

/// Most documents one sweep schedules.
const BATCH: i64 = 500;

/// Shared views never sent are looked for at start and then every this many sweeps (a
/// minute): shares made before views existed, and any share whose view failed to be written.
const VIEWS_EVERY_ROUNDS: u64 = 30;

pub fn spawn(state: &AppState) {
    let state = state.clone();
    actix_web::rt::spawn(async move {
        // The first sweep takes everything unclaimed at once: whoever committed it is gone
        // (or, with several instances, deriving twice is harmless).
        let mut grace = Duration::ZERO;
        let mut tick = tokio::time::interval(EVERY);
        let mut round: u64 = 0;
        loop {
            tick.tick().await;
            let swept = state.clone();
            let views = round.is_multiple_of(VIEWS_EVERY_ROUNDS);
            round += 1;
            let found = tokio::task::spawn_blocking(move || {
                if views {
                    if let Err(e) = requeue_unsent_views(&swept) {
                        tracing::warn!(error = %e, "shared view sweep failed");
                    }
                }
                sweep(&swept, grace)
            })
            .await;
            match found {
                Ok(Ok(0)) | Err(_) => {}
                Ok(Ok(n)) => tracing::info!(documents = n, "derive work picked up from the outbox"),
                Ok(Err(e)) => tracing::warn!(error = %e, "outbox sweep failed"),
            }
            grace = GRACE;
            if state.projections.is_stopped() {
                break;
            }
        }
    });
}

fn sweep(state: &AppState, grace: Duration) -> Result<usize, crate::domain::error::DomainError> {
    let due = {
        let mut conn = state.db()?;
        outbox::due(&mut conn, grace.as_millis() as i64, BATCH)?
    };
    for id in &due {
        state.projections.recover(id);
    }
    Ok(due.len())
}

/// Queues the cases whose active shares have no view sent yet: shares made before the
/// upgrade that brought views, or whose view could not be written (the share's own outbox
/// work is kept across crashes; this catches what the outbox never held).
fn requeue_unsent_views(state: &AppState) -> Result<(), crate::domain::error::DomainError> {
    let mut conn = state.db()?;
    let cases = share_versions::cases_with_unsent_views(&mut conn, BATCH)?;
    for case in &cases {
        let work = shares_changed();
        casesync_schema::connection::write_tx(&mut conn, |conn| {
            outbox::record_outside_append(conn, case, &work)
        })?;
    }
    drop(conn);
    for id in cases.iter().filter_map(|c| c.parse().ok()) {
        state.projections.recover(&id);
    }
    Ok(())
}
