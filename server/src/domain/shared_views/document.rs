//! Writing a shared view document: its skeleton (the header the share fixes) and then its
//! `case` part, reconciled with what the share's categories cover of the case now.

use automerge::transaction::CommitOptions;
use automerge::{ActorId, Automerge};
use casesync_contract::case::values::{Millis, Str, Whole};
use casesync_contract::sharing::{
    write_view_case, SharedCase, SharedViewDocument, SHARED_VIEW_KIND,
};
use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;
use casesync_schema::access::shares::ShareRow;
use casesync_sync::{DocumentMeta, Writer};

use crate::domain::error::DomainError;
use crate::domain::server_write::{admit_server_changes, server_write};
use crate::state::AppState;

/// A share's view and the organisation that shares (the case's: the share row names only
/// the partner).
pub struct View<'a> {
    pub id: DocumentId,
    pub share: &'a ShareRow,
    pub source_organisation: &'a str,
}

/// The view as its skeleton states it: the share's fixed facts, nothing of the case yet.
fn skeleton(view: &View<'_>) -> SharedViewDocument {
    let share = view.share;
    SharedViewDocument {
        schema_version: Whole(1),
        kind: Str::from(SHARED_VIEW_KIND),
        view_id: Str::from(view.id.to_string()),
        reference: Str::from(share.id.as_str()),
        source_organisation: Str::from(view.source_organisation),
        partner_organisation: Str::from(share.organisation_id.as_str()),
        legal_basis: Str::from(share.legal_basis.as_str()),
        purpose: Str::from(share.purpose.as_str()),
        categories: share.categories().into_iter().map(Str::from).collect(),
        shared_at: Millis(share.shared_at),
        case: SharedCase::default(),
        contributions: vec![],
    }
}

/// Writes the view's skeleton unless the document exists.
///
/// The skeleton is one change, the same byte for byte on every instance (its actor comes
/// from the view id, its time is zero), so two instances writing it at once store one
/// change; with a fresh actor each, the view would get two `case` maps in conflict.
pub fn ensure_written(state: &AppState, view: &View<'_>) -> Result<(), DomainError> {
    if state.engine.read(&view.id, |_| ())?.is_some() {
        return Ok(());
    }
    let meta = DocumentMeta {
        kind: DocumentKind::SharedView,
        organisation: view.source_organisation.to_string(),
        site: None,
    };
    let change = skeleton_change(view)?;
    let writer = Writer::server(view.source_organisation);
    let write = || {
        admit_server_changes(
            state,
            &view.id,
            DocumentKind::SharedView,
            &writer,
            std::slice::from_ref(&change),
            Some(&meta),
        )
    };
    // Two instances creating the document row at once: one commit fails, and then finds the
    // change stored by the other.
    write().or_else(|_| write())?;
    Ok(())
}

fn skeleton_change(view: &View<'_>) -> Result<Vec<u8>, DomainError> {
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        &[
            b"casesync shared view skeleton ".as_slice(),
            view.id.as_bytes(),
        ]
        .concat(),
    );
    let mut doc = Automerge::new().with_actor(ActorId::from(&digest.as_ref()[..16]));
    let content = skeleton(view);
    doc.transact_with::<_, _, autosurgeon::ReconcileError, _>(
        |_| CommitOptions::default().with_time(0),
        |tx| autosurgeon::reconcile(tx, &content),
    )
    .map_err(|failure| DomainError::internal(failure.error))?;
    doc.get_changes(&[])
        .first()
        .map(|c| c.raw_bytes().to_vec())
        .ok_or_else(|| DomainError::internal("shared view skeleton has no change"))
}

/// Brings the view's `case` part to `content`. Only what differs is written; the header and
/// the partner's contributions are left as they are.
pub fn write_case(
    state: &AppState,
    view: &View<'_>,
    content: &SharedCase,
) -> Result<(), DomainError> {
    server_write::<autosurgeon::ReconcileError>(
        state,
        &view.id,
        DocumentKind::SharedView,
        &Writer::server(view.source_organisation),
        None,
        |tx| write_view_case(tx, content),
    )?;
    Ok(())
}

/// The SHA-256 of a view's content as the record of what was sent keeps it.
pub fn digest(content: &SharedCase) -> Result<String, DomainError> {
    let bytes = serde_json::to_vec(content).map_err(DomainError::internal)?;
    Ok(hex::encode(
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &bytes).as_ref(),
    ))
}
