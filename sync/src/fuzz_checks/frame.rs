//! Target `repo_frame`: one WebSocket binary frame of the automerge-repo protocol.

use crate::protocol::{self, RepoMessage};

/// Decodes `data` as a frame. Whatever the bytes, decoding returns; an error names its
/// code and can be shown. A frame that decodes re-encodes to a frame that decodes to the
/// same message (numbers beyond 32 bits travel as float64, as JS writes them, so those come
/// back rounded to the nearest float64) and whose encoding is the same bytes again.
pub fn repo_frame(data: &[u8]) {
    let message = match protocol::decode(data) {
        Ok(message) => message,
        Err(error) => {
            let _ = (error.code(), error.to_string());
            return;
        }
    };
    if let RepoMessage::Join {
        supported_protocol_versions,
        ..
    } = &message
    {
        let _ = protocol::select_protocol_version(supported_protocol_versions.as_deref());
    }
    let _ = (
        message.type_name(),
        message.sender_id(),
        message.document_id(),
    );
    let encoded = protocol::encode(&message);
    let again = match protocol::decode(&encoded) {
        Ok(again) => again,
        Err(error) => panic!("a decoded frame re-encodes to one that does not decode: {error}"),
    };
    assert_eq!(
        again,
        as_js_numbers(message),
        "a decoded frame does not survive re-encoding"
    );
    assert_eq!(
        protocol::encode(&again),
        encoded,
        "encoding a re-decoded frame gives other bytes"
    );
}

/// The message as a peer reads it back: numbers beyond 32 bits went through a float64.
fn as_js_numbers(mut message: RepoMessage) -> RepoMessage {
    fn js(value: u64) -> u64 {
        if value <= u64::from(u32::MAX) {
            value
        } else {
            value as f64 as u64
        }
    }
    match &mut message {
        RepoMessage::Ephemeral { count, .. } => *count = js(*count),
        RepoMessage::RemoteHeadsChanged { new_heads, .. } => {
            for remote in new_heads.values_mut() {
                remote.timestamp = js(remote.timestamp);
            }
        }
        _ => {}
    }
    message
}
