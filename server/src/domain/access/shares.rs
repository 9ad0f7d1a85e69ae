//! Sharing a case with another organisation, and withdrawing the share. Only the owning
//! organisation's coordinators share; every share names its legal basis, purpose and data
//! categories, is recorded in the audit trail, and changes who may see the case at once.

use casesync_contract::case::LEGAL_BASES;
use casesync_contract::errors::ErrorCode;
use casesync_contract::wire::{CaseShare, ShareCase, DATA_CATEGORIES, SPECIAL_CATEGORIES};
use casesync_contract::DocumentId;
use casesync_schema::access::shares::{self, NewShare, ShareRow};
use casesync_schema::access::{assignments, members};
use casesync_schema::directory::{organisations, AuthenticatedDevice};
use casesync_schema::DbError;
use serde_json::json;

use super::{readable_case, require_owning_coordinator};
use crate::domain::audit::{audited, Actor, AuditAction, AuditEvent};
use crate::domain::error::DomainError;
use crate::feed::FeedEvent;
use crate::state::AppState;

const WHAT: &str = "share cases";

pub fn share(
    state: &AppState,
    caller: &AuthenticatedDevice,
    case: &str,
    request: ShareCase,
) -> Result<CaseShare, DomainError> {
    let mut conn = state.db()?;
    let (id, row) = readable_case(&mut conn, caller, case)?;
    require_owning_coordinator(caller, &row, WHAT)?;
    check_request(&request)?;
    let recipient = match organisations::find(&mut conn, request.organisation.trim()) {
        Ok(org) => org,
        Err(DbError::NotFound(_)) => {
            return Err(invalid(format!(
                "no organisation \"{}\"",
                request.organisation
            )))
        }
        Err(e) => return Err(e.into()),
    };
    if recipient.id == caller.organisation_id {
        return Err(invalid(
            "a case is shared with another organisation, not its own".into(),
        ));
    }
    drop(conn);
    let special: Vec<&String> = request
        .data_categories
        .iter()
        .filter(|c| SPECIAL_CATEGORIES.contains(&c.as_str()))
        .collect();
    let created = audited(state, &Actor::device(caller), |conn| {
        let created = shares::create(
            conn,
            &NewShare {
                document_id: &row.id,
                organisation_id: &recipient.id,
                legal_basis: &request.legal_basis,
                purpose: request.purpose.trim(),
                data_categories: &request.data_categories,
                cross_border: request.cross_border,
                shared_by: &caller.user_id,
                shared_at: state.now(),
            },
        )?;
        let event = AuditEvent::new(AuditAction::CaseShared)
            .case(&id, &row.organisation_id)
            .detail(json!({
                "share_id": created.id,
                "organisation_id": recipient.id,
                "legal_basis": created.legal_basis,
                "purpose": created.purpose,
                "data_categories": request.data_categories,
                "special_categories": special,
                "cross_border": created.cross_border,
            }));
        Ok((created, vec![event]))
    })?;
    publish_scope(state, &[&caller.organisation_id, &recipient.id]);
    Ok(view(&id, created))
}

pub fn withdraw(
    state: &AppState,
    caller: &AuthenticatedDevice,
    case: &str,
    share_id: &str,
) -> Result<CaseShare, DomainError> {
    let mut conn = state.db()?;
    let (id, row) = readable_case(&mut conn, caller, case)?;
    require_owning_coordinator(caller, &row, "withdraw shares")?;
    drop(conn);
    let withdrawn = audited(state, &Actor::device(caller), |conn| {
        let Some(withdrawn) =
            shares::withdraw(conn, &row.id, share_id, &caller.user_id, state.now())?
        else {
            return Ok((None, vec![]));
        };
        // The other organisation's assignments of this case lapse with the share.
        if !shares::is_shared_with(conn, &row.id, &withdrawn.organisation_id)? {
            let assigned: Vec<String> = assignments::of_document(conn, &row.id)?
                .into_iter()
                .map(|a| a.user_id)
                .collect();
            let theirs = members::members_among(conn, &withdrawn.organisation_id, &assigned)?;
            assignments::remove_for_users(conn, &row.id, &theirs)?;
        }
        let event = AuditEvent::new(AuditAction::CaseShareWithdrawn)
            .case(&id, &row.organisation_id)
            .detail(json!({
                "share_id": withdrawn.id,
                "organisation_id": withdrawn.organisation_id,
            }));
        Ok((Some(withdrawn), vec![event]))
    })?
    .ok_or_else(|| DomainError::new(ErrorCode::NotFound, "no such active share"))?;
    publish_scope(
        state,
        &[&caller.organisation_id, &withdrawn.organisation_id],
    );
    Ok(view(&id, withdrawn))
}

pub fn view(id: &DocumentId, row: ShareRow) -> CaseShare {
    CaseShare {
        data_categories: row.categories(),
        id: row.id,
        case_id: *id,
        organisation_id: row.organisation_id,
        legal_basis: row.legal_basis,
        purpose: row.purpose,
        cross_border: row.cross_border,
        shared_by: row.shared_by,
        shared_at: row.shared_at,
        withdrawn_at: row.withdrawn_at,
    }
}

fn check_request(request: &ShareCase) -> Result<(), DomainError> {
    if !LEGAL_BASES.contains(&request.legal_basis.as_str()) {
        return Err(invalid(format!(
            "legal_basis must be one of: {}",
            LEGAL_BASES.join(", ")
        )));
    }
    if request.purpose.trim().is_empty() {
        return Err(invalid("purpose must say why the case is shared".into()));
    }
    if request.data_categories.is_empty() {
        return Err(invalid("data_categories must name what is shared".into()));
    }
    if let Some(bad) = request
        .data_categories
        .iter()
        .find(|c| !DATA_CATEGORIES.contains(&c.as_str()))
    {
        return Err(invalid(format!(
            "unknown data category \"{bad}\"; one of: {}",
            DATA_CATEGORIES.join(", ")
        )));
    }
    Ok(())
}

fn invalid(message: String) -> DomainError {
    DomainError::new(ErrorCode::InvalidRequest, message)
}

fn publish_scope(state: &AppState, organisations: &[&str]) {
    for org in organisations {
        state.feed.publish_event(FeedEvent::ScopeChanged {
            organisation_id: org.to_string(),
        });
    }
}
