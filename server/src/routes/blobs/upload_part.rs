use actix_web::http::header;
use actix_web::{put, web, HttpRequest, HttpResponse};
use casesync_contract::errors::ErrorCode;
use casesync_contract::wire::UploadStatus;
use casesync_schema::blobs::uploads as rows;

use crate::auth::Caller;
use crate::blobs::range::content_range;
use crate::blobs::uploads::{append, upload_not_found};
use crate::body::read_limited;
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// `PUT /v1/blobs/uploads/{id}` with `Content-Range: bytes FIRST-LAST/SIZE`: appends a part
/// at the committed offset (409 `upload_offset_mismatch` elsewhere; a resent part that was
/// already committed is accepted). The last part stores the blob: the answer then carries
/// `blob`, or the refusal of the whole upload (`hash_mismatch`, 415).
#[utoipa::path(
    tag = "blobs",
    params(
        ("id", description = "Upload id"),
        (
            "Content-Range" = String,
            Header,
            description = "`bytes FIRST-LAST/SIZE`; FIRST must be the committed offset"
        )
    ),
    request_body(description = "The part's bytes", content(("application/octet-stream"))),
    responses(
        (
            status = 200,
            description = "The part is committed; after the last one `blob` is set",
            body = UploadStatus
        ),
        (status = 400, response = errors::BadRequest),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 404, response = errors::NotFound),
        (status = 408, response = errors::RequestTimeout),
        (status = 409, response = errors::Conflict),
        (status = 413, response = errors::PayloadTooLarge),
        (status = 415, response = errors::UnsupportedMediaType),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[put("/v1/blobs/uploads/{id}")]
pub async fn put_part(
    caller: Caller,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (first, last, size) = req
        .headers()
        .get(header::CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(content_range)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidRequest,
                "a part needs Content-Range: bytes FIRST-LAST/SIZE",
            )
        })?;
    let (db, id, org) = (
        state.clone(),
        path.into_inner(),
        caller.organisation_id.clone(),
    );
    let row = web::block(move || -> Result<_, ApiError> {
        let mut conn = db.db()?;
        Ok(rows::find(&mut conn, &id, &org)?)
    })
    .await??
    .ok_or_else(upload_not_found)?;
    if size != row.size.max(0) as u64 {
        return Err(ApiError::new(
            ErrorCode::InvalidRequest,
            format!("this upload has {} bytes in all, not {size}", row.size),
        ));
    }
    let expected = (last - first + 1) as usize;
    let body = read_limited(payload, expected, state.config.limits.body_time()).await?;
    if body.len() != expected {
        return Err(ApiError::new(
            ErrorCode::InvalidRequest,
            format!(
                "the part has {} bytes but Content-Range announces {expected}",
                body.len()
            ),
        ));
    }
    let status = append(&state, row, first, body.freeze()).await?;
    Ok(HttpResponse::Ok().json(status))
}
