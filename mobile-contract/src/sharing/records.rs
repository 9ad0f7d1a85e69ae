//! The records of a case (`crate::case::records`) as a view carries them: one list of
//! [`SharedRecord`]s, each its log's name, id, time and fields as text, without anybody of
//! the source organisation named (no `author`, `device`, action `owner`, `done.by`).

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::covered::Covered;
use crate::case::{CaseDocument, CaseLog, Millis, Str};

/// Fields that name a person of the source organisation: never carried.
const STAFF_FIELDS: &[&str] = &["author", "device", "owner", "by", "provenance"];
/// The field holding each record log's time.
const TIME_FIELDS: &[&str] = &[
    "held_at",
    "checked_at",
    "referred_at",
    "requested_at",
    "sent_at",
];

/// One record of a shared case.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct SharedRecord {
    /// The record log it comes from (`police_instruments`, `notifications`, ...).
    pub log: Str,
    pub id: Str,
    pub at: Millis,
    /// The record's other fields: text as written, numbers and yes/no as text, lists and
    /// maps (a meeting's actions) as JSON.
    pub fields: BTreeMap<String, Str>,
}

/// The records of the logs the shared categories cover, by time then id.
pub(super) fn shared_records(case: &CaseDocument, covered: &Covered) -> Vec<SharedRecord> {
    let Ok(serde_json::Value::Object(whole)) = serde_json::to_value(case) else {
        return vec![];
    };
    let mut records = vec![];
    for log in CaseLog::RECORDS.iter().filter(|l| covered.log(l.key())) {
        let entries = whole.get(log.key()).and_then(|v| v.as_array());
        for entry in entries.into_iter().flatten() {
            if let Some(record) = shared_record(log.key(), entry) {
                records.push(record);
            }
        }
    }
    records.sort_by(|a, b| (a.at, &a.id, &a.log).cmp(&(b.at, &b.id, &b.log)));
    records
}

fn shared_record(log: &str, entry: &serde_json::Value) -> Option<SharedRecord> {
    let mut entry = entry.clone();
    strip_staff(&mut entry);
    let serde_json::Value::Object(fields) = entry else {
        return None;
    };
    let id = fields.get("id")?.as_str()?.to_string();
    let at = TIME_FIELDS
        .iter()
        .find_map(|f| fields.get(*f).and_then(|v| v.as_i64()))
        .unwrap_or_default();
    let fields = fields
        .into_iter()
        .filter(|(key, value)| key != "id" && !value.is_null())
        .map(|(key, value)| {
            let text = match value {
                serde_json::Value::String(s) => s,
                serde_json::Value::Bool(true) => "yes".into(),
                serde_json::Value::Bool(false) => "no".into(),
                serde_json::Value::Number(n) => n.to_string(),
                other => other.to_string(),
            };
            (key, Str(text))
        })
        .collect();
    Some(SharedRecord {
        log: Str::from(log),
        id: Str(id),
        at: Millis(at),
        fields,
    })
}

fn strip_staff(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.retain(|key, _| !STAFF_FIELDS.contains(&key.as_str()));
            map.values_mut().for_each(strip_staff);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_staff),
        _ => {}
    }
}
