//! Frames the server must refuse, each with a reason a person can act on.

use ciborium::Value;
use proptest::prelude::*;

use super::{doc_id, frame, map, text, to_bytes};
use crate::protocol::{decode, encode, ProtocolError, RepoMessage};

fn code(bytes: &[u8]) -> &'static str {
    match decode(bytes) {
        Ok(msg) => panic!("decoded {msg:?}"),
        Err(e) => e.code(),
    }
}

#[test]
fn garbage_and_empty_frames_are_not_cbor() {
    assert_eq!(code(b""), "not_cbor");
    assert_eq!(code(&[0xff, 0x00, 0x13]), "not_cbor");
    // A map that announces three entries and ends after one.
    assert_eq!(code(&[0xa3, 0x61, b'a', 0x01]), "not_cbor");
}

#[test]
fn a_cbor_array_is_not_a_map() {
    let bytes = to_bytes(&Value::Array(vec![text("type"), text("sync")]));
    assert_eq!(decode(&bytes), Err(ProtocolError::NotAMap("array")));
    assert_eq!(code(&to_bytes(&text("join"))), "not_a_map");
}

#[test]
fn a_map_without_type() {
    let bytes = frame(&[("senderId", text("peer"))]);
    assert_eq!(decode(&bytes), Err(ProtocolError::MissingType));
    let null_type = frame(&[("type", Value::Null)]);
    assert_eq!(code(&null_type), "missing_type");
    let number_type = frame(&[("type", Value::Integer(1.into()))]);
    assert_eq!(code(&number_type), "wrong_field_type");
}

#[test]
fn an_unknown_type_names_it() {
    let bytes = frame(&[("type", text("subscribe")), ("senderId", text("p"))]);
    let err = decode(&bytes).unwrap_err();
    assert_eq!(err, ProtocolError::UnknownType("subscribe".into()));
    assert_eq!(err.code(), "unknown_type");
    assert!(err.to_string().contains("subscribe"), "{err}");

    let long = "x".repeat(10_000);
    let err = decode(&frame(&[("type", text(&long))])).unwrap_err();
    assert!(
        err.to_string().len() < 200,
        "echoes too much: {}",
        err.to_string().len()
    );
}

fn request_with_id(document_id: Value) -> Vec<u8> {
    frame(&[
        ("type", text("request")),
        ("senderId", text("p")),
        ("targetId", text("s")),
        ("documentId", document_id),
        ("data", Value::Bytes(vec![1])),
    ])
}

#[test]
fn bad_document_ids() {
    let mut broken = doc_id().to_string();
    broken.replace_range(0..1, if broken.starts_with('2') { "3" } else { "2" });
    for bad in [
        text(&broken),
        text("not base58 at all!"),
        text(""),
        Value::Bytes(vec![1, 2, 3]),
    ] {
        let err = decode(&request_with_id(bad.clone())).unwrap_err();
        assert_eq!(err.code(), "bad_document_id", "{bad:?}: {err}");
        assert!(err.to_string().contains("documentId"), "{err}");
    }
    assert_eq!(
        code(&request_with_id(Value::Integer(7.into()))),
        "wrong_field_type"
    );
}

#[test]
fn missing_and_mistyped_fields_name_the_field() {
    let no_sender = frame(&[
        ("type", text("sync")),
        ("targetId", text("s")),
        ("documentId", text(&doc_id().to_string())),
        ("data", Value::Bytes(vec![1])),
    ]);
    assert_eq!(
        decode(&no_sender),
        Err(ProtocolError::MissingField {
            message_type: "sync",
            field: "senderId"
        })
    );
    let no_data = frame(&[
        ("type", text("request")),
        ("senderId", text("p")),
        ("targetId", text("s")),
        ("documentId", text(&doc_id().to_string())),
    ]);
    assert_eq!(code(&no_data), "missing_field");
    let text_data = frame(&[
        ("type", text("sync")),
        ("senderId", text("p")),
        ("targetId", text("s")),
        ("documentId", text(&doc_id().to_string())),
        ("data", text("AAEC")),
    ]);
    let err = decode(&text_data).unwrap_err();
    assert_eq!(err.code(), "wrong_field_type");
    assert!(err.to_string().contains("`data`"), "{err}");
    let bad_meta = frame(&[
        ("type", text("join")),
        ("senderId", text("p")),
        ("peerMetadata", map(&[("isEphemeral", text("yes"))])),
    ]);
    assert_eq!(code(&bad_meta), "wrong_field_type");
    let negative_count = frame(&[
        ("type", text("ephemeral")),
        ("senderId", text("p")),
        ("targetId", text("s")),
        ("count", Value::Integer((-1).into())),
        ("sessionId", text("x")),
        ("documentId", text(&doc_id().to_string())),
        ("data", Value::Bytes(vec![1])),
    ]);
    assert_eq!(code(&negative_count), "wrong_field_type");
}

#[test]
fn bytes_after_the_map_are_refused() {
    let mut bytes = encode(&RepoMessage::Leave {
        sender_id: "p".into(),
    });
    bytes.push(0x00);
    assert_eq!(decode(&bytes), Err(ProtocolError::TrailingBytes(1)));
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let mut bytes = vec![0x81; 100_000];
    bytes.push(0x00);
    assert_eq!(code(&bytes), "not_cbor");
}

#[test]
fn a_huge_announced_length_is_an_error_not_an_allocation() {
    // A byte string claiming 2^62 bytes, with three present.
    let mut bytes = vec![0xa1, 0x64, b'd', b'a', b't', b'a', 0x5b];
    bytes.extend_from_slice(&(1u64 << 62).to_be_bytes());
    bytes.extend_from_slice(&[1, 2, 3]);
    assert_eq!(code(&bytes), "not_cbor");
}

proptest! {
    #[test]
    fn decode_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode(&bytes);
    }

    #[test]
    fn decode_never_panics_on_damaged_frames(
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        cut in any::<usize>(),
    ) {
        let mut bytes = encode(&RepoMessage::Ephemeral {
            sender_id: "peer".into(),
            target_id: "server".into(),
            document_id: doc_id(),
            session_id: "s".into(),
            count: 1 << 40,
            data: vec![0xa1, 0x61, b'x', 0x01],
        });
        for (at, byte) in flips {
            let at = at % bytes.len();
            bytes[at] = byte;
        }
        bytes.truncate(cut % (bytes.len() + 1));
        let _ = decode(&bytes);
    }
}
