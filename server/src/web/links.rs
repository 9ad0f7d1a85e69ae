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

/// [`safe_next`], refusing a return path with control characters: a CR/LF would split the
/// `Location` header it ends up in. Such a path is a forged link, not a typo: 400.
pub fn checked_next(next: Option<&str>) -> Result<String, crate::error::ApiError> {
    if next.is_some_and(|n| n.chars().any(char::is_control)) {
        return Err(crate::error::ApiError::new(
            casesync_contract::errors::ErrorCode::InvalidRequest,
            "next must be a path of the pages, without control characters",
        ));
    }
    Ok(safe_next(next))
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
