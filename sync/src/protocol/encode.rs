//! Writing a [`RepoMessage`] as one WebSocket binary frame.

use std::collections::BTreeMap;

use casesync_contract::DocumentId;

use super::cbor_map::CborMap;
use super::message::{PeerId, PeerMetadata, RemoteHeads, RepoMessage};

/// Encodes one frame: a CBOR map with text keys, binary fields as byte strings, document ids
/// as base58check text (the JS repo keys its documents by that string, so bytes would not be
/// understood), and every key the JS client reads.
///
/// Does not refuse an empty `data`, but callers must never send one: the JS adapters throw
/// on a zero-length sync message.
pub fn encode(msg: &RepoMessage) -> Vec<u8> {
    let map = CborMap::new().text("type", msg.type_name());
    match msg {
        RepoMessage::Join {
            sender_id,
            supported_protocol_versions,
            peer_metadata,
        } => {
            let map = map
                .text("senderId", sender_id.as_str())
                .map("peerMetadata", metadata(peer_metadata));
            match supported_protocol_versions {
                Some(versions) => map.text_list("supportedProtocolVersions", versions),
                None => map,
            }
        }
        RepoMessage::Peer {
            sender_id,
            target_id,
            selected_protocol_version,
            peer_metadata,
        } => addressed(map, sender_id, target_id)
            .map("peerMetadata", metadata(peer_metadata))
            .text("selectedProtocolVersion", selected_protocol_version),
        RepoMessage::Request {
            sender_id,
            target_id,
            document_id,
            data,
        }
        | RepoMessage::Sync {
            sender_id,
            target_id,
            document_id,
            data,
        } => about(map, sender_id, target_id, document_id).bytes("data", data),
        RepoMessage::DocUnavailable {
            sender_id,
            target_id,
            document_id,
        } => about(map, sender_id, target_id, document_id),
        RepoMessage::Ephemeral {
            sender_id,
            target_id,
            document_id,
            session_id,
            count,
            data,
        } => addressed(map, sender_id, target_id)
            .number("count", *count)
            .text("sessionId", session_id)
            .text("documentId", &document_id.to_string())
            .bytes("data", data),
        RepoMessage::Error {
            sender_id,
            target_id,
            message,
        } => map
            .opt_text("senderId", sender_id.as_ref().map(PeerId::as_str))
            .opt_text("targetId", target_id.as_ref().map(PeerId::as_str))
            .text("message", message),
        RepoMessage::Leave { sender_id } => map.text("senderId", sender_id.as_str()),
        // Both lists always written: the Swift client fails to decode this message without
        // `remove`, and JS treats an empty list like an absent one.
        RepoMessage::RemoteSubscriptionChange {
            sender_id,
            target_id,
            add,
            remove,
        } => addressed(map, sender_id, target_id)
            .text_list("add", add)
            .text_list("remove", remove),
        RepoMessage::RemoteHeadsChanged {
            sender_id,
            target_id,
            document_id,
            new_heads,
        } => about(map, sender_id, target_id, document_id).map("newHeads", heads(new_heads)),
    }
    .finish()
}

fn addressed(map: CborMap, sender_id: &PeerId, target_id: &PeerId) -> CborMap {
    map.text("senderId", sender_id.as_str())
        .text("targetId", target_id.as_str())
}

fn about(map: CborMap, sender: &PeerId, target: &PeerId, document_id: &DocumentId) -> CborMap {
    addressed(map, sender, target).text("documentId", &document_id.to_string())
}

/// `storageId` is left out when there is none, as samod does; JS reads that as `undefined`.
fn metadata(meta: &PeerMetadata) -> CborMap {
    CborMap::new()
        .opt_text("storageId", meta.storage_id.as_deref())
        .bool("isEphemeral", meta.is_ephemeral)
}

fn heads(new_heads: &BTreeMap<String, RemoteHeads>) -> CborMap {
    new_heads
        .iter()
        .fold(CborMap::new(), |map, (storage_id, remote)| {
            let entry = CborMap::new()
                .text_list("heads", &remote.heads)
                .number("timestamp", remote.timestamp);
            map.map(storage_id, entry)
        })
}
