use actix_web::{delete, post, web, HttpResponse};
use casesync_contract::wire::{AssignCase, CaseAssignment};

use crate::auth::Caller;
use crate::domain::access::assignments;
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// `POST /v1/cases/{id}/assignments`: a coordinator assigns the case to a user.
#[utoipa::path(
    tag = "cases",
    params(("id", description = "The case's document id, or its `automerge:` URL")),
    request_body = AssignCase,
    responses(
        (status = 201, description = "The case is assigned", body = CaseAssignment),
        (status = 400, response = errors::BadRequest),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 404, response = errors::NotFound),
        (status = 415, response = errors::UnsupportedMediaType),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[post("/v1/cases/{id}/assignments")]
pub async fn assign_case(
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<AssignCase>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let assignment =
        web::block(move || assignments::assign(&state, &caller, &path, body.into_inner()))
            .await??;
    Ok(HttpResponse::Created().json(assignment))
}

/// `DELETE /v1/cases/{id}/assignments/{user}`: takes the case off the user's devices.
#[utoipa::path(
    tag = "cases",
    params(
        ("id", description = "The case's document id, or its `automerge:` URL"),
        ("user", description = "User id")
    ),
    responses(
        (status = 204, description = "The case is off the user's devices"),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 404, response = errors::NotFound),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[delete("/v1/cases/{id}/assignments/{user}")]
pub async fn unassign_case(
    caller: Caller,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (case, user) = path.into_inner();
    web::block(move || assignments::unassign(&state, &caller, &case, &user)).await??;
    Ok(HttpResponse::NoContent().finish())
}
