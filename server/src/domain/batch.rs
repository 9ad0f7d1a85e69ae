//! Batch sync for one device: admit what it sends, answer what it lacks.
//!
//! Per document: check scope, admit the changes (durable before we answer), then compute
//! the changes the device lacks from its heads. A refused document stores nothing and the
//! others go on. Documents the device sent but may not hold (unknown, erased, out of its
//! scope since a reassignment or a withdrawn share) come back in `removed_documents`, so
//! it erases them; a device told to wipe gets only the wipe order. Every case whose
//! changes go out to the device is recorded in the audit trail.
//!
//! The server heads in the reply are read after the commit: they are the acknowledgement,
//! so a lost reply is repaired by sending the same request again.

use std::collections::HashSet;

use automerge::ChangeHash;
use casesync_contract::errors::{ErrorCode, ErrorDetail};
use casesync_contract::wire::{
    scope_digest, DocumentKind, DocumentPush, DocumentReply, DocumentStatus, SyncRequest,
    SyncResponse,
};
use casesync_schema::directory::AuthenticatedDevice;
use casesync_sync::HeldChanges;

use super::access::devices::wipe_delivered;
use super::scope;
use crate::domain::error::DomainError;
use crate::pipeline::audit::Delivery;
use crate::pipeline::{self, Standing};
use crate::state::AppState;

pub fn sync_batch(
    state: &AppState,
    caller: &AuthenticatedDevice,
    request: SyncRequest,
) -> Result<SyncResponse, DomainError> {
    let most = state.config.limits.documents_per_request;
    if request.documents.len() > most {
        return Err(DomainError::new(
            ErrorCode::PayloadTooLarge,
            format!(
                "{} documents in one request; at most {most}: send them in several requests",
                request.documents.len()
            ),
        ));
    }
    if caller.wipe_requested {
        return wipe(state, caller, request);
    }
    if let (true, Some(digest)) = (request.documents.is_empty(), &request.scope_digest) {
        return digest_reply(state, caller, digest);
    }
    let include_new = request.include_new;
    let mut replies = Vec::with_capacity(request.documents.len());
    let mut sent = HashSet::new();
    let mut removed = Vec::new();
    let mut delivered = Vec::new();
    for push in request.documents {
        sent.insert(push.id);
        let synced = sync_document(state, caller, push)?;
        if synced.reply.status == DocumentStatus::Unavailable {
            removed.push(synced.reply.id);
        }
        if let Some(organisation) = synced.case_of {
            delivered.push(Delivery {
                case: synced.reply.id,
                organisation,
                changes: synced.reply.changes.len(),
            });
        }
        replies.push(synced.reply);
    }
    let in_scope = device_scope(state, caller)?;
    let new_documents: Vec<_> = in_scope
        .into_iter()
        .filter(|e| !sent.contains(&e.id))
        .collect();
    if include_new {
        // The new documents' changes in this reply, as if the device had sent them with
        // empty heads, up to the documents a request may carry; the rest stay listed for the
        // next request.
        let room = most.saturating_sub(replies.len());
        for entry in new_documents.iter().take(room) {
            let push = DocumentPush {
                id: entry.id,
                heads: vec![],
                changes: vec![],
            };
            let synced = sync_document(state, caller, push)?;
            if synced.reply.status == DocumentStatus::Unavailable {
                continue;
            }
            if let Some(organisation) = synced.case_of {
                delivered.push(Delivery {
                    case: synced.reply.id,
                    organisation,
                    changes: synced.reply.changes.len(),
                });
            }
            replies.push(synced.reply);
        }
    }
    // What the device now holds of a case is a read: recorded before the reply leaves.
    pipeline::audit::delivered(state, caller, &delivered)?;
    Ok(SyncResponse {
        documents: replies,
        new_documents,
        removed_documents: removed,
        wipe: false,
        server_time: state.now(),
        unchanged: false,
        full_request_needed: false,
    })
}

/// Every document the device should hold: its scope and its alert documents.
fn device_scope(
    state: &AppState,
    caller: &AuthenticatedDevice,
) -> Result<Vec<casesync_contract::wire::ScopeEntry>, DomainError> {
    let mut conn = state.db()?;
    let mut entries = scope::documents_in_scope(&mut conn, caller)?;
    entries.extend(crate::domain::caseload::alert_documents(&mut conn, caller)?);
    Ok(entries)
}

/// A device that sent only its scope digest: `unchanged` when it holds every document of
/// its scope at the server's heads, else `full_request_needed`. Reads the heads the engine
/// holds (documents are loaded as for any sync).
fn digest_reply(
    state: &AppState,
    caller: &AuthenticatedDevice,
    digest: &str,
) -> Result<SyncResponse, DomainError> {
    let mut held = Vec::new();
    for entry in device_scope(state, caller)? {
        let heads: Vec<String> = state
            .engine
            .read(&entry.id, |doc| {
                doc.get_heads().iter().map(|h| h.to_string()).collect()
            })?
            .unwrap_or_default();
        held.push((entry.id, heads));
    }
    let ours = scope_digest(held.iter().map(|(id, heads)| (*id, heads.as_slice())));
    let unchanged = ours.eq_ignore_ascii_case(digest.trim());
    Ok(SyncResponse {
        documents: vec![],
        new_documents: vec![],
        removed_documents: vec![],
        wipe: false,
        server_time: state.now(),
        unchanged,
        full_request_needed: !unchanged,
    })
}

