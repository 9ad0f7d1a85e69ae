//! Over the automerge sync protocol, the engine's reply after admitting a peer's changes
//! carries the new heads: that reply is the peer's acknowledgement that they are stored.
//! A change that arrives without its dependency is held, the reply asks for what is
//! missing, and the acknowledgement follows once it arrives.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use automerge::sync::{self, SyncDoc};
use automerge::ActorId;
use casesync_contract::case::{self, CaseLog};
use casesync_contract::wire::DocumentKind;
use casesync_contract::{DocumentId, Role};
use casesync_sync::HeldChanges;
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

/// What the WebSocket session does with one `sync` frame while it may hold changes: receive
/// the frame's changes with those held (which the document may now complete), then one sync
/// step that asks for what the held ones wait for.
fn frame_holding(
    engine: &casesync_sync::Engine<casesync_sync::memory::MemoryStore>,
    id: &DocumentId,
    server_side: &mut sync::State,
    held: &mut HeldChanges,
    message: sync::Message,
) -> Option<sync::Message> {
    if !message.changes.is_empty() || held.count(id) > 0 {
        let changes = casesync_sync::chunks::changes_from_chunks(message.changes.iter()).unwrap();
        let out = engine
            .receive(
                id,
                DocumentKind::Case,
                &writer("dev-a", Role::ReceptionStaff),
                &changes,
                None,
                10,
                held,
            )
            .unwrap();
        assert!(out.refused.is_none());
    }
    engine
        .sync_step_holding(id, server_side, Some(message), held)
        .unwrap()
        .expect("document exists")
}

/// Messages cross the wire encoded.
fn wire(message: sync::Message) -> sync::Message {
    sync::Message::decode(&message.encode()).unwrap()
}

#[test]
fn a_change_the_phone_took_for_known_is_asked_for_and_the_exchange_converges() {
    exchange_with_a_change_left_out(LeftOut::BloomFalsePositive);
}

#[test]
fn a_change_lost_on_the_way_is_asked_for_and_the_exchange_converges() {
    exchange_with_a_change_left_out(LeftOut::Lost);
}

#[derive(PartialEq)]
enum LeftOut {
    /// The server's Bloom filter claimed the change: the phone never sent it.
    BloomFalsePositive,
    /// The phone sent it, but it never arrived: the phone remembers having sent it, and
    /// sends it again only once the server's request tells it to forget that.
    Lost,
}

fn exchange_with_a_change_left_out(how: LeftOut) {
    let engine = engine();
    let id = DocumentId::random();
    let mut phone = new_case(id, ActorId::random());
    // A case with some history: sending a third of it or more, automerge sends it whole.
    for n in 0..6 {
        let obs = observation(&format!("o-old-{n}"), "dev-a", n);
        case::append(&mut phone, CaseLog::Observations, &obs).unwrap();
        phone.commit();
    }
    admit_new_case(&engine, &id, &mut phone, Role::ReceptionStaff);
    let (mut on_phone, mut on_server) = (sync::State::new(), sync::State::new());
    let mut held = HeldChanges::default();
    for _ in 0..3 {
        let Some(message) = phone.sync().generate_sync_message(&mut on_phone) else {
            break;
        };
        let reply = frame_holding(&engine, &id, &mut on_server, &mut held, wire(message));
        if let Some(reply) = reply {
            phone
                .sync()
                .receive_sync_message(&mut on_phone, wire(reply))
                .unwrap();
        }
    }
    assert_eq!(on_phone.their_heads, Some(phone.get_heads()));

    let before = phone.get_heads();
    for n in 1..=2 {
        let obs = observation(&format!("o-{n}"), "dev-a", 20 + n);
        case::append(&mut phone, CaseLog::Observations, &obs).unwrap();
        phone.commit();
    }
    let recorded: Vec<_> = phone
        .get_changes(&before)
        .iter()
        .map(|c| c.hash())
        .collect();
    let left_out = recorded[0];

    let mut asked = false;
    let mut rounds = 0;
    loop {
        let Some(mut message) = phone.sync().generate_sync_message(&mut on_phone) else {
            break;
        };
        rounds += 1;
        assert!(rounds <= 4, "the exchange does not converge");
        if rounds == 1 {
            // The first observation goes missing: the phone sends only the second, which
            // depends on it. Both would travel in one chunk, as sync v2 concatenates them.
            assert_eq!(message.changes.len(), 1);
            if how == LeftOut::BloomFalsePositive {
                on_phone.sent_hashes.remove(&left_out);
            }
            let sent = casesync_sync::chunks::changes_from_chunks(message.changes.iter()).unwrap();
            let kept: Vec<Vec<u8>> = sent
                .into_iter()
                .filter(|c| automerge::Change::from_bytes(c.clone()).unwrap().hash() != left_out)
                .collect();
            assert_eq!(kept.len(), 1);
            message.changes = sync::ChunkList::from(kept);
        }
        let Some(reply) = frame_holding(&engine, &id, &mut on_server, &mut held, wire(message))
        else {
            continue;
        };
        if rounds == 1 {
            assert_eq!(reply.need, vec![left_out], "the server asks for it");
            assert!(reply.have.is_empty());
            assert_eq!(reply.heads, before, "held changes are not announced");
            asked = true;
        }
        phone
            .sync()
            .receive_sync_message(&mut on_phone, wire(reply))
            .unwrap();
    }
    assert!(asked);
    assert!(rounds <= 3, "{rounds} rounds");
    assert!(held.is_empty());
    let server_heads = engine.read(&id, |d| d.get_heads()).unwrap().unwrap();
    assert_eq!(server_heads, phone.get_heads());
    assert_eq!(
        on_phone.their_heads,
        Some(phone.get_heads()),
        "acknowledged"
    );
    for change in recorded {
        assert!(engine.store().receipt(&id, &change).is_some());
    }
}
