//! Cases: creating them on behalf of a caller.

use automerge::ActorId;
use casesync_contract::case::{is_profile_field, new_case_document, NewCase};
use casesync_contract::errors::ErrorCode;
use casesync_contract::wire::{case_reference, CreateCase, CreatedCase, DocumentKind};
use casesync_contract::{DocumentId, Role};
use casesync_schema::directory::{sites, AuthenticatedDevice};
use casesync_sync::{DocumentMeta, Writer};

use crate::domain::error::DomainError;
use crate::pipeline::commit::{committed, Author};
use crate::pipeline::device_writer;
use crate::state::AppState;

/// Opens a case for the caller's organisation.
pub fn create_case(
    state: &AppState,
    caller: &AuthenticatedDevice,
    request: CreateCase,
) -> Result<CreatedCase, DomainError> {
    if !matches!(
        caller.role,
        Role::OutreachWorker | Role::ReceptionStaff | Role::Caseworker | Role::Coordinator
    ) {
        return Err(DomainError::forbidden(format!(
            "a {} cannot open cases",
            caller.role
        )));
    }
    if let Some(field) = request.profile.keys().find(|k| !is_profile_field(k)) {
        return Err(DomainError::new(
            ErrorCode::InvalidRequest,
            format!("unknown profile field \"{field}\""),
        ));
    }
    let site = {
        let mut conn = state.db()?;
        match (&request.site, &caller.site_id) {
            (Some(site), _) => sites::find(&mut conn, &caller.organisation_id, site)?.id,
            (None, Some(own)) => own.clone(),
            (None, None) => {
                return Err(DomainError::new(
                    ErrorCode::InvalidRequest,
                    "site is required: the caller belongs to no site",
                ))
            }
        }
    };
    let id = DocumentId::random();
    let new = NewCase {
        case_id: id,
        organisation: caller.organisation_id.clone(),
        site: site.clone(),
        jurisdiction: request.jurisdiction.clone(),
        created_at: state.now(),
        profile: request.profile.clone(),
    };
    let mut doc = new_case_document(&new, ActorId::random()).map_err(DomainError::internal)?;
    let changes: Vec<Vec<u8>> = doc
        .get_changes(&[])
        .into_iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    // The server wrote it from checked input: trusted, but recorded as the caller's.
    let writer = Writer {
        role: None,
        site: None,
        peer: None,
        ..device_writer(caller)
    };
    let meta = DocumentMeta {
        kind: DocumentKind::Case,
        organisation: caller.organisation_id.clone(),
        site: Some(site),
    };
    let admitted = state.engine.admit(
        &id,
        DocumentKind::Case,
        &writer,
        &changes,
        Some(&meta),
        state.now(),
    )?;
    if let Some(ticket) = committed(state, &id, &admitted, Author::Device(&caller.device_id)) {
        state.projections.wait(ticket); // the case list shows it when this returns
    }
    Ok(CreatedCase {
        id,
        url: id.url(),
        reference: case_reference(&id),
    })
}
