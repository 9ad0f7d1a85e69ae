use actix_web::{get, web, HttpResponse};
use casesync_contract::errors::ErrorCode;

use crate::auth::Caller;
use crate::domain::gdpr::export::SubjectAccessExport;
use crate::domain::gdpr::{export, export_html};
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `json` (the default) or `html`, a readable page.
    format: Option<String>,
}

/// `GET /v1/cases/{id}/export[?format=html]`: subject access export, as JSON or a page.
#[utoipa::path(
    tag = "cases",
    params(("id", description = "The case's document id, or its `automerge:` URL"), ExportQuery),
    responses(
        (
            status = 200,
            description = "Everything held about the child, as JSON or (`format=html`) a page",
            content((SubjectAccessExport = "application/json"), ("text/html"))
        ),
        (status = 400, response = errors::BadRequest),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 404, response = errors::NotFound),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[get("/v1/cases/{id}/export")]
pub async fn export_case(
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<ExportQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let format = query.into_inner().format.unwrap_or_else(|| "json".into());
    let html = match format.as_str() {
        "json" => false,
        "html" => true,
        _ => {
            return Err(ApiError::new(
                ErrorCode::InvalidRequest,
                "format must be json or html",
            ))
        }
    };
    let (export, language) = web::block(move || {
        let export = export::export_case(&state, &caller, &path, &format)?;
        let language = crate::routes::me::language_of(&state, &caller.user_id)?;
        Ok::<_, ApiError>((export, language))
    })
    .await??;
    if html {
        return Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(export_html::render(&export, language)));
    }
    Ok(HttpResponse::Ok().json(export))
}
