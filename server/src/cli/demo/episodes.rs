//! Episodes and checklists in a story: the events of an absence as reception staff record
//! them, and the steps people mark done in the checklists the server started.

use std::collections::BTreeMap;

use casesync_contract::case::edit::{append_episode_event, set_step_status};
use casesync_contract::case::{
    append, read_case, CaseLog, ChecklistStep, Episode, EpisodeEvent, Millis, Str,
};

use super::cast::Member;
use super::entry::Entry;
use super::story::{new_entry_id, Story};
use super::DemoError;

/// The intake checklist of a case: template and anchor.
pub const INTAKE: (&str, &str) = ("intake", "intake");

impl Story<'_> {
    /// Records an episode event having seen every earlier event of the episode, opening
    /// the episode with it if it is the first.
    pub fn episode_event(
        &self,
        by: &Member,
        episode: &str,
        state: &str,
        entry: Entry<'_>,
        details: &[(&str, &str)],
    ) -> Result<(), DemoError> {
        self.write(by, entry.synced, |doc| {
            let seen: Vec<Str> = read_case(&*doc)
                .map(|c| {
                    c.episodes
                        .iter()
                        .filter(|e| e.id.as_str() == episode)
                        .flat_map(|e| e.events.iter().map(|ev| ev.id.clone()))
                        .collect()
                })
                .unwrap_or_default();
            let event = EpisodeEvent {
                id: Str(new_entry_id("evt")),
                state: Str::from(state),
                observed_at: Millis(entry.at),
                author: Str(by.device.user_id.clone()),
                device: Str(by.device.device_id.clone()),
                note: Some(Str::from(entry.text)),
                supersedes: Some(seen),
                details: (!details.is_empty()).then(|| {
                    details
                        .iter()
                        .map(|(k, v)| (k.to_string(), Str::from(*v)))
                        .collect::<BTreeMap<_, _>>()
                }),
                provenance: None,
            };
            if !append_episode_event(doc, episode, &event)? {
                let opened = Episode {
                    id: Str::from(episode),
                    opened_at: Millis(entry.at),
                    events: vec![event],
                };
                append(doc, CaseLog::Episodes, &opened)?;
            }
            Ok(())
        })
    }

    /// Marks a step done in the checklist the server started for `(template, anchor)`
    /// (`INTAKE`, or a template and an episode id). Nothing to mark when no such checklist was started.
    pub fn step_done(
        &self,
        by: &Member,
        (template, anchor): (&str, &str),
        step: &str,
        entry: Entry<'_>,
    ) -> Result<(), DemoError> {
        let index = self
            .state
            .engine
            .read(&self.id, |doc| {
                read_case(doc).ok().and_then(|c| {
                    c.checklists.iter().position(|l| {
                        l.template.as_str() == template && l.anchor.as_str() == anchor
                    })
                })
            })?
            .flatten();
        let Some(index) = index else {
            return Ok(());
        };
        let done = ChecklistStep {
            status: Str::from("done"),
            by: Some(Str(by.device.user_id.clone())),
            at: Some(Millis(entry.at)),
            note: (!entry.text.is_empty()).then(|| Str::from(entry.text)),
        };
        self.write(by, entry.synced, |doc| {
            Ok(set_step_status(doc, index, step, &done)?)
        })
    }

    /// Marks steps done, each at its time with its note, in one checklist.
    pub fn steps_done(
        &self,
        by: &Member,
        checklist: (&str, &str),
        steps: &[(&str, i64, &str)],
    ) -> Result<(), DemoError> {
        for (step, at, note) in steps {
            self.step_done(by, checklist, step, Entry::at(*at, note))?;
        }
        Ok(())
    }
}
