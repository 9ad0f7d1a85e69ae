//! `GET/POST /web/password/{token}`: a person opens the one-time link an administrator
//! printed (`casesync admin user password-link`) and chooses a password.

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use casesync_schema::connection::write_tx;
use casesync_schema::web::{credentials, password_links, sessions};
use maud::html;
use serde::Deserialize;

use super::csrf::{form_cookie, same, FORM_COOKIE};
use super::error::PageError;
use super::i18n::Lang;
use super::layout::{bare_page, notice};
use super::passwords::{check_strength, hash, WeakPassword};
use super::session::secure_cookies;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct PasswordForm {
    password: String,
    repeat: String,
    csrf: String,
}

fn form_page(
    state: &AppState,
    lang: Lang,
    token: &str,
    name: &str,
    problem: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let csrf = casesync_schema::web::random_secret();
    let body = bare_page(
        lang,
        lang.t("password.title"),
        html! {
            div.signin {
                h1 { (lang.t("password.title")) }
                p { (lang.fill("password.intro", &[("name", name)])) }
                (notice(problem, true))
                form method="post" action={ "/web/password/" (token) } {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="password" { (lang.t("password.new")) }
                    input #password type="password" name="password" autocomplete="new-password" minlength="12" required autofocus;
                    label for="repeat" { (lang.t("password.repeat")) }
                    input #repeat type="password" name="repeat" autocomplete="new-password" minlength="12" required;
                    button type="submit" { (lang.t("password.submit")) }
                }
            }
        },
    );
    HttpResponse::build(status)
        .cookie(form_cookie(&csrf, secure_cookies(state)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .content_type("text/html; charset=utf-8")
        .body(body.into_string())
}

/// The name of the person a valid link is for.
fn link_owner(state: &AppState, token: &str) -> Result<Option<String>, ApiError> {
    let mut conn = state.db()?;
    let Some(user_id) = password_links::peek(&mut conn, token, state.now())? else {
        return Ok(None);
    };
    Ok(credentials::find_by_id(&mut conn, &user_id)?.map(|u| u.name))
}

#[get("/web/password/{token}")]
pub async fn password_page(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let lang = super::i18n::of_request(&req);
    let token = path.into_inner();
    let (s, t) = (state.clone(), token.clone());
    let owner = web::block(move || link_owner(&s, &t))
        .await?
        .map_err(|e| PageError::from_api(lang, e))?;
    match owner {
        Some(name) => Ok(form_page(&state, lang, &token, &name, None, StatusCode::OK)),
        None => Err(PageError::BadRequest(
            lang,
            lang.t("password.link_invalid").into(),
        )),
    }
}

#[post("/web/password/{token}")]
pub async fn set_password(
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<PasswordForm>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let lang = super::i18n::of_request(&req);
    let token = path.into_inner();
    let form = form.into_inner();
    let (s, t) = (state.clone(), token.clone());
    let Some(name) = web::block(move || link_owner(&s, &t))
        .await?
        .map_err(|e| PageError::from_api(lang, e))?
    else {
        return Err(PageError::BadRequest(
            lang,
            lang.t("password.link_invalid").into(),
        ));
    };
    let cookie_ok = req
        .cookie(FORM_COOKIE)
        .is_some_and(|c| same(c.value(), &form.csrf));
    let problem = if !cookie_ok {
        Some("signin.expired_form")
    } else if form.password != form.repeat {
        Some("password.mismatch")
    } else {
        match check_strength(&form.password) {
            Ok(()) => None,
            Err(WeakPassword::TooShort) => Some("password.too_short"),
            Err(WeakPassword::TooLong) => Some("password.too_long"),
        }
    };
    if let Some(key) = problem {
        let msg = lang.t(key);
        return Ok(form_page(
            &state,
            lang,
            &token,
            &name,
            Some(msg),
            StatusCode::BAD_REQUEST,
        ));
    }
    let s = state.clone();
    let done = web::block(move || -> Result<bool, ApiError> {
        let phc = hash(&form.password).map_err(ApiError::internal)?;
        let mut conn = s.db()?;
        let now = s.now();
        Ok(write_tx(&mut conn, |conn| {
            let Some(user_id) = password_links::redeem(conn, &token, now)? else {
                return Ok(false);
            };
            credentials::set_password_hash(conn, &user_id, &phc)?;
            sessions::close_all_of(conn, &user_id)?;
            Ok(true)
        })?)
    })
    .await?
    .map_err(|e| PageError::from_api(lang, e))?;
    if !done {
        return Err(PageError::BadRequest(
            lang,
            lang.t("password.link_invalid").into(),
        ));
    }
    let body = bare_page(
        lang,
        lang.t("password.title"),
        html! {
            div.signin {
                h1 { (lang.t("password.title")) }
                (notice(Some(lang.t("password.done")), false))
                p { a.button href="/web/sign-in" { (lang.t("signin.submit")) } }
            }
        },
    );
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body.into_string()))
}
