//! The catalogue is whole: every message in every language, with the same placeholders,
//! and a key for every text the contract's data asks for.

use std::collections::{BTreeMap, BTreeSet};

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

use super::*;
use crate::alerts::AlertKind;
use crate::views::missing_pack::PackItemKind;

/// Message id -> the variables it uses (in its value and in every variant).
fn messages(language: Language) -> BTreeMap<String, BTreeSet<String>> {
    let source = Catalogue::source(language);
    let resource = fluent_syntax::parser::parse(source).expect("the file parses");
    let mut out = BTreeMap::new();
    for entry in resource.body {
        if let Entry::Message(message) = entry {
            let mut vars = BTreeSet::new();
            let pattern = message.value.expect("every message has a value");
            assert!(
                !text_of(&pattern).trim().is_empty(),
                "{language}: {} has no text",
                message.id.name
            );
            variables(&pattern, &mut vars);
            out.insert(message.id.name.to_string(), vars);
        }
    }
    out
}

fn text_of(pattern: &Pattern<&str>) -> String {
    pattern
        .elements
        .iter()
        .map(|e| match e {
            PatternElement::TextElement { value } => (*value).to_string(),
            PatternElement::Placeable { .. } => "{}".into(),
        })
        .collect()
}

fn variables(pattern: &Pattern<&str>, out: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            match expression {
                Expression::Inline(inline) => inline_variables(inline, out),
                Expression::Select { selector, variants } => {
                    inline_variables(selector, out);
                    for variant in variants {
                        variables(&variant.value, out);
                    }
                }
            }
        }
    }
}

fn inline_variables(inline: &InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match inline {
        InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_string());
        }
        InlineExpression::Placeable { expression } => {
            if let Expression::Inline(inner) = expression.as_ref() {
                inline_variables(inner, out);
            }
        }
        _ => {}
    }
}

#[test]
fn the_files_parse_without_a_problem() {
    assert_eq!(Catalogue::shared().problems(), &[] as &[String]);
}

#[test]
fn every_message_is_in_every_language_with_the_same_placeholders() {
    let english = messages(Language::En);
    assert!(english.len() > 300, "{} messages", english.len());
    for language in Language::ALL {
        let theirs = messages(language);
        for (id, vars) in &english {
            assert_eq!(
                theirs.get(id),
                Some(vars),
                "{language}: {id} is missing or has other placeholders"
            );
        }
        let extra: Vec<_> = theirs
            .keys()
            .filter(|k| !english.contains_key(*k))
            .collect();
        assert!(
            extra.is_empty(),
            "{language} has messages English lacks: {extra:?}"
        );
    }
}

#[test]
fn every_text_the_contract_names_has_a_key() {
    let catalogue = Catalogue::shared();
    let mut keys = vec![];
    for template in crate::checklists::TEMPLATES {
        let title = format!("checklist.title.{}", template.id);
        assert_eq!(Language::En.t(&title), template.title, "{title} drifted");
        for step in template.steps {
            let key = format!("checklist.step.{}", step.id);
            assert_eq!(Language::En.t(&key), step.text, "{key} drifted");
            keys.push(key);
        }
    }
    for instrument in crate::risk::INSTRUMENTS {
        for indicator in instrument.indicators {
            let key = format!("risk.indicator.{}", indicator.id);
            assert_eq!(Language::En.t(&key), indicator.text, "{key} drifted");
        }
    }
    for kind in [
        AlertKind::Missing,
        AlertKind::AbsenceDecision,
        AlertKind::OverdueStep,
        AlertKind::StrategyMeeting,
        AlertKind::Unacknowledged,
        AlertKind::FoundEscalation,
        AlertKind::RiskReview,
    ] {
        keys.push(format!("alerts.kind.{}", kind.as_str()));
    }
    for item in PackItemKind::ALL {
        let key = format!("pack.item.{}", item.key());
        assert_eq!(Language::En.t(&key), item.label(), "{key} drifted");
        keys.push(key);
    }
    for (field, _) in crate::case::PROFILE_FIELDS {
        keys.push(format!("profile-{field}"));
    }
    for kind in crate::case::OBSERVATION_KINDS {
        keys.push(format!("observation-{kind}"));
    }
    for kind in crate::sharing::CONTRIBUTION_KINDS {
        keys.push(format!("contribution-{kind}"));
    }
    for code in crate::errors::ErrorCode::ALL {
        keys.push(format!("error-code-{}", code.as_str()));
    }
    for basis in crate::case::LEGAL_BASES {
        keys.push(format!("legal-basis-{basis}"));
    }
    for state in crate::case::EpisodeState::ALL {
        keys.push(format!("state-{}", state.as_str()));
    }
    for level in crate::case::RISK_LEVELS {
        keys.push(format!("risk-{level}"));
    }
    keys.extend(
        [
            "legal-basis-withdrawn",
            "referral-cross_border",
            "referral-referral",
        ]
        .map(String::from),
    );
    for month in 1..=12 {
        keys.push(format!("month-{month}"));
    }
    for language in Language::ALL {
        for key in &keys {
            assert!(catalogue.has(language, key), "{language} lacks {key}");
        }
    }
}

