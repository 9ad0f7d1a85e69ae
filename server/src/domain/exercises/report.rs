//! The after-action report: one timeline of the injects and of what the participants did,
//! the deadlines met or missed and by how much, when each device received and acknowledged
//! each alert, and the conflicts that arose and how they were resolved. Times are scenario
//! minutes from the start (the report also keeps the real instants), so a compressed
//! exercise reads like the real thing.

use casesync_contract::case::{read_case_causal, CaseDocument};
use casesync_contract::checklists::template;
use casesync_contract::records::{fulfilment, step_status};
use casesync_contract::views::profile_conflicts;
use casesync_contract::views::timeline::timeline;
use casesync_contract::DocumentId;
use casesync_schema::access::audit::{query, AuditQuery};
use casesync_schema::exercises::{self, Exercise};
use serde::Serialize;

use super::clock::ScenarioClock;
use super::runner::{clock_of, entry_id};
use super::scenario::Scenario;
use crate::domain::error::DomainError;
use crate::state::AppState;
use crate::web::people::People;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub exercise: Exercise,
    pub title: String,
    pub summary: String,
    /// Scenario minutes elapsed when the report was made (or at the end).
    pub minute: i64,
    pub timeline: Vec<Line>,
    pub deadlines: Vec<Deadline>,
    pub alerts: Vec<AlertLine>,
    pub conflicts: Vec<ConflictLine>,
}

/// One thing that happened: an inject, or something a participant recorded.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Line {
    pub minute: i64,
    pub at: i64,
    pub inject: bool,
    pub who: String,
    pub what: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Met,
    Missed,
    /// Not done, and not yet due.
    Open,
}

/// A step with a deadline: when it was due and when it was done, in scenario minutes.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Deadline {
    pub checklist: String,
    pub step: String,
    pub text: String,
    pub due_minute: i64,
    pub done_minute: Option<i64>,
    pub outcome: Outcome,
    /// How early it was done (met) or how late it is or was (missed), in scenario minutes.
    pub by_minutes: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AlertLine {
    pub kind: String,
    pub raised_minute: i64,
    pub deliveries: Vec<DeliveryLine>,
}

/// When a device had the alert, and when its user acknowledged it, in scenario minutes.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeliveryLine {
    pub device: String,
    pub delivered_minute: Option<i64>,
    pub acknowledged_minute: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConflictLine {
    pub field: String,
    /// `open` while the values still compete; `resolved` once a coordinator chose.
    pub status: String,
    pub values: Vec<String>,
    pub resolved_minute: Option<i64>,
}

pub fn report(state: &AppState, id: &str) -> Result<Report, DomainError> {
    let exercise = {
        let mut conn = state.db()?;
        exercises::find(&mut conn, id)?
    }
    .ok_or_else(DomainError::not_found)?;
    let scenario = Scenario::parse(&exercise.scenario_text).map_err(DomainError::internal)?;
    let clock = clock_of(&exercise);
    let now = exercise.ended_at.unwrap_or_else(|| state.now());
    let case_id: DocumentId = exercise
        .case_id
        .parse()
        .map_err(|_| DomainError::internal("exercise case id"))?;
    let receipts = crate::routes::cases::receipts(state, &case_id)
        .map_err(|e| DomainError::internal(format!("{e:?}")))?;
    let read = state
        .engine
        .read(&case_id, |doc| {
            let case = read_case_causal(doc).ok()?;
            Some((
                timeline(doc, &case, &receipts),
                profile_conflicts(doc, &receipts),
                case,
            ))
        })?
        .flatten();
    let (entries, open_conflicts, case) =
        read.ok_or_else(|| DomainError::invalid("the exercise's case was erased"))?;
    let (people, overrides, alert_rows) = {
        let mut conn = state.db()?;
        let people = People::of_organisation(&mut conn, &exercise.organisation_id)
            .map_err(|e| DomainError::internal(format!("{e:?}")))?;
        let audit = AuditQuery {
            organisation_id: exercise.organisation_id.clone(),
            case_id: Some(exercise.case_id.clone()),
            after: 0,
            limit: 10_000,
        };
        let overrides: Vec<_> = query(&mut conn, &audit)?
            .into_iter()
            .filter(|e| e.action == "case.override")
            .collect();
        let alerts =
            casesync_schema::alerts::of_organisation(&mut conn, &exercise.organisation_id, false)?;
        (people, overrides, alerts)
    };

    let injects: Vec<(String, &str)> = scenario
        .injects
        .iter()
        .map(|i| (entry_id(&exercise, &i.id), i.id.as_str()))
        .collect();
    let mut lines: Vec<Line> = entries
        .iter()
        .map(|e| Line {
            minute: clock.minutes(e.observed_at),
            at: e.observed_at,
            inject: injects.iter().any(|(entry, _)| *entry == e.entry_id),
            who: people.user(&e.author),
            what: e.label.clone(),
            text: e.text.clone(),
        })
        .collect();
    lines.extend(step_lines(&case, &people, clock));
    lines.sort_by_key(|l| (l.at, !l.inject));

    let mut alerts = vec![];
    for row in alert_rows.iter().filter(|r| r.case_id == exercise.case_id) {
        let deliveries = {
            let mut conn = state.db()?;
            casesync_schema::delivery_records::deliveries(&mut conn, &row.id)?
        };
        alerts.push(AlertLine {
            kind: row.kind.clone(),
            raised_minute: clock.minutes(row.raised_at),
            deliveries: deliveries
                .iter()
                .map(|d| DeliveryLine {
                    device: people.device(&d.device_id),
                    delivered_minute: d.delivered_at.map(|t| clock.minutes(t)),
                    acknowledged_minute: d.acknowledged_at.map(|t| clock.minutes(t)),
                })
                .collect(),
        });
    }
    alerts.sort_by_key(|a| a.raised_minute);

    let mut conflicts: Vec<ConflictLine> = open_conflicts
        .iter()
        .map(|c| ConflictLine {
            field: c.field.clone(),
            status: "open".into(),
            values: c.values.iter().map(|v| v.value.clone()).collect(),
            resolved_minute: None,
        })
        .collect();
    for entry in &overrides {
        let field = serde_json::from_str::<serde_json::Value>(&entry.detail)
            .ok()
            .and_then(|d| d["conflict"].as_str().map(String::from))
            .unwrap_or_default();
        conflicts.push(ConflictLine {
            field,
            status: "resolved".into(),
            values: vec![],
            resolved_minute: Some(clock.minutes(entry.at)),
        });
    }

    Ok(Report {
        title: scenario.title.clone(),
        summary: scenario.summary.clone(),
        minute: clock.minutes(now),
        deadlines: deadlines(&case, clock, now),
        timeline: lines,
        alerts,
        conflicts,
        exercise,
    })
}

