//! A refusal concerns only the change at fault and the changes depending on it: the rest of
//! the push is stored and acknowledged. A refused change sent again is answered from memory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;

use automerge::{ActorId, AutoCommit, ChangeHash};
use casesync_contract::case::{self, CaseLog, Millis, Str};
use casesync_contract::errors::ErrorCode;
use casesync_contract::wire::DocumentKind;
use casesync_contract::{DocumentId, Role};
use casesync_sync::memory::MemoryStore;
use casesync_sync::{Engine, HeldChanges, Received, Refusal, Writer};
use common::*;

type Change = (ChangeHash, Vec<u8>);

fn stored_case(engine: &Engine<MemoryStore>) -> (DocumentId, AutoCommit) {
    let id = DocumentId::random();
    let mut phone = new_case(id, ActorId::random());
    admit_new_case(engine, &id, &mut phone, Role::OutreachWorker);
    (id, phone)
}

/// The one change `edit` made to `phone`.
fn change(phone: &mut AutoCommit, edit: impl FnOnce(&mut AutoCommit)) -> Change {
    let before = phone.get_heads();
    edit(phone);
    let changes = phone.get_changes(&before);
    assert_eq!(changes.len(), 1);
    (changes[0].hash(), changes[0].raw_bytes().to_vec())
}

fn observe(phone: &mut AutoCommit, n: usize) -> Change {
    observe_as(phone, n, "dev-a")
}

/// An observation naming `device` (and its user) as who recorded it.
fn observe_as(phone: &mut AutoCommit, n: usize, device: &str) -> Change {
    change(phone, |doc| {
        let obs = observation(&format!("o-{n}"), device, 100 + n as i64);
        case::append(doc, CaseLog::Observations, &obs).unwrap();
    })
}

/// Opening an episode that reports the child missing: not for an outreach worker.
fn report_missing(phone: &mut AutoCommit) -> Change {
    change(phone, |doc| {
        let episode = case::Episode {
            id: Str::from("ep-1"),
            opened_at: Millis(10),
            events: vec![case::EpisodeEvent {
                id: Str::from("ev-1"),
                state: Str::from("missing"),
                observed_at: Millis(10),
                author: Str::from("user-dev-a"),
                device: Str::from("dev-a"),
                note: None,
                supersedes: Some(vec![]),
                details: None,
                provenance: None,
            }],
        };
        case::append(doc, CaseLog::Episodes, &episode).unwrap();
    })
}

fn push(
    engine: &Engine<MemoryStore>,
    id: &DocumentId,
    who: &Writer,
    changes: &[&Change],
) -> Received {
    let raw: Vec<Vec<u8>> = changes.iter().map(|c| c.1.clone()).collect();
    let mut held = HeldChanges::default();
    let out = engine
        .receive(id, DocumentKind::Case, who, &raw, None, 50, &mut held)
        .unwrap();
    assert!(held.is_empty());
    out
}

fn outreach() -> Writer {
    writer("dev-a", Role::OutreachWorker)
}

fn stored(engine: &Engine<MemoryStore>, id: &DocumentId, change: &Change) -> bool {
    engine.store().receipt(id, &change.0).is_some()
}

