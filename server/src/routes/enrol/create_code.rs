use actix_web::{post, web, HttpRequest, HttpResponse};
use casesync_contract::wire::{CreateEnrolmentCode, EnrolmentCode};

use crate::auth::Caller;
use crate::domain::enrolment;
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// `POST /v1/enrolments`: a one-time enrolment code for a user, with its QR code.
#[utoipa::path(
    tag = "enrolment",
    request_body = CreateEnrolmentCode,
    responses(
        (
            status = 201,
            description = "A one-time code, shown once, with its QR code",
            body = EnrolmentCode
        ),
        (status = 400, response = errors::BadRequest),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 404, response = errors::NotFound),
        (status = 415, response = errors::UnsupportedMediaType),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[post("/v1/enrolments")]
pub async fn create_enrolment_code(
    req: HttpRequest,
    caller: Caller,
    body: web::Json<CreateEnrolmentCode>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let server_url = match state.config.access.public_url.as_str() {
        "" => {
            let info = req.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        }
        configured => configured.to_string(),
    };
    let code =
        web::block(move || enrolment::create_code(&state, &caller, body.into_inner(), &server_url))
            .await??;
    Ok(HttpResponse::Created().json(code))
}
