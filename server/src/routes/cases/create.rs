use actix_web::{post, web, HttpResponse};
use casesync_contract::wire::{CreateCase, CreatedCase};

use casesync_contract::{DocumentId, Role};
use casesync_schema::access::assignments::{self, AssignmentReason};

use crate::auth::Caller;
use crate::domain::audit::{record, Actor, AuditAction, AuditEvent};
use crate::domain::cases::create_case as open_case;
use crate::domain::error::DomainError;
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// `POST /v1/cases`: open a case from a JSON profile.
#[utoipa::path(
    tag = "cases",
    request_body = CreateCase,
    responses(
        (status = 201, description = "The case is open", body = CreatedCase),
        (status = 400, response = errors::BadRequest),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 415, response = errors::UnsupportedMediaType),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[post("/v1/cases")]
pub async fn create_case(
    caller: Caller,
    body: web::Json<CreateCase>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let created = web::block(move || -> Result<_, ApiError> {
        let created = open_case(&state, &caller, body.into_inner())?;
        opened_by(&state, &caller, &created.id)?;
        Ok(created)
    })
    .await??;
    Ok(HttpResponse::Created().json(created))
}

/// The opener keeps the case when their scope is what they are assigned, and the opening
/// is recorded against them (the engine saw the server write it).
fn opened_by(state: &AppState, caller: &Caller, id: &DocumentId) -> Result<(), DomainError> {
    if matches!(caller.role, Role::OutreachWorker | Role::Caseworker) {
        let mut conn = state.db()?;
        assignments::assign(
            &mut conn,
            &id.to_string(),
            &caller.user_id,
            AssignmentReason::Creator,
            &caller.user_id,
            state.now(),
        )?;
    }
    record(
        state,
        &Actor::device(caller),
        AuditEvent::new(AuditAction::CaseCreated).case(id, &caller.organisation_id),
    )
}
