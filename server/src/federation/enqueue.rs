//! What queues a message for a peer. Each is called where the fact it carries becomes
//! durable: a view's derive run (the outbox makes it survive a crash, and a second run
//! queues nothing new), the withdrawal's own transaction, an alert raised or stood down by
//! a derive run, an acknowledgement recorded by the alert document's derive run.

use casesync_contract::alerts::{AlertMessage, AlertPack};
use casesync_contract::DocumentId;
use casesync_schema::access::devices;
use casesync_schema::access::shares::{self, ShareRow};
use casesync_schema::alerts::{self, AlertRow};
use casesync_schema::directory::{organisations, users};
use casesync_schema::federation::{outbox, views};
use casesync_schema::{DbConn, DbError};
use serde_json::json;

use super::messages::{
    AlertAcknowledged, AlertStoodDown, Message, PeerAlert, Person, ViewWithdrawn,
};
use crate::domain::error::DomainError;
use crate::state::AppState;

pub const VIEW_SYNC: &str = "view_sync";

/// A view changed here: the peer holding the other copy gets a sync (one pending per view).
pub fn view_changed(state: &AppState, view: &DocumentId) -> Result<(), DomainError> {
    if !state.federation.enabled() {
        return Ok(());
    }
    let view = view.to_string();
    let mut conn = state.db()?;
    let peer = match shares::by_view(&mut conn, &view)? {
        Some(share) if share.withdrawn_at.is_none() => {
            organisations::peer_of(&mut conn, &share.organisation_id)?
        }
        Some(_) => None,
        None => views::find(&mut conn, &view)?
            .filter(|row| row.withdrawn_at.is_none())
            .map(|row| row.peer),
    };
    if let Some(peer) = peer {
        let payload = json!({ "view_id": view }).to_string();
        outbox::enqueue(&mut conn, &peer, VIEW_SYNC, &view, &payload, state.now())?;
        drop(conn);
        state.federation.wake();
    }
    Ok(())
}

/// A share with a peer's organisation was withdrawn (or lapsed): queued in the withdrawal's
/// transaction. The caller wakes the sender once it has committed.
pub fn share_withdrawn_in(
    conn: &mut DbConn,
    share: &ShareRow,
    source_organisation: &str,
    reason: &str,
    at: i64,
) -> Result<bool, DbError> {
    let (Some(peer), Some(view)) = (
        organisations::peer_of(conn, &share.organisation_id)?,
        share.view_id.as_deref(),
    ) else {
        return Ok(false);
    };
    let message = Message::ViewWithdrawn(ViewWithdrawn {
        view_id: view.to_string(),
        from_organisation: source_organisation.to_string(),
        to_organisation: share.organisation_id.clone(),
        reference: share.id.clone(),
        reason: reason.to_string(),
        withdrawn_at: at,
    });
    let payload = serde_json::to_string(&message).map_err(|e| DbError::Invalid(e.to_string()))?;
    outbox::enqueue(conn, &peer, message.kind(), view, &payload, at)
}

/// A missing-child alert raised here for a peer's organisation under `share`: sent once.
pub fn alert_raised(
    state: &AppState,
    share: &ShareRow,
    source_organisation: &str,
    dedupe_key: &str,
    message: &AlertMessage,
    pack: Option<&AlertPack>,
) -> Result<(), DomainError> {
    if !state.federation.enabled() {
        return Ok(());
    }
    let mut conn = state.db()?;
    let Some(peer) = organisations::peer_of(&mut conn, &share.organisation_id)? else {
        return Ok(());
    };
    let (Some(alert), Some(view)) = (alerts::by_key(&mut conn, dedupe_key)?, &share.view_id) else {
        return Ok(());
    };
    let message = Message::Alert(PeerAlert {
        alert_id: alert.id.clone(),
        view_id: view.clone(),
        from_organisation: source_organisation.to_string(),
        to_organisation: share.organisation_id.clone(),
        legal_basis: share.legal_basis.clone(),
        kind: alert.kind.clone(),
        message: message.clone(),
        pack: pack.cloned(),
        raised_at: alert.raised_at,
    });
    once(state, &mut conn, &peer, &alert.id, &message)
}

/// An alert raised here for a peer's organisation was stood down: the peer's copy follows.
/// Queued in the stand-down's transaction (the caller wakes the sender).
pub fn alert_stood_down_in(conn: &mut DbConn, row: &AlertRow, at: i64) -> Result<(), DbError> {
    let Some(peer) = organisations::peer_of(conn, &row.organisation_id)? else {
        return Ok(());
    };
    let source = match row.case_id.parse::<DocumentId>() {
        Ok(case) => casesync_schema::directory::documents::find(conn, &case)?
            .map(|d| d.organisation_id)
            .unwrap_or_default(),
        Err(_) => return Ok(()),
    };
    let message = Message::AlertStoodDown(AlertStoodDown {
        alert_id: row.id.clone(),
        from_organisation: source,
        to_organisation: row.organisation_id.clone(),
        stood_down_at: at,
    });
    let payload = serde_json::to_string(&message).map_err(|e| DbError::Invalid(e.to_string()))?;
    outbox::enqueue(conn, &peer, message.kind(), &row.id, &payload, at)?;
    Ok(())
}

/// Someone here acknowledged an alert a peer raised for our organisation: the peer learns
/// who (by name) and when.
pub fn alert_acknowledged(
    state: &AppState,
    alert_id: &str,
    device: &str,
    at: i64,
) -> Result<(), DomainError> {
    if !state.federation.enabled() {
        return Ok(());
    }
    let mut conn = state.db()?;
    let Some(row) = alerts::find(&mut conn, alert_id)? else {
        return Ok(());
    };
    let Some((peer, remote_id)) = row
        .dedupe_key
        .strip_prefix("peer:")
        .and_then(|rest| rest.rsplit_once(':'))
    else {
        return Ok(());
    };
    let Some(view) = views::find(&mut conn, &row.case_id)? else {
        return Ok(());
    };
    let user_id = match device.strip_prefix("web:") {
        Some(user) => user.to_string(),
        None => match devices::owner(&mut conn, device)? {
            Some(owner) => owner.user_id,
            None => return Ok(()),
        },
    };
    let name = users::find(&mut conn, &user_id)
        .map(|u| u.name)
        .unwrap_or_default();
    let message = Message::AlertAcknowledged(AlertAcknowledged {
        alert_id: remote_id.to_string(),
        from_organisation: row.organisation_id.clone(),
        to_organisation: view.source_organisation.clone(),
        by: Person {
            user_id: user_id.clone(),
            organisation_id: row.organisation_id.clone(),
            name,
        },
        acknowledged_at: at,
    });
    once(
        state,
        &mut conn,
        peer,
        &format!("{}:{user_id}", row.id),
        &message,
    )
}

/// Queues a message that is sent once ever (not once per pending window).
fn once(
    state: &AppState,
    conn: &mut DbConn,
    peer: &str,
    subject: &str,
    message: &Message,
) -> Result<(), DomainError> {
    if outbox::exists(conn, peer, message.kind(), subject)? {
        return Ok(());
    }
    let payload = serde_json::to_string(message).map_err(DomainError::internal)?;
    outbox::enqueue(conn, peer, message.kind(), subject, &payload, state.now())?;
    state.federation.wake();
    Ok(())
}
