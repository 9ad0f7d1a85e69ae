//! A device under a wipe order (reported lost; the phone may be in the wrong hands) may sync
//! one document on its socket: its caseload, which then says `wipe: true` and lists nothing.
//! Every other document is `doc-unavailable`, and nothing it sends is admitted. Once the
//! caseload's reply is queued the order counts as delivered (the token dies, once) and the
//! socket closes behind that reply.

use actix_web::web;
use actix_ws::CloseCode;
use casesync_contract::DocumentId;

use super::{End, Live};
use crate::domain::access::devices::wipe_delivered;
use crate::domain::caseload;

impl Live {
    pub(super) async fn on_sync_under_wipe(
        &mut self,
        id: DocumentId,
        data: Vec<u8>,
        is_request: bool,
    ) -> Option<End> {
        let (state, device) = (self.state.clone(), self.device.clone());
        // Refreshed before it is synced, so that the reply carries the order.
        let caseload = match web::block(move || caseload::refresh(&state, &device)).await {
            Ok(Ok(caseload)) => caseload,
            Ok(Err(e)) => return Some(failed(e)),
            Err(e) => return Some(failed(e)),
        };
        if id != caseload {
            return self.send_unavailable(id);
        }
        if let Some(end) = self.sync_document(id, data, is_request).await {
            return Some(end);
        }
        let (state, device) = (self.state.clone(), self.device.clone());
        match web::block(move || wipe_delivered(&state, &device)).await {
            Ok(Ok(())) => Some(End::Code(
                CloseCode::Policy,
                "device wiped: erase all case data",
            )),
            Ok(Err(e)) => Some(failed(e)),
            Err(e) => Some(failed(e)),
        }
    }
}

/// The cause goes to the log only: the device may be in the wrong hands.
fn failed(cause: impl std::fmt::Display) -> End {
    tracing::error!(%cause, "wipe order not delivered");
    End::Error("internal error".into())
}
