//! A case with something in every field: every profile register, an observation of every
//! kind, every episode detail key, a photo, a document and a scanned identity card, an
//! assessment answering every indicator, a checklist, a legal basis and a referral. Written
//! by the source organisation's staff, whose ids must never reach a view.

use std::collections::BTreeMap;

use crate::case::{
    AttachmentRef, CaseDocument, Checklist, ChecklistStep, Episode, EpisodeEvent, LegalBasis,
    Millis, Observation, Provenance, Referral, RiskAssessment, Str, Whole, CASE_KIND,
    EPISODE_DETAIL_KEYS, OBSERVATION_KINDS, PROFILE_FIELDS, SCHEMA_VERSION,
};

/// The source organisation's staff: user, device, and a partner's earlier contributor.
pub const STAFF: &[&str] = &[
    "staff-anna",
    "dev-anna-phone",
    "staff-coordinator",
    "dev-office",
    "partner-user-9",
    "partner-dev-9",
];

pub const PHOTO: &str = "aa00000000000000000000000000000000000000000000000000000000000001";
pub const DOCUMENT: &str = "bb00000000000000000000000000000000000000000000000000000000000002";
pub const ID_SCAN: &str = "cc00000000000000000000000000000000000000000000000000000000000003";

fn s(value: &str) -> Str {
    Str::from(value)
}

fn observation(n: usize, kind: &str) -> Observation {
    let attachments = (kind == "sighting").then(|| vec![s(PHOTO), s(DOCUMENT)]);
    Observation {
        id: s(&format!("obs-{kind}")),
        kind: s(kind),
        text: s(&format!("{kind} text")),
        observed_at: Millis(10_000 + n as i64),
        place: Some(s(&format!("{kind} place"))),
        author: s("staff-anna"),
        device: s("dev-anna-phone"),
        attachments,
        provenance: (kind == "note").then(|| Provenance {
            organisation: s("org-partner"),
            user: s("partner-user-9"),
            device: s("partner-dev-9"),
            view: s("view-9"),
            contribution: s("c-9"),
        }),
    }
}

/// One event per detail key, the newest holding `<key> newest` and an older one
/// `<key> older`, so that facts must pick.
fn events() -> Vec<EpisodeEvent> {
    let mut events = vec![];
    for (n, key) in EPISODE_DETAIL_KEYS.iter().enumerate() {
        for (age, at) in [("older", 20_000), ("newest", 30_000)] {
            events.push(EpisodeEvent {
                id: s(&format!("ev-{age}-{n:02}")),
                state: s(if age == "older" { "missing" } else { "located" }),
                observed_at: Millis(at + n as i64),
                author: s("staff-anna"),
                device: s("dev-anna-phone"),
                note: Some(s(&format!("note {age} {key}"))),
                supersedes: None,
                details: Some(BTreeMap::from([
                    (key.to_string(), s(&format!("{key} {age}"))),
                    ("unknown_key".to_string(), s("never shared")),
                ])),
                provenance: None,
            });
        }
    }
    events
}

fn attachment(sha256: &str, media_type: &str, sensitivity: Option<&str>) -> AttachmentRef {
    AttachmentRef {
        sha256: s(sha256),
        size: Whole(1_000),
        media_type: s(media_type),
        captured_at: Millis(5_000),
        author: s("staff-anna"),
        device: s("dev-anna-phone"),
        sensitivity: sensitivity.map(s),
        caption: Some(s(&format!("caption {media_type}"))),
    }
}

