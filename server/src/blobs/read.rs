//! Reading a stored blob back: the sealed bytes of the requested range come in one request
//! and are opened segment by segment as they stream, so a download holds a few segments in
//! memory whatever the blob's size, and a range request fetches and decrypts only the
//! segments it covers.

use std::ops::Range;

use bytes::{Bytes, BytesMut};
use casesync_schema::blobs::BlobRow;
use futures_util::Stream;
use tokio::sync::mpsc::Receiver;

use super::crypto::{self, SEGMENT, TAG};
use super::keyring::DataKey;
use super::store::StoreError;
use super::Blobs;
use crate::error::ApiError;

/// Plaintext handed to the response at a time: few, large writes (many small ones stall on
/// TCP's delayed acknowledgements).
const OUT: usize = 16 * SEGMENT as usize;

struct Opening {
    incoming: Receiver<Result<Bytes, StoreError>>,
    key: DataKey,
    size: u64,
    /// The next segment to open and the sealed bytes received for it and beyond.
    segment: u64,
    sealed: BytesMut,
    /// Plaintext still to skip before the range starts, and still to send.
    skip: u64,
    remaining: u64,
}

impl Opening {
    fn sealed_len(&self, segment: u64) -> usize {
        let start = segment * SEGMENT;
        (SEGMENT.min(self.size.saturating_sub(start)) + TAG) as usize
    }

    /// The next piece of plaintext (up to [`OUT`] bytes), `None` when the range is complete.
    async fn next(&mut self) -> Option<Result<Bytes, std::io::Error>> {
        let mut out = BytesMut::new();
        while self.remaining > 0 && out.len() < OUT {
            let needed = self.sealed_len(self.segment);
            if self.sealed.len() < needed {
                match self.incoming.recv().await {
                    Some(Ok(bytes)) => self.sealed.extend_from_slice(&bytes),
                    Some(Err(e)) => return Some(Err(std::io::Error::other(e))),
                    None => {
                        return Some(Err(std::io::Error::other(
                            "stored blob is shorter than recorded",
                        )))
                    }
                }
                continue;
            }
            let chunk = self.sealed.split_to(needed);
            let plain = match crypto::open(&self.key, self.size, self.segment, &chunk) {
                Ok(plain) => plain,
                Err(e) => {
                    tracing::error!(error = %e, "stored blob failed authentication");
                    return Some(Err(std::io::Error::other(e)));
                }
            };
            self.segment += 1;
            let from = (self.skip as usize).min(plain.len());
            self.skip -= from as u64;
            let take = ((plain.len() - from) as u64).min(self.remaining) as usize;
            self.remaining -= take as u64;
            out.extend_from_slice(&plain[from..from + take]);
        }
        (!out.is_empty()).then(|| Ok(out.freeze()))
    }
}

/// The plaintext bytes `range` of a stored blob, as a stream of segments.
pub fn plaintext(
    blobs: &Blobs,
    row: &BlobRow,
    range: Range<u64>,
) -> Result<impl Stream<Item = Result<Bytes, std::io::Error>>, ApiError> {
    let key = blobs.data_key(row)?;
    let size = row.size.max(0) as u64;
    let (sealed, first) = crypto::sealed_range(size, &range);
    let opening = Opening {
        incoming: blobs.store.stream_range(&row.object_key, sealed),
        key,
        size,
        segment: first,
        sealed: BytesMut::new(),
        skip: range.start - first * SEGMENT,
        remaining: range.end - range.start,
    };
    Ok(futures_util::stream::unfold(
        Some(opening),
        |state| async move {
            let mut opening = state?;
            match opening.next().await? {
                Ok(bytes) => Some((Ok(bytes), Some(opening))),
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
