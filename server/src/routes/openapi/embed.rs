//! The case and shared view documents in the description: the contract's generated JSON
//! Schemas (2020-12, which OpenAPI 3.1 schemas are), taken as they are checked in. Their
//! `$defs` become components of their own, named `<document>.<def>`, so every `$ref` is a
//! plain pointer into the document that any tool resolves.

use casesync_contract::openapi::{
    CASE_DOCUMENT, CASE_DOCUMENT_SCHEMA, SHARED_VIEW_DOCUMENT, SHARED_VIEW_SCHEMA,
};
use serde_json::{Map, Value};

/// Adds `CaseDocument` and `SharedViewDocument` (and their definitions) to `components`.
pub fn contract_documents(doc: &mut Value) {
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (name, text) in [
        (CASE_DOCUMENT, CASE_DOCUMENT_SCHEMA),
        (SHARED_VIEW_DOCUMENT, SHARED_VIEW_SCHEMA),
    ] {
        // The files are the contract's own, checked by its tests; one that does not parse
        // leaves its `$ref`s dangling, which the coverage tests catch.
        if let Ok(Value::Object(schema)) = serde_json::from_str(text) {
            hoist(schemas, name, schema);
        }
    }
}

fn hoist(schemas: &mut Map<String, Value>, name: &str, mut schema: Map<String, Value>) {
    // A resource id would make `#/...` pointers inside resolve against it, not the document.
    schema.remove("$id");
    schema.remove("$schema");
    if let Some(Value::Object(defs)) = schema.remove("$defs") {
        for (def, mut body) in defs {
            retarget(&mut body, name);
            schemas.insert(format!("{name}.{def}"), body);
        }
    }
    let mut schema = Value::Object(schema);
    retarget(&mut schema, name);
    schemas.insert(name.to_string(), schema);
}

/// `#/$defs/X` becomes `#/components/schemas/<name>.X`, everywhere below `value`.
fn retarget(value: &mut Value, name: &str) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                match inner {
                    Value::String(target) if key == "$ref" => {
                        if let Some(def) = target.strip_prefix("#/$defs/") {
                            *target = format!("#/components/schemas/{name}.{def}");
                        }
                    }
                    _ => retarget(inner, name),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| retarget(item, name)),
        _ => {}
    }
}
