use actix_web::{delete, post, web, HttpResponse};
use casesync_contract::wire::{LegalHoldState, PlaceLegalHold};

use crate::auth::Caller;
use crate::domain::gdpr::holds;
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// `POST /v1/cases/{id}/legal-hold`: keep the case from erasure and expiry.
#[utoipa::path(
    tag = "cases",
    params(("id", description = "The case's document id, or its `automerge:` URL")),
    request_body = PlaceLegalHold,
    responses(
        (status = 200, description = "The hold in force", body = LegalHoldState),
        (status = 400, response = errors::BadRequest),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 404, response = errors::NotFound),
        (status = 415, response = errors::UnsupportedMediaType),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[post("/v1/cases/{id}/legal-hold")]
pub async fn place_hold(
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<PlaceLegalHold>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let hold =
        web::block(move || holds::place(&state, &caller, &path, body.into_inner())).await??;
    Ok(HttpResponse::Ok().json(hold))
}

/// `DELETE /v1/cases/{id}/legal-hold`: release the hold.
#[utoipa::path(
    tag = "cases",
    params(("id", description = "The case's document id, or its `automerge:` URL")),
    responses(
        (status = 200, description = "The case without a hold", body = LegalHoldState),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 404, response = errors::NotFound),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[delete("/v1/cases/{id}/legal-hold")]
pub async fn release_hold(
    caller: Caller,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let hold = web::block(move || holds::release(&state, &caller, &path)).await??;
    Ok(HttpResponse::Ok().json(hold))
}
