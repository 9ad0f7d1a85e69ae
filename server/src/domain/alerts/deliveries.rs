//! Per device: has an alert arrived, has a person acknowledged it. An alert has arrived on a
//! device once the device's heads of the alert document include the change that wrote it;
//! an acknowledgement is an entry the device appended to `acks`.

use automerge::{Automerge, ChangeHash, ObjType, ReadDoc, Value, ROOT};
use casesync_contract::case::values::{display_value, whole_number};
use casesync_contract::DocumentId;

use crate::domain::error::DomainError;
use crate::state::AppState;

/// Records the alerts of `doc` that a device holding `heads` has.
pub fn record_held(
    state: &AppState,
    doc: &DocumentId,
    device: &str,
    heads: &[ChangeHash],
) -> Result<(), DomainError> {
    let held = state
        .engine
        .read(doc, |d| held_alerts(d, heads))?
        .unwrap_or_default();
    if held.is_empty() {
        return Ok(());
    }
    let now = state.now();
    let mut conn = state.db()?;
    for alert in held {
        let first = casesync_schema::alerts::record_delivery(&mut conn, &alert, device, now, None)?;
        if first {
            if let Some(raised_at) = casesync_schema::alerts::raised_at(&mut conn, &alert)? {
                crate::observe::alert_delivered((now - raised_at).max(0) as f64 / 1000.0);
            }
        }
    }
    Ok(())
}

/// Records the acknowledgements the document holds.
pub fn record_acks(state: &AppState, doc: &DocumentId) -> Result<(), DomainError> {
    let acks = state
        .engine
        .read(doc, acknowledgements)?
        .unwrap_or_default();
    let mut conn = state.db()?;
    for (alert, device, at) in acks {
        // An acknowledgement implies delivery; its latency is the device's to tell, not ours.
        casesync_schema::alerts::record_delivery(&mut conn, &alert, &device, at, Some(at))?;
        // An alert a peer raised for us: the peer learns who acknowledged it (once).
        crate::federation::enqueue::alert_acknowledged(state, &alert, &device, at)?;
    }
    Ok(())
}

fn held_alerts(doc: &Automerge, heads: &[ChangeHash]) -> Vec<String> {
    if casesync_sync::history::known(doc, heads).is_empty() {
        return vec![];
    }
    let lacking = casesync_sync::history::not_reached(doc, heads);
    let Ok(Some((Value::Object(ObjType::Map), alerts))) = doc.get(ROOT, "alerts") else {
        return vec![];
    };
    doc.map_range(&alerts, ..)
        .filter(|item| {
            doc.hash_for_opid(&item.id())
                .is_some_and(|hash| !lacking.contains(&hash))
        })
        .map(|item| item.key.to_string())
        .collect()
}

fn acknowledgements(doc: &Automerge) -> Vec<(String, String, i64)> {
    let Ok(Some((Value::Object(ObjType::List), acks))) = doc.get(ROOT, "acks") else {
        return vec![];
    };
    (0..doc.length(&acks))
        .filter_map(|i| {
            let (_, ack) = doc.get(&acks, i).ok()??;
            let text = |key: &str| {
                doc.get(&ack, key)
                    .ok()
                    .flatten()
                    .map(|(v, id)| display_value(doc, &v, &id))
            };
            let at = match doc.get(&ack, "at").ok()?? {
                (Value::Scalar(s), _) => whole_number(&s).unwrap_or_default(),
                _ => 0,
            };
            Some((text("alert_id")?, text("device")?, at))
        })
        .collect()
}
