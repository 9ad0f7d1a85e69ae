//! Where an entry or a value came from: the automerge change that created it. The server
//! knows, per change, which device delivered it and when (its change receipts); the views
//! take that knowledge as a function so that they stay pure.

use automerge::{Automerge, ChangeHash, ObjId, ObjType, ReadDoc, Value, ROOT};

/// What the server recorded when it received a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub device: String,
    pub received_at: i64,
}

/// Looks up the receipt of a change; `None` for changes the server has no receipt for (made
/// by the server itself, or before receipts were kept).
pub trait Receipts {
    fn receipt(&self, change: &ChangeHash) -> Option<Receipt>;
}

impl<F: Fn(&ChangeHash) -> Option<Receipt>> Receipts for F {
    fn receipt(&self, change: &ChangeHash) -> Option<Receipt> {
        self(change)
    }
}

/// No receipts known (a device computing views on its own copy).
pub struct NoReceipts;

impl Receipts for NoReceipts {
    fn receipt(&self, _: &ChangeHash) -> Option<Receipt> {
        None
    }
}

/// The object ids of the elements of a list at the root (`observations`, ...), in order.
pub fn list_element_ids(doc: &Automerge, key: &str) -> Vec<ObjId> {
    match doc.get(ROOT, key) {
        Ok(Some((Value::Object(ObjType::List), list))) => element_ids(doc, &list),
        _ => vec![],
    }
}

/// The object ids of the elements of a list object.
pub fn element_ids(doc: &Automerge, list: &ObjId) -> Vec<ObjId> {
    (0..doc.length(list))
        .filter_map(|idx| match doc.get(list, idx) {
            Ok(Some((Value::Object(_), id))) => Some(id),
            _ => None,
        })
        .collect()
}

/// The change that created an object or wrote a value.
pub fn origin(doc: &Automerge, id: &ObjId) -> Option<ChangeHash> {
    doc.hash_for_opid(id)
}
