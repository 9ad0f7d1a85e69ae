//! Why a frame could not be read.

/// Longest piece of peer-supplied text an error keeps, so that a hostile frame cannot make
/// our logs (or an `error` frame we send back) arbitrarily large.
const MAX_ECHO_CHARS: usize = 64;

/// A frame that is not a valid automerge-repo v1 message.
///
/// The server answers every one of these with an `error` frame and closes the connection,
/// as the JS server does with frames it cannot decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    #[error("frame is not valid CBOR: {0}")]
    NotCbor(String),
    #[error("frame has {0} bytes after its CBOR value")]
    TrailingBytes(usize),
    #[error("frame is a CBOR {0}, expected a map")]
    NotAMap(&'static str),
    #[error("frame has no `type` field")]
    MissingType,
    #[error("unknown message type {0:?}")]
    UnknownType(String),
    #[error("`{field}` is missing from a `{message_type}` message")]
    MissingField {
        message_type: &'static str,
        field: &'static str,
    },
    #[error("`{field}` should be {expected}, found a CBOR {found}")]
    WrongFieldType {
        field: &'static str,
        expected: &'static str,
        found: &'static str,
    },
    #[error("`{field}` is not a document id: {reason}")]
    BadDocumentId { field: &'static str, reason: String },
}

impl ProtocolError {
    /// A stable snake_case name for logs and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotCbor(_) => "not_cbor",
            Self::TrailingBytes(_) => "trailing_bytes",
            Self::NotAMap(_) => "not_a_map",
            Self::MissingType => "missing_type",
            Self::UnknownType(_) => "unknown_type",
            Self::MissingField { .. } => "missing_field",
            Self::WrongFieldType { .. } => "wrong_field_type",
            Self::BadDocumentId { .. } => "bad_document_id",
        }
    }

    /// An unknown `type`, keeping at most a short prefix of what the peer sent.
    pub(crate) fn unknown_type(found: &str) -> Self {
        Self::UnknownType(truncate(found))
    }

    /// A document id that did not parse, keeping a short prefix of the offending text.
    pub(crate) fn bad_document_id(field: &'static str, text: &str, why: impl ToString) -> Self {
        Self::BadDocumentId {
            field,
            reason: format!("{} ({:?})", why.to_string(), truncate(text)),
        }
    }
}

fn truncate(text: &str) -> String {
    match text.char_indices().nth(MAX_ECHO_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
