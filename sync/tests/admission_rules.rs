//! Admission rules at the engine: append-only logs, roles, registers written whole.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use automerge::{ActorId, ReadDoc};
use casesync_contract::case::{self, CaseLog, Millis, Str};
use casesync_contract::wire::DocumentKind;
use casesync_contract::{DocumentId, Role};
use casesync_sync::Refusal;
use common::*;

#[test]
fn editing_an_entry_breaks_append_only() {
    let engine = engine();
    let id = DocumentId::random();
    let mut a = new_case(id, ActorId::random());
    case::append(
        &mut a,
        CaseLog::Observations,
        &observation("o-1", "dev-a", 9),
    )
    .unwrap();
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
    let before = a.get_heads();
    let obs = match a.get(automerge::ROOT, "observations").unwrap() {
        Some((_, list)) => a.get(&list, 0).unwrap().unwrap().1,
        None => panic!("no observations"),
    };
    automerge::transaction::Transactable::put(&mut a, &obs, "text", "rewritten").unwrap();
    let changes: Vec<Vec<u8>> = a
        .get_changes(&before)
        .into_iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    let err = engine
        .admit(&id, DocumentKind::Case, &w, &changes, None, 6)
        .unwrap_err();
    match err {
        Refusal::Denied(d) => assert_eq!(d.rule, "append_only"),
        other => panic!("unexpected {other}"),
    }
    let text = engine
        .read(&id, |d| {
            let (_, list) = d.get(automerge::ROOT, "observations").unwrap().unwrap();
            let (_, entry) = d.get(&list, 0).unwrap().unwrap();
            d.get(&entry, "text").unwrap().unwrap().0.to_string()
        })
        .unwrap()
        .unwrap();
    assert!(text.contains("seen near"), "{text}");
}

#[test]
fn outreach_cannot_report_missing_but_reception_can() {
    let engine = engine();
    let id = DocumentId::random();
    let mut a = new_case(id, ActorId::random());
    admit_new_case(&engine, &id, &mut a, Role::ReceptionStaff);
    let before = a.get_heads();
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
    case::append(&mut a, CaseLog::Episodes, &episode).unwrap();
    let changes: Vec<Vec<u8>> = a
        .get_changes(&before)
        .into_iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    let err = engine
        .admit(
            &id,
            DocumentKind::Case,
            &writer("dev-a", Role::OutreachWorker),
            &changes,
            None,
            6,
        )
        .unwrap_err();
    assert!(matches!(err, Refusal::Denied(_)), "{err}");
    engine
        .admit(
            &id,
            DocumentKind::Case,
            &writer("dev-a", Role::ReceptionStaff),
            &changes,
            None,
            7,
        )
        .unwrap();
}

#[test]
fn closing_as_text_object_is_still_checked() {
    // JavaScript clients write strings as text objects; the role check must still see them.
    let engine = engine();
    let id = DocumentId::random();
    let mut a = new_case(id, ActorId::random());
    admit_new_case(&engine, &id, &mut a, Role::ReceptionStaff);
    let before = a.get_heads();
    let episodes = a.get(automerge::ROOT, "episodes").unwrap().unwrap().1;
    use automerge::transaction::Transactable;
    let ep = a
        .insert_object(&episodes, 0, automerge::ObjType::Map)
        .unwrap();
    a.put(&ep, "id", "ep-1").unwrap();
    a.put(&ep, "opened_at", 10).unwrap();
    let events = a
        .put_object(&ep, "events", automerge::ObjType::List)
        .unwrap();
    let ev = a
        .insert_object(&events, 0, automerge::ObjType::Map)
        .unwrap();
    for (k, v) in [("id", "ev-1"), ("author", "u"), ("device", "dev-a")] {
        a.put(&ev, k, v).unwrap();
    }
    a.put(&ev, "observed_at", 10).unwrap();
    let state = a
        .put_object(&ev, "state", automerge::ObjType::Text)
        .unwrap();
    a.splice_text(&state, 0, 0, "closed").unwrap();
    a.commit();
    let changes: Vec<Vec<u8>> = a
        .get_changes(&before)
        .into_iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    let err = engine
        .admit(
            &id,
            DocumentKind::Case,
            &writer("dev-a", Role::ReceptionStaff),
            &changes,
            None,
            6,
        )
        .unwrap_err();
    match err {
        Refusal::Denied(d) => assert_eq!(d.rule, "episode_state_by_role"),
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn splicing_into_a_register_is_refused() {
    let engine = engine();
    let id = DocumentId::random();
    let mut a = new_case(id, ActorId::random());
    use automerge::transaction::Transactable;
    let profile = a.get(automerge::ROOT, "profile").unwrap().unwrap().1;
    let name = a
        .put_object(&profile, "nationality", automerge::ObjType::Text)
        .unwrap();
    a.splice_text(&name, 0, 0, "Eritrean").unwrap();
    a.commit();
    let w = writer("dev-a", Role::ReceptionStaff);
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
    a.splice_text(&name, 0, 0, "not ").unwrap();
    a.commit();
    let changes: Vec<Vec<u8>> = a
        .get_changes(&before)
        .into_iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    match engine
        .admit(&id, DocumentKind::Case, &w, &changes, None, 6)
        .unwrap_err()
    {
        Refusal::Denied(d) => assert_eq!(d.rule, "registers_written_whole"),
        other => panic!("unexpected {other}"),
    }
}
