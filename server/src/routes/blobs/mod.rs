//! `/v1/blobs`: attachments (see `casesync_contract::wire::blobs` for the protocol).

pub mod get;
pub mod preview;
pub mod put;
pub mod upload_part;
pub mod upload_start;
pub mod upload_status;

use casesync_contract::errors::ErrorCode;
use casesync_contract::wire::is_blob_hash;

use crate::auth::Caller;
use crate::error::ApiError;

/// The blob name from a path, for uploads (downloads answer 404 to anything unknown).
pub fn upload_name(name: &str) -> Result<&str, ApiError> {
    if is_blob_hash(name) {
        Ok(name)
    } else {
        Err(ApiError::new(
            ErrorCode::InvalidRequest,
            "a blob is named by the lowercase hex SHA-256 of its bytes",
        ))
    }
}

/// Only people who handle case content upload attachments.
pub fn may_upload(caller: &Caller) -> Result<(), ApiError> {
    if caller.role.reads_cases() {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "a {} does not handle case attachments",
            caller.role
        )))
    }
}
