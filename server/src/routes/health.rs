use actix_web::{get, web, HttpResponse};
use serde::Serialize;

use crate::state::AppState;

/// What `/healthz` and `/readyz` answer: `ok` or `ready`, else what is wrong.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Probe {
    /// `ok`, `database unavailable` (`/healthz`); `ready`, `not ready` (`/readyz`).
    status: &'static str,
    /// Why the instance is not ready (`/readyz` only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    problems: Vec<String>,
}

impl Probe {
    fn new(status: &'static str, problems: Vec<String>) -> Self {
        Self { status, problems }
    }
}

/// The server's root leads people to the pages (their sign-in when signed out).
#[get("/")]
pub async fn root() -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, "/web/"))
        .finish()
}

/// Liveness and database reachability; needs no token.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Alive, the database reachable", body = Probe),
        (status = 503, description = "The database is unreachable", body = Probe)
    )
)]
#[get("/healthz")]
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let ok = web::block(move || state.db().is_ok())
        .await
        .unwrap_or(false);
    if ok {
        HttpResponse::Ok().json(Probe::new("ok", vec![]))
    } else {
        HttpResponse::ServiceUnavailable().json(Probe::new("database unavailable", vec![]))
    }
}

/// Readiness, for load balancers and orchestrators: the database answers and its migrations
/// are those of this build, and the blob store answers (a read of an object that does not
/// exist: "not found" is an answer, a refused connection or bad credentials are not).
/// Liveness (`/healthz`) stays separate: a live instance whose store is unreachable should
/// be taken out of rotation, not restarted. Needs no token and says nothing about any case.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Ready for traffic", body = Probe),
        (
            status = 503,
            description = "Not ready: take the instance out of rotation (`problems` says why)",
            body = Probe
        )
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let db = state.clone();
    let database = web::block(move || -> Result<(), String> {
        let mut conn = db.db().map_err(|_| "database unavailable".to_string())?;
        match casesync_schema::connection::migrations_current(&mut conn) {
            Ok(true) => Ok(()),
            Ok(false) => Err("database migrations pending".to_string()),
            Err(_) => Err("database migrations unreadable".to_string()),
        }
    })
    .await
    .unwrap_or_else(|_| Err("database check failed".to_string()));
    let blobs = match state.blobs.store.get("readyz/probe").await {
        Ok(_) => Ok(()),
        Err(crate::blobs::store::StoreError::Io(object_store::Error::NotFound { .. })) => Ok(()),
        Err(_) => Err("blob store unavailable".to_string()),
    };
    let erasures = if state
        .erasures_applied
        .load(std::sync::atomic::Ordering::SeqCst)
    {
        Ok(())
    } else {
        Err("erasure ledger not yet re-applied".to_string())
    };
    let problems: Vec<String> = [database, blobs, erasures]
        .into_iter()
        .filter_map(Result::err)
        .collect();
    if problems.is_empty() {
        HttpResponse::Ok().json(Probe::new("ready", problems))
    } else {
        HttpResponse::ServiceUnavailable().json(Probe::new("not ready", problems))
    }
}

/// Prometheus figures of this instance (gauges read now, and `crate::observe`'s counters and
/// histograms): counts only, nothing about any case or person, so it needs no token (like
/// `/healthz`; keep both off the public interface in production).
#[utoipa::path(
    tag = "health",
    responses(
        (
            status = 200,
            description = "Prometheus text exposition: counts only, nothing about any case",
            content_type = "text/plain; version=0.0.4",
            body = String
        )
    )
)]
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
    let db = state.clone();
    let (backlog, oldest_ms) = web::block(move || {
        let mut conn = db.db().ok()?;
        casesync_schema::outbox::backlog(&mut conn).ok()
    })
    .await
    .ok()
    .flatten()
    .unwrap_or((0, 0));
    let pool = state.pool.state();
    let gauges = gauges.into_iter().chain([
        (
            "casesync_outbox_backlog",
            "Documents whose derived work (alerts, summaries) is queued in the durable outbox.",
            backlog.max(0) as u64,
        ),
        (
            "casesync_outbox_oldest_ms",
            "Age of the oldest queued outbox work, in milliseconds.",
            oldest_ms.max(0) as u64,
        ),
        (
            "casesync_db_pool_connections",
            "Database connections this instance's pool holds open.",
            u64::from(pool.connections),
        ),
        (
            "casesync_db_pool_idle",
            "Of those, the idle ones (busy = connections - idle).",
            u64::from(pool.idle_connections),
        ),
    ]);
    let mut body = String::new();
    for (name, help, value) in gauges {
        body.push_str(&format!(
            "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}\n"
        ));
    }
    // Counters and histograms recorded where things happen (crate::observe).
    if let Some(handle) = crate::observe::handle() {
        body.push_str(&handle.render());
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
