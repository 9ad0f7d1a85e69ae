//! Plays each exercise's injects when their scenario time comes: written into the child's
//! case by Exercise control, through the same path as any change (stored, pushed to every
//! phone, derived). Every instance may run this: an inject is claimed before it is written,
//! its entry id comes from the exercise and the inject, and the played row is written after
//! the entry, so neither a crash nor a second instance plays one twice.

use std::time::Duration;

use casesync_contract::case::edit::append_episode_event;
use casesync_contract::case::{
    append, read_case, CaseLog, Episode, EpisodeEvent, Millis, Observation, Str,
};
use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;
use casesync_schema::directory::users;
use casesync_schema::exercises::{self, Exercise};
use casesync_sync::Writer;

use super::clock::ScenarioClock;
use super::scenario::{Inject, InjectKind, Scenario};
use super::start::control_name;
use crate::domain::alerts::derive::HALF_DONE_AFTER_MS;
use crate::domain::error::DomainError;
use crate::domain::server_write::server_write;
use crate::state::AppState;

/// How often the runner looks for injects due.
const PERIOD: Duration = Duration::from_secs(1);
/// The device id the injects name: Exercise control writes from the server.
pub const CONTROL_DEVICE: &str = "exercise-control";

/// One pass over every running exercise. Returns how many injects it played.
pub fn tick(state: &AppState) -> Result<usize, DomainError> {
    let running = {
        let mut conn = state.db()?;
        exercises::running(&mut conn)?
    };
    let mut played = 0;
    for exercise in running {
        played += play_due(state, &exercise)?;
    }
    Ok(played)
}

/// Plays the injects of `exercise` whose scenario time has come.
pub fn play_due(state: &AppState, exercise: &Exercise) -> Result<usize, DomainError> {
    let scenario = Scenario::parse(&exercise.scenario_text).map_err(DomainError::internal)?;
    let clock = clock_of(exercise);
    let minute = clock.minutes(state.now());
    let done: Vec<String> = {
        let mut conn = state.db()?;
        exercises::played(&mut conn, &exercise.id)?
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    };
    let mut played = 0;
    for inject in scenario
        .injects
        .iter()
        .filter(|i| i.at_minutes <= minute && !done.contains(&i.id))
    {
        // One pass writes it: another instance's (or a second pass's) claim makes this one
        // skip; a claim whose writer died is taken over after a few seconds, and the entry's
        // id tells whether it was written before the death.
        let claimed = {
            let mut conn = state.db()?;
            let key = format!("exercise-inject:{}:{}", exercise.id, inject.id);
            casesync_schema::alerts::claim_derivation(&mut conn, &key, HALF_DONE_AFTER_MS)?
        };
        if !claimed {
            continue;
        }
        write_inject(state, exercise, clock, inject)?;
        let mut conn = state.db()?;
        if exercises::mark_played(&mut conn, &exercise.id, &inject.id, state.now())? {
            played += 1;
        }
    }
    Ok(played)
}

pub fn clock_of(exercise: &Exercise) -> ScenarioClock {
    ScenarioClock {
        start: exercise.started_at,
        speed: exercise.speed.max(1),
    }
}

/// The entry id of an inject in the case.
pub fn entry_id(exercise: &Exercise, inject: &str) -> String {
    format!("inject-{}-{inject}", &exercise.id[..8])
}

/// The episode the injects' events belong to.
fn episode_id(exercise: &Exercise) -> String {
    format!("ep-exercise-{}", &exercise.id[..8])
}

fn write_inject(
    state: &AppState,
    exercise: &Exercise,
    clock: ScenarioClock,
    inject: &Inject,
) -> Result<(), DomainError> {
    let case_id: DocumentId = exercise
        .case_id
        .parse()
        .map_err(|_| DomainError::internal("exercise case id"))?;
    let control = {
        let mut conn = state.db()?;
        users::find_in(
            &mut conn,
            &exercise.organisation_id,
            &control_name(&exercise.id[..8]),
        )?
    }
    .ok_or_else(|| DomainError::internal("the exercise's control user is gone"))?;
    let id = entry_id(exercise, &inject.id);
    let Some(case) = state
        .engine
        .read(&case_id, |doc| read_case(doc).ok())?
        .flatten()
    else {
        return Ok(()); // erased: the exercise ended
    };
    let present = case.observations.iter().any(|o| o.id.as_str() == id)
        || case
            .episodes
            .iter()
            .flat_map(|e| &e.events)
            .any(|e| e.id.as_str() == id);
    if present {
        return Ok(());
    }
    // When it was meant to happen, on the real clock: the report reads both.
    let at = clock.start + inject.at_minutes * 60_000 / clock.speed;
    let (author, device) = (Str(control.id.clone()), Str::from(CONTROL_DEVICE));
    let episode = episode_id(exercise);
    let has_episode = case.episodes.iter().any(|e| e.id.as_str() == episode);
    let writer = Writer::server(&exercise.organisation_id);
    server_write(state, &case_id, DocumentKind::Case, &writer, None, |tx| {
        let written = match inject.kind {
            InjectKind::EpisodeEvent => {
                let event = EpisodeEvent {
                    id: Str(id.clone()),
                    state: Str(inject.state.clone().unwrap_or_default()),
                    observed_at: Millis(at),
                    author: author.clone(),
                    device: device.clone(),
                    note: Some(Str(inject.text.clone())),
                    supersedes: None,
                    details: (!inject.details.is_empty()).then(|| {
                        inject
                            .details
                            .iter()
                            .map(|(k, v)| (k.clone(), Str(v.clone())))
                            .collect()
                    }),
                    provenance: None,
                };
                if has_episode {
                    append_episode_event(tx, &episode, &event).map(|_| ())
                } else {
                    let opened = Episode {
                        id: Str(episode.clone()),
                        opened_at: Millis(at),
                        events: vec![event],
                    };
                    append(tx, CaseLog::Episodes, &opened)
                }
            }
            InjectKind::Observation => {
                let observation = Observation {
                    id: Str(id.clone()),
                    kind: Str(inject.observation_kind.clone().unwrap_or_default()),
                    text: Str(inject.text.clone()),
                    observed_at: Millis(at),
                    place: inject.place.clone().map(Str),
                    author: author.clone(),
                    device: device.clone(),
                    attachments: None,
                    provenance: None,
                };
                append(tx, CaseLog::Observations, &observation)
            }
        };
        // The error's text is what the pass logs; the type is large.
        written.map_err(|e| e.to_string())
    })
    .map(|_| ())
}

/// Runs [`tick`] every second until the server stops.
pub fn spawn(state: AppState) {
    crate::domain::periodic::every(state, PERIOD, "exercise injects", tick);
}
