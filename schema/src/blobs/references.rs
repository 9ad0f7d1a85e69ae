//! Which case documents reference which blobs. A blob is served only to callers who may read
//! one of the cases referencing it, and removed once no case has referenced it for a while.

use std::collections::BTreeSet;

use diesel::prelude::*;

use crate::connection::write_tx;
use crate::error::DbError;
use crate::tables::documents;
use crate::tables_blobs::{blob_references, blobs};
use crate::DbConn;

/// A case that references a blob: the blob lives in the case's organisation.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Referrer {
    pub document_id: String,
    pub organisation_id: String,
}

/// Makes the references of one case exactly `hashes`. Blobs that lose this case's reference
/// are touched, so that their grace period counts from now, not from their upload.
pub fn replace(
    conn: &mut DbConn,
    document_id: &str,
    organisation_id: &str,
    hashes: &BTreeSet<String>,
    now: i64,
) -> Result<(), DbError> {
    write_tx(conn, |conn| {
        let existing: BTreeSet<String> = blob_references::table
            .filter(blob_references::document_id.eq(document_id))
            .select(blob_references::sha256)
            .load::<String>(conn)?
            .into_iter()
            .collect();
        let removed: Vec<&String> = existing.difference(hashes).collect();
        let added: Vec<&String> = hashes.difference(&existing).collect();
        if !removed.is_empty() {
            diesel::delete(
                blob_references::table
                    .filter(blob_references::document_id.eq(document_id))
                    .filter(blob_references::sha256.eq_any(&removed)),
            )
            .execute(conn)?;
            diesel::update(
                blobs::table
                    .filter(blobs::organisation_id.eq(organisation_id))
                    .filter(blobs::sha256.eq_any(&removed))
                    .filter(blobs::deleting_at.is_null()),
            )
            .set(blobs::touched_at.eq(now))
            .execute(conn)?;
        }
        for sha256 in added {
            diesel::insert_into(blob_references::table)
                .values((
                    blob_references::document_id.eq(document_id),
                    blob_references::organisation_id.eq(organisation_id),
                    blob_references::sha256.eq(sha256),
                    blob_references::created_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// The cases referencing a blob hash, in any organisation (the caller checks which it may
/// read), at most `limit`.
pub fn referrers(conn: &mut DbConn, sha256: &str, limit: i64) -> Result<Vec<Referrer>, DbError> {
    Ok(blob_references::table
        .filter(blob_references::sha256.eq(sha256))
        .order(blob_references::created_at.asc())
        .limit(limit)
        .select((
            blob_references::document_id,
            blob_references::organisation_id,
        ))
        .load(conn)?)
}

/// The cases of one organisation referencing a blob hash, at most `limit`.
pub fn referrers_in(
    conn: &mut DbConn,
    sha256: &str,
    organisation_id: &str,
    limit: i64,
) -> Result<Vec<Referrer>, DbError> {
    Ok(blob_references::table
        .filter(blob_references::sha256.eq(sha256))
        .filter(blob_references::organisation_id.eq(organisation_id))
        .order(blob_references::created_at.asc())
        .limit(limit)
        .select((
            blob_references::document_id,
            blob_references::organisation_id,
        ))
        .load(conn)?)
}

/// The blob hashes one case references.
pub fn of_document(conn: &mut DbConn, document_id: &str) -> Result<Vec<String>, DbError> {
    Ok(blob_references::table
        .filter(blob_references::document_id.eq(document_id))
        .order(blob_references::sha256.asc())
        .select(blob_references::sha256)
        .load(conn)?)
}

/// Erased cases that still hold references (their erasure could not remove their blobs):
/// the lifecycle worker releases them.
pub fn of_erased_documents(conn: &mut DbConn, limit: i64) -> Result<Vec<String>, DbError> {
    Ok(blob_references::table
        .filter(
            blob_references::document_id.eq_any(
                documents::table
                    .filter(documents::deleted_at.is_not_null())
                    .select(documents::id),
            ),
        )
        .select(blob_references::document_id)
        .distinct()
        .limit(limit)
        .load(conn)?)
}
