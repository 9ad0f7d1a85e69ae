//! The description covers every route, and only routes that exist. Two sides, since actix
//! lists no routes: the sources (every `#[get("/v1/...")]`, `#[route(...)]`, ... under
//! `server/src`: what can be served) must name exactly the operations of the document; and
//! every operation of the document must be answered by `routes::configure`'s real route
//! table (a handler written but never registered would otherwise pass).

use std::collections::BTreeSet;
use std::path::Path;

use actix_web::http::Method;
use actix_web::test as actix_test;
use actix_web::App;
use serde_json::Value;

use super::document;

/// Outside `/v1`, the routes that are described (operations, not pages). Every other route
/// must be a page (`/web/...`) or the root's redirect to them (`/`).
const DESCRIBED_OUTSIDE_V1: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

const ROUTE_MACROS: [&str; 9] = [
    "get", "post", "put", "delete", "patch", "head", "options", "trace", "route",
];

type Operation = (String, String);

fn spec() -> Value {
    serde_json::from_str(document()).expect("the document is JSON")
}

fn described() -> BTreeSet<Operation> {
    let spec = spec();
    let paths = spec["paths"].as_object().expect("paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            let item = item.as_object().expect("path item");
            item.keys()
                .filter(|key| ROUTE_MACROS[..8].contains(&key.as_str()))
                .map(|method| (method.to_uppercase(), path.clone()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Every route attribute of every source file below `dir`.
fn routes_in(dir: &Path, found: &mut BTreeSet<Operation>) {
    for entry in std::fs::read_dir(dir).expect("source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            routes_in(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("source file");
            // Routes are attributes only: a builder call would escape this test. (Spelled in
            // pieces so that this file does not trip itself.)
            let builders = [
                concat!("web::", "resource("),
                concat!("web::", "scope("),
                concat!(".", "route("),
            ];
            for builder in builders {
                assert!(
                    !text.contains(builder),
                    "{}: register routes with attributes, which the OpenAPI test reads",
                    path.display()
                );
            }
            routes_of(&text, found);
        }
    }
}

/// `#[get("/path")]` gives (GET, /path); `#[route("/path", method = "GET", method = "HEAD")]`
/// one operation per method.
fn routes_of(text: &str, found: &mut BTreeSet<Operation>) {
    for line in text.lines().map(str::trim_start) {
        let Some(rest) = line.strip_prefix("#[") else {
            continue;
        };
        let Some((name, args)) = rest.split_once("(\"") else {
            continue;
        };
        if !ROUTE_MACROS.contains(&name) {
            continue;
        }
        let (path, tail) = args.split_once('"').expect("a quoted path");
        let methods: Vec<String> = if name == "route" {
            tail.split("method = \"")
                .skip(1)
                .filter_map(|m| m.split_once('"').map(|(m, _)| m.to_string()))
                .collect()
        } else {
            vec![name.to_uppercase()]
        };
        assert!(!methods.is_empty(), "a route without a method: {line}");
        found.extend(methods.into_iter().map(|m| (m, path.to_string())));
    }
}

fn routes_in_sources() -> BTreeSet<Operation> {
    let mut all = BTreeSet::new();
    routes_in(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut all);
    all.into_iter()
        .filter(|(_, path)| {
            let described =
                path.starts_with("/v1/") || DESCRIBED_OUTSIDE_V1.contains(&path.as_str());
            // `/federation/` is served on the federation listener only, to peer servers
            // (mutual TLS), and described in docs/cross-border.md.
            assert!(
                described
                    || path == "/"
                    || path.starts_with("/web/")
                    || path.starts_with("/federation/"),
                "{path} is neither an API route (/v1) nor a page: describe it or place it"
            );
            described
        })
        .collect()
}

#[test]
fn every_route_in_the_sources_is_described_and_nothing_else() {
    let sources = routes_in_sources();
    // The reader must see the routes, or an empty set would equal an empty document.
    assert!(sources.len() > 30, "too few routes read: {sources:?}");
    assert!(sources.contains(&("POST".into(), "/v1/sync".into())));
    assert!(sources.contains(&("HEAD".into(), "/v1/blobs/uploads/{id}".into())));
    let described = described();
    let missing: Vec<_> = sources.difference(&described).collect();
    let extra: Vec<_> = described.difference(&sources).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "routes not described (add #[utoipa::path] and list them in ApiDoc): {missing:?}; \
         described but no such route: {extra:?}"
    );
}

#[actix_web::test]
async fn every_described_operation_is_registered() {
    // No application state: a registered route answers its extractor's error, an unknown
    // one actix's bare 404 (nothing registered as a default here).
    let app = actix_test::init_service(App::new().configure(crate::routes::configure)).await;
    for (method, path) in described() {
        let uri = path.replace(['{', '}'], "");
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        let request = actix_test::TestRequest::default()
            .method(method.clone())
            .uri(&uri)
            .to_request();
        let response = actix_test::call_service(&app, request).await;
        let status = response.status();
        let body = actix_test::read_body(response).await;
        assert!(
            status != 404 || !body.is_empty(),
            "{method} {path} is described but routes::configure does not serve it"
        );
    }
}

#[test]
fn the_document_is_openapi_3_1_and_every_reference_resolves() {
    let spec = spec();
    assert!(spec["openapi"]
        .as_str()
        .expect("version")
        .starts_with("3.1"));
    let mut refs = Vec::new();
    collect_refs(&spec, &mut refs);
    assert!(refs.len() > 50, "too few references: {}", refs.len());
    for target in refs {
        let pointer = target.strip_prefix('#').expect("a local reference");
        assert!(spec.pointer(pointer).is_some(), "dangling $ref {target}");
    }
    for name in [
        "CaseDocument",
        "SharedViewDocument",
        "ErrorBody",
        "SyncRequest",
    ] {
        assert!(spec["components"]["schemas"][name].is_object(), "{name}");
    }
    let mut ids = BTreeSet::new();
    for (method, path) in described() {
        let id = spec["paths"][&path][method.to_lowercase()]["operationId"].clone();
        assert!(
            ids.insert(id.to_string()),
            "{method} {path}: operationId {id} taken"
        );
    }
}

fn collect_refs(value: &Value, refs: &mut Vec<String>) {
    match value {
        Value::Object(map) => map.iter().for_each(|(key, inner)| match inner {
            Value::String(target) if key == "$ref" => refs.push(target.clone()),
            _ => collect_refs(inner, refs),
        }),
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, refs)),
        _ => {}
    }
}

#[test]
fn token_routes_say_so_and_answer_401() {
    let spec = spec();
    let open = [
        "/healthz",
        "/readyz",
        "/metrics",
        "/v1/openapi.json",
        "/v1/enrol",
    ];
    for (method, path) in described() {
        let operation = &spec["paths"][&path][method.to_lowercase()];
        let secured = operation["security"]
            .as_array()
            .is_some_and(|s| !s.is_empty());
        assert_eq!(secured, !open.contains(&path.as_str()), "{method} {path}");
        if secured {
            assert!(operation["responses"]["401"].is_object(), "{method} {path}");
        }
        assert!(
            operation["tags"][0].is_string(),
            "{method} {path} has no tag"
        );
    }
}
