//! What follows when a child is back (DOMAIN.md, "Found or returned"): whether the missing
//! alert may stand down, and which of the handbook's escalation criteria hold.
//!
//! `located` means someone knows where the child is, not that the child is safe: the child
//! counts as missing for the alert until the safe-and-well check is recorded (the found
//! checklist's `safe_and_well_check` step done) or the child is `returned`.

use crate::case::{CaseDocument, Episode, EpisodeState};
use crate::views::{episode_view, EpisodeView};

/// The found checklist's step that confirms the child's wellbeing.
pub const SAFE_AND_WELL_STEP: &str = "safe_and_well_check";
const FOUND_TEMPLATE: &str = "found_or_returned";

/// Missing longer than this before being found: escalate.
pub const MISSING_LONG_MS: i64 = 24 * 3_600_000;

/// Flags a found (`located` or `returned`) event may carry in its `details`, set to `yes`.
pub const CRIME_DETAIL: &str = "victim_of_crime";
pub const MENTAL_HEALTH_DETAIL: &str = "mental_health_needs";
pub const EXPLOITATION_DETAIL: &str = "sexual_exploitation_risk";

/// Why a child who is back must be escalated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Escalation {
    /// Missing this many whole hours (more than 24).
    MissingLong {
        hours: i64,
    },
    /// This is the child's episode number `n` (2 or more).
    RepeatEpisode {
        n: usize,
    },
    Crime,
    MentalHealth,
    SexualExploitation,
}

impl Escalation {
    /// The criterion as an alert's `reasons` argument names it (`missing_long:30`,
    /// `repeat_episode:2`, `crime`): rendered in each phone's language by
    /// `escalation-reason-<criterion>` ([`crate::alerts::AlertMessage`]).
    pub fn code(&self) -> String {
        match self {
            Self::MissingLong { hours } => format!("missing_long:{hours}"),
            Self::RepeatEpisode { n } => format!("repeat_episode:{n}"),
            Self::Crime => "crime".into(),
            Self::MentalHealth => "mental_health".into(),
            Self::SexualExploitation => "sexual_exploitation".into(),
        }
    }
}

/// Whether the episode's missing and absence alerts stand down: the child returned, the
/// episode closed, or located with the safe-and-well check recorded.
pub fn stands_down(case: &CaseDocument, view: &EpisodeView) -> bool {
    match view.state {
        EpisodeState::Returned | EpisodeState::Closed => true,
        EpisodeState::Located => safe_and_well_recorded(case, &view.id),
        EpisodeState::Late | EpisodeState::Absent | EpisodeState::Missing => false,
    }
}

/// Located, and nobody has recorded the safe-and-well check yet.
pub fn awaiting_safe_and_well(case: &CaseDocument, view: &EpisodeView) -> bool {
    view.state == EpisodeState::Located && !safe_and_well_recorded(case, &view.id)
}

/// The check is recorded in `wellbeing_checks`, or its step ticked done.
fn safe_and_well_recorded(case: &CaseDocument, episode: &str) -> bool {
    case.wellbeing_checks
        .iter()
        .any(|check| check.episode.as_str() == episode)
        || case
            .checklists
            .iter()
            .filter(|c| c.template.as_str() == FOUND_TEMPLATE && c.anchor.as_str() == episode)
            .filter_map(|c| c.steps.get(SAFE_AND_WELL_STEP))
            .any(|step| step.status.as_str() == "done")
}

/// The escalation criteria that hold for `episode` once the child is back; empty while the
/// child is away.
pub fn escalations(case: &CaseDocument, episode: &Episode) -> Vec<Escalation> {
    let Some(view) = episode_view(episode) else {
        return vec![];
    };
    if !matches!(view.state, EpisodeState::Located | EpisodeState::Returned) {
        return vec![];
    }
    let mut found = Vec::new();
    if let Some(since) = view.missing_since {
        let away = view.since - since;
        if away > MISSING_LONG_MS {
            found.push(Escalation::MissingLong {
                hours: away / 3_600_000,
            });
        }
    }
    let n = case
        .episodes
        .iter()
        .filter(|e| e.opened_at <= episode.opened_at)
        .count();
    if n >= 2 {
        found.push(Escalation::RepeatEpisode { n });
    }
    let flagged = |key: &str| {
        episode.events.iter().any(|e| {
            EpisodeState::parse(e.state.as_str())
                .is_some_and(|s| matches!(s, EpisodeState::Located | EpisodeState::Returned))
                && e.details
                    .as_ref()
                    .and_then(|d| d.get(key))
                    .is_some_and(|v| v.as_str().eq_ignore_ascii_case("yes"))
        })
    };
    for (key, escalation) in [
        (CRIME_DETAIL, Escalation::Crime),
        (MENTAL_HEALTH_DETAIL, Escalation::MentalHealth),
        (EXPLOITATION_DETAIL, Escalation::SexualExploitation),
    ] {
        if flagged(key) {
            found.push(escalation);
        }
    }
    found
}

#[cfg(test)]
#[path = "found_tests.rs"]
mod tests;
