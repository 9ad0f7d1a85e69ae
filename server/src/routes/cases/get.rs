use actix_web::{get, web, HttpResponse};
use casesync_contract::case::read_case_causal;
use casesync_contract::views::{child_status, episode_view, profile_conflicts, NoReceipts};
use casesync_contract::wire::{case_reference, CaseDetail};

use super::readable_case;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// `GET /v1/cases/{id}`: the case as JSON, with its derived state.
#[utoipa::path(
    tag = "cases",
    params(("id", description = "The case's document id, or its `automerge:` URL")),
    responses(
        (status = 200, description = "The case document with its derived state", body = CaseDetail),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 404, response = errors::NotFound),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[get("/v1/cases/{id}")]
pub async fn get_case(
    caller: Caller,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let detail = web::block(move || -> Result<CaseDetail, ApiError> {
        let id = readable_case(&state, &caller, &path, "case")?;
        let detail = state
            .engine
            .read(&id, |doc| -> Result<CaseDetail, ApiError> {
                let case = read_case_causal(doc).map_err(ApiError::internal)?;
                let (status, _) = child_status(&case.episodes);
                Ok(CaseDetail {
                    id,
                    url: id.url(),
                    reference: case_reference(&id),
                    heads: doc.get_heads().iter().map(|h| h.to_string()).collect(),
                    status,
                    episodes: case.episodes.iter().filter_map(episode_view).collect(),
                    open_conflicts: profile_conflicts(doc, &NoReceipts).len(),
                    case,
                })
            })?
            .ok_or_else(ApiError::not_found)??;
        Ok(detail)
    })
    .await??;
    Ok(HttpResponse::Ok().json(detail))
}