/// A device told to wipe gets the order and nothing else; nothing it sends is admitted
/// (the phone may be in the wrong hands). Once the order is out, its token is dead.
fn wipe(
    state: &AppState,
    caller: &AuthenticatedDevice,
    request: SyncRequest,
) -> Result<SyncResponse, DomainError> {
    wipe_delivered(state, caller)?;
    Ok(SyncResponse {
        documents: vec![],
        new_documents: vec![],
        removed_documents: request.documents.into_iter().map(|d| d.id).collect(),
        wipe: true,
        server_time: state.now(),
        unchanged: false,
        full_request_needed: false,
    })
}

/// One document's reply, and the owning organisation when it is a case the device may hold.
struct Synced {
    reply: DocumentReply,
    case_of: Option<String>,
}

fn sync_document(
    state: &AppState,
    caller: &AuthenticatedDevice,
    push: DocumentPush,
) -> Result<Synced, DomainError> {
    let id = push.id;
    let have = match parse_heads(&push.heads) {
        Ok(heads) => heads,
        Err(detail) => return Ok(plain(refused(id, DocumentStatus::Rejected, detail))),
    };
    let standing = {
        let mut conn = state.db()?;
        pipeline::standing(&mut conn, caller, &id)?
    };
    let (kind, case_of, create) = match standing {
        Standing::Syncs { kind, organisation } => (
            kind,
            (kind == DocumentKind::Case).then_some(organisation),
            None,
        ),
        Standing::MayCreate(meta) if !push.changes.is_empty() => {
            (meta.kind, Some(meta.organisation.clone()), Some(meta))
        }
        Standing::MayCreate(_) | Standing::Unavailable => return Ok(plain(unavailable(id))),
    };
    let mut receipt = pipeline::Receipt::default();
    if !push.changes.is_empty() {
        // Changes that arrive before their history wait for it within this request only;
        // across requests the reply's `need` asks the device to resend in causal order.
        let mut held = HeldChanges::new(state.config.limits.hold_limits());
        receipt = pipeline::receive(
            state,
            caller,
            &id,
            kind,
            create.as_ref(),
            &push.changes,
            &mut held,
        )?;
        // The reply says what followed (an alert raised, a checklist started).
        if let Some(ticket) = receipt.ticket.take() {
            state.projections.wait(ticket);
        }
        if create.is_some() && !receipt.committed {
            // Nothing of the new case was stored: it does not exist for anyone.
            let detail = receipt
                .refused
                .map(|(detail, _)| detail)
                .unwrap_or_else(|| {
                    ErrorDetail::new(
                        ErrorCode::MissingDependencies,
                        "the case's first changes depend on changes that were not sent",
                    )
                });
            return Ok(plain(refused(id, DocumentStatus::Rejected, detail)));
        }
    }
    let Some(missing) = state.engine.changes_for(&id, &have)? else {
        return Ok(plain(unavailable(id)));
    };
    let (error, refused_changes) = match receipt.refused {
        Some((detail, hashes)) => (Some(detail), hashes),
        None => (None, vec![]),
    };
    if kind == DocumentKind::Alerts && error.is_none() {
        // The reply carries everything up to the server's heads: the alerts arrive with it.
        crate::domain::alerts::deliveries::record_held(
            state,
            &id,
            &caller.device_id,
            &missing.heads,
        )?;
    }
    Ok(Synced {
        reply: DocumentReply {
            id,
            status: if error.is_some() {
                DocumentStatus::Rejected
            } else {
                DocumentStatus::Ok
            },
            changes: missing.changes,
            heads: missing.heads.iter().map(|h| h.to_string()).collect(),
            missing_changes: missing.peer_ahead && error.is_none() && receipt.need.is_empty(),
            error,
            refused_changes: refused_changes.iter().map(|h| h.to_string()).collect(),
            need: receipt.need.iter().map(|h| h.to_string()).collect(),
        },
        case_of,
    })
}

fn plain(reply: DocumentReply) -> Synced {
    Synced {
        reply,
        case_of: None,
    }
}

fn parse_heads(heads: &[String]) -> Result<Vec<ChangeHash>, ErrorDetail> {
    heads
        .iter()
        .map(|h| {
            h.parse::<ChangeHash>().map_err(|_| {
                ErrorDetail::new(
                    ErrorCode::InvalidChanges,
                    format!(
                        "head \"{}\" is not a hex change hash",
                        h.chars().take(80).collect::<String>()
                    ),
                )
            })
        })
        .collect()
}

fn unavailable(id: casesync_contract::DocumentId) -> DocumentReply {
    refused(
        id,
        DocumentStatus::Unavailable,
        ErrorDetail::new(ErrorCode::NotFound, "no such document"),
    )
}

fn refused(
    id: casesync_contract::DocumentId,
    status: DocumentStatus,
    error: ErrorDetail,
) -> DocumentReply {
    DocumentReply {
        id,
        status,
        changes: vec![],
        heads: vec![],
        missing_changes: false,
        error: Some(error),
        refused_changes: vec![],
        need: vec![],
    }
}
