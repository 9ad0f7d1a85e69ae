//! Training exercises (issue 20, docs/exercises.md): a trainer plays a scenario (Abena's,
//! Qiro's, or their own file) against a training organisation of its own, on a scenario
//! clock that may run faster than real time; participants act on their phones and the
//! pages as in real life; the after-action report shows what happened against the
//! handbook's deadlines.

pub mod clock;
pub mod end;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod start;

use casesync_contract::errors::ErrorCode;

use crate::domain::error::DomainError;
use crate::state::AppState;

/// Refuses what a training organisation must never do with real ones (share a case, be
/// shared with): `organisations` are the two sides.
pub fn refuse_training(state: &AppState, organisations: &[&str]) -> Result<(), DomainError> {
    let mut conn = state.db()?;
    for organisation in organisations {
        if casesync_schema::exercises::of_organisation(&mut conn, organisation)?.is_some() {
            return Err(DomainError::new(
                ErrorCode::InvalidRequest,
                "a training exercise's cases are never shared, and nothing is shared with it",
            ));
        }
    }
    Ok(())
}
