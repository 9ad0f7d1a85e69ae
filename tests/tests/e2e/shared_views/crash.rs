//! A view is kept current through the outbox: a change acknowledged over the WebSocket, the
//! server killed (SIGKILL) before its derive workers ran, and after the restart the view
//! holds the change and the new version is recorded, once.

use std::time::{Duration, Instant};

use casesync_contract::sharing::SharedViewDocument;
use casesync_contract::{DocumentId, Role};
use casesync_tests::live::connect;
use casesync_tests::process::wait_for_line;
use casesync_tests::server::TestServer;
use casesync_tests::{fixtures, storage_test};
use serde_json::{json, Value};

use crate::crash_recovery::{casesync, serve};

fn get(base_url: &str, token: &str, path: &str) -> (u16, Value) {
    let resp = reqwest::blocking::Client::new()
        .get(format!("{base_url}{path}"))
        .bearer_auth(token)
        .send()
        .expect("an answer");
    let status = resp.status().as_u16();
    (status, resp.json().unwrap_or(Value::Null))
}

storage_test!(
    a_change_reaches_the_view_after_a_kill_before_its_derive_run,
    |db| {
        // Set up in process: A's case shared with B for identity.
        let (mut coordinator, partner, case, view) = {
            let server = TestServer::start(&db);
            let a = fixtures::org(&server, "Reception Italy", "Centro Lampedusa");
            let b = fixtures::org(&server, "Calais Outreach", "Calais");
            let mut coordinator = fixtures::device(&server, &a, Role::Coordinator, "chiara");
            let partner = fixtures::device(&server, &b, Role::Coordinator, "lea");
            let http = reqwest::blocking::Client::new();
            let created: Value = http
                .post(server.url("/v1/cases"))
                .bearer_auth(&coordinator.token)
                .json(&json!({"site": a.site_id, "profile": {"given_name": "Abena"}}))
                .send()
                .unwrap()
                .json()
                .unwrap();
            let case: DocumentId = created["id"].as_str().unwrap().parse().unwrap();
            coordinator.sync().expect("the case reaches the phone");
            let made: Value = http
                .post(server.url(&format!("/v1/cases/{case}/shares")))
                .bearer_auth(&coordinator.token)
                .json(&json!({
                    "organisation": b.name, "legal_basis": "vital_interests",
                    "purpose": "search", "data_categories": ["identity"],
                }))
                .send()
                .unwrap()
                .json()
                .unwrap();
            let view: DocumentId = made["view_id"]
                .as_str()
                .unwrap_or_else(|| panic!("shared: {made}"))
                .parse()
                .unwrap();
            (coordinator, partner, case, view)
        };
        let logs = tempfile::tempdir().expect("log dir");

        // The family name reaches the server over the WebSocket and is acknowledged; the server
        // stops dead before deriving anything from it, and is killed.
        let paused = serve(
            &casesync(&db, Some("derive.before_claim")),
            &logs.path().join("a.log"),
        );
        coordinator.set_profile(&case, "family_name", "Mensah");
        let mut peer = connect(&paused.base_url(), &coordinator.token, false).expect("connect");
        peer.join();
        peer.hold(case, coordinator.doc(&case).clone());
        let ours = peer.heads(&case);
        assert!(peer.pump_until(Duration::from_secs(10), |p| {
            p.docs[&case].1.their_heads.as_ref() == Some(&ours)
        }));
        assert!(
            wait_for_line(
                &logs.path().join("a.log"),
                "fail point reached",
                Duration::from_secs(10)
            ),
            "the derive worker reached the fail point"
        );
        let (_, before) = get(
            &paused.base_url(),
            &partner.token,
            &format!("/v1/shared-views/{view}"),
        );
        assert!(
            before["case"]["profile"]["family_name"].is_null(),
            "derived before the kill"
        );
        drop(peer);
        paused.kill().expect("SIGKILL");

        // After the restart the view holds it, and the version is recorded once.
        let restarted = serve(&casesync(&db, None), &logs.path().join("b.log"));
        let start = Instant::now();
        let held = loop {
            let (status, body) = get(
                &restarted.base_url(),
                &partner.token,
                &format!("/v1/shared-views/{view}"),
            );
            assert_eq!(status, 200);
            let view: SharedViewDocument = serde_json::from_value(body).unwrap();
            if view.case.profile.contains_key("family_name") {
                break view;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the view was not brought up to date"
            );
            std::thread::sleep(Duration::from_millis(100));
        };
        assert_eq!(held.case.profile["family_name"].as_str(), "Mensah");
        let (_, export) = get(
            &restarted.base_url(),
            &coordinator.token,
            &format!("/v1/cases/{case}/export"),
        );
        assert_eq!(export["shares"][0]["sent"].as_array().unwrap().len(), 2);
    }
);
