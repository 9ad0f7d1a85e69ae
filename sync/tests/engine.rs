//! The engine against the in-memory store: admission rules and convergence, no I/O.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use automerge::{ActorId, AutoCommit, ReadDoc};
use casesync_contract::case::{self, CaseLog, Millis, NewCase, Observation, Str};
use casesync_contract::wire::DocumentKind;
use casesync_contract::{DocumentId, Role};
use casesync_sync::memory::MemoryStore;
use casesync_sync::{DocumentMeta, Engine, EngineConfig, Refusal, Writer};

fn writer(device: &str, role: Role) -> Writer {
    Writer {
        device: device.into(),
        user: format!("user-{device}"),
        role: Some(role),
        organisation: "org-a".into(),
        site: Some("site-1".into()),
    }
}

fn meta() -> DocumentMeta {
    DocumentMeta {
        kind: DocumentKind::Case,
        organisation: "org-a".into(),
        site: Some("site-1".into()),
    }
}

fn new_case(id: DocumentId, actor: ActorId) -> AutoCommit {
    let mut profile = BTreeMap::new();
    profile.insert("given_name".to_string(), "Abena".to_string());
    case::new_case_document(
        &NewCase {
            case_id: id,
            organisation: "org-a".into(),
            site: "site-1".into(),
            jurisdiction: Some("IT".into()),
            created_at: 1_000,
            profile,
        },
        actor,
    )
    .unwrap()
}

fn observation(id: &str, device: &str, at: i64) -> Observation {
    Observation {
        id: Str::from(id),
        kind: Str::from("sighting"),
        text: Str::from("seen near the station"),
        observed_at: Millis(at),
        place: Some(Str::from("central station")),
        author: Str::from(format!("user-{device}")),
        device: Str::from(device),
        attachments: None,
    }
}

fn all_changes(doc: &mut AutoCommit) -> Vec<Vec<u8>> {
    doc.get_changes(&[])
        .into_iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect()
}

fn engine() -> Engine<MemoryStore> {
    Engine::new(Arc::new(MemoryStore::new()), EngineConfig::default())
}

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
    engine
        .admit(
            &id,
            DocumentKind::Case,
            &writer("dev-a", Role::OutreachWorker),
            &all_changes(&mut a),
            Some(&meta()),
            5,
        )
        .unwrap();
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
fn outreach_cannot_report_missing_but_reception_can() {
    let engine = engine();
    let id = DocumentId::random();
    let mut a = new_case(id, ActorId::random());
    engine
        .admit(
            &id,
            DocumentKind::Case,
            &writer("dev-a", Role::ReceptionStaff),
            &all_changes(&mut a),
            Some(&meta()),
            5,
        )
        .unwrap();
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
fn closing_as_text_object_is_still_checked() {
    // JavaScript clients write strings as text objects; the role check must still see them.
    let engine = engine();
    let id = DocumentId::random();
    let mut a = new_case(id, ActorId::random());
    engine
        .admit(
            &id,
            DocumentKind::Case,
            &writer("dev-a", Role::ReceptionStaff),
            &all_changes(&mut a),
            Some(&meta()),
            5,
        )
        .unwrap();
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
