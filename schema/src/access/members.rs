//! Users looked up within one organisation: a coordinator or admin names people of their
//! own organisation only, so names never resolve across organisations.

use diesel::prelude::*;

use crate::directory::User;
use crate::error::DbError;
use crate::tables::users;
use crate::DbConn;

/// A user of `organisation_id` by id or name.
pub fn find_in(
    conn: &mut DbConn,
    organisation_id: &str,
    id_or_name: &str,
) -> Result<User, DbError> {
    users::table
        .filter(users::organisation_id.eq(organisation_id))
        .filter(users::id.eq(id_or_name).or(users::name.eq(id_or_name)))
        .select(User::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| DbError::NotFound(format!("user \"{id_or_name}\"")))
}

/// Which of `user_ids` belong to `organisation_id`.
pub fn members_among(
    conn: &mut DbConn,
    organisation_id: &str,
    user_ids: &[String],
) -> Result<Vec<String>, DbError> {
    if user_ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(users::table
        .filter(users::organisation_id.eq(organisation_id))
        .filter(users::id.eq_any(user_ids))
        .select(users::id)
        .load(conn)?)
}
