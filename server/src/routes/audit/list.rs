use actix_web::{get, web, HttpResponse};
use casesync_contract::wire::AuditList;

use crate::auth::Caller;
use crate::domain::audit_view;
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only entries about this case (who saw it and when).
    case: Option<String>,
    /// Entries numbered after this one.
    #[serde(default)]
    after: i64,
    /// At most this many entries (default 100, at most 1,000).
    limit: Option<i64>,
}

/// `GET /v1/audit?case=ID&after=SEQ&limit=N`: audit entries of the auditor's organisation.
#[utoipa::path(
    tag = "audit",
    params(AuditParams),
    responses(
        (
            status = 200,
            description = "A page of the organisation's audit entries",
            body = AuditList
        ),
        (status = 400, response = errors::BadRequest),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
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
