use actix_web::{get, web, HttpResponse};

use crate::auth::Caller;
use crate::domain::access::devices;
use crate::error::ApiError;
use crate::state::AppState;

/// `GET /v1/devices`: the devices of the caller's organisation and their state.
#[get("/v1/devices")]
pub async fn list_devices(
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let list = web::block(move || devices::list(&state, &caller)).await??;
    Ok(HttpResponse::Ok().json(list))
}
