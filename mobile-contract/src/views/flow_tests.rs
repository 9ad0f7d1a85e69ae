use std::collections::BTreeMap;

use super::*;
use crate::case::{
    ChecklistStep, Episode, EpisodeEvent, Millis, Str, Whole, CASE_KIND, SCHEMA_VERSION,
};
use crate::checklists::template;

const MIN: i64 = 60_000;
const T0: i64 = 1_795_852_800_000;

fn event(n: usize, state: &str, seen: &[EpisodeEvent]) -> EpisodeEvent {
    EpisodeEvent {
        id: Str(format!("ev{n}")),
        state: Str::from(state),
        observed_at: Millis(T0 + n as i64 * MIN),
        author: Str::from("u"),
        device: Str::from("d"),
        note: None,
        supersedes: Some(seen.iter().map(|e| e.id.clone()).collect()),
        details: None,
        provenance: None,
    }
}

fn checklist(template_id: &str, done: &[&str]) -> Checklist {
    let tpl = template(template_id).unwrap();
    Checklist {
        id: Str(format!("{template_id}-ep1")),
        template: Str::from(template_id),
        template_version: Whole(tpl.version),
        anchor: Str::from("ep1"),
        anchored_at: Millis(T0),
        steps: tpl
            .steps
            .iter()
            .map(|s| {
                let status = if done.contains(&s.id) { "done" } else { "open" };
                let step = ChecklistStep {
                    status: Str::from(status),
                    by: None,
                    at: None,
                    note: None,
                };
                (s.id.to_string(), step)
            })
            .collect(),
    }
}

fn case(states: &[&str], checklists: Vec<Checklist>) -> CaseDocument {
    let mut events = Vec::new();
    for (n, state) in states.iter().enumerate() {
        let e = event(n, state, &events);
        events.push(e);
    }
    CaseDocument {
        schema_version: Whole(SCHEMA_VERSION),
        kind: Str::from(CASE_KIND),
        case_id: Str::from("case-1"),
        organisation: Str::from("org"),
        site: Str::from("site"),
        jurisdiction: None,
        created_at: Millis(T0 - 60 * MIN),
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

fn positions(flow: &Flow) -> Vec<Position> {
    flow.stages.iter().map(|s| s.position).collect()
}

#[test]
fn no_open_episode_no_flow() {
    assert_eq!(flow(&case(&[], vec![]), T0), None);
}

#[test]
fn missing_the_police_report_comes_next_and_is_overdue() {
    let c = case(
        &["absent", "missing"],
        vec![
            checklist("absence", &[]),
            checklist("missing_first_hours", &[]),
        ],
    );
    let f = flow(&c, T0 + 30 * MIN).unwrap();
    use Position::*;
    assert_eq!(positions(&f), vec![Behind, Current, Ahead]);
    let next = f.next.unwrap();
    assert_eq!(next.id, "report_police");
    assert_eq!(next.status, StepStatus::Overdue);
    // The absence's steps are behind: open, never overdue.
    assert!(f.stages[0]
        .steps
        .iter()
        .all(|s| s.status == StepStatus::Open));
}

#[test]
fn located_awaits_the_safe_and_well_check() {
    let c = case(
        &["missing", "located"],
        vec![
            checklist("missing_first_hours", &["report_police"]),
            checklist("found_or_returned", &[]),
        ],
    );
    let f = flow(&c, T0 + 30 * MIN).unwrap();
    use Position::*;
    assert_eq!(positions(&f), vec![Skipped, Behind, Current]);
    assert!(f.awaiting_safe_and_well);
    assert_eq!(f.next.unwrap().id, "safe_and_well_check");
    let done = case(
        &["missing", "located"],
        vec![checklist("found_or_returned", &["safe_and_well_check"])],
    );
    let f = flow(&done, T0 + 30 * MIN).unwrap();
    assert!(!f.awaiting_safe_and_well);
    assert_eq!(f.next.unwrap().id, "return_interview");
    assert_eq!(
        f.stages[2].steps[0],
        FlowStep {
            id: "safe_and_well_check",
            text: "Safe-and-well check",
            status: StepStatus::Done,
            due_at: None,
        }
    );
}
