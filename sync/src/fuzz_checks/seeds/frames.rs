//! Seeds of the automerge-repo frame decoder: one frame of each message type.

use std::collections::BTreeMap;

use super::{observed, push_from, seed, Seed};
use crate::fuzz_checks::fixture::{self, ACTOR_A, DEVICE_A};
use crate::protocol::{encode, PeerId, PeerMetadata, RemoteHeads, RepoMessage};

pub(super) fn frames() -> Vec<Seed> {
    const T: &str = "repo_frame";
    let id = fixture::case_id();
    let device = PeerId::from("device-peer-1");
    let server = PeerId::from("casesync-server");
    let data = push_from(observed(DEVICE_A, ACTOR_A)).message;
    let storage = "storage-1".to_string();
    let frames = [
        (
            "join",
            RepoMessage::Join {
                sender_id: device.clone(),
                supported_protocol_versions: Some(vec!["1".into()]),
                peer_metadata: PeerMetadata {
                    storage_id: Some(storage.clone()),
                    is_ephemeral: false,
                },
            },
        ),
        (
            "peer",
            RepoMessage::Peer {
                sender_id: server.clone(),
                target_id: device.clone(),
                selected_protocol_version: "1".into(),
                peer_metadata: PeerMetadata::default(),
            },
        ),
        (
            "request",
            RepoMessage::Request {
                sender_id: device.clone(),
                target_id: server.clone(),
                document_id: id,
                data: data.clone(),
            },
        ),
        (
            "sync",
            RepoMessage::Sync {
                sender_id: device.clone(),
                target_id: server.clone(),
                document_id: id,
                data,
            },
        ),
        (
            "doc-unavailable",
            RepoMessage::DocUnavailable {
                sender_id: server.clone(),
                target_id: device.clone(),
                document_id: id,
            },
        ),
        (
            "ephemeral",
            RepoMessage::Ephemeral {
                sender_id: device.clone(),
                target_id: server.clone(),
                document_id: id,
                session_id: "session-1".into(),
                count: 5_000_000_000,
                data: vec![0xa1, 0x61, 0x78, 0x01],
            },
        ),
        (
            "error",
            RepoMessage::Error {
                sender_id: Some(server.clone()),
                target_id: None,
                message: "unsupported protocol version".into(),
            },
        ),
        (
            "leave",
            RepoMessage::Leave {
                sender_id: device.clone(),
            },
        ),
        (
            "remote-subscription-change",
            RepoMessage::RemoteSubscriptionChange {
                sender_id: device.clone(),
                target_id: server.clone(),
                add: vec![storage.clone()],
                remove: vec![],
            },
        ),
        (
            "remote-heads-changed",
            RepoMessage::RemoteHeadsChanged {
                sender_id: server,
                target_id: device,
                document_id: id,
                new_heads: BTreeMap::from([(
                    storage,
                    RemoteHeads {
                        heads: vec!["ab".repeat(32)],
                        timestamp: 1_800_000_000_123,
                    },
                )]),
            },
        ),
    ];
    frames
        .into_iter()
        .map(|(name, message)| seed(T, name, encode(&message)))
        .collect()
}
