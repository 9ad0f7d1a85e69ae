//! Password hashes of the people who use the pages. The hash is computed by the server
//! (argon2id, PHC string); this layer only stores and reads it.

use diesel::prelude::*;

use crate::directory::User;
use crate::error::DbError;
use crate::tables::users;
use crate::DbConn;

pub fn set_password_hash(conn: &mut DbConn, user_id: &str, phc: &str) -> Result<(), DbError> {
    let updated = diesel::update(users::table.filter(users::id.eq(user_id)))
        .set(users::password_hash.eq(phc))
        .execute(conn)?;
    if updated == 0 {
        return Err(DbError::NotFound(format!("user \"{user_id}\"")));
    }
    Ok(())
}

/// Everyone who could be signing in under `name` (names are unique per organisation only;
/// at most a few, since each costs one password check).
pub fn users_named(conn: &mut DbConn, name: &str) -> Result<Vec<User>, DbError> {
    Ok(users::table
        .filter(users::name.eq(name.trim()))
        .select(User::as_select())
        .limit(5)
        .load(conn)?)
}

pub fn find_by_id(conn: &mut DbConn, user_id: &str) -> Result<Option<User>, DbError> {
    Ok(users::table
        .filter(users::id.eq(user_id))
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

/// Everyone of an organisation, for showing names instead of ids.
pub fn users_of_organisation(
    conn: &mut DbConn,
    organisation_id: &str,
) -> Result<Vec<User>, DbError> {
    Ok(users::table
        .filter(users::organisation_id.eq(organisation_id))
        .select(User::as_select())
        .load(conn)?)
}
