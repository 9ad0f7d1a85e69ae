//! Requests refused before any route sees them, with the JSON error body of every API:
//! URIs longer than anything the API needs (`414 uri_too_long`), and paths carrying control
//! characters (`%0D%0A` in an id would otherwise reach a `Location` header or a log line:
//! `400 invalid_request`).

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::ResponseError;
use casesync_contract::errors::ErrorCode;

use crate::error::ApiError;

/// Longest path and query the server reads: ids are 30 characters, filters a few words.
/// (Beyond 64 KiB the HTTP layer itself refuses the request line, without a body.)
pub const MAX_URI_BYTES: usize = 8 * 1024;

pub async fn refuse_malformed(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let refusal = if req.uri().to_string().len() > MAX_URI_BYTES {
        Some(ApiError::new(
            ErrorCode::UriTooLong,
            format!("the path and query may be at most {MAX_URI_BYTES} bytes"),
        ))
    } else if has_encoded_control(req.uri().path()) {
        Some(ApiError::new(
            ErrorCode::InvalidRequest,
            "the path contains control characters",
        ))
    } else {
        None
    };
    match refusal {
        Some(error) => Ok(req
            .into_response(error.error_response())
            .map_into_right_body()),
        None => Ok(next.call(req).await?.map_into_left_body()),
    }
}

/// Whether the path percent-encodes a control character (raw ones never pass the HTTP
/// parser): `%00`-`%1F` or `%7F`.
fn has_encoded_control(path: &str) -> bool {
    path.as_bytes().windows(3).any(|w| {
        w[0] == b'%'
            && matches!(
                (w[1].to_ascii_uppercase(), w[2].to_ascii_uppercase()),
                (b'0' | b'1', b'0'..=b'9' | b'A'..=b'F') | (b'7', b'F')
            )
    })
}

/// Until the erasure ledger has been re-applied since start (`domain::gdpr::ledger`), a
/// restored database may still hold a case erased earlier: nothing is served but the
/// probes, which say why (`503 unavailable`).
pub async fn hold_until_erasures_applied(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let applied = req
        .app_data::<actix_web::web::Data<crate::state::AppState>>()
        .is_none_or(|state| {
            state
                .erasures_applied
                .load(std::sync::atomic::Ordering::SeqCst)
        });
    let probe = matches!(req.path(), "/healthz" | "/readyz" | "/metrics");
    if applied || probe {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let error = ApiError::new(
        ErrorCode::Unavailable,
        "erasures are being re-applied from the erasure ledger; try again shortly",
    );
    Ok(req
        .into_response(error.error_response())
        .map_into_right_body())
}

#[cfg(test)]
mod tests {
    use super::has_encoded_control;

    #[test]
    fn control_characters_are_found_encoded_in_either_case() {
        assert!(has_encoded_control("/v1/cases/abc%0D%0A"));
        assert!(has_encoded_control("/v1/cases/%0a"));
        assert!(has_encoded_control("/v1/cases/%7f"));
        assert!(!has_encoded_control("/v1/cases/2Ux%20y%2F"));
        assert!(!has_encoded_control("/web/cases"));
    }
}
