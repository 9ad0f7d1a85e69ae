//! What one device may take of the server (OWASP API4): each limit is configured low, hit,
//! and answered with its documented code, while everything else (other documents, other
//! devices, other sessions) goes on. See `[limits]` in ops/config.md.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use casesync_contract::errors::{ErrorBody, ErrorCode};
use casesync_contract::wire::DocumentStatus;
use casesync_contract::{DocumentId, Role};
use casesync_tests::live::connect;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::{fixtures, storage_test};

const WAIT: Duration = Duration::from_secs(10);

fn error_of(status_and_body: (u16, String)) -> (u16, ErrorCode) {
    let (status, body) = status_and_body;
    let body: ErrorBody = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    (status, body.error.code)
}

storage_test!(a_request_with_too_many_documents_is_refused_whole, |db| {
    let server = TestServer::start_with(&db, |c| c.limits.documents_per_request = 3);
    let org = fixtures::org(&server, "Org", "Centro");
    let mut staff = fixtures::device(&server, &org, Role::ReceptionStaff, "giulia");
    for name in ["A", "B", "C", "D"] {
        staff.open_case(&[("given_name", name)], T0);
    }
    let request = staff.sync_request();
    let refused = staff.post_sync(&request).unwrap_err();
    let casesync_tests::device::SyncError::Status(status, body) = refused else {
        panic!("{refused:?}")
    };
    assert_eq!(error_of((status, body)), (413, ErrorCode::PayloadTooLarge));
    // Nothing of it was stored; in requests of three, all of it is.
    for push in &request.documents {
        let stored = server.state.engine.read(&push.id, |_| ()).unwrap();
        assert!(stored.is_none(), "{} was stored", push.id);
    }
    let mut first = request.clone();
    let rest = first.documents.split_off(3);
    staff.post_sync(&first).unwrap();
    staff
        .post_sync(&casesync_contract::wire::SyncRequest {
            include_new: false,
            documents: rest,
            scope_digest: None,
        })
        .unwrap();
});

storage_test!(
    too_many_changes_in_one_message_refuse_that_document_only,
    |db| {
        let server = TestServer::start_with(&db, |c| c.limits.changes_per_message = 3);
        let org = fixtures::org(&server, "Org", "Centro");
        let mut staff = fixtures::device(&server, &org, Role::ReceptionStaff, "giulia");
        let busy = staff.open_case(&[("given_name", "Abena")], T0);
        let quiet = staff.open_case(&[("given_name", "Qiro")], T0);
        staff.sync().unwrap();
        for i in 0..4 {
            staff.observe(&busy, &format!("obs-{i}"), "seen", T0 + i);
        }
        staff.observe(&quiet, "obs-q", "seen", T0 + 10);
        let request = staff.sync_request();
        let reply = staff.post_sync(&request).unwrap();
        let of = |id: &DocumentId| reply.documents.iter().find(|d| d.id == *id).unwrap();
        let refused = of(&busy).error.as_ref().expect("refused");
        assert_eq!(refused.code, ErrorCode::PayloadTooLarge, "{refused:?}");
        assert!(refused.message.contains("at most 3"), "{}", refused.message);
        assert_eq!(of(&quiet).status, DocumentStatus::Ok);
        assert!(of(&quiet).error.is_none());
        let observations = |id: &DocumentId| {
            server
                .state
                .engine
                .read(id, |d| {
                    casesync_contract::case::read_case(d).map(|c| c.observations.len())
                })
                .unwrap()
                .unwrap()
                .unwrap()
        };
        assert_eq!(
            observations(&busy),
            0,
            "nothing of the refused message is stored"
        );
        assert_eq!(observations(&quiet), 1);
    }
);

storage_test!(a_device_over_its_sync_rate_waits_and_others_do_not, |db| {
    let server = TestServer::start_with(&db, |c| c.limits.sync_requests_per_minute = 3);
    let org = fixtures::org(&server, "Org", "Centro");
    let mut staff = fixtures::device(&server, &org, Role::ReceptionStaff, "giulia");
    let mut colleague = fixtures::device(&server, &org, Role::ReceptionStaff, "marco");
    for _ in 0..3 {
        staff.sync().unwrap();
    }
    let response = reqwest::blocking::Client::new()
        .post(server.url("/v1/sync"))
        .bearer_auth(&staff.token)
        .header("content-type", "application/json")
        .body(r#"{"documents":[]}"#)
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 429);
    assert_eq!(response.headers()["retry-after"], "60");
    let body: ErrorBody = response.json().unwrap();
    assert_eq!(body.error.code, ErrorCode::RateLimited);
    colleague.sync().expect("another device is not affected");
    // (The window slides on real time: `limits::window`'s unit test.)
});

