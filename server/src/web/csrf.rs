//! Forms carry a CSRF token: the session's synchronizer token once signed in, and before
//! that (the sign-in form) a double-submit token in a cookie of its own. Together with
//! SameSite=Strict cookies this keeps other sites from posting on a person's behalf.

use actix_web::cookie::{Cookie, SameSite};

/// The double-submit cookie of the sign-in and set-password forms.
pub const FORM_COOKIE: &str = "casesync_form";

/// Constant-time comparison: a token must not leak through timing.
pub fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() || a.is_empty() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn form_cookie(value: &str, secure: bool) -> Cookie<'static> {
    Cookie::build(FORM_COOKIE, value.to_string())
        .path("/web/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .finish()
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_compare_exactly() {
        assert!(super::same("abc", "abc"));
        assert!(!super::same("abc", "abd"));
        assert!(!super::same("abc", "ab"));
        assert!(!super::same("", ""));
    }
}
