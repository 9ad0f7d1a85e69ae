//! Devices edit one case offline and converge through batch sync.

use casesync_contract::errors::ErrorCode;
use casesync_contract::wire::{Conflicts, DocumentPush, DocumentStatus, SyncRequest, Timeline};
use casesync_contract::Role;
use casesync_tests::fixtures;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::storage_test;

fn get_json<T: serde::de::DeserializeOwned>(server: &TestServer, token: &str, path: &str) -> T {
    let resp = reqwest::blocking::Client::new()
        .get(server.url(path))
        .bearer_auth(token)
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200, "GET {path}");
    resp.json().unwrap()
}

/// Two devices, an observation each and the same profile field each, synced in `order`.
fn two_devices_converge(db: casesync_tests::db::TestDb, a_first: bool) {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Reception Italy", "Centro Lampedusa");
    let mut a = fixtures::device(&server, &org, Role::ReceptionStaff, "amara");
    // Same centre: outreach workers hold only the cases assigned to them.
    let mut b = fixtures::device(&server, &org, Role::ReceptionStaff, "bruno");
    let case = a.open_case(&[("given_name", "Abena")], T0);
    a.sync().unwrap();
    b.sync().unwrap();
    assert_eq!(b.heads(&case), a.heads(&case), "b fetched the new case");

    // Offline on both phones.
    a.observe(&case, "obs-a", "talked about Sweden", T0 + 3_000);
    a.set_profile(&case, "intended_destination", "Sweden");
    b.observe(&case, "obs-b", "seen at the bus station", T0 + 2_000);
    b.set_profile(&case, "intended_destination", "France");

    let (first, second) = if a_first {
        (&mut a, &mut b)
    } else {
        (&mut b, &mut a)
    };
    first.sync().unwrap();
    second.sync().unwrap();
    first.sync().unwrap();
    assert_eq!(a.pending(), 0);
    assert_eq!(b.pending(), 0);
    assert_eq!(a.heads(&case), b.heads(&case), "identical heads");

    let token = a.token.clone();
    let timeline: Timeline = get_json(&server, &token, &format!("/v1/cases/{case}/timeline"));
    let obs: Vec<_> = timeline
        .entries
        .iter()
        .filter(|e| e.entry_id.starts_with("obs-"))
        .collect();
    assert_eq!(obs.len(), 2);
    assert_eq!(obs[0].entry_id, "obs-b", "ordered by observed time");
    assert_eq!(obs[1].entry_id, "obs-a");
    assert_eq!(obs[0].delivered_by.as_deref(), Some(b.device_id.as_str()));
    assert!(obs.iter().all(|e| e.received_at.is_some()));

    let conflicts: Conflicts = get_json(&server, &token, &format!("/v1/cases/{case}/conflicts"));
    let field = conflicts
        .conflicts
        .iter()
        .find(|c| c.field == "profile.intended_destination")
        .expect("destination conflict");
    let values: Vec<&str> = field.values.iter().map(|v| v.value.as_str()).collect();
    assert_eq!(values, vec!["France", "Sweden"]);
}

storage_test!(two_devices_converge_a_then_b, |db| {
    two_devices_converge(db, true)
});
storage_test!(two_devices_converge_b_then_a, |db| {
    two_devices_converge(db, false)
});

storage_test!(acknowledged_changes_survive_restart, |db| {
    let mut server = TestServer::start(&db);
    let org = fixtures::org(&server, "Reception Greece", "Lesvos");
    let mut a = fixtures::device(&server, &org, Role::ReceptionStaff, "eleni");
    let case = a.open_case(&[("given_name", "Qiro")], T0);
    for i in 0..5 {
        a.observe(&case, &format!("o{i}"), "roll call", T0 + i);
    }
    a.sync().unwrap();
    assert_eq!(a.pending(), 0, "acknowledged");
    let heads = a.heads(&case);
    drop(server);

    server = TestServer::start(&db);
    a.set_base_url(&server.base_url);
    let mut fresh = casesync_tests::device::Device::new(
        "eleni-again",
        &a.device_id,
        &a.user_id,
        &a.organisation_id,
        a.site_id.as_deref(),
        &a.token,
        &server.base_url,
    );
    fresh.sync().unwrap();
    assert_eq!(
        fresh.heads(&case),
        heads,
        "everything acknowledged came back"
    );
});

