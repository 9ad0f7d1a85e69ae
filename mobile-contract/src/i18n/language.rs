//! The five languages and how a person's language is found: a code (`?lang=`, a cookie, a
//! user setting), a browser's Accept-Language, or the country of the person's site.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::Catalogue;

/// A language the handbook, the pages and the phones speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    Nl,
    Fr,
    El,
    It,
}

impl Language {
    /// In the order the language switch offers them.
    pub const ALL: [Language; 5] = [Self::En, Self::Nl, Self::Fr, Self::El, Self::It];

    /// The ISO 639-1 code, also the folder under `locales/`.
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Nl => "nl",
            Self::Fr => "fr",
            Self::El => "el",
            Self::It => "it",
        }
    }

    /// The language's name in itself: a person looking for their language finds it whatever
    /// the page's language is.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::Nl => "Nederlands",
            Self::Fr => "Français",
            Self::El => "Ελληνικά",
            Self::It => "Italiano",
        }
    }

    /// A code such as `fr`, `fr-BE`, `EL` or `nl_NL`; `None` for a language we lack.
    pub fn parse(code: &str) -> Option<Self> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Self::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The preferred language we have from an `Accept-Language` header, by quality then
    /// order (`de, it;q=0.8, en;q=0.5` is Italian); `None` when it names none of ours.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(Self, f32)> = None;
        for part in header.split(',') {
            let mut fields = part.split(';');
            let Some(language) = fields.next().and_then(Self::parse) else {
                continue;
            };
            let quality = fields
                .find_map(|f| f.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if quality > 0.0 && best.is_none_or(|(_, q)| quality > q) {
                best = Some((language, quality));
            }
        }
        best.map(|(language, _)| language)
    }

    /// The default for people of a site in `country` (ISO 3166-1 alpha-2). Belgium gets
    /// Dutch, its majority language; a Walloon site's staff choose French in their settings.
    pub fn of_country(country: &str) -> Self {
        match country.trim().to_ascii_uppercase().as_str() {
            "IT" | "SM" | "VA" => Self::It,
            "FR" | "MC" | "LU" => Self::Fr,
            "GR" | "CY" => Self::El,
            "NL" | "BE" => Self::Nl,
            _ => Self::En,
        }
    }

    /// The text of `key` (a message without arguments) from the shared catalogue, English
    /// when this language lacks it (a test forbids that), and `?` when no language has it.
    pub fn t(self, key: &str) -> &'static str {
        let catalogue = Catalogue::shared();
        catalogue
            .plain(self, key)
            .or_else(|| catalogue.plain(Self::En, key))
            .unwrap_or("?")
    }

    /// The text of `key` with its `{ $name }` placeholders filled.
    pub fn fill(self, key: &str, args: &[(&str, &str)]) -> String {
        self.fill_or_fallback(key, args).into_owned()
    }

    /// The text of `key` if the catalogue has it in this language (for keys built from data,
    /// such as checklist steps, whose fallback is the contract's own English).
    pub fn lookup(self, key: &str) -> Option<&'static str> {
        Catalogue::shared().plain(self, key)
    }

    /// The label of a vocabulary id under a key prefix (`profile-`, `observation-`,
    /// `legal-basis-`, `state-`, `risk-`, ...): `label("profile-", "given_name")` is "Given
    /// name". The id itself when the catalogue has no label (a value of a newer shape).
    pub fn label<'a>(self, prefix: &str, id: &'a str) -> &'a str {
        self.lookup(&format!("{prefix}{id}")).unwrap_or(id)
    }

    fn fill_or_fallback(self, key: &str, args: &[(&str, &str)]) -> Cow<'static, str> {
        let catalogue = Catalogue::shared();
        catalogue
            .text(self, key, args)
            .or_else(|| catalogue.text(Self::En, key, args))
            .unwrap_or(Cow::Borrowed("?"))
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}
