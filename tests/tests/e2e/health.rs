//! The root and the probes (issue 17): `/` leads to the pages, `/readyz` answers whether the
//! database (with this build's migrations) and the blob store answer, beside `/healthz`.

use casesync_tests::server::TestServer;
use casesync_tests::storage_test;
use reqwest::blocking::Client;
use reqwest::redirect::Policy;

storage_test!(the_root_leads_to_the_pages_and_the_probes_answer, |db| {
    let server = TestServer::start(&db);
    let http = Client::builder().redirect(Policy::none()).build().unwrap();
    let root = http.get(server.url("/")).send().unwrap();
    assert_eq!(root.status().as_u16(), 303);
    assert_eq!(root.headers()["location"], "/web/");
    // Followed, it ends on the sign-in page of a person signed out.
    let page = Client::new().get(server.url("/")).send().unwrap();
    assert!(
        page.url().path().starts_with("/web/sign-in"),
        "{}",
        page.url()
    );

    let ready = http.get(server.url("/readyz")).send().unwrap();
    assert_eq!(ready.status().as_u16(), 200);
    let live = http.get(server.url("/healthz")).send().unwrap();
    assert_eq!(live.status().as_u16(), 200);
});

// A blob store that refuses the server (wrong credentials on a real S3 server): live, but
// not ready.
storage_test!(an_unreachable_blob_store_is_not_ready, |db| {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let Some(endpoint) = var("TEST_S3_ENDPOINT") else {
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "TEST_S3_ENDPOINT is not set: under CI=true this test must run"
        );
        eprintln!("skipping: TEST_S3_ENDPOINT is not set");
        return;
    };
    let server = TestServer::start_with(&db, |config| {
        config.blobs.store = casesync_server::blobs::StoreKind::S3;
        config.blobs.endpoint = endpoint;
        config.blobs.bucket = var("TEST_S3_BUCKET").unwrap_or_else(|| "casesync-test".into());
        config.blobs.region = var("TEST_S3_REGION").unwrap_or_else(|| "us-east-1".into());
        config.blobs.access_key_id = var("TEST_S3_ACCESS_KEY").unwrap_or_default();
        config.blobs.secret_access_key = "not-the-secret".into();
        config.blobs.allow_http = true;
    });
    let ready = Client::new().get(server.url("/readyz")).send().unwrap();
    assert_eq!(ready.status().as_u16(), 503);
    let body: serde_json::Value = ready.json().unwrap();
    assert_eq!(body["problems"][0], "blob store unavailable", "{body}");
    let live = Client::new().get(server.url("/healthz")).send().unwrap();
    assert_eq!(live.status().as_u16(), 200, "still live");
});
