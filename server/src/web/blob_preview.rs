//! `GET /web/blobs/{sha256}/preview`: the photo preview for a signed-in person, after the
//! same access check as the device API (a case the person may read references the blob).

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};

use super::case_open::blocking;
use super::error::PageError;
use super::session::PageUser;
use crate::blobs::access::readable_blob;
use crate::blobs::preview::render;
use crate::blobs::{read, sniff};
use crate::state::AppState;

#[get("/web/blobs/{sha256}/preview")]
pub async fn blob_preview(
    user: PageUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let lang = user.lang;
    let (s, sha256) = (state.clone(), path.into_inner());
    let row = blocking(move || {
        readable_blob(&s, &user.as_device(), &sha256, "preview")
            .map_err(|e| PageError::from_api(lang, e))
    })
    .await?
    .ok_or(PageError::NotFound(lang))?;
    if !sniff::previewable(&row.media_type) {
        return Err(PageError::NotFound(lang));
    }
    let bytes = read::whole(&state.blobs, &row)
        .await
        .map_err(|e| PageError::from_api(lang, e))?;
    let (media_type, max_px) = (row.media_type.clone(), state.blobs.config.preview_max_px);
    let jpeg = blocking(move || {
        render(&bytes, &media_type, max_px).map_err(|e| PageError::from_api(lang, e))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("image/jpeg")
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(jpeg))
}
