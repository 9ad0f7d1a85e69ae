//! What a case document never holds, refused before automerge applies a change.
//!
//! Case documents are maps, lists, strings (plain or as text objects, as JavaScript writes
//! them), numbers and counters: nothing in the contract marks a span of text. Automerge's
//! mark index is also where fuzzing found a change that panics automerge 0.12 in a debug
//! assertion and again in a destructor while unwinding, which aborts the process (no
//! `catch_unwind` survives a panic during a panic). Release builds compile the assertion out
//! and store a wrong mark index instead. Either way a device must not reach that code, so a
//! change with a mark operation is refused on its bytes, before it is applied anywhere.

use automerge::legacy::OpType;
use automerge::Change;

use crate::contain::contain;

/// Why `change` cannot be part of a case document, or `None` when it may be admitted.
pub fn unsupported_operations(change: &Change) -> Option<String> {
    let decoded = match contain("a change's operations", || change.decode()) {
        Ok(decoded) => decoded,
        Err(why) => return Some(why),
    };
    let marks = decoded
        .operations
        .iter()
        .filter(|op| matches!(op.action, OpType::MarkBegin(_) | OpType::MarkEnd(_)))
        .count();
    (marks > 0).then(|| {
        format!("{marks} text mark operation(s): case documents carry no marks on their text")
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use automerge::marks::{ExpandMark, Mark};
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ObjType, ScalarValue, ROOT};

    use super::unsupported_operations;

    fn last_change(doc: &mut AutoCommit) -> automerge::Change {
        let heads = doc.get_heads();
        doc.get_change_by_hash(&heads[0]).unwrap().clone()
    }

    #[test]
    fn plain_edits_pass_and_a_mark_is_refused() {
        let mut doc = AutoCommit::new();
        let notes = doc.put_object(ROOT, "notes", ObjType::Text).unwrap();
        doc.splice_text(&notes, 0, 0, "seen at the station")
            .unwrap();
        doc.put(ROOT, "count", 3).unwrap();
        doc.commit();
        assert_eq!(unsupported_operations(&last_change(&mut doc)), None);

        doc.mark(
            &notes,
            Mark::new("bold".into(), ScalarValue::Boolean(true), 0, 4),
            ExpandMark::None,
        )
        .unwrap();
        doc.commit();
        let why = unsupported_operations(&last_change(&mut doc)).unwrap();
        assert!(why.contains("2 text mark operation(s)"), "{why}");
    }
}
