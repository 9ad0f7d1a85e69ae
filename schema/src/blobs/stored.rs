//! Stored blobs, one row per organisation and content hash. A row goes through
//! live -> deleting (claimed by a sweep or an erasure) -> gone; an upload that meets a row
//! being deleted replaces it with its own fresh object, so that a sweep never deletes bytes a
//! device was just told are stored.

use diesel::dsl::{exists, not};
use diesel::prelude::*;

use crate::connection::write_tx;
use crate::error::DbError;
use crate::tables_blobs::{blob_references, blobs};
use crate::DbConn;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = blobs)]
pub struct BlobRow {
    pub organisation_id: String,
    pub sha256: String,
    pub object_key: String,
    pub size: i64,
    pub media_type: String,
    pub key_id: String,
    pub wrapped_key: Vec<u8>,
    pub created_at: i64,
    pub touched_at: i64,
    pub deleting_at: Option<i64>,
}

/// What recording a freshly stored object came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// The row now names the new object.
    New,
    /// Another upload of the same bytes won: its row stays, the new object is surplus.
    AlreadyStored(BlobRow),
}

/// The live blob of an organisation with this hash.
pub fn find(
    conn: &mut DbConn,
    organisation_id: &str,
    sha256: &str,
) -> Result<Option<BlobRow>, DbError> {
    Ok(blobs::table
        .filter(blobs::organisation_id.eq(organisation_id))
        .filter(blobs::sha256.eq(sha256))
        .filter(blobs::deleting_at.is_null())
        .select(BlobRow::as_select())
        .first(conn)
        .optional()?)
}

/// An upload of bytes already stored: restarts the grace period of the live row, atomically
/// with respect to a sweep, and returns it. `None` when there is no live row.
pub fn touch_live(
    conn: &mut DbConn,
    organisation_id: &str,
    sha256: &str,
    now: i64,
) -> Result<Option<BlobRow>, DbError> {
    write_tx(conn, |conn| {
        let touched = diesel::update(
            blobs::table
                .filter(blobs::organisation_id.eq(organisation_id))
                .filter(blobs::sha256.eq(sha256))
                .filter(blobs::deleting_at.is_null()),
        )
        .set(blobs::touched_at.eq(now))
        .execute(conn)?;
        if touched == 0 {
            return Ok(None);
        }
        find(conn, organisation_id, sha256)
    })
}

/// Records an object just written for `row`.
pub fn record(conn: &mut DbConn, row: &BlobRow) -> Result<Recorded, DbError> {
    let attempt = write_tx(conn, |conn| {
        let existing: Option<BlobRow> = blobs::table
            .filter(blobs::organisation_id.eq(&row.organisation_id))
            .filter(blobs::sha256.eq(&row.sha256))
            .select(BlobRow::as_select())
            .first(conn)
            .optional()?;
        match existing {
            Some(live) if live.deleting_at.is_none() => Ok(Recorded::AlreadyStored(live)),
            Some(_) => {
                // Being deleted: take the row over; the sweep deletes only its own object.
                diesel::update(
                    blobs::table
                        .filter(blobs::organisation_id.eq(&row.organisation_id))
                        .filter(blobs::sha256.eq(&row.sha256)),
                )
                .set((
                    blobs::object_key.eq(&row.object_key),
                    blobs::size.eq(row.size),
                    blobs::media_type.eq(&row.media_type),
                    blobs::key_id.eq(&row.key_id),
                    blobs::wrapped_key.eq(&row.wrapped_key),
                    blobs::created_at.eq(row.created_at),
                    blobs::touched_at.eq(row.touched_at),
                    blobs::deleting_at.eq(None::<i64>),
                ))
                .execute(conn)?;
                Ok(Recorded::New)
            }
            None => {
                diesel::insert_into(blobs::table)
                    .values(row.clone())
                    .execute(conn)
                    .map_err(|e| DbError::exists_on_conflict(e, "blob"))?;
                Ok(Recorded::New)
            }
        }
    });
    match attempt {
        // A concurrent insert of the same blob committed first.
        Err(DbError::Exists(_)) => match find(conn, &row.organisation_id, &row.sha256)? {
            Some(live) => Ok(Recorded::AlreadyStored(live)),
            None => Err(DbError::Invalid("blob row vanished during upload".into())),
        },
        other => other,
    }
}

