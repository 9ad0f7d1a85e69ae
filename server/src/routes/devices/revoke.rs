use actix_web::{post, web, HttpResponse};

use crate::auth::Caller;
use crate::domain::access::devices;
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// `POST /v1/devices/{id}/revoke`: the device's token is refused from now on, and its live
/// sessions close.
#[utoipa::path(
    tag = "devices",
    params(("id", description = "Device id")),
    responses(
        (status = 204, description = "The token is refused from now on"),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 404, response = errors::NotFound),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[post("/v1/devices/{id}/revoke")]
pub async fn revoke_device(
    caller: Caller,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    web::block(move || devices::revoke(&state, &caller, &path)).await??;
    Ok(HttpResponse::NoContent().finish())
}
