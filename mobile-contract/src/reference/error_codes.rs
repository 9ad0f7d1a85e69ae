//! The error-code table of `docs/wire-protocol.md`, generated from [`ErrorCode`]: every
//! variant (listed by serde itself, so none can be forgotten), its tag, its HTTP status and
//! what a client does about it.

use serde::de::{self, Visitor};
use serde::forward_to_deserialize_any;

use crate::errors::ErrorCode;

/// Every variant of [`ErrorCode`], in declaration order. Serde hands the variant names to
/// `deserialize_enum`; this deserializer records them and stops.
pub fn all_codes() -> Vec<ErrorCode> {
    let mut names: &'static [&'static str] = &[];
    let _ = <ErrorCode as serde::Deserialize>::deserialize(VariantNames(&mut names));
    names
        .iter()
        .map(|name| {
            serde_json::from_value(serde_json::Value::String(name.to_string()))
                .unwrap_or_else(|e| panic!("variant {name} does not deserialize: {e}"))
        })
        .collect()
}

struct VariantNames<'a>(&'a mut &'static [&'static str]);

#[derive(Debug)]
struct NamesOnly;

impl std::fmt::Display for NamesOnly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("variant names recorded")
    }
}

impl std::error::Error for NamesOnly {}

impl de::Error for NamesOnly {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        NamesOnly
    }
}

impl<'de> de::Deserializer<'de> for VariantNames<'_> {
    type Error = NamesOnly;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, NamesOnly> {
        Err(NamesOnly)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, NamesOnly> {
        *self.0 = variants;
        Err(NamesOnly)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier
        ignored_any
    }
}

/// What a client does on each code; empty for a code nobody explained yet, which fails
/// `every_error_code_is_explained` (a wildcard, so that adding a variant in `errors.rs`
/// compiles on its own and the test names what is missing).
pub fn what_to_do(code: ErrorCode) -> &'static str {
    #[allow(unreachable_patterns)]
    match code {
        ErrorCode::Unauthorized => "No token, or an unknown, expired or revoked one. Stop syncing and ask the user to enrol the device again.",
        ErrorCode::Forbidden => "The user's role may not do this (not case data). Do not retry.",
        ErrorCode::NotFound => "No such thing, or one the caller may not see (the two look the same). Do not retry.",
        ErrorCode::MalformedBody => "The body is not CBOR or JSON of the expected shape. A client bug: do not retry the same body.",
        ErrorCode::PayloadTooLarge => "The body exceeds the server's `max_body_bytes`, or a request carries more documents (`limits.documents_per_request`) or a message more changes (`limits.changes_per_message`) than allowed; the message names the limit. Split the request (fewer documents or changes per request).",
        ErrorCode::UnsupportedMediaType => "Send `Content-Type: application/cbor` or `application/json`.",
        ErrorCode::InvalidDocumentId => "A document id that is not base58check of 16 bytes. A client bug.",
        ErrorCode::InvalidChanges => "Bytes that are not automerge changes, or a head that is not a hex change hash. Reset the document from the server.",
        ErrorCode::ForgedChange => "A change by an actor bound to another device. Reset the document from the server; use one actor id per device.",
        ErrorCode::InvalidCaseShape => "After merging, the document would not read as a case document (see the case document reference). Reset the document and show the message.",
        ErrorCode::PermissionDenied => "A change touches something the user's role may not write; the message names the rule. Reset the document and show the message.",
        ErrorCode::InvalidRequest => "A request field is missing or out of range; the message says which.",
        ErrorCode::MissingDependencies => "The changes depend on changes the server has not received. Send every change since the server's last acknowledged heads.",
        ErrorCode::RateLimited => "Too many requests. Retry later, with backoff.",
        ErrorCode::Internal => "The server failed. Retry later, with backoff; the request is safe to repeat.",
        ErrorCode::Unavailable => "The server is starting, stopping or busy (storage contention). Retry later, with backoff.",
        ErrorCode::HashMismatch => "The bytes of a blob do not hash to the SHA-256 they were sent under (corrupted on the way, or the wrong name). Nothing was stored: hash the file again and upload it again.",
        ErrorCode::UploadOffsetMismatch => "A part of a resumable upload does not start at the committed offset (the message says where it is). Ask `GET /v1/blobs/uploads/{id}` for the offset and continue from there.",
        ErrorCode::RangeNotSatisfiable => "The `Range` of a blob download starts past its end (`Content-Range: bytes */SIZE` gives the size). Do not retry the same range.",
        ErrorCode::LegalHold => "The case is under a legal hold: it may not be erased (nor expire) until a coordinator releases the hold. Do not retry.",
        ErrorCode::RequestTimeout => "The request's head or body did not arrive within the server's time (`limits.request_head_secs`, `limits.request_body_secs`). Retry; on a slow link, send fewer documents per request.",
        ErrorCode::LimitExceeded => "The device holds open more than the server allows: sockets per device (close the others), or documents in one WebSocket session (the message names the limit; open a new session for the rest). Other documents and sessions go on.",
        ErrorCode::DeviceWiped => "The device was reported lost and ordered to erase its case data. Every route but sync refuses it: sync once (`POST /v1/sync`, or the caseload over the WebSocket) to receive the order, then erase everything and stop syncing.",
        ErrorCode::UriTooLong => "The path and query exceed 8 KiB. A client bug: ids and filters are short; send data in a body.",
        _ => "",
    }
}

/// The markdown table: code, HTTP status, what to do.
pub fn table() -> String {
    let mut out =
        String::from("| code | HTTP status | meaning and what a client does |\n|---|---|---|\n");
    for code in all_codes() {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            code.as_str(),
            code.http_status(),
            what_to_do(code)
        ));
    }
    out
}
