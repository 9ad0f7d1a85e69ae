use actix_web::{get, web, HttpResponse};
use casesync_contract::errors::ErrorCode;

use crate::auth::Caller;
use crate::domain::gdpr::{export, export_html};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(serde::Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
}

/// `GET /v1/cases/{id}/export[?format=html]`: subject access export, as JSON or a page.
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
    let export = web::block(move || export::export_case(&state, &caller, &path, &format)).await??;
    if html {
        return Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(export_html::render(&export)));
    }
    Ok(HttpResponse::Ok().json(export))
}
