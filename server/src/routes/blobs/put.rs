use actix_web::http::header;
use actix_web::{put, web, HttpRequest, HttpResponse};
use casesync_contract::wire::BlobInfo;

use super::{may_upload, upload_name};
use crate::auth::Caller;
use crate::blobs::ingest::{ingest, too_large};
use crate::body::read_limited;
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// `PUT /v1/blobs/{sha256}`: the whole blob in one request. 201 when stored, 200 with the
/// same body when the organisation already had it (a retry).
#[utoipa::path(
    tag = "blobs",
    params(("sha256", description = "Lowercase hex SHA-256 of the blob's bytes")),
    request_body(
        description = "The whole blob; its type is sniffed from the bytes",
        content(
            ("image/jpeg"),
            ("image/png"),
            ("image/webp"),
            ("image/heic"),
            ("image/heif"),
            ("application/pdf")
        )
    ),
    responses(
        (status = 201, description = "Stored", body = BlobInfo),
        (status = 200, description = "The organisation already had it (a retry)", body = BlobInfo),
        (status = 400, response = errors::BadRequest),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 408, response = errors::RequestTimeout),
        (status = 413, response = errors::PayloadTooLarge),
        (status = 415, response = errors::UnsupportedMediaType),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[put("/v1/blobs/{sha256}")]
pub async fn put_blob(
    caller: Caller,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let sha256 = upload_name(&path)?.to_string();
    may_upload(&caller)?;
    let limit = state.blobs.config.max_blob_bytes;
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|len| len > limit) {
        return Err(too_large(limit));
    }
    let body = read_limited(payload, limit as usize, state.config.limits.body_time())
        .await
        .map_err(|e| match e.code {
            casesync_contract::errors::ErrorCode::PayloadTooLarge => too_large(limit),
            _ => e,
        })?;
    let declared = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let stored = ingest(
        &state,
        &caller.organisation_id,
        &sha256,
        declared,
        body.freeze(),
    )
    .await?;
    let mut response = if stored.created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response.json(stored.info))
}
