//! The shared view document: one automerge document per share, of kind `shared_view`. The
//! server derives `case` from the source case with [`super::project`] and rewrites it when
//! the case changes; partner devices hold the view, never the case, and append to its
//! `contributions`. No entry of a view names who in the source organisation wrote it
//! (`author`, `device`, a checklist step's `by`, a `provenance`): the partner learns which
//! organisation shares, not which of its staff typed what.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::contribution::{check_contribution, Contribution};
use crate::case::{Millis, Str, Whole};

/// The value of the root `kind` key of a shared view.
pub const SHARED_VIEW_KIND: &str = "shared_view";
/// The shape version of shared views this build writes and reads.
pub const SHARED_VIEW_SCHEMA_VERSION: i64 = 1;

/// What a partner organisation holds of a case it was shared.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct SharedViewDocument {
    pub schema_version: Whole,
    pub kind: Str,
    /// The view's document id (base58check), repeated inside so that exports stand alone.
    pub view_id: Str,
    /// The share's id: what the partner quotes back to the sharing organisation.
    pub reference: Str,
    /// The id of the organisation that shares the case.
    pub source_organisation: Str,
    /// The id of the organisation the case is shared with.
    pub partner_organisation: Str,
    /// The lawful basis the share names.
    pub legal_basis: Str,
    /// Why the case is shared.
    pub purpose: Str,
    /// The data categories the share names; `case` holds only what they cover.
    pub categories: Vec<Str>,
    pub shared_at: Millis,
    /// What the categories cover of the case, written by the server only.
    pub case: SharedCase,
    /// What the partner's workers report back: the server admits each into the case.
    pub contributions: Vec<Contribution>,
}

/// The part of a case a share covers. A list or map is empty when no shared category covers
/// it. Lists are sorted by time, then id.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct SharedCase {
    /// The profile registers the categories cover.
    pub profile: BTreeMap<String, Str>,
    /// Observations of the kinds the categories cover.
    pub observations: Vec<SharedObservation>,
    /// The episodes, with category `episodes` only.
    pub episodes: Vec<SharedEpisode>,
    /// The newest value of each covered episode detail, across all episodes, whether or not
    /// the episodes themselves are shared: partners read the facts in one place.
    pub facts: BTreeMap<String, SharedFact>,
    /// With category `risk_assessment` only.
    pub risk_assessments: Vec<SharedRiskAssessment>,
    /// The attachments the categories cover (photos, documents).
    pub attachments: Vec<SharedAttachment>,
    /// With category `response` only.
    pub checklists: Vec<SharedChecklist>,
    /// With category `legal_bases` only.
    pub legal_bases: Vec<SharedLegalBasis>,
    /// With category `referrals` only.
    pub referrals: Vec<SharedReferral>,
    /// The records of the logs the categories cover (`response_records`,
    /// `casework_records`). Absent from views written before records existed.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub records: Vec<super::SharedRecord>,
}

impl SharedCase {
    /// Whether the share carries nothing of the case.
    pub fn is_empty(&self) -> bool {
        self.profile.is_empty()
            && self.observations.is_empty()
            && self.episodes.is_empty()
            && self.facts.is_empty()
            && self.risk_assessments.is_empty()
            && self.attachments.is_empty()
            && self.checklists.is_empty()
            && self.legal_bases.is_empty()
            && self.referrals.is_empty()
            && self.records.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct SharedObservation {
    pub id: Str,
    pub kind: Str,
    pub text: Str,
    pub observed_at: Millis,
    /// Coarse place, as the observation recorded it.
    #[autosurgeon(missing = "Default::default")]
    pub place: Option<Str>,
    /// SHA-256 of the observation's attachments that the view itself carries.
    #[autosurgeon(missing = "Default::default")]
    pub attachments: Option<Vec<Str>>,
}

#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct SharedEpisode {
    pub id: Str,
    pub opened_at: Millis,
    pub events: Vec<SharedEpisodeEvent>,
}

#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct SharedEpisodeEvent {
    pub id: Str,
    pub state: Str,
    pub observed_at: Millis,
    #[autosurgeon(missing = "Default::default")]
    pub note: Option<Str>,
    /// As in the case: the events of the episode its author had seen, so that a partner
    /// derives the episode's state the way the server does.
    #[autosurgeon(missing = "Default::default")]
    pub supersedes: Option<Vec<Str>>,
    /// Only the keys the categories cover.
    #[autosurgeon(missing = "Default::default")]
    pub details: Option<BTreeMap<String, Str>>,
}

