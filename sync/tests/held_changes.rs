//! Changes that arrive before their dependencies wait in the session's held set until those
//! arrive, and are then admitted with them in one chunk.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;

use automerge::{ActorId, AutoCommit, ChangeHash};
use casesync_contract::case::{self, CaseLog};
use casesync_contract::errors::ErrorCode;
use casesync_contract::wire::DocumentKind;
use casesync_contract::{DocumentId, Role};
use casesync_sync::memory::MemoryStore;
use casesync_sync::{DocumentStore, Engine, HeldChanges, HoldLimits, Received, Refusal, Writer};
use common::*;
use proptest::prelude::*;

/// A case stored by dev-a, and dev-a's copy of it.
fn stored_case(engine: &Engine<MemoryStore>) -> (DocumentId, AutoCommit) {
    let id = DocumentId::random();
    let mut phone = new_case(id, ActorId::random());
    admit_new_case(engine, &id, &mut phone, Role::OutreachWorker);
    (id, phone)
}

/// The phone records an observation: the one change that made.
fn observe(phone: &mut AutoCommit, n: usize) -> (ChangeHash, Vec<u8>) {
    let before = phone.get_heads();
    let obs = observation(&format!("o-{n}"), "dev-a", 100 + n as i64);
    case::append(phone, CaseLog::Observations, &obs).unwrap();
    let changes = phone.get_changes(&before);
    assert_eq!(changes.len(), 1);
    (changes[0].hash(), changes[0].raw_bytes().to_vec())
}

fn receive(
    engine: &Engine<MemoryStore>,
    id: &DocumentId,
    who: &Writer,
    raw: &[Vec<u8>],
    held: &mut HeldChanges,
) -> Received {
    engine
        .receive(id, DocumentKind::Case, who, raw, None, 50, held)
        .unwrap()
}

fn dev_a() -> Writer {
    writer("dev-a", Role::OutreachWorker)
}

fn chunks(engine: &Engine<MemoryStore>, id: &DocumentId) -> usize {
    engine.store().chunks_after(id, 0).unwrap().len()
}

fn server_heads(engine: &Engine<MemoryStore>, id: &DocumentId) -> Vec<ChangeHash> {
    engine.read(id, |d| d.get_heads()).unwrap().unwrap()
}

#[test]
fn a_change_waits_for_its_dependency_then_both_are_stored_together() {
    let engine = engine();
    let (id, mut phone) = stored_case(&engine);
    let before = server_heads(&engine, &id);
    let (x, x_raw) = observe(&mut phone, 1);
    let (y, y_raw) = observe(&mut phone, 2);
    let mut held = HeldChanges::new(HoldLimits::default());

    let out = receive(&engine, &id, &dev_a(), &[y_raw], &mut held);
    assert!(out.admitted.is_none() && out.refused.is_none());
    assert_eq!((out.held, out.need.clone()), (1, vec![x]));
    assert_eq!(held.hashes(&id), vec![y]);
    assert!(engine.store().receipt(&id, &y).is_none());
    assert_eq!(server_heads(&engine, &id), before);
    let chunks_before = chunks(&engine, &id);

    // Bytes that are not changes refuse the call and leave the held set alone.
    let err = engine
        .receive(
            &id,
            DocumentKind::Case,
            &dev_a(),
            &[vec![1, 2, 3]],
            None,
            50,
            &mut held,
        )
        .unwrap_err();
    assert!(matches!(err, Refusal::InvalidChanges(_)), "{err}");
    assert_eq!(held.hashes(&id), vec![y]);

    let out = receive(&engine, &id, &dev_a(), &[x_raw], &mut held);
    let admitted = out.admitted.expect("both stored");
    assert_eq!(
        admitted.added.iter().collect::<HashSet<_>>(),
        HashSet::from([&x, &y])
    );
    assert_eq!(chunks(&engine, &id), chunks_before + 1, "one append");
    assert_eq!((out.held, out.need), (0, vec![]));
    assert!(held.is_empty());
    assert_eq!(admitted.heads, phone.get_heads(), "the acknowledgement");
    assert_eq!(server_heads(&engine, &id), phone.get_heads());
    for change in [x, y] {
        assert_eq!(
            engine.store().receipt(&id, &change).unwrap().device,
            "dev-a"
        );
    }
}

#[test]
fn the_middle_of_a_chain_comes_last_and_duplicates_are_held_once() {
    let engine = engine();
    let (id, mut phone) = stored_case(&engine);
    let chain: Vec<_> = (0..3).map(|n| observe(&mut phone, n)).collect();
    let mut held = HeldChanges::default();

    let out = receive(
        &engine,
        &id,
        &dev_a(),
        &[chain[2].1.clone(), chain[0].1.clone(), chain[2].1.clone()],
        &mut held,
    );
    assert_eq!(out.admitted.unwrap().added, vec![chain[0].0]);
    assert_eq!((out.held, out.need.clone()), (1, vec![chain[1].0]));
    // The held change again, alone: still held once, still waiting for the same.
    let out = receive(&engine, &id, &dev_a(), &[chain[2].1.clone()], &mut held);
    assert!(out.admitted.is_none());
    assert_eq!((out.held, out.need), (1, vec![chain[1].0]));

    let out = receive(&engine, &id, &dev_a(), &[chain[1].1.clone()], &mut held);
    assert_eq!(out.admitted.unwrap().added, vec![chain[1].0, chain[2].0]);
    assert_eq!(out.held, 0);
    assert_eq!(server_heads(&engine, &id), phone.get_heads());
}

