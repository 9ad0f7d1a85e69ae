//! Frames exactly as `cbor.encode` of `@automerge/automerge-repo` 2.5.6 wrote them (captured
//! with node from the message objects the JS client builds): map16 headers, `undefined` for
//! unset properties, float64 for `Date.now()`.

use crate::protocol::{decode, PeerMetadata, RepoMessage};

fn js(hex_frame: &str) -> RepoMessage {
    decode(&hex::decode(hex_frame).unwrap()).unwrap()
}

#[test]
fn join_from_a_repo_without_storage() {
    // {type: "join", senderId: "peer-1", peerMetadata: {storageId: undefined,
    //  isEphemeral: true}, supportedProtocolVersions: ["1"]}
    let msg = js(concat!(
        "b900046474797065646a6f696e6873656e646572496466706565722d316c706565724d657461",
        "64617461b900026973746f726167654964f76b6973457068656d6572616cf57819737570706f",
        "7274656450726f746f636f6c56657273696f6e73816131",
    ));
    assert_eq!(
        msg,
        RepoMessage::Join {
            sender_id: "peer-1".into(),
            supported_protocol_versions: Some(vec!["1".into()]),
            peer_metadata: PeerMetadata {
                storage_id: None,
                is_ephemeral: true
            },
        }
    );
}

#[test]
fn subscription_change_with_remove_undefined() {
    // {type, targetId: "server", add: ["a"], remove: undefined, senderId: "peer-1"}
    let msg = js(concat!(
        "b900056474797065781a72656d6f74652d737562736372697074696f6e2d6368616e676568",
        "746172676574496466736572766572636164648161616672656d6f7665f76873656e64657249",
        "6466706565722d31",
    ));
    assert_eq!(
        msg,
        RepoMessage::RemoteSubscriptionChange {
            sender_id: "peer-1".into(),
            target_id: "server".into(),
            add: vec!["a".into()],
            remove: vec![],
        }
    );
}

#[test]
fn remote_heads_with_a_float64_timestamp() {
    // newHeads: {st: {heads: ["h1"], timestamp: Date.now()}}
    let msg = js(concat!(
        "b9000564747970657472656d6f74652d68656164732d6368616e67656468746172676574496466",
        "7365727665726a646f63756d656e744964781c344e4d4e6e6b4d684c386a5872644a396a616d53",
        "3538504156645875686e65774865616473b90001627374b90002656865616473816268316974",
        "696d657374616d70fb427a2225b395f0006873656e646572496466706565722d31",
    ));
    let RepoMessage::RemoteHeadsChanged {
        document_id,
        new_heads,
        ..
    } = msg
    else {
        panic!("not remote-heads-changed: {msg:?}");
    };
    assert_eq!(document_id.to_string(), "4NMNnkMhL8jXrdJ9jamS58PAVdXu");
    assert_eq!(new_heads["st"].heads, vec!["h1".to_owned()]);
    assert_eq!(new_heads["st"].timestamp, 1_795_872_733_535);
}
