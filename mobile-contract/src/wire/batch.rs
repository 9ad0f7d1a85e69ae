//! Batch sync, `POST /v1/sync`: one round trip for all of a device's documents, made for
//! short and flaky links. CBOR (`application/cbor`) for devices; JSON accepted for debugging,
//! where binary fields are base64 text.
//!
//! The device sends, per document it holds, its heads and the changes it has made since the
//! server last acknowledged; the server admits and stores them, then answers what the device
//! lacks and its new heads. New heads are sent only after the changes are committed: they
//! are the acknowledgement. Repeating a request is harmless.

use serde::{Deserialize, Serialize};

use super::bytes;
use crate::errors::ErrorDetail;
use crate::DocumentId;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncRequest {
    pub documents: Vec<DocumentPush>,
    /// Also send, in this reply, the documents of the device's scope it did not send (new
    /// cases, a newly shared case): their changes come in `documents` as for a document sent
    /// with empty heads, and they are still listed in `new_documents` with their kind. Saves
    /// the second round trip on slow links (added 2026-12; a device that does not send it
    /// gets only the list, as before).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include_new: bool,
    /// With no `documents`: the [`scope_digest`] of every document the device holds at its
    /// heads. When it matches the server's, the reply says `unchanged` and nothing else (a
    /// phone in sync polls in a few dozen bytes); otherwise `full_request_needed`, and the
    /// device sends its usual request. Ignored when `documents` is not empty. Since 2026-12.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope_digest: Option<String>,
}

/// One document as the device has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentPush {
    pub id: DocumentId,
    /// The device's heads (hex change hashes) after its local changes.
    #[serde(default)]
    pub heads: Vec<String>,
    /// Automerge changes (each `Change::raw_bytes`) the server may not have.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::raw_changes))]
    #[serde(default, with = "bytes::list")]
    pub changes: Vec<Vec<u8>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncResponse {
    pub documents: Vec<DocumentReply>,
    /// Documents in the device's scope that it did not send: fetch them by sending their id
    /// with empty heads in the next request.
    pub new_documents: Vec<ScopeEntry>,
    /// Documents the device sent that are no longer in its scope: erase the local copy.
    pub removed_documents: Vec<DocumentId>,
    /// The device must erase all case data (lost or revoked phone).
    #[serde(default)]
    pub wipe: bool,
    /// Server time (ms since epoch), to estimate clock skew.
    pub server_time: i64,
    /// The request's `scope_digest` matched: the device holds every document of its scope
    /// at the server's heads. Nothing else in this reply.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unchanged: bool,
    /// The request's `scope_digest` did not match: send the full request (documents with
    /// heads and changes).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub full_request_needed: bool,
}

/// The scope digest of batch sync: SHA-256 (hex) over one line per document, in the order of
/// the ids' text, `"<id> <head>,<head>...\n"` with the heads (hex) sorted. Phones compute it
/// over what they hold, the server over the device's scope at its own heads.
pub fn scope_digest<'a>(documents: impl IntoIterator<Item = (DocumentId, &'a [String])>) -> String {
    use sha2::Digest;
    let mut lines: Vec<String> = documents
        .into_iter()
        .map(|(id, heads)| {
            let mut heads: Vec<&str> = heads.iter().map(String::as_str).collect();
            heads.sort_unstable();
            format!("{id} {}\n", heads.join(","))
        })
        .collect();
    lines.sort_unstable();
    let mut hasher = sha2::Sha256::new();
    for line in &lines {
        hasher.update(line.as_bytes());
    }
    hex::encode(hasher.finalize())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    /// Changes admitted and committed (or nothing to admit); `heads` acknowledge them.
    Ok,
    /// Some of the device's changes were refused (`refused_changes`: those at fault and
    /// those depending on them; `error` names the rule). The others are stored, and `heads`
    /// acknowledge them. Reset the local copy to the server's `heads` (apply `changes`, then
    /// fork at `heads`), record again the device's own entries that are still allowed, and
    /// tell the user `error`.
    Rejected,
    /// No such document in the device's scope.
    Unavailable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentReply {
    pub id: DocumentId,
    pub status: DocumentStatus,
    /// Changes the device lacks, in causal order.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::raw_changes))]
    #[serde(default, with = "bytes::list")]
    pub changes: Vec<Vec<u8>>,
    /// The server's heads after this request (hex).
    #[serde(default)]
    pub heads: Vec<String>,
    /// Some of the device's heads are unknown to the server: send all changes since the
    /// server's `heads` next time.
    #[serde(default)]
    pub missing_changes: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorDetail>,
    /// Hashes (hex) of the changes refused: those at fault and those depending on them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused_changes: Vec<String>,
    /// Hashes (hex) of changes the server needs before it can store some the device sent
    /// (they depend on them): resend every unacknowledged change, in causal order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub need: Vec<String>,
}

/// What kind of document an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Case,
    Alerts,
    Caseload,
    /// What a share lets a partner organisation see of a case (`shared_view`).
    SharedView,
}

impl DocumentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Case => "case",
            Self::Alerts => "alerts",
            Self::Caseload => "caseload",
            Self::SharedView => "shared_view",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Case, Self::Alerts, Self::Caseload, Self::SharedView]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScopeEntry {
    pub id: DocumentId,
    pub kind: DocumentKind,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SyncRequest {
        SyncRequest {
            include_new: false,
            scope_digest: None,
            documents: vec![DocumentPush {
                id: DocumentId::random(),
                heads: vec!["ab".repeat(32)],
                changes: vec![vec![0x85, 0x6f, 0x4a, 0x83], vec![1, 2, 3]],
            }],
        }
    }

    #[test]
    fn cbor_carries_byte_strings() {
        let req = sample();
        let mut buf = Vec::new();
        ciborium::into_writer(&req, &mut buf).unwrap();
        let back: SyncRequest = ciborium::from_reader(buf.as_slice()).unwrap();
        assert_eq!(back, req);
        // A byte string header (major type 2) for the 4-byte change, not an array of ints.
        assert!(buf.windows(5).any(|w| w == [0x44, 0x85, 0x6f, 0x4a, 0x83]));
    }

    #[test]
    fn json_carries_base64() {
        let req = sample();
        let json = serde_json::to_string(&req).unwrap();
        assert!(json.contains("\"hW9Kgw==\""), "{json}");
        let back: SyncRequest = serde_json::from_str(&json).unwrap();
        assert_eq!(back, req);
    }

    #[test]
    fn the_scope_digest_ignores_order_and_follows_every_head() {
        let (a, b) = (DocumentId::random(), DocumentId::random());
        let h1 = ["01".to_string(), "02".to_string()];
        let h1_reversed = ["02".to_string(), "01".to_string()];
        let h2 = ["03".to_string()];
        let one = scope_digest([(a, &h1[..]), (b, &h2[..])]);
        assert_eq!(one, scope_digest([(b, &h2[..]), (a, &h1_reversed[..])]));
        assert_ne!(one, scope_digest([(a, &h1[..]), (b, &h1[..])]));
        assert_ne!(one, scope_digest([(a, &h1[..])]));
        assert_eq!(one.len(), 64);
    }
}
