//! `GET /web/cases/{id}/missing-pack`: the printable missing pack for a signed-in person,
//! drawn by the same code as `GET /v1/cases/{id}/missing-pack?format=html` (same access
//! rule and audit entry, recorded as an export since it is made to leave the system), in
//! the person's language.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};

use super::case_open::blocking;
use super::error::PageError;
use super::session::PageUser;
use crate::routes::cases::missing_pack::page::{render, PageText};
use crate::routes::cases::missing_pack::{embedded_photo, readable_pack};
use crate::state::AppState;

#[get("/web/cases/{id}/missing-pack")]
pub async fn missing_pack_page(
    user: PageUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let lang = user.lang;
    let (s, u) = (state.clone(), user.clone());
    let (pack, row, flow) = blocking(move || {
        readable_pack(&s, &u.as_device(), &path, Some(lang))
            .map_err(|e| PageError::from_api(lang, e))
    })
    .await?;
    let photo = embedded_photo(&state, &row, &pack).await;
    let text = PageText::of(lang);
    // The shared page, plus a print button and a way back (hidden in print).
    let actions = maud::html! {
        // `noprint` is the shared page's own class for what paper does not need.
        p.noprint {
            button #print type="button" { (lang.t("common.print")) }
            " "
            a href={ "/web/cases/" (row.id) } { (lang.t("conflicts.back")) }
        }
        script src="/web/static/page.js" defer {}
    };
    let flow_svg = flow.as_ref().map(|f| super::flow_svg::draw(lang, f));
    let page = render(&pack, &photo, &text, flow_svg.as_deref()).replacen(
        "</body>",
        &format!("{}</body>", actions.into_string()),
        1,
    );
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(page))
}
