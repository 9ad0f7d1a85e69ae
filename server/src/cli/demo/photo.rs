//! Dated photos for the demo children: a drawn silhouette (no real person's face), uploaded
//! through the same path as a phone's upload, so the missing pack prints with a photo.

use std::io::Cursor;

use bytes::Bytes;
use casesync_contract::case::{AttachmentRef, Millis, Str, Whole};
use image::{ImageFormat, Rgb, RgbImage};

use super::cast::Member;
use super::DemoError;
use crate::blobs::ingest::{ingest, sha256_hex};
use crate::state::AppState;

const WIDTH: u32 = 240;
const HEIGHT: u32 = 300;

/// A head-and-shoulders silhouette on a coloured background, as PNG bytes.
pub fn portrait(background: [u8; 3], figure: [u8; 3]) -> Result<Vec<u8>, DemoError> {
    let (cx, head_cy, head_r) = (WIDTH as i64 / 2, 120_i64, 60_i64);
    let image = RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
        let (dx, dy) = (x as i64 - cx, y as i64 - head_cy);
        let in_head = dx * dx + dy * dy <= head_r * head_r;
        // Shoulders: the upper half of a wide ellipse standing on the bottom edge.
        let (sx, sy) = (x as i64 - cx, y as i64 - HEIGHT as i64);
        let in_shoulders = sx * sx * 9 + sy * sy * 16 <= 110 * 110 * 9;
        if in_head || in_shoulders {
            Rgb(figure)
        } else {
            Rgb(background)
        }
    });
    let mut png = Cursor::new(Vec::new());
    image
        .write_to(&mut png, ImageFormat::Png)
        .map_err(|e| DemoError::Failed(format!("drawing a demo photo: {e}")))?;
    Ok(png.into_inner())
}

/// Uploads `bytes` as `by`'s phone would, and returns the attachment entry naming them.
pub async fn upload(
    state: &AppState,
    by: &Member,
    bytes: Vec<u8>,
    captured_at: i64,
    caption: &str,
) -> Result<AttachmentRef, DemoError> {
    let sha256 = sha256_hex(&bytes);
    let size = bytes.len() as i64;
    let stored = ingest(
        state,
        &by.device.organisation_id,
        &sha256,
        Some("image/png".to_string()),
        Bytes::from(bytes),
    )
    .await?;
    Ok(AttachmentRef {
        sha256: Str(sha256),
        size: Whole(size),
        media_type: Str(stored.info.media_type),
        captured_at: Millis(captured_at),
        author: Str(by.device.user_id.clone()),
        device: Str(by.device.device_id.clone()),
        sensitivity: None,
        caption: Some(Str::from(caption)),
    })
}

/// An attachment a phone recorded but has not uploaded yet (a scanned document).
pub fn recorded_only(
    by: &Member,
    content: &[u8],
    media_type: &str,
    captured_at: i64,
    caption: &str,
    sensitivity: &str,
) -> AttachmentRef {
    AttachmentRef {
        sha256: Str(sha256_hex(content)),
        size: Whole(content.len() as i64),
        media_type: Str::from(media_type),
        captured_at: Millis(captured_at),
        author: Str(by.device.user_id.clone()),
        device: Str(by.device.device_id.clone()),
        sensitivity: Some(Str::from(sensitivity)),
        caption: Some(Str::from(caption)),
    }
}
