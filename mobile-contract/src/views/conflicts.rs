//! Profile conflicts: a register that devices wrote concurrently keeps every value
//! (automerge `get_all`), and the case shows the conflict until a coordinator picks or writes
//! a value.

use automerge::{Automerge, ObjType, ReadDoc, Value, ROOT};
use serde::{Deserialize, Serialize};

use super::provenance::{origin, Receipts};
use crate::case::values::display_value;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldConflict {
    /// Path of the register, e.g. `profile.given_name`.
    pub field: String,
    pub values: Vec<ConflictingValue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConflictingValue {
    pub value: String,
    /// Hex hash of the change that wrote it.
    pub change: Option<String>,
    pub delivered_by: Option<String>,
    pub received_at: Option<i64>,
}

/// Every profile register that currently holds more than one value.
pub fn profile_conflicts(doc: &Automerge, receipts: &dyn Receipts) -> Vec<FieldConflict> {
    let Ok(Some((Value::Object(ObjType::Map), profile))) = doc.get(ROOT, "profile") else {
        return vec![];
    };
    let mut conflicts = Vec::new();
    for key in doc.keys(&profile) {
        let Ok(values) = doc.get_all(&profile, key.as_str()) else {
            continue;
        };
        if values.len() < 2 {
            continue;
        }
        let mut values: Vec<ConflictingValue> = values
            .iter()
            .map(|(value, id)| {
                let change = origin(doc, id);
                let receipt = change.and_then(|h| receipts.receipt(&h));
                ConflictingValue {
                    value: display_value(doc, value, id),
                    change: change.map(|h| h.to_string()),
                    delivered_by: receipt.as_ref().map(|r| r.device.clone()),
                    received_at: receipt.map(|r| r.received_at),
                }
            })
            .collect();
        values.sort_by(|a, b| a.value.cmp(&b.value));
        conflicts.push(FieldConflict {
            field: format!("profile.{key}"),
            values,
        });
    }
    conflicts
}
