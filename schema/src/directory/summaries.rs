//! The case list read model: one row per case, recomputed after each admitted change so that
//! listing cases does not load every document.

use diesel::prelude::*;

use crate::connection::write_tx;
use crate::error::DbError;
use crate::tables::case_summaries;
use crate::DbConn;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = case_summaries, primary_key(document_id), treat_none_as_null = true)]
pub struct CaseSummaryRow {
    pub document_id: String,
    pub organisation_id: String,
    pub site_id: String,
    pub reference: String,
    pub display_name: String,
    pub status: String,
    pub status_since: Option<i64>,
    pub open_conflicts: i32,
    pub updated_at: i64,
}

/// Stores a case's summary, replacing the one before. Two instances may store the same
/// case's first summary at once: the one that loses the insert updates instead.
pub fn upsert(conn: &mut DbConn, row: &CaseSummaryRow) -> Result<(), DbError> {
    match write_tx(conn, |conn| store(conn, row)) {
        Err(DbError::Query(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ))) => write_tx(conn, |conn| store(conn, row)),
        other => other,
    }
}

fn store(conn: &mut DbConn, row: &CaseSummaryRow) -> Result<(), DbError> {
    let updated = diesel::update(
        case_summaries::table.filter(case_summaries::document_id.eq(&row.document_id)),
    )
    .set(row)
    .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(case_summaries::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// Records that a case changed without changing what its summary shows.
pub fn touch(conn: &mut DbConn, document_id: &str, at: i64) -> Result<(), DbError> {
    diesel::update(case_summaries::table.filter(case_summaries::document_id.eq(document_id)))
        .set(case_summaries::updated_at.eq(at))
        .execute(conn)?;
    Ok(())
}

pub fn of_organisation(
    conn: &mut DbConn,
    organisation_id: &str,
) -> Result<Vec<CaseSummaryRow>, DbError> {
    Ok(case_summaries::table
        .filter(case_summaries::organisation_id.eq(organisation_id))
        .order(case_summaries::updated_at.desc())
        .select(CaseSummaryRow::as_select())
        .load(conn)?)
}

/// Every case summary (the escalation worker walks them).
pub fn all(conn: &mut DbConn) -> Result<Vec<CaseSummaryRow>, DbError> {
    Ok(case_summaries::table
        .select(CaseSummaryRow::as_select())
        .load(conn)?)
}
