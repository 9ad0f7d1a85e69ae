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
    // The erasure ledger lives in the blob store: until it has been re-applied, a restored
    // database could still hold an erased child, so nothing but the probes is served.
    assert_eq!(
        body["problems"][1], "erasure ledger not yet re-applied",
        "{body}"
    );
    let held = Client::new().get(server.url("/v1/cases")).send().unwrap();
    assert_eq!(held.status().as_u16(), 503);
    let error: serde_json::Value = held.json().unwrap();
    assert_eq!(error["error"]["code"], "unavailable", "{error}");
    let live = Client::new().get(server.url("/healthz")).send().unwrap();
    assert_eq!(live.status().as_u16(), 200, "still live");
});

// `/metrics` (issue 17): requests by route pattern and status with latency histograms,
// changes admitted and refused by code, the outbox backlog, the pool, alert delivery
// latency; nothing naming a case, a person or a device.
storage_test!(
    metrics_count_requests_changes_refusals_and_deliveries,
    |db| {
        use casesync_contract::Role;
        use casesync_tests::fixtures;
        use casesync_tests::server::T0;

        let server = TestServer::start(&db);
        let org = fixtures::org(&server, "Reception Italy", "Centro Lampedusa");
        let mut staff = fixtures::device(&server, &org, Role::ReceptionStaff, "giulia");
        let mut coordinator = fixtures::device(&server, &org, Role::Coordinator, "chiara");
        let case = staff.open_case(&[("given_name", "Abena")], T0);
        staff.episode_event(&case, "ep1", "ev1", "missing", T0);
        staff.sync().unwrap();
        // A refused change: a reception phone may not close an episode.
        staff.episode_event(&case, "ep1", "ev2", "closed", T0 + 1);
        staff.sync().unwrap();
        coordinator.sync().unwrap();
        coordinator.sync().unwrap();

        let text = Client::new()
            .get(server.url("/metrics"))
            .send()
            .unwrap()
            .text()
            .unwrap();
        let has = |needle: &str| {
            assert!(text.contains(needle), "{needle} not in /metrics:\n{text}");
        };
        has(r#"casesync_http_requests_total{method="POST",route="/v1/sync",status="200"}"#);
        has(
            r#"casesync_http_request_duration_seconds_bucket{method="POST",route="/v1/sync",le="0.1"}"#,
        );
        has("casesync_changes_admitted_total ");
        has(r#"casesync_changes_refused_total{code="permission_denied"}"#);
        has("casesync_outbox_backlog ");
        has("casesync_db_pool_connections ");
        has("casesync_alert_delivery_seconds_count ");
        // The dashboard in ops/ plots only figures the server records.
        let dashboard = include_str!("../../../ops/grafana-dashboard.json");
        let sources = [
            include_str!("../../../server/src/observe.rs"),
            include_str!("../../../server/src/routes/health.rs"),
        ];
        for name in dashboard
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| w.starts_with("casesync_"))
        {
            let base = name
                .trim_end_matches("_bucket")
                .trim_end_matches("_count")
                .trim_end_matches("_sum");
            assert!(
                sources.iter().any(|s| s.contains(&format!("\"{base}\""))),
                "the dashboard plots {name}, which the server does not record"
            );
        }
        for secret in [
            &staff.token,
            &case.to_string(),
            &staff.device_id,
            &staff.user_id,
        ] {
            assert!(!text.contains(secret.as_str()), "/metrics names {secret}");
        }
    }
);
