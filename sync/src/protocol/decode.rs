//! Reading one WebSocket binary frame into a [`RepoMessage`].

use ciborium::Value;

use super::error::ProtocolError;
use super::fields::{self, Fields};
use super::message::{wire_type as t, RepoMessage};

/// Decodes one frame.
///
/// Lenient where the reference implementations are: unknown keys are skipped, `metadata` is
/// read as `peerMetadata`, document ids may be text or 16 raw bytes, and optional fields that
/// are absent, `null` or `undefined` take their defaults. Never panics, whatever the bytes.
pub fn decode(frame: &[u8]) -> Result<RepoMessage, ProtocolError> {
    let mut rest = frame;
    // ciborium caps nesting depth (256), so a hostile frame cannot exhaust the stack.
    let value: Value =
        ciborium::de::from_reader(&mut rest).map_err(|e| ProtocolError::NotCbor(e.to_string()))?;
    // cbor-x refuses a buffer with bytes after its value; so do we, rather than ignore them.
    if !rest.is_empty() {
        return Err(ProtocolError::TrailingBytes(rest.len()));
    }
    let Value::Map(entries) = value else {
        return Err(ProtocolError::NotAMap(fields::kind(&value)));
    };
    let type_value = fields::lookup(&entries, "type").ok_or(ProtocolError::MissingType)?;
    let type_name = fields::as_text(type_value, "type")?;
    let Some(message_type) = known_type(type_name) else {
        return Err(ProtocolError::unknown_type(type_name));
    };
    from_fields(&Fields::new(&entries, message_type))
}

fn known_type(name: &str) -> Option<&'static str> {
    [
        t::JOIN,
        t::PEER,
        t::LEAVE,
        t::REQUEST,
        t::SYNC,
        t::DOC_UNAVAILABLE,
        t::EPHEMERAL,
        t::ERROR,
        t::REMOTE_SUBSCRIPTION_CHANGE,
        t::REMOTE_HEADS_CHANGED,
    ]
    .into_iter()
    .find(|known| *known == name)
}

fn from_fields(f: &Fields<'_>) -> Result<RepoMessage, ProtocolError> {
    Ok(match f.message_type() {
        t::JOIN => RepoMessage::Join {
            sender_id: f.peer_id("senderId")?,
            supported_protocol_versions: f.versions("supportedProtocolVersions")?,
            peer_metadata: f.metadata()?,
        },
        t::PEER => RepoMessage::Peer {
            sender_id: f.peer_id("senderId")?,
            target_id: f.peer_id("targetId")?,
            selected_protocol_version: f.text("selectedProtocolVersion")?,
            peer_metadata: f.metadata()?,
        },
        t::LEAVE => RepoMessage::Leave {
            sender_id: f.peer_id("senderId")?,
        },
        t::REQUEST => RepoMessage::Request {
            sender_id: f.peer_id("senderId")?,
            target_id: f.peer_id("targetId")?,
            document_id: f.document_id("documentId")?,
            data: f.bytes("data")?,
        },
        t::SYNC => RepoMessage::Sync {
            sender_id: f.peer_id("senderId")?,
            target_id: f.peer_id("targetId")?,
            document_id: f.document_id("documentId")?,
            data: f.bytes("data")?,
        },
        t::DOC_UNAVAILABLE => RepoMessage::DocUnavailable {
            sender_id: f.peer_id("senderId")?,
            target_id: f.peer_id("targetId")?,
            document_id: f.document_id("documentId")?,
        },
        t::EPHEMERAL => RepoMessage::Ephemeral {
            sender_id: f.peer_id("senderId")?,
            target_id: f.peer_id("targetId")?,
            document_id: f.document_id("documentId")?,
            session_id: f.text("sessionId")?,
            count: f.uint("count")?,
            data: f.bytes("data")?,
        },
        t::ERROR => RepoMessage::Error {
            sender_id: f.opt_peer_id("senderId")?,
            target_id: f.opt_peer_id("targetId")?,
            message: f.text("message")?,
        },
        t::REMOTE_SUBSCRIPTION_CHANGE => RepoMessage::RemoteSubscriptionChange {
            sender_id: f.peer_id("senderId")?,
            target_id: f.peer_id("targetId")?,
            add: f.text_list("add")?,
            remove: f.text_list("remove")?,
        },
        t::REMOTE_HEADS_CHANGED => RepoMessage::RemoteHeadsChanged {
            sender_id: f.peer_id("senderId")?,
            target_id: f.peer_id("targetId")?,
            document_id: f.document_id("documentId")?,
            new_heads: f.new_heads("newHeads")?,
        },
        // `known_type` only returns the names matched above.
        other => return Err(ProtocolError::unknown_type(other)),
    })
}
