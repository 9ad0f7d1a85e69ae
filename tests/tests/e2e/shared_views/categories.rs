//! One share per data category of a fully recorded case: each view holds exactly what the
//! category table says (the contract's projection of the case as the server reads it), no
//! profile register, observation kind or episode detail of another category, and never who
//! on the sharing side typed an entry.

use std::collections::BTreeSet;

use casesync_contract::case::{
    self, CaseDocument, CaseLog, LegalBasis, Millis, Observation, Referral, RiskAssessment, Str,
    Whole, EPISODE_DETAIL_KEYS, OBSERVATION_KINDS, PROFILE_FIELDS,
};
use casesync_contract::risk;
use casesync_contract::sharing::{cover, project};
use casesync_contract::wire::DATA_CATEGORIES;
use casesync_contract::{DocumentId, Role};
use casesync_tests::device::Device;
use casesync_tests::server::{TestServer, T0};
use casesync_tests::storage_test;
use serde_json::{json, Value};

use super::{device_of, read_view, share, view_id};
use crate::authz_world::World;

/// A case with every profile register but the photo, an observation of every kind, an
/// episode whose events carry every detail key, and a risk assessment, legal basis and
/// referral: written by A's coordinator as a phone would.
fn full_case(world: &World) -> (DocumentId, Device) {
    let profile: serde_json::Map<String, Value> = PROFILE_FIELDS
        .iter()
        .filter(|(f, _)| *f != "photo")
        .map(|(f, _)| (f.to_string(), json!(format!("{f} value"))))
        .collect();
    let created = world.expect(
        201,
        "POST",
        "/v1/cases",
        world.coordinator_a(),
        Some(json!({"site": "A1", "profile": profile})),
    );
    let id: DocumentId = created["id"].as_str().unwrap().parse().unwrap();
    let mut phone = device_of(world, world.a.member(Role::Coordinator));
    phone.sync().unwrap();
    let (user, device) = (Str(phone.user_id.clone()), Str(phone.device_id.clone()));
    for (i, kind) in OBSERVATION_KINDS.iter().enumerate() {
        let obs = Observation {
            id: Str(format!("obs-{kind}")),
            kind: Str::from(*kind),
            text: Str(format!("{kind} text")),
            observed_at: Millis(T0 + i as i64),
            place: Some(Str(format!("{kind} place"))),
            author: user.clone(),
            device: device.clone(),
            attachments: None,
            provenance: None,
        };
        case::append(phone.doc(&id), CaseLog::Observations, &obs).unwrap();
    }
    phone.doc(&id).commit();
    let details: Vec<(&str, String)> = EPISODE_DETAIL_KEYS
        .iter()
        .map(|k| (*k, format!("{k} detail")))
        .collect();
    let details: Vec<(&str, &str)> = details.iter().map(|(k, v)| (*k, v.as_str())).collect();
    phone.episode_event_with(&id, "ep-1", "ev-missing", "missing", T0 + 100, &details);
    // Every indicator answered (the health ones too: they travel only with `health`).
    let answers: std::collections::BTreeMap<String, bool> = risk::V1
        .indicators
        .iter()
        .map(|i| (i.id.to_string(), true))
        .collect();
    let risk = RiskAssessment {
        id: Str::from("risk-1"),
        instrument_version: Whole(1),
        advisory_level: Str::from(risk::advisory_level(&answers, risk::DEFAULT_THRESHOLDS)),
        answers,
        level: Str::from("high"),
        reason: Some(Str::from("risk reason")),
        next_review: None,
        confirms: None,
        assessed_at: Millis(T0 + 200),
        author: user.clone(),
        device: device.clone(),
    };
    case::append(phone.doc(&id), CaseLog::RiskAssessments, &risk).unwrap();
    let basis = LegalBasis {
        id: Str::from("lb-1"),
        purpose: Str::from("protection"),
        basis: Str::from("vital_interests"),
        given_by: Str::from("the coordinator"),
        recorded_at: Millis(T0 + 300),
        withdraws: None,
        author: user.clone(),
        device: device.clone(),
    };
    case::append(phone.doc(&id), CaseLog::LegalBases, &basis).unwrap();
    let referral = Referral {
        id: Str::from("ref-1"),
        to: Str::from("the police"),
        sent_at: Millis(T0 + 400),
        legal_basis: Str::from("legal_obligation"),
        categories: vec![Str::from("identity")],
        cross_border: false,
        author: user,
        device,
    };
    case::append(phone.doc(&id), CaseLog::Referrals, &referral).unwrap();
    phone.doc(&id).commit();
    phone.sync().unwrap();
    let errors: Vec<String> = phone
        .last_errors
        .values()
        .map(|e| e.message.clone())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    (id, phone)
}

/// Every key named `key` anywhere in a JSON value.
fn has_key(value: &Value, key: &str) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(k, v)| k == key || has_key(v, key)),
        Value::Array(items) => items.iter().any(|v| has_key(v, key)),
        _ => false,
    }
}

storage_test!(each_category_carries_exactly_what_it_names, |db| {
    let world = World::build(TestServer::start(&db));
    let (id, _phone) = full_case(&world);
    let detail = world.expect(
        200,
        "GET",
        &format!("/v1/cases/{id}"),
        world.coordinator_a(),
        None,
    );
    let case: CaseDocument = serde_json::from_value(detail["case"].clone()).unwrap();
    let partner = world.b.member(Role::Coordinator).token.clone();
    for category in DATA_CATEGORIES {
        let made = share(&world, &id, &[category], None);
        let view = read_view(&world, &view_id(&made), &partner);
        let table = cover(category).expect("every category is in the table");
        let held = serde_json::to_value(&view.case).unwrap();
        // The server holds what the contract's projection of the case says...
        assert_eq!(
            held,
            serde_json::to_value(project(&case, &[category.to_string()])).unwrap(),
            "{category}"
        );
        // ...which is exactly the table's registers and kinds of what the case has.
        let registers: BTreeSet<&str> = view.case.profile.keys().map(String::as_str).collect();
        let expected: BTreeSet<&str> = table
            .profile
            .iter()
            .copied()
            .filter(|f| case.profile.contains_key(*f))
            .collect();
        assert_eq!(registers, expected, "{category}: profile registers");
        let kinds: BTreeSet<&str> = view
            .case
            .observations
            .iter()
            .map(|o| o.kind.as_str())
            .collect();
        let expected: BTreeSet<&str> = table.observation_kinds.iter().copied().collect();
        assert_eq!(kinds, expected, "{category}: observation kinds");
        let facts: BTreeSet<&str> = view.case.facts.keys().map(String::as_str).collect();
        let expected: BTreeSet<&str> = table.episode_details.iter().copied().collect();
        assert_eq!(facts, expected, "{category}: episode facts");
        for (log, present) in [
            ("episodes", !view.case.episodes.is_empty()),
            ("risk_assessments", !view.case.risk_assessments.is_empty()),
            ("legal_bases", !view.case.legal_bases.is_empty()),
            ("referrals", !view.case.referrals.is_empty()),
            ("checklists", !view.case.checklists.is_empty()),
        ] {
            assert_eq!(present, table.logs.contains(&log), "{category}: {log}");
        }
        for staff in ["author", "device"] {
            assert!(
                !has_key(&held, staff),
                "{category}: the view names the sharing side's {staff}"
            );
        }
    }
});
