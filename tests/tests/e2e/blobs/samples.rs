//! Test bytes made in code (photos that compress like photos, a PNG) and the check that
//! what the store holds at rest is ciphertext.

use std::path::PathBuf;

use sha2::{Digest, Sha256};

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A photo-like JPEG (smooth gradients and texture, so it compresses like a photo).
pub fn jpeg(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        let n = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729) ^ seed.wrapping_mul(2_654_435_761))
            .wrapping_mul(2_246_822_519);
        image::Rgb([
            ((x * 255 / width.max(1)) as u8).wrapping_add((n >> 24) as u8 / 8),
            ((y * 255 / height.max(1)) as u8).wrapping_add((n >> 16) as u8 / 8),
            (seed as u8).wrapping_add((n >> 8) as u8 / 4),
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92)
        .encode_image(&image)
        .expect("encode jpeg");
    out
}

pub fn png(width: u32, height: u32, seed: u8) -> Vec<u8> {
    let image = image::RgbaImage::from_fn(width, height, |x, y| {
        image::Rgba([x as u8, y as u8, seed, 255])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("encode png");
    out.into_inner()
}

/// Whether `haystack` contains a run of `needle`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Asserts that nothing at rest is plaintext of `plain`: no JPEG/PNG header and no
/// 32-byte run of its bytes.
pub fn assert_encrypted_at_rest(files: &[(PathBuf, Vec<u8>)], plain: &[u8]) {
    assert!(!files.is_empty(), "nothing stored at rest");
    for (path, bytes) in files {
        assert!(
            !bytes.starts_with(&[0xFF, 0xD8, 0xFF]) && !bytes.starts_with(b"\x89PNG"),
            "{} starts with an image header",
            path.display()
        );
        for at in [0, plain.len() / 3, plain.len() / 2, plain.len() - 32] {
            assert!(
                !contains(bytes, &plain[at..at + 32]),
                "{} holds plaintext bytes",
                path.display()
            );
        }
    }
}
