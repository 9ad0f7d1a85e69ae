//! A refusal concerns the refused changes only: the changes before them, the device's other
//! documents and its socket go on, and facts recorded after a forbidden edit are recorded
//! again by the reset flow instead of being lost. A device whose scope shrinks while
//! connected is told the case is no longer available.

use std::time::Duration;

use automerge::{AutoCommit, ReadDoc, ROOT};
use casesync_contract::case::{self, read_case, CaseLog, LegalBasis, Millis, Str};
use casesync_contract::errors::ErrorCode;
use casesync_contract::{DocumentId, Role};
use casesync_tests::device::Device;
use casesync_tests::live::{connect, LivePeer};
use casesync_tests::server::{TestServer, T0};
use casesync_tests::{fixtures, storage_test};

use crate::authz_world::{Relation, World};

const WAIT: Duration = Duration::from_secs(10);

/// A legal basis: reception staff and outreach workers may not record one.
fn forbidden_legal_basis(doc: &mut AutoCommit, device: &Device) {
    let basis = LegalBasis {
        id: Str::from("lb-1"),
        purpose: Str::from("protection"),
        basis: Str::from("consent"),
        given_by: Str::from("the child"),
        recorded_at: Millis(T0),
        withdraws: None,
        author: Str(device.user_id.clone()),
        device: Str(device.device_id.clone()),
    };
    case::append(doc, CaseLog::LegalBases, &basis).unwrap();
    doc.commit();
}

fn stored_observations(server: &TestServer, id: &DocumentId) -> Vec<String> {
    server
        .state
        .engine
        .read(id, |d| read_case(d).map(|c| c.observations))
        .unwrap()
        .unwrap()
        .unwrap()
        .iter()
        .map(|o| o.id.0.clone())
        .collect()
}

/// Whether the server's heads for `id` reach everything the peer has.
fn acknowledged(peer: &mut LivePeer, id: &DocumentId) -> bool {
    let ours = peer.heads(id);
    peer.docs[id].1.their_heads.as_ref() == Some(&ours)
}

storage_test!(good_data_beside_a_forbidden_edit_is_kept, |db| {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Reception Italy", "Centro");
    let mut staff = fixtures::device(&server, &org, Role::ReceptionStaff, "giulia");
    let id = staff.open_case(&[("given_name", "Qiro")], T0);
    staff.sync().unwrap();

    // One push: two observations, a forbidden legal basis, a later observation.
    staff.observe(&id, "obs-1", "arrived by bus", T0 + 1);
    staff.observe(&id, "obs-2", "asked for his brother", T0 + 2);
    // (Edited on a copy: the helper reads the device's identity while the edit is made.)
    let mut edited = staff.doc(&id).clone();
    forbidden_legal_basis(&mut edited, &staff);
    *staff.doc(&id) = edited;
    staff.observe(&id, "obs-3", "left the canteen early", T0 + 3);
    let request = staff.sync_request();
    let reply = staff.post_sync(&request).unwrap();
    let document = &reply.documents[0];
    let error = document.error.as_ref().expect("the refusal is reported");
    assert_eq!(error.code, ErrorCode::PermissionDenied);
    assert!(
        error.message.contains("legal_bases_append"),
        "{}",
        error.message
    );
    // The forbidden change and the one built on it, nothing else.
    assert_eq!(document.refused_changes.len(), 2, "{document:?}");
    // What came before it is stored, and the reply's heads acknowledge it.
    assert_eq!(stored_observations(&server, &id), ["obs-1", "obs-2"]);

    // The reset flow: back to the server's heads, the later observation recorded again.
    staff.apply_response(reply);
    staff.sync().unwrap();
    assert_eq!(staff.pending(), 0);
    assert_eq!(
        stored_observations(&server, &id),
        ["obs-1", "obs-2", "obs-3"]
    );
    let stored = server
        .state
        .engine
        .read(&id, |d| read_case(d).map(|c| c.legal_bases.len()))
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(stored, 0, "the forbidden entry is nowhere");
});

