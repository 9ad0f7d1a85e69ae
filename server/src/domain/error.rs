//! The domain's own error: what went wrong with a request to the domain, whoever made it (a
//! route, a WebSocket frame, a command, a derive worker). Two kinds, because the two are
//! handled differently everywhere:
//!
//! - [`DomainError::Refused`]: the caller asked for something wrong or not theirs; the
//!   detail (a stable code and a readable message) is safe to tell them;
//! - [`DomainError::Failed`]: the server failed; the cause is for the log only, and the
//!   caller is told to retry.
//!
//! The edge converts it: `DomainError` (HTTP), an error frame (WebSocket), an exit status (CLI).
//! Nothing here knows about HTTP.

use casesync_contract::errors::{ErrorCode, ErrorDetail};
use casesync_schema::DbError;
use casesync_sync::{Refusal, StoreError};

#[derive(Debug)]
pub enum DomainError {
    Refused(ErrorDetail),
    Failed(String),
}

pub type DomainResult<T> = Result<T, DomainError>;

impl DomainError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Refused(ErrorDetail::new(code, message))
    }

    /// Unknown and forbidden look the same from outside.
    pub fn not_found() -> Self {
        Self::new(ErrorCode::NotFound, "no such case")
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequest, message)
    }

    /// The server failed; `cause` is logged where the error leaves the domain.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Failed(cause.to_string())
    }

    /// The stable code of a refusal; `internal` for a failure.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Refused(detail) => detail.code,
            Self::Failed(_) => ErrorCode::Internal,
        }
    }

    /// Whether the caller is at fault (and told why).
    pub fn is_refusal(&self) -> bool {
        matches!(self, Self::Refused(_))
    }
}

impl std::fmt::Display for DomainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Refused(d) => write!(f, "{}: {}", d.code, d.message),
            Self::Failed(cause) => write!(f, "internal: {cause}"),
        }
    }
}

impl std::error::Error for DomainError {}

impl From<DbError> for DomainError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound(what) => Self::new(ErrorCode::NotFound, format!("{what} not found")),
            DbError::Exists(what) => Self::invalid(format!("{what} already exists")),
            DbError::Invalid(why) => Self::invalid(why),
            other => Self::internal(other),
        }
    }
}

impl From<StoreError> for DomainError {
    fn from(e: StoreError) -> Self {
        Self::internal(e)
    }
}

impl From<Refusal> for DomainError {
    fn from(r: Refusal) -> Self {
        if r.is_device_fault() {
            Self::Refused(r.detail())
        } else {
            Self::internal(r)
        }
    }
}

impl From<actix_web::error::BlockingError> for DomainError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::internal(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_failures_are_failures_and_bad_requests_refusals() {
        assert!(DomainError::from(DbError::Invalid("no".into())).is_refusal());
        let e = DomainError::from(DbError::Invalid("no".into()));
        assert_eq!(e.code(), ErrorCode::InvalidRequest);
        assert!(DomainError::from(DbError::NotFound("case".into())).is_refusal());
        assert_eq!(
            DomainError::internal("disk full").code(),
            ErrorCode::Internal
        );
    }
}
