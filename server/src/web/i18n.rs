//! The pages' language. Every word comes from the contract's Fluent catalogue
//! (`mobile-contract/locales`, shared with the phones): a page asks for a key
//! (`lang.t("nav.alerts")`, `lang.fill("cases.count", &[("n", "3")])`), never writes words
//! itself.

use actix_web::HttpRequest;

/// The pages call the contract's language `Lang`: short, and read on every line of a page.
pub use casesync_contract::i18n::Language as Lang;

/// The language cookie set by the language switch for a person not signed in.
pub const LANG_COOKIE: &str = "casesync_lang";

#[derive(serde::Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

/// A language the request asks for by itself: `?lang=` (a link in another language).
pub fn asked(req: &HttpRequest) -> Option<Lang> {
    actix_web::web::Query::<LangQuery>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.into_inner().lang)
        .and_then(|l| Lang::parse(&l))
}

/// What the browser says: the language cookie, then Accept-Language.
pub fn of_browser(req: &HttpRequest) -> Option<Lang> {
    let cookie = req.cookie(LANG_COOKIE).and_then(|c| Lang::parse(c.value()));
    cookie.or_else(|| {
        req.headers()
            .get(actix_web::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Lang::from_accept_language)
    })
}

/// The language of a page for someone not signed in: `?lang=`, the cookie, the browser's
/// Accept-Language, else English. A signed-in person's setting comes first
/// ([`super::session::PageUser`]).
pub fn of_request(req: &HttpRequest) -> Lang {
    asked(req).or_else(|| of_browser(req)).unwrap_or(Lang::En)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every literal key the page code asks for exists: a typo would show "?" to a person.
    #[test]
    fn every_key_the_pages_use_exists() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let dirs = [
            src.join("web"),
            src.join("routes/cases/missing_pack"),
            src.join("domain/gdpr"),
            src.join("domain/alerts"),
            src.join("cli"),
        ];
        let mut missing = vec![];
        let mut seen = 0;
        for dir in dirs {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                let source = std::fs::read_to_string(&path).unwrap();
                for call in [".t(\"", ".fill(\"", "AlertMessage::new(\""] {
                    for (at, _) in source.match_indices(call) {
                        let rest = &source[at + call.len()..];
                        let key = rest.split('"').next().unwrap_or_default();
                        seen += 1;
                        if !key.is_empty() && Lang::En.lookup(key).is_none() {
                            missing.push(format!("{}: {key}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(seen > 200, "only {seen} keys found: did the pages move?");
        assert!(
            missing.is_empty(),
            "keys missing from the catalogue: {missing:?}"
        );
    }

    #[test]
    fn pages_read_every_language() {
        assert_eq!(Lang::Fr.fill("cases.count", &[("n", "3")]), "3 dossiers");
        assert_eq!(Lang::El.t("nav.alerts"), "Ειδοποιήσεις");
    }
}
