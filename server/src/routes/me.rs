//! `GET /v1/me`: the device's own view of itself and its user; `me/language.rs` sets the
//! user's language.

pub mod language;

use actix_web::{get, web, HttpResponse};
use serde::Serialize;

use crate::auth::SyncCaller;
use crate::domain::caseload;
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// Who the device is, and the `automerge:` URL of its caseload document: what an
/// automerge-repo client syncs to learn which cases and alerts to hold.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    device_id: String,
    device_name: String,
    user_id: String,
    user_name: String,
    role: String,
    organisation_id: String,
    site_id: Option<String>,
    /// The `automerge:` URL of the caseload document: sync it, hold what it lists.
    caseload_url: String,
    /// The device was reported lost: erase all case data and stop syncing.
    wipe: bool,
    /// The language the user reads (their choice, else their site's country's language,
    /// else English): render alert keys (`message_key`) and checklist steps in it with the
    /// contract's catalogue. Set it with `PUT /v1/me/language`.
    language: casesync_contract::i18n::Language,
}

/// `GET /v1/me`: who the device is, and where its caseload is.
#[utoipa::path(
    tag = "sync",
    responses(
        (status = 200, description = "The device, its user and its caseload document", body = Me),
        (status = 401, response = errors::Unauthorized),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[get("/v1/me")]
pub async fn me(caller: SyncCaller, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let body = web::block(move || -> Result<Me, ApiError> {
        let id = caseload::refresh(&state, &caller)?;
        let language = language_of(&state, &caller.user_id)?;
        Ok(Me {
            device_id: caller.device_id.clone(),
            device_name: caller.device_name.clone(),
            user_id: caller.user_id.clone(),
            user_name: caller.user_name.clone(),
            role: caller.role.to_string(),
            organisation_id: caller.organisation_id.clone(),
            site_id: caller.site_id.clone(),
            caseload_url: id.url(),
            wipe: caller.wipe_requested,
            language,
        })
    })
    .await??;
    Ok(HttpResponse::Ok().json(body))
}

/// The language a user reads (their choice, else their site's country's). Blocking.
pub fn language_of(
    state: &AppState,
    user_id: &str,
) -> Result<casesync_contract::i18n::Language, ApiError> {
    let mut conn = state.db()?;
    let user = casesync_schema::directory::users::find(&mut conn, user_id)?;
    Ok(casesync_schema::directory::users::language(
        &mut conn, &user,
    )?)
}
