//! The error answers, once each as reusable responses: every one carries the same body
//! (`ErrorBody`, `{"error": {"code", "message"}}`, `crate::error::ApiError`), and the codes
//! a status may carry are those of `ErrorCode::http_status`.
// The derive's newtypes are never built: they only describe.
#![allow(dead_code)]

use casesync_contract::errors::ErrorBody;
use utoipa::ToResponse;

/// `invalid_request` (a field missing or out of range; the message says which),
/// `malformed_body`, `invalid_document_id`, `hash_mismatch`.
#[derive(ToResponse)]
pub struct BadRequest(ErrorBody);

/// `unauthorized`: no token, or an unknown, expired or revoked one (also a `token` query
/// parameter anywhere but `GET /v1/sync/ws`). Enrol the device again.
#[derive(ToResponse)]
pub struct Unauthorized(ErrorBody);

/// `forbidden`: the user's role may not do this; `device_wiped`: the device was reported
/// lost, only sync delivers the order.
#[derive(ToResponse)]
pub struct Forbidden(ErrorBody);

/// `not_found`: no such thing, or one the caller may not see (the two look the same).
#[derive(ToResponse)]
pub struct NotFound(ErrorBody);

/// `request_timeout`: the request's head or body did not arrive in time.
#[derive(ToResponse)]
pub struct RequestTimeout(ErrorBody);

/// `legal_hold` (erasing a held case) or `upload_offset_mismatch` (a part not at the
/// committed offset).
#[derive(ToResponse)]
pub struct Conflict(ErrorBody);

/// `payload_too_large`: over `max_body_bytes` (blobs: `blobs.max_blob_bytes`), or more
/// documents or changes than a request may carry; refused before the rest is read.
#[derive(ToResponse)]
pub struct PayloadTooLarge(ErrorBody);

/// `unsupported_media_type`: a JSON route sent another `Content-Type`, a batch neither
/// CBOR nor JSON, a blob not of an accepted type (or contradicting its bytes).
#[derive(ToResponse)]
pub struct UnsupportedMediaType(ErrorBody);

/// `range_not_satisfiable`: the `Range` starts past the end (`Content-Range: bytes */SIZE`).
#[derive(ToResponse)]
#[response(headers(("Content-Range" = String, description = "`bytes */SIZE`")))]
pub struct RangeNotSatisfiable(ErrorBody);

/// `rate_limited` or `limit_exceeded`: retry after `Retry-After` seconds, with backoff.
#[derive(ToResponse)]
#[response(headers(("Retry-After" = u64, description = "Seconds before a retry may succeed")))]
pub struct TooManyRequests(ErrorBody);

/// `internal`: the server failed; retry later with backoff, the request is safe to repeat.
#[derive(ToResponse)]
pub struct Internal(ErrorBody);

/// `unavailable`: starting, stopping or busy (storage contention); retry later.
#[derive(ToResponse)]
pub struct Unavailable(ErrorBody);
