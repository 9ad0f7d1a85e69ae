//! The `Range` header of a download (RFC 9110): one byte range, in any of its three forms.
//! Several ranges, other units and malformed headers are ignored (the whole blob is sent),
//! as the RFC allows; a range starting past the end is refused with 416.

use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requested {
    Whole,
    /// Plaintext bytes `start..end` (end exclusive, within the blob).
    Part(Range<u64>),
    Unsatisfiable,
}

pub fn parse(header: Option<&str>, size: u64) -> Requested {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return Requested::Whole;
    };
    if spec.contains(',') {
        return Requested::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Requested::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        // The last N bytes.
        return match last.parse::<u64>() {
            Ok(0) => Requested::Unsatisfiable,
            Ok(_) if size == 0 => Requested::Unsatisfiable,
            Ok(n) => Requested::Part(size - n.min(size)..size),
            Err(_) => Requested::Whole,
        };
    }
    let Ok(start) = first.parse::<u64>() else {
        return Requested::Whole;
    };
    let end = if last.is_empty() {
        size
    } else {
        match last.parse::<u64>() {
            Ok(l) if l >= start => l.saturating_add(1).min(size),
            _ => return Requested::Whole,
        }
    };
    if start >= size {
        return Requested::Unsatisfiable;
    }
    Requested::Part(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_three_forms() {
        assert_eq!(parse(Some("bytes=0-9"), 100), Requested::Part(0..10));
        assert_eq!(parse(Some("bytes=90-"), 100), Requested::Part(90..100));
        assert_eq!(parse(Some("bytes=-10"), 100), Requested::Part(90..100));
        assert_eq!(parse(Some("bytes=-1000"), 100), Requested::Part(0..100));
        assert_eq!(parse(Some("bytes=50-1000"), 100), Requested::Part(50..100));
    }

    #[test]
    fn ignores_what_it_does_not_serve_and_refuses_what_cannot_be() {
        assert_eq!(parse(None, 100), Requested::Whole);
        assert_eq!(parse(Some("bytes=0-1,5-6"), 100), Requested::Whole);
        assert_eq!(parse(Some("items=0-1"), 100), Requested::Whole);
        assert_eq!(parse(Some("bytes=9-2"), 100), Requested::Whole);
        assert_eq!(parse(Some("bytes=x-"), 100), Requested::Whole);
        assert_eq!(parse(Some("bytes=100-"), 100), Requested::Unsatisfiable);
        assert_eq!(parse(Some("bytes=-0"), 100), Requested::Unsatisfiable);
    }
}

/// The `Content-Range: bytes FIRST-LAST/SIZE` of an upload part: `(first, last, size)`,
/// last inclusive.
pub fn content_range(header: &str) -> Option<(u64, u64, u64)> {
    let spec = header.trim().strip_prefix("bytes ")?;
    let (span, size) = spec.split_once('/')?;
    let (first, last) = span.split_once('-')?;
    let (first, last, size) = (
        first.trim().parse::<u64>().ok()?,
        last.trim().parse::<u64>().ok()?,
        size.trim().parse::<u64>().ok()?,
    );
    (first <= last && last < size).then_some((first, last, size))
}

#[cfg(test)]
mod content_range_tests {
    use super::content_range;

    #[test]
    fn reads_upload_parts() {
        assert_eq!(content_range("bytes 0-99/1000"), Some((0, 99, 1000)));
        assert_eq!(content_range("bytes 900-999/1000"), Some((900, 999, 1000)));
        assert_eq!(content_range("bytes 900-1000/1000"), None);
        assert_eq!(content_range("bytes 10-9/1000"), None);
        assert_eq!(content_range("bytes */1000"), None);
        assert_eq!(content_range("0-9/10"), None);
    }
}
