//! The shape of the frames we write: every key the official clients read, typed as they
//! expect it.

use ciborium::Value;

use super::{doc_id, field, keys, map, text, to_bytes};
use crate::protocol::{encode, PeerMetadata, RemoteHeads, RepoMessage, PROTOCOL_VERSION};

#[test]
fn peer_frame_has_every_key_the_js_client_reads() {
    let bytes = encode(&RepoMessage::Peer {
        sender_id: "server".into(),
        target_id: "peer-abc".into(),
        selected_protocol_version: PROTOCOL_VERSION.into(),
        peer_metadata: PeerMetadata {
            storage_id: Some("srv-storage".into()),
            is_ephemeral: false,
        },
    });
    let mut got = keys(&bytes);
    got.sort();
    assert_eq!(
        got,
        [
            "peerMetadata",
            "selectedProtocolVersion",
            "senderId",
            "targetId",
            "type"
        ]
    );
    assert_eq!(field(&bytes, "selectedProtocolVersion"), text("1"));
    assert_eq!(
        field(&bytes, "peerMetadata"),
        map(&[
            ("storageId", text("srv-storage")),
            ("isEphemeral", Value::Bool(false))
        ])
    );
}

#[test]
fn document_frames_carry_text_id_and_byte_data() {
    let id = doc_id();
    let sync = encode(&RepoMessage::Sync {
        sender_id: "server".into(),
        target_id: "peer".into(),
        document_id: id,
        data: vec![1, 2, 3],
    });
    let mut got = keys(&sync);
    got.sort();
    assert_eq!(got, ["data", "documentId", "senderId", "targetId", "type"]);
    assert_eq!(field(&sync, "documentId"), text(&id.to_string()));
    assert_eq!(field(&sync, "data"), Value::Bytes(vec![1, 2, 3]));

    let unavailable = encode(&RepoMessage::DocUnavailable {
        sender_id: "server".into(),
        target_id: "peer".into(),
        document_id: id,
    });
    let mut got = keys(&unavailable);
    got.sort();
    assert_eq!(got, ["documentId", "senderId", "targetId", "type"]);
    assert_eq!(field(&unavailable, "type"), text("doc-unavailable"));
}

#[test]
fn numbers_are_written_like_cbor_x() {
    let eph = encode(&RepoMessage::Ephemeral {
        sender_id: "a".into(),
        target_id: "b".into(),
        document_id: doc_id(),
        session_id: "s".into(),
        count: 3,
        data: vec![0xa0],
    });
    assert_eq!(field(&eph, "count"), Value::Integer(3.into()));

    let heads = encode(&RepoMessage::RemoteHeadsChanged {
        sender_id: "a".into(),
        target_id: "b".into(),
        document_id: doc_id(),
        new_heads: [(
            "s".to_owned(),
            RemoteHeads {
                heads: vec![],
                timestamp: 1_767_225_600_123,
            },
        )]
        .into(),
    });
    // A 64-bit integer would reach JS as a BigInt; cbor-x itself writes a float64 here.
    let Value::Map(outer) = field(&heads, "newHeads") else {
        panic!("newHeads not a map");
    };
    let inner = to_bytes(&outer[0].1);
    assert_eq!(
        field(&inner, "timestamp"),
        Value::Float(1_767_225_600_123.0)
    );
    assert!(inner.windows(9).any(|w| w[0] == 0xfb));
}