/// Claims up to `limit` blobs that no case references and that nothing touched since
/// `cutoff`, marking them as being deleted. The caller deletes their objects, then
/// [`forget`]s them.
pub fn claim_unreferenced(
    conn: &mut DbConn,
    cutoff: i64,
    now: i64,
    limit: i64,
) -> Result<Vec<BlobRow>, DbError> {
    write_tx(conn, |conn| {
        let candidates: Vec<BlobRow> = blobs::table
            .filter(blobs::deleting_at.is_null())
            .filter(blobs::touched_at.le(cutoff))
            .filter(not(exists(
                blob_references::table
                    .filter(blob_references::organisation_id.eq(blobs::organisation_id))
                    .filter(blob_references::sha256.eq(blobs::sha256)),
            )))
            .order(blobs::touched_at.asc())
            .limit(limit)
            .select(BlobRow::as_select())
            .load(conn)?;
        let mut claimed = Vec::with_capacity(candidates.len());
        for row in candidates {
            if claim(conn, &row, now, Some(cutoff))? {
                claimed.push(row);
            }
        }
        Ok(claimed)
    })
}

/// Marks one live row as being deleted if it is still unreferenced (and, with a cutoff,
/// still untouched since then): the check and the mark are one statement, so a reference
/// or an upload that lands first wins.
fn claim(conn: &mut DbConn, row: &BlobRow, now: i64, cutoff: Option<i64>) -> Result<bool, DbError> {
    let target = blobs::table
        .filter(blobs::organisation_id.eq(&row.organisation_id))
        .filter(blobs::sha256.eq(&row.sha256))
        .filter(blobs::object_key.eq(&row.object_key))
        .filter(blobs::deleting_at.is_null())
        .filter(blobs::touched_at.le(cutoff.unwrap_or(i64::MAX)))
        .filter(not(exists(
            blob_references::table
                .filter(blob_references::organisation_id.eq(blobs::organisation_id))
                .filter(blob_references::sha256.eq(blobs::sha256)),
        )));
    Ok(diesel::update(target)
        .set(blobs::deleting_at.eq(Some(now)))
        .execute(conn)?
        == 1)
}

/// Rows whose deletion was claimed before `before` and never finished (the process stopped
/// between claim and delete): the sweep finishes them.
pub fn stale_deletions(
    conn: &mut DbConn,
    before: i64,
    limit: i64,
) -> Result<Vec<BlobRow>, DbError> {
    Ok(blobs::table
        .filter(blobs::deleting_at.le(before))
        .order(blobs::deleting_at.asc())
        .limit(limit)
        .select(BlobRow::as_select())
        .load(conn)?)
}

/// Drops the row of a deleted object, unless an upload took the row over meanwhile.
pub fn forget(conn: &mut DbConn, row: &BlobRow) -> Result<bool, DbError> {
    Ok(diesel::delete(
        blobs::table
            .filter(blobs::organisation_id.eq(&row.organisation_id))
            .filter(blobs::sha256.eq(&row.sha256))
            .filter(blobs::object_key.eq(&row.object_key))
            .filter(blobs::deleting_at.is_not_null()),
    )
    .execute(conn)?
        == 1)
}

/// Erasure of a case: drops its references and claims, for deletion now, every blob it
/// referenced that no other case references.
pub fn release_case(
    conn: &mut DbConn,
    document_id: &str,
    now: i64,
) -> Result<Vec<BlobRow>, DbError> {
    write_tx(conn, |conn| {
        let referenced: Vec<(String, String)> = blob_references::table
            .filter(blob_references::document_id.eq(document_id))
            .select((blob_references::organisation_id, blob_references::sha256))
            .load(conn)?;
        diesel::delete(blob_references::table.filter(blob_references::document_id.eq(document_id)))
            .execute(conn)?;
        let mut claimed = Vec::new();
        for (organisation_id, sha256) in referenced {
            let Some(row) = find(conn, &organisation_id, &sha256)? else {
                continue;
            };
            if claim(conn, &row, now, None)? {
                claimed.push(row);
            }
        }
        Ok(claimed)
    })
}

/// Live rows whose data key is wrapped by another master key than `key_id`.
pub fn wrapped_by_other_keys(
    conn: &mut DbConn,
    key_id: &str,
    limit: i64,
) -> Result<Vec<BlobRow>, DbError> {
    Ok(blobs::table
        .filter(blobs::key_id.ne(key_id))
        .order((blobs::organisation_id.asc(), blobs::sha256.asc()))
        .limit(limit)
        .select(BlobRow::as_select())
        .load(conn)?)
}

/// Replaces the wrapped data key of a row, if it is still wrapped by `old_key_id`.
pub fn rewrap(
    conn: &mut DbConn,
    row: &BlobRow,
    new_key_id: &str,
    wrapped_key: &[u8],
) -> Result<bool, DbError> {
    Ok(diesel::update(
        blobs::table
            .filter(blobs::organisation_id.eq(&row.organisation_id))
            .filter(blobs::sha256.eq(&row.sha256))
            .filter(blobs::object_key.eq(&row.object_key))
            .filter(blobs::key_id.eq(&row.key_id)),
    )
    .set((
        blobs::key_id.eq(new_key_id),
        blobs::wrapped_key.eq(wrapped_key),
    ))
    .execute(conn)?
        == 1)
}
