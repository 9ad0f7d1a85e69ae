use actix_web::{get, web, HttpResponse};
use casesync_contract::wire::DeviceList;

use crate::auth::Caller;
use crate::domain::access::devices;
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// `GET /v1/devices`: the devices of the caller's organisation and their state.
#[utoipa::path(
    tag = "devices",
    responses(
        (
            status = 200,
            description = "The organisation's devices and their state",
            body = DeviceList
        ),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[get("/v1/devices")]
pub async fn list_devices(
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let list = web::block(move || devices::list(&state, &caller)).await??;
    Ok(HttpResponse::Ok().json(list))
}
