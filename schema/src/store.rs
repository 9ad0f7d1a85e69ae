//! The sync engine's storage on SQLite or PostgreSQL.
//!
//! Chunk numbers are a per-document sequence kept in `documents.last_seq` and bumped with
//! `UPDATE ... RETURNING` inside the write transaction: the row lock orders concurrent
//! writers of one document, on one instance or several, so numbers are gap-free in commit
//! order and a reader that has seen chunk N never misses a chunk below N.

use automerge::ActorId;
use casesync_contract::DocumentId;
use casesync_sync::store::{ActorOwner, ChunkKind, StoredChunk};
use casesync_sync::{
    ChangeReceipt, DeriveWork, DocumentMeta, DocumentStore, StoreError, WriteAudit,
};
use diesel::prelude::*;

use crate::access::audit::{self, NewAuditEntry};
use crate::access::audit_key::ChainKey;
use crate::connection::{write_tx, Pool};
use crate::error::DbError;
use crate::now_millis;
use crate::tables::{change_receipts, device_actors, doc_chunks, documents};

#[derive(Clone)]
pub struct SqlStore {
    pool: Pool,
    /// Seals the audit entries written with appends.
    audit_key: ChainKey,
}

impl SqlStore {
    pub fn new(pool: Pool, audit_key: ChainKey) -> Self {
        Self { pool, audit_key }
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }
}

fn backend(e: DbError) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl From<DbError> for StoreError {
    fn from(e: DbError) -> Self {
        backend(e)
    }
}

impl DocumentStore for SqlStore {
    fn chunks_after(&self, doc: &DocumentId, after: i64) -> Result<Vec<StoredChunk>, StoreError> {
        let mut conn = self.pool.get().map_err(DbError::from)?;
        let rows: Vec<(i64, String, Vec<u8>)> = doc_chunks::table
            .filter(doc_chunks::document_id.eq(doc.to_string()))
            .filter(doc_chunks::seq.gt(after))
            .order(doc_chunks::seq.asc())
            .select((doc_chunks::seq, doc_chunks::kind, doc_chunks::bytes))
            .load(&mut *conn)
            .map_err(DbError::from)?;
        Ok(rows
            .into_iter()
            .map(|(seq, kind, bytes)| StoredChunk {
                seq,
                kind: if kind == "snapshot" {
                    ChunkKind::Snapshot
                } else {
                    ChunkKind::Incremental
                },
                bytes,
            })
            .collect())
    }

    fn append(
        &self,
        doc: &DocumentId,
        bytes: &[u8],
        receipts: &[ChangeReceipt],
        create: Option<&DocumentMeta>,
        derive: Option<&DeriveWork>,
        audit: Option<&WriteAudit>,
    ) -> Result<i64, StoreError> {
        let mut conn = self.pool.get().map_err(DbError::from)?;
        let id = doc.to_string();
        let now = now_millis();
        let seq = write_tx(&mut conn, |conn| {
            if let Some(meta) = create {
                let exists: i64 = documents::table
                    .filter(documents::id.eq(&id))
                    .count()
                    .get_result(conn)?;
                if exists == 0 {
                    diesel::insert_into(documents::table)
                        .values((
                            documents::id.eq(&id),
                            documents::kind.eq(meta.kind.as_str()),
                            documents::organisation_id.eq(&meta.organisation),
                            documents::site_id.eq(meta.site.as_deref()),
                            documents::last_seq.eq(0i64),
                            documents::created_at.eq(now),
                            documents::updated_at.eq(now),
                        ))
                        .execute(conn)?;
                }
            }
            // An erased document (tombstone) takes no chunk again, whatever a device sends.
            let (seq, organisation): (i64, String) = diesel::update(
                documents::table
                    .filter(documents::id.eq(&id))
                    .filter(documents::deleted_at.is_null()),
            )
            .set((
                documents::last_seq.eq(documents::last_seq + 1),
                documents::updated_at.eq(now),
            ))
            .returning((documents::last_seq, documents::organisation_id))
            .get_result(conn)
            .optional()?
            .ok_or_else(|| DbError::NotFound(format!("document {id}")))?;
            diesel::insert_into(doc_chunks::table)
                .values((
                    doc_chunks::document_id.eq(&id),
                    doc_chunks::seq.eq(seq),
                    doc_chunks::kind.eq(ChunkKind::Incremental.as_str()),
                    doc_chunks::bytes.eq(bytes),
                    doc_chunks::created_at.eq(now),
                ))
                .execute(conn)?;
            insert_receipts(conn, &id, receipts)?;
            if let Some(work) = derive {
                crate::outbox::record(conn, &id, work, seq)?;
            }
            if let Some(audit) = audit {
                audit::append_in(
                    conn,
                    &self.audit_key,
                    &audit_entries(&id, &organisation, audit),
                )?;
            }
            Ok(seq)
        })?;
        Ok(seq)
    }

