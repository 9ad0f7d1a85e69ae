//! Failed sign-ins, counted per key (user name and client address) over a window. Rows in
//! the database make the limit hold across instances.

use diesel::prelude::*;

use crate::error::DbError;
use crate::tables_web::web_sign_in_failures;
use crate::DbConn;

/// Failures recorded for `key` at or after `since`.
pub fn count_since(conn: &mut DbConn, key: &str, since: i64) -> Result<i64, DbError> {
    Ok(web_sign_in_failures::table
        .filter(web_sign_in_failures::attempt_key.eq(key))
        .filter(web_sign_in_failures::at.ge(since))
        .count()
        .get_result(conn)?)
}

/// Records a failure, and forgets failures older than `forget_before` (of every key).
pub fn record(conn: &mut DbConn, key: &str, now: i64, forget_before: i64) -> Result<(), DbError> {
    diesel::insert_into(web_sign_in_failures::table)
        .values((
            web_sign_in_failures::attempt_key.eq(key),
            web_sign_in_failures::at.eq(now),
        ))
        .execute(conn)?;
    diesel::delete(web_sign_in_failures::table.filter(web_sign_in_failures::at.lt(forget_before)))
        .execute(conn)?;
    Ok(())
}

/// A successful sign-in clears the key's failures.
pub fn clear(conn: &mut DbConn, key: &str) -> Result<(), DbError> {
    diesel::delete(web_sign_in_failures::table.filter(web_sign_in_failures::attempt_key.eq(key)))
        .execute(conn)?;
    Ok(())
}
