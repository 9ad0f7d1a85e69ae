//! Writing a child's history the way phones write it: each entry is a change made on a copy of
//! the case by one device's actor, then admitted through the engine like a batch from that
//! device (authorship, permissions, storage, receipts) and followed by everything an admitted
//! change sets off (audit, read models, blob references, checklists and alerts). Offline
//! phones are played by changes made on a copy that has not seen the others' newest changes.

use automerge::AutoCommit;
use casesync_contract::case::{
    self, append, AttachmentRef, CaseLog, Millis, NewCase, Observation, Str,
};
use casesync_contract::wire::DocumentKind;
use casesync_contract::DocumentId;
use casesync_sync::DocumentMeta;

use super::cast::Member;
use super::entry::Entry;
use super::DemoError;
use crate::pipeline::commit::{committed, Author};
use crate::pipeline::device_writer;
use crate::state::AppState;

type Edit<'e> = Box<dyn FnOnce(&mut AutoCommit) -> Result<(), DemoError> + 'e>;

/// One child's case, written entry by entry.
pub struct Story<'a> {
    pub state: &'a AppState,
    pub id: DocumentId,
}

impl<'a> Story<'a> {
    /// `by` opens the case at `at` (its phone syncs `synced` later).
    pub fn open(
        state: &'a AppState,
        by: &Member,
        profile: &[(&str, &str)],
        at: i64,
        synced: i64,
    ) -> Result<Self, DemoError> {
        let id = DocumentId::random();
        let site = by.device.site_id.clone().unwrap_or_default();
        let new = NewCase {
            case_id: id,
            organisation: by.device.organisation_id.clone(),
            site: site.clone(),
            jurisdiction: None,
            created_at: at,
            profile: profile
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        let mut doc = case::new_case_document(&new, by.actor.clone())?;
        let meta = DocumentMeta {
            kind: DocumentKind::Case,
            organisation: by.device.organisation_id.clone(),
            site: Some(site),
        };
        let changes = raw(&mut doc, &[]);
        let story = Self { state, id };
        story.admit(by, &changes, Some(&meta), synced)?;
        Ok(story)
    }

    /// One device's edit on the case as the server holds it now.
    pub fn write(
        &self,
        by: &Member,
        synced: i64,
        edit: impl FnOnce(&mut AutoCommit) -> Result<(), DemoError>,
    ) -> Result<(), DemoError> {
        self.write_concurrently(vec![(by, synced, Box::new(edit))])
    }

    /// Phones that had not seen each other's edit wrote the same register: both values
    /// stay, and the case shows a conflict until a coordinator resolves it.
    pub fn conflicting_profile(
        &self,
        field: &str,
        writes: [(&Member, i64, &str); 2],
    ) -> Result<(), DemoError> {
        let edits: Vec<(&Member, i64, Edit<'_>)> = writes
            .into_iter()
            .map(|(by, synced, value)| {
                let edit: Edit<'_> =
                    Box::new(move |doc| Ok(case::set_profile_field(doc, field, value)?));
                (by, synced, edit)
            })
            .collect();
        self.write_concurrently(edits)
    }

    /// The phone's dated photo: the attachment entry, and the profile naming it.
    pub fn dated_photo(
        &self,
        by: &Member,
        synced: i64,
        photo: &AttachmentRef,
    ) -> Result<(), DemoError> {
        self.write(by, synced, |doc| {
            append(doc, CaseLog::Attachments, photo)?;
            Ok(case::set_profile_field(
                doc,
                "photo",
                photo.sha256.as_str(),
            )?)
        })
    }

    /// Edits made on different phones from the same copy, none seeing the others': they
    /// reach the server one after another and merge.
    fn write_concurrently(&self, edits: Vec<(&Member, i64, Edit<'_>)>) -> Result<(), DemoError> {
        let base = self
            .state
            .engine
            .read(&self.id, |doc| doc.save())?
            .ok_or_else(|| DemoError::Failed(format!("case {} vanished", self.id)))?;
        let mut pending = Vec::new();
        for (by, synced, edit) in edits {
            let mut doc = AutoCommit::load(&base)?.with_actor(by.actor.clone());
            let before = doc.get_heads();
            edit(&mut doc)?;
            pending.push((by, synced, raw(&mut doc, &before)));
        }
        for (by, synced, changes) in pending {
            self.admit(by, &changes, None, synced)?;
        }
        Ok(())
    }

    fn admit(
        &self,
        by: &Member,
        changes: &[Vec<u8>],
        create: Option<&DocumentMeta>,
        synced: i64,
    ) -> Result<(), DemoError> {
        let writer = device_writer(&by.device);
        let admitted = self
            .state
            .engine
            .admit(
                &self.id,
                DocumentKind::Case,
                &writer,
                changes,
                create,
                synced,
            )
            .map_err(|refusal| {
                DemoError::Failed(format!(
                    "{} could not write case {}: {refusal}",
                    by.device.device_name, self.id
                ))
            })?;
        // The story goes on from what followed (the alert Abena's report raised).
        if let Some(ticket) = committed(
            self.state,
            &self.id,
            &admitted,
            Author::Device(&by.device.device_id),
        ) {
            self.state.projections.wait(ticket);
        }
        Ok(())
    }

    pub fn set_profile(
        &self,
        by: &Member,
        synced: i64,
        fields: &[(&str, &str)],
    ) -> Result<(), DemoError> {
        self.write(by, synced, |doc| {
            for (field, value) in fields {
                case::set_profile_field(doc, field, value)?;
            }
            Ok(())
        })
    }

    pub fn observe(&self, by: &Member, entry: Entry<'_>, kind: &str) -> Result<(), DemoError> {
        let obs = Observation {
            id: Str(new_entry_id("obs")),
            kind: Str::from(kind),
            text: Str::from(entry.text),
            observed_at: Millis(entry.at),
            place: entry.place.map(Str::from),
            author: Str(by.device.user_id.clone()),
            device: Str(by.device.device_id.clone()),
            attachments: None,
            provenance: None,
        };
        self.write(by, entry.synced, |doc| {
            Ok(append(doc, CaseLog::Observations, &obs)?)
        })
    }

    /// Appends a log entry built for `by` (risk assessment, legal basis, referral, attachment).
    pub fn append<R: autosurgeon::Reconcile>(
        &self,
        by: &Member,
        synced: i64,
        log: CaseLog,
        entry: &R,
    ) -> Result<(), DemoError> {
        self.write(by, synced, |doc| Ok(append(doc, log, entry)?))
    }
}

pub fn new_entry_id(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

/// Commits `doc` and returns its changes since `before`, as the wire carries them.
fn raw(doc: &mut AutoCommit, before: &[automerge::ChangeHash]) -> Vec<Vec<u8>> {
    doc.commit();
    doc.get_changes(before)
        .into_iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect()
}
