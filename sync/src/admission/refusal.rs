//! Why the engine refuses a device's changes. Each refusal maps to a stable error code and a
//! message that a field worker's app can show. [`crate::Engine::admit`] stores nothing of a
//! refused batch; [`crate::Engine::receive`] refuses only the changes at fault and those
//! that depend on them.

use casesync_contract::case::ShapeError;
use casesync_contract::errors::{ErrorCode, ErrorDetail};
use casesync_contract::permissions::Denial;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("bytes are not automerge changes: {0}")]
    InvalidChanges(String),
    #[error("change authored by actor {actor} which belongs to another device")]
    ForgedChange { actor: String },
    #[error("{0} change(s) depend on changes the server does not have; send the missing ones too")]
    MissingDependencies(usize),
    #[error("{0}")]
    InvalidShape(#[from] ShapeError),
    #[error("{0}")]
    Denied(#[from] Denial),
    #[error("{0}")]
    WrongIdentity(String),
    /// More changes wait for missing ones than the server holds for a device; they were
    /// dropped, and the device sends them again with the missing ones.
    #[error(
        "{changes} change(s) ({bytes} bytes) wait for changes the server has not received, more \
         than it holds for a device; send the missing changes with them"
    )]
    HoldLimit { changes: usize, bytes: usize },
    /// The same change was refused before (or depends on one that was); answered from memory
    /// with what that refusal said.
    #[error("{}", .0.message)]
    Repeated(ErrorDetail),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Refusal {
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidChanges(_) => ErrorCode::InvalidChanges,
            Self::ForgedChange { .. } => ErrorCode::ForgedChange,
            // Too much waits for missing changes: they are missing all the same.
            Self::MissingDependencies(_) | Self::HoldLimit { .. } => ErrorCode::MissingDependencies,
            Self::Repeated(detail) => detail.code,
            Self::InvalidShape(_) | Self::WrongIdentity(_) => ErrorCode::InvalidCaseShape,
            Self::Denied(_) => ErrorCode::PermissionDenied,
            Self::Store(StoreError::Contention) => ErrorCode::Unavailable,
            Self::Store(_) => ErrorCode::Internal,
        }
    }

    /// Whether the device caused it (as opposed to the server failing).
    pub fn is_device_fault(&self) -> bool {
        !matches!(self, Self::Store(_))
    }

    /// The error a device receives. Storage failures carry no details: those go to the log.
    pub fn detail(&self) -> ErrorDetail {
        let message = match self {
            Self::Store(_) => "the server could not store the changes; retry later".to_string(),
            Self::Repeated(detail) => return detail.clone(),
            other => other.to_string(),
        };
        ErrorDetail::new(self.code(), message)
    }
}
