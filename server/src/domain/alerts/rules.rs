//! Escalation rules: defaults from the handbook (DOMAIN.md), overridable per organisation.

use serde::{Deserialize, Serialize};

use casesync_contract::errors::ErrorCode;
use casesync_contract::risk;

use crate::domain::error::DomainError;
use crate::state::AppState;

/// An organisation's escalation rules (`GET`/`PUT /v1/alert-rules`); a field left out keeps
/// its default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// Indicators answered yes from which the risk instrument advises `medium`, and `high`
    /// (`casesync_contract::risk`; the project's defaults, not the handbook's).
    pub risk_medium_from: i64,
    pub risk_high_from: i64,
}

impl Default for EscalationRules {
    fn default() -> Self {
        Self {
            absence_decision_minutes: 120,
            acknowledge_within_minutes: 15,
            overdue_grace_minutes: 0,
            repeat_episodes: 3,
            repeat_window_days: 30,
            risk_medium_from: risk::DEFAULT_THRESHOLDS.medium_from,
            risk_high_from: risk::DEFAULT_THRESHOLDS.high_from,
        }
    }
}

/// Longest delay a rule may set, in minutes: 30 days. Beyond that an escalation is no
/// longer an escalation, and times computed from it could overflow.
pub const MAX_MINUTES: i64 = 30 * 24 * 60;
/// Most episodes, and longest window in days, a repeat rule may name.
pub const MAX_REPEAT_EPISODES: usize = 100;
pub const MAX_REPEAT_WINDOW_DAYS: i64 = 366;

impl EscalationRules {
    /// Every value within its range, or `invalid_request` naming the first that is not.
    pub fn check(&self) -> Result<(), DomainError> {
        let minutes = [
            ("absence_decision_minutes", self.absence_decision_minutes, 0),
            (
                "acknowledge_within_minutes",
                self.acknowledge_within_minutes,
                1,
            ),
            ("overdue_grace_minutes", self.overdue_grace_minutes, 0),
        ];
        for (name, value, least) in minutes {
            if !(least..=MAX_MINUTES).contains(&value) {
                return Err(out_of_range(name, value, least, MAX_MINUTES));
            }
        }
        if !(1..=MAX_REPEAT_EPISODES).contains(&self.repeat_episodes) {
            return Err(out_of_range(
                "repeat_episodes",
                self.repeat_episodes as i64,
                1,
                MAX_REPEAT_EPISODES as i64,
            ));
        }
        if !(1..=MAX_REPEAT_WINDOW_DAYS).contains(&self.repeat_window_days) {
            return Err(out_of_range(
                "repeat_window_days",
                self.repeat_window_days,
                1,
                MAX_REPEAT_WINDOW_DAYS,
            ));
        }
        let indicators = risk::V1.indicators.len() as i64;
        if !(1..=indicators).contains(&self.risk_medium_from) {
            return Err(out_of_range(
                "risk_medium_from",
                self.risk_medium_from,
                1,
                indicators,
            ));
        }
        if !(self.risk_medium_from..=indicators).contains(&self.risk_high_from) {
            return Err(out_of_range(
                "risk_high_from",
                self.risk_high_from,
                self.risk_medium_from,
                indicators,
            ));
        }
        Ok(())
    }

    pub fn risk_thresholds(&self) -> risk::Thresholds {
        risk::Thresholds {
            medium_from: self.risk_medium_from,
            high_from: self.risk_high_from,
        }
    }
}

fn out_of_range(name: &str, value: i64, least: i64, most: i64) -> DomainError {
    DomainError::new(
        ErrorCode::InvalidRequest,
        format!("{name} must be between {least} and {most} (got {value})"),
    )
}

/// The organisation's rules, or the defaults.
pub fn rules_for(state: &AppState, organisation_id: &str) -> Result<EscalationRules, DomainError> {
    let mut conn = state.db()?;
    let stored = casesync_schema::alerts::rules_of(&mut conn, organisation_id)?;
    Ok(stored
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}
