//! What a partner records in the view enters the source case as the partner's entry, with a
//! provenance only the server writes; a contribution naming someone else, or an edit of what
//! the server wrote in the view, is refused; a device of the source organisation cannot
//! write a provenance into a case.

use automerge::{ObjType, ReadDoc, Value, ROOT};
use autosurgeon::reconcile_insert;
use casesync_contract::case::{self, CaseDocument, CaseLog, Millis, Observation, Provenance, Str};
use casesync_contract::errors::ErrorCode;
use casesync_contract::sharing::Contribution;
use casesync_contract::Role;
use casesync_tests::device::Device;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::storage_test;

use super::{device_of, share, view_id};
use crate::authz_world::{Relation, World};

fn contribute(phone: &mut Device, view: &casesync_contract::DocumentId, c: &Contribution) {
    let doc = phone.doc(view);
    let list = match doc.get(ROOT, "contributions").unwrap() {
        Some((Value::Object(ObjType::List), list)) => list,
        other => panic!("no contributions list: {other:?}"),
    };
    let end = doc.length(&list);
    reconcile_insert(doc, list, end, c).unwrap();
    doc.commit();
}

fn contribution(phone: &Device, id: &str, kind: &str, text: &str) -> Contribution {
    Contribution {
        id: Str::from(id),
        kind: Str::from(kind),
        text: Str::from(text),
        observed_at: Millis(T0 + 5_000),
        place: Some(Str::from("Calais, the station")),
        author: Str(phone.user_id.clone()),
        device: Str(phone.device_id.clone()),
    }
}

fn read_case(world: &World, id: &casesync_contract::DocumentId) -> CaseDocument {
    let detail = world.expect(
        200,
        "GET",
        &format!("/v1/cases/{id}"),
        world.coordinator_a(),
        None,
    );
    serde_json::from_value(detail["case"].clone()).unwrap()
}

storage_test!(
    a_partners_sighting_enters_the_case_with_its_provenance,
    |db| {
        let world = World::build(TestServer::start(&db));
        let case_id = world.cases[&Relation::SharedWithB];
        let export = world.expect(
            200,
            "GET",
            &format!("/v1/cases/{case_id}/export"),
            world.coordinator_a(),
            None,
        );
        let view = view_id(&export["shares"][0]);
        let outreach_b = world.b.member(Role::OutreachWorker).clone();
        let mut phone = device_of(&world, &outreach_b);
        phone.sync().unwrap();
        let sighting = contribution(&phone, "c-1", "sighting", "seen at the food distribution");
        contribute(&mut phone, &view, &sighting);
        phone.sync().unwrap();
        assert!(phone.last_errors.is_empty(), "{:?}", phone.last_errors);

        let case = read_case(&world, &case_id);
        let entry = case
            .observations
            .iter()
            .find(|o| {
                o.provenance
                    .as_ref()
                    .is_some_and(|p| p.contribution.as_str() == "c-1")
            })
            .expect("the sighting is in the case");
        assert_eq!(entry.kind.as_str(), "sighting");
        assert_eq!(entry.text.as_str(), "seen at the food distribution");
        assert_eq!(entry.author.as_str(), outreach_b.user_id);
        let provenance = entry.provenance.as_ref().unwrap();
        assert_eq!(provenance.organisation.as_str(), outreach_b.organisation_id);
        assert_eq!(provenance.user.as_str(), outreach_b.user_id);
        assert_eq!(provenance.device.as_str(), outreach_b.device_id);
        assert_eq!(provenance.view.as_str(), view.to_string());
        // Admitted once, however often the view's work runs: a second sync changes nothing.
        phone.sync().unwrap();
        let again = read_case(&world, &case_id);
        assert_eq!(again.observations.len(), case.observations.len());

        // A contribution naming another person is refused.
        let mut forged = contribution(&phone, "c-2", "note", "written in someone else's name");
        forged.author = Str::from("somebody-else");
        contribute(&mut phone, &view, &forged);
        phone.sync().unwrap();
        let error = phone
            .last_errors
            .get(&view)
            .expect("the forged contribution is refused");
        assert_eq!(error.code, ErrorCode::PermissionDenied);
        // Nor may a partner edit what the server wrote in the view.
        phone.last_errors.clear();
        {
            let doc = phone.doc(&view);
            let (_, case_obj) = doc.get(ROOT, "case").unwrap().unwrap();
            let (_, profile) = doc.get(&case_obj, "profile").unwrap().unwrap();
            automerge::transaction::Transactable::put(doc, &profile, "asylum_status", "made up")
                .unwrap();
            doc.commit();
        }
        phone.sync().unwrap();
        assert_eq!(
            phone.last_errors.get(&view).map(|e| e.code),
            Some(ErrorCode::PermissionDenied)
        );
    }
);

storage_test!(a_partners_located_report_moves_the_episode, |db| {
    let world = World::build(TestServer::start(&db));
    let case_id = world.cases[&Relation::SameSite];
    // The child is reported missing by A's coordinator.
    let mut coordinator = device_of(&world, world.a.member(Role::Coordinator));
    coordinator.sync().unwrap();
    coordinator.episode_event(&case_id, "ep-1", "ev-1", "missing", T0 + 1_000);
    coordinator.sync().unwrap();
    let made = share(&world, &case_id, &["identity", "location"], None);
    let view = view_id(&made);
    let mut partner = device_of(&world, world.b.member(Role::Coordinator));
    partner.sync().unwrap();
    let located = contribution(
        &partner,
        "c-located",
        "located",
        "found at the station, safe",
    );
    contribute(&mut partner, &view, &located);
    partner.sync().unwrap();
    assert!(partner.last_errors.is_empty(), "{:?}", partner.last_errors);
    let detail = world.expect(
        200,
        "GET",
        &format!("/v1/cases/{case_id}"),
        world.coordinator_a(),
        None,
    );
    assert_eq!(detail["status"], "located", "{detail}");
    let case: CaseDocument = serde_json::from_value(detail["case"].clone()).unwrap();
    let event = case.episodes[0]
        .events
        .iter()
        .find(|e| e.provenance.is_some())
        .expect("the partner's report is an event of the episode");
    assert_eq!(event.state.as_str(), "located");
});

storage_test!(a_device_cannot_write_a_provenance, |db| {
    let world = World::build(TestServer::start(&db));
    let case_id = world.cases[&Relation::Assigned];
    let mut outreach = device_of(&world, world.a.member(Role::OutreachWorker));
    outreach.sync().unwrap();
    let obs = Observation {
        id: Str::from("obs-claims-a-partner"),
        kind: Str::from("sighting"),
        text: Str::from("pretends a partner saw it"),
        observed_at: Millis(T0),
        place: None,
        author: Str(outreach.user_id.clone()),
        device: Str(outreach.device_id.clone()),
        attachments: None,
        provenance: Some(Provenance {
            organisation: Str::from("org-b"),
            user: Str::from("someone"),
            device: Str::from("a-phone"),
            view: Str::from("a-view"),
            contribution: Str::from("c-9"),
        }),
    };
    case::append(outreach.doc(&case_id), CaseLog::Observations, &obs).unwrap();
    outreach.doc(&case_id).commit();
    outreach.sync().unwrap();
    let error = outreach.last_errors.get(&case_id).expect("refused");
    assert_eq!(error.code, ErrorCode::PermissionDenied);
    assert!(error.message.contains("provenance"), "{}", error.message);
});
