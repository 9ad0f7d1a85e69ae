use actix_web::{post, web, HttpRequest, HttpResponse};
use casesync_contract::wire::SyncRequest;

use crate::auth::Caller;
use crate::body::{decode, read_limited, respond, Format};
use crate::domain::batch::sync_batch;
use crate::error::ApiError;
use crate::state::AppState;

/// `POST /v1/sync`: batch sync of all of a device's documents.
#[post("/v1/sync")]
pub async fn post_sync(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let format = Format::of_request(&req)?;
    let body = read_limited(payload, state.config.max_body_bytes).await?;
    let request: SyncRequest = decode(format, &body)?;
    let response = web::block(move || sync_batch(&state, &caller, request)).await??;
    respond(format, &response)
}
