//! Sharing a case with another organisation, and withdrawing the share. Only the owning
//! organisation's coordinators share; every share names its legal basis, purpose and data
//! categories, and is recorded in the audit trail. The partner never holds the case: the
//! share's view (`domain::shared_views`) is written by the case's derive run, queued in the
//! share's own transaction so a crash cannot lose it, and waited for here.

use casesync_contract::case::read_case;
use casesync_contract::case::LEGAL_BASES;
use casesync_contract::errors::ErrorCode;
use casesync_contract::wire::{
    CaseShare, ShareCase, ShareSent, DATA_CATEGORIES, SPECIAL_CATEGORIES,
};
use casesync_contract::DocumentId;
use casesync_schema::access::share_versions::{self, ShareVersionRow};
use casesync_schema::access::shares::{self, NewShare, ShareRow};
use casesync_schema::access::{assignments, members};
use casesync_schema::directory::{organisations, AuthenticatedDevice};
use casesync_schema::outbox;
use casesync_schema::DbConn;
use casesync_schema::DbError;
use casesync_sync::DeriveWork;
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
    if let Some(peer) = &recipient.peer {
        check_peering(state, peer, &row.organisation_id, &request.legal_basis)?;
    }
    crate::domain::exercises::refuse_training(state, &[&row.organisation_id, &recipient.id])?;
    if let Some(entry) = &request.rests_on {
        check_rests_on(state, &id, entry, &request.legal_basis)?;
    }
    let view_id = DocumentId::random().to_string();
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
                view_id: &view_id,
                rests_on: request.rests_on.as_deref(),
            },
        )?;
        outbox::record_outside_append(conn, &row.id, &shares_changed())?;
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
                "view_id": view_id,
                "rests_on": created.rests_on,
            }));
        Ok((created, vec![event]))
    })?;
    // The view is written by the case's derive run; the caller sees it done.
    let ticket = state.projections.request(&id);
    state.projections.wait(ticket);
    publish_scope(state, &[&caller.organisation_id, &recipient.id]);
    let mut conn = state.db()?;
    let sent = share_versions::of_shares(&mut conn, std::slice::from_ref(&created.id))?;
    let mut share = view(&id, created, &sent);
    crate::federation::record::add_across(&mut conn, &mut share)?;
    Ok(share)
}

/// A share with an organisation a peer server serves crosses only what the peering allows:
/// from one of the organisations it names on this side, on a legal basis it names.
fn check_peering(
    state: &AppState,
    peer: &str,
    source_organisation: &str,
    basis: &str,
) -> Result<(), DomainError> {
    let Some(peering) = state.federation.peer(peer) else {
        return Err(invalid(format!(
            "the organisation is served by {peer}, with which no peering is configured"
        )));
    };
    if !peering.allows_local(source_organisation) {
        return Err(invalid(format!(
            "the peering with {peer} does not name this organisation"
        )));
    }
    if !peering.allows_basis(basis) {
        return Err(invalid(format!(
            "the peering with {peer} does not allow the legal basis {basis} (it allows {})",
            peering.config.legal_bases.join(", ")
        )));
    }
    Ok(())
}

/// The derive work a share made or withdrawn leaves: the case's views.
pub fn shares_changed() -> DeriveWork {
    DeriveWork {
        touched: [SHARES_KEY.to_string()].into(),
        created: false,
    }
}

/// The outbox key of work about a case's shares (no root key of the case is named so).
pub const SHARES_KEY: &str = "shares";

