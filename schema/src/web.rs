//! The coordinator pages in the database: browser sessions, failed sign-ins counted for the
//! rate limit, one-time set-password links and the users' password hashes. Everything lives
//! here rather than in a process so that any instance serves any browser.

pub mod credentials;
pub mod password_links;
pub mod sessions;
pub mod sign_in_failures;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// 32 random bytes, URL-safe: session ids, CSRF tokens, set-password links.
pub fn random_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}
