//! The partner organisation's side of a shared case: its people hold the share's view, not
//! the case, and what they report goes into the view's contributions, from where the server
//! admits it into the case with its provenance.

use automerge::{AutoCommit, ObjType, ReadDoc, Value, ROOT};
use autosurgeon::reconcile_insert;
use casesync_contract::case::{Millis, Str};
use casesync_contract::sharing::Contribution;
use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;

use super::cast::Member;
use super::entry::Entry;
use super::story::new_entry_id;
use super::DemoError;
use crate::pipeline::commit::{committed, Author};
use crate::pipeline::device_writer;
use crate::state::AppState;

/// `by` records `entry` (a `sighting`, `located` or `note`) in the shared view, and the phone
/// syncs at `entry.synced`; returns when the server has admitted it into the case.
pub fn contribute(
    state: &AppState,
    by: &Member,
    view: &DocumentId,
    entry: Entry<'_>,
    kind: &str,
) -> Result<(), DemoError> {
    let contribution = Contribution {
        id: Str(new_entry_id("contrib")),
        kind: Str::from(kind),
        text: Str::from(entry.text),
        observed_at: Millis(entry.at),
        place: entry.place.map(Str::from),
        author: Str(by.device.user_id.clone()),
        device: Str(by.device.device_id.clone()),
    };
    let saved = state
        .engine
        .read(view, |doc| doc.save())?
        .ok_or_else(|| DemoError::Failed(format!("shared view {view} is not written")))?;
    let mut doc = AutoCommit::load(&saved)?.with_actor(by.actor.clone());
    let before = doc.get_heads();
    let list = match doc.get(ROOT, "contributions")? {
        Some((Value::Object(ObjType::List), list)) => list,
        _ => {
            return Err(DemoError::Failed(
                "the view has no contributions list".into(),
            ))
        }
    };
    let end = doc.length(&list);
    reconcile_insert(&mut doc, list, end, &contribution)
        .map_err(|e| DemoError::Failed(e.to_string()))?;
    let changes: Vec<Vec<u8>> = doc
        .get_changes(&before)
        .into_iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    let admitted = state
        .engine
        .admit(
            view,
            DocumentKind::SharedView,
            &device_writer(&by.device),
            &changes,
            None,
            entry.synced,
        )
        .map_err(|refusal| {
            DemoError::Failed(format!(
                "{} could not write shared view {view}: {refusal}",
                by.device.device_name
            ))
        })?;
    if let Some(ticket) = committed(state, view, &admitted, Author::Device(&by.device.device_id)) {
        state.projections.wait(ticket);
    }
    Ok(())
}
