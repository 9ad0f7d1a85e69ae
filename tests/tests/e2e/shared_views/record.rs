//! What was sent: each version of a view's content is recorded with its categories and the
//! SHA-256 of the content as the partner holds it; a change the share does not cover sends
//! nothing new. The partner's coordinators receive the missing-child alert with only the
//! share's fields.

use casesync_contract::Role;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::storage_test;

use super::{device_of, read_view, share, view_id};
use crate::authz_world::{Relation, World};

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

storage_test!(every_version_sent_is_recorded_with_its_hash, |db| {
    let world = World::build(TestServer::start(&db));
    let case = world.cases[&Relation::SameSite];
    let made = share(&world, &case, &["identity", "physical_description"], None);
    let view = view_id(&made);
    let sent = |world: &World| {
        let export = world.expect(
            200,
            "GET",
            &format!("/v1/cases/{case}/export"),
            world.coordinator_a(),
            None,
        );
        export["shares"][0]["sent"].as_array().unwrap().clone()
    };
    let first = sent(&world);
    assert_eq!(first.len(), 1);
    let held = read_view(&world, &view, &world.b.member(Role::Coordinator).token);
    assert_eq!(
        first[0]["sha256"].as_str().unwrap(),
        sha256_hex(&serde_json::to_vec(&held.case).unwrap())
    );
    assert_eq!(
        first[0]["data_categories"],
        serde_json::json!(["identity", "physical_description"])
    );

    let mut coordinator = device_of(&world, world.a.member(Role::Coordinator));
    coordinator.sync().unwrap();
    // Not covered by the share: nothing new is sent.
    coordinator.set_profile(&case, "asylum_status", "pending");
    coordinator.sync().unwrap();
    assert_eq!(sent(&world).len(), 1);
    assert!(!read_view(&world, &view, world.coordinator_a())
        .case
        .profile
        .contains_key("asylum_status"));
    // Covered: version 2, and the partner's view holds it.
    coordinator.set_profile(&case, "marks", "scar on the left hand");
    coordinator.sync().unwrap();
    let versions = sent(&world);
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1]["version"], 2);
    let held = read_view(&world, &view, &world.b.member(Role::Coordinator).token);
    assert_eq!(
        held.case.profile.get("marks").map(|v| v.as_str()),
        Some("scar on the left hand")
    );
    assert_eq!(
        versions[1]["sha256"].as_str().unwrap(),
        sha256_hex(&serde_json::to_vec(&held.case).unwrap())
    );
});

storage_test!(the_partners_alert_carries_only_the_shares_fields, |db| {
    let world = World::build(TestServer::start(&db));
    let case = world.cases[&Relation::SameSite];
    let made = share(&world, &case, &["identity"], None);
    let mut coordinator = device_of(&world, world.a.member(Role::Coordinator));
    coordinator.sync().unwrap();
    coordinator.set_profile(&case, "physical_description", "tall, short black hair");
    coordinator.set_profile(&case, "guardian", "Ms Guardian, +39 000");
    coordinator.episode_event_with(
        &case,
        "ep-1",
        "ev-1",
        "missing",
        T0 + 1_000,
        &[("last_seen_place", "the port"), ("clothing", "blue jacket")],
    );
    coordinator.sync().unwrap();
    let alerts = world.expect(
        200,
        "GET",
        "/v1/alerts",
        &world.b.member(Role::Coordinator).token,
        None,
    );
    let alert = alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["alert"])
        .find(|a| a["kind"] == "missing")
        .unwrap_or_else(|| panic!("the partner is alerted: {alerts}"));
    let pack = &alert["pack"];
    assert_eq!(pack["name"], "Abena");
    assert_eq!(pack["reference"], made["id"]);
    for withheld in [
        "description",
        "clothing",
        "last_seen_place",
        "last_seen_at",
        "contact",
        "photo",
    ] {
        assert!(
            pack[withheld].is_null(),
            "{withheld} reached the partner: {pack}"
        );
    }
    assert!(!alert.to_string().contains("the port"));
});
