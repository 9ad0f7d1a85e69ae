//! Resumable uploads: the committed offset lives here and each part is an encrypted object,
//! so a device whose link dropped continues where the server last committed, on any
//! instance.

use diesel::prelude::*;

use crate::connection::write_tx;
use crate::error::DbError;
use crate::tables_blobs::{blob_upload_parts, blob_uploads};
use crate::DbConn;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = blob_uploads)]
pub struct UploadRow {
    pub id: String,
    pub organisation_id: String,
    pub device_id: String,
    pub sha256: String,
    pub size: i64,
    pub received: i64,
    pub key_id: String,
    pub wrapped_key: Vec<u8>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = blob_upload_parts)]
pub struct PartRow {
    pub upload_id: String,
    pub first_byte: i64,
    pub length: i64,
    pub object_key: String,
}

/// What appending a part came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Appended {
    /// Committed: the upload has now `received` bytes.
    Committed { received: i64 },
    /// The upload is elsewhere (another request appended first, or it is gone): the part
    /// was not recorded and its object is surplus.
    Stale { received: Option<i64> },
}

pub fn create(conn: &mut DbConn, row: &UploadRow) -> Result<(), DbError> {
    diesel::insert_into(blob_uploads::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// An upload of this organisation (another organisation's upload id looks unknown).
pub fn find(
    conn: &mut DbConn,
    id: &str,
    organisation_id: &str,
) -> Result<Option<UploadRow>, DbError> {
    Ok(blob_uploads::table
        .filter(blob_uploads::id.eq(id))
        .filter(blob_uploads::organisation_id.eq(organisation_id))
        .select(UploadRow::as_select())
        .first(conn)
        .optional()?)
}

/// An upload by id alone (for the lifecycle worker).
pub fn find_any(conn: &mut DbConn, id: &str) -> Result<Option<UploadRow>, DbError> {
    Ok(blob_uploads::table
        .filter(blob_uploads::id.eq(id))
        .select(UploadRow::as_select())
        .first(conn)
        .optional()?)
}

/// Records a part stored as `part.object_key` if the upload's committed offset is still
/// `part.first_byte` (compare and set: two instances appending at once cannot both win).
pub fn append(conn: &mut DbConn, part: &PartRow, now: i64) -> Result<Appended, DbError> {
    write_tx(conn, |conn| {
        let received = part.first_byte + part.length;
        let moved = diesel::update(
            blob_uploads::table
                .filter(blob_uploads::id.eq(&part.upload_id))
                .filter(blob_uploads::received.eq(part.first_byte))
                .filter(blob_uploads::size.ge(received)),
        )
        .set((
            blob_uploads::received.eq(received),
            blob_uploads::updated_at.eq(now),
        ))
        .execute(conn)?;
        if moved == 0 {
            let current = blob_uploads::table
                .filter(blob_uploads::id.eq(&part.upload_id))
                .select(blob_uploads::received)
                .first(conn)
                .optional()?;
            return Ok(Appended::Stale { received: current });
        }
        diesel::insert_into(blob_upload_parts::table)
            .values(part.clone())
            .execute(conn)?;
        Ok(Appended::Committed { received })
    })
}

/// The parts of an upload in order.
pub fn parts(conn: &mut DbConn, upload_id: &str) -> Result<Vec<PartRow>, DbError> {
    Ok(blob_upload_parts::table
        .filter(blob_upload_parts::upload_id.eq(upload_id))
        .order(blob_upload_parts::first_byte.asc())
        .select(PartRow::as_select())
        .load(conn)?)
}

/// Deletes an upload and its part rows, returning the parts whose objects must go.
pub fn remove(conn: &mut DbConn, upload_id: &str) -> Result<Vec<PartRow>, DbError> {
    write_tx(conn, |conn| {
        let parts = parts(conn, upload_id)?;
        diesel::delete(blob_upload_parts::table.filter(blob_upload_parts::upload_id.eq(upload_id)))
            .execute(conn)?;
        diesel::delete(blob_uploads::table.filter(blob_uploads::id.eq(upload_id))).execute(conn)?;
        Ok(parts)
    })
}

/// Uploads nobody continued since `before`.
pub fn abandoned(conn: &mut DbConn, before: i64, limit: i64) -> Result<Vec<UploadRow>, DbError> {
    Ok(blob_uploads::table
        .filter(blob_uploads::updated_at.lt(before))
        .order(blob_uploads::updated_at.asc())
        .limit(limit)
        .select(UploadRow::as_select())
        .load(conn)?)
}

/// Uploads whose data key is wrapped by another master key than `key_id`.
pub fn wrapped_by_other_keys(
    conn: &mut DbConn,
    key_id: &str,
    limit: i64,
) -> Result<Vec<UploadRow>, DbError> {
    Ok(blob_uploads::table
        .filter(blob_uploads::key_id.ne(key_id))
        .order(blob_uploads::id.asc())
        .limit(limit)
        .select(UploadRow::as_select())
        .load(conn)?)
}

pub fn rewrap(
    conn: &mut DbConn,
    row: &UploadRow,
    new_key_id: &str,
    wrapped_key: &[u8],
) -> Result<bool, DbError> {
    Ok(diesel::update(
        blob_uploads::table
            .filter(blob_uploads::id.eq(&row.id))
            .filter(blob_uploads::key_id.eq(&row.key_id)),
    )
    .set((
        blob_uploads::key_id.eq(new_key_id),
        blob_uploads::wrapped_key.eq(wrapped_key),
    ))
    .execute(conn)?
        == 1)
}
