//! Reading a stored blob back: the object is fetched a window of segments at a time and
//! opened as it streams, so a download holds about a megabyte in memory whatever the blob's
//! size, and a range request fetches and decrypts only the segments it covers.

use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;
use casesync_schema::blobs::BlobRow;
use futures_util::Stream;

use super::crypto::{self, SEGMENT};
use super::keyring::DataKey;
use super::Blobs;
use crate::error::ApiError;

/// Plaintext bytes decrypted per fetch.
const WINDOW: u64 = 16 * SEGMENT;

struct Cursor {
    blobs: Arc<Blobs>,
    row: BlobRow,
    key: DataKey,
    next: u64,
    end: u64,
}

/// Plaintext `range` of one fetch: from `start` to the end of its window (or of the range).
async fn window(cursor: &Cursor) -> Result<Bytes, std::io::Error> {
    let start = cursor.next;
    let end = cursor.end.min((start / WINDOW + 1) * WINDOW);
    let size = cursor.row.size.max(0) as u64;
    let (sealed, first) = crypto::sealed_range(size, &(start..end));
    let bytes = cursor
        .blobs
        .store
        .get_range(&cursor.row.object_key, sealed)
        .await
        .map_err(std::io::Error::other)?;
    let plain = crypto::open(&cursor.key, size, first, &bytes).map_err(|e| {
        tracing::error!(error = %e, "stored blob failed authentication");
        std::io::Error::other(e)
    })?;
    let skip = (start - first * SEGMENT) as usize;
    let len = (end - start) as usize;
    plain
        .get(skip..skip + len)
        .map(Bytes::copy_from_slice)
        .ok_or_else(|| std::io::Error::other("stored blob is shorter than recorded"))
}

/// The plaintext bytes `range` of a stored blob, as a stream of windows.
pub fn plaintext(
    blobs: Arc<Blobs>,
    row: BlobRow,
    range: Range<u64>,
) -> Result<impl Stream<Item = Result<Bytes, std::io::Error>>, ApiError> {
    let key = blobs.data_key(&row)?;
    let cursor = Cursor {
        blobs,
        row,
        key,
        next: range.start,
        end: range.end,
    };
    Ok(futures_util::stream::unfold(
        Some(cursor),
        |state| async move {
            let mut cursor = state?;
            if cursor.next >= cursor.end {
                return None;
            }
            match window(&cursor).await {
                Ok(bytes) => {
                    cursor.next += bytes.len() as u64;
                    Some((Ok(bytes), Some(cursor)))
                }
                // The response is already under way: end it with the error, once.
                Err(e) => Some((Err(e), None)),
            }
        },
    ))
}

/// The whole plaintext of a stored blob (previews; blobs are bounded by `max_blob_bytes`).
pub async fn whole(blobs: &Blobs, row: &BlobRow) -> Result<Vec<u8>, ApiError> {
    let key = blobs.data_key(row)?;
    let sealed = blobs
        .store
        .get(&row.object_key)
        .await
        .map_err(ApiError::internal)?;
    crypto::open(&key, row.size.max(0) as u64, 0, &sealed).map_err(ApiError::internal)
}
