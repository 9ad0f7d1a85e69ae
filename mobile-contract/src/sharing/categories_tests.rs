//! The category table covers the whole case, names only what exists, and agrees with the
//! category names the wire types list. A field added to the case later fails
//! `every_field_of_the_case_is_header_or_covered` until a category covers it.

use std::collections::BTreeSet;

use super::categories::{cover, AttachmentCover, CATEGORY_TABLE, HEADER_FIELDS};
use crate::case::{CaseDocument, CaseLog, EPISODE_DETAIL_KEYS, OBSERVATION_KINDS, PROFILE_FIELDS};
use crate::permissions::{root_zone, Zone};
use crate::views::found::{CRIME_DETAIL, EXPLOITATION_DETAIL, MENTAL_HEALTH_DETAIL};
use crate::wire::{DATA_CATEGORIES, SPECIAL_CATEGORIES};

/// Root logs a category may cover whole; observations and attachments are covered by kind.
const WHOLE_LOGS: &[&str] = &[
    "episodes",
    "risk_assessments",
    "checklists",
    "legal_bases",
    "referrals",
    "strategy_meetings",
    "wellbeing_checks",
    "return_interviews",
    "nrm_referrals",
    "police_instruments",
    "notifications",
];

fn covered<'a>(field: impl Fn(&super::CategoryCover) -> &'a [&'a str]) -> BTreeSet<&'a str> {
    CATEGORY_TABLE
        .iter()
        .flat_map(|c| field(c).iter().copied())
        .collect()
}

/// The root keys of a case document, as its JSON schema (so its type) says.
fn root_fields() -> Vec<String> {
    let schema = schemars::schema_for!(CaseDocument).to_value();
    schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

#[test]
fn the_wire_lists_are_the_table() {
    let names: Vec<&str> = CATEGORY_TABLE.iter().map(|c| c.category).collect();
    assert_eq!(names, DATA_CATEGORIES);
    let special: Vec<&str> = CATEGORY_TABLE
        .iter()
        .filter(|c| c.special)
        .map(|c| c.category)
        .collect();
    assert_eq!(special, SPECIAL_CATEGORIES);
    for name in DATA_CATEGORIES {
        assert_eq!(cover(name).map(|c| c.category), Some(*name));
    }
    assert_eq!(cover("everything"), None);
}

#[test]
fn the_table_names_only_what_the_case_has() {
    let profile: BTreeSet<&str> = PROFILE_FIELDS.iter().map(|(f, _)| *f).collect();
    let indicators: BTreeSet<&str> = crate::risk::INSTRUMENTS
        .iter()
        .flat_map(|i| i.indicators.iter().map(|i| i.id))
        .collect();
    for c in CATEGORY_TABLE {
        let name = c.category;
        assert!(
            !c.description.is_empty() && !c.description.contains('\n'),
            "{name}"
        );
        for field in c.profile {
            assert!(
                profile.contains(field),
                "{name}: no profile register {field}"
            );
        }
        for log in c.logs {
            assert!(WHOLE_LOGS.contains(log), "{name}: {log} is not a whole log");
            assert!(
                CaseLog::ALL.iter().any(|l| l.key() == *log),
                "{name}: {log}"
            );
        }
        for kind in c.observation_kinds {
            assert!(OBSERVATION_KINDS.contains(kind), "{name}: {kind}");
        }
        for key in c.episode_details {
            assert!(EPISODE_DETAIL_KEYS.contains(key), "{name}: {key}");
        }
        for indicator in c.risk_indicators {
            assert!(indicators.contains(indicator), "{name}: {indicator}");
        }
    }
    let mut names: Vec<&str> = CATEGORY_TABLE.iter().map(|c| c.category).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(
        names.len(),
        CATEGORY_TABLE.len(),
        "a category is listed twice"
    );
}

#[test]
fn every_field_of_the_case_is_header_or_covered() {
    let profile = covered(|c| c.profile);
    let kinds = covered(|c| c.observation_kinds);
    let logs = covered(|c| c.logs);
    let attachments: BTreeSet<_> = CATEGORY_TABLE
        .iter()
        .map(|c| format!("{:?}", c.attachments))
        .collect();
    let mut uncovered = vec![];
    for field in root_fields() {
        let is_covered = match field.as_str() {
            f if HEADER_FIELDS.contains(&f) => true,
            "profile" => PROFILE_FIELDS.iter().all(|(f, _)| profile.contains(f)),
            "observations" => OBSERVATION_KINDS.iter().all(|k| kinds.contains(k)),
            "attachments" => [AttachmentCover::Images, AttachmentCover::Documents]
                .iter()
                .all(|a| attachments.contains(&format!("{a:?}"))),
            "episodes" => {
                let details = covered(|c| c.episode_details);
                logs.contains("episodes") && EPISODE_DETAIL_KEYS.iter().all(|k| details.contains(k))
            }
            log => logs.contains(log),
        };
        if !is_covered {
            uncovered.push(field);
        }
    }
    assert!(
        uncovered.is_empty(),
        "no data category covers {uncovered:?}: add them to a category of \
         sharing::CATEGORY_TABLE (and to the projection), or to HEADER_FIELDS"
    );
}

#[test]
fn every_register_kind_and_detail_key_has_a_category() {
    let profile = covered(|c| c.profile);
    let kinds = covered(|c| c.observation_kinds);
    let details = covered(|c| c.episode_details);
    for (field, _) in PROFILE_FIELDS {
        assert!(profile.contains(field), "profile.{field}");
    }
    for kind in OBSERVATION_KINDS {
        assert!(kinds.contains(kind), "observation kind {kind}");
    }
    for key in EPISODE_DETAIL_KEYS {
        assert!(details.contains(key), "episode detail {key}");
    }
    for flag in [CRIME_DETAIL, MENTAL_HEALTH_DETAIL, EXPLOITATION_DETAIL] {
        assert!(EPISODE_DETAIL_KEYS.contains(&flag), "{flag}");
    }
}

#[test]
fn header_fields_are_the_identity_of_the_case() {
    let roots = root_fields();
    for field in HEADER_FIELDS {
        assert!(
            roots.iter().any(|r| r == field),
            "{field} is not a root key"
        );
        assert!(
            matches!(root_zone(field), Zone::Identity | Zone::Jurisdiction),
            "{field}"
        );
    }
}

#[test]
fn special_categories_are_flagged() {
    for name in ["health", "ethnicity", "religion", "biometrics"] {
        assert!(cover(name).unwrap().special, "{name}");
    }
    let health = cover("health").unwrap();
    assert!(health.episode_details.contains(&"condition"));
    for name in ["ethnicity", "religion", "biometrics"] {
        let c = cover(name).unwrap();
        assert!(c.profile.is_empty() && c.logs.is_empty() && c.episode_details.is_empty());
        assert!(c.description.contains("no field of shape v1"), "{name}");
    }
    let ordinary: Vec<&str> = CATEGORY_TABLE
        .iter()
        .filter(|c| !c.special)
        .map(|c| c.category)
        .collect();
    assert!(!ordinary.contains(&"health"));
}
