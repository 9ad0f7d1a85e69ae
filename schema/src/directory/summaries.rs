//! The case list read model: one row per case, recomputed after each admitted change so that
//! listing cases does not load every document.

use diesel::prelude::*;

use crate::connection::write_tx;
use crate::error::DbError;
use crate::tables::case_summaries;
use crate::DbConn;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_summaries)]
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

pub fn upsert(conn: &mut DbConn, row: &CaseSummaryRow) -> Result<(), DbError> {
    write_tx(conn, |conn| {
        diesel::delete(
            case_summaries::table.filter(case_summaries::document_id.eq(&row.document_id)),
        )
        .execute(conn)?;
        diesel::insert_into(case_summaries::table)
            .values(row.clone())
            .execute(conn)?;
        Ok(())
    })
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
