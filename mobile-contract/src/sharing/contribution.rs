//! What a partner organisation reports back through a shared view, and the case entry the
//! server admits it as. A partner device appends a [`Contribution`] to its view's
//! `contributions`; the server checks it ([`check_contribution`]) and writes
//! [`contribution_entry`] into the source case, with a [`Provenance`] only the server writes.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::case::validate::{is_coarse_place, non_empty};
use crate::case::{EpisodeEvent, EpisodeState, Millis, Observation, Provenance, Str};

/// The episode detail a located contribution's place is written to.
const FOUND_PLACE: &str = "found_place";

/// What a partner may report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContributionKind {
    /// The child was seen: an observation of kind `sighting` in the case.
    Sighting,
    /// Someone knows where the child is: a `located` event of an episode.
    Located,
    /// Anything else worth knowing: an observation of kind `note`.
    Note,
}

impl ContributionKind {
    pub const ALL: [ContributionKind; 3] = [Self::Sighting, Self::Located, Self::Note];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sighting => "sighting",
            Self::Located => "located",
            Self::Note => "note",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == s)
    }
}

/// The words of `contributions[].kind`, as [`ContributionKind`] spells them.
pub const CONTRIBUTION_KINDS: &[&str] = &["sighting", "located", "note"];

/// A report a partner organisation's worker appends to a shared view.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Contribution {
    /// Unique in the view (a UUID or similar, made by the device).
    pub id: Str,
    /// One of [`CONTRIBUTION_KINDS`].
    pub kind: Str,
    pub text: Str,
    /// Device time when it was observed.
    pub observed_at: Millis,
    /// Coarse place (a neighbourhood, a station), never precise coordinates.
    #[autosurgeon(missing = "Default::default")]
    pub place: Option<Str>,
    /// The contributor's user id, in the partner organisation.
    pub author: Str,
    /// The contributor's device id.
    pub device: Str,
}

/// Whether a contribution may be admitted: a known kind, an id, a text, its writer named,
/// and a place, if any, that is coarse like an observation's.
pub fn check_contribution(c: &Contribution) -> Result<(), String> {
    let present = |field: &str, value: &Str| non_empty(field, value.as_str());
    present("id", &c.id).map_err(|e| e.to_string())?;
    if ContributionKind::parse(c.kind.as_str()).is_none() {
        return Err(format!(
            "kind: \"{}\" is not one of {}",
            c.kind,
            CONTRIBUTION_KINDS.join(", ")
        ));
    }
    present("text", &c.text).map_err(|e| e.to_string())?;
    present("author", &c.author).map_err(|e| e.to_string())?;
    present("device", &c.device).map_err(|e| e.to_string())?;
    if let Some(place) = &c.place {
        present("place", place).map_err(|e| e.to_string())?;
        if !is_coarse_place(place.as_str()) {
            return Err(format!(
                "place: \"{place}\" is precise; give a neighbourhood, a street or a station"
            ));
        }
    }
    Ok(())
}

/// The case entry a contribution is admitted as.
#[derive(Debug, Clone, PartialEq)]
pub enum ContributedEntry {
    /// A `sighting` or a `note`: appended to the case's `observations`.
    Observation(Observation),
    /// A `located` report: appended to an episode's `events`; the server decides which
    /// episode (the open one), and may fill `supersedes` with the events it holds.
    Located { event: EpisodeEvent },
}

impl ContributedEntry {
    /// The entry's id, derived from the view and the contribution.
    pub fn id(&self) -> &Str {
        match self {
            Self::Observation(observation) => &observation.id,
            Self::Located { event } => &event.id,
        }
    }
}

/// The id of the case entry admitted from a contribution of a view. Derived, so that
/// admitting the same contribution twice writes the same entry (the server sees it is
/// already there); the view is part of it because a contribution id is unique in its view
/// only, and a partner must not be able to take the id of another partner's contribution.
pub fn contribution_entry_id(view: &str, contribution: &str) -> String {
    format!("contrib-{view}-{contribution}")
}

/// The case entry for a contribution, written by the contributor (`author`, `device`) and
/// carrying `provenance`. Call [`check_contribution`] first: a kind it does not know is
/// written as a note, never as an episode event.
pub fn contribution_entry(c: &Contribution, provenance: Provenance) -> ContributedEntry {
    let id = Str(contribution_entry_id(
        provenance.view.as_str(),
        c.id.as_str(),
    ));
    match ContributionKind::parse(c.kind.as_str()) {
        Some(ContributionKind::Located) => ContributedEntry::Located {
            event: EpisodeEvent {
                id,
                state: Str::from(EpisodeState::Located.as_str()),
                observed_at: c.observed_at,
                author: c.author.clone(),
                device: c.device.clone(),
                note: Some(c.text.clone()),
                supersedes: None,
                details: c
                    .place
                    .clone()
                    .map(|place| [(FOUND_PLACE.to_string(), place)].into()),
                provenance: Some(provenance),
            },
        },
        kind => ContributedEntry::Observation(Observation {
            id,
            kind: Str::from(match kind {
                Some(ContributionKind::Sighting) => "sighting",
                _ => "note",
            }),
            text: c.text.clone(),
            observed_at: c.observed_at,
            place: c.place.clone(),
            author: c.author.clone(),
            device: c.device.clone(),
            attachments: None,
            provenance: Some(provenance),
        }),
    }
}
