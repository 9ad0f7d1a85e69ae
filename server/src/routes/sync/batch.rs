use actix_web::{post, web, HttpRequest, HttpResponse};
use casesync_contract::errors::ErrorCode;
use casesync_contract::wire::{SyncRequest, SyncResponse};

use crate::auth::SyncCaller;
use crate::body::{decode, read_limited, respond, Format};
use crate::domain::batch::sync_batch;
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// `POST /v1/sync`: batch sync of all of a device's documents.
#[utoipa::path(
    tag = "sync",
    request_body(
        description = "Every document the device holds, with its heads and the changes the \
            server may not have: CBOR for devices, JSON for tools",
        content((SyncRequest = "application/cbor"), (SyncRequest = "application/json"))
    ),
    responses(
        (
            status = 200,
            description = "One reply per document of the request, in its format; `heads` \
                acknowledge what is committed",
            content((SyncResponse = "application/cbor"), (SyncResponse = "application/json"))
        ),
        (status = 400, response = errors::BadRequest),
        (status = 401, response = errors::Unauthorized),
        (status = 408, response = errors::RequestTimeout),
        (status = 413, response = errors::PayloadTooLarge),
        (status = 415, response = errors::UnsupportedMediaType),
        (status = 429, response = errors::TooManyRequests),
        (status = 500, response = errors::Internal),
        (status = 503, response = errors::Unavailable)
    ),
    security(("bearer" = []))
)]
#[post("/v1/sync")]
pub async fn post_sync(
    req: HttpRequest,
    payload: web::Payload,
    caller: SyncCaller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    // Checked before the body is read: a device over its share costs almost nothing.
    let limits = &state.config.limits;
    let allowed = state.device_limits.sync_requests.allow(
        &caller.device_id,
        limits.sync_requests_per_minute,
        60_000,
        crate::limits::monotonic_millis(),
    );
    if !allowed {
        return Err(ApiError::new(
            ErrorCode::RateLimited,
            format!(
                "at most {} sync requests per minute per device; retry in a minute",
                limits.sync_requests_per_minute
            ),
        )
        .retry_after(60));
    }
    let format = Format::of_request(&req)?;
    let body = read_limited(
        payload,
        state.config.max_body_bytes,
        state.config.limits.body_time(),
    )
    .await?;
    let request: SyncRequest = decode(format, &body)?;
    let response = web::block(move || sync_batch(&state, &caller, request)).await??;
    respond(format, &response)
}
