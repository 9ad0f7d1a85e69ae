//! A storage failure during `Engine::receive` must not lose the changes of the call: the
//! device's sync state records them as sent, and it would not send them again in the same
//! session. Found by the simulation (tests/simulation): changes that a dependency made
//! ready were taken out of the held set and dropped when the append failed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use automerge::{ActorId, ChangeHash};
use casesync_contract::case::{self, CaseLog};
use casesync_contract::wire::DocumentKind;
use casesync_contract::{DocumentId, Role};
use casesync_sync::memory::MemoryStore;
use casesync_sync::store::{ActorOwner, StoredChunk};
use casesync_sync::{
    ChangeReceipt, DeriveWork, DocumentMeta, DocumentStore, Engine, EngineConfig, HeldChanges,
    Refusal, StoreError, WriteAudit,
};
use common::*;

const WORKS: u8 = 0;
/// The next append does not happen.
const LOSES: u8 = 1;
/// The next append commits, then reports failure.
const COMMITS_AND_FAILS: u8 = 2;

/// A memory store whose next append fails as told.
#[derive(Default)]
struct Flaky {
    inner: MemoryStore,
    next_append: AtomicU8,
}

impl DocumentStore for Flaky {
    fn chunks_after(&self, doc: &DocumentId, after: i64) -> Result<Vec<StoredChunk>, StoreError> {
        self.inner.chunks_after(doc, after)
    }

    fn append(
        &self,
        doc: &DocumentId,
        bytes: &[u8],
        receipts: &[ChangeReceipt],
        create: Option<&DocumentMeta>,
        derive: Option<&DeriveWork>,
        audit: Option<&WriteAudit>,
    ) -> Result<i64, StoreError> {
        match self.next_append.swap(WORKS, Ordering::SeqCst) {
            LOSES => Err(StoreError::Backend("lost".into())),
            COMMITS_AND_FAILS => {
                self.inner
                    .append(doc, bytes, receipts, create, derive, audit)?;
                Err(StoreError::Backend(
                    "committed, then the connection dropped".into(),
                ))
            }
            _ => self
                .inner
                .append(doc, bytes, receipts, create, derive, audit),
        }
    }

    fn compact(&self, doc: &DocumentId, snapshot: &[u8], up_to: i64) -> Result<(), StoreError> {
        self.inner.compact(doc, snapshot, up_to)
    }

    fn claim_actor(&self, actor: &ActorId, device: &str) -> Result<ActorOwner, StoreError> {
        self.inner.claim_actor(actor, device)
    }
}

/// A stored case, and two observations the phone made on it, in order.
fn case_with_two_observations(engine: &Engine<Flaky>) -> (DocumentId, [(ChangeHash, Vec<u8>); 2]) {
    let id = DocumentId::random();
    let mut phone = new_case(id, ActorId::random());
    engine
        .admit(
            &id,
            DocumentKind::Case,
            &writer("dev-a", Role::OutreachWorker),
            &all_changes(&mut phone),
            Some(&meta()),
            5,
        )
        .unwrap();
    let observe = |phone: &mut automerge::AutoCommit, n: i64| {
        let before = phone.get_heads();
        let obs = observation(&format!("o-{n}"), "dev-a", n);
        case::append(phone, CaseLog::Observations, &obs).unwrap();
        let change = phone.get_changes(&before)[0].clone();
        (change.hash(), change.raw_bytes().to_vec())
    };
    let first = observe(&mut phone, 1);
    let second = observe(&mut phone, 2);
    (id, [first, second])
}

fn receive(
    engine: &Engine<Flaky>,
    id: &DocumentId,
    raw: &[Vec<u8>],
    held: &mut HeldChanges,
) -> Result<casesync_sync::Received, Refusal> {
    let who = writer("dev-a", Role::OutreachWorker);
    engine.receive(id, DocumentKind::Case, &who, raw, None, 50, held)
}

fn stored(engine: &Engine<Flaky>, id: &DocumentId, change: &ChangeHash) -> bool {
    engine.store().inner.receipt(id, change).is_some()
}

