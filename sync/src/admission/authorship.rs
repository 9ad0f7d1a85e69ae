//! Entries name their writer: an entry a device appends (an observation, an episode event,
//! a risk assessment, a legal basis, a referral, an attachment) carries `author` and `device`,
//! and a timeline shows them as who recorded it. Without this check a phone could put any
//! name there. Nor may it write a `provenance` (the server's record of a partner's
//! contribution). The server's own writes (`Writer::server`) are trusted and not checked.

use std::collections::HashSet;

use automerge::{Automerge, ObjId, ObjType, Prop, ReadDoc};
use casesync_contract::case::values::display_value;
use casesync_contract::permissions::{self, root_zone, Operation, Zone};
use casesync_contract::Role;

use super::{Refusal, Writer};

/// Checks the entries made by this diff (`fresh`) that name a writer.
pub fn check_authorship(
    doc: &Automerge,
    fresh: &HashSet<ObjId>,
    writer: &Writer,
    role: Role,
) -> Result<(), Refusal> {
    for entry in fresh {
        if !matches!(doc.object_type(entry), Ok(ObjType::Map)) {
            continue;
        }
        // A partner's contribution enters a case with its provenance, written by the server
        // from the shared view: a device never writes one.
        // (Rust apps write an absent one as null: that is no provenance.)
        let written = matches!(doc.get(entry, "provenance"), Ok(Some((value, _)))
            if !matches!(value, automerge::Value::Scalar(ref s) if s.is_null()));
        if written {
            let (zone, path) = where_is(doc, entry);
            return Err(Refusal::Denied(permissions::Denial {
                rule: "provenance_is_written_by_the_server",
                role,
                zone,
                operation: Operation::Append,
                path: format!("{path}.provenance"),
            }));
        }
        // A meeting action's `done` names who carried it out: the writer.
        let done = is_action_done(doc, entry);
        let fields: &[(&str, &String)] = if done {
            &[("by", &writer.user)]
        } else {
            &[("author", &writer.user), ("device", &writer.device)]
        };
        for (field, expected) in fields.iter().copied() {
            let Ok(Some((value, id))) = doc.get(entry, field) else {
                continue;
            };
            let named = display_value(doc, &value, &id);
            if named != *expected {
                let (zone, path) = where_is(doc, entry);
                return Err(Refusal::Denied(permissions::Denial {
                    rule: "entries_name_their_writer",
                    role,
                    zone,
                    operation: Operation::Append,
                    path: format!("{path}.{field} = {named} (written by {expected})"),
                }));
            }
        }
    }
    Ok(())
}

/// Whether `obj` is the `done` register of a strategy meeting's action.
fn is_action_done(doc: &Automerge, obj: &ObjId) -> bool {
    let Ok(parents) = doc.parents(obj) else {
        return false;
    };
    let path = parents.path();
    matches!(path.first(), Some((_, Prop::Map(root))) if root == "strategy_meetings")
        && matches!(path.last(), Some((_, Prop::Map(key))) if key == "done")
}

/// The zone and path of an object, for the refusal's message.
fn where_is(doc: &Automerge, obj: &ObjId) -> (Zone, String) {
    let Ok(parents) = doc.parents(obj) else {
        return (Zone::Unknown, String::new());
    };
    let path = parents.path();
    let zone = match path.first() {
        Some((_, Prop::Map(key))) => root_zone(key),
        _ => Zone::Unknown,
    };
    let zone = match (zone, path.get(2)) {
        (Zone::Episodes, Some((_, Prop::Map(key)))) if key == "events" => Zone::EpisodeEvents,
        (Zone::StrategyMeetings, _) if matches!(path.last(), Some((_, Prop::Map(key))) if key == "done") => {
            Zone::MeetingActionDone
        }
        (zone, _) => zone,
    };
    let mut rendered = String::new();
    for (_, prop) in &path {
        match prop {
            Prop::Map(key) => {
                if !rendered.is_empty() {
                    rendered.push('.');
                }
                rendered.push_str(key);
            }
            Prop::Seq(index) => rendered.push_str(&format!("[{index}]")),
        }
    }
    (zone, rendered)
}
