use actix_web::{post, web, HttpRequest, HttpResponse};
use casesync_contract::wire::{Enrol, Enrolled};

use crate::domain::enrolment;
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// `POST /v1/enrol`: a phone exchanges an enrolment code for its device token. No token
/// needed; rate-limited per client address and per code.
#[utoipa::path(
    tag = "enrolment",
    request_body = Enrol,
    responses(
        (status = 201, description = "The device and its token, shown once", body = Enrolled),
        (status = 400, response = errors::BadRequest),
        (status = 401, response = errors::Unauthorized),
        (status = 415, response = errors::UnsupportedMediaType),
        (status = 429, response = errors::TooManyRequests),
        (status = 500, response = errors::Internal)
    )
)]
#[post("/v1/enrol")]
pub async fn enrol_device(
    req: HttpRequest,
    body: web::Json<Enrol>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    // The peer address: behind a proxy every phone shares the proxy's, which makes the
    // limit stricter, never looser.
    let client = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    let enrolled =
        web::block(move || enrolment::redeem(&state, body.into_inner(), &client)).await??;
    Ok(HttpResponse::Created().json(enrolled))
}
