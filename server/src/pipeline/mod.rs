//! One path for every change a device sends, whatever carried it: a batch request
//! (`routes/sync/batch.rs` via `domain::batch`) or a WebSocket frame (`ws::documents`). Both
//! only translate their wire format to these calls and back:
//!
//! 1. [`standing`]: where the device stands with the document (may sync it, may create it,
//!    may not know it exists);
//! 2. [`receive`]: its changes go through the engine (changes that arrive before their
//!    history wait in the caller's [`HeldChanges`]; a refusal costs only the changes at
//!    fault and those that depend on them), are committed, and the commit hook
//!    ([`commit::committed`]) tells the rest of the instance;
//! 3. what leaves for the device is recorded as a read: [`audit::delivered`] for a batch
//!    reply, the read log (`crate::audit::reads`) for a live session's sends.
//!
//! The audit entries of a write are written by the store in the write's own transaction
//! (`domain::audit_writes`).
//!
//! Server-authored writes go through the same commit hook (`domain::server_write`).

pub mod audit;
pub mod commit;
mod held_figures;

pub use held_figures::{HeldFigures, HeldReading};

use automerge::ChangeHash;
use casesync_contract::errors::{ErrorCode, ErrorDetail};
use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;
use casesync_schema::directory::{documents, AuthenticatedDevice};
use casesync_schema::{DbConn, DbError};
use casesync_sync::{DocumentMeta, HeldChanges, Writer};

use crate::domain::error::DomainError;
use crate::domain::projections::Ticket;
use crate::domain::{scope, sync_access};
use crate::state::AppState;

/// Where a device stands with a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// It may sync it; a case belongs to `organisation`.
    Syncs {
        kind: DocumentKind,
        organisation: String,
    },
    /// The document does not exist; the device may open a case under this id by sending it.
    MayCreate(DocumentMeta),
    /// Unknown to the device: it does not exist and may not be created by it, or it exists
    /// and is not the device's to see. The two answer alike, so ids reveal nothing.
    Unavailable,
}

/// Where `device` stands with document `id`.
pub fn standing(
    conn: &mut DbConn,
    device: &AuthenticatedDevice,
    id: &DocumentId,
) -> Result<Standing, DbError> {
    if let Some(row) = documents::find(conn, id)? {
        return Ok(match row.kind() {
            Some(kind) if sync_access::may_sync(conn, device, &row)? => Standing::Syncs {
                kind,
                organisation: row.organisation_id,
            },
            _ => Standing::Unavailable,
        });
    }
    // A device may open a case offline and push it: it becomes a case of its own
    // organisation and site once admitted. Erased ids stay erased.
    if scope::may_create(conn, device, id)? {
        return Ok(Standing::MayCreate(DocumentMeta {
            kind: DocumentKind::Case,
            organisation: device.organisation_id.clone(),
            site: device.site_id.clone(),
        }));
    }
    Ok(Standing::Unavailable)
}

/// The writer the engine sees for a device.
pub fn device_writer(device: &AuthenticatedDevice) -> Writer {
    Writer {
        device: device.device_id.clone(),
        user: device.user_id.clone(),
        role: Some(device.role),
        organisation: device.organisation_id.clone(),
        site: device.site_id.clone(),
        peer: None,
    }
}

/// What became of a device's changes to one document.
#[derive(Debug, Default)]
pub struct Receipt {
    /// Something new was committed: the derive run it scheduled (wait for it to answer with
    /// the consequences).
    pub ticket: Option<Ticket>,
    pub committed: bool,
    /// Why changes were refused (the first refusal, naming its rule), and which: those at
    /// fault and those depending on them. Nothing else of the push is affected.
    pub refused: Option<(ErrorDetail, Vec<ChangeHash>)>,
    /// Changes the held ones wait for, which the device must send.
    pub need: Vec<ChangeHash>,
    /// How many of the document's changes wait in `held`.
    pub held: usize,
}

/// Receives a device's changes to document `id` (of `kind`, or to create as `create`):
/// admitted changes are durable, with their derive work, when this returns. `Err` is the
/// server's failure only; what the device did wrong is in the receipt.
pub fn receive(
    state: &AppState,
    device: &AuthenticatedDevice,
    id: &DocumentId,
    kind: DocumentKind,
    create: Option<&DocumentMeta>,
    raw: &[Vec<u8>],
    held: &mut HeldChanges,
) -> Result<Receipt, DomainError> {
    let most = state.config.limits.changes_per_message;
    if raw.len() > most {
        // Refused before any work: nothing of it is stored, and the device is told why.
        let detail = ErrorDetail::new(
            ErrorCode::PayloadTooLarge,
            format!(
                "{} changes in one message; at most {most}: send them in several",
                raw.len()
            ),
        );
        return Ok(Receipt {
            refused: Some((detail, vec![])),
            held: held.count(id),
            ..Receipt::default()
        });
    }
    let writer = device_writer(device);
    let held_before = held.hashes(id);
    let received = state
        .engine
        .receive(id, kind, &writer, raw, create, state.now(), held);
    let received = match received {
        Ok(received) => received,
        Err(refusal) if refusal.is_device_fault() => {
            let detail = refusal.detail();
            tracing::info!(document = %id, device = %device.device_id, code = %detail.code, "changes refused");
            crate::observe::changes_refused(&detail.code.to_string(), raw.len());
            return Ok(Receipt {
                refused: Some((detail, vec![])),
                held: held.count(id),
                ..Receipt::default()
            });
        }
        Err(refusal) => return Err(refusal.into()),
    };
    let added = received.admitted.as_ref().map_or(&[][..], |a| &a.added[..]);
    state
        .held_figures
        .count(&held_before, &held.hashes(id), added);
    let mut receipt = Receipt {
        need: received.need,
        held: received.held,
        ..Receipt::default()
    };
    if let Some(admitted) = received.admitted.filter(|a| !a.added.is_empty()) {
        receipt.committed = true;
        crate::observe::changes_admitted(admitted.added.len());
        receipt.ticket = commit::committed(
            state,
            id,
            &admitted,
            commit::Author::Device(&device.device_id),
        );
    }
    if let Some(rejected) = received.refused {
        let detail = rejected.refusal.detail();
        tracing::info!(document = %id, device = %device.device_id, code = %detail.code, refused = rejected.changes.len(), "changes refused");
        crate::observe::changes_refused(&detail.code.to_string(), rejected.changes.len());
        receipt.refused = Some((detail, rejected.changes));
    }
    Ok(receipt)
}
