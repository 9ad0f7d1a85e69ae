//! The case API for coordinators and tools.

use casesync_contract::views::ChildStatus;
use casesync_contract::wire::{CaseDetail, CaseList, CreatedCase};
use casesync_contract::Role;
use casesync_tests::fixtures;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::storage_test;

storage_test!(coordinator_creates_lists_and_reads_cases, |db| {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Org", "Centro");
    let coord = fixtures::device(&server, &org, Role::Coordinator, "chiara");
    let mut staff = fixtures::device(&server, &org, Role::ReceptionStaff, "sara");
    let client = reqwest::blocking::Client::new();

    let created: CreatedCase = {
        let resp = client
            .post(server.url("/v1/cases"))
            .bearer_auth(&coord.token)
            .json(&serde_json::json!({"site": "Centro", "profile": {"given_name": "Qiro", "nationality": "Iraqi"}}))
            .send()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 201);
        resp.json().unwrap()
    };
    assert!(created.url.starts_with("automerge:"));

    // Unknown profile fields and bodies that are not JSON are refused.
    let resp = client
        .post(server.url("/v1/cases"))
        .bearer_auth(&coord.token)
        .json(&serde_json::json!({"site": "Centro", "profile": {"shoe_size": "42"}}))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);

    // A phone receives it at its next sync and reports the child missing.
    staff.sync().unwrap();
    staff.episode_event(&created.id, "ep1", "ev1", "missing", T0 + 60_000);
    staff.sync().unwrap();

    let list: CaseList = client
        .get(server.url("/v1/cases"))
        .bearer_auth(&coord.token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let row = list
        .cases
        .iter()
        .find(|c| c.id == created.id)
        .expect("listed");
    assert_eq!(row.display_name, "Qiro");
    assert_eq!(row.status, ChildStatus::Missing);
    assert_eq!(row.status_since, Some(T0 + 60_000));

    let detail: CaseDetail = client
        .get(server.url(&format!("/v1/cases/{}", created.id)))
        .bearer_auth(&coord.token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        detail.case.profile.get("nationality").map(|v| v.as_str()),
        Some("Iraqi")
    );
    assert_eq!(detail.status, ChildStatus::Missing);

    let resp = client.get(server.url("/v1/cases")).send().unwrap();
    assert_eq!(resp.status().as_u16(), 401);
});
