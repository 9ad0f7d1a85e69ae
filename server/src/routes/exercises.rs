//! `GET /v1/exercises/{id}/report`: a training exercise's after-action report as JSON, for
//! the coordinators and organisation admins of its training organisation.

use actix_web::{get, web, HttpResponse};

use crate::auth::Caller;
use crate::domain::exercises::report::{report_for, Report};
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// `GET /v1/exercises/{id}/report`
#[utoipa::path(
    tag = "exercises",
    params(("id", description = "The exercise's id (`casesync exercise start` prints it)")),
    responses(
        (status = 200, description = "The after-action report, times in scenario minutes", body = Report),
        (status = 401, response = errors::Unauthorized),
        (status = 404, response = errors::NotFound),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[get("/v1/exercises/{id}/report")]
pub async fn get_report(
    caller: Caller,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let report = web::block(move || report_for(&state, &caller.0, &path)).await??;
    Ok(HttpResponse::Ok().json(report))
}
