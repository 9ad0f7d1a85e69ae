//! The audit trail: append-only and hash-chained.
//!
//! Each entry's `hash` is an HMAC, under a key kept outside the database
//! ([`super::audit_key::ChainKey`]), of its fields and the previous entry's hash (see
//! [`entry_hash`]). Appends lock the one row of `audit_head` first, inside the caller's write
//! transaction, so appends from any number of instances are serialized, sequence numbers
//! are gap-free and every entry links to the one before it. Entries name people, devices and
//! cases by id only, never by what a case says: the trail is pseudonymous, and it survives
//! the erasure of the cases it speaks about.

use diesel::prelude::*;

use super::audit_key::ChainKey;
use crate::connection::write_tx;
use crate::error::DbError;
use crate::tables_access::{audit_head, audit_log};
use crate::DbConn;

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry to append; `seq`, `prev_hash` and `hash` are assigned by [`append_in`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    pub at: i64,
    /// `device`, `server`, `cli`.
    pub actor_kind: String,
    pub actor_user: Option<String>,
    pub actor_device: Option<String>,
    /// The organisation whose auditors may read the entry.
    pub organisation_id: Option<String>,
    pub action: String,
    pub case_id: Option<String>,
    /// JSON text, stored and hashed exactly as given.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: i64,
    pub actor_kind: String,
    pub actor_user: Option<String>,
    pub actor_device: Option<String>,
    pub organisation_id: Option<String>,
    pub action: String,
    pub case_id: Option<String>,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The keyed hash (hex) of the canonical form of an entry: a JSON array of its fields in a
/// fixed order followed by the previous hash. JSON arrays of strings and integers have
/// exactly one serialization, so the same entry always hashes the same on every backend.
#[allow(clippy::too_many_arguments)]
pub fn entry_hash(
    key: &ChainKey,
    seq: i64,
    at: i64,
    actor_kind: &str,
    actor_user: Option<&str>,
    actor_device: Option<&str>,
    organisation_id: Option<&str>,
    action: &str,
    case_id: Option<&str>,
    detail: &str,
    prev_hash: &str,
) -> String {
    let canonical = serde_json::json!([
        seq,
        at,
        actor_kind,
        actor_user,
        actor_device,
        organisation_id,
        action,
        case_id,
        detail,
        prev_hash
    ]);
    key.seal(seq, canonical.to_string().as_bytes())
}

impl AuditEntry {
    /// The hash this entry should carry, recomputed from its fields.
    pub fn expected_hash(&self, key: &ChainKey) -> String {
        entry_hash(
            key,
            self.seq,
            self.at,
            &self.actor_kind,
            self.actor_user.as_deref(),
            self.actor_device.as_deref(),
            self.organisation_id.as_deref(),
            &self.action,
            self.case_id.as_deref(),
            &self.detail,
            &self.prev_hash,
        )
    }
}

/// Appends entries in order inside the caller's write transaction (a failure fails it, and
/// with it what the entries record). Returns their numbers.
pub fn append_in(
    conn: &mut DbConn,
    key: &ChainKey,
    entries: &[NewAuditEntry],
) -> Result<Vec<i64>, DbError> {
    if entries.is_empty() {
        return Ok(vec![]);
    }
    // The row lock: a concurrent appender waits here until this transaction ends, then sees
    // the head this one leaves.
    let (mut seq, mut prev): (i64, String) = diesel::update(audit_head::table.find(1))
        .set(audit_head::seq.eq(audit_head::seq))
        .returning((audit_head::seq, audit_head::hash))
        .get_result(conn)?;
    let mut numbers = Vec::with_capacity(entries.len());
    for e in entries {
        seq += 1;
        let hash = entry_hash(
            key,
            seq,
            e.at,
            &e.actor_kind,
            e.actor_user.as_deref(),
            e.actor_device.as_deref(),
            e.organisation_id.as_deref(),
            &e.action,
            e.case_id.as_deref(),
            &e.detail,
            &prev,
        );
        diesel::insert_into(audit_log::table)
            .values((
                audit_log::seq.eq(seq),
                audit_log::at.eq(e.at),
                audit_log::actor_kind.eq(&e.actor_kind),
                audit_log::actor_user.eq(&e.actor_user),
                audit_log::actor_device.eq(&e.actor_device),
                audit_log::organisation_id.eq(&e.organisation_id),
                audit_log::action.eq(&e.action),
                audit_log::case_id.eq(&e.case_id),
                audit_log::detail.eq(&e.detail),
                audit_log::prev_hash.eq(&prev),
                audit_log::hash.eq(&hash),
            ))
            .execute(conn)?;
        numbers.push(seq);
        prev = hash;
    }
    diesel::update(audit_head::table.find(1))
        .set((audit_head::seq.eq(seq), audit_head::hash.eq(&prev)))
        .execute(conn)?;
    Ok(numbers)
}

/// Appends entries in a transaction of their own.
pub fn append(
    conn: &mut DbConn,
    key: &ChainKey,
    entries: &[NewAuditEntry],
) -> Result<Vec<i64>, DbError> {
    write_tx(conn, |conn| append_in(conn, key, entries))
}

/// The head of the chain: the last number and hash.
pub fn head(conn: &mut DbConn) -> Result<(i64, String), DbError> {
    Ok(audit_head::table
        .find(1)
        .select((audit_head::seq, audit_head::hash))
        .first(conn)?)
}

/// What an auditor asks for.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub organisation_id: String,
    pub case_id: Option<String>,
    /// Entries numbered after this one.
    pub after: i64,
    pub limit: i64,
}

/// Entries of an organisation, optionally about one case (including the lists that showed
/// it), oldest first.
pub fn query(conn: &mut DbConn, q: &AuditQuery) -> Result<Vec<AuditEntry>, DbError> {
    let mut sql = audit_log::table
        .filter(audit_log::organisation_id.eq(&q.organisation_id))
        .filter(audit_log::seq.gt(q.after))
        .into_boxed();
    if let Some(case) = &q.case_id {
        // Case ids are base58: no LIKE wildcards in them.
        let listed = format!("%\"{case}\"%");
        sql = sql.filter(
            audit_log::case_id.eq(case.clone()).or(audit_log::action
                .eq("case.listed")
                .and(audit_log::detail.like(listed))),
        );
    }
    Ok(sql
        .order(audit_log::seq.asc())
        .limit(q.limit)
        .select(AuditEntry::as_select())
        .load(conn)?)
}

/// Entries numbered from `after + 1`, at most `limit`, for verification.
pub fn page(conn: &mut DbConn, after: i64, limit: i64) -> Result<Vec<AuditEntry>, DbError> {
    Ok(audit_log::table
        .filter(audit_log::seq.gt(after))
        .order(audit_log::seq.asc())
        .limit(limit)
        .select(AuditEntry::as_select())
        .load(conn)?)
}
