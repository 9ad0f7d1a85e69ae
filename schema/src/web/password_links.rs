//! One-time set-password links: an administrator prints one for a person, who opens it in a
//! browser and chooses a password. Only the SHA-256 of the token is stored.

use diesel::prelude::*;

use super::random_secret;
use crate::directory::devices::hash_token;
use crate::error::DbError;
use crate::tables_web::web_password_links;
use crate::DbConn;

/// Stores a new link token for `user_id`; returns the token, shown once.
pub fn create(
    conn: &mut DbConn,
    user_id: &str,
    now: i64,
    expires_at: i64,
) -> Result<String, DbError> {
    let token = random_secret();
    diesel::insert_into(web_password_links::table)
        .values((
            web_password_links::token_hash.eq(hash_token(&token)),
            web_password_links::user_id.eq(user_id),
            web_password_links::created_at.eq(now),
            web_password_links::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(token)
}

/// The user a link is for, if it is unused and has not expired.
pub fn peek(conn: &mut DbConn, token: &str, now: i64) -> Result<Option<String>, DbError> {
    Ok(web_password_links::table
        .filter(web_password_links::token_hash.eq(hash_token(token)))
        .filter(web_password_links::used_at.is_null())
        .filter(web_password_links::expires_at.gt(now))
        .select(web_password_links::user_id)
        .first(conn)
        .optional()?)
}

/// Uses a link up; `None` if it was unknown, used or expired. The update is conditional,
/// so two browsers racing with the same link cannot both succeed.
pub fn redeem(conn: &mut DbConn, token: &str, now: i64) -> Result<Option<String>, DbError> {
    let Some(user_id) = peek(conn, token, now)? else {
        return Ok(None);
    };
    let used = diesel::update(
        web_password_links::table
            .filter(web_password_links::token_hash.eq(hash_token(token)))
            .filter(web_password_links::used_at.is_null()),
    )
    .set(web_password_links::used_at.eq(now))
    .execute(conn)?;
    Ok((used == 1).then_some(user_id))
}
