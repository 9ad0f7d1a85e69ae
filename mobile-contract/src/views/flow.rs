//! The handbook's response flow for the child's current episode, as its flowchart shows it:
//! absence, missing (first hours), found or returned; where the child is now, each stage's
//! steps done, due and overdue, and what comes next. The case page and the printable missing
//! pack draw it; the server and devices compute it alike.

use crate::case::{CaseDocument, Checklist, EpisodeState};
use crate::checklists::{Anchor, ChecklistTemplate, ABSENCE, FOUND, MISSING};
use crate::deadlines::{due_at, watched};
use crate::records::step_status;
use crate::views::found::awaiting_safe_and_well;
use crate::views::{child_status, EpisodeView};

/// One stage of the flow, in the handbook's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub template: &'static ChecklistTemplate,
    pub position: Position,
    pub steps: Vec<FlowStep>,
}

/// Where the child is relative to a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// Not reached in this episode (its checklist has not started).
    Ahead,
    /// The child is in this stage now.
    Current,
    /// Passed: the episode moved on.
    Behind,
    /// Before the current stage but not part of this episode (reported missing at once,
    /// with no absence first).
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowStep {
    pub id: &'static str,
    pub text: &'static str,
    pub status: StepStatus,
    pub due_at: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepStatus {
    Done,
    NotApplicable,
    /// Open, past its deadline, in a stage still watched.
    Overdue,
    Open,
}

/// The flow of the child's current episode (the latest one not closed); `None` when the
/// child has no open episode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    pub episode: EpisodeView,
    /// Located, the safe-and-well check not yet recorded.
    pub awaiting_safe_and_well: bool,
    pub stages: Vec<Stage>,
    /// The first open step of the current stage, overdue ones first.
    pub next: Option<FlowStep>,
}

pub fn flow(case: &CaseDocument, now: i64) -> Option<Flow> {
    let (_, episode) = child_status(&case.episodes);
    let episode = episode?;
    let current = match episode.state {
        EpisodeState::Late | EpisodeState::Absent => Anchor::Absence,
        EpisodeState::Missing => Anchor::Missing,
        EpisodeState::Located | EpisodeState::Returned | EpisodeState::Closed => Anchor::Found,
    };
    let order = [Anchor::Absence, Anchor::Missing, Anchor::Found];
    let at = order.iter().position(|a| *a == current).unwrap_or(0);
    let stages: Vec<Stage> = [&ABSENCE, &MISSING, &FOUND]
        .into_iter()
        .enumerate()
        .map(|(i, template)| {
            let checklist = case
                .checklists
                .iter()
                .find(|c| c.template.as_str() == template.id && c.anchor.as_str() == episode.id);
            let position = if i == at {
                Position::Current
            } else if i < at && checklist.is_some() {
                Position::Behind
            } else if i < at {
                Position::Skipped
            } else {
                Position::Ahead
            };
            Stage {
                template,
                position,
                steps: steps(case, template, checklist, now),
            }
        })
        .collect();
    let next = stages
        .iter()
        .find(|s| s.position == Position::Current)
        .and_then(|s| {
            let open = |status| s.steps.iter().find(|st| st.status == status);
            open(StepStatus::Overdue).or_else(|| open(StepStatus::Open))
        })
        .cloned();
    Some(Flow {
        awaiting_safe_and_well: awaiting_safe_and_well(case, &episode),
        episode,
        stages,
        next,
    })
}

fn steps(
    case: &CaseDocument,
    template: &'static ChecklistTemplate,
    checklist: Option<&Checklist>,
    now: i64,
) -> Vec<FlowStep> {
    let watching = checklist.is_some_and(|c| watched(case, c));
    template
        .steps
        .iter()
        .map(|step| {
            let recorded = checklist.and_then(|c| c.steps.get(step.id));
            let due = checklist.and_then(|c| due_at(c, step.id));
            let status = match checklist.map(|c| step_status(case, c, step.id, recorded)) {
                Some("done") => StepStatus::Done,
                Some("not_applicable") => StepStatus::NotApplicable,
                _ if watching && due.is_some_and(|d| d < now) => StepStatus::Overdue,
                _ => StepStatus::Open,
            };
            FlowStep {
                id: step.id,
                text: step.text,
                status,
                due_at: due,
            }
        })
        .collect()
}

#[cfg(test)]
#[path = "flow_tests.rs"]
mod tests;
