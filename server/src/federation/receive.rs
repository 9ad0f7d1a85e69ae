//! A message from a peer: who sent it (the certificate), whether its peering allows it, and
//! then what it does here. Refusals are audited with the peer and the organisation named.

use casesync_contract::wire::DocumentKind;
use casesync_sync::Writer;
use rustls::pki_types::CertificateDer;
use serde_json::{json, Value};

use super::messages::Message;
use super::peers::Peer;
use crate::domain::audit::{record, Actor, AuditAction, AuditEvent};
use crate::domain::error::DomainError;
use crate::state::AppState;

pub fn receive(
    state: &AppState,
    chain: &[CertificateDer<'static>],
    message: Message,
) -> Result<Value, DomainError> {
    let Some(peer) = state.federation.identify(chain) else {
        // Past the handshake a certificate always belongs to a peering; this is a
        // configuration reloaded under a live connection. Refused alike.
        let event = AuditEvent::new(AuditAction::PeerRefused)
            .detail(json!({ "reason": "certificate of no peering", "message": message.kind() }));
        record(state, &Actor::Server, event)?;
        return Err(DomainError::forbidden(
            "this certificate belongs to no peering",
        ));
    };
    if let Some(reason) = peer.refusal(&message) {
        refuse(state, peer, &message, &reason)?;
        return Err(DomainError::forbidden(reason));
    }
    let answer = match message {
        Message::ViewSync(m) => to_json(super::receive_view::sync(state, peer, m)?),
        Message::ViewWithdrawn(m) => to_json(super::receive_view::withdrawn(state, peer, m)?),
        Message::Alert(m) => to_json(super::receive_alert::raised(state, peer, m)?),
        Message::AlertStoodDown(m) => to_json(super::receive_alert::stood_down(state, peer, m)?),
        Message::AlertAcknowledged(m) => {
            to_json(super::receive_alert::acknowledged(state, peer, m)?)
        }
    };
    Ok(answer)
}

/// Audits a refused message: the peer, the organisation it spoke for, and why.
pub fn refuse(
    state: &AppState,
    peer: &Peer,
    message: &Message,
    reason: &str,
) -> Result<(), DomainError> {
    let (from, to) = message.parties();
    tracing::warn!(
        peer = peer.name(),
        from,
        to,
        reason,
        "federation: message refused"
    );
    let mut event = AuditEvent::new(AuditAction::PeerRefused).detail(json!({
        "server": peer.name(),
        "from_organisation": from,
        "to_organisation": to,
        "message": message.kind(),
        "reason": reason,
    }));
    // Our organisation's auditors see what was refused on its behalf.
    if peer.allows_local(to) {
        event = event.organisation(to);
    }
    record(state, &peer_actor(peer, from), event)
}

pub fn peer_actor(peer: &Peer, organisation: &str) -> Actor {
    Actor::Peer {
        server: peer.name().to_string(),
        organisation: Some(organisation.to_string()),
    }
}

/// The peer as the writer of a view's changes: as the view's owner (trusted like this
/// server's own writes) or as the partner (contributions only, checked like a device's).
pub fn peer_writer(peer: &Peer, organisation: &str, owner: bool) -> Writer {
    let id = format!("peer:{}", peer.name());
    Writer {
        device: id.clone(),
        user: id,
        role: (!owner).then_some(casesync_contract::Role::Coordinator),
        organisation: organisation.to_string(),
        site: None,
        peer: Some(peer.name().to_string()),
    }
}

fn to_json(value: impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

pub const VIEW_KIND: DocumentKind = DocumentKind::SharedView;
