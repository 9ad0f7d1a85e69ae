//! The risk instrument: DOMAIN.md's risk indicators as versioned data, and the advisory
//! level they suggest. The score advises, a person decides: an assessment records the level
//! someone set and, when it differs from the advisory level, why.
//!
//! The indicators are the handbook's. The weights (equal, one point each) and the thresholds
//! are this project's, not the handbook's: the handbook gives no scoring. Each organisation
//! may set its thresholds (`risk_medium_from`, `risk_high_from` in its alert rules); these
//! are the defaults. A new wording, indicator or weight is a new instrument version; an
//! assessment keeps the version it was made with and reads with it.

use std::collections::BTreeMap;

/// One indicator: its id (the key in `answers`) and what it asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Indicator {
    pub id: &'static str,
    pub text: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instrument {
    pub version: i64,
    pub indicators: &'static [Indicator],
}

const fn indicator(id: &'static str, text: &'static str) -> Indicator {
    Indicator { id, text }
}

pub const V1: Instrument = Instrument {
    version: 1,
    indicators: &[
        indicator(
            "arrived_via_smugglers",
            "Arrived via smugglers, or with a group whose members already disappeared",
        ),
        indicator(
            "wants_to_reach_family_abroad",
            "Wants to reach family or friends in another country",
        ),
        indicator(
            "discouraged_by_procedures",
            "Discouraged by asylum or reunification procedures",
        ),
        indicator(
            "fears_return_or_transfer",
            "Fears return or a Dublin transfer",
        ),
        indicator("distrusts_institutions", "Distrusts institutions"),
        indicator("controlled_or_intimidated", "Controlled or intimidated"),
        indicator(
            "with_unrelated_adults",
            "Travels with, or is \"found\" by, unrelated adults",
        ),
        indicator(
            "unexplained_money_or_phone",
            "Unexplained money, phone or clothes",
        ),
        indicator("calls_from_unknown_adults", "Calls from unknown adults"),
        indicator("out_of_education", "Out of education"),
        indicator("adult_work", "Adult work"),
        indicator("substance_misuse", "Substance misuse"),
        indicator("health_needs_or_medication", "Health needs or medication"),
        indicator("previous_episodes", "Previous episodes"),
    ],
};

pub const INSTRUMENTS: &[Instrument] = &[V1];

pub fn instrument(version: i64) -> Option<&'static Instrument> {
    INSTRUMENTS.iter().find(|i| i.version == version)
}

/// Scores from which the advisory level is `medium` and `high` (indicators answered yes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    pub medium_from: i64,
    pub high_from: i64,
}

/// The project's defaults: a fifth of the indicators for medium, more than two fifths for
/// high.
pub const DEFAULT_THRESHOLDS: Thresholds = Thresholds {
    medium_from: 3,
    high_from: 6,
};

/// How many indicators were answered yes (equal weights).
pub fn score(answers: &BTreeMap<String, bool>) -> i64 {
    answers.values().filter(|yes| **yes).count() as i64
}

/// The level the answers suggest under `thresholds`.
pub fn advisory_level(answers: &BTreeMap<String, bool>, thresholds: Thresholds) -> &'static str {
    let score = score(answers);
    if score >= thresholds.high_from {
        "high"
    } else if score >= thresholds.medium_from {
        "medium"
    } else {
        "low"
    }
}

