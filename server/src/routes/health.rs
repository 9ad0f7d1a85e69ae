use actix_web::{get, web, HttpResponse};

use crate::state::AppState;

/// Liveness and database reachability; needs no token.
#[get("/healthz")]
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let ok = web::block(move || state.db().is_ok())
        .await
        .unwrap_or(false);
    if ok {
        HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
    } else {
        HttpResponse::ServiceUnavailable()
            .json(serde_json::json!({"status": "database unavailable"}))
    }
}

/// Prometheus gauges of this instance: counts only, nothing about any case or person, so it
/// needs no token (like `/healthz`; keep both off the public interface in production).
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let gauges = [
        (
            "casesync_documents_loaded",
            "Documents held in memory by this instance (idle ones leave after idle_document_secs).",
            state.engine.loaded() as u64,
        ),
        (
            "casesync_projections_pending",
            "Documents whose derived state (summaries, alerts) is being recomputed.",
            state.projections.pending() as u64,
        ),
        (
            "casesync_resident_memory_bytes",
            "Resident memory of this process.",
            resident_bytes().unwrap_or(0),
        ),
    ];
    let mut body = String::new();
    for (name, help, value) in gauges {
        body.push_str(&format!(
            "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}\n"
        ));
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(body)
}

/// From `/proc/self/statm` (Linux): resident pages times the page size.
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}
