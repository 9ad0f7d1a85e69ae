//! Live sync over WebSocket at `GET /v1/sync/ws`, speaking the automerge-repo network
//! protocol version 1 so that official automerge-repo clients (JavaScript, Swift, Rust) work
//! unchanged. Unlike a plain automerge-repo server it authenticates the device, keeps it to
//! its scope, admits changes through the same checks as batch sync, and sends the sync
//! messages that acknowledge a change only after the change is committed.

mod access;
mod documents;
mod outbox;
mod session;

use actix_web::{get, web, HttpRequest, HttpResponse};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// Largest WebSocket message accepted from a device (a sync message carrying a whole case
/// document with photos referenced by hash stays far below this).
pub const MAX_FRAME_BYTES: usize = 8 * 1024 * 1024;

#[get("/v1/sync/ws")]
pub async fn sync_socket(
    req: HttpRequest,
    body: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (response, ws, stream) = actix_ws::handle(&req, body).map_err(|e| {
        ApiError::new(
            casesync_contract::errors::ErrorCode::InvalidRequest,
            e.to_string(),
        )
    })?;
    let state = state.get_ref().clone();
    actix_web::rt::spawn(session::run(state, caller.0, ws, stream));
    Ok(response)
}
