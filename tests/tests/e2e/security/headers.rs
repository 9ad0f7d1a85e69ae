//! Finding 5: one set of security headers on every response. The routes are read from the
//! server's source (every `#[get("...")]`, `#[post(...)]`, ... attribute), so a route added
//! later is walked too; each is called with a device token and a page session, and every
//! answer must carry the headers. Case data, pages and blobs must also answer 200 here, so
//! that the headers are checked on responses that really carry them.

use std::path::{Path, PathBuf};

use base64::Engine;
use casesync_contract::Role;
use casesync_tests::{fixtures, storage_test};
use reqwest::blocking::Response;
use serde_json::Value;
use sha2::Digest;

use super::support::{client, session, until_served};
use crate::pages::support::{world, PASSWORD};

/// `(method, pattern)` of every route the server's source declares.
fn declared_routes() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../server/src");
    let mut files = vec![];
    collect_rust_files(&src, &mut files);
    let mut routes = vec![];
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text.lines().map(str::trim) {
            for method in ["get", "post", "put", "delete", "patch"] {
                if let Some(rest) = line.strip_prefix(&format!("#[{method}(\"")) {
                    let pattern = rest.split('"').next().unwrap();
                    routes.push((method.to_uppercase(), pattern.to_string()));
                }
            }
            if let Some(rest) = line.strip_prefix("#[route(\"") {
                let pattern = rest.split('"').next().unwrap();
                for method in rest.split("method = \"").skip(1) {
                    let method = method.split('"').next().unwrap();
                    routes.push((method.to_string(), pattern.to_string()));
                }
            }
        }
    }
    routes
}

fn collect_rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn header<'a>(resp: &'a Response, name: &str) -> &'a str {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The inline `<style>` blocks of a page, each as the CSP source that allows it.
fn style_hashes(html: &str) -> Vec<String> {
    html.split("<style>")
        .skip(1)
        .map(|rest| {
            let style = rest.split("</style>").next().unwrap();
            let digest = sha2::Sha256::digest(style.as_bytes());
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect()
}

fn check(what: &str, resp: Response) -> (u16, String) {
    let status = resp.status().as_u16();
    assert_eq!(header(&resp, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header(&resp, "x-frame-options"), "DENY", "{what}");
    assert_eq!(header(&resp, "referrer-policy"), "no-referrer", "{what}");
    let csp = header(&resp, "content-security-policy").to_string();
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(csp.contains("object-src 'none'"), "{what}: {csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{what}: {csp}"
    );
    let cache = header(&resp, "cache-control").to_string();
    if !what.contains("/web/static/") {
        assert!(
            cache.contains("no-store"),
            "{what}: cache-control {cache:?}"
        );
    }
    let html = header(&resp, "content-type").starts_with("text/html");
    let body = resp.text().unwrap_or_default();
    if html {
        // Nothing inline that the policy would block: no inline script, no style attribute,
        // and every inline style block allowed by its hash.
        assert!(
            !body.contains("<script>") && !body.contains(" style=\""),
            "{what}"
        );
        for hash in style_hashes(&body) {
            assert!(
                csp.contains(&hash),
                "{what}: inline style {hash} not in {csp}"
            );
        }
    }
    (status, body)
}

storage_test!(every_route_answers_with_the_security_headers, |db| {
    let w = world(&db);
    let server = &w.server;
    let coordinator = fixtures::device(server, &w.org, Role::Coordinator, "coord");
    let http = client();
    let session = session(server, &http, "maria", PASSWORD);
    let case: Value = http
        .get(server.url(&format!("/v1/cases/{}", w.case)))
        .bearer_auth(&coordinator.token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let sha = case["case"]["profile"]["photo"]
        .as_str()
        .or_else(|| case["case"]["profile"]["photo"][0].as_str())
        .expect("the case has a photo")
        .to_string();
    until_served(server, &coordinator.token, &format!("/v1/blobs/{sha}"));

    let mut routes = declared_routes();
    assert!(routes.len() >= 50, "routes found in the source: {routes:?}");
    assert!(routes.contains(&("GET".into(), "/v1/cases/{id}".into())));
    // Reads first; erasing the case last keeps it for every other route.
    routes.sort_by_key(|(method, _)| (method == "DELETE", method != "GET"));
    let case_id = w.case.to_string();
    let mut walked = vec![];
    for (method, pattern) in &routes {
        let path = pattern
            .replace("{id}", &case_id)
            .replace("{sha256}", &sha)
            .replace("{file}", "style.css")
            .replace("{token}", "not-a-link")
            .replace("{user}", "nobody")
            .replace("{share}", "nobody");
        let mut paths = vec![path.clone()];
        if path.ends_with("/export") || path.ends_with("/missing-pack") {
            paths.push(format!("{path}?format=html"));
        }
        for path in paths {
            let what = format!("{method} {path}");
            let request = http
                .request(method.parse().unwrap(), server.url(&path))
                .bearer_auth(&coordinator.token)
                .header("cookie", &session);
            let request = if path == "/v1/sync" {
                request.json(&serde_json::json!({"documents": [{"id": case_id, "heads": [], "changes": []}]}))
            } else {
                request
            };
            let (status, _) = check(&what, request.send().unwrap());
            walked.push((what, status));
        }
    }
    // Responses carrying case data (and the pages) were really served, not refused.
    for must_serve in [
        format!("GET /v1/cases/{case_id}"),
        format!("GET /v1/cases/{case_id}/timeline"),
        format!("GET /v1/cases/{case_id}/conflicts"),
        format!("GET /v1/cases/{case_id}/export"),
        format!("GET /v1/cases/{case_id}/export?format=html"),
        format!("GET /v1/cases/{case_id}/missing-pack"),
        format!("GET /v1/cases/{case_id}/missing-pack?format=html"),
        "GET /v1/alerts".to_string(),
        format!("GET /v1/blobs/{sha}"),
        format!("GET /v1/blobs/{sha}/preview"),
        "POST /v1/sync".to_string(),
        "GET /web/cases".to_string(),
        format!("GET /web/cases/{case_id}"),
        format!("GET /web/cases/{case_id}/missing-pack"),
        "GET /web/alerts".to_string(),
        "GET /web/sign-in".to_string(),
    ] {
        let status = walked
            .iter()
            .find(|(what, _)| *what == must_serve)
            .map(|(_, status)| *status);
        assert_eq!(status, Some(200), "{must_serve}");
    }
    // Even an unknown address.
    check(
        "GET /nowhere",
        http.get(server.url("/nowhere")).send().unwrap(),
    );
});
