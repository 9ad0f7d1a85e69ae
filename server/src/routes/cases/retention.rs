use actix_web::{post, web, HttpResponse};
use casesync_contract::wire::{RetentionState, SetRetention};

use crate::auth::Caller;
use crate::domain::gdpr::retention;
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// `POST /v1/cases/{id}/retention`: set the case's retention class.
#[utoipa::path(
    tag = "cases",
    params(("id", description = "The case's document id, or its `automerge:` URL")),
    request_body = SetRetention,
    responses(
        (status = 200, description = "The case's retention class", body = RetentionState),
        (status = 400, response = errors::BadRequest),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 404, response = errors::NotFound),
        (status = 415, response = errors::UnsupportedMediaType),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[post("/v1/cases/{id}/retention")]
pub async fn set_retention(
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<SetRetention>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let set = web::block(move || retention::set_class(&state, &caller, &path, body.into_inner()))
        .await??;
    Ok(HttpResponse::Ok().json(set))
}
