//! What a session does when something changes elsewhere: documents it holds changed (push
//! them), its device was cut off, its organisation's scope changed.

use std::time::Duration;

use actix_web::web;
use actix_ws::CloseCode;
use casesync_contract::DocumentId;
use tokio::sync::broadcast::error::RecvError;

use casesync_sync::protocol::RepoMessage;

use super::{End, Live};
use crate::feed::FeedEvent;
use crate::ws::documents::{push, Known};

/// How long a session gathers changes before pushing them. When many phones write to one
/// case, a push per change would send each phone many small messages, and each costs the
/// phone (and the server, for its reply) far more than the changes in it; a few
/// milliseconds of gathering sends one message with all of them, at a latency nobody sees.
const PUSH_GATHER: Duration = Duration::from_millis(10);

impl Live {
    pub(super) async fn on_event(&mut self, event: Result<FeedEvent, RecvError>) -> Option<End> {
        match event {
            Ok(FeedEvent::Doc(change)) if self.docs.contains_key(&change.document) => {
                self.push_soon(change.document);
                None
            }
            Ok(FeedEvent::DeviceCut { device_id }) if device_id == self.device.device_id => {
                Some(End::Code(CloseCode::Policy, "device access revoked"))
            }
            Ok(FeedEvent::ScopeChanged { organisation_id })
                if organisation_id == self.device.organisation_id =>
            {
                self.recheck_scope().await
            }
            // Missed events: bring every held document up to date.
            Err(RecvError::Lagged(_)) => {
                self.push_all_soon();
                None
            }
            // Another instance's events were missed: any of them may have been a change to
            // a held document or to who may see what.
            Ok(FeedEvent::Missed) => {
                if !self.still_admitted().await {
                    return Some(End::Code(CloseCode::Policy, "device access revoked"));
                }
                self.push_all_soon();
                self.recheck_scope().await
            }
            Err(RecvError::Closed) => Some(End::Code(CloseCode::Away, "server is stopping")),
            Ok(_) => None,
        }
    }

    fn push_all_soon(&mut self) {
        let ids: Vec<DocumentId> = self.docs.keys().copied().collect();
        for id in ids {
            self.push_soon(id);
        }
    }

    /// Pushes the document after [`PUSH_GATHER`], with whatever else changed meanwhile.
    fn push_soon(&mut self, id: DocumentId) {
        self.due.insert(id);
        self.push_at
            .get_or_insert_with(|| tokio::time::Instant::now() + PUSH_GATHER);
    }

    /// Pushes every document whose push is due.
    pub(super) async fn push_due(&mut self) -> Option<End> {
        self.push_at = None;
        let due: Vec<DocumentId> = self.due.drain().collect();
        for id in due {
            if let Some(end) = self.push(id).await {
                return Some(end);
            }
        }
        None
    }

    async fn push(&mut self, id: DocumentId) -> Option<End> {
        // Only documents this session synced, and found the device may sync, are pushed.
        let known = self.allowed.get(&id).cloned()?;
        let mut peer_state = self.docs.remove(&id)?;
        let state = self.state.clone();
        let device = self.device.clone();
        let mut held = std::mem::take(&mut self.held);
        let started = std::time::Instant::now();
        let session = self.session.clone();
        let result = web::block(move || {
            let reply = push(
                &state,
                &device,
                &session,
                &id,
                &known,
                &mut peer_state,
                &mut held,
            );
            (reply, peer_state, held)
        })
        .await;
        let Ok((reply, peer_state, held)) = result else {
            return Some(End::Error("internal error".into()));
        };
        self.held = held;
        self.docs.insert(id, peer_state);
        match reply {
            Ok(Some(data)) => {
                let end = self.send_sync(id, data);
                crate::observe::push(started.elapsed().as_secs_f64());
                end
            }
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(document = %id, error = %e, "live push failed");
                None
            }
        }
    }

    /// Drops documents that left the device's scope and brings its caseload up to date
    /// (which tells the device what to hold and what to erase).
    /// Whether the device may go on (not revoked, expired or newly ordered to wipe since it
    /// connected). When the database cannot say, the session goes on until it can.
    async fn still_admitted(&self) -> bool {
        let state = self.state.clone();
        let device = self.device.clone();
        web::block(move || {
            let mut conn = state.db().ok()?;
            casesync_schema::directory::devices::still_admitted(
                &mut conn,
                &device.device_id,
                device.wipe_requested,
                state.now(),
            )
            .ok()
        })
        .await
        .ok()
        .flatten()
        .unwrap_or(true)
    }

    async fn recheck_scope(&mut self) -> Option<End> {
        let state = self.state.clone();
        let device = self.device.clone();
        let ids: Vec<DocumentId> = self.docs.keys().copied().collect();
        let checked = web::block(move || {
            if let Err(e) = crate::domain::caseload::refresh(&state, &device) {
                tracing::warn!(device = %device.device_id, error = %e, "caseload not refreshed");
            }
            let mut conn = state.db().ok()?;
            ids.into_iter()
                .map(|id| {
                    let known = crate::ws::access::accessible(&mut conn, &device, &id)
                        .ok()?
                        .map(|(row, kind)| Known {
                            kind,
                            organisation: row.organisation_id,
                        });
                    Some((id, known))
                })
                .collect::<Option<Vec<_>>>()
        })
        .await;
        // The database could not say: keep what the session knows until the next change.
        let Ok(Some(checked)) = checked else {
            return None;
        };
        // Documents not held here are checked again on their next frame.
        self.allowed.clear();
        for (id, known) in checked {
            match known {
                Some(known) => {
                    self.allowed.insert(id, known);
                }
                None => {
                    // Out of the device's scope now: nothing more of it goes out, and the
                    // device is told at once (its caseload no longer lists it either).
                    self.docs.remove(&id);
                    self.held.forget(&id);
                    self.refused.remove(&id);
                    if let Some(end) = self.send(&RepoMessage::DocUnavailable {
                        sender_id: self.server_peer(),
                        target_id: self.peer_id(),
                        document_id: id,
                    }) {
                        return Some(end);
                    }
                }
            }
        }
        None
    }
}
