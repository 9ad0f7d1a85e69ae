use actix_web::{post, web, HttpResponse};
use casesync_contract::wire::{StartUpload, UploadStatus};

use super::{may_upload, upload_name};
use crate::auth::Caller;
use crate::blobs::uploads;
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// `POST /v1/blobs/{sha256}/uploads` `{"size": N}`: opens a resumable upload (201), or says
/// the blob is already stored (200, `id: null`, `blob` set).
#[utoipa::path(
    tag = "blobs",
    params(("sha256", description = "Lowercase hex SHA-256 of the blob's bytes")),
    request_body = StartUpload,
    responses(
        (status = 201, description = "A resumable upload is open", body = UploadStatus),
        (
            status = 200,
            description = "The blob is already stored (`id` is null, `blob` set)",
            body = UploadStatus
        ),
        (status = 400, response = errors::BadRequest),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 413, response = errors::PayloadTooLarge),
        (status = 415, response = errors::UnsupportedMediaType),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[post("/v1/blobs/{sha256}/uploads")]
pub async fn start_upload(
    caller: Caller,
    path: web::Path<String>,
    request: web::Json<StartUpload>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let sha256 = upload_name(&path)?.to_string();
    may_upload(&caller)?;
    let size = request.into_inner().size;
    let (status, created) =
        web::block(move || uploads::start(&state, &caller, &sha256, size)).await??;
    let mut response = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response.json(status))
}
