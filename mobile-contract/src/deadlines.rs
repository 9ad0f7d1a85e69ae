//! When a checklist step is due, from whose clock, and while which part of an episode it is
//! watched. The server's escalation worker and the case page both read deadlines here, so
//! that a step the page shows overdue is the step a coordinator is alerted about.
//!
//! - A deadline runs from the anchor event's time as the phone recorded it, unless that time
//!   cannot be true: later than the server's receipt of the event plus [`FUTURE_SKEW_MS`],
//!   or earlier than the receipt minus [`PAST_SKEW_MS`] (a phone whose clock was reset, or
//!   that never had the time set). Then it runs from the receipt: a phone an hour ahead
//!   would otherwise hold back the police report's alarm by an hour.
//! - A checklist started by an episode is watched only while the episode is in the part of
//!   the response it serves: absence steps while the child is late or absent, the missing
//!   steps while missing, the found steps until the episode is closed. Once the child is back
//!   nobody is alerted about a police report no longer due, and once `missing` is recorded
//!   the absence steps are behind.

use crate::case::{CaseDocument, Checklist, EpisodeState};
use crate::checklists::{template, Anchor};
use crate::views::episode_view;

/// How far ahead of the server's receipt a phone's time may be and still be believed.
pub const FUTURE_SKEW_MS: i64 = 5 * 60_000;
/// How far before the receipt a phone's time may be: an event recorded offline a week ago
/// and delivered now is believable, older than that is not.
pub const PAST_SKEW_MS: i64 = 7 * 24 * 3_600_000;

const MINUTE_MS: i64 = 60_000;

/// Whose clock a time was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The phone that recorded the event.
    Device,
    /// The server, when it received the event (the phone's time could not be true).
    Server,
}

/// The time a deadline runs from: the phone's `observed` time if it can be true given the
/// server's `received` time, else `received`. Without a receipt (an event the server wrote,
/// or one from before receipts were kept) the phone's time stands.
pub fn anchor_time(observed: i64, received: Option<i64>) -> (i64, Clock) {
    match received {
        Some(received)
            if observed > received + FUTURE_SKEW_MS || observed < received - PAST_SKEW_MS =>
        {
            (received, Clock::Server)
        }
        _ => (observed, Clock::Device),
    }
}

/// Whether the steps of `checklist` are watched now (see the module's rules). A checklist of
/// an unknown template, or whose episode has no readable event, is not.
pub fn watched(case: &CaseDocument, checklist: &Checklist) -> bool {
    let Some(template) = template(checklist.template.as_str()) else {
        return false;
    };
    if template.anchor == Anchor::Intake {
        return true;
    }
    let Some(view) = case
        .episodes
        .iter()
        .find(|e| e.id.as_str() == checklist.anchor.as_str())
        .and_then(episode_view)
    else {
        return false;
    };
    match template.anchor {
        Anchor::Intake => true,
        Anchor::Absence => matches!(view.state, EpisodeState::Late | EpisodeState::Absent),
        Anchor::Missing => view.state == EpisodeState::Missing,
        Anchor::Found => matches!(view.state, EpisodeState::Located | EpisodeState::Returned),
    }
}

/// When `step` of `checklist` is due, if its template gives it a deadline.
pub fn due_at(checklist: &Checklist, step: &str) -> Option<i64> {
    let minutes = template(checklist.template.as_str())?
        .step(step)?
        .due_minutes?;
    Some(checklist.anchored_at.0 + minutes * MINUTE_MS)
}

/// A step still open after its deadline (plus `grace_minutes`), in a watched checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueStep {
    pub checklist: String,
    pub template: &'static str,
    pub step: String,
    pub due_at: i64,
}

/// Every overdue step of `case` at `now`.
pub fn overdue_steps(case: &CaseDocument, now: i64, grace_minutes: i64) -> Vec<OverdueStep> {
    let mut overdue = Vec::new();
    for checklist in case.checklists.iter().filter(|c| watched(case, c)) {
        let Some(template) = template(checklist.template.as_str()) else {
            continue;
        };
        for (step, recorded) in &checklist.steps {
            let Some(due) = due_at(checklist, step) else {
                continue;
            };
            let status = crate::records::step_status(case, checklist, step, Some(recorded));
            if status == "open" && now > due + grace_minutes * MINUTE_MS {
                overdue.push(OverdueStep {
                    checklist: checklist.id.0.clone(),
                    template: template.id,
                    step: step.clone(),
                    due_at: due,
                });
            }
        }
    }
    overdue
}

#[cfg(test)]
#[path = "deadlines_tests.rs"]
mod tests;
