//! The case shape of what a batch adds to an existing case: admission checks the entries and
//! registers the batch touched (not the whole document again), and must refuse exactly what
//! reading the whole case would refuse.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ObjType, ReadDoc, ROOT};
use casesync_contract::case::{self, CaseLog, Episode, EpisodeEvent, Millis, Str};
use casesync_contract::wire::DocumentKind;
use casesync_contract::{DocumentId, Role};
use casesync_sync::memory::MemoryStore;
use casesync_sync::{Engine, Refusal};
use common::*;

/// A stored case with one episode, and the device's copy of it.
fn stored_case() -> (Engine<MemoryStore>, DocumentId, AutoCommit) {
    let engine = engine();
    let id = DocumentId::random();
    let mut doc = new_case(id, ActorId::random());
    let episode = Episode {
        id: Str::from("ep-1"),
        opened_at: Millis(10),
        events: vec![event("ev-1", "absent")],
    };
    case::append(&mut doc, CaseLog::Episodes, &episode).unwrap();
    doc.commit();
    admit_new_case(&engine, &id, &mut doc, Role::ReceptionStaff);
    (engine, id, doc)
}

fn event(id: &str, state: &str) -> EpisodeEvent {
    EpisodeEvent {
        id: Str::from(id),
        state: Str::from(state),
        observed_at: Millis(20),
        author: Str::from("user-dev-a"),
        device: Str::from("dev-a"),
        note: None,
        supersedes: None,
        details: None,
        provenance: None,
    }
}

/// Admits what the device wrote since `before`.
fn admit_since(
    engine: &Engine<MemoryStore>,
    id: &DocumentId,
    doc: &mut AutoCommit,
    before: &[automerge::ChangeHash],
) -> Result<(), Refusal> {
    doc.commit();
    let changes: Vec<Vec<u8>> = doc
        .get_changes(before)
        .into_iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    engine
        .admit(
            id,
            DocumentKind::Case,
            &writer("dev-a", Role::ReceptionStaff),
            &changes,
            None,
            6,
        )
        .map(|_| ())
}

fn assert_shape_refused(result: Result<(), Refusal>) {
    match result {
        Err(Refusal::InvalidShape(_)) => {}
        other => panic!("expected an invalid shape, got {other:?}"),
    }
}

#[test]
fn valid_appends_and_registers_pass() {
    let (engine, id, mut doc) = stored_case();
    let before = doc.get_heads();
    let obs = observation("o-1", "dev-a", 30);
    case::append(&mut doc, CaseLog::Observations, &obs).unwrap();
    case::edit::append_episode_event(&mut doc, "ep-1", &event("ev-2", "located")).unwrap();
    case::set_profile_field(&mut doc, "family_name", "Mensah").unwrap();
    admit_since(&engine, &id, &mut doc, &before).unwrap();
    let stored = engine.read(&id, |d| case::read_case(d).unwrap()).unwrap();
    let stored = stored.unwrap();
    assert_eq!(stored.observations.len(), 1);
    assert_eq!(stored.episodes[0].events.len(), 2);
}

#[test]
fn an_observation_of_an_unknown_kind_is_refused() {
    let (engine, id, mut doc) = stored_case();
    let before = doc.get_heads();
    let mut obs = observation("o-1", "dev-a", 30);
    obs.kind = Str::from("teleported");
    case::append(&mut doc, CaseLog::Observations, &obs).unwrap();
    assert_shape_refused(admit_since(&engine, &id, &mut doc, &before));
}

#[test]
fn an_event_of_an_unknown_state_in_an_existing_episode_is_refused() {
    let (engine, id, mut doc) = stored_case();
    let before = doc.get_heads();
    case::edit::append_episode_event(&mut doc, "ep-1", &event("ev-2", "vanished")).unwrap();
    assert_shape_refused(admit_since(&engine, &id, &mut doc, &before));
}

#[test]
fn a_profile_field_outside_the_model_is_refused() {
    let (engine, id, mut doc) = stored_case();
    let before = doc.get_heads();
    let (_, profile) = doc.get(ROOT, "profile").unwrap().unwrap();
    doc.put(&profile, "favourite_colour", "blue").unwrap();
    assert_shape_refused(admit_since(&engine, &id, &mut doc, &before));
}

#[test]
fn an_entry_that_is_not_an_object_is_refused() {
    let (engine, id, mut doc) = stored_case();
    let before = doc.get_heads();
    let (_, list) = doc.get(ROOT, "observations").unwrap().unwrap();
    doc.insert(&list, 0, "just text").unwrap();
    assert_shape_refused(admit_since(&engine, &id, &mut doc, &before));
}

#[test]
fn an_observation_missing_a_field_is_refused() {
    let (engine, id, mut doc) = stored_case();
    let before = doc.get_heads();
    let (_, list) = doc.get(ROOT, "observations").unwrap().unwrap();
    let entry = doc.insert_object(&list, 0, ObjType::Map).unwrap();
    doc.put(&entry, "id", "o-1").unwrap();
    doc.put(&entry, "kind", "sighting").unwrap();
    assert_shape_refused(admit_since(&engine, &id, &mut doc, &before));
}
