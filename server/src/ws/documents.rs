//! One `request` or `sync` frame for one document, handled off the async runtime: access,
//! admission of the changes it carries (durable before anything acknowledges them), then the
//! next sync message for the device.

use automerge::sync::{self, SyncDoc};
use automerge::Automerge;
use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;
use casesync_schema::directory::AuthenticatedDevice;
use casesync_sync::chunks::changes_from_chunks;
use casesync_sync::{DocumentMeta, Refusal};

use super::access;
use crate::domain::cases::{after_admission, device_writer};
use crate::error::ApiError;
use crate::state::AppState;

pub enum Outcome {
    /// The next sync message for the device, if there is anything to say, and the kind of
    /// the document when the device may sync it (`None`: not stored yet, or not its own).
    Reply(Option<Vec<u8>>, Option<DocumentKind>),
    /// Unknown or out of scope: `doc-unavailable`.
    Unavailable,
    /// The device's changes were refused; nothing was stored.
    Refused(Refusal),
    /// The sync bytes are not an automerge sync message.
    Malformed(String),
}

/// `known`: the document's kind when this session already found the device may sync it (the
/// session forgets that when the device's scope changes): no database round trip per frame.
pub fn sync_frame(
    state: &AppState,
    device: &AuthenticatedDevice,
    id: &DocumentId,
    data: &[u8],
    is_request: bool,
    known: Option<DocumentKind>,
    peer: &mut sync::State,
) -> Result<Outcome, ApiError> {
    let message = match sync::Message::decode(data) {
        Ok(m) => m,
        Err(e) => {
            return Ok(Outcome::Malformed(format!(
                "sync data for {id} is not an automerge sync message: {e}"
            )))
        }
    };
    tracing::debug!(document = %id, is_request, changes = message.changes.len(), heads = message.heads.len(), "sync frame");
    let (kind, create) = if let Some(kind) = known {
        (kind, None)
    } else {
        let mut conn = state.db()?;
        match access::accessible(&mut conn, device, id)? {
            Some((_, kind)) => (kind, None),
            // A `request` means the device has nothing: an unknown or forbidden document is
            // unavailable. A `sync` may be a case the device opened offline.
            None if is_request || !device.role.reads_cases() => return Ok(Outcome::Unavailable),
            None if !access::may_create(&mut conn, device, id)? => {
                // Someone else's document: answer as for a new one, never reveal it, and
                // refuse any changes as unavailable.
                if !message.changes.is_empty() {
                    return Ok(Outcome::Unavailable);
                }
                return Ok(Outcome::Reply(empty_reply(peer, message), None));
            }
            None => (
                DocumentKind::Case,
                Some(DocumentMeta {
                    kind: DocumentKind::Case,
                    organisation: device.organisation_id.clone(),
                    site: device.site_id.clone(),
                }),
            ),
        }
    };
    if !message.changes.is_empty() {
        let raw = match changes_from_chunks(message.changes.iter()) {
            Ok(raw) => raw,
            Err(refusal) => return Ok(Outcome::Refused(refusal)),
        };
        match state.engine.admit(
            id,
            kind,
            &device_writer(device),
            &raw,
            create.as_ref(),
            state.now(),
        ) {
            // What follows from the changes (alerts, the case list) goes on without holding
            // back the acknowledgement.
            Ok(admitted) => {
                after_admission(state, id, &admitted, Some(&device.device_id));
            }
            Err(refusal) if refusal.is_device_fault() => return Ok(Outcome::Refused(refusal)),
            Err(refusal) => return Err(refusal.into()),
        }
    } else if create.is_some() {
        // Nothing stored yet: answer as an empty document so the device sends its changes.
        return Ok(Outcome::Reply(empty_reply(peer, message), None));
    }
    let device_heads = message.heads.clone();
    let reply = state.engine.sync_step(id, peer, Some(message))?;
    if kind == DocumentKind::Alerts {
        // The device's heads say which alerts it now holds: that is their delivery.
        crate::domain::alerts::deliveries::record_held(
            state,
            id,
            &device.device_id,
            &device_heads,
        )?;
    }
    match reply {
        Some(reply) => Ok(Outcome::Reply(reply.map(sync::Message::encode), Some(kind))),
        None => Ok(Outcome::Unavailable),
    }
}

/// The next message for a device that holds this document, after it changed elsewhere.
pub fn push(
    state: &AppState,
    id: &DocumentId,
    peer: &mut sync::State,
) -> Result<Option<Vec<u8>>, ApiError> {
    Ok(state
        .engine
        .sync_step(id, peer, None)?
        .flatten()
        .map(sync::Message::encode))
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
