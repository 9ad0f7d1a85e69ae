//! Over the automerge sync protocol, the engine's reply after admitting a peer's changes
//! carries the new heads: that reply is the peer's acknowledgement that they are stored.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use automerge::sync::{self, SyncDoc};
use automerge::ActorId;
use casesync_contract::case::{self, CaseLog};
use casesync_contract::wire::DocumentKind;
use casesync_contract::{DocumentId, Role};
use common::*;

/// What the WebSocket session does with one `sync` frame: admit its changes, then one sync
/// step with the message. Returns the engine's reply, if any.
fn frame(
    engine: &casesync_sync::Engine<casesync_sync::memory::MemoryStore>,
    id: &DocumentId,
    server_side: &mut sync::State,
    message: sync::Message,
) -> Option<sync::Message> {
    if !message.changes.is_empty() {
        let changes = casesync_sync::chunks::changes_from_chunks(message.changes.iter()).unwrap();
        engine
            .admit(
                id,
                DocumentKind::Case,
                &writer("dev-a", Role::ReceptionStaff),
                &changes,
                None,
                10,
            )
            .unwrap();
    }
    engine
        .sync_step(id, server_side, Some(message))
        .unwrap()
        .expect("document exists")
}

#[test]
fn the_reply_after_admission_acknowledges_the_changes() {
    let engine = engine();
    let id = DocumentId::random();
    let mut phone = new_case(id, ActorId::random());
    admit_new_case(&engine, &id, &mut phone, Role::ReceptionStaff);
    let (mut on_phone, mut on_server) = (sync::State::new(), sync::State::new());
    // In sync first: the phone says what it has and hears the server's heads.
    for _ in 0..3 {
        let Some(message) = phone.sync().generate_sync_message(&mut on_phone) else {
            break;
        };
        if let Some(reply) = frame(&engine, &id, &mut on_server, message) {
            phone
                .sync()
                .receive_sync_message(&mut on_phone, reply)
                .unwrap();
        }
    }
    assert_eq!(on_phone.their_heads, Some(phone.get_heads()));

    // A new observation goes out with its change; the reply must name it among the heads.
    case::append(
        &mut phone,
        CaseLog::Observations,
        &observation("o-1", "dev-a", 20),
    )
    .unwrap();
    phone.commit();
    let message = phone
        .sync()
        .generate_sync_message(&mut on_phone)
        .expect("the phone sends its change");
    assert!(!message.changes.is_empty());
    let reply = frame(&engine, &id, &mut on_server, message).expect("an acknowledgement");
    assert_eq!(reply.heads, phone.get_heads());
}
