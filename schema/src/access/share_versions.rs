//! What was sent to a partner organisation: one row per version of a shared view's content,
//! with the categories it covered and the SHA-256 of that content. Kept after the share is
//! withdrawn (the record of what the partner received outlives the share).

use diesel::prelude::*;

use crate::error::DbError;
use crate::tables_access::{case_shares, share_versions};
use crate::DbConn;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = share_versions)]
pub struct ShareVersionRow {
    pub share_id: String,
    pub version: i32,
    pub sent_at: i64,
    /// JSON array of category names.
    pub categories: String,
    pub digest: String,
}

impl ShareVersionRow {
    pub fn categories(&self) -> Vec<String> {
        serde_json::from_str(&self.categories).unwrap_or_default()
    }
}

/// The newest version recorded for a share.
pub fn latest(conn: &mut DbConn, share_id: &str) -> Result<Option<ShareVersionRow>, DbError> {
    Ok(share_versions::table
        .filter(share_versions::share_id.eq(share_id))
        .order(share_versions::version.desc())
        .select(ShareVersionRow::as_select())
        .first(conn)
        .optional()?)
}

/// Records that the view now holds content with `digest`, unless the newest version already
/// says so. Two runs recording the same content at once store it once: the second finds the
/// first's row (or loses the race on the key and reads it). Not inside a transaction: a
/// failed insert would abort it on PostgreSQL.
pub fn record(
    conn: &mut DbConn,
    share_id: &str,
    sent_at: i64,
    categories: &[String],
    digest: &str,
) -> Result<Option<ShareVersionRow>, DbError> {
    let categories = serde_json::to_string(categories)
        .map_err(|e| DbError::Invalid(format!("data categories: {e}")))?;
    for _ in 0..3 {
        let last = latest(conn, share_id)?;
        if last.as_ref().is_some_and(|v| v.digest == digest) {
            return Ok(None);
        }
        let row = ShareVersionRow {
            share_id: share_id.to_string(),
            version: last.map_or(1, |v| v.version + 1),
            sent_at,
            categories: categories.clone(),
            digest: digest.to_string(),
        };
        let inserted = diesel::insert_into(share_versions::table)
            .values((
                share_versions::share_id.eq(&row.share_id),
                share_versions::version.eq(row.version),
                share_versions::sent_at.eq(row.sent_at),
                share_versions::categories.eq(&row.categories),
                share_versions::digest.eq(&row.digest),
            ))
            .execute(conn);
        match inserted {
            Ok(_) => return Ok(Some(row)),
            // Another run took this version number: read again.
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(DbError::Invalid(format!(
        "version of share {share_id} taken three times while being recorded"
    )))
}

/// Every version of the shares given, oldest first.
pub fn of_shares(conn: &mut DbConn, share_ids: &[String]) -> Result<Vec<ShareVersionRow>, DbError> {
    Ok(share_versions::table
        .filter(share_versions::share_id.eq_any(share_ids))
        .order((
            share_versions::share_id.asc(),
            share_versions::version.asc(),
        ))
        .select(ShareVersionRow::as_select())
        .load(conn)?)
}

/// Cases with an active share whose view was never sent: the work a crash between making
/// the share and writing its view left (the sweep queues them again).
pub fn cases_with_unsent_views(conn: &mut DbConn, limit: i64) -> Result<Vec<String>, DbError> {
    let sent = share_versions::table.select(share_versions::share_id);
    Ok(case_shares::table
        .filter(case_shares::withdrawn_at.is_null())
        .filter(case_shares::id.ne_all(sent))
        .select(case_shares::document_id)
        .distinct()
        .limit(limit)
        .load(conn)?)
}

/// Removes the versions of a case's shares (erasure of the case).
pub fn erase_for_document(conn: &mut DbConn, document_id: &str) -> Result<usize, DbError> {
    let shares = case_shares::table
        .filter(case_shares::document_id.eq(document_id))
        .select(case_shares::id);
    Ok(
        diesel::delete(share_versions::table.filter(share_versions::share_id.eq_any(shares)))
            .execute(conn)?,
    )
}