#[test]
fn changes_made_ready_stay_held_when_the_append_is_lost() {
    let engine = Engine::new(Arc::new(Flaky::default()), EngineConfig::default());
    let (id, [first, second]) = case_with_two_observations(&engine);
    let mut held = HeldChanges::default();

    // The second arrives first: held, waiting for the first.
    let out = receive(&engine, &id, std::slice::from_ref(&second.1), &mut held).unwrap();
    assert_eq!((out.held, out.need), (1, vec![first.0]));

    // The first arrives and makes the held one ready; the append of both is lost.
    engine.store().next_append.store(LOSES, Ordering::SeqCst);
    let err = receive(&engine, &id, std::slice::from_ref(&first.1), &mut held).unwrap_err();
    assert!(matches!(err, Refusal::Store(_)), "{err}");
    assert!(!stored(&engine, &id, &first.0) && !stored(&engine, &id, &second.0));
    let mut kept = held.hashes(&id);
    kept.sort();
    let mut both = vec![first.0, second.0];
    both.sort();
    assert_eq!(kept, both, "nothing of the call is lost");

    // The session's next call, with nothing new, stores both.
    let out = receive(&engine, &id, &[], &mut held).unwrap();
    let mut added = out.admitted.expect("stored now").added;
    added.sort();
    assert_eq!(added, both);
    assert!(held.is_empty());
}

#[test]
fn an_append_that_commits_and_fails_leaves_nothing_held_twice() {
    let engine = Engine::new(Arc::new(Flaky::default()), EngineConfig::default());
    let (id, [first, second]) = case_with_two_observations(&engine);
    let mut held = HeldChanges::default();
    receive(&engine, &id, std::slice::from_ref(&second.1), &mut held).unwrap();

    engine
        .store()
        .next_append
        .store(COMMITS_AND_FAILS, Ordering::SeqCst);
    let err = receive(&engine, &id, std::slice::from_ref(&first.1), &mut held).unwrap_err();
    assert!(matches!(err, Refusal::Store(_)), "{err}");
    // Stored after all: not held again, and the engine's heads (what the next sync message
    // announces) include them.
    assert!(stored(&engine, &id, &first.0) && stored(&engine, &id, &second.0));
    assert!(held.is_empty());
    let heads = engine.read(&id, |d| d.get_heads()).unwrap().unwrap();
    assert_eq!(heads, vec![second.0]);
    let out = receive(&engine, &id, &[], &mut held).unwrap();
    assert!(out.admitted.is_none() && out.refused.is_none());
}

#[test]
fn a_refusal_met_before_a_lost_append_is_still_reported() {
    let engine = Engine::new(Arc::new(Flaky::default()), EngineConfig::default());
    let (id, [good, _]) = case_with_two_observations(&engine);
    // A second change on top of the first, naming another device as its author: refused.
    let mut phone = automerge::AutoCommit::load(
        &engine
            .read(&id, |d| d.save())
            .unwrap()
            .expect("the case is stored"),
    )
    .unwrap()
    .with_actor(ActorId::random());
    phone
        .apply_changes([automerge::Change::from_bytes(good.1.clone()).unwrap()])
        .unwrap();
    let before = phone.get_heads();
    case::append(
        &mut phone,
        CaseLog::Observations,
        &observation("o-forged", "dev-b", 3),
    )
    .unwrap();
    let forged = phone.get_changes(&before)[0].clone();
    let raw = vec![good.1.clone(), forged.raw_bytes().to_vec()];
    let mut held = HeldChanges::default();

    // The refusal is found, then the append of the good change is lost; then the next
    // append is lost too, before anything is admitted.
    engine.store().next_append.store(LOSES, Ordering::SeqCst);
    receive(&engine, &id, &raw, &mut held).unwrap_err();
    engine.store().next_append.store(LOSES, Ordering::SeqCst);
    receive(&engine, &id, &[], &mut held).unwrap_err();
    assert!(!stored(&engine, &id, &good.0) && !stored(&engine, &id, &forged.hash()));

    // The session's next call stores the good change and tells the device of the refusal:
    // the device records both as sent and would never learn of it otherwise.
    let out = receive(&engine, &id, &[], &mut held).unwrap();
    assert_eq!(out.admitted.expect("stored now").added, vec![good.0]);
    assert_eq!(out.refused.expect("reported").changes, vec![forged.hash()]);
    assert!(held.is_empty());
}
