//! Escalation rules: defaults from the handbook (DOMAIN.md), overridable per organisation.

use serde::{Deserialize, Serialize};

use crate::domain::error::DomainError;
use crate::state::AppState;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EscalationRules {
    /// An absence unresolved this long prompts staff to decide (absent or missing).
    pub absence_decision_minutes: i64,
    /// An alert nobody acknowledged this long is sent again and raised to coordinators.
    pub acknowledge_within_minutes: i64,
    /// A checklist step this long past due alerts the coordinators.
    pub overdue_grace_minutes: i64,
    /// This many episodes within `repeat_window_days` flag a strategy meeting.
    pub repeat_episodes: usize,
    pub repeat_window_days: i64,
}

impl Default for EscalationRules {
    fn default() -> Self {
        Self {
            absence_decision_minutes: 120,
            acknowledge_within_minutes: 15,
            overdue_grace_minutes: 0,
            repeat_episodes: 3,
            repeat_window_days: 30,
        }
    }
}

/// The organisation's rules, or the defaults.
pub fn rules_for(state: &AppState, organisation_id: &str) -> Result<EscalationRules, DomainError> {
    let mut conn = state.db()?;
    let stored = casesync_schema::alerts::rules_of(&mut conn, organisation_id)?;
    Ok(stored
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}
