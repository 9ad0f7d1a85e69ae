//! Training scenarios as data (docs/exercises.md): the child's starting case, who takes part
//! and in which role, and the injects the exercise plays at scenario time. Abena's and
//! Qiro's ship with the server; a trainer passes a path to play their own.

use std::collections::BTreeMap;

use casesync_contract::case::{is_profile_field, EpisodeState, OBSERVATION_KINDS};
use casesync_contract::Role;
use serde::Deserialize;

/// The scenarios that ship with casesync, by id.
pub const SHIPPED: &[(&str, &str)] = &[
    ("abena", include_str!("../../../scenarios/abena.toml")),
    ("qiro", include_str!("../../../scenarios/qiro.toml")),
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub id: String,
    pub title: String,
    pub summary: String,
    /// The training site's name (the organisation gets one site).
    pub site: String,
    #[serde(default)]
    pub jurisdiction: Option<String>,
    /// The child's profile registers at the start.
    pub child: BTreeMap<String, String>,
    #[serde(rename = "participant")]
    pub participants: Vec<Participant>,
    #[serde(rename = "inject", default)]
    pub injects: Vec<Inject>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Participant {
    /// A short name, unique in the scenario: the user's name is made from it.
    pub name: String,
    /// What the trainer reads on the enrolment sheet.
    pub label: String,
    pub role: String,
}

/// Something that happens to the exercise at `at_minutes` of scenario time, written into
/// the child's case by "Exercise control".
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inject {
    pub id: String,
    pub at_minutes: i64,
    pub kind: InjectKind,
    pub text: String,
    /// `episode_event`: the state recorded.
    #[serde(default)]
    pub state: Option<String>,
    /// `episode_event`: details (`found_place`, `condition`, ...).
    #[serde(default)]
    pub details: BTreeMap<String, String>,
    /// `observation`: its kind (`sighting`, `contact`, `concern`, `indicator`, `note`).
    #[serde(default)]
    pub observation_kind: Option<String>,
    #[serde(default)]
    pub place: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InjectKind {
    EpisodeEvent,
    Observation,
}

impl Scenario {
    /// A shipped scenario by id, or a trainer's file by path.
    pub fn load(name_or_path: &str) -> Result<(Self, String), String> {
        let text = match SHIPPED.iter().find(|(id, _)| *id == name_or_path) {
            Some((_, text)) => text.to_string(),
            None => std::fs::read_to_string(name_or_path).map_err(|e| {
                let shipped: Vec<&str> = SHIPPED.iter().map(|(id, _)| *id).collect();
                format!(
                    "\"{name_or_path}\" is neither a shipped scenario ({}) nor a readable file: {e}",
                    shipped.join(", ")
                )
            })?,
        };
        Ok((Self::parse(&text)?, text))
    }

    /// Parses and checks a scenario: every word from the case's vocabulary, ids unique.
    pub fn parse(text: &str) -> Result<Self, String> {
        let scenario: Self = toml::from_str(text).map_err(|e| format!("scenario: {e}"))?;
        scenario.check()?;
        Ok(scenario)
    }

    fn check(&self) -> Result<(), String> {
        if self.id.trim().is_empty() || self.participants.is_empty() {
            return Err("scenario: an id and at least one participant are needed".into());
        }
        if let Some(field) = self.child.keys().find(|f| !is_profile_field(f)) {
            return Err(format!("scenario: child.{field} is not a profile register"));
        }
        let mut names = std::collections::BTreeSet::new();
        for p in &self.participants {
            if Role::parse(&p.role).is_none() || !names.insert(p.name.as_str()) {
                return Err(format!(
                    "scenario: participant \"{}\": unknown role \"{}\" or a name used twice",
                    p.name, p.role
                ));
            }
        }
        let mut ids = std::collections::BTreeSet::new();
        for inject in &self.injects {
            if !ids.insert(inject.id.as_str()) || inject.at_minutes < 0 {
                return Err(format!(
                    "scenario: inject \"{}\": id used twice or a negative time",
                    inject.id
                ));
            }
            let known = match inject.kind {
                InjectKind::EpisodeEvent => inject
                    .state
                    .as_deref()
                    .is_some_and(|s| EpisodeState::parse(s).is_some()),
                InjectKind::Observation => inject
                    .observation_kind
                    .as_deref()
                    .is_some_and(|k| OBSERVATION_KINDS.contains(&k)),
            };
            if !known {
                return Err(format!(
                    "scenario: inject \"{}\" needs a known state (episode_event) or \
                     observation_kind (observation)",
                    inject.id
                ));
            }
        }
        Ok(())
    }

    pub fn inject(&self, id: &str) -> Option<&Inject> {
        self.injects.iter().find(|i| i.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_scenarios_parse() {
        for (id, text) in SHIPPED {
            let scenario = Scenario::parse(text).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(scenario.id, *id);
            assert!(!scenario.injects.is_empty());
        }
    }

    #[test]
    fn a_word_outside_the_vocabulary_is_refused() {
        let (_, abena) = SHIPPED[0];
        let odd = abena.replace("state = \"late\"", "state = \"vanished\"");
        assert!(Scenario::parse(&odd).unwrap_err().contains("roll-call"));
        let odd = abena.replace("role = \"caseworker\"", "role = \"wizard\"");
        assert!(Scenario::parse(&odd).unwrap_err().contains("wizard"));
    }
}
