//! What a partner records in a shared view (a sighting, a located report, a note) goes into
//! the source case as the partner's entry, with a `provenance` only the server writes. Runs
//! as the view's derive step (the outbox), so a contribution admitted on the view is never
//! lost to a crash; entry ids come from the contribution's, so a second run writes nothing.
//!
//! A `located` report moves the open episode of the case as a staff report would: it is an
//! episode event, and the case's own derive run applies the same safety-first rules to it
//! (concurrent reports that disagree count as missing). With no open episode it is kept as a
//! sighting: a report is never dropped.

use std::collections::BTreeSet;

use automerge::ROOT;
use autosurgeon::hydrate_prop;
use casesync_contract::case::edit::append_episode_event;
use casesync_contract::case::{
    append, read_case_causal, CaseLog, EditError, EpisodeEvent, Observation, Provenance, Str,
};
use casesync_contract::sharing::{contribution_entry, ContributedEntry, Contribution};
use casesync_contract::views::child_status;
use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;
use casesync_schema::access::shares;
use casesync_sync::Writer;

use crate::domain::error::DomainError;
use crate::domain::server_write::server_write;
use crate::state::AppState;

/// Admits the view's contributions not yet in the source case. Returns how many.
pub fn admit_contributions(state: &AppState, view: &DocumentId) -> Result<usize, DomainError> {
    let Some(share) = ({
        let mut conn = state.db()?;
        shares::by_view(&mut conn, &view.to_string())?
    }) else {
        return Ok(0);
    };
    let contributions: Vec<Contribution> = state
        .engine
        .read(view, |doc| hydrate_prop(doc, ROOT, "contributions").ok())?
        .flatten()
        .unwrap_or_default();
    if contributions.is_empty() {
        return Ok(0);
    }
    let case_id: DocumentId = share
        .document_id
        .parse()
        .map_err(|_| DomainError::internal("stored case id is invalid"))?;
    let Some(case) = state
        .engine
        .read(&case_id, |doc| read_case_causal(doc).ok())?
        .flatten()
    else {
        return Ok(0); // erased since
    };
    let present: BTreeSet<&str> = case
        .observations
        .iter()
        .map(|o| o.id.as_str())
        .chain(
            case.episodes
                .iter()
                .flat_map(|e| e.events.iter().map(|ev| ev.id.as_str())),
        )
        .collect();
    let open_episode = child_status(&case.episodes).1.map(|v| v.id);
    let entries: Vec<ContributedEntry> = contributions
        .iter()
        .map(|c| {
            let provenance = Provenance {
                organisation: Str::from(share.organisation_id.as_str()),
                user: c.author.clone(),
                device: c.device.clone(),
                view: Str::from(view.to_string()),
                contribution: c.id.clone(),
            };
            contribution_entry(c, provenance)
        })
        .filter(|entry| !present.contains(entry.id().as_str()))
        .collect();
    if entries.is_empty() {
        return Ok(0);
    }
    let count = entries.len();
    let writer = Writer::server(&case.organisation.0);
    server_write(state, &case_id, DocumentKind::Case, &writer, None, |tx| {
        for entry in &entries {
            let written = match entry {
                ContributedEntry::Observation(observation) => {
                    append(tx, CaseLog::Observations, observation)
                }
                ContributedEntry::Located { event } => match &open_episode {
                    Some(episode) => match append_episode_event(tx, episode, event) {
                        Ok(true) => Ok(()),
                        Ok(false) => Err(EditError::MissingLog("episodes[] (the open episode)")),
                        Err(e) => Err(e),
                    },
                    None => append(tx, CaseLog::Observations, &located_as_sighting(event)),
                },
            };
            // The error's text is what the derive run records; the type is large.
            written.map_err(|e| e.to_string())?;
        }
        Ok::<(), String>(())
    })?;
    Ok(count)
}

/// A located report when the child is not away: kept as a sighting where it was seen.
fn located_as_sighting(event: &EpisodeEvent) -> Observation {
    Observation {
        id: event.id.clone(),
        kind: Str::from("sighting"),
        text: event
            .note
            .clone()
            .unwrap_or_else(|| Str::from("reported located")),
        observed_at: event.observed_at,
        place: event
            .details
            .as_ref()
            .and_then(|d| d.get("found_place").cloned()),
        author: event.author.clone(),
        device: event.device.clone(),
        attachments: None,
        provenance: event.provenance.clone(),
    }
}
