//! Assigning a case to a user and taking it back (coordinators). An assignment puts the
//! case on the user's devices; removing it makes their next sync erase it. A partner
//! organisation's coordinator assigns its people to a shared view the same way.

use casesync_contract::wire::{AssignCase, CaseAssignment};
use casesync_contract::Role;
use casesync_schema::access::assignments::{self, AssignmentReason};
use casesync_schema::access::members;
use casesync_schema::directory::{users, AuthenticatedDevice};
use casesync_schema::DbError;
use serde_json::json;

use super::{readable_case, require_role};
use crate::domain::audit::{audited, Actor, AuditAction, AuditEvent};
use crate::domain::error::DomainError;
use crate::feed::FeedEvent;
use crate::state::AppState;

const WHAT: &str = "assign cases";

pub fn assign(
    state: &AppState,
    caller: &AuthenticatedDevice,
    case: &str,
    request: AssignCase,
) -> Result<CaseAssignment, DomainError> {
    let mut conn = state.db()?;
    let (id, row) = assignable(&mut conn, caller, case)?;
    require_role(caller, &[Role::Coordinator], WHAT)?;
    let user = own_user(&mut conn, caller, &request.user)?;
    let role = user.role()?;
    if !role.reads_cases() {
        return Err(DomainError::new(
            casesync_contract::errors::ErrorCode::InvalidRequest,
            format!("a {role} holds no case content and cannot be assigned a case"),
        ));
    }
    drop(conn);
    let now = state.now();
    audited(state, &Actor::device(caller), |conn| {
        assignments::assign(
            conn,
            &row.id,
            &user.id,
            AssignmentReason::Assigned,
            &caller.user_id,
            now,
        )?;
        let event = AuditEvent::new(AuditAction::CaseAssigned)
            .case(&id, &caller.organisation_id)
            .detail(json!({ "user_id": user.id }));
        Ok(((), vec![event]))
    })?;
    state.feed.publish_event(FeedEvent::ScopeChanged {
        organisation_id: caller.organisation_id.clone(),
    });
    let mut conn = state.db()?;
    let current = assignments::of_document(&mut conn, &row.id)?
        .into_iter()
        .find(|a| a.user_id == user.id)
        .ok_or_else(|| DomainError::internal("assignment vanished"))?;
    Ok(CaseAssignment {
        case_id: id,
        user_id: current.user_id,
        reason: current.reason,
        assigned_by: current.assigned_by,
        assigned_at: current.assigned_at,
    })
}

pub fn unassign(
    state: &AppState,
    caller: &AuthenticatedDevice,
    case: &str,
    user: &str,
) -> Result<(), DomainError> {
    let mut conn = state.db()?;
    let (id, row) = assignable(&mut conn, caller, case)?;
    require_role(caller, &[Role::Coordinator], WHAT)?;
    let user = own_user(&mut conn, caller, user)?;
    drop(conn);
    let removed = audited(state, &Actor::device(caller), |conn| {
        if !assignments::unassign(conn, &row.id, &user.id)? {
            return Ok((false, vec![]));
        }
        let event = AuditEvent::new(AuditAction::CaseUnassigned)
            .case(&id, &caller.organisation_id)
            .detail(json!({ "user_id": user.id }));
        Ok((true, vec![event]))
    })?;
    if !removed {
        return Err(DomainError::new(
            casesync_contract::errors::ErrorCode::NotFound,
            "no such assignment",
        ));
    }
    state.feed.publish_event(FeedEvent::ScopeChanged {
        organisation_id: caller.organisation_id.clone(),
    });
    Ok(())
}

/// What a coordinator may assign: a case of their organisation they can read, or the view
/// of a case another organisation shares with theirs (their people then hold the view).
/// Anything else is reported as not existing.
fn assignable(
    conn: &mut casesync_schema::DbConn,
    caller: &AuthenticatedDevice,
    id: &str,
) -> Result<
    (
        casesync_contract::DocumentId,
        casesync_schema::directory::DocumentRow,
    ),
    DomainError,
> {
    match readable_case(conn, caller, id) {
        Ok(found) => Ok(found),
        Err(not_found) => {
            let Ok(view) = id.parse() else {
                return Err(not_found);
            };
            let row = crate::domain::shared_views::assignable_view(conn, caller, &view)?
                .ok_or(not_found)?;
            Ok((view, row))
        }
    }
}

/// A user of the caller's organisation, by id or name; 400 for anyone else (users of other
/// organisations are not the caller's to name).
fn own_user(
    conn: &mut casesync_schema::DbConn,
    caller: &AuthenticatedDevice,
    user: &str,
) -> Result<users::User, DomainError> {
    let not_ours = || {
        DomainError::new(
            casesync_contract::errors::ErrorCode::InvalidRequest,
            format!("no user \"{user}\" in your organisation"),
        )
    };
    match members::find_in(conn, &caller.organisation_id, user) {
        Ok(found) => Ok(found),
        Err(DbError::NotFound(_)) => Err(not_ours()),
        Err(e) => Err(e.into()),
    }
}