/// Checklist steps ticked by participants, as timeline lines (records are in the case's
/// timeline already).
fn step_lines(case: &CaseDocument, people: &People, clock: ScenarioClock) -> Vec<Line> {
    let mut lines = vec![];
    for checklist in &case.checklists {
        let Some(tpl) = template(checklist.template.as_str()) else {
            continue;
        };
        for (step, recorded) in &checklist.steps {
            let (Some(at), Some(by)) = (recorded.at, recorded.by.as_ref()) else {
                continue;
            };
            let text = tpl.step(step).map_or(step.as_str(), |s| s.text);
            lines.push(Line {
                minute: clock.minutes(at.0),
                at: at.0,
                inject: false,
                who: people.user(by.as_str()),
                what: format!("{} ({})", recorded.status, tpl.title),
                text: text.to_string(),
            });
        }
    }
    lines
}

/// Every step with a deadline, judged on the scenario clock.
fn deadlines(case: &CaseDocument, clock: ScenarioClock, now: i64) -> Vec<Deadline> {
    let scenario_case = clock.case(case);
    let scenario_now = clock.at(now);
    let minute = |t: i64| (t - clock.start) / 60_000;
    let mut out = vec![];
    for checklist in &scenario_case.checklists {
        let Some(tpl) = template(checklist.template.as_str()) else {
            continue;
        };
        for step in tpl.steps {
            let Some(due) = casesync_contract::deadlines::due_at(checklist, step.id) else {
                continue;
            };
            let recorded = checklist.steps.get(step.id);
            let done_at = match step_status(&scenario_case, checklist, step.id, recorded) {
                "done" => recorded
                    .and_then(|r| r.at.map(|a| a.0))
                    .or_else(|| fulfilment(&scenario_case, checklist, step.id).map(|f| f.at)),
                _ => None,
            };
            let (outcome, by) = match done_at {
                Some(done) if done <= due => (Outcome::Met, (due - done) / 60_000),
                Some(done) => (Outcome::Missed, (done - due) / 60_000),
                None if scenario_now > due => (Outcome::Missed, (scenario_now - due) / 60_000),
                None => (Outcome::Open, (due - scenario_now) / 60_000),
            };
            out.push(Deadline {
                checklist: tpl.title.to_string(),
                step: step.id.to_string(),
                text: step.text.to_string(),
                due_minute: minute(due),
                done_minute: done_at.map(minute),
                outcome,
                by_minutes: by,
            });
        }
    }
    out.sort_by_key(|d| d.due_minute);
    out
}

/// The report for a coordinator or organisation admin of the exercise's training
/// organisation; anyone else is answered as for an exercise that does not exist.
pub fn report_for(
    state: &AppState,
    caller: &casesync_schema::directory::AuthenticatedDevice,
    id: &str,
) -> Result<Report, DomainError> {
    let exercise = {
        let mut conn = state.db()?;
        exercises::find(&mut conn, id)?
    };
    let allowed = exercise.is_some_and(|e| {
        e.organisation_id == caller.organisation_id
            && matches!(
                caller.role,
                casesync_contract::Role::Coordinator | casesync_contract::Role::OrgAdmin
            )
    });
    if !allowed {
        return Err(DomainError::not_found());
    }
    report(state, id)
}
