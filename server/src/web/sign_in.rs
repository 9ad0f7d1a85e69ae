//! `GET/POST /web/sign-in`, `POST /web/sign-out` and `GET /web/lang`: signing in with a
//! name and a password, signing out, choosing the language.

use actix_web::cookie::Cookie;
use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use maud::html;
use serde::Deserialize;

use super::csrf::{form_cookie, same, FORM_COOKIE};
use super::error::PageError;
use super::i18n::{Lang, LANG_COOKIE};
use super::layout::{bare_page, home_of, notice};
use super::links::checked_next;
use super::session::{secure_cookies, session_cookie, PageUser, SESSION_COOKIE};
use super::sign_in_check::{check, SignInOutcome};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct SignInQuery {
    next: Option<String>,
    out: Option<String>,
}

#[derive(Deserialize)]
pub struct SignInForm {
    name: String,
    password: String,
    csrf: String,
    next: Option<String>,
}

fn form_page(
    state: &AppState,
    lang: Lang,
    next: &str,
    message: Option<&str>,
    error: bool,
    status: actix_web::http::StatusCode,
) -> HttpResponse {
    let token = casesync_schema::web::random_secret();
    let body = bare_page(
        lang,
        lang.t("signin.title"),
        html! {
            div.signin {
                h1 { (lang.t("signin.title")) }
                (notice(message, error))
                form method="post" action="/web/sign-in" {
                    input type="hidden" name="csrf" value=(token);
                    input type="hidden" name="next" value=(next);
                    label for="name" { (lang.t("signin.name")) }
                    input #name type="text" name="name" autocomplete="username" required autofocus;
                    label for="password" { (lang.t("signin.password")) }
                    input #password type="password" name="password" autocomplete="current-password" required;
                    button type="submit" { (lang.t("signin.submit")) }
                }
            }
        },
    );
    HttpResponse::build(status)
        .cookie(form_cookie(&token, secure_cookies(state)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type("text/html; charset=utf-8")
        .body(body.into_string())
}

#[get("/web/sign-in")]
pub async fn sign_in_page(
    req: HttpRequest,
    query: web::Query<SignInQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let lang = super::i18n::of_request(&req);
    let next = checked_next(query.next.as_deref())?;
    let out = query.out.is_some().then(|| lang.t("signin.signed_out"));
    Ok(form_page(
        &state,
        lang,
        &next,
        out,
        false,
        actix_web::http::StatusCode::OK,
    ))
}

#[post("/web/sign-in")]
pub async fn sign_in(
    req: HttpRequest,
    form: web::Form<SignInForm>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    use actix_web::http::StatusCode;
    let lang = super::i18n::of_request(&req);
    let form = form.into_inner();
    let next = match checked_next(form.next.as_deref()) {
        Ok(next) => next,
        Err(refused) => return Ok(actix_web::ResponseError::error_response(&refused)),
    };
    let cookie = req.cookie(FORM_COOKIE).map(|c| c.value().to_string());
    if !cookie.is_some_and(|c| same(&c, &form.csrf)) {
        let msg = lang.t("signin.expired_form");
        return Ok(form_page(
            &state,
            lang,
            &next,
            Some(msg),
            true,
            StatusCode::BAD_REQUEST,
        ));
    }
    let client = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let checker = state.clone();
    let outcome = web::block(move || check(&checker, &form.name, &form.password, &client))
        .await?
        .map_err(|e| PageError::from_api(lang, e))?;
    let (key, status) = match outcome {
        SignInOutcome::Opened {
            cookie_value,
            user,
            max_age_secs,
        } => {
            let target = match user.role() {
                Ok(role) if next == "/web/alerts" => home_of(role).to_string(),
                _ => next,
            };
            return Ok(HttpResponse::SeeOther()
                .cookie(session_cookie(&state, &cookie_value, max_age_secs))
                .insert_header((header::LOCATION, target))
                .finish());
        }
        SignInOutcome::WrongCredentials => ("signin.failed", StatusCode::UNAUTHORIZED),
        SignInOutcome::NotForRole => ("signin.not_for_role", StatusCode::FORBIDDEN),
        SignInOutcome::RateLimited => ("signin.rate_limited", StatusCode::TOO_MANY_REQUESTS),
    };
    Ok(form_page(
        &state,
        lang,
        &next,
        Some(lang.t(key)),
        true,
        status,
    ))
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

#[post("/web/sign-out")]
pub async fn sign_out(
    req: HttpRequest,
    user: PageUser,
    form: web::Form<CsrfForm>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    user.check_csrf(&form.csrf)?;
    if let Some(cookie) = req.cookie(SESSION_COOKIE) {
        let value = cookie.value().to_string();
        let closer = state.clone();
        web::block(move || {
            let mut conn = closer.db()?;
            casesync_schema::web::sessions::close(&mut conn, &value).map_err(Into::into)
        })
        .await?
        .map_err(|e: crate::error::ApiError| PageError::from_api(user.lang, e))?;
    }
    let mut gone = session_cookie(&state, "", 0);
    gone.make_removal();
    Ok(HttpResponse::SeeOther()
        .cookie(gone)
        .insert_header((header::LOCATION, "/web/sign-in?out=1"))
        .finish())
}

#[derive(Deserialize)]
pub struct LangQuery {
    to: String,
    /// The page the switch was clicked on (browsers send no `Referer`: every response says
    /// `Referrer-Policy: no-referrer`).
    next: Option<String>,
}

/// Sets the language cookie, records the language as the setting of a person signed in
/// (their phones and pages follow it), and goes back to the page the person came from:
/// `next`, else the `Referer` of a browser that sends one anyway, else the pages' home.
/// A GET changes the setting: the session cookie is SameSite=Strict, so another site's
/// link cannot change it for someone.
#[get("/web/lang")]
pub async fn choose_language(
    req: HttpRequest,
    query: web::Query<LangQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let lang = Lang::parse(&query.to).ok_or_else(|| {
        ApiError::new(
            casesync_contract::errors::ErrorCode::InvalidRequest,
            "to must be one of en, nl, fr, el, it",
        )
    })?;
    if let Some(cookie) = req.cookie(SESSION_COOKIE) {
        let (value, now) = (cookie.value().to_string(), state.now());
        web::block(move || -> Result<(), ApiError> {
            let mut conn = state.db()?;
            if let Some(session) = casesync_schema::web::sessions::find(&mut conn, &value, now)? {
                casesync_schema::directory::users::set_language(&mut conn, &session.user.id, lang)?;
            }
            Ok(())
        })
        .await??;
    }
    let back = match &query.next {
        Some(next) => Some(checked_next(Some(next))?),
        None => req
            .headers()
            .get(header::REFERER)
            .and_then(|v| v.to_str().ok())
            .and_then(|r| r.find("/web/").map(|at| r[at..].to_string())),
    };
    let cookie = Cookie::build(LANG_COOKIE, lang.code())
        .path("/")
        .same_site(actix_web::cookie::SameSite::Lax)
        .max_age(actix_web::cookie::time::Duration::days(365))
        .finish();
    Ok(HttpResponse::SeeOther()
        .cookie(cookie)
        .insert_header((header::LOCATION, checked_next(back.as_deref())?))
        .finish())
}

/// The server's root and `/web/` lead to the pages.
#[get("/web/")]
pub async fn web_root() -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/web/alerts"))
        .finish()
}