#[test]
fn a_forbidden_entry_takes_only_what_depends_on_it() {
    let engine = engine();
    let (id, mut phone) = stored_case(&engine);
    let good = observe(&mut phone, 1);
    let forbidden = report_missing(&mut phone);
    // Automerge chains a device's changes: the later observation depends on the refused one.
    let later = observe(&mut phone, 2);

    let out = push(&engine, &id, &outreach(), &[&good, &forbidden, &later]);
    let admitted = out.admitted.expect("the good observation is stored");
    assert_eq!(admitted.added, vec![good.0]);
    assert_eq!(admitted.heads, vec![good.0], "and acknowledged");
    assert!(stored(&engine, &id, &good));
    let rejected = out.refused.expect("the forbidden entry is refused");
    assert_eq!(rejected.changes, vec![forbidden.0, later.0]);
    let first = rejected.refusal.detail();
    match &rejected.refusal {
        Refusal::Denied(denial) => assert_eq!(denial.rule, "episodes_open"),
        other => panic!("unexpected {other}"),
    }
    assert!(!stored(&engine, &id, &forbidden) && !stored(&engine, &id, &later));
    assert_eq!(engine.remembered_refusals(), 2);

    // Sent again: answered from memory, with what the refusal said then.
    let out = push(&engine, &id, &outreach(), &[&forbidden, &later]);
    assert!(out.admitted.is_none());
    let rejected = out.refused.unwrap();
    assert_eq!(rejected.changes, vec![forbidden.0, later.0]);
    assert!(matches!(rejected.refusal, Refusal::Repeated(_)));
    assert_eq!(rejected.refusal.detail(), first);
    assert_eq!(engine.remembered_refusals(), 2);

    // A new change on top of the refused ones is refused at once, not held waiting for them.
    let next = observe(&mut phone, 3);
    let out = push(&engine, &id, &outreach(), &[&next]);
    assert_eq!(out.held, 0);
    let rejected = out.refused.unwrap();
    assert_eq!(rejected.changes, vec![next.0]);
    assert_eq!(rejected.refusal.code(), ErrorCode::PermissionDenied);
    let message = rejected.refusal.to_string();
    assert!(message.contains(&forbidden.0.to_string()), "{message}");

    // Another device is checked for itself, not answered from dev-a's memory: relaying
    // dev-a's change, it is refused for the actor, which is dev-a's.
    let reception = writer("dev-b", Role::ReceptionStaff);
    let out = push(&engine, &id, &reception, &[&forbidden]);
    let refusal = out.refused.unwrap().refusal;
    assert!(matches!(refusal, Refusal::ForgedChange { .. }), "{refusal}");
}

#[test]
fn an_independent_change_after_a_forbidden_one_is_kept() {
    let engine = engine();
    let (id, mut phone) = stored_case(&engine);
    let good = observe(&mut phone, 1);
    // A branch from before the forbidden edit: its observation does not depend on it.
    let mut branch = phone.fork();
    let forbidden = report_missing(&mut phone);
    let later = observe(&mut branch, 2);

    let out = push(&engine, &id, &outreach(), &[&good, &forbidden, &later]);
    let admitted = out.admitted.unwrap();
    assert_eq!(
        admitted.added.iter().collect::<HashSet<_>>(),
        HashSet::from([&good.0, &later.0])
    );
    assert_eq!(admitted.heads, vec![later.0]);
    assert!(stored(&engine, &id, &good) && stored(&engine, &id, &later));
    assert_eq!(out.refused.unwrap().changes, vec![forbidden.0]);
    assert!(!stored(&engine, &id, &forbidden));
    let chunks = casesync_sync::DocumentStore::chunks_after(&**engine.store(), &id, 0).unwrap();
    assert_eq!(chunks.len(), 2, "the case, then one chunk for this push");
}

#[test]
fn a_forged_actor_takes_only_its_own_changes() {
    let engine = engine();
    let (id, mut phone) = stored_case(&engine);
    let dev_a_actor = phone.get_actor().clone();
    let mut forged = phone.fork().with_actor(dev_a_actor);
    let mut own = phone.fork();
    let forgery = observe(&mut forged, 1);
    let mut forged = forged.with_actor(ActorId::random());
    let on_forgery = observe(&mut forged, 2);
    let honest = observe_as(&mut own, 3, "dev-b");

    let dev_b = writer("dev-b", Role::OutreachWorker);
    let out = push(&engine, &id, &dev_b, &[&forgery, &on_forgery, &honest]);
    assert_eq!(out.admitted.unwrap().added, vec![honest.0]);
    let rejected = out.refused.unwrap();
    assert!(
        matches!(rejected.refusal, Refusal::ForgedChange { .. }),
        "{}",
        rejected.refusal
    );
    assert_eq!(
        rejected.changes.iter().collect::<HashSet<_>>(),
        HashSet::from([&forgery.0, &on_forgery.0])
    );
}

#[test]
fn admit_still_refuses_a_push_whole() {
    let engine = engine();
    let (id, mut phone) = stored_case(&engine);
    let good = observe(&mut phone, 1);
    let forbidden = report_missing(&mut phone);
    let err = engine
        .admit(
            &id,
            DocumentKind::Case,
            &outreach(),
            &[good.1.clone(), forbidden.1.clone()],
            None,
            50,
        )
        .unwrap_err();
    assert!(matches!(err, Refusal::Denied(_)), "{err}");
    assert!(!stored(&engine, &id, &good));
}

