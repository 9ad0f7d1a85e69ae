//! Keeping a case's shared views current: a step of the case's derive run (the outbox), so
//! no change is missed across a crash. For each active share: a share resting on a legal
//! basis that has since been withdrawn lapses; otherwise the share's categories are
//! projected from the case, and when the result differs from what was last sent, the view
//! is written and the new version recorded.

use casesync_contract::case::CaseDocument;
use casesync_contract::sharing::project;
use casesync_contract::DocumentId;
use casesync_schema::access::share_versions;
use casesync_schema::access::shares::{self, ShareRow};

use super::document::{digest, ensure_written, write_case, View};
use crate::domain::access::shares::lapse;
use crate::domain::error::DomainError;
use crate::feed::FeedEvent;
use crate::state::AppState;

/// What a refresh did, for the caller's logs and tests.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Refreshed {
    pub sent: usize,
    pub lapsed: usize,
}

pub fn refresh(
    state: &AppState,
    case_id: &DocumentId,
    case: &CaseDocument,
    active: &[ShareRow],
) -> Result<Refreshed, DomainError> {
    let mut done = Refreshed::default();
    for share in active {
        if rests_on_withdrawn_basis(case, share) {
            lapse(state, case_id, &case.organisation.0, share)?;
            done.lapsed += 1;
            continue;
        }
        let view_id = view_id_of(state, share)?;
        let view = View {
            id: view_id,
            share,
            source_organisation: &case.organisation.0,
        };
        let content = project(case, &share.categories());
        let digest = digest(&content)?;
        let last = {
            let mut conn = state.db()?;
            share_versions::latest(&mut conn, &share.id)?
        };
        if last.as_ref().is_some_and(|v| v.digest == digest) {
            continue;
        }
        ensure_written(state, &view)?;
        write_case(state, &view, &content)?;
        // The photos and documents the view carries may be downloaded by its holders.
        crate::blobs::references::store(state, &view.id, &carried_blobs(&content))?;
        let recorded = {
            let mut conn = state.db()?;
            share_versions::record(
                &mut conn,
                &share.id,
                state.now(),
                &share.categories(),
                &digest,
            )?
        };
        if recorded.is_some() {
            done.sent += 1;
        }
        if last.is_none() {
            // The view is new: the partner's devices learn of it through their caseloads.
            state.feed.publish_event(FeedEvent::ScopeChanged {
                organisation_id: share.organisation_id.clone(),
            });
        }
    }
    Ok(done)
}

/// The blobs a view's content names: its attachments and its photo register.
fn carried_blobs(
    content: &casesync_contract::sharing::SharedCase,
) -> std::collections::BTreeSet<String> {
    content
        .attachments
        .iter()
        .map(|a| a.sha256.as_str().to_ascii_lowercase())
        .chain(
            content
                .profile
                .get("photo")
                .map(|p| p.as_str().to_ascii_lowercase()),
        )
        .filter(|h| casesync_contract::wire::is_blob_hash(h))
        .collect()
}

/// Whether the legal basis entry the share rests on has been withdrawn in the case (an
/// entry whose `withdraws` names it).
fn rests_on_withdrawn_basis(case: &CaseDocument, share: &ShareRow) -> bool {
    let Some(entry) = share.rests_on.as_deref() else {
        return false;
    };
    case.legal_bases
        .iter()
        .any(|b| b.withdraws.as_ref().is_some_and(|w| w.as_str() == entry))
}

/// The share's view id; shares made before views existed get one now.
fn view_id_of(state: &AppState, share: &ShareRow) -> Result<DocumentId, DomainError> {
    let id = match &share.view_id {
        Some(id) => id.clone(),
        None => {
            let mut conn = state.db()?;
            shares::ensure_view_id(&mut conn, &share.id, &DocumentId::random().to_string())?
        }
    };
    id.parse()
        .map_err(|_| DomainError::internal("stored shared view id is invalid"))
}
