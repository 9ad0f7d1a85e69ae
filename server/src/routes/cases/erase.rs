use actix_web::{delete, web, HttpResponse};
use casesync_contract::wire::CaseErased;

use crate::auth::Caller;
use crate::domain::gdpr::erase::erase_on_request;
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// `DELETE /v1/cases/{id}`: erase a case (409 `legal_hold` while a hold stands).
#[utoipa::path(
    tag = "cases",
    params(("id", description = "The case's document id, or its `automerge:` URL")),
    responses(
        (status = 200, description = "What erasure removed", body = CaseErased),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 404, response = errors::NotFound),
        (status = 409, response = errors::Conflict),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[delete("/v1/cases/{id}")]
pub async fn erase_case(
    caller: Caller,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let erased = web::block(move || erase_on_request(&state, &caller, &path)).await??;
    Ok(HttpResponse::Ok().json(erased))
}
