//! The outbox: derive work recorded with the chunk that makes it necessary, and claimed by
//! workers on any instance.
//!
//! One row per document with work pending. An append merges its touched keys into the row
//! and bumps its generation; a worker claims the row for a lease, derives, and removes the
//! row only if its generation is still the one it read (otherwise the newer work stays for
//! the next run). A worker that dies leaves its claim to expire: any instance then picks the
//! row up. Leases use the instances' system clocks, not the domain clock: they are about
//! whether a process is alive, and a clock that jumps only makes a run happen twice, which
//! derivation tolerates (its effects are keyed to be exactly once).

use casesync_contract::DocumentId;
use casesync_sync::DeriveWork;
use diesel::prelude::*;

use crate::connection::write_tx;
use crate::error::DbError;
use crate::now_millis;
use crate::tables_outbox::outbox;
use crate::DbConn;

/// `touched` for "everything about the document".
const EVERYTHING: &str = "*";

/// Longest error text kept on a row.
const ERROR_CHARS: usize = 500;

/// Pending work as a worker reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub work: DeriveWork,
    pub generation: i64,
    /// Drawn afresh by every record: with the generation, what a run must still find to
    /// remove the row.
    pub stamp: i64,
    pub attempts: i32,
}

/// What claiming a document's work found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Claimed by the caller until its lease runs out.
    Mine(Pending),
    /// Another live instance is on it; the work it will do is this.
    Elsewhere(Pending),
    /// Nothing pending.
    Nothing,
}

/// Records `work` for `doc`, merged with what is pending; call it inside the transaction
/// that appends chunk `seq` (the document's row lock orders concurrent appenders).
///
/// The chunk number is the work's generation: it only grows for a document, even across
/// rows a finished run removed, so a run completing an older generation can never remove
/// this work (with a counter restarting at 1, a slow run could).
pub fn record(conn: &mut DbConn, doc: &str, work: &DeriveWork, seq: i64) -> Result<(), DbError> {
    // A run may complete (delete) the row between the read and the update below: the update
    // then changes nothing, and the work must go into a new row, not be lost. That race is
    // real on PostgreSQL (the crash loop found a missing report never derived).
    for _ in 0..3 {
        let pending: Option<String> = outbox::table
            .filter(outbox::document_id.eq(doc))
            .select(outbox::touched)
            .first(conn)
            .optional()?;
        let Some(touched) = pending else {
            diesel::insert_into(outbox::table)
                .values((
                    outbox::document_id.eq(doc),
                    outbox::touched.eq(encode(work)),
                    outbox::generation.eq(seq),
                    outbox::queued_at.eq(now_millis()),
                    outbox::attempts.eq(0),
                    outbox::stamp.eq(rand::random::<i64>()),
                ))
                .execute(conn)?;
            return Ok(());
        };
        let mut merged = decode(&touched);
        merged.merge(work);
        let updated = diesel::update(outbox::table.filter(outbox::document_id.eq(doc)))
            .set((
                outbox::touched.eq(encode(&merged)),
                outbox::generation.eq(seq),
                outbox::attempts.eq(0),
                outbox::stamp.eq(rand::random::<i64>()),
            ))
            .execute(conn)?;
        if updated == 0 {
            continue;
        }
        // New work is due now, not after the backoff of a run that failed; a run in
        // progress keeps its lease (and, finding a newer generation, leaves the row).
        diesel::update(
            outbox::table
                .filter(outbox::document_id.eq(doc))
                .filter(outbox::claimed_by.is_null()),
        )
        .set(outbox::lease_until.eq(None::<i64>))
        .execute(conn)?;
        return Ok(());
    }
    Err(DbError::NotFound(format!(
        "the derive work of document {doc} (removed three times while being recorded)"
    )))
}

/// Records work that no append brought (a share made): inside the caller's transaction,
/// under the document's row lock, with the document's current chunk number as generation.
/// A run in progress that read the row before keeps it, as the record draws a new stamp.
pub fn record_outside_append(
    conn: &mut DbConn,
    doc: &str,
    work: &DeriveWork,
) -> Result<(), DbError> {
    use crate::tables::documents;
    let seq: i64 = diesel::update(documents::table.filter(documents::id.eq(doc)))
        .set(documents::last_seq.eq(documents::last_seq))
        .returning(documents::last_seq)
        .get_result(conn)?;
    record(conn, doc, work, seq)
}