/// The newest value of an episode detail and when the event that recorded it was observed.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct SharedFact {
    pub value: Str,
    pub observed_at: Millis,
}

/// A risk assessment. The answers travel with it: a level means little to a partner who
/// cannot see which indicators raised it, and the indicators are the handbook's, meant to be
/// shared between agencies. The health indicators are the exception: they are health data,
/// carried only when category `health` is shared too.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct SharedRiskAssessment {
    pub id: Str,
    pub instrument_version: Whole,
    pub answers: BTreeMap<String, bool>,
    pub advisory_level: Str,
    pub level: Str,
    #[autosurgeon(missing = "Default::default")]
    pub reason: Option<Str>,
    #[autosurgeon(missing = "Default::default")]
    pub next_review: Option<Millis>,
    #[autosurgeon(missing = "Default::default")]
    pub confirms: Option<Str>,
    pub assessed_at: Millis,
}

/// An attachment the view carries: the partner fetches its blob by `sha256`.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct SharedAttachment {
    pub sha256: Str,
    pub size: Whole,
    pub media_type: Str,
    pub captured_at: Millis,
    #[autosurgeon(missing = "Default::default")]
    pub caption: Option<Str>,
}

#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct SharedChecklist {
    pub id: Str,
    pub template: Str,
    pub template_version: Whole,
    pub anchor: Str,
    pub anchored_at: Millis,
    pub steps: BTreeMap<String, SharedChecklistStep>,
}

/// A checklist step's status, without who set it.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct SharedChecklistStep {
    pub status: Str,
    #[autosurgeon(missing = "Default::default")]
    pub at: Option<Millis>,
    #[autosurgeon(missing = "Default::default")]
    pub note: Option<Str>,
}

#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct SharedLegalBasis {
    pub id: Str,
    pub purpose: Str,
    pub basis: Str,
    /// Who gave it (the child, a guardian, a court): part of the basis, not of its recording.
    pub given_by: Str,
    pub recorded_at: Millis,
    #[autosurgeon(missing = "Default::default")]
    pub withdraws: Option<Str>,
}

#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct SharedReferral {
    pub id: Str,
    pub to: Str,
    pub sent_at: Millis,
    pub legal_basis: Str,
    pub categories: Vec<Str>,
    pub cross_border: bool,
}

/// Reads a shared view and checks its header and its contributions.
pub fn read_shared_view<D: autosurgeon::ReadDoc>(doc: &D) -> Result<SharedViewDocument, String> {
    let view: SharedViewDocument = autosurgeon::hydrate(doc)
        .map_err(|e| format!("the document does not have the shared view shape: {e}"))?;
    check_shared_view(&view)?;
    Ok(view)
}

/// Checks a shared view already read: its version and kind, and each contribution.
pub fn check_shared_view(view: &SharedViewDocument) -> Result<(), String> {
    if view.schema_version.0 != SHARED_VIEW_SCHEMA_VERSION {
        return Err(format!(
            "schema_version {} is not supported (this build reads {SHARED_VIEW_SCHEMA_VERSION})",
            view.schema_version.0
        ));
    }
    if view.kind.as_str() != SHARED_VIEW_KIND {
        return Err(format!(
            "kind must be \"{SHARED_VIEW_KIND}\", found \"{}\"",
            view.kind
        ));
    }
    for contribution in &view.contributions {
        check_contribution(contribution)
            .map_err(|why| format!("contributions[{}]: {why}", contribution.id))?;
    }
    Ok(())
}
