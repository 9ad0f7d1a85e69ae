//! `/web/devices`: the organisation's devices for coordinators and org admins: list, enrol a
//! phone with a QR code, revoke, remote wipe. The domain functions of the device API do the
//! work (role rules, audit, cutting live sessions).

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use casesync_contract::wire::{CreateEnrolmentCode, DeviceSummary, EnrolmentCode};
use maud::{html, Markup};
use serde::Deserialize;

use super::case_open::blocking;
use super::error::PageError;
use super::format::{relative, utc_minute};
use super::layout::{badge, notice, page, respond, Section};
use super::session::PageUser;
use crate::domain::access::devices::{self, DEVICE_ADMINS};
use crate::domain::enrolment;
use crate::domain::error::DomainError;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct DevicesQuery {
    done: Option<String>,
}

#[derive(Deserialize)]
pub struct EnrolForm {
    csrf: String,
    user: String,
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

fn state_of(user: &PageUser, d: &DeviceSummary) -> Markup {
    let lang = user.lang;
    html! {
        @if let Some(t) = d.wipe_delivered_at {
            (badge("state-missing", &lang.fill("devices.wiped", &[("t", &utc_minute(lang, t))])))
        } @else if let Some(t) = d.wipe_requested_at {
            (badge("state-absent", &lang.fill("devices.wipe_pending", &[("t", &utc_minute(lang, t))])))
        } @else if let Some(t) = d.revoked_at {
            (badge("state-absent", &lang.fill("devices.revoked", &[("t", &utc_minute(lang, t))])))
        } @else {
            (badge("state-present", lang.t("devices.active")))
        }
    }
}

fn render(
    user: &PageUser,
    list: &[DeviceSummary],
    now: i64,
    done: Option<&str>,
    problem: Option<&str>,
    code: Option<&EnrolmentCode>,
) -> HttpResponse {
    let lang = user.lang;
    let body = html! {
        h1 { (lang.t("devices.title")) }
        (notice(done, false))
        (notice(problem, true))
        section aria-labelledby="enrol-h" {
            h2 #enrol-h { (lang.t("devices.enrol")) }
            @if let Some(code) = code {
                div.qr {
                    img src={ "data:image/png;base64," (code.qr_png_base64) }
                        alt=(lang.fill("devices.qr_alt", &[("name", &code.user_id)]));
                    p #enrol-code { (lang.fill("devices.enrol_code", &[("code", &code.code), ("t", &utc_minute(lang, code.expires_at))])) }
                }
            }
            form method="post" action="/web/devices/enrol" {
                input type="hidden" name="csrf" value=(user.csrf_token);
                label for="enrol-user" { (lang.t("devices.enrol_user")) }
                input #enrol-user type="text" name="user" required;
                " "
                button type="submit" { (lang.t("devices.enrol_submit")) }
            }
        }
        section aria-labelledby="list-h" {
            h2 #list-h { (lang.t("devices.title")) }
            @if list.is_empty() { p { (lang.t("devices.empty")) } }
            @else {
                div.table-wrap { table {
                    thead { tr {
                        th scope="col" { (lang.t("devices.name")) }
                        th scope="col" { (lang.t("devices.user")) }
                        th scope="col" { (lang.t("devices.role")) }
                        th scope="col" { (lang.t("devices.last_seen")) }
                        th scope="col" { (lang.t("devices.state")) }
                        th scope="col" { span.visually-hidden { (lang.t("devices.revoke")) } }
                    } }
                    tbody {
                        @for d in list {
                            tr {
                                td { (d.name) }
                                td { (d.user_name) }
                                td { (lang.t(&format!("role.{}", d.role))) }
                                td { @match d.last_seen_at { Some(t) => (relative(lang, t, now)), None => span.muted { (lang.t("devices.never")) } } }
                                td { (state_of(user, d)) }
                                td {
                                    @if d.revoked_at.is_none() {
                                        form method="post" action={ "/web/devices/" (d.id) "/revoke" } {
                                            input type="hidden" name="csrf" value=(user.csrf_token);
                                            button.secondary type="submit" aria-label={ (lang.t("devices.revoke")) ": " (d.name) } { (lang.t("devices.revoke")) }
                                        }
                                        " "
                                        form method="post" action={ "/web/devices/" (d.id) "/wipe" } data-confirm=(lang.t("devices.confirm_wipe")) {
                                            input type="hidden" name="csrf" value=(user.csrf_token);
                                            button.danger type="submit" aria-label={ (lang.t("devices.wipe")) ": " (d.name) } { (lang.t("devices.wipe")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                } }
            }
        }
    };
    respond(page(
        user,
        Section::Devices,
        lang.t("devices.title"),
        false,
        body,
    ))
}

async fn list(
    state: &web::Data<AppState>,
    user: &PageUser,
) -> Result<Vec<DeviceSummary>, PageError> {
    let (s, u) = (state.clone(), user.clone());
    blocking(move || {
        devices::list(&s, &u.as_device())
            .map(|l| l.devices)
            .map_err(|e| PageError::from_api(u.lang, e))
    })
    .await
}

#[get("/web/devices")]
pub async fn devices_page(
    user: PageUser,
    query: web::Query<DevicesQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    user.require(DEVICE_ADMINS)?;
    let devices = list(&state, &user).await?;
    let done = match query.done.as_deref() {
        Some("revoke") => Some(user.lang.t("devices.done_revoke")),
        Some("wipe") => Some(user.lang.t("devices.done_wipe")),
        _ => None,
    };
    Ok(render(&user, &devices, state.now(), done, None, None))
}

#[post("/web/devices/enrol")]
pub async fn enrol(
    req: HttpRequest,
    user: PageUser,
    form: web::Form<EnrolForm>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    user.require(DEVICE_ADMINS)?;
    user.check_csrf(&form.csrf)?;
    let server_url = match state.config.access.public_url.as_str() {
        "" => {
            let info = req.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        }
        configured => configured.to_string(),
    };
    let (s, u, name) = (state.clone(), user.clone(), form.user.clone());
    let created = blocking(move || {
        Ok(enrolment::create_code(
            &s,
            &u.as_device(),
            CreateEnrolmentCode { user: name },
            &server_url,
        ))
    })
    .await?;
    let devices = list(&state, &user).await?;
    Ok(match created {
        Ok(code) => render(&user, &devices, state.now(), None, None, Some(&code)),
        // The domain's message names the problem (unknown user, a role this person may not
        // enrol); shown in place, next to the form.
        Err(DomainError::Refused(e)) => {
            let problem = super::error::refusal(user.lang, e.code, &e.message);
            render(&user, &devices, state.now(), None, Some(&problem), None)
        }
        Err(DomainError::Failed(cause)) => {
            tracing::error!(%cause, "enrolment code failed");
            return Err(PageError::Internal(user.lang));
        }
    })
}

async fn cut(
    user: PageUser,
    device: String,
    csrf: &str,
    state: web::Data<AppState>,
    wiping: bool,
) -> Result<HttpResponse, PageError> {
    user.require(DEVICE_ADMINS)?;
    user.check_csrf(csrf)?;
    let u = user.clone();
    blocking(move || {
        let caller = u.as_device();
        let done = if wiping {
            devices::wipe(&state, &caller, &device)
        } else {
            devices::revoke(&state, &caller, &device)
        };
        done.map_err(|e| PageError::from_api(u.lang, e))
    })
    .await?;
    let done = if wiping { "wipe" } else { "revoke" };
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/web/devices?done={done}")))
        .finish())
}

#[post("/web/devices/{id}/revoke")]
pub async fn revoke_device(
    user: PageUser,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    cut(user, path.into_inner(), &form.csrf, state, false).await
}

#[post("/web/devices/{id}/wipe")]
pub async fn wipe_device(
    user: PageUser,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    cut(user, path.into_inner(), &form.csrf, state, true).await
}
