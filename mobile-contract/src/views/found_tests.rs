use std::collections::BTreeMap;

use super::*;
use crate::case::{
    Checklist, ChecklistStep, EpisodeEvent, Millis, Str, Whole, CASE_KIND, SCHEMA_VERSION,
};

const HOUR: i64 = 3_600_000;
const T0: i64 = 1_795_852_800_000;

fn event(id: &str, state: &str, at: i64, details: &[(&str, &str)]) -> EpisodeEvent {
    EpisodeEvent {
        id: Str::from(id),
        state: Str::from(state),
        observed_at: Millis(at),
        author: Str::from("u"),
        device: Str::from("d"),
        note: None,
        supersedes: None,
        details: (!details.is_empty()).then(|| {
            details
                .iter()
                .map(|(k, v)| (k.to_string(), Str::from(*v)))
                .collect()
        }),
        provenance: None,
    }
}

fn episode(id: &str, opened_at: i64, events: Vec<EpisodeEvent>) -> Episode {
    Episode {
        id: Str::from(id),
        opened_at: Millis(opened_at),
        events,
    }
}

fn case(episodes: Vec<Episode>) -> CaseDocument {
    CaseDocument {
        schema_version: Whole(SCHEMA_VERSION),
        kind: Str::from(CASE_KIND),
        case_id: Str::from("case-1"),
        organisation: Str::from("org"),
        site: Str::from("site"),
        jurisdiction: None,
        created_at: Millis(T0 - 48 * HOUR),
        profile: BTreeMap::new(),
        observations: vec![],
        episodes,
        risk_assessments: vec![],
        checklists: vec![],
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

fn found_checklist(episode: &str, safe_and_well: &str) -> Checklist {
    let step = ChecklistStep {
        status: Str::from(safe_and_well),
        by: None,
        at: None,
        note: None,
    };
    Checklist {
        id: Str(format!("found_or_returned-{episode}")),
        template: Str::from("found_or_returned"),
        template_version: Whole(2),
        anchor: Str::from(episode),
        anchored_at: Millis(T0),
        steps: BTreeMap::from([(SAFE_AND_WELL_STEP.to_string(), step)]),
    }
}

#[test]
fn located_stands_down_only_once_the_child_is_seen_safe_and_well() {
    let ep = episode(
        "ep1",
        T0,
        vec![
            event("a", "missing", T0, &[]),
            event("b", "located", T0 + 5 * HOUR, &[]),
        ],
    );
    let mut case = case(vec![ep.clone()]);
    let view = episode_view(&ep).unwrap();
    assert!(!stands_down(&case, &view));
    assert!(awaiting_safe_and_well(&case, &view));
    case.checklists.push(found_checklist("ep1", "open"));
    assert!(!stands_down(&case, &view));
    case.checklists[0] = found_checklist("ep1", "done");
    assert!(stands_down(&case, &view));
    assert!(!awaiting_safe_and_well(&case, &view));
}

#[test]
fn returned_or_closed_stands_down_and_away_does_not() {
    for (state, down) in [
        ("late", false),
        ("absent", false),
        ("missing", false),
        ("returned", true),
        ("closed", true),
    ] {
        let ep = episode("ep1", T0, vec![event("a", state, T0, &[])]);
        let view = episode_view(&ep).unwrap();
        assert_eq!(stands_down(&case(vec![ep]), &view), down, "{state}");
    }
}

#[test]
fn each_escalation_criterion_is_found() {
    let back = |hours_away: i64, details: &[(&str, &str)]| {
        episode(
            "ep1",
            T0,
            vec![
                event("a", "missing", T0, &[]),
                event("b", "returned", T0 + hours_away * HOUR, details),
            ],
        )
    };
    // Back within a day, first episode, nothing flagged: nothing to escalate.
    let ep = back(5, &[]);
    assert_eq!(escalations(&case(vec![ep.clone()]), &ep), vec![]);
    // Away more than 24 hours.
    let ep = back(30, &[]);
    assert_eq!(
        escalations(&case(vec![ep.clone()]), &ep),
        vec![Escalation::MissingLong { hours: 30 }]
    );
    // Flags on the found event.
    let ep = back(
        2,
        &[
            (CRIME_DETAIL, "yes"),
            (MENTAL_HEALTH_DETAIL, "yes"),
            (EXPLOITATION_DETAIL, "YES"),
        ],
    );
    assert_eq!(
        escalations(&case(vec![ep.clone()]), &ep),
        vec![
            Escalation::Crime,
            Escalation::MentalHealth,
            Escalation::SexualExploitation
        ]
    );
    let ep = back(2, &[(CRIME_DETAIL, "no")]);
    assert_eq!(escalations(&case(vec![ep.clone()]), &ep), vec![]);
    // A second episode.
    let first = episode(
        "ep0",
        T0 - 10 * 24 * HOUR,
        vec![event("z", "returned", T0 - 9 * 24 * HOUR, &[])],
    );
    let ep = back(2, &[]);
    assert_eq!(
        escalations(&case(vec![first, ep.clone()]), &ep),
        vec![Escalation::RepeatEpisode { n: 2 }]
    );
}

#[test]
fn nothing_escalates_while_the_child_is_away() {
    let ep = episode(
        "ep1",
        T0,
        vec![event("a", "missing", T0, &[(CRIME_DETAIL, "yes")])],
    );
    assert_eq!(escalations(&case(vec![ep.clone()]), &ep), vec![]);
}
