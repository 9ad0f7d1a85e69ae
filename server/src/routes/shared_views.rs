//! `GET /v1/shared-views/{id}`: a shared view as JSON, for those who hold it and for the
//! sharing organisation's coordinators (what was sent). Anyone else is answered as for a
//! document that does not exist.

use actix_web::{get, web, HttpResponse};

use crate::auth::Caller;
use crate::domain::shared_views::read_view;
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// `GET /v1/shared-views/{id}`: a shared view as JSON, audited as a read.
#[utoipa::path(
    tag = "shares",
    params(("id", description = "The shared view's document id")),
    responses(
        (
            status = 200,
            description = "The shared view (shape: mobile-contract/docs/shared-view.schema.json)",
            body = ref("#/components/schemas/SharedViewDocument")
        ),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 404, response = errors::NotFound),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[get("/v1/shared-views/{id}")]
pub async fn get_shared_view(
    caller: Caller,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (_, view) = web::block(move || read_view(&state, &caller, &path, "api")).await??;
    Ok(HttpResponse::Ok().json(view))
}
