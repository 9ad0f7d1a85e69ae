//! Workers that run a blocking pass every so often until the server stops (the escalation
//! worker, the exercise runner). Each instance runs its own: the passes are written to be
//! safe when several instances run them at once.

use std::time::Duration;

use crate::domain::error::DomainError;
use crate::state::AppState;

/// Runs `pass` every `period` on the blocking pool; `what` names it in the logs, with how
/// many things a pass acted on (when any) or why it failed.
pub fn every(
    state: AppState,
    period: Duration,
    what: &'static str,
    pass: fn(&AppState) -> Result<usize, DomainError>,
) {
    actix_web::rt::spawn(async move {
        let mut shutdown = state.shutdown.clone();
        let mut every = tokio::time::interval(period);
        loop {
            tokio::select! {
                _ = every.tick() => {}
                _ = shutdown.changed() => return,
            }
            let state = state.clone();
            match actix_web::web::block(move || pass(&state)).await {
                Ok(Ok(acted)) if acted > 0 => tracing::info!(what, acted, "pass acted"),
                Ok(Err(e)) => tracing::warn!(what, error = %e, "pass failed"),
                _ => {}
            }
        }
    });
}
