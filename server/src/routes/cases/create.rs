use actix_web::{post, web, HttpResponse};
use casesync_contract::wire::CreateCase;

use crate::auth::Caller;
use crate::domain::cases::create_case as open_case;
use crate::error::ApiError;
use crate::state::AppState;

/// `POST /v1/cases`: open a case from a JSON profile.
#[post("/v1/cases")]
pub async fn create_case(
    caller: Caller,
    body: web::Json<CreateCase>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let created = web::block(move || open_case(&state, &caller, body.into_inner())).await??;
    Ok(HttpResponse::Created().json(created))
}
