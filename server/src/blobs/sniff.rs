//! What a blob is, from its first bytes: phones send photos and scans, and nothing else is
//! accepted. The type a client declares is never trusted, only checked against the bytes.

/// The media type of `bytes`, if it is one blobs may have.
pub fn media_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some("image/jpeg");
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some("image/png");
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some("image/webp");
    }
    if bytes.starts_with(b"%PDF-") {
        return Some("application/pdf");
    }
    // ISO base media file: a `ftyp` box first, whose major brand names the HEIF flavour.
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return match &bytes[8..12] {
            b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" => Some("image/heic"),
            b"mif1" | b"msf1" => Some("image/heif"),
            _ => None,
        };
    }
    None
}

/// Whether a declared Content-Type contradicts the sniffed type. Absent, empty and
/// `application/octet-stream` declare nothing.
pub fn contradicts(declared: Option<&str>, sniffed: &str) -> bool {
    let Some(declared) = declared else {
        return false;
    };
    let essence = declared
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let canonical = match essence.as_str() {
        "" | "application/octet-stream" => return false,
        "image/jpg" | "image/pjpeg" => "image/jpeg",
        // One container, two names in the wild.
        "image/heif" | "image/heic" | "image/heic-sequence" | "image/heif-sequence" => {
            return !matches!(sniffed, "image/heic" | "image/heif")
        }
        other => other,
    };
    canonical != sniffed
}

/// Whether a preview can be drawn from this type.
pub fn previewable(media_type: &str) -> bool {
    matches!(media_type, "image/jpeg" | "image/png" | "image/webp")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_accepted_formats_by_their_magic() {
        assert_eq!(media_type(&[0xFF, 0xD8, 0xFF, 0xE0, 0]), Some("image/jpeg"));
        assert_eq!(media_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(media_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(media_type(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(
            media_type(b"\0\0\0\x18ftypheic\0\0\0\0"),
            Some("image/heic")
        );
        assert_eq!(
            media_type(b"\0\0\0\x18ftypmif1\0\0\0\0"),
            Some("image/heif")
        );
        assert_eq!(media_type(b"\0\0\0\x18ftypisom\0\0\0\0"), None);
        assert_eq!(media_type(b"GIF89a"), None);
        assert_eq!(media_type(b"<html>"), None);
        assert_eq!(media_type(b""), None);
    }

    #[test]
    fn only_a_contradicting_declaration_counts() {
        assert!(!contradicts(None, "image/jpeg"));
        assert!(!contradicts(Some("application/octet-stream"), "image/jpeg"));
        assert!(!contradicts(Some("image/jpg"), "image/jpeg"));
        assert!(!contradicts(Some("Image/JPEG; q=1"), "image/jpeg"));
        assert!(!contradicts(Some("image/heif"), "image/heic"));
        assert!(contradicts(Some("image/png"), "image/jpeg"));
        assert!(contradicts(Some("text/html"), "application/pdf"));
    }
}
