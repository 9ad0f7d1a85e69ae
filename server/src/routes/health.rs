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
