//! Finding 6: edges answered with the documented 4xx and the JSON error body (control
//! characters in `next` or in a path id, alert rules out of range, a JSON route given another
//! content type, a URI too long), org admins reading the rules they set, and a socket frame
//! about a foreign document.

use std::time::Duration;

use automerge::transaction::Transactable;
use casesync_contract::errors::ErrorCode;
use casesync_contract::Role;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::{fixtures, live, storage_test};
use serde_json::{json, Value};

use super::support::{client, code, refusal, session, sign_in};
use crate::pages::support::{page_user, PASSWORD};

storage_test!(control_characters_and_long_uris_get_json_errors, |db| {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Org", "Site");
    let phone = fixtures::device(&server, &org, Role::Coordinator, "coord");
    page_user(&server, &org, Role::Coordinator, "maria");
    let http = client();
    let invalid = (400, code(ErrorCode::InvalidRequest));

    // A return path that would split the Location header.
    let resp = sign_in(
        &server,
        &http,
        "maria",
        PASSWORD,
        "/web/cases\r\nSet-Cookie: x=1",
    );
    assert_eq!(refusal(resp), invalid, "sign-in next");
    let resp = http
        .get(server.url("/web/sign-in?next=%2Fweb%2Fcases%0D%0ASet-Cookie:%20x=1"))
        .send()
        .unwrap();
    assert_eq!(refusal(resp), invalid, "sign-in page next");

    // Control characters in a path id, for devices and for signed-in people.
    let session = session(&server, &http, "maria", PASSWORD);
    for path in [
        "/v1/cases/abc%0D%0ASet-Cookie:x",
        "/v1/cases/abc%0a/timeline",
        "/web/cases/abc%0D%0Ax",
        "/web/cases/abc%0D%0Ax/conflicts",
    ] {
        let resp = http
            .get(server.url(path))
            .bearer_auth(&phone.token)
            .header("cookie", &session)
            .send()
            .unwrap();
        assert_eq!(refusal(resp), invalid, "{path}");
    }

    // A URI longer than the server reads.
    let long = format!("/v1/cases?q={}", "a".repeat(10_000));
    let resp = http
        .get(server.url(&long))
        .bearer_auth(&phone.token)
        .send()
        .unwrap();
    assert_eq!(refusal(resp), (414, code(ErrorCode::UriTooLong)));

    // JSON routes take JSON only.
    let resp = http
        .post(server.url("/v1/cases"))
        .bearer_auth(&phone.token)
        .header("content-type", "text/plain")
        .body(r#"{"profile": {"given_name": "Abena"}}"#)
        .send()
        .unwrap();
    assert_eq!(refusal(resp), (415, code(ErrorCode::UnsupportedMediaType)));
});

storage_test!(
    alert_rules_are_kept_in_range_and_readable_by_org_admins,
    |db| {
        let server = TestServer::start(&db);
        let org = fixtures::org(&server, "Org", "Site");
        let admin = fixtures::device(&server, &org, Role::OrgAdmin, "admin");
        let http = client();
        let put = |rules: Value| {
            http.put(server.url("/v1/alert-rules"))
                .bearer_auth(&admin.token)
                .json(&rules)
                .send()
                .unwrap()
        };
        let invalid = (400, code(ErrorCode::InvalidRequest));
        for rules in [
            json!({"overdue_grace_minutes": -1}),
            json!({"absence_decision_minutes": -30}),
            json!({"acknowledge_within_minutes": i64::MAX}),
            json!({"absence_decision_minutes": i64::MAX}),
            json!({"repeat_episodes": 0}),
            json!({"repeat_window_days": i64::MAX}),
        ] {
            assert_eq!(refusal(put(rules.clone())), invalid, "{rules}");
        }
        let set = put(json!({"absence_decision_minutes": 90, "repeat_episodes": 4}));
        assert_eq!(set.status().as_u16(), 200);
        let read = http
            .get(server.url("/v1/alert-rules"))
            .bearer_auth(&admin.token)
            .send()
            .unwrap();
        assert_eq!(read.status().as_u16(), 200, "org admins read what they set");
        let read: Value = read.json().unwrap();
        assert_eq!(read["absence_decision_minutes"], 90);
        assert_eq!(read["repeat_episodes"], 4);
    }
);

storage_test!(a_sync_frame_about_a_foreign_document_is_unavailable, |db| {
    let server = TestServer::start(&db);
    let ours = fixtures::org(&server, "Ours", "A");
    let theirs = fixtures::org(&server, "Theirs", "B");
    let mut staff = fixtures::device(&server, &ours, Role::ReceptionStaff, "s");
    let coordinator = fixtures::device(&server, &ours, Role::Coordinator, "c");
    let outsider = fixtures::device(&server, &theirs, Role::Coordinator, "x");
    let case = staff.open_case(&[("given_name", "Abena")], T0);
    staff.sync().unwrap();
    let heads = |server: &TestServer| -> Value {
        let case: Value = reqwest::blocking::Client::new()
            .get(server.url(&format!("/v1/cases/{case}")))
            .bearer_auth(&coordinator.token)
            .send()
            .unwrap()
            .json()
            .unwrap();
        case["heads"].clone()
    };
    let before = heads(&server);

    // The outsider writes into the case id as if it held it, with `sync` frames only.
    let mut socket = live::connect(&server.base_url, &outsider.token, false).unwrap();
    socket.join();
    let mut doc = automerge::AutoCommit::new();
    doc.put(automerge::ROOT, "kind", "case").unwrap();
    doc.commit();
    socket.hold(case, doc);
    assert!(
        socket.pump_until(Duration::from_secs(5), |p| p.unavailable.contains(&case)),
        "doc-unavailable for a foreign document"
    );
    socket.pump(Duration::from_millis(200), Duration::from_secs(1));
    assert!(!socket.closed, "the socket stays open");
    assert_eq!(heads(&server), before, "nothing of the outsider was stored");
});
