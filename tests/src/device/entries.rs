//! Entries a phone records in a case it holds, as the field app writes them: observations,
//! profile registers, episode events, checklist steps. Each is committed locally and sent
//! with the device's next sync.

use casesync_contract::case::{self, CaseLog, EpisodeEvent, Millis, Observation, Str};
use casesync_contract::DocumentId;

use super::Device;

impl Device {
    pub fn observe(&mut self, id: &DocumentId, entry_id: &str, text: &str, observed_at: i64) {
        let obs = Observation {
            id: Str::from(entry_id),
            kind: Str::from("sighting"),
            text: Str::from(text),
            observed_at: Millis(observed_at),
            place: Some(Str::from("transit point")),
            author: Str(self.user_id.clone()),
            device: Str(self.device_id.clone()),
            attachments: None,
            provenance: None,
        };
        case::append(self.doc(id), CaseLog::Observations, &obs).expect("append observation");
        self.doc(id).commit();
    }

    pub fn set_profile(&mut self, id: &DocumentId, field: &str, value: &str) {
        case::set_profile_field(self.doc(id), field, value).expect("set profile field");
        self.doc(id).commit();
    }

    /// Records an episode event, opening the episode if needed.
    pub fn episode_event(
        &mut self,
        id: &DocumentId,
        episode: &str,
        event_id: &str,
        state: &str,
        at: i64,
    ) {
        self.episode_event_with(id, episode, event_id, state, at, &[]);
    }

    /// [`Device::episode_event`] with `details` (e.g. `found_place`, `victim_of_crime`).
    pub fn episode_event_with(
        &mut self,
        id: &DocumentId,
        episode: &str,
        event_id: &str,
        state: &str,
        at: i64,
        details: &[(&str, &str)],
    ) {
        let seen: Vec<Str> = case::read_case(self.doc(id))
            .map(|c| {
                c.episodes
                    .iter()
                    .filter(|e| e.id.as_str() == episode)
                    .flat_map(|e| e.events.iter().map(|ev| ev.id.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let event = EpisodeEvent {
            id: Str::from(event_id),
            state: Str::from(state),
            observed_at: Millis(at),
            author: Str(self.user_id.clone()),
            device: Str(self.device_id.clone()),
            note: None,
            supersedes: Some(seen),
            details: (!details.is_empty()).then(|| {
                details
                    .iter()
                    .map(|(k, v)| (k.to_string(), Str::from(*v)))
                    .collect()
            }),
            provenance: None,
        };
        let doc = self.doc(id);
        let appended =
            case::edit::append_episode_event(doc, episode, &event).expect("append event");
        if !appended {
            let ep = case::Episode {
                id: Str::from(episode),
                opened_at: Millis(at),
                events: vec![event],
            };
            case::append(doc, CaseLog::Episodes, &ep).expect("open episode");
        }
        doc.commit();
    }

    /// Marks `step` done in the checklist the server started for `(template, anchor)` (an
    /// episode id, or `intake`); the device must hold it (synced after the server started it).
    pub fn step_done(
        &mut self,
        id: &DocumentId,
        (template, anchor): (&str, &str),
        step: &str,
        at: i64,
    ) {
        let by = Str(self.user_id.clone());
        let doc = self.doc(id);
        let index = case::read_case(doc)
            .expect("a case")
            .checklists
            .iter()
            .position(|c| c.template.as_str() == template && c.anchor.as_str() == anchor)
            .expect("the checklist was started and synced");
        let done = case::ChecklistStep {
            status: Str::from("done"),
            by: Some(by),
            at: Some(Millis(at)),
            note: None,
        };
        case::edit::set_step_status(doc, index, step, &done).expect("step written");
        doc.commit();
    }
}