storage_test!(a_refusal_on_one_document_leaves_the_others_syncing, |db| {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Reception Italy", "Centro");
    let mut staff = fixtures::device(&server, &org, Role::ReceptionStaff, "giulia");
    let mut colleague = fixtures::device(&server, &org, Role::ReceptionStaff, "marco");
    let cases: Vec<DocumentId> = ["Abena", "Qiro", "Amir"]
        .iter()
        .map(|name| staff.open_case(&[("given_name", name)], T0))
        .collect();
    staff.sync().unwrap();
    colleague.sync().unwrap();

    let mut peer = connect(&server.base_url, &staff.token, false).unwrap();
    peer.join();
    for id in &cases {
        peer.hold(*id, staff.doc(id).clone());
    }
    assert!(peer.pump_until(WAIT, |p| cases.iter().all(|id| acknowledged(p, id))));

    // A forbidden edit on the first case: an error frame naming it and the rule.
    let refused = cases[0];
    forbidden_legal_basis(peer.doc(&refused), &staff);
    peer.changed(refused);
    assert!(peer.pump_until(WAIT, |p| !p.errors.is_empty() || p.closed));
    assert!(!peer.closed, "the socket stays open");
    assert!(
        peer.errors[0].contains(&refused.to_string())
            && peer.errors[0].contains("legal_bases_append"),
        "{:?}",
        peer.errors
    );
    // Sending it again is answered without closing anything either.
    peer.docs.get_mut(&refused).unwrap().1 = automerge::sync::State::new();
    peer.changed(refused);
    peer.pump(Duration::from_millis(300), WAIT);
    assert!(!peer.closed);

    // The other two cases keep syncing on the same socket, both ways.
    for (n, id) in cases[1..].iter().enumerate() {
        let observation = casesync_contract::case::Observation {
            id: Str::from(format!("live-{n}")),
            kind: Str::from("sighting"),
            text: Str::from("seen at the station"),
            observed_at: Millis(T0 + 10),
            place: None,
            author: Str(staff.user_id.clone()),
            device: Str(staff.device_id.clone()),
            attachments: None,
            provenance: None,
        };
        case::append(peer.doc(id), CaseLog::Observations, &observation).unwrap();
        peer.doc(id).commit();
        peer.changed(*id);
    }
    assert!(peer.pump_until(WAIT, |p| cases[1..].iter().all(|id| acknowledged(p, id))));
    assert_eq!(stored_observations(&server, &cases[1]), ["live-0"]);
    assert_eq!(stored_observations(&server, &cases[2]), ["live-1"]);
    colleague.observe(&cases[2], "from-marco", "in the courtyard", T0 + 20);
    colleague.sync().unwrap();
    assert!(peer.pump_until(WAIT, |p| p
        .observation_ids(&cases[2])
        .contains(&"from-marco".to_string())));
    assert!(!peer.closed);
});

storage_test!(a_case_leaving_the_scope_is_unavailable_at_once, |db| {
    let world = World::build(TestServer::start(&db));
    let id = world.cases[&Relation::Assigned];
    let outreach = world.a.member(Role::OutreachWorker);
    let me = world.expect(200, "GET", "/v1/me", &outreach.token, None);
    let caseload: DocumentId = me["caseload_url"].as_str().unwrap().parse().unwrap();
    let mut peer = connect(&world.server.base_url, &outreach.token, false).unwrap();
    peer.join();
    peer.open(caseload);
    peer.open(id);
    assert!(peer.pump_until(WAIT, |p| p.has_content(&id) && p.has_content(&caseload)));
    let listed = |p: &LivePeer| {
        let (doc, _) = &p.docs[&caseload];
        let Ok(Some((_, docs))) = doc.get(ROOT, "documents") else {
            return false;
        };
        doc.get(&docs, id.to_string().as_str())
            .ok()
            .flatten()
            .is_some()
    };
    assert!(listed(&peer));

    // The coordinator takes the case off the outreach worker.
    world.expect(
        204,
        "DELETE",
        &format!("/v1/cases/{id}/assignments/{}", outreach.user_id),
        world.coordinator_a(),
        None,
    );
    assert!(
        peer.pump_until(WAIT, |p| p.unavailable.contains(&id) && !listed(p)),
        "the device is told the case is unavailable and its caseload drops it"
    );
    // And it stays so: asking again is answered doc-unavailable.
    peer.unavailable.clear();
    peer.docs.remove(&id);
    peer.open(id);
    assert!(peer.pump_until(WAIT, |p| p.unavailable.contains(&id)));
    assert!(!peer.has_content(&id));
});

storage_test!(an_entry_in_someone_elses_name_is_refused, |db| {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Reception Italy", "Centro");
    let mut staff = fixtures::device(&server, &org, Role::ReceptionStaff, "giulia");
    let colleague = fixtures::device(&server, &org, Role::ReceptionStaff, "marco");
    let id = staff.open_case(&[("given_name", "Qiro")], T0);
    staff.sync().unwrap();
    staff.observe(&id, "obs-own", "at the canteen", T0 + 1);
    // The same phone records an observation as if Marco had made it.
    let own_user = std::mem::replace(&mut staff.user_id, colleague.user_id.clone());
    staff.observe(&id, "obs-forged", "Marco saw him leave", T0 + 2);
    staff.user_id = own_user;
    let request = staff.sync_request();
    let reply = staff.post_sync(&request).unwrap();
    let error = reply.documents[0].error.as_ref().expect("refused");
    assert_eq!(error.code, ErrorCode::PermissionDenied);
    assert!(
        error.message.contains("entries_name_their_writer"),
        "{}",
        error.message
    );
    assert_eq!(stored_observations(&server, &id), ["obs-own"]);
});
