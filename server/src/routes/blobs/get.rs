use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse, ResponseError};
use casesync_contract::errors::ErrorCode;

use crate::auth::Caller;
use crate::blobs::access::{blob_not_found, readable_blob};
use crate::blobs::range::{self, Requested};
use crate::blobs::read;
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// `GET /v1/blobs/{sha256}`: the bytes, to callers who may read a case referencing the blob;
/// one `Range` is honoured (206). Anything else answers 404 like a missing blob.
#[utoipa::path(
    tag = "blobs",
    params(
        ("sha256", description = "Lowercase hex SHA-256 of the blob's bytes"),
        ("Range" = Option<String>, Header, description = "One range, `bytes=FIRST-[LAST]`")
    ),
    responses(
        (
            status = 200,
            description = "The bytes, with their media type",
            content(
                ("image/jpeg"),
                ("image/png"),
                ("image/webp"),
                ("image/heic"),
                ("image/heif"),
                ("application/pdf")
            ),
            headers(("ETag" = String), ("Accept-Ranges" = String))
        ),
        (
            status = 206,
            description = "The requested range",
            content(
                ("image/jpeg"),
                ("image/png"),
                ("image/webp"),
                ("image/heic"),
                ("image/heif"),
                ("application/pdf")
            ),
            headers(("Content-Range" = String, description = "`bytes FIRST-LAST/SIZE`"))
        ),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 404, response = errors::NotFound),
        (status = 416, response = errors::RangeNotSatisfiable),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[get("/v1/blobs/{sha256}")]
pub async fn get_blob(
    caller: Caller,
    path: web::Path<String>,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (lookup, sha256) = (state.clone(), path.into_inner());
    let row = web::block(move || readable_blob(&lookup, &caller, &sha256, "download"))
        .await??
        .ok_or_else(blob_not_found)?;
    let size = row.size.max(0) as u64;
    let requested = range::parse(
        req.headers()
            .get(header::RANGE)
            .and_then(|v| v.to_str().ok()),
        size,
    );
    let (mut response, span) = match requested {
        Requested::Unsatisfiable => {
            let mut refused = ApiError::new(
                ErrorCode::RangeNotSatisfiable,
                format!("the blob has {size} bytes"),
            )
            .error_response();
            if let Ok(value) = header::HeaderValue::from_str(&format!("bytes */{size}")) {
                refused.headers_mut().insert(header::CONTENT_RANGE, value);
            }
            return Ok(refused);
        }
        Requested::Whole => (HttpResponse::Ok(), 0..size),
        Requested::Part(span) => {
            let mut partial = HttpResponse::PartialContent();
            partial.insert_header((
                header::CONTENT_RANGE,
                format!("bytes {}-{}/{size}", span.start, span.end - 1),
            ));
            (partial, span)
        }
    };
    let length = span.end - span.start;
    let etag = format!("\"{}\"", row.sha256);
    let media_type = row.media_type.clone();
    let body = read::plaintext(&state.blobs, &row, span)?;
    Ok(response
        .content_type(media_type)
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::ETAG, etag))
        // Photos of children: never kept by shared caches.
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .no_chunking(length)
        .streaming(body))
}
