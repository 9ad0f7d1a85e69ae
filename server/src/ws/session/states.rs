//! The sync state of each document a device syncs live, kept between its connections when
//! it names a storage id (automerge-repo's persisted peers): its next connection starts
//! from what it had, instead of announcing everything again.

use actix_web::web;
use automerge::sync;
use casesync_contract::DocumentId;

use super::Live;

impl Live {
    pub(super) async fn saved_state(&self, id: DocumentId) -> sync::State {
        let Some(storage_id) = self.peer.as_ref().and_then(|p| p.storage_id.clone()) else {
            return sync::State::new();
        };
        let state = self.state.clone();
        let device = self.device.device_id.clone();
        web::block(move || {
            let mut conn = state.db().ok()?;
            let bytes =
                casesync_schema::live::load_sync_state(&mut conn, &device, &storage_id, &id)
                    .ok()??;
            sync::State::decode(&bytes).ok()
        })
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
    }

    /// Keeps what the device has, so its next connection starts from there.
    pub(super) async fn save_states(&self) {
        let Some(storage_id) = self.peer.as_ref().and_then(|p| p.storage_id.clone()) else {
            return;
        };
        let states: Vec<(DocumentId, Vec<u8>)> =
            self.docs.iter().map(|(id, s)| (*id, s.encode())).collect();
        let state = self.state.clone();
        let device = self.device.device_id.clone();
        let now = self.state.now();
        let _ = web::block(move || {
            let Ok(mut conn) = state.db() else { return };
            for (id, bytes) in states {
                if let Err(e) = casesync_schema::live::save_sync_state(
                    &mut conn,
                    &device,
                    &storage_id,
                    &id,
                    &bytes,
                    now,
                ) {
                    tracing::warn!(document = %id, error = %e, "sync state not saved");
                }
            }
        })
        .await;
    }
}
