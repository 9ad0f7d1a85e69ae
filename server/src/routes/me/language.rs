//! `PUT /v1/me/language`: the language the device's user reads. Their phones render alerts
//! and checklists in it (the alert documents carry keys, `message_key`), and the pages follow
//! it when the same person signs in.

use actix_web::{put, web, HttpResponse};
use casesync_contract::i18n::Language;
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;

/// The user's language: `en`, `nl`, `fr`, `el` or `it`.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
pub struct LanguageSetting {
    pub language: Language,
}

/// `PUT /v1/me/language`: sets the language of the device's user.
#[utoipa::path(
    tag = "sync",
    request_body = LanguageSetting,
    responses(
        (status = 200, description = "The language as stored", body = LanguageSetting),
        (status = 400, response = errors::BadRequest),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 415, response = errors::UnsupportedMediaType),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[put("/v1/me/language")]
pub async fn put_language(
    caller: Caller,
    body: web::Json<LanguageSetting>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let language = body.into_inner().language;
    web::block(move || -> Result<(), ApiError> {
        let mut conn = state.db()?;
        casesync_schema::directory::users::set_language(&mut conn, &caller.user_id, language)?;
        Ok(())
    })
    .await??;
    Ok(HttpResponse::Ok().json(LanguageSetting { language }))
}
