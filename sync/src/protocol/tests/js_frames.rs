//! Frames shaped the way the official clients write them (JS cbor-x, samod, Swift).

use ciborium::Value;

use super::{doc_id, frame, map, text};
use crate::protocol::{
    decode, select_protocol_version, PeerId, PeerMetadata, RepoMessage, PROTOCOL_VERSION,
};

/// cbor-x writes `undefined` (0xf7) for a JS property that is present but unset; ciborium
/// cannot build one, so the test writes `null` (0xf6) and swaps the byte. Only safe in
/// frames without binary data, which is all it is used for.
fn with_undefined(mut bytes: Vec<u8>) -> Vec<u8> {
    for b in &mut bytes {
        if *b == 0xf6 {
            *b = 0xf7;
        }
    }
    bytes
}

#[test]
fn js_client_join_with_storage() {
    // WebSocketClientAdapter.joinMessage: {type, senderId, peerMetadata, supportedProtocolVersions}
    let bytes = frame(&[
        ("type", text("join")),
        ("senderId", text("peer-abc")),
        (
            "peerMetadata",
            map(&[
                ("storageId", text("3760df37-a4c6-4f66-9ecd-732039a9385d")),
                ("isEphemeral", Value::Bool(false)),
            ]),
        ),
        ("supportedProtocolVersions", Value::Array(vec![text("1")])),
    ]);
    let RepoMessage::Join {
        sender_id,
        supported_protocol_versions,
        peer_metadata,
    } = decode(&bytes).unwrap()
    else {
        panic!("not a join");
    };
    assert_eq!(sender_id, PeerId::from("peer-abc"));
    assert_eq!(
        select_protocol_version(supported_protocol_versions.as_deref()),
        Some(PROTOCOL_VERSION)
    );
    assert_eq!(
        peer_metadata.storage_id.as_deref(),
        Some("3760df37-a4c6-4f66-9ecd-732039a9385d")
    );
    assert!(!peer_metadata.is_ephemeral);
}

#[test]
fn js_client_without_storage_sends_undefined_storage_id() {
    let bytes = with_undefined(frame(&[
        ("type", text("join")),
        ("senderId", text("peer-abc")),
        (
            "peerMetadata",
            map(&[
                ("storageId", Value::Null),
                ("isEphemeral", Value::Bool(true)),
            ]),
        ),
        ("supportedProtocolVersions", Value::Array(vec![text("1")])),
    ]));
    let msg = decode(&bytes).unwrap();
    let RepoMessage::Join { peer_metadata, .. } = msg else {
        panic!("not a join");
    };
    assert_eq!(
        peer_metadata,
        PeerMetadata {
            storage_id: None,
            is_ephemeral: true
        }
    );
}

#[test]
fn spec_spelling_metadata_and_swift_bare_version_string() {
    // The written spec says `metadata`; the Swift client sends the version as a bare string.
    let bytes = frame(&[
        ("type", text("join")),
        ("senderId", text("ios-1")),
        ("supportedProtocolVersions", text("1")),
        ("metadata", map(&[("storageId", text("s-1"))])),
    ]);
    let RepoMessage::Join {
        supported_protocol_versions,
        peer_metadata,
        ..
    } = decode(&bytes).unwrap()
    else {
        panic!("not a join");
    };
    assert_eq!(supported_protocol_versions, Some(vec!["1".to_owned()]));
    assert_eq!(peer_metadata.storage_id.as_deref(), Some("s-1"));
    assert!(!peer_metadata.is_ephemeral, "absent isEphemeral is false");
}

#[test]
fn join_without_versions_or_metadata_is_version_one() {
    let bytes = frame(&[("type", text("join")), ("senderId", text("old"))]);
    let RepoMessage::Join {
        supported_protocol_versions,
        peer_metadata,
        ..
    } = decode(&bytes).unwrap()
    else {
        panic!("not a join");
    };
    assert_eq!(supported_protocol_versions, None);
    assert_eq!(select_protocol_version(None), Some("1"));
    assert_eq!(peer_metadata, PeerMetadata::default());
    assert_eq!(select_protocol_version(Some(&["2".to_owned()])), None);
    assert_eq!(select_protocol_version(Some(&[])), None);
}

