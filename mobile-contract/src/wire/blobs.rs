//! The blob API (`/v1/blobs`): photos and scanned documents, named by the SHA-256 of their
//! bytes (lowercase hex), which is what a case's `attachments[].sha256` and `profile.photo`
//! hold. A device uploads with one `PUT /v1/blobs/{sha256}`, or in parts for large files on a
//! flaky link: `POST /v1/blobs/{sha256}/uploads` opens an upload, each
//! `PUT /v1/blobs/uploads/{id}` with `Content-Range: bytes FIRST-LAST/SIZE` appends a part at
//! the committed offset, and `GET /v1/blobs/uploads/{id}` tells the offset after a cut.

use serde::{Deserialize, Serialize};

/// The media types a blob may have (sniffed from its bytes, never taken from the request).
pub const BLOB_MEDIA_TYPES: [&str; 6] = [
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/heic",
    "image/heif",
    "application/pdf",
];

/// A stored blob: the answer to an upload, the same for every retry of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlobInfo {
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
}

/// `POST /v1/blobs/{sha256}/uploads`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StartUpload {
    /// Total size in bytes.
    pub size: u64,
}

/// Where a resumable upload stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UploadStatus {
    /// `None` when the blob was already stored and nothing needs uploading.
    pub id: Option<String>,
    pub sha256: String,
    pub size: u64,
    /// Bytes committed: the next part starts here.
    pub offset: u64,
    /// The stored blob, once the last part arrived and checked out.
    pub blob: Option<BlobInfo>,
}

/// Lowercase hex SHA-256, the only form the API accepts for a blob name.
pub fn is_blob_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
