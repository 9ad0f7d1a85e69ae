//! Alerts across a peering. A missing-child alert from the peer is raised here for the
//! partner organisation's coordinators, about the view they hold, with only the pack the
//! share covers; its stand-down follows it. A peer's person acknowledging an alert this
//! server raised for their organisation counts as that organisation's acknowledgement.

use casesync_contract::alerts::{AlertKind, Audience};
use casesync_contract::errors::ErrorCode;
use casesync_contract::DocumentId;
use casesync_schema::alerts;
use casesync_schema::federation::people::{self, PeerPerson};
use casesync_schema::federation::views;
use serde::Serialize;
use serde_json::json;

use super::messages::{AlertAcknowledged, AlertStoodDown, PeerAlert};
use super::peers::Peer;
use super::receive::peer_actor;
use crate::domain::alerts::raise::{raise, stand_down, NewAlert};
use crate::domain::audit::{record, AuditAction, AuditEvent};
use crate::domain::error::DomainError;
use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct Taken {
    /// The alert's id on this server.
    pub alert_id: Option<String>,
}

/// The key of a peer's alert here: the same alert sent twice is raised once.
pub fn peer_alert_key(peer: &str, alert_id: &str) -> String {
    format!("peer:{peer}:{alert_id}")
}

pub fn raised(state: &AppState, peer: &Peer, m: PeerAlert) -> Result<Taken, DomainError> {
    if m.kind != AlertKind::Missing.as_str() {
        return Err(DomainError::invalid(
            "only missing-child alerts cross a peering",
        ));
    }
    let view: DocumentId = m.view_id.parse().map_err(|_| {
        DomainError::new(ErrorCode::InvalidDocumentId, "view_id is not a document id")
    })?;
    let row = {
        let mut conn = state.db()?;
        views::find(&mut conn, &m.view_id)?
    };
    let standing = row.is_some_and(|r| {
        r.peer == peer.name()
            && r.source_organisation == m.from_organisation
            && r.partner_organisation == m.to_organisation
            && r.withdrawn_at.is_none()
    });
    if !standing {
        return Err(DomainError::new(
            ErrorCode::NotFound,
            "no standing view of that peer for that organisation",
        ));
    }
    let key = peer_alert_key(peer.name(), &m.alert_id);
    let raised_now = raise(
        state,
        NewAlert {
            case_id: view,
            organisation_id: m.to_organisation.clone(),
            site_id: String::new(),
            kind: AlertKind::Missing,
            audience: Audience::Coordinators,
            dedupe_key: key.clone(),
            message: m.message.clone(),
            pack: m.pack.clone(),
        },
    )?;
    if raised_now.is_some() {
        let latency = (state.now() - m.raised_at).max(0);
        tracing::info!(peer = peer.name(), view = %view, latency_ms = latency, "federation: alert received");
        let event = AuditEvent::new(AuditAction::PeerAlertReceived)
            .organisation(&m.to_organisation)
            .detail(json!({
                "server": peer.name(),
                "view_id": m.view_id,
                "peer_alert_id": m.alert_id,
                "kind": m.kind,
                "raised_at": m.raised_at,
            }));
        record(state, &peer_actor(peer, &m.from_organisation), event)?;
    }
    let mut conn = state.db()?;
    Ok(Taken {
        alert_id: alerts::by_key(&mut conn, &key)?.map(|a| a.id),
    })
}

pub fn stood_down(state: &AppState, peer: &Peer, m: AlertStoodDown) -> Result<Taken, DomainError> {
    let key = peer_alert_key(peer.name(), &m.alert_id);
    let row = {
        let mut conn = state.db()?;
        alerts::by_key(&mut conn, &key)?
    };
    let Some(row) = row.filter(|r| r.organisation_id == m.to_organisation) else {
        // Never raised here (the alert never arrived): nothing to stand down.
        return Ok(Taken { alert_id: None });
    };
    stand_down(state, &row)?;
    Ok(Taken {
        alert_id: Some(row.id),
    })
}

pub fn acknowledged(
    state: &AppState,
    peer: &Peer,
    m: AlertAcknowledged,
) -> Result<Taken, DomainError> {
    let row = {
        let mut conn = state.db()?;
        alerts::find(&mut conn, &m.alert_id)?
    };
    // Only an alert raised here for the peer's organisation is theirs to acknowledge.
    let Some(row) = row.filter(|r| r.organisation_id == m.from_organisation) else {
        return Err(DomainError::new(
            ErrorCode::NotFound,
            "no such alert for that organisation",
        ));
    };
    if m.by.organisation_id != m.from_organisation {
        return Err(DomainError::invalid(
            "the acknowledging person is not of the organisation the message speaks for",
        ));
    }
    let device = format!("peer:{}/{}", peer.name(), m.by.user_id);
    let first = {
        let mut conn = state.db()?;
        people::remember(
            &mut conn,
            &PeerPerson {
                peer: peer.name().to_string(),
                user_id: m.by.user_id.clone(),
                organisation_id: m.by.organisation_id.clone(),
                name: m.by.name.clone(),
                seen_at: state.now(),
            },
        )?;
        let before = alerts::deliveries(&mut conn, &row.id)?
            .into_iter()
            .any(|d| d.device_id == device && d.acknowledged_at.is_some());
        alerts::record_delivery(
            &mut conn,
            &row.id,
            &device,
            m.acknowledged_at,
            Some(m.acknowledged_at),
        )?;
        !before
    };
    if first {
        let case: Option<DocumentId> = row.case_id.parse().ok();
        let source = match &case {
            Some(case) => {
                let mut conn = state.db()?;
                casesync_schema::directory::documents::find(&mut conn, case)?
                    .map(|d| d.organisation_id)
            }
            None => None,
        };
        let mut event = AuditEvent::new(AuditAction::PeerAlertAcknowledged).detail(json!({
            "server": peer.name(),
            "alert_id": row.id,
            "organisation_id": m.by.organisation_id,
            "user_id": m.by.user_id,
            "acknowledged_at": m.acknowledged_at,
        }));
        if let (Some(case), Some(source)) = (case, source) {
            event = event.case(&case, &source);
        }
        record(state, &peer_actor(peer, &m.from_organisation), event)?;
    }
    Ok(Taken {
        alert_id: Some(row.id),
    })
}
