//! Markdown tables of the case document's keys, read from its JSON Schema so that the page
//! says exactly what the schema (and so the model types) say.

use serde_json::Value;

use super::schema::{APPEND_ONLY, KNOWN_KEYS};
use crate::case::PROFILE_FIELDS;
use crate::permissions::{root_zone, Zone};

/// The keys of an object schema: required ones in declaration order, then optional ones.
fn keys(object: &Value) -> Vec<(String, bool)> {
    let required: Vec<String> = object["required"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|k| k.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let mut out: Vec<(String, bool)> = required.iter().map(|k| (k.clone(), true)).collect();
    if let Some(props) = object["properties"].as_object() {
        for key in props.keys().filter(|k| !required.contains(k)) {
            out.push((key.clone(), false));
        }
    }
    out
}

/// How a property's type reads to a person, with links to the entry types.
fn type_of(prop: &Value) -> String {
    if let Some(reference) = prop["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return match name {
            "Str" => "text".into(),
            "Millis" => "time".into(),
            "Whole" => "integer".into(),
            other => format!("[{other}](#{})", other.to_ascii_lowercase()),
        };
    }
    if let Some(variants) = prop["anyOf"].as_array() {
        let types: Vec<String> = variants
            .iter()
            .filter(|v| v["type"] != "null")
            .map(type_of)
            .collect();
        return types.join(" or ");
    }
    let kind = match &prop["type"] {
        Value::Array(types) => types
            .iter()
            .find(|t| *t != "null")
            .and_then(Value::as_str)
            .unwrap_or("any"),
        other => other.as_str().unwrap_or("any"),
    };
    match kind {
        "array" => format!("list of {}", type_of(&prop["items"])),
        "object" => format!("map of key → {}", type_of(&prop["additionalProperties"])),
        "boolean" => "bool".into(),
        other => other.into(),
    }
}

/// What a property means: its description, allowed values and log marker.
fn meaning_of(prop: &Value) -> String {
    let mut parts = vec![];
    let values: Vec<String> = prop["enum"]
        .as_array()
        .map(|v| v.iter().map(|v| format!("`{}`", plain(v))).collect())
        .unwrap_or_default();
    if let Some(description) = prop["description"].as_str() {
        // Sentences that only point at Rust items (intra-doc links) say nothing here, and
        // one that already names every value needs no "One of" after it.
        let kept: Vec<&str> = description
            .split_inclusive(". ")
            .filter(|sentence| !sentence.contains("[`"))
            .collect();
        let text = kept.concat().replace('\n', " ");
        if !text.trim().is_empty() {
            parts.push(text.trim().to_string());
        }
    }
    let described = parts
        .first()
        .is_some_and(|d| values.iter().all(|v| d.contains(v.as_str())));
    if !values.is_empty() && !described {
        parts.push(format!("One of {}.", values.join(", ")));
    }
    if let Some(value) = prop.get("const") {
        parts.push(format!("Always `{}`.", plain(value)));
    }
    if let Some(pattern) = prop["pattern"].as_str() {
        parts.push(format!("Matches `{pattern}`."));
    }
    if prop[APPEND_ONLY] == true {
        parts.push("**Append-only log.**".into());
    }
    if let Some(known) = prop[KNOWN_KEYS].as_array() {
        let known: Vec<String> = known.iter().map(|k| format!("`{}`", plain(k))).collect();
        parts.push(format!("Keys: {}.", known.join(", ")));
    }
    if let Some(names) = prop["propertyNames"]["enum"].as_array() {
        let profile = names.len() == PROFILE_FIELDS.len()
            && names.iter().zip(PROFILE_FIELDS).all(|(n, (f, _))| n == f);
        if profile {
            parts.push(format!(
                "Keys: the {} [profile registers](#profile-registers).",
                names.len()
            ));
        } else {
            let names: Vec<String> = names.iter().map(|n| format!("`{}`", plain(n))).collect();
            parts.push(format!("Keys: {}.", names.join(", ")));
        }
    }
    parts.join(" ")
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn zone_name(zone: Zone) -> String {
    serde_json::to_value(zone)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// The root keys, with the permission zone each belongs to.
pub fn root_table(schema: &Value) -> String {
    let mut out =
        String::from("| key | type | required | zone | meaning |\n|---|---|---|---|---|\n");
    for (key, required) in keys(schema) {
        let prop = &schema["properties"][&key];
        out.push_str(&format!(
            "| `{key}` | {} | {} | `{}` | {} |\n",
            type_of(prop),
            if required { "yes" } else { "no" },
            zone_name(root_zone(&key)),
            meaning_of(prop),
        ));
    }
    out
}

/// The keys of an object schema (the root of a document, or an entry type), without zones.
pub fn key_table(object: &Value) -> String {
    let mut out = String::from("| key | type | required | meaning |\n|---|---|---|---|\n");
    for (key, required) in keys(object) {
        let prop = &object["properties"][&key];
        out.push_str(&format!(
            "| `{key}` | {} | {} | {} |\n",
            type_of(prop),
            if required { "yes" } else { "no" },
            meaning_of(prop),
        ));
    }
    out
}

/// One section per entry type (`$defs` that are objects), in the order given.
pub fn entry_tables(schema: &Value, order: &[&str]) -> String {
    let mut out = String::new();
    for name in order {
        let def = &schema["$defs"][*name];
        assert!(def.is_object(), "no $defs/{name} in the schema");
        out.push_str(&format!("### {name}\n\n"));
        if let Some(description) = def["description"].as_str() {
            out.push_str(&format!("{}\n\n", description.replace('\n', " ")));
        }
        out.push_str(&key_table(def));
        out.push('\n');
    }
    out
}

/// The entry types the schema defines (objects in `$defs`), for completeness checks.
pub fn entry_types(schema: &Value) -> Vec<String> {
    schema["$defs"]
        .as_object()
        .map(|defs| {
            defs.iter()
                .filter(|(_, d)| d["type"] == "object")
                .map(|(name, _)| name.clone())
                .collect()
        })
        .unwrap_or_default()
}
