use actix_web::{post, web, HttpResponse};

use crate::auth::Caller;
use crate::domain::access::devices;
use crate::error::ApiError;
use crate::state::AppState;

/// `POST /v1/devices/{id}/wipe`: revoke, and order the device to erase its case data at its
/// next contact (batch reply or caseload document).
#[post("/v1/devices/{id}/wipe")]
pub async fn wipe_device(
    caller: Caller,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    web::block(move || devices::wipe(&state, &caller, &path)).await??;
    Ok(HttpResponse::Accepted().finish())
}
