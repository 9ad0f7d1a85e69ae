//! One-time enrolment codes: a person creates one for a user; a phone exchanges it once,
//! before it expires, for a device token. Only the SHA-256 of a code is stored.

use diesel::prelude::*;
use rand::Rng;

use crate::directory::devices::hash_token;
use crate::error::DbError;
use crate::tables_access::enrolment_codes;
use crate::DbConn;

/// Letters and digits people do not confuse (Crockford's base 32).
const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// 12 symbols of 5 bits: 60 bits, against at most a handful of guesses per minute per IP.
const SYMBOLS: usize = 12;

/// A new random code, in groups of four: `7KQ2-M9XD-4TPA`.
pub fn new_code() -> String {
    let mut rng = rand::rng();
    let raw: String = (0..SYMBOLS)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format_code(&raw)
}

fn format_code(raw: &str) -> String {
    raw.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// The code as typed: case, spaces and dashes do not matter; O reads as 0, I and L as 1.
pub fn normalise_code(typed: &str) -> String {
    let raw: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    format_code(&raw)
}

pub fn hash_code(code: &str) -> String {
    hash_token(&normalise_code(code))
}

/// Stores a new code for `user_id`; returns the code, shown once.
pub fn create(
    conn: &mut DbConn,
    user_id: &str,
    created_by: &str,
    now: i64,
    expires_at: i64,
) -> Result<String, DbError> {
    let code = new_code();
    diesel::insert_into(enrolment_codes::table)
        .values((
            enrolment_codes::code_hash.eq(hash_code(&code)),
            enrolment_codes::user_id.eq(user_id),
            enrolment_codes::created_by.eq(created_by),
            enrolment_codes::created_at.eq(now),
            enrolment_codes::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(code)
}

/// Uses a code up: returns its user if the code is valid, unused and unexpired, and marks
/// it used in the same statement so that two phones racing with one code get one device.
/// Call inside the transaction that enrols the device.
pub fn redeem(conn: &mut DbConn, code: &str, now: i64) -> Result<Option<String>, DbError> {
    let hash = hash_code(code);
    let used = diesel::update(
        enrolment_codes::table
            .filter(enrolment_codes::code_hash.eq(&hash))
            .filter(enrolment_codes::used_at.is_null())
            .filter(enrolment_codes::expires_at.gt(now)),
    )
    .set(enrolment_codes::used_at.eq(Some(now)))
    .execute(conn)?;
    if used == 0 {
        return Ok(None);
    }
    Ok(enrolment_codes::table
        .filter(enrolment_codes::code_hash.eq(&hash))
        .select(enrolment_codes::user_id)
        .first(conn)
        .optional()?)
}

/// Records which device a redeemed code made.
pub fn attach_device(conn: &mut DbConn, code: &str, device_id: &str) -> Result<(), DbError> {
    diesel::update(enrolment_codes::table.filter(enrolment_codes::code_hash.eq(hash_code(code))))
        .set(enrolment_codes::device_id.eq(Some(device_id)))
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_codes_normalise() {
        let code = new_code();
        assert_eq!(code.len(), 14);
        assert_eq!(normalise_code(&code.to_lowercase().replace('-', " ")), code);
        assert_eq!(normalise_code("o1il-aaaa-bbbb"), "0111-AAAA-BBBB");
    }
}
