//! Erasure of a case's rows: its chunks, receipts, read model, assignments, shares,
//! retention class and live sync states go; the document row stays as a tombstone (id,
//! kind, organisation, `deleted_at`) so that the id is never reused or revived, and the
//! audit trail keeps its pseudonymous entries. Call inside a write transaction.

use diesel::prelude::*;

use crate::error::DbError;
use crate::tables::{case_summaries, change_receipts, doc_chunks, documents};
use crate::tables_access::{case_assignments, case_retention, case_shares, legal_holds};
use crate::tables_live::sync_states;
use crate::DbConn;

/// How many rows of each kind went.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ErasedRows {
    pub chunks: usize,
    pub receipts: usize,
    pub summaries: usize,
    pub assignments: usize,
    pub shares: usize,
    pub sync_states: usize,
    /// Alert documents that held the case's alerts: their history still names the child
    /// and must be rebuilt without it.
    pub alert_documents: Vec<String>,
    /// The case's shared views, erased with it (tombstones like the case's own row).
    pub views: Vec<String>,
}

pub fn erase_case_rows(conn: &mut DbConn, id: &str, now: i64) -> Result<ErasedRows, DbError> {
    let marked = diesel::update(
        documents::table
            .filter(documents::id.eq(id))
            .filter(documents::deleted_at.is_null()),
    )
    .set((
        documents::deleted_at.eq(Some(now)),
        documents::updated_at.eq(now),
        documents::site_id.eq(None::<String>),
    ))
    .execute(conn)?;
    if marked == 0 {
        return Err(DbError::NotFound(format!("document {id}")));
    }
    let views = erase_views(conn, id, now)?;
    let rows = ErasedRows {
        chunks: diesel::delete(doc_chunks::table.filter(doc_chunks::document_id.eq(id)))
            .execute(conn)?,
        receipts: diesel::delete(
            change_receipts::table.filter(change_receipts::document_id.eq(id)),
        )
        .execute(conn)?,
        summaries: diesel::delete(case_summaries::table.filter(case_summaries::document_id.eq(id)))
            .execute(conn)?,
        assignments: diesel::delete(
            case_assignments::table.filter(case_assignments::document_id.eq(id)),
        )
        .execute(conn)?,
        shares: diesel::delete(case_shares::table.filter(case_shares::document_id.eq(id)))
            .execute(conn)?,
        sync_states: diesel::delete(sync_states::table.filter(sync_states::document_id.eq(id)))
            .execute(conn)?,
        alert_documents: vec![],
        views,
    };
    diesel::delete(case_retention::table.filter(case_retention::document_id.eq(id)))
        .execute(conn)?;
    diesel::delete(legal_holds::table.filter(legal_holds::document_id.eq(id))).execute(conn)?;
    let alert_documents = crate::alerts::erase_case(conn, id)?;
    Ok(ErasedRows {
        alert_documents,
        ..rows
    })
}

/// Erases the view documents of a case's shares and the record of their versions: a view
/// holds the child's data as much as the case does.
fn erase_views(conn: &mut DbConn, case_id: &str, now: i64) -> Result<Vec<String>, DbError> {
    let views: Vec<String> = case_shares::table
        .filter(case_shares::document_id.eq(case_id))
        .filter(case_shares::view_id.is_not_null())
        .select(case_shares::view_id.assume_not_null())
        .load(conn)?;
    crate::access::share_versions::erase_for_document(conn, case_id)?;
    diesel::update(documents::table.filter(documents::id.eq_any(&views)))
        .set((
            documents::deleted_at.eq(Some(now)),
            documents::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::delete(doc_chunks::table.filter(doc_chunks::document_id.eq_any(&views)))
        .execute(conn)?;
    diesel::delete(change_receipts::table.filter(change_receipts::document_id.eq_any(&views)))
        .execute(conn)?;
    diesel::delete(sync_states::table.filter(sync_states::document_id.eq_any(&views)))
        .execute(conn)?;
    Ok(views)
}
