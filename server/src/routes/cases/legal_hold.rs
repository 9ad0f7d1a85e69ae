use actix_web::{delete, post, web, HttpResponse};
use casesync_contract::wire::PlaceLegalHold;

use crate::auth::Caller;
use crate::domain::gdpr::holds;
use crate::error::ApiError;
use crate::state::AppState;

/// `POST /v1/cases/{id}/legal-hold`: keep the case from erasure and expiry.
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
#[delete("/v1/cases/{id}/legal-hold")]
pub async fn release_hold(
    caller: Caller,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let hold = web::block(move || holds::release(&state, &caller, &path)).await??;
    Ok(HttpResponse::Ok().json(hold))
}
