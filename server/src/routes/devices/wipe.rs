use actix_web::{post, web, HttpResponse};

use crate::auth::Caller;
use crate::domain::access::devices;
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// `POST /v1/devices/{id}/wipe`: revoke, and order the device to erase its case data at its
/// next contact (batch reply or caseload document).
#[utoipa::path(
    tag = "devices",
    params(("id", description = "Device id")),
    responses(
        (
            status = 202,
            description = "Revoked; the order is delivered at the device's next contact"
        ),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 404, response = errors::NotFound),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[post("/v1/devices/{id}/wipe")]
pub async fn wipe_device(
    caller: Caller,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    web::block(move || devices::wipe(&state, &caller, &path)).await??;
    Ok(HttpResponse::Accepted().finish())
}
