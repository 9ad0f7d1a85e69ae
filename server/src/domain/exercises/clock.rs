//! The scenario clock. An exercise plays `speed` scenario minutes per real minute from its
//! start; everything the server decides on time for a training organisation (deadlines,
//! escalations, acknowledgement reminders) is decided on this clock. Rather than scaling
//! each rule, the times of the case are mapped onto the scenario clock (`t` becomes
//! `start + (t - start) × speed`), with `now` likewise, and the ordinary rules run
//! unchanged: "the police report is due at once, the return interview within 72 hours"
//! hold in scenario time, as the handbook states them. Real organisations run at speed 1,
//! where the map is the identity.

use std::borrow::Cow;

use casesync_contract::case::CaseDocument;

use crate::domain::error::DomainError;
use crate::state::AppState;

/// Integer fields of a case document that are not times.
const NOT_TIMES: &[&str] = &[
    "schema_version",
    "instrument_version",
    "template_version",
    "size",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScenarioClock {
    pub start: i64,
    pub speed: i64,
}

impl ScenarioClock {
    pub const REAL: ScenarioClock = ScenarioClock { start: 0, speed: 1 };

    /// The scenario time of real time `t`.
    pub fn at(self, t: i64) -> i64 {
        self.start + (t - self.start).saturating_mul(self.speed)
    }

    /// Minutes of scenario time from the exercise's start to real time `t`.
    pub fn minutes(self, t: i64) -> i64 {
        (t - self.start).saturating_mul(self.speed) / 60_000
    }

    pub fn is_real(self) -> bool {
        self.speed == 1
    }

    /// The case with every time on the scenario clock: the case itself for a real
    /// organisation (no copy: derive runs and escalation passes read every case).
    pub fn case(self, case: &CaseDocument) -> Cow<'_, CaseDocument> {
        if self.is_real() {
            return Cow::Borrowed(case);
        }
        let Ok(mut value) = serde_json::to_value(case) else {
            return Cow::Borrowed(case);
        };
        self.map_times(None, &mut value);
        serde_json::from_value(value).map_or(Cow::Borrowed(case), Cow::Owned)
    }

    fn map_times(self, key: Option<&str>, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    self.map_times(Some(k), v);
                }
            }
            serde_json::Value::Array(items) => {
                for item in items {
                    self.map_times(key, item);
                }
            }
            serde_json::Value::Number(n) if !key.is_some_and(|k| NOT_TIMES.contains(&k)) => {
                if let Some(t) = n.as_i64() {
                    *value = serde_json::Value::from(self.at(t));
                }
            }
            _ => {}
        }
    }
}

/// The clock an organisation's case runs on: its exercise's, or real time.
pub fn for_organisation(
    state: &AppState,
    organisation: &str,
) -> Result<ScenarioClock, DomainError> {
    let mut conn = state.db()?;
    Ok(
        match casesync_schema::exercises::of_organisation(&mut conn, organisation)? {
            Some(exercise) if exercise.ended_at.is_none() => ScenarioClock {
                start: exercise.started_at,
                speed: exercise.speed.max(1),
            },
            _ => ScenarioClock::REAL,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_795_852_800_000;
    const MINUTE: i64 = 60_000;

    #[test]
    fn a_deadline_holds_in_scenario_minutes() {
        let clock = ScenarioClock {
            start: T0,
            speed: 10,
        };
        assert_eq!(clock.at(T0 + 6 * MINUTE), T0 + 60 * MINUTE);
        assert_eq!(clock.minutes(T0 + 6 * MINUTE), 60);
        assert_eq!(ScenarioClock::REAL.at(T0), T0);
    }

    #[test]
    fn every_time_of_a_case_is_mapped_and_nothing_else() {
        let case: CaseDocument = serde_json::from_value(serde_json::json!({
            "schema_version": 1, "kind": "case", "case_id": "c", "organisation": "o",
            "site": "s", "created_at": T0 + MINUTE, "profile": {"given_name": "12"},
            "observations": [], "episodes": [{"id": "e", "opened_at": T0 + 2 * MINUTE,
                "events": [{"id": "v", "state": "late", "observed_at": T0 + 2 * MINUTE,
                            "author": "u", "device": "d"}]}],
            "risk_assessments": [], "legal_bases": [], "referrals": [], "attachments": [],
            "checklists": [{"id": "k", "template": "absence", "template_version": 2,
                "anchor": "e", "anchored_at": T0 + 2 * MINUTE, "steps": {}}],
        }))
        .unwrap();
        let mapped = ScenarioClock {
            start: T0,
            speed: 10,
        }
        .case(&case);
        assert_eq!(mapped.created_at.0, T0 + 10 * MINUTE);
        assert_eq!(mapped.episodes[0].events[0].observed_at.0, T0 + 20 * MINUTE);
        assert_eq!(mapped.checklists[0].anchored_at.0, T0 + 20 * MINUTE);
        assert_eq!(mapped.checklists[0].template_version.0, 2);
        assert_eq!(mapped.profile["given_name"].as_str(), "12");
    }
}
