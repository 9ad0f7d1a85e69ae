//! Reads recorded off the request path: what live sessions send devices, blob downloads and
//! previews. Each is noted in memory (a mutex and a map entry, no database) and written to
//! the trail in bulk every `audit.read_flush_ms`, one transaction per batch, so the head of
//! the chain is taken once per batch rather than once per frame: a push to a thousand phones
//! is a thousand map entries and one write.
//!
//! What a session sends is recorded once per (session, document) per interval: the heads it
//! brought the device to, how many changes and messages; not a row per frame.
//!
//! On a crash, the reads noted since the last write are lost: at most `read_flush_ms` of each
//! session's reads (the default, one second). A write that fails keeps the reads for the next
//! attempt and is logged; past `max_pending_reads` waiting, new reads are refused rather than
//! served unrecorded. A graceful stop writes what is left.

use std::collections::HashMap;
use std::sync::Mutex;

use automerge::ChangeHash;
use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;
use casesync_schema::access::audit::{self, NewAuditEntry};
use serde_json::json;

use crate::domain::audit::{Actor, AuditAction, AuditEvent};
use crate::domain::error::DomainError;
use crate::state::AppState;

/// Entries per transaction: bounds how long one write holds the head of the chain.
const BATCH: usize = 1_000;

/// What one session sent of one document since the last write.
#[derive(Debug, Clone)]
struct Sent {
    actor: Actor,
    kind: DocumentKind,
    organisation: String,
    heads: Vec<ChangeHash>,
    changes: usize,
    messages: usize,
    first_at: i64,
}

#[derive(Default)]
struct Pending {
    sends: HashMap<(String, DocumentId), Sent>,
    /// Order of first sends, so entries are written in the order reads happened.
    order: Vec<(String, DocumentId)>,
    others: Vec<NewAuditEntry>,
}

impl Pending {
    fn len(&self) -> usize {
        self.sends.len() + self.others.len()
    }
}

#[derive(Default)]
pub struct ReadLog {
    pending: Mutex<Pending>,
    /// Serializes writes, so batches keep their order.
    writing: Mutex<()>,
}

/// One send of a live session: a sync message carrying `changes` of document `id`, bringing
/// the device to `heads`.
pub struct Send<'a> {
    pub session: &'a str,
    pub actor: Actor,
    pub id: DocumentId,
    pub kind: DocumentKind,
    pub organisation: &'a str,
    pub heads: Vec<ChangeHash>,
    pub changes: usize,
}

impl ReadLog {
    /// Notes a send. Refused (the message must not go) when the trail is not being written.
    pub fn sent(&self, state: &AppState, send: Send<'_>) -> Result<(), DomainError> {
        let mut pending = self.lock(state)?;
        let key = (send.session.to_string(), send.id);
        match pending.sends.get_mut(&key) {
            Some(sent) => {
                sent.heads = send.heads;
                sent.changes += send.changes;
                sent.messages += 1;
            }
            None => {
                pending.order.push(key.clone());
                pending.sends.insert(
                    key,
                    Sent {
                        actor: send.actor,
                        kind: send.kind,
                        organisation: send.organisation.to_string(),
                        heads: send.heads,
                        changes: send.changes,
                        messages: 1,
                        first_at: state.now(),
                    },
                );
            }
        }
        Ok(())
    }

    /// Notes any other read (a blob download), written with the next batch.
    pub fn read(
        &self,
        state: &AppState,
        actor: &Actor,
        event: AuditEvent,
    ) -> Result<(), DomainError> {
        let entry = event.entry(actor, state.now());
        self.lock(state)?.others.push(entry);
        Ok(())
    }

    /// Reads noted and not yet written.
    pub fn pending(&self) -> usize {
        self.pending.lock().map(|p| p.len()).unwrap_or(0)
    }

