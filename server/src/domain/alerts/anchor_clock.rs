//! The server's side of a deadline's start: when it received the event a checklist is
//! anchored to. A phone's clock can be hours off (never set, reset by a flat battery, or
//! changed by hand); `casesync_contract::deadlines::anchor_time` decides which time counts,
//! this finds the receipt to check the phone's time against.

use automerge::{Automerge, ObjId, ObjType, ReadDoc, Value, ROOT};
use casesync_contract::views::provenance::{element_ids, list_element_ids, origin};
use casesync_contract::DocumentId;

use crate::domain::error::DomainError;
use crate::state::AppState;

/// What a checklist is anchored to.
pub enum Anchored<'a> {
    /// The case's creation (intake).
    Creation,
    /// An episode event, by the ids the case gives them.
    Event { episode: &'a str, event: &'a str },
}

/// When the server received the change that recorded `anchored`, if it keeps a receipt for
/// it (none for what the server wrote itself).
pub fn received_at(
    state: &AppState,
    id: &DocumentId,
    anchored: Anchored<'_>,
) -> Result<Option<i64>, DomainError> {
    let Some(Some(change)) = state.engine.peek(id, |doc| origin_of(doc, &anchored))? else {
        return Ok(None);
    };
    let mut conn = state.db()?;
    Ok(casesync_schema::store::received_at(&mut conn, id, &change)?)
}

fn origin_of(doc: &Automerge, anchored: &Anchored<'_>) -> Option<automerge::ChangeHash> {
    match anchored {
        Anchored::Creation => {
            let (_, value) = doc.get(ROOT, "created_at").ok()??;
            origin(doc, &value)
        }
        Anchored::Event { episode, event } => {
            let episode = list_element_ids(doc, "episodes")
                .into_iter()
                .find(|e| string_at(doc, e, "id").as_deref() == Some(*episode))?;
            let events = match doc.get(&episode, "events").ok()?? {
                (Value::Object(ObjType::List), events) => events,
                _ => return None,
            };
            let event = element_ids(doc, &events)
                .into_iter()
                .find(|e| string_at(doc, e, "id").as_deref() == Some(*event))?;
            origin(doc, &event)
        }
    }
}

/// A string field of a map, whether written as a scalar or as a text object.
fn string_at(doc: &Automerge, map: &ObjId, key: &str) -> Option<String> {
    match doc.get(map, key).ok()?? {
        (Value::Scalar(s), _) => s.as_str().map(str::to_string),
        (Value::Object(ObjType::Text), text) => doc.text(&text).ok(),
        _ => None,
    }
}
