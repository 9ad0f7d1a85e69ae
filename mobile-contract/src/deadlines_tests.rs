use std::collections::BTreeMap;

use super::*;
use crate::case::{
    Checklist, ChecklistStep, Episode, EpisodeEvent, Millis, Str, Whole, CASE_KIND, SCHEMA_VERSION,
};
use crate::checklists::{for_anchor, TEMPLATES};

const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;
/// 2026-11-28 08:00 UTC.
const T0: i64 = 1_795_852_800_000;

/// Every step of every template with its deadline in minutes, as ../shared/DOMAIN.md gives
/// them: a step missing from this table, or a deadline changed, fails the test.
const DOMAIN_DEADLINES: &[(&str, &str, Option<i64>)] = &[
    ("intake", "register_identify_photo", Some(24 * 60)),
    ("intake", "request_guardian", Some(24 * 60)),
    ("intake", "inform_rights_and_risks", Some(24 * 60)),
    ("intake", "first_risk_assessment", Some(24 * 60)),
    ("intake", "map_family_and_plans", None),
    ("intake", "trafficking_referral", None),
    ("intake", "missing_pack_part1", None),
    ("absence", "search_and_call", None),
    ("absence", "decide_absent_or_missing", None),
    ("missing_first_hours", "report_police", Some(0)),
    ("missing_first_hours", "hand_over_missing_pack", None),
    ("missing_first_hours", "record_police_reference", None),
    ("missing_first_hours", "inform_guardian_social_worker", None),
    ("missing_first_hours", "record_sis_interpol", None),
    ("missing_first_hours", "public_alert_decision", None),
    ("missing_first_hours", "cross_border_notification", None),
    ("found_or_returned", "safe_and_well_check", None),
    ("found_or_returned", "return_interview", Some(72 * 60)),
    ("found_or_returned", "new_risk_assessment", None),
    ("found_or_returned", "escalation_review", None),
    ("found_or_returned", "tell_notified_parties", None),
];

#[test]
fn every_step_has_the_deadline_domain_gives_it() {
    let templates: Vec<(&str, &str, Option<i64>)> = TEMPLATES
        .iter()
        .flat_map(|t| t.steps.iter().map(|s| (t.id, s.id, s.due_minutes)))
        .collect();
    assert_eq!(templates, DOMAIN_DEADLINES);
}

#[test]
fn a_phone_time_that_cannot_be_true_gives_way_to_the_receipt() {
    let received = T0;
    // Believed: a little ahead, or recorded offline days ago.
    assert_eq!(
        anchor_time(T0 + 4 * MIN, Some(received)),
        (T0 + 4 * MIN, Clock::Device)
    );
    assert_eq!(
        anchor_time(T0 - 6 * 24 * HOUR, Some(received)),
        (T0 - 6 * 24 * HOUR, Clock::Device)
    );
    // Not believed: later than the receipt plus five minutes, or more than 7 days before it.
    assert_eq!(
        anchor_time(T0 + 6 * MIN, Some(received)),
        (T0, Clock::Server)
    );
    assert_eq!(
        anchor_time(T0 + 3 * HOUR, Some(received)),
        (T0, Clock::Server)
    );
    assert_eq!(
        anchor_time(T0 - 8 * 24 * HOUR, Some(received)),
        (T0, Clock::Server)
    );
    assert_eq!(anchor_time(0, Some(received)), (T0, Clock::Server));
    // No receipt: nothing to check the phone against.
    assert_eq!(
        anchor_time(T0 + 3 * HOUR, None),
        (T0 + 3 * HOUR, Clock::Device)
    );
}

fn event(id: &str, state: &str, at: i64, supersedes: &[&str]) -> EpisodeEvent {
    EpisodeEvent {
        id: Str::from(id),
        state: Str::from(state),
        observed_at: Millis(at),
        author: Str::from("u"),
        device: Str::from("d"),
        note: None,
        supersedes: Some(supersedes.iter().map(|s| Str::from(*s)).collect()),
        details: None,
        provenance: None,
    }
}

fn checklist(template: &str, anchor: &str, anchored_at: i64) -> Checklist {
    let tpl = crate::checklists::template(template).unwrap();
    Checklist {
        id: Str(format!("{template}-{anchor}")),
        template: Str::from(template),
        template_version: Whole(tpl.version),
        anchor: Str::from(anchor),
        anchored_at: Millis(anchored_at),
        steps: tpl
            .steps
            .iter()
            .map(|s| {
                let open = ChecklistStep {
                    status: Str::from("open"),
                    by: None,
                    at: None,
                    note: None,
                };
                (s.id.to_string(), open)
            })
            .collect(),
    }
}

