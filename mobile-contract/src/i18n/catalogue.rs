//! The Fluent catalogue: the five `.ftl` files compiled into the crate, parsed once.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use fluent_syntax::ast::Entry;

use super::{message_id, Language};

/// Every language's file, as translators edit it.
const SOURCES: [(Language, &str); 5] = [
    (Language::En, include_str!("../../locales/en/casesync.ftl")),
    (Language::Nl, include_str!("../../locales/nl/casesync.ftl")),
    (Language::Fr, include_str!("../../locales/fr/casesync.ftl")),
    (Language::El, include_str!("../../locales/el/casesync.ftl")),
    (Language::It, include_str!("../../locales/it/casesync.ftl")),
];

static SHARED: LazyLock<Catalogue> = LazyLock::new(Catalogue::build);

/// One Fluent bundle per language, and every message that needs no argument rendered once,
/// so that pages borrow their words instead of formatting them on every request.
pub struct Catalogue {
    bundles: Vec<(Language, FluentBundle<FluentResource>)>,
    plain: Vec<(Language, HashMap<String, String>)>,
    problems: Vec<String>,
}

impl Catalogue {
    /// The catalogue of this build, parsed on first use.
    pub fn shared() -> &'static Catalogue {
        &SHARED
    }

    /// The `.ftl` source of `language`.
    pub fn source(language: Language) -> &'static str {
        SOURCES
            .iter()
            .find(|(l, _)| *l == language)
            .map_or("", |(_, source)| source)
    }

    fn build() -> Self {
        let mut problems = Vec::new();
        let mut plain = Vec::new();
        let bundles = SOURCES
            .iter()
            .map(|(language, source)| {
                let locale = language.code().parse().unwrap_or_default();
                let mut bundle = FluentBundle::new_concurrent(vec![locale]);
                // Unicode isolation marks (U+2068/U+2069) around arguments would show in
                // page text, titles and phone notifications; every argument we pass is a
                // name, a reference or a number, whose direction is that of the text.
                bundle.set_use_isolating(false);
                let resource = FluentResource::try_new((*source).to_string()).unwrap_or_else(
                    |(partial, errors)| {
                        problems.extend(errors.iter().map(|e| format!("{language}: {e:?}")));
                        partial
                    },
                );
                let ids: Vec<String> = resource
                    .entries()
                    .filter_map(|entry| match entry {
                        Entry::Message(message) => Some(message.id.name.to_string()),
                        _ => None,
                    })
                    .collect();
                if let Err(errors) = bundle.add_resource(resource) {
                    problems.extend(errors.iter().map(|e| format!("{language}: {e}")));
                }
                let rendered = ids
                    .into_iter()
                    .filter_map(|id| {
                        let pattern = bundle.get_message(&id)?.value()?;
                        let text = bundle.format_pattern(pattern, None, &mut Vec::new());
                        Some((id, text.into_owned()))
                    })
                    .collect();
                plain.push((*language, rendered));
                (*language, bundle)
            })
            .collect();
        Self {
            bundles,
            plain,
            problems,
        }
    }

    /// What went wrong reading the files (syntax errors, a message defined twice); a test
    /// requires none, so a build that ships has none.
    pub fn problems(&self) -> &[String] {
        &self.problems
    }

    fn bundle(&self, language: Language) -> Option<&FluentBundle<FluentResource>> {
        self.bundles
            .iter()
            .find(|(l, _)| *l == language)
            .map(|(_, b)| b)
    }

    /// Whether `language` has a text for `key`.
    pub fn has(&self, language: Language, key: &str) -> bool {
        self.bundle(language)
            .is_some_and(|b| b.has_message(&message_id(key)))
    }

    /// The text of `key` in `language`, for a message without arguments.
    pub fn plain(&self, language: Language, key: &str) -> Option<&str> {
        self.plain
            .iter()
            .find(|(l, _)| *l == language)
            .and_then(|(_, texts)| texts.get(message_id(key).as_ref()))
            .map(String::as_str)
    }

    /// The text of `key` in `language` with `args` filled in; `None` when that language
    /// lacks the key. An argument written as a plain integer (`3`, not `03`) goes to Fluent
    /// as a number, so that a translation can choose its plural form (`{ $n -> [one] ...}`).
    /// An argument the text names but the call lacks shows as `{$name}` (Fluent's own
    /// fallback); the tests keep files and calls in step.
    pub fn text(
        &self,
        language: Language,
        key: &str,
        args: &[(&str, &str)],
    ) -> Option<Cow<'_, str>> {
        let bundle = self.bundle(language)?;
        let message = bundle.get_message(&message_id(key))?;
        let pattern = message.value()?;
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, argument(value));
        }
        let mut errors = Vec::new();
        let args = (!args.is_empty()).then_some(&fluent_args);
        Some(bundle.format_pattern(pattern, args, &mut errors))
    }
}

/// Counts and minutes become numbers; anything else, and digits too long to be a count (a
/// phone number, an id: Fluent's numbers are floating point), stays text.
fn argument(value: &str) -> FluentValue<'_> {
    match value.parse::<i64>() {
        Ok(n) if n.to_string() == value && n.abs() < 1_000_000_000 => FluentValue::from(n),
        _ => FluentValue::from(value),
    }
}
