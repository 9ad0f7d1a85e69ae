//! The QR code of an enrolment link, as a PNG a page or the CLI can show.

use std::io::Cursor;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use qrcode::{Color, QrCode};

use crate::domain::error::DomainError;

/// Pixels per module and modules of quiet zone: readable by cheap phone cameras.
const SCALE: u32 = 8;
const QUIET: u32 = 4;

pub fn qr_png(text: &str) -> Result<Vec<u8>, DomainError> {
    let code = QrCode::new(text.as_bytes()).map_err(DomainError::internal)?;
    let width = u32::try_from(code.width()).map_err(DomainError::internal)?;
    let colors = code.to_colors();
    let side = (width + 2 * QUIET) * SCALE;
    let image = image::GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x / SCALE, y / SCALE);
        let inside = (QUIET..QUIET + width).contains(&mx) && (QUIET..QUIET + width).contains(&my);
        let dark = inside && colors[((my - QUIET) * width + (mx - QUIET)) as usize] == Color::Dark;
        image::Luma([if dark { 0 } else { 255 }])
    });
    let mut out = Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .map_err(DomainError::internal)?;
    Ok(out.into_inner())
}

pub fn qr_png_base64(text: &str) -> Result<String, DomainError> {
    Ok(STANDARD.encode(qr_png(text)?))
}

/// The QR code drawn with block characters, for a terminal.
pub fn qr_text_art(text: &str) -> Result<String, DomainError> {
    let code = QrCode::new(text.as_bytes()).map_err(DomainError::internal)?;
    let width = code.width();
    let colors = code.to_colors();
    let dark = |x: i64, y: i64| {
        x >= 0
            && y >= 0
            && (x as usize) < width
            && (y as usize) < width
            && colors[y as usize * width + x as usize] == Color::Dark
    };
    let q = QUIET as i64;
    let w = width as i64;
    let mut out = String::new();
    // Two rows per line: upper and lower half blocks.
    let mut y = -q;
    while y < w + q {
        for x in -q..w + q {
            out.push(match (dark(x, y), dark(x, y + 1)) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        out.push('\n');
        y += 2;
    }
    Ok(out)
}
