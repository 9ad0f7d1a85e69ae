//! A view from a peer. On the partner's server the peer owns the view: the first sync
//! records it (and audits it), its changes are taken as the owner's. On the sharing
//! server the peer is the partner: its changes may only add contributions, which then enter
//! the source case with their provenance as on one server. Either way the answer carries
//! what the peer lacks.

use automerge::ChangeHash;
use base64::Engine as _;
use casesync_contract::errors::ErrorCode;
use casesync_contract::DocumentId;
use casesync_schema::access::shares;
use casesync_schema::directory::documents;
use casesync_schema::federation::heads;
use casesync_schema::federation::people::{self, PeerPerson};
use casesync_schema::federation::views::{self, PeerViewRow};
use casesync_sync::DocumentMeta;
use serde_json::json;

use super::messages::{ViewSync, ViewSyncAnswer, ViewWithdrawn, WithdrawalConfirmed};
use super::peers::Peer;
use super::receive::{peer_actor, peer_writer, VIEW_KIND};
use crate::domain::audit::{audited, record, AuditAction, AuditEvent};
use crate::domain::error::DomainError;
use crate::domain::server_write::admit_server_changes;
use crate::feed::FeedEvent;
use crate::state::AppState;

pub fn sync(state: &AppState, peer: &Peer, m: ViewSync) -> Result<ViewSyncAnswer, DomainError> {
    let id: DocumentId = m.view_id.parse().map_err(|_| {
        DomainError::new(ErrorCode::InvalidDocumentId, "view_id is not a document id")
    })?;
    let share = &m.share;
    let from_owner = m.from_organisation == share.source_organisation
        && m.to_organisation == share.partner_organisation;
    let from_partner = m.from_organisation == share.partner_organisation
        && m.to_organisation == share.source_organisation;
    if !from_owner && !from_partner {
        return Err(DomainError::invalid(
            "a view is exchanged between its source and its partner organisation",
        ));
    }
    let changes = decode_changes(&m.changes)?;
    let their_heads = decode_heads(&m.heads)?;
    let create = if from_owner {
        accept_as_partner(state, peer, &id, &m)?
    } else {
        accept_as_owner(state, &id, &m)?;
        None
    };
    remember_people(state, peer, &m)?;
    if !changes.is_empty() {
        let writer = peer_writer(peer, &m.from_organisation, from_owner);
        let admitted =
            admit_server_changes(state, &id, VIEW_KIND, &writer, &changes, create.as_ref())
                .map_err(|e| match e.code() {
                    // Sent after heads this server no longer holds: the peer starts over.
                    ErrorCode::MissingDependencies => DomainError::new(
                        ErrorCode::MissingDependencies,
                        "changes depend on changes this server lacks: send the view from the start",
                    ),
                    _ => e,
                })?;
        if admitted.created {
            // The partner's devices learn of the new view through their caseloads.
            state.feed.publish_event(FeedEvent::ScopeChanged {
                organisation_id: share.partner_organisation.clone(),
            });
        }
        if !admitted.added.is_empty() {
            let event = AuditEvent::new(AuditAction::PeerViewSynced)
                .organisation(&m.to_organisation)
                .detail(json!({
                    "server": peer.name(),
                    "view_id": m.view_id,
                    "reference": share.reference,
                    "changes": admitted.added.len(),
                    "as": if from_owner { "source" } else { "partner" },
                }));
            record(state, &peer_actor(peer, &m.from_organisation), event)?;
        }
    }
    let missing = state
        .engine
        .changes_for(&id, &their_heads)?
        .ok_or_else(|| DomainError::internal("view vanished while syncing"))?;
    let ours: Vec<String> = missing.heads.iter().map(ToString::to_string).collect();
    {
        // Once it applies this answer the peer holds what this server holds.
        let mut conn = state.db()?;
        heads::set(&mut conn, peer.name(), &m.view_id, &ours)?;
    }
    let engine = base64::engine::general_purpose::STANDARD;
    Ok(ViewSyncAnswer {
        heads: ours,
        changes: missing.changes.iter().map(|c| engine.encode(c)).collect(),
    })
}

/// The peer owns the view and shares it with one of ours: recorded the first time (and
/// audited), refused once withdrawn, and only ever from the peer that first sent it.
fn accept_as_partner(
    state: &AppState,
    peer: &Peer,
    id: &DocumentId,
    m: &ViewSync,
) -> Result<Option<DocumentMeta>, DomainError> {
    let share = &m.share;
    let mut conn = state.db()?;
    match views::find(&mut conn, &m.view_id)? {
        Some(row) if row.peer != peer.name() || row.source_organisation != m.from_organisation => {
            return Err(DomainError::forbidden(
                "this view was shared by another server",
            ));
        }
        Some(row) if row.withdrawn_at.is_some() => {
            return Err(DomainError::new(
                ErrorCode::NotFound,
                "this view was withdrawn",
            ));
        }
        Some(_) => {}
        None => {
            if documents::find(&mut conn, id)?.is_some() {
                return Err(DomainError::forbidden(
                    "a document with this id exists here",
                ));
            }
            drop(conn);
            let row = PeerViewRow {
                view_id: m.view_id.clone(),
                peer: peer.name().to_string(),
                source_organisation: share.source_organisation.clone(),
                partner_organisation: share.partner_organisation.clone(),
                reference: share.reference.clone(),
                legal_basis: share.legal_basis.clone(),
                purpose: share.purpose.clone(),
                categories: serde_json::to_string(&share.categories)
                    .map_err(DomainError::internal)?,
                cross_border: share.cross_border,
                shared_at: share.shared_at,
                received_at: state.now(),
                withdrawn_at: None,
            };
            let first = audited(state, &peer_actor(peer, &m.from_organisation), |conn| {
                let first = views::record(conn, &row)?;
                let event = AuditEvent::new(AuditAction::PeerViewReceived)
                    .organisation(&share.partner_organisation)
                    .detail(json!({
                        "server": peer.name(),
                        "view_id": m.view_id,
                        "reference": share.reference,
                        "source_organisation": share.source_organisation,
                        "legal_basis": share.legal_basis,
                        "purpose": share.purpose,
                        "data_categories": share.categories,
                        "cross_border": share.cross_border,
                    }));
                Ok((first, if first { vec![event] } else { vec![] }))
            })?;
            if first {
                tracing::info!(peer = peer.name(), view = %id, "federation: view received");
            }
        }
    }
    Ok(Some(DocumentMeta {
        kind: VIEW_KIND,
        organisation: share.source_organisation.clone(),
        site: None,
    }))
}

