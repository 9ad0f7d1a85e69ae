//! Messages for peer servers. Queued in the transaction (or derive run) that makes them
//! necessary, so a crash cannot lose one; claimed by one instance at a time for a short
//! lease; sent in the order they were queued, per peer; kept once sent, with the peer's
//! answer, as the record of what crossed and when.

use diesel::prelude::*;

use crate::error::DbError;
use crate::tables_federation::peer_outbox;
use crate::DbConn;

/// Longest error text kept on a row.
const ERROR_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = peer_outbox)]
pub struct PeerMessageRow {
    pub id: i64,
    pub peer: String,
    pub kind: String,
    pub subject: String,
    pub payload: String,
    pub created_at: i64,
    pub attempts: i32,
    pub next_attempt_at: i64,
    pub claimed_until: i64,
    pub sent_at: Option<i64>,
    pub answer: Option<String>,
    pub refused: Option<String>,
    pub last_error: Option<String>,
}

/// Queues a message unless one about the same subject is pending for the peer (a pending
/// view sync covers every change made before it is sent; an alert is sent once). Returns
/// whether a row was added.
pub fn enqueue(
    conn: &mut DbConn,
    peer: &str,
    kind: &str,
    subject: &str,
    payload: &str,
    now: i64,
) -> Result<bool, DbError> {
    let pending: i64 = peer_outbox::table
        .filter(peer_outbox::peer.eq(peer))
        .filter(peer_outbox::kind.eq(kind))
        .filter(peer_outbox::subject.eq(subject))
        .filter(peer_outbox::sent_at.is_null())
        .filter(peer_outbox::refused.is_null())
        .count()
        .get_result(conn)?;
    if pending > 0 {
        return Ok(false);
    }
    diesel::insert_into(peer_outbox::table)
        .values((
            peer_outbox::peer.eq(peer),
            peer_outbox::kind.eq(kind),
            peer_outbox::subject.eq(subject),
            peer_outbox::payload.eq(payload),
            peer_outbox::created_at.eq(now),
            peer_outbox::attempts.eq(0),
            peer_outbox::next_attempt_at.eq(now),
            peer_outbox::claimed_until.eq(0i64),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Whether a message of `kind` about `subject` was ever sent (or refused) to or queued for
/// the peer.
pub fn exists(conn: &mut DbConn, peer: &str, kind: &str, subject: &str) -> Result<bool, DbError> {
    let n: i64 = peer_outbox::table
        .filter(peer_outbox::peer.eq(peer))
        .filter(peer_outbox::kind.eq(kind))
        .filter(peer_outbox::subject.eq(subject))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The peer's oldest unsent message, claimed by the caller until `lease_until` (system
/// clock, milliseconds) if it is due and nobody holds it. Messages go out in order: while
/// the oldest is not due, nothing after it is sent either.
pub fn claim_next(
    conn: &mut DbConn,
    peer: &str,
    now: i64,
    lease_until: i64,
) -> Result<Option<PeerMessageRow>, DbError> {
    let Some(row) = peer_outbox::table
        .filter(peer_outbox::peer.eq(peer))
        .filter(peer_outbox::sent_at.is_null())
        .filter(peer_outbox::refused.is_null())
        .order(peer_outbox::id.asc())
        .select(PeerMessageRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    if row.next_attempt_at > now || row.claimed_until > now {
        return Ok(None);
    }
    // Taken only if nobody took it since the read (another instance's claim moves
    // `claimed_until`).
    let taken = diesel::update(
        peer_outbox::table
            .find(row.id)
            .filter(peer_outbox::claimed_until.eq(row.claimed_until))
            .filter(peer_outbox::sent_at.is_null()),
    )
    .set(peer_outbox::claimed_until.eq(lease_until))
    .execute(conn)?;
    Ok((taken == 1).then_some(row))
}

pub fn mark_sent(conn: &mut DbConn, id: i64, at: i64, answer: &str) -> Result<(), DbError> {
    diesel::update(peer_outbox::table.find(id))
        .set((
            peer_outbox::sent_at.eq(at),
            peer_outbox::answer.eq(answer),
            peer_outbox::claimed_until.eq(0i64),
            peer_outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// The peer refused the message for good (it is not one the peering allows): kept with the
/// reason and not retried, so it does not hold up the messages after it.
pub fn mark_refused(conn: &mut DbConn, id: i64, reason: &str) -> Result<(), DbError> {
    diesel::update(peer_outbox::table.find(id))
        .set((
            peer_outbox::refused.eq(truncate(reason)),
            peer_outbox::claimed_until.eq(0i64),
        ))
        .execute(conn)?;
    Ok(())
}

/// The message could not be delivered (the link is down, the peer failed): tried again at
/// `retry_at`.
pub fn mark_failed(conn: &mut DbConn, id: i64, error: &str, retry_at: i64) -> Result<(), DbError> {
    diesel::update(peer_outbox::table.find(id))
        .set((
            peer_outbox::attempts.eq(peer_outbox::attempts + 1),
            peer_outbox::last_error.eq(truncate(error)),
            peer_outbox::next_attempt_at.eq(retry_at),
            peer_outbox::claimed_until.eq(0i64),
        ))
        .execute(conn)?;
    Ok(())
}

/// Makes every waiting message of the peer due now (its link just came back, or a new
/// message was queued behind one waiting out a backoff).
pub fn due_now(conn: &mut DbConn, peer: &str, now: i64) -> Result<(), DbError> {
    diesel::update(
        peer_outbox::table
            .filter(peer_outbox::peer.eq(peer))
            .filter(peer_outbox::sent_at.is_null())
            .filter(peer_outbox::next_attempt_at.gt(now)),
    )
    .set(peer_outbox::next_attempt_at.eq(now))
    .execute(conn)?;
    Ok(())
}

/// Every message about these subjects, oldest first (a case page's record of a referral).
pub fn about(conn: &mut DbConn, subjects: &[String]) -> Result<Vec<PeerMessageRow>, DbError> {
    if subjects.is_empty() {
        return Ok(vec![]);
    }
    Ok(peer_outbox::table
        .filter(peer_outbox::subject.eq_any(subjects))
        .order(peer_outbox::id.asc())
        .select(PeerMessageRow::as_select())
        .load(conn)?)
}

/// Unsent messages per peer (for the health page and metrics).
pub fn pending_count(conn: &mut DbConn, peer: &str) -> Result<i64, DbError> {
    Ok(peer_outbox::table
        .filter(peer_outbox::peer.eq(peer))
        .filter(peer_outbox::sent_at.is_null())
        .filter(peer_outbox::refused.is_null())
        .count()
        .get_result(conn)?)
}

fn truncate(text: &str) -> String {
    text.chars().take(ERROR_CHARS).collect()
}
