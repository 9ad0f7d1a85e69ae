use actix_web::{delete, post, web, HttpResponse};
use casesync_contract::wire::{CaseShare, ShareCase};

use crate::auth::Caller;
use crate::domain::access::shares;
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// `POST /v1/cases/{id}/shares`: share the case with another organisation, on a legal
/// basis, for named data categories.
#[utoipa::path(
    tag = "shares",
    params(("id", description = "The case's document id, or its `automerge:` URL")),
    request_body = ShareCase,
    responses(
        (
            status = 201,
            description = "The share, with the view the partner holds",
            body = CaseShare
        ),
        (status = 400, response = errors::BadRequest),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 404, response = errors::NotFound),
        (status = 415, response = errors::UnsupportedMediaType),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[post("/v1/cases/{id}/shares")]
pub async fn share_case(
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<ShareCase>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let share =
        web::block(move || shares::share(&state, &caller, &path, body.into_inner())).await??;
    Ok(HttpResponse::Created().json(share))
}

/// `DELETE /v1/cases/{id}/shares/{share}`: withdraw a share (the record stays).
#[utoipa::path(
    tag = "shares",
    params(
        ("id", description = "The case's document id, or its `automerge:` URL"),
        ("share", description = "Share id")
    ),
    responses(
        (status = 200, description = "The share, withdrawn (the record stays)", body = CaseShare),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 404, response = errors::NotFound),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[delete("/v1/cases/{id}/shares/{share}")]
pub async fn withdraw_share(
    caller: Caller,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (case, share) = path.into_inner();
    let withdrawn = web::block(move || shares::withdraw(&state, &caller, &case, &share)).await??;
    Ok(HttpResponse::Ok().json(withdrawn))
}
