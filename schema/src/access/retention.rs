//! Retention classes of cases. A case's class says how long it is kept after its last
//! activity; cases without a row have the configured default class.

use diesel::prelude::*;

use crate::error::DbError;
use crate::tables::documents;
use crate::tables_access::{case_retention, legal_holds};
use crate::DbConn;

pub fn set_class(
    conn: &mut DbConn,
    document_id: &str,
    class: &str,
    by: &str,
    at: i64,
) -> Result<(), DbError> {
    crate::connection::write_tx(conn, |conn| set_class_in(conn, document_id, class, by, at))
}

/// [`set_class`] inside the caller's write transaction (with its audit entry).
pub fn set_class_in(
    conn: &mut DbConn,
    document_id: &str,
    class: &str,
    by: &str,
    at: i64,
) -> Result<(), DbError> {
    diesel::delete(case_retention::table.filter(case_retention::document_id.eq(document_id)))
        .execute(conn)?;
    diesel::insert_into(case_retention::table)
        .values((
            case_retention::document_id.eq(document_id),
            case_retention::retention_class.eq(class),
            case_retention::set_by.eq(by),
            case_retention::set_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn class_of(conn: &mut DbConn, document_id: &str) -> Result<Option<String>, DbError> {
    Ok(case_retention::table
        .filter(case_retention::document_id.eq(document_id))
        .select(case_retention::retention_class)
        .first(conn)
        .optional()?)
}

/// A live case that has been quiet since `last_activity`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionCandidate {
    pub document_id: String,
    pub organisation_id: String,
    pub last_activity: i64,
    /// `None`: the default class.
    pub class: Option<String>,
}

/// Live cases without a legal hold whose last activity is before `quiet_since`, oldest
/// first, a page of `limit` from `offset`.
pub fn quiet_cases(
    conn: &mut DbConn,
    quiet_since: i64,
    offset: i64,
    limit: i64,
) -> Result<Vec<RetentionCandidate>, DbError> {
    let held: Vec<String> = legal_holds::table
        .select(legal_holds::document_id)
        .load(conn)?;
    let rows: Vec<(String, String, i64)> = documents::table
        .filter(documents::kind.eq("case"))
        .filter(documents::deleted_at.is_null())
        .filter(documents::updated_at.lt(quiet_since))
        .filter(documents::id.ne_all(held))
        .order((documents::updated_at.asc(), documents::id.asc()))
        .offset(offset)
        .limit(limit)
        .select((
            documents::id,
            documents::organisation_id,
            documents::updated_at,
        ))
        .load(conn)?;
    let ids: Vec<&String> = rows.iter().map(|r| &r.0).collect();
    let classes: Vec<(String, String)> = case_retention::table
        .filter(case_retention::document_id.eq_any(ids))
        .select((case_retention::document_id, case_retention::retention_class))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, org, at)| RetentionCandidate {
            class: classes.iter().find(|c| c.0 == id).map(|c| c.1.clone()),
            document_id: id,
            organisation_id: org,
            last_activity: at,
        })
        .collect())
}
