//! Every string a person reads on the pages, in English and French (the Interact handbook
//! exists in both). One table: a page asks for a key, never writes words itself. `{n}`-style
//! placeholders are filled by [`Lang::fill`].

use actix_web::HttpRequest;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
}

/// The language cookie set by the language switch.
pub const LANG_COOKIE: &str = "casesync_lang";

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fr];

    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Fr => "fr",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Self::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// `?lang=` first, then the cookie, then the browser's Accept-Language, then English.
    pub fn of(req: &HttpRequest) -> Self {
        let query = actix_web::web::Query::<LangQuery>::from_query(req.query_string())
            .ok()
            .and_then(|q| q.into_inner().lang)
            .and_then(|l| Self::parse(&l));
        let cookie = req.cookie(LANG_COOKIE).and_then(|c| Self::parse(c.value()));
        let accept = req
            .headers()
            .get(actix_web::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.split(',')
                    .find_map(|part| Self::parse(part.split(';').next()?))
            });
        query.or(cookie).or(accept).unwrap_or(Self::En)
    }

    /// The text of `key`, if the catalogue has it (for data-driven keys such as checklist
    /// steps, whose fallback is the contract's English text).
    pub fn lookup(self, key: &str) -> Option<&'static str> {
        CATALOGUE
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, en, fr)| match self {
                Self::En => *en,
                Self::Fr => *fr,
            })
    }

    /// The text of `key`; "?" when the catalogue lacks it (a test forbids that).
    pub fn t(self, key: &str) -> &'static str {
        match self.lookup(key) {
            Some(text) => text,
            None => {
                tracing::warn!(key, "text missing from the page catalogue");
                "?"
            }
        }
    }

    /// The text of `key` with `{name}` placeholders replaced.
    pub fn fill(self, key: &str, values: &[(&str, &str)]) -> String {
        values
            .iter()
            .fold(self.t(key).to_string(), |text, (name, value)| {
                text.replace(&format!("{{{name}}}"), value)
            })
    }
}

#[derive(serde::Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

/// (key, English, French).
pub const CATALOGUE: &[(&str, &str, &str)] = &include!("i18n_table.rs");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_unique_and_translated() {
        let mut seen = std::collections::HashSet::new();
        for (key, en, fr) in CATALOGUE {
            assert!(seen.insert(*key), "{key} appears twice");
            assert!(
                !en.trim().is_empty() && !fr.trim().is_empty(),
                "{key} lacks a text"
            );
        }
    }

    #[test]
    fn every_checklist_step_is_in_the_catalogue() {
        for template in casesync_contract::checklists::TEMPLATES {
            let title = format!("checklist.title.{}", template.id);
            assert_eq!(Lang::En.lookup(&title), Some(template.title), "{title}");
            for step in template.steps {
                let key = format!("checklist.step.{}", step.id);
                assert_eq!(
                    Lang::En.lookup(&key),
                    Some(step.text),
                    "{key} drifted from the template"
                );
            }
        }
    }

    /// Every literal key the page code asks for exists: a typo would show "?" to a person.
    #[test]
    fn every_key_the_pages_use_exists() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web");
        let mut missing = vec![];
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            for call in [".t(\"", ".fill(\""] {
                for (at, _) in source.match_indices(call) {
                    let rest = &source[at + call.len()..];
                    let key = rest.split('"').next().unwrap_or_default();
                    if !key.is_empty() && Lang::En.lookup(key).is_none() {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from the catalogue: {missing:?}"
        );
    }

    #[test]
    fn languages_parse_from_headers_and_codes() {
        assert_eq!(Lang::parse("fr-FR"), Some(Lang::Fr));
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::parse("de"), None);
        assert_eq!(Lang::Fr.fill("cases.count", &[("n", "3")]), "3 dossiers");
    }
}
