//! The record of a share with a peer's organisation, for the case page and the API: every
//! message sent to the peer about it (the view and its updates, alerts, the withdrawal),
//! pending or sent or refused, and who on the peer acknowledged its alerts, by name.

use casesync_contract::wire::{CaseShare, PeerMessage, RemoteAcknowledgement, ShareAcross};
use casesync_schema::directory::organisations;
use casesync_schema::federation::{outbox, people};
use casesync_schema::{alerts, DbConn, DbError};

pub fn add_across(conn: &mut DbConn, share: &mut CaseShare) -> Result<(), DbError> {
    let Some(server) = organisations::peer_of(conn, &share.organisation_id)? else {
        return Ok(());
    };
    let alerts = alerts::of_case_for(conn, &share.case_id.to_string(), &share.organisation_id)?;
    let mut subjects: Vec<String> = alerts.iter().map(|a| a.id.clone()).collect();
    subjects.extend(share.view_id.map(|v| v.to_string()));
    let messages = outbox::about(conn, &subjects)?
        .into_iter()
        .filter(|m| m.peer == server)
        .map(|m| PeerMessage {
            kind: m.kind,
            queued_at: m.created_at,
            sent_at: m.sent_at,
            refused: m.refused,
            last_error: m.last_error,
            attempts: m.attempts,
        })
        .collect();
    let known = people::all(conn)?;
    let organisation = organisations::find(conn, &share.organisation_id)
        .map(|o| o.name)
        .unwrap_or_else(|_| share.organisation_id.clone());
    let prefix = format!("peer:{server}/");
    let mut acknowledgements = vec![];
    for alert in &alerts {
        for delivery in alerts::deliveries(conn, &alert.id)? {
            let (Some(user), Some(at)) = (
                delivery.device_id.strip_prefix(&prefix),
                delivery.acknowledged_at,
            ) else {
                continue;
            };
            acknowledgements.push(RemoteAcknowledgement {
                alert_id: alert.id.clone(),
                name: known
                    .get(user)
                    .map(|p| p.name.clone())
                    .unwrap_or_else(|| user.to_string()),
                organisation: organisation.clone(),
                server: server.clone(),
                acknowledged_at: at,
            });
        }
    }
    share.peer = Some(ShareAcross {
        server,
        messages,
        acknowledgements,
    });
    Ok(())
}