#[test]
fn languages_parse_from_codes_headers_and_countries() {
    assert_eq!(Language::parse("fr-FR"), Some(Language::Fr));
    assert_eq!(Language::parse("EL"), Some(Language::El));
    assert_eq!(Language::parse("nl_BE"), Some(Language::Nl));
    assert_eq!(Language::parse("de"), None);
    assert_eq!(
        Language::from_accept_language("de-DE, it;q=0.8, en;q=0.5"),
        Some(Language::It)
    );
    assert_eq!(
        Language::from_accept_language("en;q=0.4, el"),
        Some(Language::El)
    );
    assert_eq!(Language::from_accept_language("de, pt"), None);
    assert_eq!(Language::of_country("gr"), Language::El);
    assert_eq!(Language::of_country("BE"), Language::Nl);
    assert_eq!(Language::of_country("IT"), Language::It);
    assert_eq!(Language::of_country("DE"), Language::En);
    assert_eq!(serde_json::to_string(&Language::El).unwrap(), "\"el\"");
}

#[test]
fn texts_fill_without_isolation_marks_and_choose_plurals() {
    assert_eq!(
        Language::Fr.fill("cases.count", &[("n", "3")]),
        "3 dossiers"
    );
    assert_eq!(Language::En.fill("cases.count", &[("n", "1")]), "1 case");
    assert_eq!(Language::El.fill("cases.count", &[("n", "2")]), "2 φάκελοι");
    assert_eq!(
        Language::El.fill("alerts.photo_of", &[("name", "Abena")]),
        "Φωτογραφία του/της Abena"
    );
    // A reference with a leading zero stays text, not the number 7.
    assert_eq!(
        Language::En.fill("view.title", &[("r", "007")]),
        "Shared case 007"
    );
    assert_eq!(Language::It.t("nav-alerts"), "Allerte");
    assert_eq!(Language::Nl.t("no-such-key"), "?");
    assert_eq!(Language::El.label("profile-", "nationality"), "Ιθαγένεια");
    assert_eq!(Language::It.label("profile-", "shoe_size"), "shoe_size");
}

#[test]
fn dates_and_numbers_read_as_each_language_writes_them() {
    let at = 1_795_852_800_000 + 5 * 60_000;
    assert_eq!(Language::En.date_time(at), "28 Nov 2026, 08:05 UTC");
    assert_eq!(Language::Fr.date_time(at), "28 nov. 2026, 08:05 UTC");
    assert_eq!(Language::El.date(at), "28 Νοε 2026");
    assert_eq!(Language::Nl.short_date_time(at), "28 nov 08:05");
    assert_eq!(Language::It.date(0), "1 gen 1970");
    assert_eq!(Language::Nl.decimal(2.5, 1), "2,5");
    assert_eq!(Language::En.decimal(2.5, 2), "2.50");
}
