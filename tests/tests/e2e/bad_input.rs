//! Bad input gets a clear 4xx with a stable code, nothing is stored, and the server keeps
//! serving everyone else.

use casesync_contract::errors::{ErrorBody, ErrorCode};
use casesync_contract::wire::{DocumentPush, DocumentStatus, SyncRequest};
use casesync_contract::Role;
use casesync_tests::fixtures;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::storage_test;

fn post(
    server: &TestServer,
    token: Option<&str>,
    content_type: &str,
    body: Vec<u8>,
) -> (u16, Option<ErrorBody>) {
    let mut req = reqwest::blocking::Client::new()
        .post(server.url("/v1/sync"))
        .header("content-type", content_type)
        .body(body);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let resp = req.send().unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().ok())
}

fn code(reply: &(u16, Option<ErrorBody>)) -> ErrorCode {
    reply.1.as_ref().expect("error body").error.code
}

storage_test!(bad_requests_are_refused_clearly, |db| {
    let server = TestServer::start_with(&db, |c| c.max_body_bytes = 64 * 1024);
    let org = fixtures::org(&server, "Org", "Site");
    let mut a = fixtures::device(&server, &org, Role::ReceptionStaff, "a");
    let case = a.open_case(&[("given_name", "Abena")], T0);
    a.sync().unwrap();
    let heads = a.heads(&case);
    let token = a.token.clone();

    let r = post(&server, None, "application/cbor", vec![0xa0]);
    assert_eq!((r.0, code(&r)), (401, ErrorCode::Unauthorized));
    let r = post(
        &server,
        Some("csd_not-a-real-token"),
        "application/cbor",
        vec![0xa0],
    );
    assert_eq!((r.0, code(&r)), (401, ErrorCode::Unauthorized));
    let r = post(
        &server,
        Some(&token),
        "application/cbor",
        vec![0xff, 0x00, 0x13],
    );
    assert_eq!((r.0, code(&r)), (400, ErrorCode::MalformedBody));
    let r = post(
        &server,
        Some(&token),
        "application/json",
        b"{\"documents\": [".to_vec(),
    );
    assert_eq!((r.0, code(&r)), (400, ErrorCode::MalformedBody));
    let r = post(
        &server,
        Some(&token),
        "application/json",
        br#"{"documents":[{"id":"not-an-id"}]}"#.to_vec(),
    );
    assert_eq!((r.0, code(&r)), (400, ErrorCode::MalformedBody));
    let r = post(&server, Some(&token), "text/plain", b"hello".to_vec());
    assert_eq!((r.0, code(&r)), (415, ErrorCode::UnsupportedMediaType));
    let r = post(
        &server,
        Some(&token),
        "application/cbor",
        vec![0u8; 100 * 1024],
    );
    assert_eq!((r.0, code(&r)), (413, ErrorCode::PayloadTooLarge));

    // Invalid automerge bytes and bad heads: refused per document, nothing stored.
    let reply = a
        .post_sync(&SyncRequest {
            include_new: false,
            documents: vec![DocumentPush {
                id: case,
                heads: vec![],
                changes: vec![b"not automerge".to_vec()],
            }],
            scope_digest: None,
        })
        .unwrap();
    assert_eq!(reply.documents[0].status, DocumentStatus::Rejected);
    assert_eq!(
        reply.documents[0].error.as_ref().unwrap().code,
        ErrorCode::InvalidChanges
    );
    let reply = a
        .post_sync(&SyncRequest {
            include_new: false,
            documents: vec![DocumentPush {
                id: case,
                heads: vec!["zz".into()],
                changes: vec![],
            }],
            scope_digest: None,
        })
        .unwrap();
    assert_eq!(
        reply.documents[0].error.as_ref().unwrap().code,
        ErrorCode::InvalidChanges
    );

    // An unknown document id without changes: unavailable, nothing created.
    let unknown = casesync_contract::DocumentId::random();
    let reply = a
        .post_sync(&SyncRequest {
            include_new: false,
            documents: vec![DocumentPush {
                id: unknown,
                heads: vec![],
                changes: vec![],
            }],
            scope_digest: None,
        })
        .unwrap();
    assert_eq!(reply.documents[0].status, DocumentStatus::Unavailable);

    // The server still serves, and the case is unchanged.
    // Another phone of the same centre (outreach workers hold only assigned cases).
    let mut b = fixtures::device(&server, &org, Role::ReceptionStaff, "b");
    b.sync().unwrap();
    assert_eq!(b.heads(&case), heads);
    let health = reqwest::blocking::get(server.url("/healthz")).unwrap();
    assert_eq!(health.status().as_u16(), 200);
    // The gauges need no token and say nothing about any case.
    let metrics = reqwest::blocking::get(server.url("/metrics"))
        .unwrap()
        .text()
        .unwrap();
    let loaded: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("casesync_documents_loaded "))
        .expect("documents loaded gauge")
        .parse()
        .unwrap();
    assert!(loaded >= 1, "the case just synced is in memory: {metrics}");
    assert!(!metrics.contains(&case.to_string()));
});
