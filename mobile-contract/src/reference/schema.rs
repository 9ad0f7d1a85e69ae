//! The JSON Schema of the case document, derived from the model types (so it cannot drift)
//! and completed with what the types do not say: the vocabularies of `case/vocabulary.rs`,
//! the constants of shape v1 and which lists are append-only logs.

use std::borrow::Cow;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde_json::{json, Value};

use crate::sharing::{
    SharedViewDocument, CONTRIBUTION_KINDS, SHARED_VIEW_KIND, SHARED_VIEW_SCHEMA_VERSION,
};
use crate::wire::DATA_CATEGORIES;

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

/// The shared view schema, as written to `docs/shared-view.schema.json`.
pub fn shared_view_schema() -> Value {
    let mut schema = schemars::schema_for!(SharedViewDocument).to_value();
    let version = SHARED_VIEW_SCHEMA_VERSION;
    schema["$id"] = json!(format!("casesync:shared-view/v{version}"));
    schema["title"] = json!(format!("casesync shared view, shape v{version}"));
    let root = &mut schema["properties"];
    root["schema_version"]["const"] = json!(version);
    root["kind"]["const"] = json!(SHARED_VIEW_KIND);
    root["legal_basis"]["enum"] = json!(LEGAL_BASES);
    root["categories"]["items"]["enum"] = json!(DATA_CATEGORIES);
    root["contributions"][APPEND_ONLY] = json!(true);
    let defs = &mut schema["$defs"];
    defs["Contribution"]["properties"]["kind"]["enum"] = json!(CONTRIBUTION_KINDS);
    let case = &mut defs["SharedCase"]["properties"];
    case["profile"]["propertyNames"] = json!({ "enum": names(PROFILE_FIELDS) });
    case["facts"]["propertyNames"] = json!({ "enum": EPISODE_DETAIL_KEYS });
    defs["SharedObservation"]["properties"]["kind"]["enum"] = json!(OBSERVATION_KINDS);
    let event = &mut defs["SharedEpisodeEvent"]["properties"];
    event["state"]["enum"] = json!(EpisodeState::ALL.map(EpisodeState::as_str));
    event["details"]["propertyNames"] = json!({ "enum": EPISODE_DETAIL_KEYS });
    for level in ["level", "advisory_level"] {
        defs["SharedRiskAssessment"]["properties"][level]["enum"] = json!(RISK_LEVELS);
    }
    defs["SharedChecklistStep"]["properties"]["status"]["enum"] = json!(STEP_STATUSES);
    defs["SharedLegalBasis"]["properties"]["basis"]["enum"] = json!(LEGAL_BASES);
    defs["SharedReferral"]["properties"]["legal_basis"]["enum"] = json!(LEGAL_BASES);
    defs["SharedAttachment"]["properties"]["sha256"]["pattern"] = json!("^[0-9a-fA-F]{64}$");
    schema
}

fn names(pairs: &[(&str, &str)]) -> Vec<String> {
    pairs.iter().map(|(name, _)| name.to_string()).collect()
}
