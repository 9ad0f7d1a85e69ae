use actix_web::{post, web, HttpResponse};
use casesync_contract::wire::SetRetention;

use crate::auth::Caller;
use crate::domain::gdpr::retention;
use crate::error::ApiError;
use crate::state::AppState;

/// `POST /v1/cases/{id}/retention`: set the case's retention class.
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
