use actix_web::{delete, post, web, HttpResponse};
use casesync_contract::wire::ShareCase;

use crate::auth::Caller;
use crate::domain::access::shares;
use crate::error::ApiError;
use crate::state::AppState;

/// `POST /v1/cases/{id}/shares`: share the case with another organisation, on a legal
/// basis, for named data categories.
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
