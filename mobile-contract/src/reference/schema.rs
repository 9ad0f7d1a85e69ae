//! The JSON Schema of the case document, derived from the model types (so it cannot drift)
//! and completed with what the types do not say: the vocabularies of `case/vocabulary.rs`,
//! the constants of shape v1 and which lists are append-only logs.

use std::borrow::Cow;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde_json::{json, Value};

use crate::case::{
    CaseDocument, CaseLog, EpisodeState, Millis, Str, Whole, CASE_KIND, EPISODE_DETAIL_KEYS,
    LEGAL_BASES, OBSERVATION_KINDS, PROFILE_FIELDS, RISK_LEVELS, SCHEMA_VERSION, STEP_STATUSES,
};

impl JsonSchema for Str {
    fn schema_name() -> Cow<'static, str> {
        "Str".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "Text. Stored either as a scalar string (Rust, Swift, JS `new ImmutableString(...)`) or as a text object (what JS automerge 3 makes of a plain string); both read the same. Written whole, never spliced."
        })
    }
}

impl JsonSchema for Millis {
    fn schema_name() -> Cow<'static, str> {
        "Millis".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "integer",
            "description": "A point in time: milliseconds since the Unix epoch (UTC). Stored as an integer, a float with no fractional part (a plain JS number) or an automerge timestamp (a JS `Date`)."
        })
    }
}

impl JsonSchema for Whole {
    fn schema_name() -> Cow<'static, str> {
        "Whole".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "integer",
            "description": "A whole number (versions, sizes, counts). Stored as an integer or a float with no fractional part (a plain JS number)."
        })
    }
}

/// The annotation that marks an append-only log in the schema.
pub const APPEND_ONLY: &str = "x-append-only";
/// The annotation that lists the keys of a map that have a meaning, where other keys are
/// kept but not refused (unlike `propertyNames`, which the server enforces).
pub const KNOWN_KEYS: &str = "x-known-keys";

/// The case document schema, shape v1, as written to `docs/case-document.schema.json`.
pub fn case_document_schema() -> Value {
    let mut schema = schemars::schema_for!(CaseDocument).to_value();
    schema["$id"] = json!(format!("casesync:case-document/v{SCHEMA_VERSION}"));
    schema["title"] = json!(format!("casesync case document, shape v{SCHEMA_VERSION}"));
    let root = &mut schema["properties"];
    root["schema_version"]["const"] = json!(SCHEMA_VERSION);
    root["kind"]["const"] = json!(CASE_KIND);
    root["profile"]["propertyNames"] = json!({ "enum": names(PROFILE_FIELDS) });
    for log in CaseLog::ALL {
        root[log.key()][APPEND_ONLY] = json!(true);
    }
    let defs = &mut schema["$defs"];
    defs["EpisodeEvent"]["properties"]["state"]["enum"] =
        json!(EpisodeState::ALL.map(EpisodeState::as_str));
    defs["Episode"]["properties"]["events"][APPEND_ONLY] = json!(true);
    defs["EpisodeEvent"]["properties"]["details"][KNOWN_KEYS] = json!(EPISODE_DETAIL_KEYS);
    defs["Observation"]["properties"]["kind"]["enum"] = json!(OBSERVATION_KINDS);
    for level in ["level", "advisory_level"] {
        defs["RiskAssessment"]["properties"][level]["enum"] = json!(RISK_LEVELS);
    }
    defs["ChecklistStep"]["properties"]["status"]["enum"] = json!(STEP_STATUSES);
    defs["LegalBasis"]["properties"]["basis"]["enum"] = json!(LEGAL_BASES);
    defs["Referral"]["properties"]["legal_basis"]["enum"] = json!(LEGAL_BASES);
    defs["AttachmentRef"]["properties"]["sha256"]["pattern"] = json!("^[0-9a-fA-F]{64}$");
    schema
}

fn names(pairs: &[(&str, &str)]) -> Vec<String> {
    pairs.iter().map(|(name, _)| name.to_string()).collect()
}
