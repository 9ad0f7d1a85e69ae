use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse, ResponseError};
use casesync_contract::errors::ErrorCode;

use crate::auth::Caller;
use crate::blobs::access::{blob_not_found, readable_blob};
use crate::blobs::range::{self, Requested};
use crate::blobs::read;
use crate::error::ApiError;
use crate::state::AppState;

/// `GET /v1/blobs/{sha256}`: the bytes, to callers who may read a case referencing the blob;
/// one `Range` is honoured (206). Anything else answers 404 like a missing blob.
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
