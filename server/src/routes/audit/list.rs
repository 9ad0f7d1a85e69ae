use actix_web::{get, web, HttpResponse};

use crate::auth::Caller;
use crate::domain::audit_view;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(serde::Deserialize)]
pub struct AuditParams {
    /// Only entries about this case (who saw it and when).
    case: Option<String>,
    /// Entries numbered after this one.
    #[serde(default)]
    after: i64,
    limit: Option<i64>,
}

/// `GET /v1/audit?case=ID&after=SEQ&limit=N`: audit entries of the auditor's organisation.
#[get("/v1/audit")]
pub async fn list_audit(
    caller: Caller,
    query: web::Query<AuditParams>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let list =
        web::block(move || audit_view::list(&state, &caller, q.case.as_deref(), q.after, q.limit))
            .await??;
    Ok(HttpResponse::Ok().json(list))
}
