//! Alerts for coordinators: `GET /v1/alerts` (open only unless `?all=true`), and the
//! organisation's escalation rules (`GET`/`PUT /v1/alert-rules`).

use actix_web::{get, put, web, HttpResponse};
use casesync_contract::alerts::AlertList;
use casesync_contract::Role;
use serde::Deserialize;

use crate::auth::Caller;
use crate::domain::alerts::list::watched_alerts;
use crate::domain::alerts::rules::{rules_for, EscalationRules};
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertQuery {
    /// Include stood-down alerts too (default: open ones only).
    #[serde(default)]
    all: bool,
}

fn may_watch_alerts(caller: &Caller) -> Result<(), ApiError> {
    match caller.role {
        Role::Coordinator | Role::Caseworker => Ok(()),
        other => Err(ApiError::forbidden(format!(
            "a {other} does not follow the alerts board"
        ))),
    }
}

/// `GET /v1/alerts`: the organisation's alerts, for coordinators and caseworkers.
#[utoipa::path(
    tag = "alerts",
    params(AlertQuery),
    responses(
        (
            status = 200,
            description = "The organisation's alerts with their deliveries, newest first",
            body = AlertList
        ),
        (status = 400, response = errors::BadRequest),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[get("/v1/alerts")]
pub async fn get_alerts(
    caller: Caller,
    query: web::Query<AlertQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    may_watch_alerts(&caller)?;
    let list = web::block(move || watched_alerts(&state, &caller, !query.all, "alerts")).await??;
    Ok(HttpResponse::Ok().json(list))
}

/// Who follows the alerts reads the rules; who sets them reads them too.
#[utoipa::path(
    tag = "alerts",
    responses(
        (status = 200, description = "The organisation's escalation rules", body = EscalationRules),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[get("/v1/alert-rules")]
pub async fn get_rules(
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if caller.role != Role::OrgAdmin {
        may_watch_alerts(&caller)?;
    }
    let rules = web::block(move || rules_for(&state, &caller.organisation_id)).await??;
    Ok(HttpResponse::Ok().json(rules))
}

/// Coordinators and org admins set their organisation's rules.
#[utoipa::path(
    tag = "alerts",
    request_body = EscalationRules,
    responses(
        (status = 200, description = "The rules as stored", body = EscalationRules),
        (status = 400, response = errors::BadRequest),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 415, response = errors::UnsupportedMediaType),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[put("/v1/alert-rules")]
pub async fn put_rules(
    caller: Caller,
    body: web::Json<EscalationRules>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if !matches!(caller.role, Role::Coordinator | Role::OrgAdmin) {
        return Err(ApiError::forbidden(
            "only coordinators and org admins set escalation rules",
        ));
    }
    let rules = body.into_inner();
    rules.check()?;
    let json = serde_json::to_string(&rules).map_err(ApiError::internal)?;
    web::block(move || -> Result<(), ApiError> {
        let mut conn = state.db()?;
        casesync_schema::alerts::set_rules(&mut conn, &caller.organisation_id, &json, state.now())?;
        Ok(())
    })
    .await??;
    Ok(HttpResponse::Ok().json(rules))
}
