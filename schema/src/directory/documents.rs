//! Which documents exist and whom they belong to.

use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;
use diesel::prelude::*;

use crate::error::DbError;
use crate::tables::documents;
use crate::DbConn;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = documents)]
pub struct DocumentRow {
    pub id: String,
    pub kind: String,
    pub organisation_id: String,
    pub site_id: Option<String>,
    pub last_seq: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
}

impl DocumentRow {
    pub fn kind(&self) -> Option<DocumentKind> {
        DocumentKind::parse(&self.kind)
    }
}

/// A live (not erased) document.
pub fn find(conn: &mut DbConn, id: &DocumentId) -> Result<Option<DocumentRow>, DbError> {
    Ok(documents::table
        .filter(documents::id.eq(id.to_string()))
        .filter(documents::deleted_at.is_null())
        .select(DocumentRow::as_select())
        .first(conn)
        .optional()?)
}

/// Live documents of an organisation of one kind.
pub fn of_organisation(
    conn: &mut DbConn,
    organisation_id: &str,
    kind: DocumentKind,
) -> Result<Vec<DocumentRow>, DbError> {
    Ok(documents::table
        .filter(documents::organisation_id.eq(organisation_id))
        .filter(documents::kind.eq(kind.as_str()))
        .filter(documents::deleted_at.is_null())
        .order(documents::created_at.asc())
        .select(DocumentRow::as_select())
        .load(conn)?)
}

/// The last chunk number stored for each of `ids` that exists (in batches: an instance asks
/// for every document it holds in memory).
pub fn last_seqs(conn: &mut DbConn, ids: &[String]) -> Result<Vec<(String, i64)>, DbError> {
    let mut out = Vec::with_capacity(ids.len());
    for batch in ids.chunks(500) {
        out.extend(
            documents::table
                .filter(documents::id.eq_any(batch))
                .select((documents::id, documents::last_seq))
                .load::<(String, i64)>(conn)?,
        );
    }
    Ok(out)
}
