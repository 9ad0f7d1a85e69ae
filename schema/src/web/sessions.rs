//! Browser sessions. The cookie carries a random secret; only its SHA-256 is stored, so a
//! copied database cannot be used to sign in. Each session has its own CSRF token.

use diesel::prelude::*;

use super::random_secret;
use crate::directory::devices::hash_token;
use crate::directory::User;
use crate::error::DbError;
use crate::tables::users;
use crate::tables_web::web_sessions;
use crate::DbConn;

/// A session just opened: the cookie value is shown to the browser once.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub cookie_value: String,
    pub csrf_token: String,
    pub expires_at: i64,
}

/// A live session and the person it belongs to.
#[derive(Debug, Clone)]
pub struct WebSession {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: i64,
}

pub fn open(
    conn: &mut DbConn,
    user_id: &str,
    now: i64,
    expires_at: i64,
) -> Result<NewSession, DbError> {
    let session = NewSession {
        cookie_value: random_secret(),
        csrf_token: random_secret(),
        expires_at,
    };
    diesel::insert_into(web_sessions::table)
        .values((
            web_sessions::id_hash.eq(hash_token(&session.cookie_value)),
            web_sessions::user_id.eq(user_id),
            web_sessions::csrf_token.eq(&session.csrf_token),
            web_sessions::created_at.eq(now),
            web_sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    // Expired sessions of anyone go as new ones come: no sweeper needed.
    diesel::delete(web_sessions::table.filter(web_sessions::expires_at.le(now))).execute(conn)?;
    Ok(session)
}

/// The session a cookie names, if it has not expired.
pub fn find(
    conn: &mut DbConn,
    cookie_value: &str,
    now: i64,
) -> Result<Option<WebSession>, DbError> {
    let row: Option<(String, String, i64)> = web_sessions::table
        .filter(web_sessions::id_hash.eq(hash_token(cookie_value)))
        .filter(web_sessions::expires_at.gt(now))
        .select((
            web_sessions::user_id,
            web_sessions::csrf_token,
            web_sessions::expires_at,
        ))
        .first(conn)
        .optional()?;
    let Some((user_id, csrf_token, expires_at)) = row else {
        return Ok(None);
    };
    let user = users::table
        .filter(users::id.eq(&user_id))
        .select(User::as_select())
        .first(conn)
        .optional()?;
    Ok(user.map(|user| WebSession {
        user,
        csrf_token,
        expires_at,
    }))
}

/// Signs a browser out.
pub fn close(conn: &mut DbConn, cookie_value: &str) -> Result<(), DbError> {
    diesel::delete(web_sessions::table.filter(web_sessions::id_hash.eq(hash_token(cookie_value))))
        .execute(conn)?;
    Ok(())
}

/// Signs a person out everywhere (their password changed).
pub fn close_all_of(conn: &mut DbConn, user_id: &str) -> Result<usize, DbError> {
    Ok(
        diesel::delete(web_sessions::table.filter(web_sessions::user_id.eq(user_id)))
            .execute(conn)?,
    )
}