/// A share may rest on a legal basis entry of the case: it must exist, not be withdrawn,
/// and state the share's basis.
fn check_rests_on(
    state: &AppState,
    id: &DocumentId,
    entry: &str,
    basis: &str,
) -> Result<(), DomainError> {
    let case = state
        .engine
        .read(id, |doc| read_case(doc).ok())?
        .flatten()
        .ok_or_else(|| invalid("the case cannot be read to check rests_on".into()))?;
    let Some(found) = case.legal_bases.iter().find(|b| b.id.as_str() == entry) else {
        return Err(invalid(format!(
            "rests_on names no legal basis entry of the case (\"{entry}\")"
        )));
    };
    if case
        .legal_bases
        .iter()
        .any(|b| b.withdraws.as_ref().is_some_and(|w| w.as_str() == entry))
    {
        return Err(invalid(format!(
            "the legal basis entry \"{entry}\" has been withdrawn"
        )));
    }
    if found.basis.as_str() != basis {
        return Err(invalid(format!(
            "legal_basis is {basis} but the entry it rests on states {}",
            found.basis.as_str()
        )));
    }
    Ok(())
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
        let withdrawn = withdraw_in(
            conn,
            &id,
            &row.organisation_id,
            share_id,
            &caller.user_id,
            state.now(),
            "withdrawn",
        )?;
        Ok(match withdrawn {
            Some((share, event)) => (Some(share), vec![event]),
            None => (None, vec![]),
        })
    })?
    .ok_or_else(|| DomainError::new(ErrorCode::NotFound, "no such active share"))?;
    publish_scope(
        state,
        &[&caller.organisation_id, &withdrawn.organisation_id],
    );
    state.federation.wake();
    let mut conn = state.db()?;
    let sent = share_versions::of_shares(&mut conn, std::slice::from_ref(&withdrawn.id))?;
    let mut share = view(&id, withdrawn, &sent);
    crate::federation::record::add_across(&mut conn, &mut share)?;
    Ok(share)
}

/// The share lapses because the legal basis entry it rests on was withdrawn in the case:
/// withdrawn by the server, with the reason in the audit trail. Called by the case's derive
/// run; a second run finds the share withdrawn already and does nothing.
pub fn lapse(
    state: &AppState,
    id: &DocumentId,
    source_organisation: &str,
    share: &ShareRow,
) -> Result<(), DomainError> {
    let lapsed = audited(state, &Actor::Server, |conn| {
        let lapsed = withdraw_in(
            conn,
            id,
            source_organisation,
            &share.id,
            "server",
            state.now(),
            "legal_basis_withdrawn",
        )?;
        Ok(match lapsed {
            Some((share, event)) => (Some(share), vec![event]),
            None => (None, vec![]),
        })
    })?;
    if let Some(lapsed) = lapsed {
        publish_scope(state, &[source_organisation, &lapsed.organisation_id]);
        state.federation.wake();
    }
    Ok(())
}

/// Withdraws an active share inside the caller's transaction; the other organisation's
/// assignments of the case lapse with its last share. `None` if the share is not active.
fn withdraw_in(
    conn: &mut DbConn,
    id: &DocumentId,
    source_organisation: &str,
    share_id: &str,
    by: &str,
    at: i64,
    reason: &str,
) -> Result<Option<(ShareRow, AuditEvent)>, DbError> {
    let case = id.to_string();
    let Some(withdrawn) = shares::withdraw(conn, &case, share_id, by, at)? else {
        return Ok(None);
    };
    if !shares::is_shared_with(conn, &case, &withdrawn.organisation_id)? {
        let assigned: Vec<String> = assignments::of_document(conn, &case)?
            .into_iter()
            .map(|a| a.user_id)
            .collect();
        let theirs = members::members_among(conn, &withdrawn.organisation_id, &assigned)?;
        assignments::remove_for_users(conn, &case, &theirs)?;
    }
    // A partner on a peer server erases its copy of the view (queued with the withdrawal).
    crate::federation::enqueue::share_withdrawn_in(
        conn,
        &withdrawn,
        source_organisation,
        reason,
        at,
    )?;
    // The people the partner assigned to the view hold it no longer.
    if let Some(view) = &withdrawn.view_id {
        let holders: Vec<String> = assignments::of_document(conn, view)?
            .into_iter()
            .map(|a| a.user_id)
            .collect();
        assignments::remove_for_users(conn, view, &holders)?;
    }
    let event = AuditEvent::new(AuditAction::CaseShareWithdrawn)
        .case(id, source_organisation)
        .detail(json!({
            "share_id": withdrawn.id,
            "organisation_id": withdrawn.organisation_id,
            "reason": reason,
        }));
    Ok(Some((withdrawn, event)))
}

/// A share as the API shows it, with what was sent under it (`sent`: this share's versions;
/// others are ignored).
pub fn view(id: &DocumentId, row: ShareRow, sent: &[ShareVersionRow]) -> CaseShare {
    CaseShare {
        view_id: row.view_id.as_deref().and_then(|v| v.parse().ok()),
        rests_on: row.rests_on.clone(),
        sent: sent
            .iter()
            .filter(|v| v.share_id == row.id)
            .map(|v| ShareSent {
                version: v.version,
                sent_at: v.sent_at,
                data_categories: v.categories(),
                sha256: v.digest.clone(),
            })
            .collect(),
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
        peer: None,
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