/// The peer is the partner of one of our shares: the share must stand and name it.
fn accept_as_owner(state: &AppState, id: &DocumentId, m: &ViewSync) -> Result<(), DomainError> {
    let mut conn = state.db()?;
    let share = shares::by_view(&mut conn, &m.view_id)?
        .filter(|s| s.organisation_id == m.from_organisation)
        .ok_or_else(|| {
            DomainError::new(
                ErrorCode::NotFound,
                "no share of this view with that organisation",
            )
        })?;
    if share.withdrawn_at.is_some() {
        return Err(DomainError::new(
            ErrorCode::NotFound,
            "this view was withdrawn",
        ));
    }
    let owner = documents::find(&mut conn, id)?
        .map(|row| row.organisation_id)
        .unwrap_or_default();
    if owner != m.to_organisation {
        return Err(DomainError::forbidden(format!(
            "the view is not {}'s",
            m.to_organisation
        )));
    }
    Ok(())
}

/// The names the peer gives its people who wrote in the view (only its own people).
fn remember_people(state: &AppState, peer: &Peer, m: &ViewSync) -> Result<(), DomainError> {
    let mut conn = state.db()?;
    for person in m.people.iter().filter(|p| peer.serves(&p.organisation_id)) {
        people::remember(
            &mut conn,
            &PeerPerson {
                peer: peer.name().to_string(),
                user_id: person.user_id.clone(),
                organisation_id: person.organisation_id.clone(),
                name: person.name.clone(),
                seen_at: state.now(),
            },
        )?;
    }
    Ok(())
}

/// The view's owner withdrew it: this server's copy is erased, its alerts with it, and the
/// erasure confirmed. A second notice finds it erased and confirms again.
pub fn withdrawn(
    state: &AppState,
    peer: &Peer,
    m: ViewWithdrawn,
) -> Result<WithdrawalConfirmed, DomainError> {
    let id: DocumentId = m.view_id.parse().map_err(|_| {
        DomainError::new(ErrorCode::InvalidDocumentId, "view_id is not a document id")
    })?;
    let row = {
        let mut conn = state.db()?;
        views::find(&mut conn, &m.view_id)?
    };
    let Some(row) = row else {
        // Never received (withdrawn before its first sync arrived): nothing is held here.
        return Ok(WithdrawalConfirmed {
            erased_at: state.now(),
        });
    };
    if row.peer != peer.name()
        || row.source_organisation != m.from_organisation
        || row.partner_organisation != m.to_organisation
    {
        return Err(DomainError::forbidden(
            "this view was shared by another server",
        ));
    }
    if let Some(at) = row.withdrawn_at {
        return Ok(WithdrawalConfirmed { erased_at: at });
    }
    let now = state.now();
    let alert_documents = audited(state, &peer_actor(peer, &m.from_organisation), |conn| {
        let documents = views::erase(conn, &m.view_id, now)?;
        heads::forget(conn, peer.name(), &m.view_id)?;
        let event = AuditEvent::new(AuditAction::PeerViewErased)
            .organisation(&m.to_organisation)
            .detail(json!({
                "server": peer.name(),
                "view_id": m.view_id,
                "reference": m.reference,
                "reason": m.reason,
                "withdrawn_at": m.withdrawn_at,
            }));
        Ok((documents, vec![event]))
    })?;
    state.engine.forget(&id);
    crate::domain::alerts::purge::rebuild_without(state, &id, &alert_documents);
    state.feed.publish_event(FeedEvent::ScopeChanged {
        organisation_id: m.to_organisation.clone(),
    });
    tracing::info!(peer = peer.name(), view = %id, "federation: view withdrawn and erased");
    Ok(WithdrawalConfirmed { erased_at: now })
}

pub fn decode_changes(changes: &[String]) -> Result<Vec<Vec<u8>>, DomainError> {
    let engine = base64::engine::general_purpose::STANDARD;
    changes
        .iter()
        .map(|c| {
            engine
                .decode(c)
                .map_err(|_| DomainError::new(ErrorCode::InvalidChanges, "a change is not base64"))
        })
        .collect()
}

pub fn decode_heads(heads: &[String]) -> Result<Vec<ChangeHash>, DomainError> {
    heads
        .iter()
        .map(|h| {
            h.parse().map_err(|_| {
                DomainError::new(ErrorCode::InvalidChanges, "a head is not a change hash")
            })
        })
        .collect()
}
