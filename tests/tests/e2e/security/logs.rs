//! Finding 1: secrets never reach the log. Every flow that hands out or carries a secret
//! runs while the server's log is captured, then the log is searched for each of them.

use std::time::Duration;

use casesync_contract::{DocumentId, Role};
use casesync_schema::directory::users;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::{fixtures, live, logs, storage_test};
use serde_json::{json, Value};

use super::support::{client, cookie, csrf_in, session, sign_in};

const PASSWORD: &str = "correct horse battery staple 13";

storage_test!(secrets_never_reach_the_log, |db| {
    logs::capture();
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Org", "Site");
    let coordinator = fixtures::device(&server, &org, Role::Coordinator, "coord");
    let (outreach, nadia) = {
        let mut conn = server.state.pool.get().unwrap();
        let site = Some(org.site_id.as_str());
        let outreach = users::create(&mut conn, &org.id, site, Role::OutreachWorker, "omar");
        let nadia = users::create(&mut conn, &org.id, None, Role::Coordinator, "nadia");
        (outreach.unwrap(), nadia.unwrap())
    };
    let http = client();

    // An enrolment code, exchanged by the phone for its device token.
    let code: Value = http
        .post(server.url("/v1/enrolments"))
        .bearer_auth(&coordinator.token)
        .json(&json!({"user": outreach.id}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let code = code["code"]
        .as_str()
        .expect("an enrolment code")
        .to_string();
    let enrolled: Value = http
        .post(server.url("/v1/enrol"))
        .json(&json!({"code": code, "device_name": "field phone"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let token = enrolled["token"]
        .as_str()
        .expect("a device token")
        .to_string();

    // The token at work: in the header, and in the query where it is not accepted.
    let me = http
        .get(server.url("/v1/me"))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(me.status().as_u16(), 200);
    let me: Value = me.json().unwrap();
    let sync = http
        .post(server.url("/v1/sync"))
        .bearer_auth(&token)
        .json(&json!({"documents": []}))
        .send()
        .unwrap();
    assert_eq!(sync.status().as_u16(), 200);
    let in_query = http
        .get(server.url(&format!("/v1/cases?token={token}")))
        .send()
        .unwrap();
    assert_eq!(in_query.status().as_u16(), 401);

    // A browser socket carries the token in its query.
    let caseload: DocumentId = me["caseload_url"].as_str().unwrap().parse().unwrap();
    let mut socket = live::connect(&server.base_url, &token, true).expect("socket opens");
    socket.join();
    socket.open(caseload);
    assert!(socket.pump_until(Duration::from_secs(5), |p| p.has_content(&caseload)));
    drop(socket);

    // A one-time password link, opened and used; then signing in with that password.
    let link = {
        let mut conn = server.state.pool.get().unwrap();
        casesync_schema::web::password_links::create(&mut conn, &nadia.id, T0, T0 + 3_600_000)
            .unwrap()
    };
    let page = http
        .get(server.url(&format!("/web/password/{link}")))
        .send()
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let form_cookie = cookie(&page, "casesync_form").unwrap();
    let csrf = csrf_in(&page.text().unwrap());
    let set = http
        .post(server.url(&format!("/web/password/{link}")))
        .header("cookie", form_cookie)
        .form(&[
            ("password", PASSWORD),
            ("repeat", PASSWORD),
            ("csrf", &csrf),
        ])
        .send()
        .unwrap();
    assert_eq!(set.status().as_u16(), 200);
    let wrong = sign_in(
        &server,
        &http,
        "nadia",
        "not the password at all",
        "/web/cases",
    );
    assert_eq!(wrong.status().as_u16(), 401);
    let session = session(&server, &http, "nadia", PASSWORD);
    let cases = http
        .get(server.url("/web/cases"))
        .header("cookie", &session)
        .send()
        .unwrap();
    assert_eq!(cases.status().as_u16(), 200);
    let session_value = session.split_once('=').unwrap().1.to_string();

    // Request lines are written as responses finish; give the last ones a moment.
    std::thread::sleep(Duration::from_millis(300));
    let log = logs::text();
    assert!(
        log.contains("/web/password/{token}") && log.contains("/v1/sync/ws"),
        "the log was captured and names route patterns (another subscriber installed first?)"
    );
    for (what, secret) in [
        ("enrolment code", code.as_str()),
        ("enrolment code, typed", &code.to_lowercase()),
        ("device token", token.as_str()),
        ("coordinator's device token", coordinator.token.as_str()),
        ("password link", link.as_str()),
        ("password", PASSWORD),
        ("wrong password", "not the password at all"),
        ("session cookie", session_value.as_str()),
    ] {
        if let Some(at) = log.find(secret) {
            let start = log[..at].rfind('\n').map_or(0, |n| n + 1);
            let end = log[at..].find('\n').map_or(log.len(), |n| at + n);
            panic!("the {what} is in the log: {}", &log[start..end]);
        }
    }
});
