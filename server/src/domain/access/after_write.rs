//! What follows an admitted write to a case, whatever path it came by (batch, WebSocket,
//! server): for a new case, its creator's assignment (before the commit hook announces the
//! scope change to live sessions). The write's audit entries are not here: they are
//! written with the write itself (`domain::audit_writes`).

use casesync_contract::wire::DocumentKind;
use casesync_contract::{DocumentId, Role};
use casesync_schema::access::assignments::{self, AssignmentReason};
use casesync_schema::access::devices::owner;
use casesync_schema::directory::documents;
use casesync_sync::Admitted;

use crate::domain::error::DomainError;
use crate::state::AppState;

/// A new case's creator keeps it, when their role keeps the cases they open: called by the
/// commit hook (`pipeline::commit`) before it announces the scope change. Failures are
/// logged: the case is already committed (its audit entries with it, `audit_writes`).
pub fn assign_creator(
    state: &AppState,
    id: &DocumentId,
    admitted: &Admitted,
    origin: Option<&str>,
) {
    if !admitted.created {
        return;
    }
    if let Err(e) = keep_own(state, id, origin) {
        tracing::error!(document = %id, error = %e, "creator not assigned to the new case");
    }
}

fn keep_own(state: &AppState, id: &DocumentId, origin: Option<&str>) -> Result<(), DomainError> {
    let Some(device) = origin else {
        return Ok(());
    };
    let mut conn = state.db()?;
    let Some(row) =
        documents::find(&mut conn, id)?.filter(|r| r.kind() == Some(DocumentKind::Case))
    else {
        return Ok(());
    };
    let Some(author) = owner(&mut conn, device)? else {
        return Ok(());
    };
    let keeps_own = matches!(
        Role::parse(&author.role),
        Some(Role::OutreachWorker | Role::Caseworker)
    );
    if keeps_own {
        assignments::assign(
            &mut conn,
            &row.id,
            &author.user_id,
            AssignmentReason::Creator,
            &author.user_id,
            state.now(),
        )?;
    }
    Ok(())
}
