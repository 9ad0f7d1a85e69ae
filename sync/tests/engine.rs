//! The engine against the in-memory store: convergence, forgery, replay, compaction.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use automerge::{ActorId, AutoCommit};
use casesync_contract::case::{self, CaseLog};
use casesync_contract::wire::DocumentKind;
use casesync_contract::{DocumentId, Role};
use casesync_sync::memory::MemoryStore;
use casesync_sync::{Engine, EngineConfig, Refusal};
use common::*;

#[test]
fn device_creates_and_another_appends() {
    let engine = engine();
    let id = DocumentId::random();
    let mut a = new_case(id, ActorId::random());
    let out = engine
        .admit(
            &id,
            DocumentKind::Case,
            &writer("dev-a", Role::OutreachWorker),
            &all_changes(&mut a),
            Some(&meta()),
            5,
        )
        .unwrap();
    assert!(out.created);
    assert!(out.touched.contains("profile") && out.touched.contains("episodes"));
    assert_eq!(out.heads, a.get_heads());

    let mut b = AutoCommit::new().with_actor(ActorId::random());
    b.load_incremental(&a.save()).unwrap();
    case::append(
        &mut b,
        CaseLog::Observations,
        &observation("o-b", "dev-b", 20),
    )
    .unwrap();
    let before = a.get_heads();
    let changes: Vec<Vec<u8>> = b
        .get_changes(&before)
        .into_iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    let out = engine
        .admit(
            &id,
            DocumentKind::Case,
            &writer("dev-b", Role::ReceptionStaff),
            &changes,
            None,
            6,
        )
        .unwrap();
    assert_eq!(out.added.len(), 1);
    // What the server derives from the case is recomputed by what the change touched.
    assert!(out.touched.contains("observations"));
    assert!(out.touched.contains("observations.text"));
    assert!(!out.touched.contains("observations.attachments"));
    assert!(!out.touched.contains("episodes") && !out.touched.contains("profile"));
    // Replaying the same request changes nothing.
    let again = engine
        .admit(
            &id,
            DocumentKind::Case,
            &writer("dev-b", Role::ReceptionStaff),
            &changes,
            None,
            7,
        )
        .unwrap();
    assert!(again.added.is_empty());
    assert_eq!(again.heads, out.heads);
}

#[test]
fn forged_actor_is_refused_and_nothing_stored() {
    let engine = engine();
    let id = DocumentId::random();
    let actor = ActorId::random();
    let mut a = new_case(id, actor.clone());
    admit_new_case(&engine, &id, &mut a, Role::OutreachWorker);
    // dev-b writes under dev-a's actor.
    let mut forged = a.fork().with_actor(actor);
    case::append(
        &mut forged,
        CaseLog::Observations,
        &observation("o-x", "dev-a", 9),
    )
    .unwrap();
    let changes: Vec<Vec<u8>> = forged
        .get_changes(&a.get_heads())
        .into_iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    let err = engine
        .admit(
            &id,
            DocumentKind::Case,
            &writer("dev-b", Role::OutreachWorker),
            &changes,
            None,
            6,
        )
        .unwrap_err();
    assert!(matches!(err, Refusal::ForgedChange { .. }), "{err}");
    let heads = engine.read(&id, |d| d.get_heads()).unwrap().unwrap();
    assert_eq!(heads, a.get_heads());
}

#[test]
fn broken_shape_and_garbage_are_refused() {
    let engine = engine();
    let id = DocumentId::random();
    let mut a = new_case(id, ActorId::random());
    let w = writer("dev-a", Role::Coordinator);
    engine
        .admit(
            &id,
            DocumentKind::Case,
            &w,
            &all_changes(&mut a),
            Some(&meta()),
            5,
        )
        .unwrap();
    let before = a.get_heads();
    automerge::transaction::Transactable::put(
        &mut a,
        automerge::ROOT,
        "observations",
        "not a list",
    )
    .unwrap();
    let changes: Vec<Vec<u8>> = a
        .get_changes(&before)
        .into_iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    let err = engine
        .admit(&id, DocumentKind::Case, &w, &changes, None, 6)
        .unwrap_err();
    assert!(
        matches!(err, Refusal::InvalidShape(_) | Refusal::Denied(_)),
        "{err}"
    );
    let err = engine
        .admit(&id, DocumentKind::Case, &w, &[vec![1, 2, 3, 4]], None, 6)
        .unwrap_err();
    assert!(matches!(err, Refusal::InvalidChanges(_)), "{err}");
}

#[test]
fn missing_dependencies_are_refused() {
    let engine = engine();
    let id = DocumentId::random();
    let mut a = new_case(id, ActorId::random());
    let w = writer("dev-a", Role::OutreachWorker);
    let first = all_changes(&mut a);
    case::append(
        &mut a,
        CaseLog::Observations,
        &observation("o-1", "dev-a", 9),
    )
    .unwrap();
    let all = all_changes(&mut a);
    let err = engine
        .admit(
            &id,
            DocumentKind::Case,
            &w,
            &all[first.len()..],
            Some(&meta()),
            5,
        )
        .unwrap_err();
    assert!(matches!(err, Refusal::MissingDependencies(1)), "{err}");
}

#[test]
fn compaction_keeps_the_document() {
    let engine = Engine::new(
        Arc::new(MemoryStore::new()),
        EngineConfig {
            compact_after: 3,
            ..EngineConfig::default()
        },
    );
    let id = DocumentId::random();
    let mut a = new_case(id, ActorId::random());
    let w = writer("dev-a", Role::OutreachWorker);
    engine
        .admit(
            &id,
            DocumentKind::Case,
            &w,
            &all_changes(&mut a),
            Some(&meta()),
            5,
        )
        .unwrap();
    for i in 0..5 {
        let before = a.get_heads();
        case::append(
            &mut a,
            CaseLog::Observations,
            &observation(&format!("o-{i}"), "dev-a", i),
        )
        .unwrap();
        let changes: Vec<Vec<u8>> = a
            .get_changes(&before)
            .into_iter()
            .map(|c| c.raw_bytes().to_vec())
            .collect();
        let out = engine
            .admit(&id, DocumentKind::Case, &w, &changes, None, 6)
            .unwrap();
        if out.compaction_due {
            engine.compact(&id).unwrap();
        }
    }
    let fresh = Engine::new(engine.store().clone(), EngineConfig::default());
    let heads = fresh.read(&id, |d| d.get_heads()).unwrap().unwrap();
    assert_eq!(heads, a.get_heads());
    let chunks = casesync_sync::DocumentStore::chunks_after(&**engine.store(), &id, 0).unwrap();
    assert!(
        chunks.len() < 6,
        "compaction should have folded chunks: {}",
        chunks.len()
    );
}

#[test]
fn peeking_leaves_nothing_in_memory() {
    let engine = engine();
    let id = DocumentId::random();
    let mut a = new_case(id, ActorId::random());
    admit_new_case(&engine, &id, &mut a, Role::OutreachWorker);
    engine.forget(&id);
    let heads = engine.peek(&id, |doc| doc.get_heads()).unwrap();
    assert_eq!(heads, Some(a.get_heads()));
    assert_eq!(engine.loaded(), 0, "a sweep does not pull documents in");
    assert_eq!(engine.peek(&DocumentId::random(), |_| ()).unwrap(), None);
    // A document already in memory is read there.
    engine.read(&id, |_| ()).unwrap();
    assert_eq!(
        engine.peek(&id, |doc| doc.get_heads()).unwrap(),
        Some(a.get_heads())
    );
    assert_eq!(engine.loaded(), 1);
}
