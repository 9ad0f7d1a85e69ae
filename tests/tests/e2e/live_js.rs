//! The official automerge-repo JavaScript client against casesync, unchanged.

use casesync_contract::case::read_case;
use casesync_contract::Role;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::{fixtures, js, storage_test};
use serde_json::json;

fn ws_url(server: &TestServer) -> String {
    format!("ws://127.0.0.1:{}/v1/sync/ws", server.port)
}

storage_test!(two_js_repos_create_and_find_a_case, |db| {
    let Some(dir) = js::js_dir() else { return };
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Org", "Centro");
    let a = fixtures::device(&server, &org, Role::ReceptionStaff, "a");
    let b = fixtures::device(&server, &org, Role::ReceptionStaff, "b");
    let out = js::run(
        &dir,
        json!({
            "scenario": "createAndFind", "wsUrl": ws_url(&server), "httpUrl": server.base_url,
            "tokenA": a.token, "tokenB": b.token, "deviceB": b.device_id, "userB": b.user_id,
            "organisation": org.id, "site": org.site_id, "now": T0,
        }),
    );
    assert_eq!(out["foundName"], "Abena");
    assert_eq!(out["observationOnA"], "js-b-1");
    assert_eq!(out["headsA"], out["headsB"]);
    let id: casesync_contract::DocumentId = out["url"].as_str().unwrap().parse().unwrap();
    let stored = server
        .state
        .engine
        .read(&id, |d| read_case(d).map(|c| c.observations.len()))
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(
        stored, 1,
        "the JS observation passed admission and was stored"
    );
});

storage_test!(js_and_rust_edit_concurrently_and_converge, |db| {
    let Some(dir) = js::js_dir() else { return };
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Org", "Centro");
    let js_device = fixtures::device(&server, &org, Role::ReceptionStaff, "js");
    let mut rust = fixtures::device(&server, &org, Role::ReceptionStaff, "rust");
    let case = rust.open_case(&[("given_name", "Qiro")], T0);
    rust.sync().unwrap();
    // The Rust phone edits offline while the JS phone edits live.
    rust.observe(&case, "rust-obs", "from the Rust phone", T0 + 400);
    rust.set_profile(&case, "languages", "Kurmanji");
    let marker = tempfile::NamedTempFile::new().unwrap().into_temp_path();
    let marker_path = marker.to_path_buf();
    std::fs::remove_file(&marker_path).ok();
    let handle = std::thread::spawn({
        let dir = dir.clone();
        let args = json!({
            "scenario": "concurrentEdit", "wsUrl": ws_url(&server), "url": case.url(),
            "tokenA": js_device.token, "deviceA": js_device.device_id, "userA": js_device.user_id,
            "now": T0, "expectObservations": 2, "markerFile": marker_path,
        });
        move || js::run(&dir, args)
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !marker_path.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    rust.sync().unwrap();
    let out = handle.join().unwrap();
    rust.sync().unwrap();
    let js_heads: Vec<String> = serde_json::from_value(out["heads"].clone()).unwrap();
    let rust_heads: Vec<String> = rust.heads(&case).iter().map(|h| h.to_string()).collect();
    assert_eq!(js_heads, rust_heads, "JS and Rust converged");
    let conflicts: casesync_contract::wire::Conflicts = reqwest::blocking::Client::new()
        .get(server.url(&format!("/v1/cases/{case}/conflicts")))
        .bearer_auth(&rust.token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(conflicts
        .conflicts
        .iter()
        .any(|c| c.field == "profile.languages"));
});

storage_test!(
    js_client_of_another_organisation_cannot_find_the_case,
    |db| {
        let Some(dir) = js::js_dir() else { return };
        let server = TestServer::start(&db);
        let ours = fixtures::org(&server, "Ours", "A");
        let theirs = fixtures::org(&server, "Theirs", "B");
        let mut staff = fixtures::device(&server, &ours, Role::ReceptionStaff, "s");
        let outsider = fixtures::device(&server, &theirs, Role::Coordinator, "x");
        let case = staff.open_case(&[("given_name", "Abena")], T0);
        staff.sync().unwrap();
        let out = js::run(
            &dir,
            json!({"scenario": "outOfScope", "wsUrl": ws_url(&server), "url": case.url(), "tokenA": outsider.token, "timeoutMs": 15000}),
        );
        assert_eq!(out["found"], false, "{out}");
    }
);
