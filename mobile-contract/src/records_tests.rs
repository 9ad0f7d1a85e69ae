use serde_json::json;

use super::*;
use crate::case::{edit::record_logs_change, missing_record_logs, CaseLog};

const T0: i64 = 1_795_852_800_000;
const HOUR: i64 = 3_600_000;

/// A case with one episode `ep-1` and its missing and found checklists, plus `records`.
fn case(records: serde_json::Value) -> CaseDocument {
    let mut value = json!({
        "schema_version": 1, "kind": "case", "case_id": "c", "organisation": "o", "site": "s",
        "created_at": T0, "profile": {}, "observations": [], "episodes": [],
        "risk_assessments": [], "legal_bases": [], "referrals": [], "attachments": [],
        "checklists": [
            {"id": "m", "template": "missing_first_hours", "template_version": 2,
             "anchor": "ep-1", "anchored_at": T0, "steps": {}},
            {"id": "f", "template": "found_or_returned", "template_version": 2,
             "anchor": "ep-1", "anchored_at": T0 + HOUR, "steps": {}},
            {"id": "i", "template": "intake", "template_version": 1,
             "anchor": "intake", "anchored_at": T0, "steps": {}},
        ],
    });
    for (key, entries) in records.as_object().unwrap() {
        value[key] = entries.clone();
    }
    serde_json::from_value(value).unwrap()
}

fn status(case: &CaseDocument, checklist: &str, step: &str) -> &'static str {
    let checklist = case.checklists.iter().find(|c| c.id.as_str() == checklist);
    step_status(case, checklist.unwrap(), step, None)
}

fn notification(id: &str, party: &str, to: &str, about: &str, at: i64) -> serde_json::Value {
    json!({"id": id, "episode": "ep-1", "party": party, "to": to, "about": about,
           "sent_at": at, "author": "u", "device": "d"})
}

#[test]
fn each_record_carries_out_its_step_and_nothing_else() {
    let empty = case(json!({}));
    for (checklist, step) in [
        ("m", "report_police"),
        ("m", "record_sis_interpol"),
        ("m", "inform_guardian_social_worker"),
        ("f", "safe_and_well_check"),
        ("f", "return_interview"),
        ("i", "trafficking_referral"),
    ] {
        assert_eq!(status(&empty, checklist, step), "open", "{step}");
    }
    let done = case(json!({
        "police_instruments": [
            {"id": "p1", "episode": "ep-1", "instrument": "police_report", "requested_at": T0,
             "reference": "PR-1", "author": "u", "device": "d"},
            {"id": "p2", "episode": "ep-1", "instrument": "yellow_notice", "requested_at": T0,
             "author": "u", "device": "d"}],
        "wellbeing_checks": [{"id": "w", "episode": "ep-1", "checked_at": T0 + HOUR,
             "outcome": "safe_and_well", "author": "u", "device": "d"}],
        "return_interviews": [{"id": "r", "episode": "ep-1", "held_at": T0 + 2 * HOUR,
             "interviewer": "A. Rossi, Save the Children", "independent": true,
             "outcome": "talked about the route", "author": "u", "device": "d"}],
        "nrm_referrals": [{"id": "n", "referred_at": T0, "authority": "Numero Verde",
             "grounds": "debt bondage", "author": "u", "device": "d"}],
        "notifications": [notification("g", "guardian", "Avv. Bruno", "missing", T0),
                          notification("s", "social_worker", "Dott.ssa Neri", "missing", T0 + 5)],
    }));
    for (checklist, step) in [
        ("m", "report_police"),
        ("m", "record_sis_interpol"),
        ("m", "inform_guardian_social_worker"),
        ("f", "safe_and_well_check"),
        ("f", "return_interview"),
        ("i", "trafficking_referral"),
    ] {
        assert_eq!(status(&done, checklist, step), "done", "{step}");
    }
    let checklist = &done.checklists[0];
    let told = fulfilment(&done, checklist, "inform_guardian_social_worker").unwrap();
    assert_eq!((told.record.as_str(), told.at), ("s", T0 + 5));
    // Steps no record carries out stay as their register says.
    assert_eq!(status(&done, "f", "new_risk_assessment"), "open");
}

