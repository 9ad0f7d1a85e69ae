use actix_web::{delete, post, web, HttpResponse};
use casesync_contract::wire::AssignCase;

use crate::auth::Caller;
use crate::domain::access::assignments;
use crate::error::ApiError;
use crate::state::AppState;

/// `POST /v1/cases/{id}/assignments`: a coordinator assigns the case to a user.
#[post("/v1/cases/{id}/assignments")]
pub async fn assign_case(
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<AssignCase>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let assignment =
        web::block(move || assignments::assign(&state, &caller, &path, body.into_inner()))
            .await??;
    Ok(HttpResponse::Created().json(assignment))
}

/// `DELETE /v1/cases/{id}/assignments/{user}`: takes the case off the user's devices.
#[delete("/v1/cases/{id}/assignments/{user}")]
pub async fn unassign_case(
    caller: Caller,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (case, user) = path.into_inner();
    web::block(move || assignments::unassign(&state, &caller, &case, &user)).await??;
    Ok(HttpResponse::NoContent().finish())
}
