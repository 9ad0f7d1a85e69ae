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

/// Phones of one load round, each with one socket of its own.
const LOAD_DEVICES: usize = 100;
/// Observations each phone appends to its own case, one change each.
const LOAD_CHANGES: usize = 25;
const LOAD_ROUNDS: usize = 3;

// A hundred official automerge-repo clients, one WebSocket each, append observations to their
// own cases as fast as automerge-repo sends them, never waiting for the acknowledgement of one
// change before making the next: under this load the server receives a phone's changes while
// its replies about the earlier ones are still on their way. Every change must be acknowledged
// and stored, and no socket closed or refused. Three rounds, each with fresh phones
// and cases.
storage_test!(hundred_js_devices_append_without_waiting_for_acks, |db| {
    let Some(dir) = js::js_dir() else { return };
    let server = TestServer::start(&db);
    for round in 0..LOAD_ROUNDS {
        // A fresh organisation per round: a round's phones see only its own cases.
        let org = fixtures::org(&server, &format!("Org {round}"), "Centro");
        // One registrar opens the hundred cases and syncs them once; each phone (same site,
        // so the case is in its scope) only finds its own and appends. Phones that each
        // synced a case of their own would download every case of the site before them.
        let setup = std::time::Instant::now();
        let mut registrar = fixtures::device(&server, &org, Role::ReceptionStaff, "registrar");
        let cases: Vec<_> = (0..LOAD_DEVICES)
            .map(|_| registrar.open_case(&[("given_name", "Load")], T0))
            .collect();
        registrar.sync().unwrap();
        let phones: Vec<_> = (0..LOAD_DEVICES)
            .map(|i| fixtures::device(&server, &org, Role::ReceptionStaff, &format!("phone-{i}")))
            .collect();
        let setup = setup.elapsed();
        let devices: Vec<_> = phones
            .iter()
            .zip(&cases)
            .map(|(p, case)| {
                json!({"token": p.token, "deviceId": p.device_id, "userId": p.user_id, "url": case.url()})
            })
            .collect();
        let held_before = server.state.held_figures.read();
        let started = std::time::Instant::now();
        let out = js::run_within(
            &dir,
            json!({
                "scenario": "manyDevices", "wsUrl": ws_url(&server), "devices": devices,
                "changesPerDevice": LOAD_CHANGES, "now": T0, "timeoutMs": 600_000,
                "stallMs": 60_000,
            }),
            std::time::Duration::from_secs(700),
        );
        let run = started.elapsed();
        let held_after = server.state.held_figures.read();
        let stored: Vec<usize> = cases
            .iter()
            .map(|case| {
                server
                    .state
                    .engine
                    .read(case, |d| read_case(d).map(|c| c.observations.len()))
                    .unwrap()
                    .unwrap()
                    .unwrap()
            })
            .collect();
        let stored_total: usize = stored.iter().sum();
        let complete = stored.iter().filter(|&&n| n == LOAD_CHANGES).count();
        eprintln!(
            "round {round}: {} devices, {} changes made, {} acknowledged, {stored_total} stored \
             ({complete} cases complete), {} sockets closed by the server, {} error frames; \
             at most {} changes unacknowledged on a phone, ack latency p50 {} ms p95 {} ms \
             max {} ms; changes made in {} ms, all acknowledged after {} ms (node ran {:.1} s, \
             setup {:.1} s); {} changes arrived before their history and waited, {} of \
             them admitted once it came",
            out["devices"],
            out["changesMade"],
            out["changesAcknowledged"],
            out["socketsClosedByServer"],
            out["errorFrames"],
            out["maxUnacked"],
            out["ackLatencyMs"]["p50"],
            out["ackLatencyMs"]["p95"],
            out["ackLatencyMs"]["max"],
            out["madeMs"],
            out["elapsedMs"],
            run.as_secs_f64(),
            setup.as_secs_f64(),
            held_after.held - held_before.held,
            held_after.admitted - held_before.admitted,
        );
        let expected = LOAD_DEVICES * LOAD_CHANGES;
        assert_eq!(out["casesNotFound"], 0, "every phone found its case: {out}");
        assert_eq!(out["changesMade"], expected, "{out}");
        assert_eq!(out["socketsClosedByServer"], 0, "no socket closed: {out}");
        assert_eq!(out["errorFrames"], 0, "no error frame: {out}");
        assert_eq!(
            out["changesAcknowledged"], expected,
            "every change acknowledged: {out}"
        );
        assert_eq!(out["timedOut"], false, "{out}");
        assert!(
            stored.iter().all(|&n| n == LOAD_CHANGES),
            "every change stored: {stored_total} of {expected}, per case {stored:?}"
        );
    }
});