/// A case whose one episode went through `states` (each event seeing the ones before), with
/// every checklist those states start.
fn case_through(states: &[&str]) -> CaseDocument {
    let mut events: Vec<EpisodeEvent> = Vec::new();
    for (n, state) in states.iter().enumerate() {
        let seen: Vec<String> = events.iter().map(|e| e.id.0.clone()).collect();
        let seen: Vec<&str> = seen.iter().map(String::as_str).collect();
        events.push(event(&format!("ev{n}"), state, T0 + n as i64 * MIN, &seen));
    }
    let mut checklists = vec![checklist("intake", "intake", T0 - 24 * HOUR)];
    let starts = |anchor: Anchor| match anchor {
        Anchor::Absence => ["late", "absent"].as_slice(),
        Anchor::Missing => ["missing"].as_slice(),
        Anchor::Found => ["located", "returned"].as_slice(),
        Anchor::Intake => [].as_slice(),
    };
    for anchor in [Anchor::Absence, Anchor::Missing, Anchor::Found] {
        if states.iter().any(|s| starts(anchor).contains(s)) {
            checklists.push(checklist(for_anchor(anchor).id, "ep1", T0));
        }
    }
    CaseDocument {
        schema_version: Whole(SCHEMA_VERSION),
        kind: Str::from(CASE_KIND),
        case_id: Str::from("case-1"),
        organisation: Str::from("org"),
        site: Str::from("site"),
        jurisdiction: None,
        created_at: Millis(T0 - 24 * HOUR),
        profile: BTreeMap::new(),
        observations: vec![],
        episodes: vec![Episode {
            id: Str::from("ep1"),
            opened_at: Millis(T0),
            events,
        }],
        risk_assessments: vec![],
        checklists,
        legal_bases: vec![],
        referrals: vec![],
        attachments: vec![],
        strategy_meetings: vec![],
        wellbeing_checks: vec![],
        return_interviews: vec![],
        nrm_referrals: vec![],
        police_instruments: vec![],
        notifications: vec![],
    }
}

/// The templates of the checklists with an overdue step, a week after T0.
fn overdue_templates(case: &CaseDocument) -> Vec<&'static str> {
    let mut templates: Vec<&str> = overdue_steps(case, T0 + 7 * 24 * HOUR, 0)
        .into_iter()
        .map(|o| o.template)
        .collect();
    templates.dedup();
    templates
}

#[test]
fn each_checklist_is_watched_only_in_its_part_of_the_episode() {
    // (states of the episode, templates with an overdue step a week later)
    let table: &[(&[&str], &[&str])] = &[
        (&["late"], &["intake"]),
        (&["absent"], &["intake"]),
        (&["late", "missing"], &["intake", "missing_first_hours"]),
        (&["missing"], &["intake", "missing_first_hours"]),
        // Back: nothing of the absence or the missing flow escalates any more.
        (&["missing", "located"], &["intake", "found_or_returned"]),
        (&["missing", "returned"], &["intake", "found_or_returned"]),
        (&["late", "returned"], &["intake", "found_or_returned"]),
        (&["missing", "returned", "closed"], &["intake"]),
        // Missing again after being located: the missing flow is watched again.
        (
            &["missing", "located", "missing"],
            &["intake", "missing_first_hours"],
        ),
    ];
    for (states, expected) in table {
        assert_eq!(
            overdue_templates(&case_through(states)),
            *expected,
            "episode through {states:?}"
        );
    }
}

#[test]
fn a_step_done_or_not_yet_due_is_not_overdue() {
    let mut case = case_through(&["missing"]);
    let police = |case: &CaseDocument, now: i64, grace: i64| {
        overdue_steps(case, now, grace)
            .iter()
            .any(|o| o.step == "report_police")
    };
    assert!(!police(&case, T0, 0), "due at T0, not after it yet");
    assert!(police(&case, T0 + 1, 0));
    assert!(!police(&case, T0 + 5 * MIN, 5), "within the grace");
    assert!(police(&case, T0 + 5 * MIN + 1, 5));
    let missing = case
        .checklists
        .iter_mut()
        .find(|c| c.template.as_str() == "missing_first_hours")
        .unwrap();
    missing.steps.get_mut("report_police").unwrap().status = Str::from("done");
    assert!(!police(&case, T0 + 7 * 24 * HOUR, 0));
}

#[test]
fn deadlines_run_from_the_anchor() {
    let case = case_through(&["missing", "returned"]);
    let found = case
        .checklists
        .iter()
        .find(|c| c.template.as_str() == "found_or_returned")
        .unwrap();
    assert_eq!(due_at(found, "return_interview"), Some(T0 + 72 * HOUR));
    assert_eq!(due_at(found, "safe_and_well_check"), None);
    assert_eq!(due_at(found, "no_such_step"), None);
}
