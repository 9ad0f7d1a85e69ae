//! An alert's text as a catalogue key and its arguments, so that one alert document serves
//! phones in every language: each renders the key in its own user's language with the
//! shared catalogue ([`crate::i18n`]). The server also writes the English rendering
//! (`message`) for clients older than the keys.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::i18n::Language;

/// Arguments that name a vocabulary entry rather than hold text: rendering translates them
/// through the catalogue key `<prefix><value>` (a step id becomes the step's text).
const VOCABULARY_ARGS: [(&str, &str); 4] = [
    ("step", "checklist-step-"),
    ("checklist", "checklist-title-"),
    ("level", "risk-"),
    ("advisory", "risk-"),
];

/// The argument holding the handbook's escalation criteria: a comma-separated list of
/// `<criterion>` or `<criterion>:<n>` (`missing_long:30,repeat_episode:2,crime`), each
/// rendered by `escalation-reason-<criterion>` with `n`.
const REASONS_ARG: &str = "reasons";

/// A text key and its arguments, as an alert entry carries them (`message_key`,
/// `message_args`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertMessage {
    pub key: String,
    pub args: BTreeMap<String, String>,
}

impl AlertMessage {
    pub fn new(key: &str) -> Self {
        Self {
            key: key.to_string(),
            args: BTreeMap::new(),
        }
    }

    pub fn with(mut self, name: &str, value: impl ToString) -> Self {
        self.args.insert(name.to_string(), value.to_string());
        self
    }

    /// The text in `language`: vocabulary arguments translated, then the key filled.
    pub fn render(&self, language: Language) -> String {
        let args: Vec<(String, String)> = self
            .args
            .iter()
            .map(|(name, value)| (name.clone(), render_arg(language, name, value)))
            .collect();
        let args: Vec<(&str, &str)> = args.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        language.fill(&self.key, &args)
    }
}

fn render_arg(language: Language, name: &str, value: &str) -> String {
    if name == REASONS_ARG {
        return value
            .split(',')
            .filter(|r| !r.is_empty())
            .map(|reason| {
                let (criterion, n) = reason.split_once(':').unwrap_or((reason, ""));
                language.fill(&format!("escalation-reason-{criterion}"), &[("n", n)])
            })
            .collect::<Vec<_>>()
            .join(", ");
    }
    match VOCABULARY_ARGS.iter().find(|(arg, _)| *arg == name) {
        Some((_, prefix)) => language
            .lookup(&format!("{prefix}{value}"))
            .map_or_else(|| value.to_string(), str::to_string),
        None => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_message_reads_in_every_language() {
        let missing = AlertMessage::new("alert-missing")
            .with("name", "Abena")
            .with("reference", "C-7Q2")
            .render(Language::El);
        assert_eq!(
            missing,
            "Το παιδί Abena (C-7Q2) αγνοείται. Ενεργήστε τώρα: δεν υπάρχει χρόνος αναμονής."
        );
        let overdue = AlertMessage::new("alert-overdue-step")
            .with("reference", "C-7Q2")
            .with("step", "report_police")
            .with("checklist", "missing_first_hours")
            .with("minutes", 12);
        assert_eq!(
            overdue.render(Language::En),
            "C-7Q2: \"Report to police at once, day or night\" (Missing, first hours) is overdue by 12 min"
        );
        assert!(overdue
            .render(Language::It)
            .contains("Denunciare subito alla polizia"));
        let back = AlertMessage::new("alert-found-escalation")
            .with("reference", "C-7Q2")
            .with("reasons", "missing_long:30,repeat_episode:2,crime");
        assert_eq!(
            back.render(Language::En),
            "C-7Q2: back after missing 30 h, episode 2, a crime: escalate (return interview, risk assessment, strategy)"
        );
        let confirm = AlertMessage::new("alert-risk-confirm")
            .with("reference", "C-1")
            .with("level", "high")
            .with("advisory", "medium");
        assert!(confirm.render(Language::Nl).contains("\"hoog\""));
    }
}

#[cfg(test)]
mod reason_tests {
    use crate::i18n::Language;
    use crate::views::found::Escalation;

    #[test]
    fn every_escalation_criterion_has_a_text() {
        for reason in [
            Escalation::MissingLong { hours: 30 },
            Escalation::RepeatEpisode { n: 2 },
            Escalation::Crime,
            Escalation::MentalHealth,
            Escalation::SexualExploitation,
        ] {
            let code = reason.code();
            let criterion = code.split(':').next().unwrap_or_default();
            for language in Language::ALL {
                assert!(
                    language
                        .lookup(&format!("escalation-reason-{criterion}"))
                        .is_some()
                        || crate::i18n::Catalogue::shared()
                            .has(language, &format!("escalation-reason-{criterion}")),
                    "{language} lacks {criterion}"
                );
            }
        }
    }
}