#[test]
fn a_dependent_interview_or_another_episode_does_not_count() {
    let case = case(json!({
        "return_interviews": [{"id": "r", "episode": "ep-1", "held_at": T0,
             "interviewer": "the centre's own manager", "independent": false,
             "outcome": "-", "author": "u", "device": "d"}],
        "wellbeing_checks": [{"id": "w", "episode": "ep-0", "checked_at": T0,
             "outcome": "safe_and_well", "author": "u", "device": "d"}],
        "notifications": [notification("g", "guardian", "Avv. Bruno", "missing", T0)],
    }));
    assert_eq!(status(&case, "f", "return_interview"), "open");
    assert_eq!(status(&case, "f", "safe_and_well_check"), "open");
    // Only the guardian was told: the social worker still must be.
    assert_eq!(status(&case, "m", "inform_guardian_social_worker"), "open");
}

#[test]
fn every_party_told_of_the_absence_is_told_of_the_return() {
    let told = [
        notification("g", "guardian", "Avv. Bruno", "missing", T0),
        notification("h", "hotline_116000", "116 000 Italia", "missing", T0),
    ];
    let half = case(json!({"notifications": [told[0], told[1],
        notification("g2", "guardian", "avv. bruno ", "found", T0 + HOUR)]}));
    assert_eq!(
        parties_to_tell_again(&half, "ep-1"),
        vec![("hotline_116000".to_string(), "116 000 Italia".to_string())]
    );
    assert_eq!(status(&half, "f", "tell_notified_parties"), "open");
    let all = case(json!({"notifications": [told[0], told[1],
        notification("g2", "guardian", "Avv. Bruno", "found", T0 + HOUR),
        notification("h2", "hotline_116000", "116 000 Italia", "found", T0 + HOUR)]}));
    assert!(parties_to_tell_again(&all, "ep-1").is_empty());
    assert_eq!(status(&all, "f", "tell_notified_parties"), "done");
}

#[test]
fn undone_meeting_actions_are_overdue_after_their_due_time() {
    let meeting = |done: serde_json::Value| {
        case(json!({"strategy_meetings": [{"id": "sm", "held_at": T0,
            "attendees": ["M. Conti, police"], "decisions": ["daily check-ins"],
            "actions": [{"id": "a1", "text": "call the guardian", "owner": "user-7",
                         "due": T0 + HOUR, "done": done}],
            "author": "u", "device": "d"}]}))
    };
    let open = meeting(serde_json::Value::Null);
    assert!(
        overdue_actions(&open, T0 + HOUR, 0).is_empty(),
        "due, not overdue"
    );
    let late = overdue_actions(&open, T0 + HOUR + 1, 0);
    assert_eq!(late.len(), 1);
    assert_eq!((late[0].owner.as_str(), late[0].due), ("user-7", T0 + HOUR));
    assert!(
        overdue_actions(&open, T0 + HOUR + 1, 5).is_empty(),
        "within grace"
    );
    let done = meeting(json!({"by": "user-7", "at": T0 + 2 * HOUR}));
    assert!(overdue_actions(&done, T0 + 3 * HOUR, 0).is_empty());
}

#[test]
fn the_record_logs_change_is_the_same_bytes_everywhere() {
    let a = record_logs_change("case-1", &CaseLog::RECORDS).unwrap();
    let b = record_logs_change("case-1", &CaseLog::RECORDS).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, record_logs_change("case-2", &CaseLog::RECORDS).unwrap());
    let mut doc = automerge::AutoCommit::new();
    doc.load_incremental(&a).unwrap();
    doc.load_incremental(&b).unwrap();
    assert!(missing_record_logs(&doc).is_empty());
    assert_eq!(doc.get_changes(&[]).len(), 1, "one change, applied once");
}
