//! Legal holds: while one stands, a case can be neither erased nor expired.

use diesel::prelude::*;

use crate::error::DbError;
use crate::tables_access::legal_holds;
use crate::DbConn;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = legal_holds)]
pub struct LegalHold {
    pub document_id: String,
    pub reason: String,
    pub placed_by: String,
    pub placed_at: i64,
}

/// Places a hold; a case already on hold keeps its first one. Returns the hold in force.
pub fn place(
    conn: &mut DbConn,
    document_id: &str,
    reason: &str,
    by: &str,
    at: i64,
) -> Result<LegalHold, DbError> {
    if let Some(hold) = active(conn, document_id)? {
        return Ok(hold);
    }
    let hold = LegalHold {
        document_id: document_id.to_string(),
        reason: reason.to_string(),
        placed_by: by.to_string(),
        placed_at: at,
    };
    diesel::insert_into(legal_holds::table)
        .values((
            legal_holds::document_id.eq(&hold.document_id),
            legal_holds::reason.eq(&hold.reason),
            legal_holds::placed_by.eq(&hold.placed_by),
            legal_holds::placed_at.eq(hold.placed_at),
        ))
        .execute(conn)?;
    Ok(hold)
}

/// Releases the hold. Returns the released hold, if there was one.
pub fn release(conn: &mut DbConn, document_id: &str) -> Result<Option<LegalHold>, DbError> {
    let hold = active(conn, document_id)?;
    diesel::delete(legal_holds::table.filter(legal_holds::document_id.eq(document_id)))
        .execute(conn)?;
    Ok(hold)
}

pub fn active(conn: &mut DbConn, document_id: &str) -> Result<Option<LegalHold>, DbError> {
    Ok(legal_holds::table
        .filter(legal_holds::document_id.eq(document_id))
        .select(LegalHold::as_select())
        .first(conn)
        .optional()?)
}
