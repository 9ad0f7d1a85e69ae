//! Scoped sync: a device holds exactly the cases of its user's scope (and a partner the
//! views of the cases shared with it), and is told to erase those that leave it (assignment
//! removed, share withdrawn). A refused write names its rule
//! and the device resets the document to the server's state.

use casesync_contract::case::{self, CaseLog, LegalBasis, Millis, Str};
use casesync_contract::errors::ErrorCode;
use casesync_contract::Role;
use casesync_tests::device::Device;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::storage_test;

use super::authz_world::{Member, Relation, World};

fn device_of(world: &World, member: &Member) -> Device {
    Device::new(
        &member.name,
        &member.device_id,
        &member.user_id,
        &member.organisation_id,
        None,
        &member.token,
        &world.server.base_url,
    )
}

storage_test!(devices_hold_their_scope_and_lose_what_leaves_it, |db| {
    let world = World::build(TestServer::start(&db));
    let case = |r: Relation| world.cases[&r];
    let held = |d: &Device, r: Relation| d.docs.contains_key(&world.cases[&r]);

    let mut outreach = device_of(&world, world.a.member(Role::OutreachWorker));
    outreach.sync().unwrap();
    assert!(held(&outreach, Relation::Assigned));
    for r in [
        Relation::SameSite,
        Relation::OtherSite,
        Relation::SharedWithB,
        Relation::Erased,
    ] {
        assert!(!held(&outreach, r), "outreach must not hold {r:?}");
    }
    let mut reception = device_of(&world, world.a.member(Role::ReceptionStaff));
    reception.sync().unwrap();
    assert!(held(&reception, Relation::Assigned) && held(&reception, Relation::SameSite));
    assert!(
        !held(&reception, Relation::OtherSite),
        "another site's case"
    );
    // The partner organisation holds the shared case's view, never the case.
    let mut partner = device_of(&world, world.b.member(Role::Coordinator));
    partner.sync().unwrap();
    let view = |relation: Relation| {
        let export = world.expect(
            200,
            "GET",
            &format!("/v1/cases/{}/export", case(relation)),
            world.coordinator_a(),
            None,
        );
        export["shares"][0]["view_id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    };
    let (shared_view, withdrawn_view) =
        (view(Relation::SharedWithB), view(Relation::ShareWithdrawn));
    assert!(partner.docs.contains_key(&shared_view));
    for r in [
        Relation::SharedWithB,
        Relation::ShareWithdrawn,
        Relation::SameSite,
    ] {
        assert!(!held(&partner, r), "the partner must not hold {r:?}");
    }
    assert!(!partner.docs.contains_key(&withdrawn_view));

    // Reassignment: the coordinator takes the case off the outreach worker.
    let coord = world.coordinator_a().to_string();
    let user = world.a.member(Role::OutreachWorker).user_id.clone();
    world.expect(
        204,
        "DELETE",
        &format!("/v1/cases/{}/assignments/{user}", case(Relation::Assigned)),
        &coord,
        None,
    );
    let request = outreach.sync_request();
    let reply = outreach.post_sync(&request).unwrap();
    assert!(reply.removed_documents.contains(&case(Relation::Assigned)));
    outreach.apply_response(reply);
    assert!(
        !held(&outreach, Relation::Assigned),
        "erased from the phone"
    );

    // The share is withdrawn: the partner organisation's devices erase the view.
    let export = world.expect(
        200,
        "GET",
        &format!("/v1/cases/{}/export", case(Relation::SharedWithB)),
        &coord,
        None,
    );
    let share = export["shares"][0]["id"].as_str().unwrap().to_string();
    world.expect(
        200,
        "DELETE",
        &format!("/v1/cases/{}/shares/{share}", case(Relation::SharedWithB)),
        &coord,
        None,
    );
    let request = partner.sync_request();
    let reply = partner.post_sync(&request).unwrap();
    assert!(reply.removed_documents.contains(&shared_view));
    partner.apply_response(reply);
    assert!(!partner.docs.contains_key(&shared_view));
    let mut partner_outreach = device_of(&world, world.b.member(Role::OutreachWorker));
    partner_outreach.hold(shared_view);
    let request = partner_outreach.sync_request();
    let reply = partner_outreach.post_sync(&request).unwrap();
    assert!(
        reply.removed_documents.contains(&shared_view),
        "assignments in the other organisation lapse with the share"
    );
});

storage_test!(a_forbidden_edit_is_refused_by_name_and_reset, |db| {
    let world = World::build(TestServer::start(&db));
    let id = world.cases[&Relation::Assigned];
    let mut outreach = device_of(&world, world.a.member(Role::OutreachWorker));
    outreach.sync().unwrap();
    let server_heads = outreach.heads(&id);

    // Outreach workers cannot record legal bases (DOMAIN.md): the app tries anyway.
    let basis = LegalBasis {
        id: Str::from("lb-1"),
        purpose: Str::from("protection"),
        basis: Str::from("consent"),
        given_by: Str::from("the child"),
        recorded_at: Millis(T0),
        withdraws: None,
        author: Str(outreach.user_id.clone()),
        device: Str(outreach.device_id.clone()),
    };
    case::append(outreach.doc(&id), CaseLog::LegalBases, &basis).unwrap();
    outreach.doc(&id).commit();
    outreach.observe(&id, "obs-1", "seen at the port", T0 + 1);
    outreach.sync().unwrap();

    let error = outreach.last_errors.get(&id).expect("refusal reported");
    assert_eq!(error.code, ErrorCode::PermissionDenied);
    assert!(
        error.message.contains("legal_bases_append"),
        "the refusal names the rule: {}",
        error.message
    );
    // The device reset the case to the server's state and recorded its observation again
    // (it was refused only because it was built on the forbidden edit): the legal basis is
    // nowhere, the observation is stored.
    outreach.sync().unwrap();
    assert_ne!(outreach.heads(&id), server_heads);
    assert_eq!(outreach.pending(), 0);
    let on_device = case::read_case(outreach.doc(&id)).unwrap();
    assert!(on_device.legal_bases.is_empty());
    assert_eq!(on_device.observations.len(), 1);
    assert_eq!(on_device.observations[0].id.as_str(), "obs-1");
    let detail = world.expect(
        200,
        "GET",
        &format!("/v1/cases/{id}"),
        world.coordinator_a(),
        None,
    );
    assert_eq!(detail["case"]["legal_bases"], serde_json::json!([]));
    assert_eq!(detail["case"]["observations"][0]["id"], "obs-1");
});
