//! One test per category: the full case projected with exactly that category holds what
//! the expectations below say (written out by hand, not read from the table) and nothing
//! else, and no id of the source organisation's staff. Then the rules across categories.

use std::collections::BTreeSet;

use serde_json::Value;

use super::categories::CATEGORY_TABLE;
use super::fixture::{full_case, DOCUMENT, ID_SCAN, PHOTO, STAFF};
use super::project::project;
use super::view::SharedCase;
use crate::case::CaseLog;
use crate::wire::DATA_CATEGORIES;

struct Expect {
    profile: &'static [&'static str],
    kinds: &'static [&'static str],
    details: &'static [&'static str],
    logs: &'static [&'static str],
    attachments: &'static [&'static str],
}

const NOTHING: Expect = Expect {
    profile: &[],
    kinds: &[],
    details: &[],
    logs: &[],
    attachments: &[],
};

fn categories(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

fn set<'a>(values: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    values.into_iter().map(str::to_string).collect()
}

fn keys(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// No key naming a writer, anywhere; no id of the source's staff or of the case itself.
fn assert_nobody_named(value: &Value) {
    fn walk(value: &Value, path: &str) {
        match value {
            Value::Object(map) => {
                for (key, inner) in map {
                    assert!(
                        !["author", "device", "by", "provenance"].contains(&key.as_str()),
                        "{path}.{key} names a writer"
                    );
                    walk(inner, &format!("{path}.{key}"));
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, &format!("{path}[]"))),
            _ => {}
        }
    }
    walk(value, "case");
    let text = value.to_string();
    for secret in STAFF
        .iter()
        .chain(&["case-secret-id", "site-secret", "org-source"])
    {
        assert!(!text.contains(secret), "the view names {secret}");
    }
}

fn check_category(category: &str, expect: &Expect) {
    let shared = project(&full_case(), &categories(&[category]));
    let view = serde_json::to_value(&shared).unwrap();
    assert_nobody_named(&view);
    assert_eq!(keys(&view["profile"]), set(expect.profile.iter().copied()));
    let kinds = view["observations"].as_array().unwrap();
    let kinds = set(kinds.iter().map(|o| o["kind"].as_str().unwrap()));
    assert_eq!(kinds, set(expect.kinds.iter().copied()));
    assert_eq!(keys(&view["facts"]), set(expect.details.iter().copied()));
    for (key, fact) in view["facts"].as_object().unwrap() {
        assert_eq!(fact["value"], format!("{key} newest"), "the newest value");
    }
    let sha = view["attachments"].as_array().unwrap();
    let sha = set(sha.iter().map(|a| a["sha256"].as_str().unwrap()));
    assert_eq!(sha, set(expect.attachments.iter().copied()));
    for log in [
        "episodes",
        "risk_assessments",
        "checklists",
        "legal_bases",
        "referrals",
    ] {
        let carried = !view[log].as_array().unwrap().is_empty();
        assert_eq!(carried, expect.logs.contains(&log), "{log}");
    }
    for log in CaseLog::RECORDS.map(CaseLog::key) {
        let carried = view["records"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["log"] == log);
        assert_eq!(carried, expect.logs.contains(&log), "{log}");
    }
    for event in view["episodes"][0]["events"]
        .as_array()
        .into_iter()
        .flatten()
    {
        for key in keys(&event["details"]) {
            assert!(expect.details.contains(&key.as_str()), "details.{key}");
        }
    }
    let holds_nothing = expect.profile.is_empty()
        && expect.kinds.is_empty()
        && expect.details.is_empty()
        && expect.logs.is_empty()
        && expect.attachments.is_empty();
    assert_eq!(shared.is_empty(), holds_nothing);
}

macro_rules! category_tests {
    ($($test:ident: $category:literal => $expect:expr,)*) => {
        $(
            #[test]
            fn $test() {
                check_category($category, &$expect);
            }
        )*
        const TESTED: &[&str] = &[$($category),*];
    };
}

category_tests! {
    identity: "identity" => Expect {
        profile: &[
            "given_name", "family_name", "aliases", "sex", "date_of_birth", "estimated_age",
            "nationality", "languages", "legal_identifiers",
        ],
        ..NOTHING
    },
    contact: "contact" => Expect { profile: &["phone_numbers", "social_media"], ..NOTHING },
    physical_description: "physical_description" => Expect {
        profile: &["physical_description", "marks"],
        details: &["clothing"],
        ..NOTHING
    },
    photos: "photos" => Expect { profile: &["photo"], attachments: &[PHOTO], ..NOTHING },
    family: "family" => Expect {
        profile: &["family_and_associates", "guardian", "social_worker"],
        details: &["last_seen_with"],
        ..NOTHING
    },
    location: "location" => Expect {
        profile: &["intended_destination", "arrived_at"],
        kinds: &["sighting"],
        details: &["last_seen_place", "found_place"],
        ..NOTHING
    },
    asylum_status: "asylum_status" => Expect {
        profile: &["asylum_status", "dublin_status"],
        ..NOTHING
    },
    episodes: "episodes" => Expect {
        logs: &["episodes"],
        details: &["police_reference", "found_by"],
        ..NOTHING
    },
    risk_assessment: "risk_assessment" => Expect {
        logs: &["risk_assessments"],
        kinds: &["indicator", "concern"],
        details: &["police_risk_grade", "victim_of_crime", "sexual_exploitation_risk"],
        ..NOTHING
    },
    observations: "observations" => Expect { kinds: &["contact", "note"], ..NOTHING },
    documents: "documents" => Expect { attachments: &[DOCUMENT, ID_SCAN], ..NOTHING },
    response: "response" => Expect { logs: &["checklists"], ..NOTHING },
    response_records: "response_records" => Expect {
        logs: &["police_instruments", "notifications", "wellbeing_checks"],
        ..NOTHING
    },
    casework_records: "casework_records" => Expect {
        logs: &["strategy_meetings", "return_interviews", "nrm_referrals"],
        ..NOTHING
    },
    legal_bases: "legal_bases" => Expect { logs: &["legal_bases"], ..NOTHING },
    referrals: "referrals" => Expect { logs: &["referrals"], ..NOTHING },
    health: "health" => Expect { details: &["condition", "mental_health_needs"], ..NOTHING },
    ethnicity: "ethnicity" => NOTHING,
    religion: "religion" => NOTHING,
    biometrics: "biometrics" => NOTHING,
}

#[test]
fn every_category_has_its_test() {
    assert_eq!(TESTED, DATA_CATEGORIES);
}

#[test]
fn every_log_the_table_names_is_carried_by_the_view() {
    let everything = categories(DATA_CATEGORIES);
    let view = serde_json::to_value(project(&full_case(), &everything)).unwrap();
    for log in CATEGORY_TABLE.iter().flat_map(|c| c.logs) {
        let carried = view[log].as_array().map(Vec::len).unwrap_or_default();
        let records = view["records"].as_array().unwrap();
        let recorded = records.iter().filter(|r| r["log"] == *log).count();
        assert!(carried + recorded > 0, "the view has no {log}");
    }
}

#[test]
fn everything_shared_still_names_nobody() {
    let shared = project(&full_case(), &categories(DATA_CATEGORIES));
    assert_nobody_named(&serde_json::to_value(&shared).unwrap());
    assert_eq!(shared.observations.len(), 5);
    assert_eq!(shared.attachments.len(), 3);
}

#[test]
fn health_indicators_travel_only_with_health() {
    let answers = |names: &[&str]| -> BTreeSet<String> {
        let shared = project(&full_case(), &categories(names));
        shared.risk_assessments[0].answers.keys().cloned().collect()
    };
    let health = ["health_needs_or_medication", "substance_misuse"];
    let without = answers(&["risk_assessment"]);
    assert_eq!(
        without.len(),
        crate::risk::V1.indicators.len() - health.len()
    );
    assert!(health.iter().all(|h| !without.contains(*h)));
    let with = answers(&["risk_assessment", "health"]);
    assert_eq!(with.len(), crate::risk::V1.indicators.len());
    assert!(project(&full_case(), &categories(&["health"]))
        .risk_assessments
        .is_empty());
}

#[test]
fn an_observation_names_only_the_attachments_the_view_carries() {
    let sighting = |names: &[&str]| {
        let shared = project(&full_case(), &categories(names));
        shared.observations[0].attachments.clone()
    };
    assert_eq!(sighting(&["location"]), None);
    let hashes = |h: &[&str]| Some(h.iter().map(|h| crate::case::Str::from(*h)).collect());
    assert_eq!(sighting(&["location", "photos"]), hashes(&[PHOTO]));
    assert_eq!(sighting(&["location", "documents"]), hashes(&[DOCUMENT]));
    assert_eq!(
        sighting(&["location", "photos", "documents"]),
        hashes(&[PHOTO, DOCUMENT])
    );
}

#[test]
fn shared_episodes_carry_the_details_of_every_shared_category() {
    let shared = project(&full_case(), &categories(&["episodes", "location"]));
    let details: BTreeSet<String> = shared.episodes[0]
        .events
        .iter()
        .flat_map(|e| e.details.iter().flatten().map(|(k, _)| k.clone()))
        .collect();
    let expected = [
        "police_reference",
        "found_by",
        "last_seen_place",
        "found_place",
    ];
    assert_eq!(details, set(expected));
    assert_eq!(
        shared.facts.len(),
        4,
        "facts are filled when episodes are shared"
    );
    let events = &shared.episodes[0].events;
    assert_eq!(
        events.len(),
        22,
        "every event, even one with no shared detail"
    );
    assert!(events
        .windows(2)
        .all(|w| w[0].observed_at <= w[1].observed_at));
}

#[test]
fn the_projection_is_deterministic() {
    let everything = categories(DATA_CATEGORIES);
    let case = full_case();
    assert_eq!(project(&case, &everything), project(&case, &everything));
    let mut shuffled = full_case();
    shuffled.observations.reverse();
    shuffled.attachments.reverse();
    shuffled.episodes[0].events.reverse();
    let mut names = everything.clone();
    names.reverse();
    names.push("identity".into());
    assert_eq!(project(&shuffled, &names), project(&case, &everything));
    let text = |shared: &SharedCase| serde_json::to_string(shared).unwrap();
    assert_eq!(
        text(&project(&shuffled, &names)),
        text(&project(&case, &everything))
    );
}

#[test]
fn unknown_categories_cover_nothing() {
    let case = full_case();
    assert!(project(&case, &categories(&["everything", "IDENTITY"])).is_empty());
    assert_eq!(
        project(&case, &categories(&["contact", "everything"])),
        project(&case, &categories(&["contact"]))
    );
    assert!(SharedCase::default().is_empty());
}
