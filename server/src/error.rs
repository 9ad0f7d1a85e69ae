//! The one error type at the edge: logs the cause, answers a stable code and a readable
//! message, and never leaks internals.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use casesync_contract::errors::{ErrorBody, ErrorCode, ErrorDetail};
use casesync_schema::DbError;
use casesync_sync::{Refusal, StoreError};

use crate::domain::error::DomainError;

#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// Seconds after which a retry may succeed (`Retry-After`), for limits.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// Tells the client when to retry (`Retry-After`).
    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }

    /// Unknown and forbidden look the same from outside.
    pub fn not_found() -> Self {
        Self::new(ErrorCode::NotFound, "no such case")
    }

    pub fn unauthorized() -> Self {
        Self::new(
            ErrorCode::Unauthorized,
            "a valid device token is required (Authorization: Bearer ...)",
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
            ErrorCode::Internal,
            "the server failed to handle the request; retry later",
        )
    }

    pub fn detail(&self) -> ErrorDetail {
        ErrorDetail::new(self.code, self.message.clone())
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        if let Some(secs) = self.retry_after {
            response.insert_header((actix_web::http::header::RETRY_AFTER, secs.to_string()));
        }
        response.json(ErrorBody {
            error: self.detail(),
        })
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound(what) => Self::new(ErrorCode::NotFound, format!("{what} not found")),
            DbError::Exists(what) => {
                Self::new(ErrorCode::InvalidRequest, format!("{what} already exists"))
            }
            DbError::Invalid(why) => Self::new(ErrorCode::InvalidRequest, why),
            other => Self::internal(other),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        Self::internal(e)
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        if !r.is_device_fault() {
            tracing::error!(cause = %r, "storage failed during admission");
        }
        let d = r.detail();
        Self::new(d.code, d.message)
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::internal(e)
    }
}

/// The edge of the domain: a refusal is told as it is, a failure is logged and hidden.
impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Refused(detail) => Self::new(detail.code, detail.message),
            DomainError::Failed(cause) => Self::internal(cause),
        }
    }
}
