//! Lenient readers over the fields of a decoded CBOR map.
//!
//! They accept what the reference implementations accept: JS `cbor-x` writes `undefined`
//! for optional properties that are unset (read here as absent, like `null`), writes numbers
//! beyond 32 bits as float64, and some peers send document ids as 16 raw bytes.

use std::collections::BTreeMap;

use casesync_contract::DocumentId;
use ciborium::Value;

use super::error::ProtocolError;
use super::message::{PeerId, PeerMetadata, RemoteHeads};

/// cbor-x's tag for a `Uint8Array` when `tagUint8Array` is on (automerge-repo turns it off,
/// but a client built on plain cbor-x would not).
const TAG_UINT8_ARRAY: u64 = 64;

type Result<T> = std::result::Result<T, ProtocolError>;

/// The text-keyed entries of one frame, and the message type they belong to (for errors).
pub(crate) struct Fields<'a> {
    entries: &'a [(Value, Value)],
    message_type: &'static str,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(entries: &'a [(Value, Value)], message_type: &'static str) -> Self {
        Self {
            entries,
            message_type,
        }
    }

    pub(crate) fn message_type(&self) -> &'static str {
        self.message_type
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        lookup(self.entries, key)
    }

    fn require(&self, key: &'static str) -> Result<&'a Value> {
        self.get(key).ok_or(ProtocolError::MissingField {
            message_type: self.message_type,
            field: key,
        })
    }

    pub(crate) fn text(&self, key: &'static str) -> Result<String> {
        as_text(self.require(key)?, key).map(str::to_owned)
    }

    pub(crate) fn peer_id(&self, key: &'static str) -> Result<PeerId> {
        self.text(key).map(PeerId::from)
    }

    pub(crate) fn opt_peer_id(&self, key: &'static str) -> Result<Option<PeerId>> {
        self.get(key)
            .map(|v| as_text(v, key).map(PeerId::from))
            .transpose()
    }

    pub(crate) fn bytes(&self, key: &'static str) -> Result<Vec<u8>> {
        match self.require(key)? {
            Value::Bytes(b) => Ok(b.clone()),
            Value::Tag(TAG_UINT8_ARRAY, inner) => match inner.as_ref() {
                Value::Bytes(b) => Ok(b.clone()),
                other => Err(wrong(key, "a byte string", other)),
            },
            other => Err(wrong(key, "a byte string", other)),
        }
    }

    pub(crate) fn document_id(&self, key: &'static str) -> Result<DocumentId> {
        match self.require(key)? {
            Value::Text(s) => s
                .parse()
                .map_err(|e| ProtocolError::bad_document_id(key, s, e)),
            Value::Bytes(b) => DocumentId::from_slice(b)
                .map_err(|e| ProtocolError::bad_document_id(key, &hex::encode(b), e)),
            other => Err(wrong(key, "a document id (text or bytes)", other)),
        }
    }

    pub(crate) fn uint(&self, key: &'static str) -> Result<u64> {
        as_uint(self.require(key)?, key)
    }

    /// A list of text that may be absent or null (read as empty).
    pub(crate) fn text_list(&self, key: &'static str) -> Result<Vec<String>> {
        self.get(key)
            .map_or(Ok(Vec::new()), |v| as_text_list(v, key))
    }

    /// `supportedProtocolVersions`: an array, or a bare string as the Swift client sends it,
    /// or absent (`None`).
    pub(crate) fn versions(&self, key: &'static str) -> Result<Option<Vec<String>>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Text(one)) => Ok(Some(vec![one.clone()])),
            Some(v) => as_text_list(v, key).map(Some),
        }
    }

    /// `peerMetadata`, or `metadata` as the written spec spells it; absent reads as default.
    pub(crate) fn metadata(&self) -> Result<PeerMetadata> {
        let Some(value) = self.get("peerMetadata").or_else(|| self.get("metadata")) else {
            return Ok(PeerMetadata::default());
        };
        let entries = as_map(value, "peerMetadata")?;
        let storage_id = lookup(entries, "storageId")
            .map(|v| as_text(v, "peerMetadata.storageId").map(str::to_owned))
            .transpose()?;
        let is_ephemeral = match lookup(entries, "isEphemeral") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => return Err(wrong("peerMetadata.isEphemeral", "a boolean", other)),
        };
        Ok(PeerMetadata {
            storage_id,
            is_ephemeral,
        })
    }

    /// `newHeads`: storage id -> `{heads, timestamp}`; a missing inner field reads as empty/0.
    pub(crate) fn new_heads(&self, key: &'static str) -> Result<BTreeMap<String, RemoteHeads>> {
        let mut out = BTreeMap::new();
        for (storage_id, entry) in as_map(self.require(key)?, key)? {
            let storage_id = as_text(storage_id, "newHeads (storage id key)")?;
            let inner = as_map(entry, "newHeads.*")?;
            let heads = lookup(inner, "heads")
                .map_or(Ok(Vec::new()), |v| as_text_list(v, "newHeads.*.heads"))?;
            let timestamp =
                lookup(inner, "timestamp").map_or(Ok(0), |v| as_uint(v, "newHeads.*.timestamp"))?;
            out.insert(storage_id.to_owned(), RemoteHeads { heads, timestamp });
        }
        Ok(out)
    }
}

