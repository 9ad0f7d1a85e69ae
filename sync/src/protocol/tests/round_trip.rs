//! Every message survives encode -> decode unchanged.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::doc_id;
use crate::protocol::{decode, encode, PeerId, PeerMetadata, RemoteHeads, RepoMessage};

fn server() -> PeerId {
    PeerId::from("casesync-server")
}

fn device() -> PeerId {
    PeerId::from("peer-3f9a")
}

fn one_of_each() -> Vec<RepoMessage> {
    let stored = PeerMetadata {
        storage_id: Some("0b6f4c1e-7d2a-4c55-9f0e-2f8b1a3c4d5e".into()),
        is_ephemeral: false,
    };
    let mut new_heads = BTreeMap::new();
    new_heads.insert(
        "storage-a".to_owned(),
        RemoteHeads {
            heads: vec!["2bMpHqr4y1GZvW6Wb1R7pQ1yHr8Zx5Kf3aB9cD4eF6gH7".into()],
            timestamp: 1_767_225_600_123,
        },
    );
    new_heads.insert("storage-b".to_owned(), RemoteHeads::default());
    vec![
        RepoMessage::Join {
            sender_id: device(),
            supported_protocol_versions: Some(vec!["1".into()]),
            peer_metadata: stored.clone(),
        },
        RepoMessage::Join {
            sender_id: device(),
            supported_protocol_versions: None,
            peer_metadata: PeerMetadata::default(),
        },
        RepoMessage::Peer {
            sender_id: server(),
            target_id: device(),
            selected_protocol_version: "1".into(),
            peer_metadata: stored,
        },
        RepoMessage::Request {
            sender_id: device(),
            target_id: server(),
            document_id: doc_id(),
            data: vec![0x42, 0x01, 0x00],
        },
        RepoMessage::Sync {
            sender_id: server(),
            target_id: device(),
            document_id: doc_id(),
            data: vec![0x42; 300],
        },
        RepoMessage::DocUnavailable {
            sender_id: server(),
            target_id: device(),
            document_id: doc_id(),
        },
        RepoMessage::Ephemeral {
            sender_id: device(),
            target_id: server(),
            document_id: doc_id(),
            session_id: "k3j2h1".into(),
            count: 7,
            data: vec![0xa0],
        },
        RepoMessage::Error {
            sender_id: Some(server()),
            target_id: Some(device()),
            message: "unsupported protocol version".into(),
        },
        RepoMessage::Error {
            sender_id: None,
            target_id: None,
            message: "expected a join message".into(),
        },
        RepoMessage::Leave {
            sender_id: device(),
        },
        RepoMessage::RemoteSubscriptionChange {
            sender_id: device(),
            target_id: server(),
            add: vec!["storage-a".into()],
            remove: vec![],
        },
        RepoMessage::RemoteHeadsChanged {
            sender_id: server(),
            target_id: device(),
            document_id: doc_id(),
            new_heads,
        },
    ]
}

#[test]
fn every_variant_round_trips() {
    for msg in one_of_each() {
        assert_eq!(
            decode(&encode(&msg)).as_ref(),
            Ok(&msg),
            "{}",
            msg.type_name()
        );
    }
}

#[test]
fn every_variant_has_its_wire_type() {
    let names: Vec<_> = one_of_each().iter().map(RepoMessage::type_name).collect();
    for expected in [
        "join",
        "peer",
        "request",
        "sync",
        "doc-unavailable",
        "ephemeral",
        "error",
        "leave",
        "remote-subscription-change",
        "remote-heads-changed",
    ] {
        assert!(names.contains(&expected), "{expected} not covered");
    }
}

fn peer_id() -> impl Strategy<Value = PeerId> {
    "[a-zA-Z0-9-]{1,40}".prop_map(PeerId::from)
}

proptest! {
    #[test]
    fn sync_and_request_round_trip(
        sender in peer_id(),
        target in peer_id(),
        raw_id in any::<[u8; 16]>(),
        data in proptest::collection::vec(any::<u8>(), 1..2048),
        request in any::<bool>(),
    ) {
        let document_id = casesync_contract::DocumentId::from_bytes(raw_id);
        let msg = if request {
            RepoMessage::Request { sender_id: sender, target_id: target, document_id, data }
        } else {
            RepoMessage::Sync { sender_id: sender, target_id: target, document_id, data }
        };
        prop_assert_eq!(decode(&encode(&msg)), Ok(msg));
    }

    /// Counts and timestamps survive exactly up to 2^53, the largest a JS number holds.
    #[test]
    fn numbers_round_trip_up_to_js_safe_integers(
        count in 0u64..(1 << 53),
        timestamp in 0u64..(1 << 53),
        session in "[a-z0-9]{1,12}",
    ) {
        let eph = RepoMessage::Ephemeral {
            sender_id: device(),
            target_id: server(),
            document_id: doc_id(),
            session_id: session,
            count,
            data: vec![1],
        };
        prop_assert_eq!(decode(&encode(&eph)), Ok(eph));
        let heads = RepoMessage::RemoteHeadsChanged {
            sender_id: server(),
            target_id: device(),
            document_id: doc_id(),
            new_heads: BTreeMap::from([(
                "s".to_owned(),
                RemoteHeads { heads: vec![], timestamp },
            )]),
        };
        prop_assert_eq!(decode(&encode(&heads)), Ok(heads));
    }
}