storage_test!(a_device_has_at_most_its_sockets_open, |db| {
    let server = TestServer::start_with(&db, |c| c.limits.sockets_per_device = 2);
    let org = fixtures::org(&server, "Org", "Centro");
    let staff = fixtures::device(&server, &org, Role::ReceptionStaff, "giulia");
    let colleague = fixtures::device(&server, &org, Role::ReceptionStaff, "marco");
    let mut first = connect(&server.base_url, &staff.token, false).unwrap();
    first.join();
    let mut second = connect(&server.base_url, &staff.token, false).unwrap();
    second.join();
    match connect(&server.base_url, &staff.token, false) {
        Err(tungstenite::Error::Http(response)) => {
            assert_eq!(response.status().as_u16(), 429);
            let body: ErrorBody =
                serde_json::from_slice(response.body().as_deref().unwrap_or_default()).unwrap();
            assert_eq!(body.error.code, ErrorCode::LimitExceeded);
        }
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("a third socket was opened"),
    }
    let mut other = connect(&server.base_url, &colleague.token, false).expect("other device");
    other.join();
    // Closing one frees its slot (the session ends on the server a moment later).
    first.socket.close(None).unwrap();
    first.pump(Duration::from_millis(200), WAIT);
    let deadline = Instant::now() + WAIT;
    let mut third = loop {
        match connect(&server.base_url, &staff.token, false) {
            Ok(peer) => break peer,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("the slot was not freed: {e}"),
        }
    };
    third.join();
    second.pump(Duration::from_millis(100), WAIT);
    assert!(!second.closed, "the open sockets are untouched");
});

storage_test!(a_session_syncs_at_most_its_documents_and_goes_on, |db| {
    let server = TestServer::start_with(&db, |c| c.limits.documents_per_session = 2);
    let org = fixtures::org(&server, "Org", "Centro");
    let mut staff = fixtures::device(&server, &org, Role::ReceptionStaff, "giulia");
    let cases: Vec<DocumentId> = ["A", "B", "C"]
        .iter()
        .map(|name| staff.open_case(&[("given_name", name)], T0))
        .collect();
    staff.sync().unwrap();
    let mut peer = connect(&server.base_url, &staff.token, false).unwrap();
    peer.join();
    peer.open(cases[0]);
    peer.open(cases[1]);
    assert!(peer.pump_until(WAIT, |p| p.has_content(&cases[0])
        && p.has_content(&cases[1])));
    peer.open(cases[2]);
    assert!(peer.pump_until(WAIT, |p| !p.errors.is_empty()));
    let error = &peer.errors[0];
    assert!(
        error.contains(&cases[2].to_string()) && error.contains("limit_exceeded"),
        "{error}"
    );
    assert!(!peer.has_content(&cases[2]));
    // The session goes on for the documents it holds: a change is acknowledged.
    staff.observe(&cases[0], "obs-live", "in the garden", T0 + 5);
    let recorded = staff.doc(&cases[0]).clone();
    peer.doc(&cases[0]).merge(&mut recorded.clone()).unwrap();
    peer.changed(cases[0]);
    let ours = peer.heads(&cases[0]);
    assert!(
        peer.pump_until(WAIT, |p| p.docs[&cases[0]].1.their_heads.as_ref()
            == Some(&ours))
    );
    assert!(!peer.closed);
});

storage_test!(changes_held_over_the_limit_cost_their_document_only, |db| {
    let server = TestServer::start_with(&db, |c| c.limits.held_changes = 2);
    let org = fixtures::org(&server, "Org", "Centro");
    let mut staff = fixtures::device(&server, &org, Role::ReceptionStaff, "giulia");
    let gapped = staff.open_case(&[("given_name", "Abena")], T0);
    let fine = staff.open_case(&[("given_name", "Qiro")], T0);
    staff.sync().unwrap();
    for i in 0..4 {
        staff.observe(&gapped, &format!("obs-{i}"), "seen", T0 + i);
    }
    staff.observe(&fine, "obs-f", "seen", T0 + 10);
    let mut request = staff.sync_request();
    // The first new change of `gapped` is lost on the way: three wait for it, over the
    // limit of two.
    for push in &mut request.documents {
        if push.id == gapped {
            push.changes.remove(0);
        }
    }
    let reply = staff.post_sync(&request).unwrap();
    let of = |id: &DocumentId| reply.documents.iter().find(|d| d.id == *id).unwrap();
    let error = of(&gapped).error.as_ref().expect("over the hold limit");
    assert_eq!(error.code, ErrorCode::MissingDependencies, "{error:?}");
    assert_eq!(of(&fine).status, DocumentStatus::Ok);
    assert!(of(&fine).error.is_none());
    // Sent complete, the same changes are admitted.
    staff.sync().unwrap();
    assert_eq!(staff.pending(), 0);
});

/// Sends `head` (an incomplete request head, or a head and part of a body) and returns
/// what the server answered and how long it took.
fn slow_client(server: &TestServer, head: &str) -> (String, Duration) {
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let started = Instant::now();
    stream.write_all(head.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

storage_test!(slow_clients_are_cut_off, |db| {
    let server = TestServer::start_with(&db, |c| {
        c.limits.request_head_secs = 1;
        c.limits.request_body_secs = 1;
    });
    let org = fixtures::org(&server, "Org", "Centro");
    let staff = fixtures::device(&server, &org, Role::ReceptionStaff, "giulia");
    // A head that never ends (slowloris).
    let (answer, took) = slow_client(&server, "GET /v1/cases HTTP/1.1\r\nHost: x\r\n");
    // One second configured (actix alone would wait five).
    assert!(took < Duration::from_secs(4), "held for {took:?}");
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    // A body that never ends.
    let head = format!(
        "POST /v1/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"documents\":",
        staff.token
    );
    let (answer, took) = slow_client(&server, &head);
    assert!(took < Duration::from_secs(4), "held for {took:?}");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request_timeout"), "{answer}");
    // Everyone else is served meanwhile and after.
    let mut staff = staff;
    staff.sync().expect("served after the slow clients");
});
