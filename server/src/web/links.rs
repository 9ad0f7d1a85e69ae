//! Page addresses: query-string encoding and the safe return path after sign-in.

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where to go after signing in: only a path of these pages, never another site
/// (`//evil.example` or `https://...` would make the sign-in page an open redirect).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with("/web/")
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.contains("://") =>
        {
            path.to_string()
        }
        _ => "/web/alerts".to_string(),
    }
}

pub fn case_page(id: &str) -> String {
    format!("/web/cases/{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_the_pages() {
        assert_eq!(safe_next(Some("/web/cases?q=a")), "/web/cases?q=a");
        assert_eq!(safe_next(Some("//evil.example/web/")), "/web/alerts");
        assert_eq!(safe_next(Some("https://evil.example")), "/web/alerts");
        assert_eq!(safe_next(None), "/web/alerts");
        assert_eq!(encode("/web/cases?q=a b"), "%2Fweb%2Fcases%3Fq%3Da%20b");
    }
}
