//! Cases: creating them on behalf of a caller, and what follows every admitted change.

use automerge::ActorId;
use casesync_contract::case::{is_profile_field, new_case_document, NewCase};
use casesync_contract::errors::ErrorCode;
use casesync_contract::wire::{case_reference, CreateCase, CreatedCase, DocumentKind};
use casesync_contract::{DocumentId, Role};
use casesync_schema::directory::{sites, AuthenticatedDevice};
use casesync_sync::{Admitted, DocumentMeta, Writer};

use crate::domain::projections::Ticket;
use crate::error::ApiError;
use crate::live::DocChanged;
use crate::state::AppState;

/// The writer the engine sees for a device.
pub fn device_writer(caller: &AuthenticatedDevice) -> Writer {
    Writer {
        device: caller.device_id.clone(),
        user: caller.user_id.clone(),
        role: Some(caller.role),
        organisation: caller.organisation_id.clone(),
        site: caller.site_id.clone(),
    }
}

/// What has to happen once changes are durable: the audit entry, live push, the derived
/// state (scheduled: see `domain::projections`), compaction. Failures here are logged, not
/// returned: the device's changes are already committed. Wait for the ticket to answer a
/// caller who expects the consequences (a missing report's alert, the case list); never from
/// within a projection.
pub fn after_admission(
    state: &AppState,
    id: &DocumentId,
    admitted: &Admitted,
    origin: Option<&str>,
) -> Option<Ticket> {
    if admitted.added.is_empty() {
        return None;
    }
    crate::domain::access::after_write::after_admission(state, id, admitted, origin);
    state.feed.publish(DocChanged {
        document: *id,
        origin_device: origin.map(str::to_string),
    });
    let ticket = state.projections.schedule(id, admitted);
    if admitted.created {
        // A new case is in someone's scope: caseloads must list it.
        if let Ok(Some(row)) = state
            .db()
            .ok()
            .map(|mut conn| casesync_schema::directory::documents::find(&mut conn, id))
            .transpose()
            .map(|r| r.flatten())
        {
            if row.kind() == Some(DocumentKind::Case) {
                state
                    .feed
                    .publish_event(crate::live::FeedEvent::ScopeChanged {
                        organisation_id: row.organisation_id,
                    });
            }
        }
    }
    if admitted.compaction_due {
        let engine = state.engine.clone();
        let id = *id;
        // Off the request path: a snapshot of a long history takes a while to write.
        tokio::task::spawn_blocking(move || {
            if let Err(e) = engine.compact(&id) {
                tracing::warn!(document = %id, error = %e, "compaction failed");
            }
        });
    }
    ticket
}

/// Opens a case for the caller's organisation.
pub fn create_case(
    state: &AppState,
    caller: &AuthenticatedDevice,
    request: CreateCase,
) -> Result<CreatedCase, ApiError> {
    if !matches!(
        caller.role,
        Role::OutreachWorker | Role::ReceptionStaff | Role::Caseworker | Role::Coordinator
    ) {
        return Err(ApiError::forbidden(format!(
            "a {} cannot open cases",
            caller.role
        )));
    }
    if let Some(field) = request.profile.keys().find(|k| !is_profile_field(k)) {
        return Err(ApiError::new(
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
                return Err(ApiError::new(
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
    let mut doc = new_case_document(&new, ActorId::random()).map_err(ApiError::internal)?;
    let changes: Vec<Vec<u8>> = doc
        .get_changes(&[])
        .into_iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    // The server wrote it from checked input: trusted, but recorded as the caller's.
    let writer = Writer {
        role: None,
        site: None,
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
    if let Some(ticket) = after_admission(state, &id, &admitted, None) {
        state.projections.wait(ticket); // the case list shows it when this returns
    }
    Ok(CreatedCase {
        id,
        url: id.url(),
        reference: case_reference(&id),
    })
}