    fn compact(&self, doc: &DocumentId, snapshot: &[u8], up_to: i64) -> Result<(), StoreError> {
        let mut conn = self.pool.get().map_err(DbError::from)?;
        let id = doc.to_string();
        write_tx(&mut conn, |conn| {
            // Take the document's row lock so that compaction and appends do not interleave.
            diesel::update(documents::table.filter(documents::id.eq(&id)))
                .set(documents::last_seq.eq(documents::last_seq))
                .execute(conn)?;
            diesel::delete(
                doc_chunks::table
                    .filter(doc_chunks::document_id.eq(&id))
                    .filter(doc_chunks::seq.le(up_to)),
            )
            .execute(conn)?;
            diesel::insert_into(doc_chunks::table)
                .values((
                    doc_chunks::document_id.eq(&id),
                    doc_chunks::seq.eq(up_to),
                    doc_chunks::kind.eq(ChunkKind::Snapshot.as_str()),
                    doc_chunks::bytes.eq(snapshot),
                    doc_chunks::created_at.eq(now_millis()),
                ))
                .execute(conn)?;
            Ok(())
        })?;
        Ok(())
    }

    fn claim_actor(&self, actor: &ActorId, device: &str) -> Result<ActorOwner, StoreError> {
        let mut conn = self.pool.get().map_err(DbError::from)?;
        let actor_hex = actor.to_hex_string();
        let owner = |conn: &mut crate::DbConn| -> Result<Option<String>, DbError> {
            Ok(device_actors::table
                .filter(device_actors::actor.eq(&actor_hex))
                .select(device_actors::device_id)
                .first(conn)
                .optional()?)
        };
        let current = match owner(&mut conn)? {
            Some(existing) => existing,
            None => {
                let inserted = diesel::insert_into(device_actors::table)
                    .values((
                        device_actors::actor.eq(&actor_hex),
                        device_actors::device_id.eq(device),
                        device_actors::bound_at.eq(now_millis()),
                    ))
                    .execute(&mut *conn);
                match inserted {
                    Ok(_) => device.to_string(),
                    // Another request bound it first: whoever won owns it.
                    Err(_) => owner(&mut conn)?
                        .ok_or_else(|| StoreError::Backend("actor binding vanished".into()))?,
                }
            }
        };
        Ok(if current == device {
            ActorOwner::ThisDevice
        } else {
            ActorOwner::OtherDevice(current)
        })
    }
}

/// The audit entries of an append, under the organisation owning the document (which the
/// store knows; the writer may be of a partner organisation).
fn audit_entries(doc: &str, organisation: &str, audit: &WriteAudit) -> Vec<NewAuditEntry> {
    audit
        .notes
        .iter()
        .map(|note| NewAuditEntry {
            at: audit.at,
            actor_kind: audit.actor.kind.clone(),
            actor_user: audit.actor.user.clone(),
            actor_device: audit.actor.device.clone(),
            organisation_id: Some(organisation.to_string()),
            action: note.action.clone(),
            case_id: Some(doc.to_string()),
            detail: note.detail.clone(),
        })
        .collect()
}

/// Records receipts, keeping the first one for a change delivered twice.
fn insert_receipts(
    conn: &mut crate::DbConn,
    doc: &str,
    receipts: &[ChangeReceipt],
) -> Result<(), DbError> {
    if receipts.is_empty() {
        return Ok(());
    }
    let hashes: Vec<String> = receipts.iter().map(|r| r.change.to_string()).collect();
    let known: Vec<String> = change_receipts::table
        .filter(change_receipts::document_id.eq(doc))
        .filter(change_receipts::change_hash.eq_any(&hashes))
        .select(change_receipts::change_hash)
        .load(conn)?;
    let rows: Vec<_> = receipts
        .iter()
        .zip(&hashes)
        .filter(|(_, h)| !known.contains(h))
        .map(|(r, h)| {
            (
                change_receipts::document_id.eq(doc),
                change_receipts::change_hash.eq(h.clone()),
                change_receipts::device_id.eq(r.device.clone()),
                change_receipts::received_at.eq(r.received_at),
            )
        })
        .collect();
    // One statement per row: multi-row inserts are not portable through MultiConnection, and
    // this runs inside the append transaction anyway.
    for row in rows {
        diesel::insert_into(change_receipts::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// Receipts of a document's changes, for timelines and conflicts.
pub fn receipts_of(
    conn: &mut crate::DbConn,
    doc: &DocumentId,
) -> Result<std::collections::HashMap<String, (String, i64)>, DbError> {
    let rows: Vec<(String, String, i64)> = change_receipts::table
        .filter(change_receipts::document_id.eq(doc.to_string()))
        .select((
            change_receipts::change_hash,
            change_receipts::device_id,
            change_receipts::received_at,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(|(h, d, t)| (h, (d, t))).collect())
}

/// When the server received one change of a document, if it keeps a receipt for it.
pub fn received_at(
    conn: &mut crate::DbConn,
    doc: &DocumentId,
    change: &automerge::ChangeHash,
) -> Result<Option<i64>, DbError> {
    Ok(change_receipts::table
        .filter(change_receipts::document_id.eq(doc.to_string()))
        .filter(change_receipts::change_hash.eq(change.to_string()))
        .select(change_receipts::received_at)
        .first(conn)
        .optional()?)
}

/// How many documents the database holds (every kind, erased ones included).
pub fn count_documents(conn: &mut crate::DbConn) -> Result<i64, DbError> {
    Ok(documents::table.count().get_result(conn)?)
}

/// How many chunks a document has stored (erasure checks).
pub fn count_chunks_of(conn: &mut crate::DbConn, document_id: &str) -> Result<i64, DbError> {
    use crate::tables::doc_chunks;
    use diesel::prelude::*;
    Ok(doc_chunks::table
        .filter(doc_chunks::document_id.eq(document_id))
        .count()
        .get_result(conn)?)
}
