//! Legal holds: a coordinator of the owning organisation places one (with the reason, e.g.
//! criminal proceedings) to keep a case from erasure and expiry, and releases it.

use casesync_contract::errors::ErrorCode;
use casesync_contract::wire::{LegalHoldState, PlaceLegalHold};
use casesync_contract::DocumentId;
use casesync_schema::access::holds::{self, LegalHold};
use casesync_schema::directory::AuthenticatedDevice;
use serde_json::json;

use crate::domain::access::{readable_case, require_owning_coordinator};
use crate::domain::audit::{audited, Actor, AuditAction, AuditEvent};
use crate::domain::error::DomainError;
use crate::state::AppState;

pub fn place(
    state: &AppState,
    caller: &AuthenticatedDevice,
    case: &str,
    request: PlaceLegalHold,
) -> Result<LegalHoldState, DomainError> {
    let mut conn = state.db()?;
    let (id, row) = readable_case(&mut conn, caller, case)?;
    require_owning_coordinator(caller, &row, "place legal holds")?;
    let reason = request.reason.trim();
    if reason.is_empty() || reason.len() > 2_000 {
        return Err(DomainError::new(
            ErrorCode::InvalidRequest,
            "reason must say why the case is held (1 to 2000 characters)",
        ));
    }
    drop(conn);
    let hold = audited(state, &Actor::device(caller), |conn| {
        let hold = holds::place(conn, &row.id, reason, &caller.user_id, state.now())?;
        let event = AuditEvent::new(AuditAction::LegalHoldPlaced)
            .case(&id, &row.organisation_id)
            .detail(json!({ "reason": hold.reason }));
        Ok((hold, vec![event]))
    })?;
    Ok(view(&id, Some(hold)))
}

pub fn release(
    state: &AppState,
    caller: &AuthenticatedDevice,
    case: &str,
) -> Result<LegalHoldState, DomainError> {
    let mut conn = state.db()?;
    let (id, row) = readable_case(&mut conn, caller, case)?;
    require_owning_coordinator(caller, &row, "release legal holds")?;
    drop(conn);
    audited(state, &Actor::device(caller), |conn| {
        let Some(released) = holds::release(conn, &row.id)? else {
            return Ok((None, vec![]));
        };
        let event = AuditEvent::new(AuditAction::LegalHoldReleased)
            .case(&id, &row.organisation_id)
            .detail(json!({ "reason": released.reason, "placed_at": released.placed_at }));
        Ok((Some(released), vec![event]))
    })?
    .ok_or_else(|| DomainError::new(ErrorCode::NotFound, "the case is not under a legal hold"))?;
    Ok(view(&id, None))
}

fn view(id: &DocumentId, hold: Option<LegalHold>) -> LegalHoldState {
    LegalHoldState {
        case_id: *id,
        held: hold.is_some(),
        reason: hold.as_ref().map(|h| h.reason.clone()),
        placed_by: hold.as_ref().map(|h| h.placed_by.clone()),
        placed_at: hold.map(|h| h.placed_at),
    }
}
