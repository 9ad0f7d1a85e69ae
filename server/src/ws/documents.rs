//! One `request` or `sync` frame for one document, handled off the async runtime: where the
//! device stands, its changes through the pipeline (durable before anything acknowledges
//! them; early ones held until their history arrives), then the next sync message for it.

use automerge::sync::{self, SyncDoc};
use automerge::{Automerge, ChangeHash};
use casesync_contract::errors::ErrorDetail;
use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;
use casesync_schema::directory::AuthenticatedDevice;
use casesync_sync::chunks::changes_from_chunks;
use casesync_sync::HeldChanges;

use crate::audit::reads::Send;
use crate::domain::audit::Actor;
use crate::error::ApiError;
use crate::pipeline::{self, Standing};
use crate::state::AppState;

/// A document the device may sync, as its session remembers it: no database round trip per
/// frame (the session forgets it when the device's scope changes).
#[derive(Debug, Clone)]
pub struct Known {
    pub kind: DocumentKind,
    /// The organisation a case belongs to (what a delivery is audited under).
    pub organisation: String,
}

/// The answer to a frame.
#[derive(Default)]
pub struct Reply {
    /// The next sync message for the device, if there is anything to say.
    pub message: Option<Vec<u8>>,
    /// The document, when the device may sync it (`None`: not stored yet, or not its own).
    pub known: Option<Known>,
    /// What of its changes was refused (the socket stays open: the refusal concerns this
    /// document only).
    pub refused: Option<(ErrorDetail, Vec<ChangeHash>)>,
    /// Something of the frame's changes was committed.
    pub committed: bool,
    /// The heads the device announced.
    pub device_heads: Vec<ChangeHash>,
}

pub enum Outcome {
    Reply(Reply),
    /// Unknown or out of scope: `doc-unavailable`.
    Unavailable,
    /// The sync bytes are not an automerge sync message.
    Malformed(String),
}

/// What a frame needs from the session: the device's sync state and held changes for it.
pub struct Frame<'a> {
    /// The socket's session id: what it sends is audited per session and document.
    pub session: &'a str,
    pub id: DocumentId,
    pub data: &'a [u8],
    pub is_request: bool,
    pub known: Option<Known>,
}