/// Claims the work pending for `doc` for `lease_ms`, unless another instance holds a live
/// lease on it.
pub fn claim(
    conn: &mut DbConn,
    doc: &DocumentId,
    instance: &str,
    lease_ms: i64,
) -> Result<Claim, DbError> {
    let id = doc.to_string();
    let now = now_millis();
    write_tx(conn, |conn| {
        let claimed = diesel::update(
            outbox::table.filter(outbox::document_id.eq(&id)).filter(
                outbox::claimed_by
                    .is_null()
                    .or(outbox::claimed_by.eq(instance))
                    .or(outbox::lease_until.lt(now)),
            ),
        )
        .set((
            outbox::claimed_by.eq(instance),
            outbox::lease_until.eq(now + lease_ms),
        ))
        .execute(conn)?;
        let row: Option<(String, i64, i64, i32)> = outbox::table
            .filter(outbox::document_id.eq(&id))
            .select((
                outbox::touched,
                outbox::generation,
                outbox::stamp,
                outbox::attempts,
            ))
            .first(conn)
            .optional()?;
        Ok(match row {
            None => Claim::Nothing,
            Some((touched, generation, stamp, attempts)) => {
                let pending = Pending {
                    work: decode(&touched),
                    generation,
                    stamp,
                    attempts,
                };
                if claimed == 1 {
                    Claim::Mine(pending)
                } else {
                    Claim::Elsewhere(pending)
                }
            }
        })
    })
}

/// The work read as `done` is done: the row goes, unless newer work arrived meanwhile (a
/// new generation, or a new stamp), in which case the claim is released and the row stays
/// for the next run.
pub fn complete(
    conn: &mut DbConn,
    doc: &DocumentId,
    instance: &str,
    done: &Pending,
) -> Result<(), DbError> {
    let id = doc.to_string();
    let removed = diesel::delete(
        outbox::table
            .filter(outbox::document_id.eq(&id))
            .filter(outbox::generation.eq(done.generation))
            .filter(outbox::stamp.eq(done.stamp)),
    )
    .execute(conn)?;
    if removed == 0 {
        release(conn, &id, instance)?;
    }
    Ok(())
}

/// The run failed: the claim is released and the row waits `backoff_ms` before anyone
/// retries it.
pub fn fail(
    conn: &mut DbConn,
    doc: &DocumentId,
    instance: &str,
    error: &str,
    backoff_ms: i64,
) -> Result<(), DbError> {
    let error: String = error.chars().take(ERROR_CHARS).collect();
    diesel::update(
        outbox::table
            .filter(outbox::document_id.eq(doc.to_string()))
            .filter(outbox::claimed_by.eq(instance)),
    )
    .set((
        outbox::claimed_by.eq(None::<String>),
        outbox::lease_until.eq(now_millis() + backoff_ms),
        outbox::attempts.eq(outbox::attempts + 1),
        outbox::last_error.eq(error),
    ))
    .execute(conn)?;
    Ok(())
}

/// Documents whose work nobody is doing: never claimed and queued at least `grace_ms` ago
/// (the instance that wrote them normally claims them within milliseconds), or whose lease
/// or backoff has run out. Oldest first.
pub fn due(conn: &mut DbConn, grace_ms: i64, limit: i64) -> Result<Vec<DocumentId>, DbError> {
    let now = now_millis();
    let ids: Vec<String> = outbox::table
        .filter(
            outbox::lease_until
                .is_null()
                .and(outbox::queued_at.le(now - grace_ms))
                .or(outbox::lease_until.le(now)),
        )
        .order(outbox::queued_at.asc())
        .limit(limit)
        .select(outbox::document_id)
        .load(conn)?;
    Ok(ids.into_iter().filter_map(|s| s.parse().ok()).collect())
}

/// How much work is pending, and the age in milliseconds of the oldest.
pub fn backlog(conn: &mut DbConn) -> Result<(i64, i64), DbError> {
    let count: i64 = outbox::table.count().get_result(conn)?;
    let oldest: Option<i64> = outbox::table
        .select(diesel::dsl::min(outbox::queued_at))
        .first(conn)?;
    Ok((
        count,
        oldest.map(|t| (now_millis() - t).max(0)).unwrap_or(0),
    ))
}

fn release(conn: &mut DbConn, id: &str, instance: &str) -> Result<(), DbError> {
    diesel::update(
        outbox::table
            .filter(outbox::document_id.eq(id))
            .filter(outbox::claimed_by.eq(instance)),
    )
    .set((
        outbox::claimed_by.eq(None::<String>),
        outbox::lease_until.eq(None::<i64>),
    ))
    .execute(conn)?;
    Ok(())
}

fn encode(work: &DeriveWork) -> String {
    if work.created {
        return EVERYTHING.to_string();
    }
    work.touched.iter().cloned().collect::<Vec<_>>().join(" ")
}

fn decode(touched: &str) -> DeriveWork {
    if touched == EVERYTHING {
        return DeriveWork {
            touched: Default::default(),
            created: true,
        };
    }
    DeriveWork {
        touched: touched
            .split(' ')
            .filter(|k| !k.is_empty())
            .map(String::from)
            .collect(),
        created: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn touched_keys_round_trip() {
        let work = DeriveWork {
            touched: [
                "episodes".to_string(),
                "observations.attachments".to_string(),
            ]
            .into(),
            created: false,
        };
        assert_eq!(decode(&encode(&work)), work);
        let created = DeriveWork {
            touched: ["profile".to_string()].into(),
            created: true,
        };
        assert!(decode(&encode(&created)).created);
        assert_eq!(decode(""), DeriveWork::default());
    }
}
