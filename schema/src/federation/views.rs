//! Shared views a peer server's organisation sent to one of ours, with the share as the
//! peer stated it. The row stays after withdrawal (the view document itself is erased).

use diesel::prelude::*;

use crate::error::DbError;
use crate::tables_federation::peer_views;
use crate::DbConn;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = peer_views)]
pub struct PeerViewRow {
    pub view_id: String,
    pub peer: String,
    pub source_organisation: String,
    pub partner_organisation: String,
    pub reference: String,
    pub legal_basis: String,
    pub purpose: String,
    /// JSON array of data category names.
    pub categories: String,
    pub cross_border: bool,
    pub shared_at: i64,
    pub received_at: i64,
    pub withdrawn_at: Option<i64>,
}

impl PeerViewRow {
    pub fn categories(&self) -> Vec<String> {
        serde_json::from_str(&self.categories).unwrap_or_default()
    }
}

pub fn find(conn: &mut DbConn, view: &str) -> Result<Option<PeerViewRow>, DbError> {
    Ok(peer_views::table
        .find(view)
        .select(PeerViewRow::as_select())
        .first(conn)
        .optional()?)
}

/// Records a view the first time it arrives; `false` if it was known.
pub fn record(conn: &mut DbConn, row: &PeerViewRow) -> Result<bool, DbError> {
    if find(conn, &row.view_id)?.is_some() {
        return Ok(false);
    }
    diesel::insert_into(peer_views::table)
        .values(row)
        .execute(conn)?;
    Ok(true)
}

/// Marks the view withdrawn; `false` if it already was (or is unknown).
pub fn withdraw(conn: &mut DbConn, view: &str, at: i64) -> Result<bool, DbError> {
    let n = diesel::update(
        peer_views::table
            .find(view)
            .filter(peer_views::withdrawn_at.is_null()),
    )
    .set(peer_views::withdrawn_at.eq(at))
    .execute(conn)?;
    Ok(n == 1)
}

/// Views standing for an organisation of this server.
pub fn active_for(conn: &mut DbConn, organisation: &str) -> Result<Vec<PeerViewRow>, DbError> {
    Ok(peer_views::table
        .filter(peer_views::partner_organisation.eq(organisation))
        .filter(peer_views::withdrawn_at.is_null())
        .select(PeerViewRow::as_select())
        .load(conn)?)
}

/// Erases this server's copy of a withdrawn view inside the caller's transaction: its
/// history, receipts, live sync states and assignments go; the document row stays as a
/// tombstone (the id is never reused); the row here is marked withdrawn. Returns the alert
/// documents that held alerts about it (their history must be rebuilt without them).
pub fn erase(conn: &mut DbConn, view: &str, now: i64) -> Result<Vec<String>, DbError> {
    use crate::tables::{change_receipts, doc_chunks, documents};
    use crate::tables_access::case_assignments;
    use crate::tables_live::sync_states;
    withdraw(conn, view, now)?;
    diesel::update(
        documents::table
            .filter(documents::id.eq(view))
            .filter(documents::deleted_at.is_null()),
    )
    .set((
        documents::deleted_at.eq(Some(now)),
        documents::updated_at.eq(now),
    ))
    .execute(conn)?;
    diesel::delete(doc_chunks::table.filter(doc_chunks::document_id.eq(view))).execute(conn)?;
    diesel::delete(change_receipts::table.filter(change_receipts::document_id.eq(view)))
        .execute(conn)?;
    diesel::delete(sync_states::table.filter(sync_states::document_id.eq(view))).execute(conn)?;
    diesel::delete(case_assignments::table.filter(case_assignments::document_id.eq(view)))
        .execute(conn)?;
    crate::alerts::erase_case(conn, view)
}