#[test]
fn a_dependency_sent_by_another_device_releases_the_held_change() {
    let engine = engine();
    let (id, mut phone_a) = stored_case(&engine);
    // dev-b records an observation; dev-a gets it directly from dev-b (nearby sharing)
    // and records its own on top.
    let mut phone_b = phone_a.fork().with_actor(ActorId::random());
    let before = phone_b.get_heads();
    case::append(
        &mut phone_b,
        CaseLog::Observations,
        &observation("o-b", "dev-b", 70),
    )
    .unwrap();
    let from_b: Vec<Vec<u8>> = phone_b
        .get_changes(&before)
        .iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    phone_a.merge(&mut phone_b).unwrap();
    let (mine, mine_raw) = observe(&mut phone_a, 1);

    let mut held_a = HeldChanges::default();
    let out = receive(&engine, &id, &dev_a(), &[mine_raw], &mut held_a);
    assert_eq!(out.held, 1);
    assert_eq!(out.need.len(), 1);

    let mut held_b = HeldChanges::default();
    let dev_b = writer("dev-b", Role::OutreachWorker);
    let out = receive(&engine, &id, &dev_b, &from_b, &mut held_b);
    assert_eq!(out.admitted.unwrap().added.len(), 1);

    // dev-a's session learns the document changed and tries its held changes again.
    assert_eq!(held_a.documents().collect::<Vec<_>>(), vec![&id]);
    let out = receive(&engine, &id, &dev_a(), &[], &mut held_a);
    assert_eq!(out.admitted.unwrap().added, vec![mine]);
    assert!(held_a.is_empty());
    assert_eq!(server_heads(&engine, &id), phone_a.get_heads());
    assert_eq!(engine.store().receipt(&id, &mine).unwrap().device, "dev-a");
}

#[test]
fn over_the_hold_limits_a_document_drops_its_held_changes_alone() {
    let engine = engine();
    let (id, mut phone) = stored_case(&engine);
    let (other, mut other_phone) = stored_case(&engine);
    let mut held = HeldChanges::new(HoldLimits {
        max_changes: 2,
        max_bytes: usize::MAX,
    });
    let _missing = observe(&mut other_phone, 0);
    let (_, other_raw) = observe(&mut other_phone, 1);
    assert_eq!(
        receive(&engine, &other, &dev_a(), &[other_raw], &mut held).held,
        1
    );

    let _missing = observe(&mut phone, 0);
    let waiting: Vec<Vec<u8>> = (1..4).map(|n| observe(&mut phone, n).1).collect();
    assert_eq!(
        receive(&engine, &id, &dev_a(), &waiting[..2], &mut held).held,
        2
    );
    let err = engine
        .receive(
            &id,
            DocumentKind::Case,
            &dev_a(),
            &waiting[2..],
            None,
            50,
            &mut held,
        )
        .unwrap_err();
    assert!(
        matches!(err, Refusal::HoldLimit { changes: 3, .. }),
        "{err}"
    );
    assert_eq!(err.code(), ErrorCode::MissingDependencies);
    assert_eq!(held.count(&id), 0);
    assert_eq!(
        held.count(&other),
        1,
        "another document keeps its held changes"
    );

    // Bytes count too.
    let mut held = HeldChanges::new(HoldLimits {
        max_changes: 100,
        max_bytes: 16,
    });
    let err = engine
        .receive(
            &id,
            DocumentKind::Case,
            &dev_a(),
            &waiting[..1],
            None,
            50,
            &mut held,
        )
        .unwrap_err();
    assert!(
        matches!(err, Refusal::HoldLimit { changes: 1, .. }),
        "{err}"
    );
    assert!(held.is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// However a device's changes are split across calls and ordered, every one ends up
    /// stored exactly once and nothing stays held.
    #[test]
    fn any_delivery_order_stores_every_change_once(
        order in (2usize..7).prop_flat_map(|n| Just((0..n).collect::<Vec<_>>()).prop_shuffle()),
        cuts in proptest::collection::vec(1usize..4, 7),
    ) {
        let engine = engine();
        let (id, mut phone) = stored_case(&engine);
        let chain: Vec<_> = (0..order.len()).map(|n| observe(&mut phone, n)).collect();
        let mut held = HeldChanges::default();
        let mut stored = Vec::new();
        let mut delivered = order.iter().map(|&i| chain[i].1.clone());
        for cut in cuts.iter().cycle() {
            let batch: Vec<Vec<u8>> = delivered.by_ref().take(*cut).collect();
            if batch.is_empty() {
                break;
            }
            let out = receive(&engine, &id, &dev_a(), &batch, &mut held);
            prop_assert!(out.refused.is_none());
            stored.extend(out.admitted.map(|a| a.added).unwrap_or_default());
        }
        let mut expected: Vec<ChangeHash> = chain.iter().map(|c| c.0).collect();
        expected.sort();
        stored.sort();
        prop_assert_eq!(stored, expected);
        prop_assert!(held.is_empty());
        prop_assert_eq!(server_heads(&engine, &id), phone.get_heads());
    }
}