#[test]
fn an_entry_completed_later_in_the_same_push_survives_a_refusal_beside_it() {
    let engine = engine();
    let (id, mut phone) = stored_case(&engine);
    let mut branch = phone.fork();
    let created = observe(&mut phone, 1);
    // The entry's place is filled in by a second change, as a form saved twice does: in one
    // push that completes a new entry; checked alone, it would edit an existing one.
    let completed = change(&mut phone, |doc| {
        use automerge::{transaction::Transactable, ReadDoc};
        let (_, list) = doc.get(automerge::ROOT, "observations").unwrap().unwrap();
        let (_, entry) = doc.get(&list, 0).unwrap().unwrap();
        doc.put(&entry, "place", "bus station").unwrap();
    });
    let forbidden = report_missing(&mut branch);

    let out = push(
        &engine,
        &id,
        &outreach(),
        &[&created, &forbidden, &completed],
    );
    let admitted = out.admitted.unwrap();
    assert_eq!(admitted.added, vec![created.0, completed.0]);
    assert_eq!(out.refused.unwrap().changes, vec![forbidden.0]);
}

#[test]
fn an_entry_naming_another_writer_is_refused_and_the_rest_kept() {
    let engine = engine();
    let (id, mut phone) = stored_case(&engine);
    let own = observe(&mut phone, 1);
    // The same phone (dev-a) records an observation in a colleague's name.
    let impersonating = observe_as(&mut phone, 2, "dev-c");
    let out = push(&engine, &id, &outreach(), &[&own, &impersonating]);
    assert_eq!(out.admitted.unwrap().added, vec![own.0]);
    let rejected = out.refused.unwrap();
    let Refusal::Denied(denial) = &rejected.refusal else {
        panic!("{}", rejected.refusal)
    };
    assert_eq!(denial.rule, "entries_name_their_writer");
    assert!(
        denial.path.starts_with("observations[1]"),
        "{}",
        denial.path
    );
    assert_eq!(rejected.changes, vec![impersonating.0]);
    assert!(!stored(&engine, &id, &impersonating));
}

/// A text mark is refused on the change's bytes, before automerge applies it: its mark index
/// is where fuzzing found a change that aborts the process (`sync::screen`). The observation
/// sent beside it is stored.
#[test]
fn a_change_marking_text_is_refused_before_it_is_applied() {
    use automerge::marks::{ExpandMark, Mark};
    use automerge::transaction::Transactable;
    use automerge::{ObjType, ReadDoc, ScalarValue, ROOT};

    let engine = engine();
    let (id, mut phone) = stored_case(&engine);
    let good = observe(&mut phone, 1);
    let marked = change(&mut phone, |doc| {
        let obs = observation("o-2", "dev-a", 102);
        case::append(doc, CaseLog::Observations, &obs).unwrap();
        let (_, list) = doc.get(ROOT, "observations").unwrap().unwrap();
        let last = doc.length(&list) - 1;
        let (_, entry) = doc.get(&list, last).unwrap().unwrap();
        // As JavaScript writes a string: a text object, here with a bold span.
        let text = doc.put_object(&entry, "text", ObjType::Text).unwrap();
        doc.splice_text(&text, 0, 0, "seen near the station")
            .unwrap();
        let bold = Mark::new("bold".into(), ScalarValue::Boolean(true), 0, 4);
        doc.mark(&text, bold, ExpandMark::None).unwrap();
    });

    let out = push(&engine, &id, &outreach(), &[&good, &marked]);
    assert_eq!(out.admitted.unwrap().added, vec![good.0]);
    let rejected = out.refused.unwrap();
    assert_eq!(rejected.changes, vec![marked.0]);
    assert_eq!(rejected.refusal.code(), ErrorCode::InvalidChanges);
    let message = rejected.refusal.to_string();
    assert!(message.contains("text mark"), "{message}");
    assert!(stored(&engine, &id, &good) && !stored(&engine, &id, &marked));
}
