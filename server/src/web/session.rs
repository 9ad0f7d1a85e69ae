//! Who is looking at a page: a person signed in with a session cookie. A page caller is a
//! user, not a device; the domain functions (scope, audit, devices, enrolment) take an
//! [`AuthenticatedDevice`], so [`PageUser::as_device`] presents the person as one with the
//! synthetic device id `web:<user id>`, which the audit trail then shows as such.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{web, FromRequest, HttpRequest};
use casesync_contract::Role;
use casesync_schema::directory::{AuthenticatedDevice, User};
use casesync_schema::web::sessions;

use super::error::PageError;
use super::i18n::Lang;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "casesync_session";

/// Roles that may sign in to the pages.
pub const PAGE_ROLES: &[Role] = &[Role::Coordinator, Role::OrgAdmin, Role::Auditor];

/// The device id a person acting through the pages is recorded under.
pub fn web_device_id(user_id: &str) -> String {
    format!("web:{user_id}")
}

/// Whether a device id is a person's on the pages ([`web_device_id`]).
pub fn is_web_device(device_id: &str) -> bool {
    device_id.starts_with("web:")
}

#[derive(Debug, Clone)]
pub struct PageUser {
    pub user: User,
    pub role: Role,
    /// The synchronizer token every form of this session must carry.
    pub csrf_token: String,
    pub lang: Lang,
    /// The page asked for, path and query: where the language switch comes back to (no
    /// `Referer` tells it, since every response says `Referrer-Policy: no-referrer`).
    pub here: String,
}

impl PageUser {
    pub fn as_device(&self) -> AuthenticatedDevice {
        AuthenticatedDevice {
            device_id: web_device_id(&self.user.id),
            device_name: "web".into(),
            user_id: self.user.id.clone(),
            user_name: self.user.name.clone(),
            role: self.role,
            organisation_id: self.user.organisation_id.clone(),
            site_id: self.user.site_id.clone(),
            wipe_requested: false,
        }
    }

    /// 403 page unless the person has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), PageError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(PageError::Forbidden(self.lang))
        }
    }

    /// Checks a form's CSRF token against the session's (constant time).
    pub fn check_csrf(&self, submitted: &str) -> Result<(), PageError> {
        if super::csrf::same(submitted, &self.csrf_token) {
            Ok(())
        } else {
            Err(PageError::BadRequest(
                self.lang,
                self.lang.t("signin.expired_form").into(),
            ))
        }
    }
}

/// The session cookie: HttpOnly, SameSite=Strict, Secure when served over TLS.
pub fn session_cookie(state: &AppState, value: &str, max_age_secs: i64) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, value.to_string())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure_cookies(state))
        .max_age(actix_web::cookie::time::Duration::seconds(max_age_secs))
        .finish()
}

pub fn secure_cookies(state: &AppState) -> bool {
    state.config.tls_cert.is_some()
        || state.config.web.secure_cookies
        || state.config.access.public_url.starts_with("https://")
}

impl FromRequest for PageUser {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let cookie = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
        // Until the person is known, errors speak what the request and browser ask for.
        let lang = super::i18n::of_request(req);
        let (asked, browser) = (super::i18n::asked(req), super::i18n::of_browser(req));
        let next = match req.query_string() {
            "" => req.path().to_string(),
            q => format!("{}?{q}", req.path()),
        };
        Box::pin(async move {
            let here = next.clone();
            let sign_in = || PageError::SignIn { next: next.clone() };
            let state = state.ok_or(PageError::Internal(lang))?;
            let cookie = cookie.ok_or_else(sign_in)?;
            let now = state.now();
            let found = web::block(move || {
                let mut conn = state.db().ok()?;
                let session = sessions::find(&mut conn, &cookie, now).ok().flatten()?;
                let preferred =
                    casesync_schema::directory::users::preferred_language(&mut conn, &session.user)
                        .ok()
                        .flatten();
                Some((session, preferred))
            })
            .await?;
            let (session, preferred) = found.ok_or_else(sign_in)?;
            // `?lang=`, then the person's setting (or their site's country), then the browser.
            let lang = asked.or(preferred).or(browser).unwrap_or(Lang::En);
            let role = session.user.role().map_err(|_| PageError::Internal(lang))?;
            if !PAGE_ROLES.contains(&role) {
                return Err(PageError::Forbidden(lang));
            }
            Ok(PageUser {
                user: session.user,
                role,
                csrf_token: session.csrf_token,
                lang,
                here,
            })
        })
    }
}
