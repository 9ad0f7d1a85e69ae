//! Admission rules for alert documents: the server writes alerts; a device may only append
//! acknowledgements to `acks`, each naming that device itself.

use std::collections::HashSet;

use automerge::{Automerge, ChangeHash, ObjId, PatchAction, ReadDoc, Value, ROOT};
use casesync_contract::case::values::display_value;
use casesync_contract::permissions::{Denial, Operation, Zone};

use super::{Refusal, Writer};

pub fn check_alerts(
    doc: &Automerge,
    before: &[ChangeHash],
    writer: &Writer,
) -> Result<(), Refusal> {
    let Some(role) = writer.role else {
        return Ok(()); // the server
    };
    let deny = |path: String| {
        Refusal::Denied(Denial {
            rule: "alerts_acknowledge_only",
            role,
            zone: Zone::Identity,
            operation: Operation::Edit,
            path,
        })
    };
    let acks = match doc.get(ROOT, "acks") {
        Ok(Some((Value::Object(_), id))) => id,
        _ => return Err(deny("acks".into())),
    };
    let patches = doc.diff(before, &doc.get_heads());
    let mut fresh: HashSet<ObjId> = HashSet::new();
    for patch in &patches {
        if let PatchAction::Insert { values, .. } = &patch.action {
            if patch.obj == acks {
                fresh.extend(values.iter().map(|(_, id, _)| id.clone()));
                continue;
            }
        }
        if !fresh.contains(&patch.obj) {
            return Err(deny(format!(
                "{:?}",
                patch
                    .path
                    .iter()
                    .map(|(_, p)| p.to_string())
                    .collect::<Vec<_>>()
            )));
        }
    }
    for ack in &fresh {
        let device = match doc.get(ack, "device") {
            Ok(Some((value, id))) => display_value(doc, &value, &id),
            _ => String::new(),
        };
        if device != writer.device {
            return Err(deny(
                "acks[].device must name the acknowledging device".into(),
            ));
        }
    }
    Ok(())
}
