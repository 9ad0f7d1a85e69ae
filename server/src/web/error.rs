//! What a page answers when it cannot show what was asked: an HTML page in the person's
//! language (never JSON), or a redirect to sign in. A case outside the person's scope gets
//! the same "not found" page as a case that does not exist.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use casesync_contract::errors::ErrorCode;

use super::i18n::Lang;
use super::layout::bare_page;
use crate::error::ApiError;

#[derive(Debug)]
pub enum PageError {
    /// Not signed in (or the session expired): go to the sign-in page, then come back.
    SignIn {
        next: String,
    },
    NotFound(Lang),
    Forbidden(Lang),
    /// Refused input the page cannot show in place (a stale form, a bad id).
    BadRequest(Lang, String),
    /// A refusal of the API the page called: what its code means in the person's language,
    /// and the server's own detail (English, naming the field or the value).
    Refused {
        lang: Lang,
        code: ErrorCode,
        detail: String,
    },
    Internal(Lang),
}

impl PageError {
    /// Maps an error of the domain functions (or the database) to the page that says the
    /// same.
    pub fn from_api(lang: Lang, e: impl Into<ApiError>) -> Self {
        let e: ApiError = e.into();
        match e.code {
            ErrorCode::NotFound | ErrorCode::InvalidDocumentId => Self::NotFound(lang),
            ErrorCode::Forbidden | ErrorCode::PermissionDenied => Self::Forbidden(lang),
            ErrorCode::Unauthorized => Self::SignIn {
                next: "/web/cases".into(),
            },
            ErrorCode::Internal => Self::Internal(lang),
            code => Self::Refused {
                lang,
                code,
                detail: e.message,
            },
        }
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self)
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::SignIn { .. } => StatusCode::SEE_OTHER,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::BadRequest(..) => StatusCode::BAD_REQUEST,
            Self::Refused { code, .. } => {
                StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::BAD_REQUEST)
            }
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (lang, title, text) = match self {
            Self::SignIn { next } => {
                let target = format!("/web/sign-in?next={}", super::links::encode(next));
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, target))
                    .finish();
            }
            Self::NotFound(l) => (
                *l,
                l.t("error.not_found.title"),
                l.t("error.not_found.text").to_string(),
            ),
            Self::Forbidden(l) => (
                *l,
                l.t("error.forbidden.title"),
                l.t("error.forbidden.text").to_string(),
            ),
            Self::BadRequest(l, why) => (*l, l.t("error.bad_request.title"), why.clone()),
            Self::Refused { lang, code, detail } => (
                *lang,
                lang.t("error.bad_request.title"),
                refusal(*lang, *code, detail),
            ),
            Self::Internal(l) => (
                *l,
                l.t("error.internal.title"),
                l.t("error.internal.text").to_string(),
            ),
        };
        let body = bare_page(
            lang,
            title,
            maud::html! {
                h1 { (title) }
                p { (text) }
                p { a href="/web/cases" { (lang.t("error.back")) } }
            },
        );
        HttpResponse::build(self.status_code())
            .content_type("text/html; charset=utf-8")
            .body(body.into_string())
    }
}

/// A refusal for a person: what the code means in their language, then the server's detail
/// (English: it names fields and values, which no catalogue can foresee).
pub fn refusal(lang: Lang, code: ErrorCode, detail: &str) -> String {
    let meaning = lang.label("error-code-", code.as_str());
    if detail.is_empty() {
        return meaning.to_string();
    }
    format!(
        "{meaning} {}",
        lang.fill("error.refused.detail", &[("detail", detail)])
    )
}

impl From<actix_web::error::BlockingError> for PageError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        tracing::error!(error = %e, "page task failed");
        Self::Internal(Lang::En)
    }
}
