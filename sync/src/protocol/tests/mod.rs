//! Tests of the protocol codec, against frames shaped the way the official clients send them.

mod cbor_x_bytes;
mod errors;
mod js_frames;
mod round_trip;
mod written_frames;

use casesync_contract::DocumentId;
use ciborium::Value;

/// A fixed document id, so failures are reproducible.
fn doc_id() -> DocumentId {
    DocumentId::from_bytes([0x5a; 16])
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

/// A CBOR map with text keys, in the given order, as cbor-x would write a JS object.
fn map(entries: &[(&str, Value)]) -> Value {
    Value::Map(entries.iter().map(|(k, v)| (text(k), v.clone())).collect())
}

fn to_bytes(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(value, &mut out).unwrap();
    out
}

fn frame(entries: &[(&str, Value)]) -> Vec<u8> {
    to_bytes(&map(entries))
}

/// Reads one of our frames back as a generic CBOR value, to look at its exact shape.
fn parse(bytes: &[u8]) -> Vec<(String, Value)> {
    let value: Value = ciborium::de::from_reader(bytes).unwrap();
    let Value::Map(entries) = value else {
        panic!("not a map: {value:?}");
    };
    entries
        .into_iter()
        .map(|(k, v)| (k.into_text().unwrap(), v))
        .collect()
}

fn keys(bytes: &[u8]) -> Vec<String> {
    parse(bytes).into_iter().map(|(k, _)| k).collect()
}

fn field(bytes: &[u8], key: &str) -> Value {
    parse(bytes)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no `{key}` in frame"))
}
