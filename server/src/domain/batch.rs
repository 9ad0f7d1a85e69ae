//! Batch sync for one device: admit what it sends, answer what it lacks.
//!
//! Per document: check scope, admit the changes (durable before we answer), then compute
//! the changes the device lacks from its heads. A refused document stores nothing and the
//! others go on. The server heads in the reply are read after the commit: they are the
//! acknowledgement, so a lost reply is repaired by sending the same request again.

use std::collections::HashSet;

use automerge::ChangeHash;
use casesync_contract::errors::{ErrorCode, ErrorDetail};
use casesync_contract::wire::{
    DocumentKind, DocumentPush, DocumentReply, DocumentStatus, SyncRequest, SyncResponse,
};
use casesync_schema::directory::AuthenticatedDevice;
use casesync_sync::DocumentMeta;

use super::cases::{after_admission, device_writer};
use super::scope;
use crate::error::ApiError;
use crate::state::AppState;

/// Most documents one request may carry.
pub const MAX_DOCUMENTS: usize = 5_000;

pub fn sync_batch(
    state: &AppState,
    caller: &AuthenticatedDevice,
    request: SyncRequest,
) -> Result<SyncResponse, ApiError> {
    if request.documents.len() > MAX_DOCUMENTS {
        return Err(ApiError::new(
            ErrorCode::InvalidRequest,
            format!("at most {MAX_DOCUMENTS} documents per request"),
        ));
    }
    let mut replies = Vec::with_capacity(request.documents.len());
    let mut sent = HashSet::new();
    for push in request.documents {
        sent.insert(push.id);
        replies.push(sync_document(state, caller, push)?);
    }
    let in_scope = {
        let mut conn = state.db()?;
        scope::documents_in_scope(&mut conn, caller)?
    };
    Ok(SyncResponse {
        documents: replies,
        new_documents: in_scope
            .into_iter()
            .filter(|e| !sent.contains(&e.id))
            .collect(),
        removed_documents: vec![],
        wipe: caller.wipe_requested,
        server_time: state.now(),
    })
}

fn sync_document(
    state: &AppState,
    caller: &AuthenticatedDevice,
    push: DocumentPush,
) -> Result<DocumentReply, ApiError> {
    let id = push.id;
    let have = match parse_heads(&push.heads) {
        Ok(heads) => heads,
        Err(detail) => return Ok(refused(id, DocumentStatus::Rejected, detail)),
    };
    let row = {
        let mut conn = state.db()?;
        casesync_schema::directory::documents::find(&mut conn, &id)?
    };
    let create = match &row {
        Some(row) if scope::may_read(caller, row) => None,
        Some(_) => return Ok(unavailable(id)),
        // A device may open a case offline and push it: it becomes a case of its own
        // organisation and site, after admission.
        None if !push.changes.is_empty() && caller.role.reads_cases() => Some(DocumentMeta {
            kind: DocumentKind::Case,
            organisation: caller.organisation_id.clone(),
            site: caller.site_id.clone(),
        }),
        None => return Ok(unavailable(id)),
    };
    let kind = row
        .as_ref()
        .and_then(|r| r.kind())
        .unwrap_or(DocumentKind::Case);
    let mut error = None;
    if !push.changes.is_empty() {
        let writer = device_writer(caller);
        match state.engine.admit(
            &id,
            kind,
            &writer,
            &push.changes,
            create.as_ref(),
            state.now(),
        ) {
            Ok(admitted) => after_admission(state, &id, &admitted, Some(&caller.device_id)),
            Err(refusal) if refusal.is_device_fault() => {
                tracing::info!(document = %id, device = %caller.device_id, code = %refusal.code(), "changes refused");
                if create.is_some() {
                    return Ok(refused(id, DocumentStatus::Rejected, refusal.detail()));
                }
                error = Some(refusal.detail());
            }
            Err(refusal) => return Err(refusal.into()),
        }
    }
    let Some(missing) = state.engine.changes_for(&id, &have)? else {
        return Ok(unavailable(id));
    };
    Ok(DocumentReply {
        id,
        status: if error.is_some() {
            DocumentStatus::Rejected
        } else {
            DocumentStatus::Ok
        },
        changes: missing.changes,
        heads: missing.heads.iter().map(|h| h.to_string()).collect(),
        missing_changes: missing.peer_ahead && error.is_none(),
        error,
    })
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
    }
}