#[test]
fn request_with_document_id_as_bytes_url_or_text_and_unknown_keys() {
    let id = doc_id();
    for document_id in [
        text(&id.to_string()),
        text(&id.url()),
        Value::Bytes(id.as_bytes().to_vec()),
    ] {
        // DocSynchronizer order {type, targetId, documentId, data} + senderId, plus noise.
        let bytes = frame(&[
            ("type", text("request")),
            ("targetId", text("server")),
            ("documentId", document_id),
            ("data", Value::Bytes(vec![0x42, 1, 2])),
            ("senderId", text("peer-abc")),
            ("somethingNew", map(&[("x", Value::Integer(1.into()))])),
        ]);
        assert_eq!(
            decode(&bytes),
            Ok(RepoMessage::Request {
                sender_id: "peer-abc".into(),
                target_id: "server".into(),
                document_id: id,
                data: vec![0x42, 1, 2],
            })
        );
    }
}

#[test]
fn tagged_uint8array_data_is_read_as_bytes() {
    let bytes = frame(&[
        ("type", text("sync")),
        ("senderId", text("a")),
        ("targetId", text("b")),
        ("documentId", text(&doc_id().to_string())),
        ("data", Value::Tag(64, Box::new(Value::Bytes(vec![9, 9])))),
    ]);
    let RepoMessage::Sync { data, .. } = decode(&bytes).unwrap() else {
        panic!("not a sync");
    };
    assert_eq!(data, vec![9, 9]);
}

#[test]
fn numbers_beyond_32_bits_arrive_as_float64() {
    let heads = frame(&[
        ("type", text("remote-heads-changed")),
        ("senderId", text("a")),
        ("targetId", text("b")),
        ("documentId", text(&doc_id().to_string())),
        (
            "newHeads",
            map(&[(
                "storage-a",
                map(&[
                    ("heads", Value::Array(vec![text("h1")])),
                    ("timestamp", Value::Float(1_767_225_600_123.0)),
                ]),
            )]),
        ),
    ]);
    let RepoMessage::RemoteHeadsChanged { new_heads, .. } = decode(&heads).unwrap() else {
        panic!("not remote-heads-changed");
    };
    assert_eq!(new_heads["storage-a"].timestamp, 1_767_225_600_123);
    assert_eq!(new_heads["storage-a"].heads, vec!["h1".to_owned()]);

    let eph = frame(&[
        ("type", text("ephemeral")),
        ("senderId", text("a")),
        ("targetId", text("b")),
        ("count", Value::Float(5_000_000_000.0)),
        ("sessionId", text("s")),
        ("documentId", text(&doc_id().to_string())),
        ("data", Value::Bytes(vec![0xa0])),
    ]);
    let RepoMessage::Ephemeral { count, .. } = decode(&eph).unwrap() else {
        panic!("not ephemeral");
    };
    assert_eq!(count, 5_000_000_000);
}

#[test]
fn subscription_change_with_undefined_remove() {
    // RemoteHeadsSubscriptions emits {add} or {remove} alone; Repo copies both keys.
    let bytes = with_undefined(frame(&[
        ("type", text("remote-subscription-change")),
        ("targetId", text("server")),
        ("add", Value::Array(vec![text("storage-a")])),
        ("remove", Value::Null),
        ("senderId", text("peer-abc")),
    ]));
    assert_eq!(
        decode(&bytes),
        Ok(RepoMessage::RemoteSubscriptionChange {
            sender_id: "peer-abc".into(),
            target_id: "server".into(),
            add: vec!["storage-a".into()],
            remove: vec![],
        })
    );
}

#[test]
fn error_frames_from_js_and_samod() {
    let js = frame(&[
        ("type", text("error")),
        ("senderId", text("server")),
        ("message", text("unsupported protocol version")),
        ("targetId", text("peer")),
    ]);
    let samod = frame(&[("type", text("error")), ("message", text("boom"))]);
    assert!(matches!(
        decode(&js),
        Ok(RepoMessage::Error {
            sender_id: Some(_),
            target_id: Some(_),
            ..
        })
    ));
    assert!(matches!(
        decode(&samod),
        Ok(RepoMessage::Error {
            sender_id: None,
            target_id: None,
            ..
        })
    ));
}

#[test]
fn duplicate_keys_take_the_last_value_like_a_js_object() {
    let bytes = frame(&[
        ("type", text("leave")),
        ("senderId", text("first")),
        ("senderId", text("second")),
    ]);
    assert_eq!(
        decode(&bytes),
        Ok(RepoMessage::Leave {
            sender_id: "second".into()
        })
    );
}
