//! Previews for slow links: a small JPEG drawn from a photo, upright (EXIF orientation
//! applied), its longest side at most `preview_max_px`. Decoding is bounded so that a
//! crafted image cannot make the server allocate without limit.

use std::io::Cursor;

use casesync_contract::errors::ErrorCode;
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use crate::error::ApiError;

/// Largest side of an image the server will decode, in pixels.
const MAX_SIDE: u32 = 12_000;
/// Largest decoder allocation, in bytes.
const MAX_ALLOC: u64 = 256 * 1024 * 1024;
const QUALITY: u8 = 75;

pub fn not_previewable(media_type: &str) -> ApiError {
    ApiError::new(
        ErrorCode::UnsupportedMediaType,
        format!("no preview is drawn from {media_type}; download the blob itself"),
    )
}

/// The preview JPEG of an image blob. CPU-bound: call it from a blocking task.
pub fn render(bytes: &[u8], media_type: &str, max_px: u32) -> Result<Vec<u8>, ApiError> {
    let format = match media_type {
        "image/jpeg" => ImageFormat::Jpeg,
        "image/png" => ImageFormat::Png,
        "image/webp" => ImageFormat::WebP,
        _ => return Err(not_previewable(media_type)),
    };
    let unreadable = |e: image::ImageError| {
        ApiError::new(
            ErrorCode::UnsupportedMediaType,
            format!("the image could not be decoded for a preview: {e}"),
        )
    };
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let orientation = decoder.orientation().map_err(unreadable)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);
    let side = max_px.max(16);
    let small = if image.width() > side || image.height() > side {
        image.thumbnail(side, side)
    } else {
        image
    };
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, QUALITY)
        .encode_image(&small.to_rgb8())
        .map_err(ApiError::internal)?;
    Ok(out)
}