storage_test!(forged_change_is_refused_and_not_stored, |db| {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Org", "Site");
    let mut a = fixtures::device(&server, &org, Role::ReceptionStaff, "a");
    let mut b = fixtures::device(&server, &org, Role::ReceptionStaff, "b");
    let case = a.open_case(&[("given_name", "Abena")], T0);
    a.sync().unwrap();
    // b writes a change under a's actor id.
    let a_actor = a.doc(&case).get_actor().clone();
    let mut forged = a.doc(&case).fork().with_actor(a_actor);
    let before = forged.get_heads();
    casesync_contract::case::set_profile_field(&mut forged, "nationality", "forged").unwrap();
    forged.commit();
    let changes = forged
        .get_changes(&before)
        .into_iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    let reply = b
        .post_sync(&SyncRequest {
            include_new: false,
            documents: vec![DocumentPush {
                id: case,
                heads: vec![],
                changes,
            }],
            scope_digest: None,
        })
        .unwrap();
    let doc = &reply.documents[0];
    assert_eq!(doc.status, DocumentStatus::Rejected);
    assert_eq!(doc.error.as_ref().unwrap().code, ErrorCode::ForgedChange);
    b.sync().unwrap();
    assert_eq!(
        b.heads(&case),
        a.heads(&case),
        "nothing of the forged change stored"
    );
});

storage_test!(change_breaking_the_shape_is_refused, |db| {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Org", "Site");
    let mut a = fixtures::device(&server, &org, Role::ReceptionStaff, "sara");
    let case = a.open_case(&[("given_name", "Abena")], T0);
    a.sync().unwrap();
    let good = a.heads(&case);
    automerge::transaction::Transactable::put(a.doc(&case), automerge::ROOT, "schema_version", 99)
        .unwrap();
    a.doc(&case).commit();
    a.sync().unwrap();
    let err = a.last_errors.get(&case).expect("refusal reported");
    assert!(
        matches!(
            err.code,
            ErrorCode::InvalidCaseShape | ErrorCode::PermissionDenied
        ),
        "{err:?}"
    );
    // The device reset the case to the server's state.
    a.sync().unwrap();
    assert_eq!(a.heads(&case), good);
});

storage_test!(replaying_a_request_changes_nothing, |db| {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Org", "Site");
    let mut a = fixtures::device(&server, &org, Role::ReceptionStaff, "a");
    let case = a.open_case(&[("given_name", "Qiro")], T0);
    a.observe(&case, "o1", "arrived by boat", T0);
    let request = a.sync_request();
    let first = a.post_sync(&request).unwrap();
    // The reply was lost: the phone sends the same request again.
    let second = a.post_sync(&request).unwrap();
    assert_eq!(first.documents[0].heads, second.documents[0].heads);
    assert_eq!(first.documents[0].status, DocumentStatus::Ok);
    assert_eq!(second.documents[0].status, DocumentStatus::Ok);
    let timeline: Timeline = get_json(&server, &a.token, &format!("/v1/cases/{case}/timeline"));
    assert_eq!(
        timeline
            .entries
            .iter()
            .filter(|e| e.entry_id == "o1")
            .count(),
        1
    );
});

