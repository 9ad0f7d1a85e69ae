//! `provenance` is an addition within shape v1: documents and JSON written before it read as
//! they did, and an entry that carries it reads back whole.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ObjType, ReadDoc, ROOT};
use serde_json::json;

use crate::case::{
    append, new_case_document, read_case, validate::check_case, CaseDocument, CaseLog, Episode,
    EpisodeEvent, Millis, NewCase, Observation, Provenance, ShapeError, Str,
};
use crate::DocumentId;

fn provenance() -> Provenance {
    Provenance {
        organisation: Str::from("org-partner"),
        user: Str::from("user-outreach"),
        device: Str::from("dev-outreach"),
        view: Str::from("view-1"),
        contribution: Str::from("c-1"),
    }
}

fn observation(provenance: Option<Provenance>) -> Observation {
    Observation {
        id: Str::from("contrib-c-1"),
        kind: Str::from("sighting"),
        text: Str::from("seen at the station"),
        observed_at: Millis(5_000),
        place: Some(Str::from("central station")),
        author: Str::from("user-outreach"),
        device: Str::from("dev-outreach"),
        attachments: None,
        provenance,
    }
}

fn event(provenance: Option<Provenance>) -> EpisodeEvent {
    EpisodeEvent {
        id: Str::from("ev-1"),
        state: Str::from("located"),
        observed_at: Millis(6_000),
        author: Str::from("user-outreach"),
        device: Str::from("dev-outreach"),
        note: None,
        supersedes: None,
        details: None,
        provenance,
    }
}

fn case_doc() -> AutoCommit {
    new_case_document(
        &NewCase {
            case_id: DocumentId::from_bytes([3; 16]),
            organisation: "org-a".into(),
            site: "site-1".into(),
            jurisdiction: None,
            created_at: 1_000,
            profile: BTreeMap::new(),
        },
        ActorId::from(vec![1; 16]),
    )
    .unwrap()
}

fn old_json() -> serde_json::Value {
    json!({
        "schema_version": 1, "kind": "case", "case_id": "c", "organisation": "org-a",
        "site": "site-1", "jurisdiction": null, "created_at": 1000, "profile": {},
        "observations": [{
            "id": "o-1", "kind": "note", "text": "ate well", "observed_at": 2000,
            "place": null, "author": "u", "device": "d", "attachments": null
        }],
        "episodes": [{ "id": "ep-1", "opened_at": 3000, "events": [{
            "id": "ev-0", "state": "absent", "observed_at": 3000, "author": "u", "device": "d",
            "note": null, "supersedes": null, "details": null
        }]}],
        "risk_assessments": [], "checklists": [], "legal_bases": [], "referrals": [],
        "attachments": []
    })
}

#[test]
fn json_written_before_provenance_still_reads() {
    let case: CaseDocument = serde_json::from_value(old_json()).unwrap();
    assert_eq!(case.observations[0].provenance, None);
    assert_eq!(case.episodes[0].events[0].provenance, None);
    let again: CaseDocument = serde_json::from_value(serde_json::to_value(&case).unwrap()).unwrap();
    assert_eq!(again, case);
}

#[test]
fn json_with_provenance_round_trips() {
    let mut case: CaseDocument = serde_json::from_value(old_json()).unwrap();
    case.observations.push(observation(Some(provenance())));
    case.episodes[0].events.push(event(Some(provenance())));
    let value = serde_json::to_value(&case).unwrap();
    assert_eq!(value["observations"][1]["provenance"]["view"], "view-1");
    let again: CaseDocument = serde_json::from_value(value).unwrap();
    assert_eq!(again, case);
}

#[test]
fn a_document_without_the_key_hydrates_and_one_with_it_reads_back() {
    let mut doc = case_doc();
    // An observation as an older device writes it: no `provenance` key at all.
    let list = match doc.get(ROOT, "observations").unwrap() {
        Some((_, id)) => id,
        None => panic!("no observations"),
    };
    let obs = doc.insert_object(&list, 0, ObjType::Map).unwrap();
    for (key, value) in [
        ("id", "o-old"),
        ("kind", "note"),
        ("text", "t"),
        ("author", "u"),
        ("device", "d"),
    ] {
        doc.put(&obs, key, value).unwrap();
    }
    doc.put(&obs, "observed_at", 2_000_i64).unwrap();
    assert!(doc.get(&obs, "provenance").unwrap().is_none());
    append(
        &mut doc,
        CaseLog::Observations,
        &observation(Some(provenance())),
    )
    .unwrap();
    let episode = Episode {
        id: Str::from("ep-1"),
        opened_at: Millis(6_000),
        events: vec![event(Some(provenance())), {
            let mut e = event(None);
            e.id = Str::from("ev-2");
            e
        }],
    };
    append(&mut doc, CaseLog::Episodes, &episode).unwrap();
    let case = read_case(&doc).unwrap();
    assert_eq!(case.observations[0].provenance, None);
    assert_eq!(case.observations[1].provenance, Some(provenance()));
    assert_eq!(case.episodes[0].events[0].provenance, Some(provenance()));
    assert_eq!(case.episodes[0].events[1].provenance, None);
}

#[test]
fn a_provenance_names_everything_or_the_case_is_refused() {
    let mut case: CaseDocument = serde_json::from_value(old_json()).unwrap();
    let mut partial = provenance();
    partial.view = Str::from(" ");
    case.observations.push(observation(Some(partial.clone())));
    assert_eq!(
        check_case(&case),
        Err(ShapeError::Empty("observations[].provenance.view".into()))
    );
    case.observations.pop();
    case.episodes[0].events.push(event(Some(partial)));
    assert_eq!(
        check_case(&case),
        Err(ShapeError::Empty(
            "episodes[].events[].provenance.view".into()
        ))
    );
}
