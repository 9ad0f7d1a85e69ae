//! `GET /v1/openapi.json`: the OpenAPI 3.1 description of the HTTP API, generated from the
//! handlers (`#[utoipa::path]` beside each route's own `#[get(...)]`, whose path it reads)
//! and the contract's wire types. `coverage_tests` fails when a route is missing from it.
//! It describes and holds no data, so it needs no token.

mod embed;
pub mod errors;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod coverage_tests;

use std::sync::OnceLock;

use actix_web::{get, HttpResponse};
use casesync_contract::errors::ErrorBody;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{
    alerts, audit, blobs, cases, devices, enrol, exercises, health, me, shared_views, sync,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "casesync",
        description = "The HTTP API of a casesync server (docs/wire-protocol.md says the same for \
            people). Every error, of every route, is an `ErrorBody`; beside the statuses each \
            route lists, any request may be answered `400 invalid_request` (a control \
            character in the path), `408 request_timeout`, `414 uri_too_long` or \
            `503 unavailable`. Routes with a `bearer` requirement take a device token \
            (`Authorization: Bearer`), and refuse a `token` query parameter except on \
            `GET /v1/sync/ws`."
    ),
    paths(
        health::healthz,
        health::readyz,
        health::metrics,
        openapi_json,
        sync::batch::post_sync,
        crate::ws::sync_socket,
        me::me,
        me::language::put_language,
        alerts::get_alerts,
        alerts::get_rules,
        alerts::put_rules,
        blobs::upload_status::get_upload,
        blobs::upload_part::put_part,
        blobs::upload_start::start_upload,
        blobs::put::put_blob,
        blobs::get::get_blob,
        blobs::preview::get_preview,
        cases::create::create_case,
        cases::list::list_cases,
        cases::get::get_case,
        cases::timeline::get_timeline,
        cases::conflicts::get_conflicts,
        cases::missing_pack::get_missing_pack,
        cases::assignments::assign_case,
        cases::assignments::unassign_case,
        cases::shares::share_case,
        cases::shares::withdraw_share,
        shared_views::get_shared_view,
        exercises::get_report,
        cases::export::export_case,
        cases::erase::erase_case,
        cases::legal_hold::place_hold,
        cases::legal_hold::release_hold,
        cases::retention::set_retention,
        devices::list::list_devices,
        devices::revoke::revoke_device,
        devices::wipe::wipe_device,
        enrol::create_code::create_enrolment_code,
        enrol::redeem::enrol_device,
        audit::list::list_audit,
    ),
    components(
        schemas(ErrorBody),
        responses(
            errors::BadRequest,
            errors::Unauthorized,
            errors::Forbidden,
            errors::NotFound,
            errors::RequestTimeout,
            errors::Conflict,
            errors::PayloadTooLarge,
            errors::UnsupportedMediaType,
            errors::RangeNotSatisfiable,
            errors::TooManyRequests,
            errors::Internal,
            errors::Unavailable,
        )
    ),
    modifiers(&Tokens),
    tags(
        (
            name = "sync",
            description = "Batch sync (CBOR or JSON), the WebSocket, the device's caseload"
        ),
        (name = "cases", description = "The case API for coordinators and tools; data protection"),
        (name = "shares", description = "Sharing a case with another organisation; shared views"),
        (name = "blobs", description = "Photos and scanned documents, named by their SHA-256"),
        (name = "alerts", description = "Alerts and the organisation's escalation rules"),
        (name = "devices", description = "The organisation's devices: list, revoke, wipe"),
        (name = "enrolment", description = "One-time codes a phone exchanges for its token"),
        (name = "audit", description = "The audit trail, for auditors"),
        (
            name = "health",
            description = "The service: liveness, readiness, figures, this description"
        ),
    )
)]
pub struct ApiDoc;

/// The two ways a device token arrives: the header everywhere, the query on the socket only.
struct Tokens;

impl Modify for Tokens {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A device token, from enrolment (`POST /v1/enrol`) or `casesync admin \
                         device add`",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "query_token",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "token",
                "The device token as `?token=`, for browser WebSockets, which cannot set \
                 headers; only `GET /v1/sync/ws` accepts it",
            ))),
        );
    }
}

/// The document as served: generated once, with the contract's document schemas embedded.
pub fn document() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        // Serialising plain data cannot fail; should it, the tests see an empty document.
        let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
        embed::contract_documents(&mut doc);
        distinct_operation_ids(&mut doc);
        doc.to_string()
    })
}

/// One handler serving two methods (`GET` and `HEAD /v1/blobs/uploads/{id}`) gives both
/// operations its name; OpenAPI wants operation ids unique, so all but `get` take the method
/// as a suffix.
fn distinct_operation_ids(doc: &mut serde_json::Value) {
    let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) else {
        return;
    };
    for item in paths.values_mut().filter_map(|item| item.as_object_mut()) {
        let Some(get_id) = item.get("get").and_then(|get| get["operationId"].as_str()) else {
            continue;
        };
        let get_id = get_id.to_string();
        for (method, operation) in item.iter_mut().filter(|(method, _)| *method != "get") {
            let Some(operation) = operation.as_object_mut() else {
                continue;
            };
            if operation.get("operationId").and_then(|id| id.as_str()) == Some(&get_id) {
                operation.insert("operationId".into(), format!("{get_id}_{method}").into());
            }
        }
    }
}

/// `GET /v1/openapi.json`: this API's OpenAPI 3.1 description.
#[utoipa::path(
    tag = "health",
    responses(
        (
            status = 200,
            description = "The OpenAPI 3.1 document",
            content_type = "application/json",
            body = Object
        )
    )
)]
#[get("/v1/openapi.json")]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document())
}
