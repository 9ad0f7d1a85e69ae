//! `GET /v1/shared-views/{id}`: a shared view as JSON, for the partner organisation that
//! holds it and for the sharing organisation's coordinators (what was sent). Anyone else is
//! answered as for a document that does not exist.

use actix_web::{get, web, HttpResponse};
use casesync_contract::sharing::SharedViewDocument;
use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;
use casesync_schema::directory::documents;

use crate::auth::Caller;
use crate::domain::audit::{record, Actor, AuditAction, AuditEvent};
use crate::domain::shared_views::may_read_view;
use crate::error::ApiError;
use crate::state::AppState;

#[get("/v1/shared-views/{id}")]
pub async fn get_shared_view(
    caller: Caller,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let view = web::block(move || -> Result<SharedViewDocument, ApiError> {
        let id: DocumentId = path.parse().map_err(|_| ApiError::not_found())?;
        {
            let mut conn = state.db()?;
            let row = documents::find(&mut conn, &id)?
                .filter(|row| row.kind() == Some(DocumentKind::SharedView))
                .ok_or_else(ApiError::not_found)?;
            if !may_read_view(&mut conn, &caller, &row)? {
                return Err(ApiError::not_found());
            }
        }
        record(
            &state,
            &Actor::device(&caller),
            AuditEvent::new(AuditAction::CaseRead)
                .case(&id, &caller.organisation_id)
                .detail(serde_json::json!({ "view": "shared_view" })),
        )?;
        state
            .engine
            .read(&id, |doc| autosurgeon::hydrate::<_, SharedViewDocument>(doc))?
            .ok_or_else(ApiError::not_found)?
            .map_err(ApiError::internal)
    })
    .await??;
    Ok(HttpResponse::Ok().json(view))
}
