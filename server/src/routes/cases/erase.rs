use actix_web::{delete, web, HttpResponse};

use crate::auth::Caller;
use crate::domain::gdpr::erase::erase_on_request;
use crate::error::ApiError;
use crate::state::AppState;

/// `DELETE /v1/cases/{id}`: erase a case (409 `legal_hold` while a hold stands).
#[delete("/v1/cases/{id}")]
pub async fn erase_case(
    caller: Caller,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let erased = web::block(move || erase_on_request(&state, &caller, &path)).await??;
    Ok(HttpResponse::Ok().json(erased))
}
