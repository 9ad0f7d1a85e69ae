//! Finding 4: a device token is taken from the query on the live socket only (browsers
//! cannot set its headers); anywhere else a query token is refused, even beside a valid
//! header, since a token in a URL has leaked into proxies, histories and referrers.

use casesync_contract::errors::ErrorCode;
use casesync_contract::Role;
use casesync_tests::server::TestServer;
use casesync_tests::{fixtures, live, storage_test};
use serde_json::json;

use super::support::{client, code, refusal};

storage_test!(a_token_in_the_query_is_for_the_socket_only, |db| {
    let server = TestServer::start(&db);
    let org = fixtures::org(&server, "Org", "Site");
    let phone = fixtures::device(&server, &org, Role::Coordinator, "coord");
    let http = client();
    let token = &phone.token;
    for path in ["/v1/me", "/v1/cases", "/v1/alerts"] {
        let resp = http
            .get(server.url(&format!("{path}?token={token}")))
            .send()
            .unwrap();
        assert_eq!(
            refusal(resp),
            (401, code(ErrorCode::Unauthorized)),
            "{path}"
        );
        // Even beside a valid header: the token has leaked into a URL.
        let resp = http
            .get(server.url(&format!("{path}?token={token}")))
            .bearer_auth(token)
            .send()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 401, "{path} with header and query");
        let resp = http
            .get(server.url(path))
            .bearer_auth(token)
            .send()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200, "{path} with the header");
    }
    let resp = http
        .post(server.url(&format!("/v1/sync?token={token}")))
        .json(&json!({"documents": []}))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401, "batch sync");
    let mut socket = live::connect(&server.base_url, token, true).expect("the socket takes it");
    socket.join();
});
