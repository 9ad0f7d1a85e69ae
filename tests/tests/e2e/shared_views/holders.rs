//! The partner holds the view, never the case: 404 for the case on every path, the view in
//! its devices' scope, and only its coordinators and the people they assign hold it.

use casesync_contract::Role;
use casesync_tests::server::TestServer;
use casesync_tests::storage_test;

use super::{device_of, read_view, view_id};
use crate::authz_world::{Relation, World};

storage_test!(the_partner_holds_the_view_and_never_the_case, |db| {
    let world = World::build(TestServer::start(&db));
    let case = world.cases[&Relation::SharedWithB];
    let export = world.expect(
        200,
        "GET",
        &format!("/v1/cases/{case}/export"),
        world.coordinator_a(),
        None,
    );
    let view = view_id(&export["shares"][0]);
    for role in [Role::Coordinator, Role::OutreachWorker, Role::Caseworker] {
        let member = world.b.member(role);
        for path in [
            format!("/v1/cases/{case}"),
            format!("/v1/cases/{case}/timeline"),
            format!("/v1/cases/{case}/missing-pack"),
        ] {
            let answer = world.send("GET", &path, Some(&member.token), None);
            assert_eq!(answer.status, 404, "{role} GET {path}: {}", answer.body);
        }
        let mut phone = device_of(&world, member);
        phone.sync().unwrap();
        assert!(!phone.docs.contains_key(&case), "{role} holds the case");
        assert!(phone.docs.contains_key(&view), "{role} lacks the view");
        // Asked for by id, the case is unavailable like one that does not exist.
        phone.hold(case);
        let request = phone.sync_request();
        let reply = phone.post_sync(&request).unwrap();
        assert!(
            reply.removed_documents.contains(&case)
                || reply.documents.iter().any(|d| d.id == case
                    && d.status == casesync_contract::wire::DocumentStatus::Unavailable)
        );
    }
    // B's reception staff was not assigned the view: it does not hold it.
    let mut reception = device_of(&world, world.b.member(Role::ReceptionStaff));
    reception.sync().unwrap();
    assert!(!reception.docs.contains_key(&view));

    let seen = read_view(&world, &view, &world.b.member(Role::Coordinator).token);
    assert_eq!(seen.kind.as_str(), "shared_view");
    assert_eq!(
        seen.reference.as_str(),
        export["shares"][0]["id"].as_str().unwrap()
    );
    assert_eq!(seen.legal_basis.as_str(), "vital_interests");
    assert_eq!(
        seen.source_organisation.as_str(),
        world.a.member(Role::Coordinator).organisation_id
    );
    assert_eq!(
        seen.case.profile.get("given_name").map(|v| v.as_str()),
        Some("Abena")
    );
    // The sharing organisation's coordinator reads it too (what was sent); nobody else.
    read_view(&world, &view, world.coordinator_a());
    for token in [
        &world.a.member(Role::OutreachWorker).token,
        &world.b.member(Role::ReceptionStaff).token,
    ] {
        let answer = world.send(
            "GET",
            &format!("/v1/shared-views/{view}"),
            Some(token),
            None,
        );
        assert_eq!(answer.status, 404, "{}", answer.body);
    }
    // A case id is not a view, and a view id is not a case.
    let answer = world.send(
        "GET",
        &format!("/v1/shared-views/{case}"),
        Some(world.coordinator_a()),
        None,
    );
    assert_eq!(answer.status, 404);
    let answer = world.send(
        "GET",
        &format!("/v1/cases/{view}"),
        Some(world.coordinator_a()),
        None,
    );
    assert_eq!(answer.status, 404);
});
