//! `GET /v1/openapi.json` (issue 17): the OpenAPI 3.1 description is served without a token,
//! names the routes with their methods, and its security says the truth: every `GET` it
//! marks as needing a token answers 401 without one, and the others do not.

use casesync_tests::db::{Kind, TestDb};
use casesync_tests::server::TestServer;
use reqwest::blocking::Client;
use serde_json::Value;

#[test]
fn the_description_is_served_and_its_security_holds() {
    let db = TestDb::new(Kind::Sqlite).expect("SQLite is always available");
    let server = TestServer::start(&db);
    let http = Client::new();

    let response = http.get(server.url("/v1/openapi.json")).send().unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let spec: Value = response.json().unwrap();
    let version = spec["openapi"].as_str().unwrap();
    assert!(version.starts_with("3.1"), "OpenAPI {version}");

    let paths = &spec["paths"];
    for (path, method) in [
        ("/v1/sync", "post"),
        ("/v1/sync/ws", "get"),
        ("/v1/cases/{id}", "get"),
        ("/v1/cases/{id}", "delete"),
        ("/v1/shared-views/{id}", "get"),
        ("/v1/blobs/uploads/{id}", "head"),
        ("/v1/enrol", "post"),
        ("/v1/openapi.json", "get"),
    ] {
        assert!(
            paths[path][method].is_object(),
            "{method} {path} is missing"
        );
    }
    let batch = &paths["/v1/sync"]["post"]["requestBody"]["content"];
    assert!(batch["application/cbor"].is_object() && batch["application/json"].is_object());
    assert!(
        paths["/v1/enrol"]["post"]["security"].is_null(),
        "enrolment needs no token"
    );

    let gets: Vec<(&String, bool)> = paths
        .as_object()
        .unwrap()
        .iter()
        .filter(|(path, item)| !path.contains('{') && item["get"].is_object())
        .map(|(path, item)| (path, item["get"]["security"].is_array()))
        .collect();
    assert!(gets.len() > 8, "{gets:?}");
    for (path, secured) in gets {
        let status = http.get(server.url(path)).send().unwrap().status().as_u16();
        assert_eq!(
            status == 401,
            secured,
            "GET {path} answered {status} without a token"
        );
    }
}