pub fn sync_frame(
    state: &AppState,
    device: &AuthenticatedDevice,
    frame: Frame<'_>,
    peer: &mut sync::State,
    held: &mut HeldChanges,
) -> Result<Outcome, ApiError> {
    let id = frame.id;
    let message = match sync::Message::decode(frame.data) {
        Ok(m) => m,
        Err(e) => {
            return Ok(Outcome::Malformed(format!(
                "sync data for {id} is not an automerge sync message: {e}"
            )))
        }
    };
    if let Some(why) = casesync_sync::screen_message::unsupported_message(&message) {
        return Ok(Outcome::Malformed(format!(
            "sync data for {id} cannot be taken: {why}"
        )));
    }
    tracing::debug!(document = %id, is_request = frame.is_request, changes = message.changes.len(), heads = message.heads.len(), "sync frame");
    let standing = match frame.known {
        Some(known) => Standing::Syncs {
            kind: known.kind,
            organisation: known.organisation,
        },
        None => {
            let mut conn = state.db()?;
            pipeline::standing(&mut conn, device, &id)?
        }
    };
    let (kind, organisation, create) = match standing {
        Standing::Syncs { kind, organisation } => (kind, organisation, None),
        // A `request` means the device has nothing: an unknown document is unavailable. A
        // `sync` may be a case the device opened offline.
        Standing::MayCreate(meta) if !frame.is_request => {
            (meta.kind, meta.organisation.clone(), Some(meta))
        }
        Standing::MayCreate(_) => return Ok(Outcome::Unavailable),
        // Someone else's document, or one the device may not create: answer as for a new one
        // without revealing anything, and refuse any changes as unavailable.
        Standing::Unavailable if frame.is_request || !message.changes.is_empty() => {
            return Ok(Outcome::Unavailable)
        }
        Standing::Unavailable => {
            return Ok(Outcome::Reply(Reply {
                message: empty_reply(peer, message),
                ..Reply::default()
            }))
        }
    };
    let mut refused = None;
    let mut committed = false;
    if !message.changes.is_empty() || held.count(&id) > 0 {
        let receipt = match changes_from_chunks(message.changes.iter()) {
            Ok(raw) => pipeline::receive(state, device, &id, kind, create.as_ref(), &raw, held)?,
            Err(refusal) => pipeline::Receipt {
                refused: Some((refusal.detail(), vec![])),
                ..Default::default()
            },
        };
        refused = receipt.refused;
        committed = receipt.committed;
        if create.is_some() && !committed {
            // Nothing of the new case is stored yet: answer as an empty document, so the
            // device sends (again) what it has.
            return Ok(Outcome::Reply(Reply {
                message: empty_reply(peer, message),
                refused,
                ..Reply::default()
            }));
        }
    } else if create.is_some() {
        // Nothing stored yet: answer as an empty document so the device sends its changes.
        return Ok(Outcome::Reply(Reply {
            message: empty_reply(peer, message),
            ..Reply::default()
        }));
    }
    let device_heads = message.heads.clone();
    let Some(reply) = state
        .engine
        .sync_step_holding(&id, peer, Some(message), held)?
    else {
        return Ok(Outcome::Unavailable);
    };
    if kind == DocumentKind::Alerts {
        // The device's heads say which alerts it now holds: that is their delivery.
        crate::domain::alerts::deliveries::record_held(
            state,
            &id,
            &device.device_id,
            &device_heads,
        )?;
    }
    let known = Known { kind, organisation };
    let message = outgoing(state, device, frame.session, &id, &known, reply)?;
    Ok(Outcome::Reply(Reply {
        message,
        known: Some(known),
        refused,
        committed,
        device_heads,
    }))
}

/// The next message for a device that holds this document, after it changed elsewhere.
/// Changes the session held for it may have become ready: they are admitted first.
pub fn push(
    state: &AppState,
    device: &AuthenticatedDevice,
    session: &str,
    id: &DocumentId,
    known: &Known,
    peer: &mut sync::State,
    held: &mut HeldChanges,
) -> Result<Option<Vec<u8>>, ApiError> {
    if held.count(id) > 0 {
        pipeline::receive(state, device, id, known.kind, None, &[], held)?;
    }
    let reply = state
        .engine
        .sync_step_holding(id, peer, None, held)?
        .flatten();
    outgoing(state, device, session, id, known, reply)
}

/// Encodes a message for the device. The changes it carries, of a case, an alert board or a
/// caseload, are a read: noted in the session's audit of what it sent (`audit::reads`,
/// written in bulk off this path) before they leave; a read that cannot be noted is not sent.
fn outgoing(
    state: &AppState,
    device: &AuthenticatedDevice,
    session: &str,
    id: &DocumentId,
    known: &Known,
    message: Option<sync::Message>,
) -> Result<Option<Vec<u8>>, ApiError> {
    let Some(message) = message else {
        return Ok(None);
    };
    if !message.changes.is_empty() {
        state.audit_reads.sent(
            state,
            Send {
                session,
                actor: Actor::device(device),
                id: *id,
                kind: known.kind,
                organisation: &known.organisation,
                heads: message.heads.clone(),
                changes: message.changes.len(),
            },
        )?;
    }
    Ok(Some(message.encode()))
}

/// Answers as an empty document would. From a scratch copy of the sync state: had the
/// session's state recorded this exchange about an empty document, automerge would withhold
/// the reply that acknowledges the document once it is stored.
fn empty_reply(peer: &sync::State, mut message: sync::Message) -> Option<Vec<u8>> {
    let mut empty = Automerge::new();
    let mut scratch = peer.clone();
    message.changes = sync::ChunkList::empty();
    empty.receive_sync_message(&mut scratch, message).ok()?;
    empty
        .generate_sync_message(&mut scratch)
        .map(sync::Message::encode)
}
