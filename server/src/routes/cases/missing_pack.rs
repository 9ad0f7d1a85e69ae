//! `GET /v1/cases/{id}/missing-pack[?format=html]`: the facts handed to police when a child
//! goes missing, as JSON or as a printable page with the photo embedded.
//!
//! Who may read it: whoever may read the case, and outreach workers for the active-missing
//! cases of their own site (`domain::scope::may_read_missing_pack`): they search for the
//! child without holding the case. Anything else answers 404 like an unknown case. Every
//! read is audited first; the printable page is recorded as an export, since it is made to
//! leave the system.

pub mod page;

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use casesync_contract::case::read_case_causal;
use casesync_contract::errors::ErrorCode;
use casesync_contract::i18n::Language;
use casesync_contract::views::flow::{flow, Flow};
use casesync_contract::views::{missing_pack_in, MissingPack};
use casesync_contract::wire::{case_reference, DocumentKind};
use casesync_schema::blobs::stored;
use casesync_schema::directory::{AuthenticatedDevice, DocumentRow};
use serde_json::json;

use crate::auth::Caller;
use crate::blobs::{preview, read, sniff};
use crate::domain::audit::{record, Actor, AuditAction, AuditEvent};
use crate::domain::scope::may_read_missing_pack;
use crate::error::ApiError;
use crate::routes::openapi::errors;
use crate::state::AppState;
use page::{PackPhotoEmbed, PageText};

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PackQuery {
    /// `json` (the default) or `html`, a printable page.
    format: Option<String>,
}

/// `GET /v1/cases/{id}/missing-pack`: the facts handed to police, as JSON or a page.
#[utoipa::path(
    tag = "cases",
    params(("id", description = "The case's document id, or its `automerge:` URL"), PackQuery),
    responses(
        (
            status = 200,
            description = "The missing pack: JSON, or with `format=html` a printable page \
                with the photo embedded",
            content((MissingPack = "application/json"), ("text/html"))
        ),
        (status = 400, response = errors::BadRequest),
        (status = 401, response = errors::Unauthorized),
        (status = 403, response = errors::Forbidden),
        (status = 404, response = errors::NotFound),
        (status = 500, response = errors::Internal)
    ),
    security(("bearer" = []))
)]
#[get("/v1/cases/{id}/missing-pack")]
pub async fn get_missing_pack(
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<PackQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let html = match query.into_inner().format.as_deref() {
        None | Some("json") => false,
        Some("html") => true,
        Some(_) => {
            return Err(ApiError::new(
                ErrorCode::InvalidRequest,
                "format must be json or html",
            ))
        }
    };
    let (reader, who) = (state.clone(), caller.clone());
    let (pack, row, flow, language) = web::block(move || {
        let language = crate::routes::me::language_of(&reader, &who.user_id)?;
        let printed_in = html.then_some(language);
        let (pack, row, flow) = readable_pack(&reader, &who, &path.into_inner(), printed_in)?;
        Ok::<_, ApiError>((pack, row, flow, language))
    })
    .await??;
    if !html {
        return Ok(HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "private, no-store"))
            .json(pack));
    }
    let photo = embedded_photo(&state, &row, &pack).await;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(page::render(
            &pack,
            &photo,
            &PageText::of(language),
            flow.as_ref()
                .map(|f| crate::web::flow_svg::draw(language, f))
                .as_deref(),
        )))
}

/// The pack of case `id` if the caller may read it, after recording the read. Blocking.
/// `printed_in`: the language of a printed pack (recorded as an export); `None` for the
/// JSON form, whose words are English.
pub fn readable_pack(
    state: &AppState,
    caller: &AuthenticatedDevice,
    id: &str,
    printed_in: Option<Language>,
) -> Result<(MissingPack, DocumentRow, Option<Flow>), ApiError> {
    let printable = printed_in.is_some();
    let id: casesync_contract::DocumentId = id.parse().map_err(|_| ApiError::not_found())?;
    let row = {
        let mut conn = state.db()?;
        may_read_missing_pack(&mut conn, caller, &id)?
            .filter(|row| row.kind() == Some(DocumentKind::Case) && row.deleted_at.is_none())
            .ok_or_else(ApiError::not_found)?
    };
    let (action, format) = if printable {
        (AuditAction::CaseExported, "html")
    } else {
        (AuditAction::CaseRead, "json")
    };
    record(
        state,
        &Actor::device(caller),
        AuditEvent::new(action)
            .case(&id, &row.organisation_id)
            .detail(json!({ "view": "missing_pack", "format": format })),
    )?;
    let now = state.now();
    // The printed pack carries the response flow's picture for the police.
    let (pack, flow) = state
        .engine
        .read(&id, |doc| {
            read_case_causal(doc)
                .map(|case| {
                    let language = printed_in.unwrap_or(Language::En);
                    let pack = missing_pack_in(&case, &case_reference(&id), now, language);
                    (pack, printable.then(|| flow(&case, now)).flatten())
                })
                .map_err(ApiError::internal)
        })?
        .ok_or_else(ApiError::not_found)??;
    Ok((pack, row, flow))
}

/// The pack's photo as a `data:` URI, so the printed page needs no second authenticated
/// request. The photo is the case's own (the pack names it), read from the blob of the
/// case's organisation. A photo not uploaded yet, or one no preview can be drawn from,
/// leaves the page printable without it and says why.
pub async fn embedded_photo(
    state: &AppState,
    row: &DocumentRow,
    pack: &MissingPack,
) -> PackPhotoEmbed {
    let Some(photo) = &pack.photo else {
        return PackPhotoEmbed::None;
    };
    let (db, organisation, sha256) = (
        state.clone(),
        row.organisation_id.clone(),
        photo.sha256.to_ascii_lowercase(),
    );
    let found = web::block(move || -> Result<_, ApiError> {
        let mut conn = db.db()?;
        Ok(stored::find(&mut conn, &organisation, &sha256)?)
    })
    .await;
    let blob = match found {
        Ok(Ok(Some(blob))) => blob,
        Ok(Ok(None)) => return PackPhotoEmbed::NotUploaded,
        Ok(Err(e)) => return unavailable(&e),
        Err(e) => return unavailable(&e),
    };
    if !sniff::previewable(&blob.media_type) {
        return PackPhotoEmbed::NotPrintable(blob.media_type);
    }
    let bytes = match read::whole(&state.blobs, &blob).await {
        Ok(bytes) => bytes,
        Err(e) => return unavailable(&e),
    };
    let (media_type, max_px) = (blob.media_type.clone(), state.blobs.config.preview_max_px);
    match web::block(move || preview::render(&bytes, &media_type, max_px)).await {
        Ok(Ok(jpeg)) => {
            PackPhotoEmbed::Jpeg(format!("data:image/jpeg;base64,{}", STANDARD.encode(jpeg)))
        }
        Ok(Err(_)) => PackPhotoEmbed::NotPrintable(blob.media_type),
        Err(e) => unavailable(&e),
    }
}

/// A photo that cannot be read must not keep the pack from being printed: logged, and the
/// page says the photo is unavailable.
fn unavailable(cause: &dyn std::fmt::Display) -> PackPhotoEmbed {
    tracing::warn!(%cause, "missing pack printed without its photo");
    PackPhotoEmbed::Unavailable
}
