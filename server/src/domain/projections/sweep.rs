//! Picks up derive work nobody is doing: at start (what a crash left behind, or what the
//! upgrade queued) and then periodically (what an instance that died was holding, once its
//! lease ran out, or a run that failed, once its backoff is over). Every instance sweeps, so
//! the work of a dead instance is finished by the others.

use std::time::Duration;

use casesync_schema::outbox;

use crate::state::AppState;

/// How often an instance looks for abandoned work.
pub const EVERY: Duration = Duration::from_secs(2);

/// How old unclaimed work must be before a periodic sweep takes it: the instance that
/// committed it normally claims it within milliseconds.
const GRACE: Duration = Duration::from_secs(5);

/// Most documents one sweep schedules.
const BATCH: i64 = 500;

pub fn spawn(state: &AppState) {
    let state = state.clone();
    actix_web::rt::spawn(async move {
        // The first sweep takes everything unclaimed at once: whoever committed it is gone
        // (or, with several instances, deriving twice is harmless).
        let mut grace = Duration::ZERO;
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            let swept = state.clone();
            let found = tokio::task::spawn_blocking(move || sweep(&swept, grace)).await;
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
