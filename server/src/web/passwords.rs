//! Passwords of the people who use the pages: argon2id with a random salt, stored as a PHC
//! string. Verification takes the same time whether or not the person exists, so timing
//! does not tell which names are real.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// Shortest password accepted: long passphrases beat composition rules.
pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 1024;

/// Why a password was refused when it was set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeakPassword {
    TooShort,
    TooLong,
}

pub fn check_strength(password: &str) -> Result<(), WeakPassword> {
    let chars = password.chars().count();
    if chars < MIN_LENGTH {
        return Err(WeakPassword::TooShort);
    }
    if password.len() > MAX_LENGTH {
        return Err(WeakPassword::TooLong);
    }
    Ok(())
}

/// The PHC string of a new hash (argon2id, the crate's recommended parameters).
pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&bytes)?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Whether `password` matches the stored hash. `None` (no such person, or no password set)
/// still runs one verification against a fixed hash and answers `false`.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    match stored.and_then(|s| PasswordHash::new(s).ok()) {
        Some(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        None => {
            if let Some(dummy) = dummy().and_then(|d| PasswordHash::new(d).ok()) {
                let _ = Argon2::default().verify_password(password.as_bytes(), &dummy);
            }
            false
        }
    }
}

/// The hash of a random password nobody knows, for refusals that take as long as a check.
fn dummy() -> Option<&'static str> {
    static DUMMY: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| hash(&casesync_schema::web::random_secret()).ok())
        .as_deref()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let phc = hash("correct horse battery staple").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify("correct horse battery staple", Some(&phc)));
        assert!(!verify("correct horse battery stapler", Some(&phc)));
        assert!(!verify("anything", None));
        assert!(!verify("anything", Some("not a phc string")));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert_eq!(check_strength("short"), Err(WeakPassword::TooShort));
        assert_eq!(check_strength("long enough passphrase"), Ok(()));
    }
}