storage_test!(another_organisation_can_neither_read_nor_write, |db| {
    let server = TestServer::start(&db);
    let ours = fixtures::org(&server, "Ours", "Site A");
    let theirs = fixtures::org(&server, "Theirs", "Site B");
    let mut a = fixtures::device(&server, &ours, Role::ReceptionStaff, "a");
    let mut x = fixtures::device(&server, &theirs, Role::Coordinator, "x");
    let case = a.open_case(&[("given_name", "Abena")], T0);
    a.sync().unwrap();

    // Reading through the API looks exactly like a case that does not exist.
    let client = reqwest::blocking::Client::new();
    let known = client
        .get(server.url(&format!("/v1/cases/{case}")))
        .bearer_auth(&x.token)
        .send()
        .unwrap();
    let unknown_id = casesync_contract::DocumentId::random();
    let unknown = client
        .get(server.url(&format!("/v1/cases/{unknown_id}")))
        .bearer_auth(&x.token)
        .send()
        .unwrap();
    assert_eq!(known.status().as_u16(), 404);
    assert_eq!(unknown.status().as_u16(), 404);
    assert_eq!(known.text().unwrap(), unknown.text().unwrap());

    // Syncing: unavailable, nothing written, and the case is not offered.
    x.hold(case);
    let mut forged = a.doc(&case).fork().with_actor(automerge::ActorId::random());
    let before = forged.get_heads();
    casesync_contract::case::set_profile_field(&mut forged, "nationality", "x").unwrap();
    forged.commit();
    let changes = forged
        .get_changes(&before)
        .into_iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    let reply = x
        .post_sync(&SyncRequest {
            include_new: false,
            documents: vec![DocumentPush {
                id: case,
                heads: vec![],
                changes,
            }],
            scope_digest: None,
        })
        .unwrap();
    assert_eq!(reply.documents[0].status, DocumentStatus::Unavailable);
    assert!(reply.documents[0].changes.is_empty());
    assert!(reply.new_documents.iter().all(|d| d.id != case));
    a.sync().unwrap();
    let nationality = casesync_contract::case::read_case(a.doc(&case))
        .unwrap()
        .profile
        .get("nationality")
        .cloned();
    assert_eq!(nationality, None);
});

// `include_new` (issue 14, field links): a phone back online gets the cases that appeared in
// its scope in the same reply, not in a second round trip; one that does not ask gets the
// list only, as before.
storage_test!(new_cases_come_in_the_same_reply_when_asked, |db| {
    use casesync_contract::case::read_case;
    use casesync_contract::wire::DocumentKind;

    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Reception Italy", "Centro Lampedusa");
    let mut giulia = fixtures::device(&server, &org, Role::ReceptionStaff, "giulia");
    let mut marco = fixtures::device(&server, &org, Role::ReceptionStaff, "marco");
    marco.sync().unwrap();
    let first = giulia.open_case(&[("given_name", "Abena")], T0);
    let second = giulia.open_case(&[("given_name", "Qiro")], T0);
    giulia.sync().unwrap();

    let mut request = marco.sync_request();
    let plain = marco.post_sync(&request).unwrap();
    assert!(plain
        .documents
        .iter()
        .all(|d| d.id != first && d.id != second));
    assert!(plain.new_documents.iter().any(|e| e.id == first));

    request.include_new = true;
    let reply = marco.post_sync(&request).unwrap();
    for (case, name) in [(first, "Abena"), (second, "Qiro")] {
        let entry = reply
            .new_documents
            .iter()
            .find(|e| e.id == case)
            .expect("still listed, with its kind");
        assert_eq!(entry.kind, DocumentKind::Case);
        let document = reply
            .documents
            .iter()
            .find(|d| d.id == case)
            .expect("its changes in the same reply");
        let mut doc = automerge::AutoCommit::new();
        doc.apply_changes(
            document
                .changes
                .iter()
                .map(|b| automerge::Change::from_bytes(b.clone()).unwrap()),
        )
        .unwrap();
        assert_eq!(read_case(&doc).unwrap().profile["given_name"].0, name);
        assert!(
            !document.heads.is_empty(),
            "the server's heads, to acknowledge"
        );
    }
});