/// Why `answers` cannot belong to an assessment made with instrument `version`.
pub fn check_answers(version: i64, answers: &BTreeMap<String, bool>) -> Result<(), String> {
    let Some(instrument) = instrument(version) else {
        return Err(format!("risk instrument version {version} is not known"));
    };
    match answers
        .keys()
        .find(|k| !instrument.indicators.iter().any(|i| i.id == k.as_str()))
    {
        Some(unknown) => Err(format!(
            "{unknown} is not an indicator of risk instrument version {version}"
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(yes: &[&str]) -> BTreeMap<String, bool> {
        V1.indicators
            .iter()
            .map(|i| (i.id.to_string(), yes.contains(&i.id)))
            .collect()
    }

    #[test]
    fn the_instrument_has_domain_s_fourteen_indicators_once_each() {
        assert_eq!(V1.indicators.len(), 14);
        let mut ids: Vec<&str> = V1.indicators.iter().map(|i| i.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 14);
    }

    #[test]
    fn the_advisory_level_follows_the_thresholds() {
        let ids: Vec<&str> = V1.indicators.iter().map(|i| i.id).collect();
        for (yes, level) in [
            (0, "low"),
            (2, "low"),
            (3, "medium"),
            (5, "medium"),
            (6, "high"),
            (14, "high"),
        ] {
            assert_eq!(
                advisory_level(&answers(&ids[..yes]), DEFAULT_THRESHOLDS),
                level,
                "{yes} yes"
            );
        }
        let strict = Thresholds {
            medium_from: 1,
            high_from: 2,
        };
        assert_eq!(advisory_level(&answers(&ids[..1]), strict), "medium");
        // A `no` answer scores nothing.
        let mut all_no = answers(&[]);
        all_no.insert("previous_episodes".into(), false);
        assert_eq!(score(&all_no), 0);
    }

    #[test]
    fn answers_name_indicators_of_their_version() {
        assert_eq!(check_answers(1, &answers(&["adult_work"])), Ok(()));
        let mut odd = answers(&[]);
        odd.insert("likes_football".into(), true);
        assert!(check_answers(1, &odd)
            .unwrap_err()
            .contains("likes_football"));
        assert!(check_answers(9, &answers(&[]))
            .unwrap_err()
            .contains("version 9"));
    }
}

/// The case's current risk assessment as people must act on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskStatus {
    /// The latest assessment that is not itself a confirmation.
    pub assessment_id: String,
    pub score: i64,
    /// Computed here, with the organisation's thresholds (not what the device wrote).
    pub advisory: &'static str,
    pub level: String,
    /// The level differs from the advisory level and nobody recorded why.
    pub reason_missing: bool,
    /// Set by someone who is not a coordinator and not yet confirmed by one.
    pub awaiting_confirmation: bool,
    /// Who confirmed it, if a coordinator did.
    pub confirmed_by: Option<String>,
    pub next_review: Option<i64>,
    /// Made with an instrument version this build does not know.
    pub unknown_instrument: bool,
}

/// The status of the latest assessment of `assessments`; `is_coordinator` says whether a
/// user id is a coordinator's (the server knows roles, the document does not).
pub fn risk_status(
    assessments: &[crate::case::RiskAssessment],
    thresholds: Thresholds,
    is_coordinator: impl Fn(&str) -> bool,
) -> Option<RiskStatus> {
    let latest = assessments
        .iter()
        .filter(|a| a.confirms.is_none())
        .max_by_key(|a| (a.assessed_at, a.id.0.clone()))?;
    let confirmed_by = assessments
        .iter()
        .filter(|a| a.confirms.as_ref().is_some_and(|c| c.0 == latest.id.0))
        .find(|a| is_coordinator(a.author.as_str()))
        .map(|a| a.author.0.clone());
    let advisory = advisory_level(&latest.answers, thresholds);
    Some(RiskStatus {
        assessment_id: latest.id.0.clone(),
        score: score(&latest.answers),
        advisory,
        level: latest.level.0.clone(),
        reason_missing: latest.level.as_str() != advisory
            && latest
                .reason
                .as_ref()
                .is_none_or(|r| r.as_str().trim().is_empty()),
        awaiting_confirmation: !is_coordinator(latest.author.as_str()) && confirmed_by.is_none(),
        confirmed_by,
        next_review: latest.next_review.map(|m| m.0),
        unknown_instrument: instrument(latest.instrument_version.0).is_none(),
    })
}

#[cfg(test)]
#[path = "risk_status_tests.rs"]
mod status_tests;
