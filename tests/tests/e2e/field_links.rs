//! Field links (issue 14): what a phone on a slow, expensive link spends. A phone in sync
//! polls with its scope digest alone; a phone back after a week offline catches up in one
//! request, new cases included, in about the bytes of the changes it lacked.

use automerge::ChangeHash;
use casesync_contract::wire::{SyncRequest, SyncResponse};
use casesync_contract::{DocumentId, Role};
use casesync_tests::fixtures;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::storage_test;

/// Posts a CBOR request; returns the reply and the bytes of request and reply together.
fn post_counting(server: &TestServer, token: &str, request: &SyncRequest) -> (SyncResponse, usize) {
    let mut body = Vec::new();
    ciborium::into_writer(request, &mut body).unwrap();
    let sent = body.len();
    let reply = reqwest::blocking::Client::new()
        .post(server.url("/v1/sync"))
        .bearer_auth(token)
        .header("content-type", "application/cbor")
        .body(body)
        .send()
        .unwrap();
    assert_eq!(reply.status().as_u16(), 200);
    let bytes = reply.bytes().unwrap();
    (
        ciborium::from_reader(bytes.as_ref()).unwrap(),
        sent + bytes.len(),
    )
}

// Issue 14, field links: a phone in sync with 30 cases polls with its scope digest alone, in
// under 1 kB request and reply together; when anything of its scope changed it is told to
// send its full request, and after that it is in sync again.
storage_test!(a_phone_in_sync_polls_with_its_scope_digest_alone, |db| {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Reception Italy", "Centro Lampedusa");
    let mut giulia = fixtures::device(&server, &org, Role::ReceptionStaff, "giulia");
    let mut marco = fixtures::device(&server, &org, Role::ReceptionStaff, "marco");
    let cases: Vec<_> = (0..30)
        .map(|i| giulia.open_case(&[("given_name", &format!("Child {i}"))], T0))
        .collect();
    giulia.sync().unwrap();
    marco.sync().unwrap();
    assert!(cases.iter().all(|c| marco.docs.contains_key(c)));
    let token = marco.token.clone();

    let poll = |device: &mut casesync_tests::device::Device| SyncRequest {
        documents: vec![],
        include_new: false,
        scope_digest: Some(device.scope_digest()),
    };
    let (reply, bytes) = post_counting(&server, &token, &poll(&mut marco));
    assert!(reply.unchanged && !reply.full_request_needed, "{reply:?}");
    assert!(reply.documents.is_empty() && reply.new_documents.is_empty());
    eprintln!("in-sync poll of 30 cases: {bytes} bytes, request and reply");
    assert!(bytes <= 1024, "{bytes} bytes for an in-sync poll");

    // Giulia records an observation: Marco's digest no longer matches.
    giulia.observe(&cases[7], "obs-1", "seen at the station", T0 + 1);
    giulia.sync().unwrap();
    let (reply, _) = post_counting(&server, &token, &poll(&mut marco));
    assert!(reply.full_request_needed && !reply.unchanged, "{reply:?}");
    marco.sync().unwrap();
    let (reply, _) = post_counting(&server, &token, &poll(&mut marco));
    assert!(reply.unchanged, "in sync again");

    // A new case of his scope: the digest says so too.
    giulia.open_case(&[("given_name", "Qiro")], T0);
    giulia.sync().unwrap();
    let (reply, _) = post_counting(&server, &token, &poll(&mut marco));
    assert!(reply.full_request_needed);
});

