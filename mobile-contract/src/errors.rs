//! Error codes every API answers with: stable snake_case tags that apps branch on, and a
//! message for people. Codes never change meaning; new ones may be added.

use serde::{Deserialize, Serialize};

/// A stable error code: apps branch on it. `docs/wire-protocol.md` gives the HTTP status of
/// each and what a client does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No token, or a token that is unknown, expired or revoked.
    Unauthorized,
    /// The caller's role may not do this (for things that are not case data).
    Forbidden,
    /// No such thing, or one the caller may not see: the two look the same.
    NotFound,
    /// The body is not valid CBOR or JSON of the expected shape.
    MalformedBody,
    /// The body is larger than the configured limit.
    PayloadTooLarge,
    /// Neither CBOR nor JSON.
    UnsupportedMediaType,
    /// A document id that is not base58check of 16 bytes.
    InvalidDocumentId,
    /// Bytes that are not automerge changes, or a change hash that is not hex.
    InvalidChanges,
    /// A change authored by an actor that belongs to another device.
    ForgedChange,
    /// After merging, the document would no longer read as a case document.
    InvalidCaseShape,
    /// A change touches something the device's role may not write.
    PermissionDenied,
    /// A request field is missing or out of range.
    InvalidRequest,
    /// The document references changes the server has not received yet.
    MissingDependencies,
    /// Too many requests; retry later.
    RateLimited,
    /// Something failed on the server; retry later. Details are in the server log.
    Internal,
    /// The server is starting or stopping; retry later.
    Unavailable,
    /// The bytes of a blob do not hash to the SHA-256 they were sent under.
    HashMismatch,
    /// A part of a resumable upload does not start at the committed offset.
    UploadOffsetMismatch,
    /// A `Range` header outside the blob.
    RangeNotSatisfiable,
    /// The case is under a legal hold: it cannot be erased until the hold is released.
    LegalHold,
    /// The request (its head or its body) did not arrive in time.
    RequestTimeout,
    /// A limit on what one device may hold open: sockets per device, documents per session.
    LimitExceeded,
    /// The device was ordered to wipe: it may only sync to receive the order.
    DeviceWiped,
    /// The request's URI (path and query) is longer than the server reads.
    UriTooLong,
}

impl ErrorCode {
    /// Every code, for catalogues and documentation that must name each.
    pub const ALL: [ErrorCode; 24] = [
        Self::Unauthorized,
        Self::Forbidden,
        Self::NotFound,
        Self::MalformedBody,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::InvalidDocumentId,
        Self::InvalidChanges,
        Self::ForgedChange,
        Self::InvalidCaseShape,
        Self::PermissionDenied,
        Self::InvalidRequest,
        Self::MissingDependencies,
        Self::RateLimited,
        Self::Internal,
        Self::Unavailable,
        Self::HashMismatch,
        Self::UploadOffsetMismatch,
        Self::RangeNotSatisfiable,
        Self::LegalHold,
        Self::RequestTimeout,
        Self::LimitExceeded,
        Self::DeviceWiped,
        Self::UriTooLong,
    ];

    /// The HTTP status an API answers with this code.
    pub fn http_status(self) -> u16 {
        match self {
            Self::Unauthorized => 401,
            Self::Forbidden | Self::ForgedChange | Self::PermissionDenied => 403,
            Self::NotFound => 404,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::MalformedBody
            | Self::InvalidDocumentId
            | Self::InvalidChanges
            | Self::InvalidRequest
            | Self::MissingDependencies => 400,
            Self::InvalidCaseShape => 422,
            Self::RateLimited => 429,
            Self::Internal => 500,
            Self::Unavailable => 503,
            Self::HashMismatch => 400,
            Self::UploadOffsetMismatch => 409,
            Self::RangeNotSatisfiable => 416,
            Self::LegalHold => 409,
            Self::RequestTimeout => 408,
            Self::LimitExceeded => 429,
            Self::DeviceWiped => 403,
            Self::UriTooLong => 414,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::MalformedBody => "malformed_body",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::InvalidDocumentId => "invalid_document_id",
            Self::InvalidChanges => "invalid_changes",
            Self::ForgedChange => "forged_change",
            Self::InvalidCaseShape => "invalid_case_shape",
            Self::PermissionDenied => "permission_denied",
            Self::InvalidRequest => "invalid_request",
            Self::MissingDependencies => "missing_dependencies",
            Self::RateLimited => "rate_limited",
            Self::Internal => "internal",
            Self::Unavailable => "unavailable",
            Self::HashMismatch => "hash_mismatch",
            Self::UploadOffsetMismatch => "upload_offset_mismatch",
            Self::RangeNotSatisfiable => "range_not_satisfiable",
            Self::LegalHold => "legal_hold",
            Self::RequestTimeout => "request_timeout",
            Self::LimitExceeded => "limit_exceeded",
            Self::DeviceWiped => "device_wiped",
            Self::UriTooLong => "uri_too_long",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error body of every API: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
}

impl ErrorDetail {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_tag_matches_as_str() {
        for code in [
            ErrorCode::ForgedChange,
            ErrorCode::InvalidCaseShape,
            ErrorCode::NotFound,
        ] {
            let json = serde_json::to_string(&code).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }
}