pub fn full_case() -> CaseDocument {
    let mut profile: BTreeMap<String, Str> = PROFILE_FIELDS
        .iter()
        .map(|(field, _)| (field.to_string(), s(&format!("{field} value"))))
        .collect();
    profile.insert("photo".into(), s(PHOTO));
    let answers = crate::risk::V1
        .indicators
        .iter()
        .map(|i| (i.id.to_string(), true))
        .collect();
    CaseDocument {
        schema_version: Whole(SCHEMA_VERSION),
        kind: s(CASE_KIND),
        case_id: s("case-secret-id"),
        organisation: s("org-source"),
        site: s("site-secret"),
        jurisdiction: Some(s("IT")),
        created_at: Millis(1_000),
        profile,
        observations: OBSERVATION_KINDS
            .iter()
            .enumerate()
            .map(|(n, kind)| observation(n, kind))
            .collect(),
        episodes: vec![Episode {
            id: s("ep-1"),
            opened_at: Millis(20_000),
            events: events(),
        }],
        risk_assessments: vec![RiskAssessment {
            id: s("risk-1"),
            instrument_version: Whole(1),
            answers,
            advisory_level: s("high"),
            level: s("high"),
            reason: Some(s("risk reason")),
            next_review: Some(Millis(90_000)),
            confirms: None,
            assessed_at: Millis(40_000),
            author: s("staff-coordinator"),
            device: s("dev-office"),
        }],
        checklists: vec![Checklist {
            id: s("check-1"),
            template: s("missing_first_hours"),
            template_version: Whole(1),
            anchor: s("ev-older-00"),
            anchored_at: Millis(20_000),
            steps: BTreeMap::from([(
                "report_to_police".to_string(),
                ChecklistStep {
                    status: s("done"),
                    by: Some(s("staff-coordinator")),
                    at: Some(Millis(21_000)),
                    note: Some(s("step note")),
                },
            )]),
        }],
        legal_bases: vec![LegalBasis {
            id: s("basis-1"),
            purpose: s("search for the child"),
            basis: s("vital_interests"),
            given_by: s("guardian"),
            recorded_at: Millis(2_000),
            withdraws: None,
            author: s("staff-coordinator"),
            device: s("dev-office"),
        }],
        referrals: vec![Referral {
            id: s("ref-1"),
            to: s("org-police"),
            sent_at: Millis(22_000),
            legal_basis: s("legal_obligation"),
            categories: vec![s("identity")],
            cross_border: false,
            author: s("staff-coordinator"),
            device: s("dev-office"),
        }],
        attachments: vec![
            attachment(PHOTO, "image/jpeg", None),
            attachment(DOCUMENT, "application/pdf", None),
            attachment(ID_SCAN, "image/png", Some("identity_document")),
        ],
        ..records()
    }
}

/// One entry in each record log, naming staff everywhere a record can.
fn records() -> CaseDocument {
    serde_json::from_value(serde_json::json!({
        "schema_version": 1, "kind": "case", "case_id": "-", "organisation": "-",
        "site": "-", "created_at": 0, "profile": {}, "observations": [], "episodes": [],
        "risk_assessments": [], "checklists": [], "legal_bases": [], "referrals": [],
        "attachments": [],
        "strategy_meetings": [{"id": "meeting-1", "held_at": 30_000,
            "attendees": ["meeting attendee"], "decisions": ["meeting decision"],
            "actions": [{"id": "action-1", "text": "action text", "owner": "staff-owner",
                "due": 31_000, "done": {"by": "staff-doer", "at": 32_000}}],
            "author": "staff-coordinator", "device": "dev-office"}],
        "wellbeing_checks": [{"id": "wellbeing-1", "episode": "ep-1", "checked_at": 33_000,
            "outcome": "safe_and_well", "note": "wellbeing note",
            "author": "staff-coordinator", "device": "dev-office"}],
        "return_interviews": [{"id": "interview-1", "episode": "ep-1", "held_at": 34_000,
            "interviewer": "independent interviewer", "independent": true,
            "outcome": "interview outcome", "author": "staff-coordinator",
            "device": "dev-office"}],
        "nrm_referrals": [{"id": "nrm-1", "referred_at": 35_000, "authority": "nrm authority",
            "grounds": "nrm grounds", "author": "staff-coordinator", "device": "dev-office"}],
        "police_instruments": [{"id": "police-1", "instrument": "sis_alert",
            "requested_at": 36_000, "reference": "SIS-REF", "author": "staff-coordinator",
            "device": "dev-office"}],
        "notifications": [{"id": "notice-1", "party": "guardian", "to": "guardian name",
            "about": "missing", "sent_at": 37_000, "author": "staff-coordinator",
            "device": "dev-office"}],
    }))
    .unwrap()
}
