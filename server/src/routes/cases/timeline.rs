use actix_web::{get, web, HttpResponse};
use casesync_contract::case::read_case_causal;
use casesync_contract::views::timeline;
use casesync_contract::wire::Timeline;

use super::{readable_case, receipts};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// `GET /v1/cases/{id}/timeline`: every device's entries in observed-time order.
#[utoipa::path(
    tag = "cases",
    params(("id", description = "The case's document id, or its `automerge:` URL")),
    responses(
        (
            status = 200,
            description = "Every entry of every device in observed-time order",
            body = Timeline
        ),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 404, response = errors::NotFound),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[get("/v1/cases/{id}/timeline")]
pub async fn get_timeline(
    caller: Caller,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = web::block(move || -> Result<Timeline, ApiError> {
        let id = readable_case(&state, &caller, &path, "timeline")?;
        let receipts = receipts(&state, &id)?;
        let entries = state
            .engine
            .read(&id, |doc| {
                read_case_causal(doc)
                    .map(|case| timeline(doc, &case, &receipts))
                    .map_err(ApiError::internal)
            })?
            .ok_or_else(ApiError::not_found)??;
        Ok(Timeline { id, entries })
    })
    .await??;
    Ok(HttpResponse::Ok().json(body))
}