// A phone back after a week offline: 30 cases in its scope, each changed 50 times by others
// (observations, each its own change), and 3 new cases. One request with `include_new`
// brings everything, and the reply is at most 1.2 times the automerge bytes it lacked.
storage_test!(a_phone_back_after_a_week_catches_up_in_one_request, |db| {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Reception Italy", "Centro Lampedusa");
    let mut giulia = fixtures::device(&server, &org, Role::ReceptionStaff, "giulia");
    let mut marco = fixtures::device(&server, &org, Role::ReceptionStaff, "marco");
    let cases: Vec<DocumentId> = (0..30)
        .map(|i| giulia.open_case(&[("given_name", &format!("Child {i}"))], T0))
        .collect();
    giulia.sync().unwrap();
    marco.sync().unwrap();
    let held: Vec<(DocumentId, Vec<ChangeHash>)> =
        cases.iter().map(|c| (*c, marco.heads(c))).collect();

    // The week: 50 observations on every case, synced as they were made, and 3 new cases.
    for day in 0..50 {
        for (n, case) in cases.iter().enumerate() {
            let text = format!("day {day}: seen at the station, talked with the guard");
            giulia.observe(case, &format!("obs-{n}-{day}"), &text, T0 + day);
        }
        giulia.sync().unwrap();
    }
    let new: Vec<DocumentId> = (0..3)
        .map(|i| giulia.open_case(&[("given_name", &format!("New child {i}"))], T0))
        .collect();
    giulia.sync().unwrap();

    // What Marco lacks, in automerge's own bytes: the stored changes after his heads, and
    // every change of the new cases.
    let lacked = |id: &DocumentId, since: &[ChangeHash]| -> usize {
        server
            .state
            .engine
            .read(id, |d| {
                d.get_changes(since)
                    .iter()
                    .map(|c| c.raw_bytes().len())
                    .sum::<usize>()
            })
            .unwrap()
            .unwrap()
    };
    let lacked_bytes: usize = held
        .iter()
        .map(|(id, heads)| lacked(id, heads))
        .sum::<usize>()
        + new.iter().map(|id| lacked(id, &[])).sum::<usize>();

    let mut request = marco.sync_request();
    request.include_new = true;
    let token = marco.token.clone();
    let (reply, bytes) = post_counting(&server, &token, &request);
    let sent = {
        let mut body = Vec::new();
        ciborium::into_writer(&request, &mut body).unwrap();
        body.len()
    };
    let received = bytes - sent;
    marco.apply_response(reply);
    for id in cases.iter().chain(&new) {
        let server_heads = server
            .state
            .engine
            .read(id, |d| d.get_heads())
            .unwrap()
            .unwrap();
        assert_eq!(
            marco.heads(id),
            server_heads,
            "{id} caught up in one request"
        );
    }
    let ratio = received as f64 / lacked_bytes as f64;
    eprintln!(
        "week offline, 30 cases x 50 changes + 3 new cases: request {sent} bytes, reply \
         {received} bytes for {lacked_bytes} bytes of changes lacked ({ratio:.3}x)"
    );
    assert!(
        ratio <= 1.2,
        "{received} bytes for {lacked_bytes} lacked: {ratio:.3}x"
    );
});

// A phone that reconnects its WebSocket with the sync state it saved (automerge's persisted
// state: the heads both sides shared) spends under 1 kB per document when nothing changed.
storage_test!(a_live_reconnect_with_saved_sync_state_is_cheap, |db| {
    use automerge::sync;
    use std::time::Duration;

    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Reception Italy", "Centro Lampedusa");
    let mut giulia = fixtures::device(&server, &org, Role::ReceptionStaff, "giulia");
    let marco = fixtures::device(&server, &org, Role::ReceptionStaff, "marco");
    let cases: Vec<DocumentId> = (0..30)
        .map(|i| giulia.open_case(&[("given_name", &format!("Child {i}"))], T0))
        .collect();
    for (n, case) in cases.iter().enumerate() {
        for day in 0..5 {
            giulia.observe(
                case,
                &format!("obs-{n}-{day}"),
                "seen at the station",
                T0 + day,
            );
        }
    }
    giulia.sync().unwrap();
    let synced = |peer: &mut casesync_tests::live::LivePeer| {
        cases.iter().all(|c| {
            let server_heads = server.state.engine.read(c, |d| d.get_heads()).unwrap();
            Some(peer.heads(c)) == server_heads
        })
    };
    let mut first = casesync_tests::live::connect(&server.base_url, &marco.token, false).unwrap();
    first.join();
    for case in &cases {
        first.open(*case);
    }
    assert!(
        first.pump_until(Duration::from_secs(30), synced),
        "first sync"
    );
    first.pump(Duration::from_millis(300), Duration::from_secs(5));
    let saved: Vec<(DocumentId, Vec<u8>, Vec<u8>)> = first
        .docs
        .iter_mut()
        .map(|(id, (doc, state))| (*id, doc.save(), state.encode()))
        .collect();
    drop(first);

    let mut again = casesync_tests::live::connect(&server.base_url, &marco.token, false).unwrap();
    again.join();
    let joined = again.bytes_sent + again.bytes_received;
    for (id, doc, state) in &saved {
        let doc = automerge::AutoCommit::load(doc).unwrap();
        let state = sync::State::decode(state).unwrap();
        again.docs.insert(*id, (doc, state));
        again.open(*id);
    }
    again.pump(Duration::from_millis(500), Duration::from_secs(10));
    assert!(
        synced(&mut again) && again.errors.is_empty(),
        "{:?}",
        again.errors
    );
    let per_document = (again.bytes_sent + again.bytes_received - joined) as f64 / 30.0;
    eprintln!(
        "live reconnect with saved sync state, 30 cases in sync: {:.0} bytes per document \
         (sent {}, received {}, join {joined})",
        per_document, again.bytes_sent, again.bytes_received
    );
    assert!(
        per_document <= 1024.0,
        "{per_document:.0} bytes per document"
    );
});
