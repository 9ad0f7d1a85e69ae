//! The case document, shape v1: one automerge document per child.
//!
//! Append-only logs (observations, episode events, assessments, referrals, legal bases,
//! attachments, and the records of `super::records`) keep facts that must never be lost; `profile` holds registers, whose
//! concurrent values are surfaced as conflicts. `docs/case-document.md` and
//! `docs/case-document.schema.json` (generated from these types by `crate::reference`, checked
//! by its tests) are the reference for mobile developers.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

pub use super::records::*;
use super::values::{Millis, Str, Whole};

/// The shape version this build writes and reads.
pub const SCHEMA_VERSION: i64 = 1;
/// The value of the root `kind` key of a case document.
pub const CASE_KIND: &str = "case";

#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct CaseDocument {
    pub schema_version: Whole,
    pub kind: Str,
    /// The document id (base58check), repeated inside so that exports stand alone.
    pub case_id: Str,
    pub organisation: Str,
    /// The reception centre responsible for the child.
    pub site: Str,
    #[autosurgeon(missing = "Default::default")]
    pub jurisdiction: Option<Str>,
    pub created_at: Millis,
    pub profile: BTreeMap<String, Str>,
    pub observations: Vec<Observation>,
    pub episodes: Vec<Episode>,
    pub risk_assessments: Vec<RiskAssessment>,
    pub checklists: Vec<Checklist>,
    pub legal_bases: Vec<LegalBasis>,
    pub referrals: Vec<Referral>,
    pub attachments: Vec<AttachmentRef>,
    // The record logs (`super::records`): absent from cases written before them.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub strategy_meetings: Vec<StrategyMeeting>,
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub wellbeing_checks: Vec<WellbeingCheck>,
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub return_interviews: Vec<ReturnInterview>,
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub nrm_referrals: Vec<NrmReferral>,
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub police_instruments: Vec<PoliceInstrument>,
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub notifications: Vec<Notification>,
}

/// Something a worker saw or heard about the child.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Observation {
    pub id: Str,
    /// One of [`super::OBSERVATION_KINDS`].
    pub kind: Str,
    pub text: Str,
    /// Device time when it was observed.
    pub observed_at: Millis,
    /// Coarse place (a neighbourhood, a station), never precise coordinates.
    #[autosurgeon(missing = "Default::default")]
    pub place: Option<Str>,
    pub author: Str,
    pub device: Str,
    #[autosurgeon(missing = "Default::default")]
    pub attachments: Option<Vec<Str>>,
    /// Written by the server only: an entry a partner organisation contributed through a
    /// shared view.
    #[autosurgeon(missing = "Default::default")]
    pub provenance: Option<Provenance>,
}

/// Where an entry a partner organisation contributed through a shared view comes from.
/// `author` and `device` of such an entry are the contributor's; this says which
/// organisation, view and contribution it was admitted from.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Provenance {
    /// The partner organisation's id.
    pub organisation: Str,
    /// The contributor's user id, in the partner organisation.
    pub user: Str,
    /// The contributor's device id.
    pub device: Str,
    /// The document id of the shared view the contribution was made in.
    pub view: Str,
    /// The contribution's id in that view's `contributions`.
    pub contribution: Str,
}

/// One absence of the child, from first noticed to closed.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Episode {
    pub id: Str,
    pub opened_at: Millis,
    pub events: Vec<EpisodeEvent>,
}

/// A state transition of an episode (`late`, `absent`, `missing`, `located`, `returned`,
/// `closed`), with what was known at that moment.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct EpisodeEvent {
    pub id: Str,
    pub state: Str,
    pub observed_at: Millis,
    pub author: Str,
    pub device: Str,
    #[autosurgeon(missing = "Default::default")]
    pub note: Option<Str>,
    /// Ids of the events of this episode the author had seen when recording this one. Two
    /// events that do not list each other were recorded concurrently.
    #[autosurgeon(missing = "Default::default")]
    pub supersedes: Option<Vec<Str>>,
    /// What was known at that moment, by key: the facts of the missing pack and the flags of
    /// a found event. Keys: [`super::EPISODE_DETAIL_KEYS`].
    #[autosurgeon(missing = "Default::default")]
    pub details: Option<BTreeMap<String, Str>>,
    /// Written by the server only: an entry a partner organisation contributed through a
    /// shared view.
    #[autosurgeon(missing = "Default::default")]
    pub provenance: Option<Provenance>,
}

#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct RiskAssessment {
    pub id: Str,
    pub instrument_version: Whole,
    pub answers: BTreeMap<String, bool>,
    /// What the instrument suggests; a person decides `level`.
    pub advisory_level: Str,
    pub level: Str,
    #[autosurgeon(missing = "Default::default")]
    pub reason: Option<Str>,
    #[autosurgeon(missing = "Default::default")]
    pub next_review: Option<Millis>,
    /// The id of an earlier assessment this one confirms: a coordinator confirming the level
    /// a caseworker set appends an assessment with the same answers and level and `confirms`.
    #[autosurgeon(missing = "Default::default")]
    pub confirms: Option<Str>,
    pub assessed_at: Millis,
    pub author: Str,
    pub device: Str,
}

/// An instance of a checklist template, started by its anchor event.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Checklist {
    pub id: Str,
    pub template: Str,
    pub template_version: Whole,
    /// The episode event (or `intake`) that started it.
    pub anchor: Str,
    pub anchored_at: Millis,
    pub steps: BTreeMap<String, ChecklistStep>,
}

#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ChecklistStep {
    /// `open`, `done` or `not_applicable`.
    pub status: Str,
    #[autosurgeon(missing = "Default::default")]
    pub by: Option<Str>,
    #[autosurgeon(missing = "Default::default")]
    pub at: Option<Millis>,
    #[autosurgeon(missing = "Default::default")]
    pub note: Option<Str>,
}

/// A legal basis for a purpose, or the withdrawal of an earlier one (`withdraws`).
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct LegalBasis {
    pub id: Str,
    pub purpose: Str,
    /// `legal_obligation`, `public_task`, `vital_interests`, `consent`, `legitimate_interest`.
    pub basis: Str,
    pub given_by: Str,
    pub recorded_at: Millis,
    #[autosurgeon(missing = "Default::default")]
    pub withdraws: Option<Str>,
    pub author: Str,
    pub device: Str,
}

/// A referral or cross-border notification: to whom, on what basis, which data categories.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Referral {
    pub id: Str,
    pub to: Str,
    pub sent_at: Millis,
    pub legal_basis: Str,
    pub categories: Vec<Str>,
    pub cross_border: bool,
    pub author: Str,
    pub device: Str,
}

/// A photo or scanned document, stored as a blob and named by its SHA-256.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct AttachmentRef {
    pub sha256: Str,
    pub size: Whole,
    pub media_type: Str,
    pub captured_at: Millis,
    pub author: Str,
    pub device: Str,
    /// `identity_document` for a scanned identity document (the missing pack's copy of an
    /// ID card; a share counts it among the documents, never the photos).
    #[autosurgeon(missing = "Default::default")]
    pub sensitivity: Option<Str>,
    #[autosurgeon(missing = "Default::default")]
    pub caption: Option<Str>,
}

#[cfg(test)]
#[path = "provenance_tests.rs"]
mod provenance_tests;
