//! Writing a case document the way the contract expects: the skeleton once, by whoever
//! creates the case, then entries appended to the logs and registers written whole. The Rust
//! device client, the server and the demo use these; other SDKs follow
//! `docs/case-document.md`.

use std::collections::BTreeMap;

use automerge::{ActorId, AutoCommit, ObjType, ReadDoc, ROOT};
use autosurgeon::{reconcile_insert, reconcile_prop, Doc, Reconcile};

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
    StrategyMeetings,
    WellbeingChecks,
    ReturnInterviews,
    NrmReferrals,
    PoliceInstruments,
    Notifications,
}

impl CaseLog {
    pub const ALL: [CaseLog; 13] = [
        Self::Observations,
        Self::Episodes,
        Self::RiskAssessments,
        Self::Checklists,
        Self::LegalBases,
        Self::Referrals,
        Self::Attachments,
        Self::StrategyMeetings,
        Self::WellbeingChecks,
        Self::ReturnInterviews,
        Self::NrmReferrals,
        Self::PoliceInstruments,
        Self::Notifications,
    ];

    /// The record logs (`super::records`): a case written before them lacks them until the
    /// server adds them (`record_logs_change`).
    pub const RECORDS: [CaseLog; 6] = [
        Self::StrategyMeetings,
        Self::WellbeingChecks,
        Self::ReturnInterviews,
        Self::NrmReferrals,
        Self::PoliceInstruments,
        Self::Notifications,
    ];

    pub fn is_record(self) -> bool {
        Self::RECORDS.contains(&self)
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Observations => "observations",
            Self::Episodes => "episodes",
            Self::RiskAssessments => "risk_assessments",
            Self::Checklists => "checklists",
            Self::LegalBases => "legal_bases",
            Self::Referrals => "referrals",
            Self::Attachments => "attachments",
            Self::StrategyMeetings => "strategy_meetings",
            Self::WellbeingChecks => "wellbeing_checks",
            Self::ReturnInterviews => "return_interviews",
            Self::NrmReferrals => "nrm_referrals",
            Self::PoliceInstruments => "police_instruments",
            Self::Notifications => "notifications",
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
        strategy_meetings: vec![],
        wellbeing_checks: vec![],
        return_interviews: vec![],
        nrm_referrals: vec![],
        police_instruments: vec![],
        notifications: vec![],
    };
    autosurgeon::reconcile(&mut doc, &case)?;
    doc.commit();
    Ok(doc)
}

/// Appends an entry at the end of one of the logs. A record log is missing only from a copy
/// last synced before the server added the record logs to its case (`record_logs_change`):
/// sync once, then append.
pub fn append<D: Doc, R: Reconcile>(doc: &mut D, log: CaseLog, entry: &R) -> Result<(), EditError> {
    let list = match doc.get(&ROOT, log.key())? {
        Some((automerge::Value::Object(ObjType::List), id)) => id,
        _ => return Err(EditError::MissingLog(log.key())),
    };
    let end = doc.length(&list);
    reconcile_insert(doc, list, end, entry)?;
    Ok(())
}

/// Appends an event to an existing episode (found by id), in any automerge document or
/// transaction (the server appends partners' reports inside its own transactions).
pub fn append_episode_event<D: Doc, R: Reconcile>(
    doc: &mut D,
    episode_id: &str,
    event: &R,
) -> Result<bool, EditError> {
    let Some((automerge::Value::Object(ObjType::List), episodes)) = doc.get(&ROOT, "episodes")?
    else {
        return Err(EditError::MissingLog("episodes"));
    };
    for idx in 0..doc.length(&episodes) {
        let Some((_, episode)) = doc.get(&episodes, idx)? else {
            continue;
        };
        let id: Option<Str> = autosurgeon::hydrate_prop(&*doc, &episode, "id").ok();
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

/// Writes the `done` register of action `action_id` of strategy meeting `meeting_id`, whole.
/// Returns whether the action was found.
pub fn set_action_done(
    doc: &mut AutoCommit,
    meeting_id: &str,
    action_id: &str,
    done: &super::model::ActionDone,
) -> Result<bool, EditError> {
    let Some((_, meetings)) = doc.get(ROOT, CaseLog::StrategyMeetings.key())? else {
        return Err(EditError::MissingLog("strategy_meetings"));
    };
    for meeting in (0..doc.length(&meetings)).filter_map(|i| doc.get(&meetings, i).ok()?) {
        let (_, meeting) = meeting;
        let id: Option<Str> = autosurgeon::hydrate_prop(doc, &meeting, "id").ok();
        if id.as_ref().map(Str::as_str) != Some(meeting_id) {
            continue;
        }
        let Some((_, actions)) = doc.get(&meeting, "actions")? else {
            return Err(EditError::MissingLog("strategy_meetings[].actions"));
        };
        for action in (0..doc.length(&actions)).filter_map(|i| doc.get(&actions, i).ok()?) {
            let (_, action) = action;
            let id: Option<Str> = autosurgeon::hydrate_prop(doc, &action, "id").ok();
            if id.as_ref().map(Str::as_str) == Some(action_id) {
                reconcile_prop(doc, &action, "done", done)?;
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// The change that adds the record logs missing from a case written before them. It is the
/// same bytes whoever computes it (the actor is derived from the case id and the keys, it
/// depends on nothing and carries time 0), so two servers adding the logs at once write one
/// change, not two lists competing for one key.
pub fn record_logs_change(case_id: &str, missing: &[CaseLog]) -> Result<Vec<u8>, EditError> {
    let mut seed = format!("casesync record logs {case_id}");
    for log in missing {
        seed.push(' ');
        seed.push_str(log.key());
    }
    let actor = ActorId::from(&sha256_16(seed.as_bytes())[..]);
    let mut doc = automerge::Automerge::new().with_actor(actor);
    doc.transact_with::<_, _, automerge::AutomergeError, _>(
        |_| automerge::transaction::CommitOptions::default().with_time(0),
        |tx| {
            use automerge::transaction::Transactable;
            for log in missing {
                Transactable::put_object(tx, ROOT, log.key(), ObjType::List)?;
            }
            Ok(())
        },
    )
    .map_err(|failure| failure.error)?;
    doc.get_changes(&[])
        .first()
        .map(|c| c.raw_bytes().to_vec())
        .ok_or(EditError::MissingLog("record logs"))
}

/// The record logs `doc` lacks (none for a case written by this build's skeleton).
pub fn missing_record_logs<D: ReadDoc>(doc: &D) -> Vec<CaseLog> {
    CaseLog::RECORDS
        .into_iter()
        .filter(|log| matches!(doc.get(ROOT, log.key()), Ok(None)))
        .collect()
}

fn sha256_16(bytes: &[u8]) -> [u8; 16] {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    out
}
