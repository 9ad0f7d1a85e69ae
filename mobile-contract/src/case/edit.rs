//! Writing a case document the way the contract expects: the skeleton once, by whoever
//! creates the case, then entries appended to the logs and registers written whole. The Rust
//! device client, the server and the demo use these; other SDKs follow
//! `docs/case-document.md`.

use std::collections::BTreeMap;

use automerge::{ActorId, AutoCommit, ObjType, ReadDoc, ROOT};
use autosurgeon::{reconcile_insert, reconcile_prop, Reconcile};

use super::model::{CaseDocument, CASE_KIND, SCHEMA_VERSION};
use super::values::{Millis, Str, Whole};
use crate::DocumentId;

/// What is needed to open a case.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub case_id: DocumentId,
    pub organisation: String,
    pub site: String,
    pub jurisdiction: Option<String>,
    pub created_at: i64,
    pub profile: BTreeMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("the document has no list `{0}`: it is not a case document")]
    MissingLog(&'static str),
    #[error(transparent)]
    Reconcile(#[from] autosurgeon::ReconcileError),
    #[error(transparent)]
    Automerge(#[from] automerge::AutomergeError),
}

/// The append-only logs of a case document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseLog {
    Observations,
    Episodes,
    RiskAssessments,
    Checklists,
    LegalBases,
    Referrals,
    Attachments,
}

impl CaseLog {
    pub const ALL: [CaseLog; 7] = [
        Self::Observations,
        Self::Episodes,
        Self::RiskAssessments,
        Self::Checklists,
        Self::LegalBases,
        Self::Referrals,
        Self::Attachments,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Observations => "observations",
            Self::Episodes => "episodes",
            Self::RiskAssessments => "risk_assessments",
            Self::Checklists => "checklists",
            Self::LegalBases => "legal_bases",
            Self::Referrals => "referrals",
            Self::Attachments => "attachments",
        }
    }
}

/// A new case document written by `actor`.
pub fn new_case_document(new: &NewCase, actor: ActorId) -> Result<AutoCommit, EditError> {
    let mut doc = AutoCommit::new().with_actor(actor);
    let case = CaseDocument {
        schema_version: Whole(SCHEMA_VERSION),
        kind: Str::from(CASE_KIND),
        case_id: Str(new.case_id.to_string()),
        organisation: Str(new.organisation.clone()),
        site: Str(new.site.clone()),
        jurisdiction: new.jurisdiction.clone().map(Str),
        created_at: Millis(new.created_at),
        profile: new
            .profile
            .iter()
            .map(|(k, v)| (k.clone(), Str(v.clone())))
            .collect(),
        observations: vec![],
        episodes: vec![],
        risk_assessments: vec![],
        checklists: vec![],
        legal_bases: vec![],
        referrals: vec![],
        attachments: vec![],
    };
    autosurgeon::reconcile(&mut doc, &case)?;
    doc.commit();
    Ok(doc)
}

/// Appends an entry at the end of one of the logs.
pub fn append<R: Reconcile>(
    doc: &mut AutoCommit,
    log: CaseLog,
    entry: &R,
) -> Result<(), EditError> {
    let list = match doc.get(ROOT, log.key())? {
        Some((automerge::Value::Object(ObjType::List), id)) => id,
        _ => return Err(EditError::MissingLog(log.key())),
    };
    let end = doc.length(&list);
    reconcile_insert(doc, list, end, entry)?;
    Ok(())
}

/// Appends an event to an existing episode (found by id).
pub fn append_episode_event<R: Reconcile>(
    doc: &mut AutoCommit,
    episode_id: &str,
    event: &R,
) -> Result<bool, EditError> {
    let Some((automerge::Value::Object(ObjType::List), episodes)) = doc.get(ROOT, "episodes")?
    else {
        return Err(EditError::MissingLog("episodes"));
    };
    for idx in 0..doc.length(&episodes) {
        let Some((_, episode)) = doc.get(&episodes, idx)? else {
            continue;
        };
        let id: Option<Str> = autosurgeon::hydrate_prop(doc, &episode, "id").ok();
        if id.as_ref().map(Str::as_str) != Some(episode_id) {
            continue;
        }
        let Some((_, events)) = doc.get(&episode, "events")? else {
            return Err(EditError::MissingLog("episodes[].events"));
        };
        let end = doc.length(&events);
        reconcile_insert(doc, events, end, event)?;
        return Ok(true);
    }
    Ok(false)
}

/// Writes a profile register whole.
pub fn set_profile_field(doc: &mut AutoCommit, field: &str, value: &str) -> Result<(), EditError> {
    let Some((_, profile)) = doc.get(ROOT, "profile")? else {
        return Err(EditError::MissingLog("profile"));
    };
    reconcile_prop(doc, &profile, field, Str::from(value))?;
    Ok(())
}

/// Sets the status of a checklist step (registers inside a checklist instance).
pub fn set_step_status(
    doc: &mut AutoCommit,
    checklist_index: usize,
    step: &str,
    value: &super::model::ChecklistStep,
) -> Result<(), EditError> {
    let Some((_, checklists)) = doc.get(ROOT, "checklists")? else {
        return Err(EditError::MissingLog("checklists"));
    };
    let Some((_, checklist)) = doc.get(&checklists, checklist_index)? else {
        return Err(EditError::MissingLog("checklists[]"));
    };
    let Some((_, steps)) = doc.get(&checklist, "steps")? else {
        return Err(EditError::MissingLog("checklists[].steps"));
    };
    reconcile_prop(doc, &steps, step, value)?;
    Ok(())
}
