//! Admission rules for shared views: the server writes the view; a partner's device may only
//! append contributions (a sighting, a located report, a note) to `contributions`, each
//! naming that device and its user, and each well formed. The server then admits them into
//! the source case with their provenance (`server/src/domain/shared_views`).

use std::collections::HashSet;

use automerge::{Automerge, ChangeHash, ObjId, PatchAction, ReadDoc, Value, ROOT};
use casesync_contract::case::ShapeError;
use casesync_contract::permissions::{Denial, Operation, Zone};
use casesync_contract::sharing::{check_contribution, Contribution};
use casesync_contract::Role;

use super::{Refusal, Writer};

pub fn check_view(doc: &Automerge, before: &[ChangeHash], writer: &Writer) -> Result<(), Refusal> {
    let Some(role) = writer.role else {
        return Ok(()); // the server
    };
    let contributions = match doc.get(ROOT, "contributions") {
        Ok(Some((Value::Object(_), id))) => id,
        _ => return Err(deny(role, "contributions".into())),
    };
    let patches = doc.diff(before, &doc.get_heads());
    let mut fresh: HashSet<ObjId> = HashSet::new();
    for patch in &patches {
        if let PatchAction::Insert { values, .. } = &patch.action {
            if patch.obj == contributions {
                fresh.extend(values.iter().map(|(_, id, _)| id.clone()));
                continue;
            }
        }
        // Inside a new contribution (its fields, and text objects in them) is part of it.
        let inside =
            fresh.contains(&patch.obj) || patch.path.iter().any(|(o, _)| fresh.contains(o));
        if !inside {
            let path: Vec<String> = patch.path.iter().map(|(_, p)| p.to_string()).collect();
            return Err(deny(role, path.join(".")));
        }
    }
    for idx in 0..doc.length(&contributions) {
        let Ok(Some((Value::Object(_), entry))) = doc.get(&contributions, idx) else {
            continue;
        };
        if !fresh.contains(&entry) {
            continue;
        }
        let contribution: Contribution = autosurgeon::hydrate_prop(doc, &contributions, idx)
            .map_err(|e| ShapeError::Unreadable(format!("contributions[{idx}]: {e}")))?;
        check_contribution(&contribution)
            .map_err(|e| ShapeError::Unreadable(format!("contributions[{idx}]: {e}")))?;
        // Through a peer server, the entries name that server's people, whom this server
        // does not know: the peer answers for them (its certificate stands for it).
        if writer.peer.is_some() {
            if contribution.author.as_str().is_empty() || contribution.device.as_str().is_empty() {
                return Err(deny(role, format!("contributions[{idx}] names nobody")));
            }
            continue;
        }
        for (field, named, expected) in [
            ("author", contribution.author.as_str(), &writer.user),
            ("device", contribution.device.as_str(), &writer.device),
        ] {
            if named != expected {
                return Err(Refusal::Denied(Denial {
                    rule: "entries_name_their_writer",
                    role,
                    zone: Zone::Observations,
                    operation: Operation::Append,
                    path: format!("contributions[{idx}].{field} = {named} (written by {expected})"),
                }));
            }
        }
    }
    Ok(())
}

fn deny(role: Role, path: String) -> Refusal {
    Refusal::Denied(Denial {
        rule: "shared_view_contributions_only",
        role,
        zone: Zone::Identity,
        operation: Operation::Edit,
        path,
    })
}
