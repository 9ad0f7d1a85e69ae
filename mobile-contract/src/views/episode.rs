//! The state of a child's episodes, derived from the append-only episode events.
//!
//! Safety first: when events recorded concurrently disagree (one phone says `returned`,
//! another says `missing`), the child counts as missing until a person records an event
//! that has seen both.

use std::collections::{BTreeSet, HashSet};

use serde::{Deserialize, Serialize};

use crate::case::{Episode, EpisodeEvent, EpisodeState};

/// What an episode amounts to now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EpisodeView {
    pub id: String,
    pub opened_at: i64,
    pub state: EpisodeState,
    /// Observed time of the event that set the state.
    pub since: i64,
    /// The states of concurrent latest events when they disagree; a person must resolve.
    pub disagreement: Vec<EpisodeState>,
    /// When the child was first recorded missing in this episode.
    pub missing_since: Option<i64>,
}

/// The child's situation across episodes: the open episode decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChildStatus {
    /// No open episode.
    Present,
    Late,
    Absent,
    Missing,
    Located,
    Returned,
}

impl ChildStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Present => "present",
            Self::Late => "late",
            Self::Absent => "absent",
            Self::Missing => "missing",
            Self::Located => "located",
            Self::Returned => "returned",
        }
    }
}

/// Derives the state of one episode. `None` when it has no readable event yet.
pub fn episode_view(episode: &Episode) -> Option<EpisodeView> {
    let events: Vec<(&EpisodeEvent, EpisodeState)> = episode
        .events
        .iter()
        .filter_map(|e| EpisodeState::parse(e.state.as_str()).map(|s| (e, s)))
        .collect();
    if events.is_empty() {
        return None;
    }
    let heads = latest_events(&events);
    let states: BTreeSet<EpisodeState> = heads.iter().map(|(_, s)| *s).collect();
    let newest = heads
        .iter()
        .max_by_key(|(e, _)| (e.observed_at, e.id.clone()))
        .copied()
        .unwrap_or(events[0]);
    let (state, since) = if states.len() > 1 {
        // Disagreement: missing wins if anyone says so, or if some say the child is away
        // while others say the child is back.
        let any_away = states.iter().any(|s| s.is_away());
        let any_back = states.iter().any(|s| !s.is_away());
        let state = if states.contains(&EpisodeState::Missing) || (any_away && any_back) {
            EpisodeState::Missing
        } else {
            newest.1
        };
        let since = heads
            .iter()
            .filter(|(_, s)| *s == state)
            .map(|(e, _)| e.observed_at.0)
            .min()
            .unwrap_or(newest.0.observed_at.0);
        (state, since)
    } else {
        (newest.1, newest.0.observed_at.0)
    };
    let missing_since = events
        .iter()
        .filter(|(_, s)| *s == EpisodeState::Missing)
        .map(|(e, _)| e.observed_at.0)
        .min()
        .or((state == EpisodeState::Missing).then_some(since));
    Some(EpisodeView {
        id: episode.id.0.clone(),
        opened_at: episode.opened_at.0,
        state,
        since,
        disagreement: if states.len() > 1 {
            states.into_iter().collect()
        } else {
            vec![]
        },
        missing_since,
    })
}

/// The events no other event has seen: the concurrent "latest" events. An event without a
/// `supersedes` list (an older client) is taken to have seen every event observed before it.
fn latest_events<'a>(
    events: &[(&'a EpisodeEvent, EpisodeState)],
) -> Vec<(&'a EpisodeEvent, EpisodeState)> {
    let mut seen: HashSet<&str> = HashSet::new();
    for (event, _) in events {
        match &event.supersedes {
            Some(ids) => seen.extend(ids.iter().map(|id| id.as_str())),
            None => seen.extend(
                events
                    .iter()
                    .filter(|(other, _)| other.observed_at < event.observed_at)
                    .map(|(other, _)| other.id.as_str()),
            ),
        }
    }
    events
        .iter()
        .filter(|(e, _)| !seen.contains(e.id.as_str()))
        .copied()
        .collect()
}

/// The child's status: the most recent episode that is not closed, or present.
pub fn child_status(episodes: &[Episode]) -> (ChildStatus, Option<EpisodeView>) {
    let open = episodes
        .iter()
        .filter_map(episode_view)
        .filter(|view| view.state != EpisodeState::Closed)
        .max_by_key(|view| (view.opened_at, view.id.clone()));
    match open {
        None => (ChildStatus::Present, None),
        Some(view) => {
            let status = match view.state {
                EpisodeState::Late => ChildStatus::Late,
                EpisodeState::Absent => ChildStatus::Absent,
                EpisodeState::Missing => ChildStatus::Missing,
                EpisodeState::Located => ChildStatus::Located,
                EpisodeState::Returned | EpisodeState::Closed => ChildStatus::Returned,
            };
            (status, Some(view))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Millis, Str};

    fn event(id: &str, state: &str, at: i64, supersedes: Option<&[&str]>) -> EpisodeEvent {
        EpisodeEvent {
            id: Str::from(id),
            state: Str::from(state),
            observed_at: Millis(at),
            author: Str::from("u"),
            device: Str::from("d"),
            note: None,
            supersedes: supersedes.map(|ids| ids.iter().map(|i| Str::from(*i)).collect()),
            details: None,
            provenance: None,
        }
    }

    fn episode(events: Vec<EpisodeEvent>) -> Episode {
        Episode {
            id: Str::from("ep"),
            opened_at: Millis(0),
            events,
        }
    }

    #[test]
    fn sequential_events_take_the_latest_state() {
        let ep = episode(vec![
            event("a", "absent", 10, Some(&[])),
            event("b", "missing", 20, Some(&["a"])),
            event("c", "located", 30, Some(&["a", "b"])),
        ]);
        let view = episode_view(&ep).unwrap();
        assert_eq!(view.state, EpisodeState::Located);
        assert!(view.disagreement.is_empty());
        assert_eq!(view.missing_since, Some(20));
    }

    #[test]
    fn concurrent_returned_and_missing_count_as_missing() {
        let ep = episode(vec![
            event("a", "absent", 10, Some(&[])),
            // Recorded later by device time, but without having seen the missing report.
            event("b", "returned", 40, Some(&["a"])),
            event("c", "missing", 20, Some(&["a"])),
        ]);
        let view = episode_view(&ep).unwrap();
        assert_eq!(view.state, EpisodeState::Missing);
        assert_eq!(
            view.disagreement,
            vec![EpisodeState::Missing, EpisodeState::Returned]
        );
    }

    #[test]
    fn a_person_resolves_the_disagreement() {
        let ep = episode(vec![
            event("a", "absent", 10, Some(&[])),
            event("b", "returned", 40, Some(&["a"])),
            event("c", "missing", 20, Some(&["a"])),
            event("d", "returned", 50, Some(&["a", "b", "c"])),
        ]);
        let view = episode_view(&ep).unwrap();
        assert_eq!(view.state, EpisodeState::Returned);
        assert!(view.disagreement.is_empty());
    }

    #[test]
    fn closed_episodes_leave_the_child_present() {
        let ep = episode(vec![
            event("a", "missing", 10, None),
            event("b", "closed", 20, None),
        ]);
        assert_eq!(child_status(&[ep]).0, ChildStatus::Present);
    }
}
