//! Which parts of a document an admitted batch wrote, for the work that follows it.

use std::collections::BTreeSet;

use automerge::{Patch, PatchAction, Prop};

/// The root keys under which the patches changed something, and for entries of a root
/// list (a log such as `observations`), the fields written in them as `observations.field`.
pub(super) fn touched_root_keys(patches: &[Patch]) -> BTreeSet<String> {
    let mut touched = BTreeSet::new();
    for patch in patches {
        let field = match &patch.action {
            PatchAction::PutMap { key, .. }
            | PatchAction::DeleteMap { key }
            | PatchAction::Increment {
                prop: Prop::Map(key),
                ..
            }
            | PatchAction::Conflict {
                prop: Prop::Map(key),
            } => Some(key),
            _ => None,
        };
        match patch.path.as_slice() {
            [] => touched.extend(field.cloned()),
            [(_, Prop::Map(root)), rest @ ..] => {
                touched.insert(root.clone());
                match (rest, field) {
                    // A field written empty (`null`, as typed models write absent options)
                    // brings nothing the server derives anything from.
                    ([(_, Prop::Seq(_))], Some(field)) if !writes_null(&patch.action) => {
                        touched.insert(format!("{root}.{field}"));
                    }
                    ([(_, Prop::Seq(_)), (_, Prop::Map(field)), ..], _) => {
                        touched.insert(format!("{root}.{field}"));
                    }
                    _ => {}
                }
            }
            _ => {} // the root is a map
        }
    }
    touched
}

fn writes_null(action: &PatchAction) -> bool {
    matches!(
        action,
        PatchAction::PutMap { value: (automerge::Value::Scalar(v), _), .. }
            if matches!(v.as_ref(), automerge::ScalarValue::Null)
    )
}