    /// Writes every read noted so far to the trail. What could not be written stays noted
    /// for the next attempt. Blocking.
    pub fn flush(&self, state: &AppState) -> Result<usize, DomainError> {
        let _writing = self.writing.lock().map_err(|_| poisoned())?;
        let taken = std::mem::take(&mut *self.pending.lock().map_err(|_| poisoned())?);
        let entries = entries_of(&taken);
        let mut written = 0;
        for batch in entries.chunks(BATCH) {
            if let Err(e) = write(state, batch) {
                self.put_back(entries[written..].to_vec());
                return Err(e);
            }
            written += batch.len();
        }
        Ok(written)
    }

    fn lock(&self, state: &AppState) -> Result<std::sync::MutexGuard<'_, Pending>, DomainError> {
        let pending = self.pending.lock().map_err(|_| poisoned())?;
        if pending.len() >= state.config.audit.max_pending_reads {
            return Err(DomainError::internal(format!(
                "{} reads wait to be written to the audit trail: refusing more",
                pending.len()
            )));
        }
        Ok(pending)
    }

    /// Returns unwritten entries, ahead of the reads noted meanwhile.
    fn put_back(&self, mut unwritten: Vec<NewAuditEntry>) {
        if let Ok(mut pending) = self.pending.lock() {
            unwritten.append(&mut pending.others);
            pending.others = unwritten;
        }
    }
}

fn poisoned() -> DomainError {
    DomainError::internal("audit read log poisoned")
}

/// The rows of a batch: sends first (one per session and document), then other reads.
fn entries_of(pending: &Pending) -> Vec<NewAuditEntry> {
    let mut entries: Vec<NewAuditEntry> = pending
        .order
        .iter()
        .filter_map(|key| {
            pending
                .sends
                .get(key)
                .map(|sent| send_entry(&key.0, &key.1, sent))
        })
        .collect();
    entries.extend(pending.others.iter().cloned());
    entries
}

fn send_entry(session: &str, id: &DocumentId, sent: &Sent) -> NewAuditEntry {
    let detail = json!({
        "via": "live",
        "session": session,
        "heads": sent.heads.iter().map(|h| h.to_string()).collect::<Vec<_>>(),
        "changes": sent.changes,
        "messages": sent.messages,
    });
    let event = match sent.kind {
        DocumentKind::Case => AuditEvent::new(AuditAction::CaseSynced).case(id, &sent.organisation),
        // Alert boards and caseloads name children: what a device receives of them is a
        // read too, recorded under the document's id.
        other => AuditEvent::new(AuditAction::DocumentSynced)
            .organisation(&sent.organisation)
            .detail(json!({ "document": id.to_string(), "kind": other.as_str() })),
    };
    let mut event = event;
    merge(&mut event.detail, detail);
    event.entry(&sent.actor, sent.first_at)
}

fn merge(into: &mut serde_json::Value, from: serde_json::Value) {
    if let (Some(into), serde_json::Value::Object(from)) = (into.as_object_mut(), from) {
        into.extend(from);
    }
}

/// One batch in one transaction: one take of the chain's head. A failure at commit may
/// leave the batch written and retried: a read recorded twice, never one lost.
fn write(state: &AppState, batch: &[NewAuditEntry]) -> Result<(), DomainError> {
    let mut conn = state.db()?;
    audit::append(&mut conn, &state.audit_key, batch)?;
    Ok(())
}

/// Writes the reads every `audit.read_flush_ms`, off the request path; and once more when
/// the server stops (`Stopper::stop`).
pub fn spawn(state: &AppState) {
    let state = state.clone();
    let period = std::time::Duration::from_millis(state.config.audit.read_flush_ms.max(10));
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if state.audit_reads.pending() == 0 {
                continue;
            }
            let flushing = state.clone();
            let done =
                tokio::task::spawn_blocking(move || flushing.audit_reads.flush(&flushing)).await;
            if let Ok(Err(e)) = done {
                tracing::error!(error = %e, pending = state.audit_reads.pending(), "reads not yet written to the audit trail; retrying");
            }
        }
    });
}
