use actix_web::http::header;
use actix_web::{get, web, HttpResponse};

use crate::auth::Caller;
use crate::blobs::access::{blob_not_found, readable_blob};
use crate::blobs::preview::{not_previewable, render};
use crate::blobs::{read, sniff};
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// `GET /v1/blobs/{sha256}/preview`: a small JPEG of an image blob, for slow links. Same
/// access rule as the blob itself; documents (PDF) and HEIC photos have none (415).
#[utoipa::path(
    tag = "blobs",
    params(("sha256", description = "Lowercase hex SHA-256 of the blob's bytes")),
    responses(
        (
            status = 200,
            description = "A JPEG at most `blobs.preview_max_px` on its longest side",
            content(("image/jpeg"))
        ),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 404, response = errors::NotFound),
        (status = 415, response = errors::UnsupportedMediaType),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[get("/v1/blobs/{sha256}/preview")]
pub async fn get_preview(
    caller: Caller,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (lookup, sha256) = (state.clone(), path.into_inner());
    let row = web::block(move || readable_blob(&lookup, &caller, &sha256, "preview"))
        .await??
        .ok_or_else(blob_not_found)?;
    if !sniff::previewable(&row.media_type) {
        return Err(not_previewable(&row.media_type));
    }
    let bytes = read::whole(&state.blobs, &row).await?;
    let (media_type, max_px) = (row.media_type.clone(), state.blobs.config.preview_max_px);
    let jpeg = web::block(move || render(&bytes, &media_type, max_px)).await??;
    Ok(HttpResponse::Ok()
        .content_type("image/jpeg")
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(jpeg))
}
