//! The JSON Schema of the alert document (`docs/alert-document.schema.json`), derived from
//! the alert types and completed with what they do not say: the document's constants, the
//! append-only `acks`, and the catalogue keys an alert's text may carry.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde_json::{json, Value};

use super::schema::{APPEND_ONLY, KNOWN_KEYS};
use crate::alerts::{AlertAck, AlertEntry};
use crate::i18n::{Catalogue, Language};

/// The alert document as devices hold it (shape v1). The server writes it; devices append
/// to `acks` only.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct AlertDocument {
    kind: String,
    schema_version: i64,
    organisation: String,
    /// The site whose devices hold it; absent from an organisation's coordinators' document.
    site: Option<String>,
    /// Alert id -> alert.
    alerts: BTreeMap<String, AlertEntry>,
    acks: Vec<AlertAck>,
}

/// The catalogue keys alerts use (`alert-*`), from the English file.
fn alert_keys() -> Vec<String> {
    Catalogue::source(Language::En)
        .lines()
        .filter_map(|line| line.split_once(" = ").map(|(id, _)| id.trim()))
        .filter(|id| id.starts_with("alert-"))
        .map(str::to_string)
        .collect()
}

pub fn alert_document_schema() -> Value {
    let mut schema = schemars::schema_for!(AlertDocument).to_value();
    schema["$id"] = json!("casesync:alert-document/v1");
    schema["title"] = json!("casesync alert document, shape v1");
    let root = &mut schema["properties"];
    root["schema_version"]["const"] = json!(1);
    root["kind"]["const"] = json!("alerts");
    root["acks"][APPEND_ONLY] = json!(true);
    let entry = &mut schema["$defs"]["AlertEntry"]["properties"];
    entry["status"]["enum"] = json!(["open", "stood_down"]);
    entry["message_key"][KNOWN_KEYS] = json!(alert_keys());
    schema
}
