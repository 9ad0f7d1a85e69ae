//! The queries behind a device's scope: which live case documents a site, a list of ids or
//! a set of shares names. The rules themselves live in the server (`domain::scope`).

use diesel::prelude::*;

use crate::directory::DocumentRow;
use crate::error::DbError;
use crate::tables::{case_summaries, documents};
use crate::DbConn;

/// Live case documents among `ids`.
pub fn live_cases(conn: &mut DbConn, ids: &[String]) -> Result<Vec<DocumentRow>, DbError> {
    live_of_kind(conn, ids, "case")
}

/// Live documents of one kind among `ids`.
pub fn live_of_kind(
    conn: &mut DbConn,
    ids: &[String],
    kind: &str,
) -> Result<Vec<DocumentRow>, DbError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(documents::table
        .filter(documents::id.eq_any(ids))
        .filter(documents::kind.eq(kind))
        .filter(documents::deleted_at.is_null())
        .order(documents::created_at.asc())
        .select(DocumentRow::as_select())
        .load(conn)?)
}

/// Live case documents of one site of an organisation.
pub fn cases_of_site(
    conn: &mut DbConn,
    organisation_id: &str,
    site_id: &str,
) -> Result<Vec<DocumentRow>, DbError> {
    Ok(documents::table
        .filter(documents::organisation_id.eq(organisation_id))
        .filter(documents::site_id.eq(site_id))
        .filter(documents::kind.eq("case"))
        .filter(documents::deleted_at.is_null())
        .order(documents::created_at.asc())
        .select(DocumentRow::as_select())
        .load(conn)?)
}

/// Whether a document id was ever used, erased ones included: an erased case's id is never
/// brought back to life by a device that still holds a copy.
pub fn id_taken(conn: &mut DbConn, id: &str) -> Result<bool, DbError> {
    let n: i64 = documents::table
        .filter(documents::id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The status of a case in the read model (`missing`, `present`...), if summarised.
pub fn case_status(conn: &mut DbConn, id: &str) -> Result<Option<String>, DbError> {
    Ok(case_summaries::table
        .filter(case_summaries::document_id.eq(id))
        .select(case_summaries::status)
        .first(conn)
        .optional()?)
}

/// Case list rows of the given cases, most recently updated first.
pub fn summaries_of(
    conn: &mut DbConn,
    ids: &[String],
) -> Result<Vec<crate::directory::CaseSummaryRow>, DbError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(case_summaries::table
        .filter(case_summaries::document_id.eq_any(ids))
        .order(case_summaries::updated_at.desc())
        .select(crate::directory::CaseSummaryRow::as_select())
        .load(conn)?)
}
