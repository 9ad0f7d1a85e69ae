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

use crate::auth::SocketCaller;
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// Largest WebSocket message accepted from a device (a sync message carrying a whole case
/// document with photos referenced by hash stays far below this).
pub const MAX_FRAME_BYTES: usize = 8 * 1024 * 1024;

/// `GET /v1/sync/ws`: live sync, upgraded to a WebSocket (automerge-repo protocol v1).
#[utoipa::path(
    tag = "sync",
    responses(
        (
            status = 101,
            description = "Switching Protocols: a WebSocket speaking the automerge-repo \
                network protocol, version 1 (docs/wire-protocol.md, \"Live sync over WebSocket\")"
        ),
        (status = 400, response = errors::BadRequest),
        (status = 401, response = errors::Unauthorized),
        (status = 429, response = errors::TooManyRequests),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []), ("query_token" = []))
)]
#[get("/v1/sync/ws")]
pub async fn sync_socket(
    req: HttpRequest,
    body: web::Payload,
    caller: SocketCaller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    // Counted before the upgrade: a device over its share gets a plain 429, not a socket.
    let most = state.config.limits.sockets_per_device;
    let Some(slot) = state.device_limits.sockets.open(&caller.0.device_id, most) else {
        return Err(ApiError::new(
            casesync_contract::errors::ErrorCode::LimitExceeded,
            format!("this device already has {most} live sockets open; close one first"),
        )
        .retry_after(10));
    };
    let (response, ws, stream) = actix_ws::handle(&req, body).map_err(|e| {
        ApiError::new(
            casesync_contract::errors::ErrorCode::InvalidRequest,
            e.to_string(),
        )
    })?;
    let state = state.get_ref().clone();
    actix_web::rt::spawn(async move {
        session::run(state, caller.0, ws, stream).await;
        drop(slot);
    });
    Ok(response)
}
