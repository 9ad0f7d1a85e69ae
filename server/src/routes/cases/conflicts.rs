use actix_web::{get, web, HttpResponse};
use casesync_contract::views::profile_conflicts;
use casesync_contract::wire::Conflicts;

use super::{readable_case, receipts};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// `GET /v1/cases/{id}/conflicts`: profile fields holding concurrent values.
#[utoipa::path(
    tag = "cases",
    params(("id", description = "The case's document id, or its `automerge:` URL")),
    responses(
        (
            status = 200,
            description = "Profile registers holding concurrent values",
            body = Conflicts
        ),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 404, response = errors::NotFound),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[get("/v1/cases/{id}/conflicts")]
pub async fn get_conflicts(
    caller: Caller,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = web::block(move || -> Result<Conflicts, ApiError> {
        let id = readable_case(&state, &caller, &path, "conflicts")?;
        let receipts = receipts(&state, &id)?;
        let conflicts = state
            .engine
            .read(&id, |doc| profile_conflicts(doc, &receipts))?
            .ok_or_else(ApiError::not_found)?;
        Ok(Conflicts { id, conflicts })
    })
    .await??;
    Ok(HttpResponse::Ok().json(body))
}