/// The value under a text key; the last one wins on duplicates (as in a JS object), and
/// null/undefined count as absent.
pub(crate) fn lookup<'a>(entries: &'a [(Value, Value)], key: &str) -> Option<&'a Value> {
    entries
        .iter()
        .rev()
        .find(|(k, _)| matches!(k, Value::Text(t) if t == key))
        .map(|(_, v)| v)
        .filter(|v| !v.is_null())
}

pub(crate) fn as_text<'a>(value: &'a Value, field: &'static str) -> Result<&'a str> {
    match value {
        Value::Text(s) => Ok(s),
        other => Err(wrong(field, "a text string", other)),
    }
}

fn as_map<'a>(value: &'a Value, field: &'static str) -> Result<&'a [(Value, Value)]> {
    match value {
        Value::Map(entries) => Ok(entries),
        other => Err(wrong(field, "a map", other)),
    }
}

fn as_text_list(value: &Value, field: &'static str) -> Result<Vec<String>> {
    const EXPECTED: &str = "an array of text strings";
    let Value::Array(items) = value else {
        return Err(wrong(field, EXPECTED, value));
    };
    items
        .iter()
        .map(|item| match item {
            Value::Text(s) => Ok(s.clone()),
            other => Err(wrong(field, EXPECTED, other)),
        })
        .collect()
}

/// A count or a timestamp: an unsigned integer, or the float64 that cbor-x writes for any
/// number that does not fit in 32 bits (`Date.now()` always does).
fn as_uint(value: &Value, field: &'static str) -> Result<u64> {
    const EXPECTED: &str = "a non-negative number";
    match value {
        Value::Integer(i) => u64::try_from(*i).map_err(|_| wrong(field, EXPECTED, value)),
        // `as` saturates; a fraction is dropped, as samod does.
        Value::Float(f) if f.is_finite() && *f >= 0.0 => Ok(*f as u64),
        other => Err(wrong(field, EXPECTED, other)),
    }
}

fn wrong(field: &'static str, expected: &'static str, found: &Value) -> ProtocolError {
    ProtocolError::WrongFieldType {
        field,
        expected,
        found: kind(found),
    }
}

/// A short name for the kind of a CBOR value, for error messages.
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Integer(i) if i128::from(*i) < 0 => "negative integer",
        Value::Integer(_) => "integer",
        Value::Bytes(_) => "byte string",
        Value::Float(_) => "float",
        Value::Text(_) => "text string",
        Value::Bool(_) => "boolean",
        Value::Null => "null",
        Value::Tag(..) => "tagged value",
        Value::Array(_) => "array",
        Value::Map(_) => "map",
        _ => "value",
    }
}
