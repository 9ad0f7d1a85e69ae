//! The fixture's entries as apps wrote them before entries could carry a `provenance`: the
//! stored case, and the inputs found against it (which name its changes by hash), must stay
//! the same bytes. A struct field is written even when `None`, so the current model types
//! would add a `provenance: null` and change every hash. Field order is the model's.

use autosurgeon::Reconcile;
use casesync_contract::case::{
    AttachmentRef, CaseDocument, Checklist, Episode, EpisodeEvent, LegalBasis, Millis, Observation,
    Referral, RiskAssessment, Str, Whole,
};
use std::collections::BTreeMap;

#[derive(Reconcile)]
pub(crate) struct LegacyObservation {
    id: Str,
    kind: Str,
    text: Str,
    observed_at: Millis,
    place: Option<Str>,
    author: Str,
    device: Str,
    attachments: Option<Vec<Str>>,
}

impl From<Observation> for LegacyObservation {
    fn from(o: Observation) -> Self {
        Self {
            id: o.id,
            kind: o.kind,
            text: o.text,
            observed_at: o.observed_at,
            place: o.place,
            author: o.author,
            device: o.device,
            attachments: o.attachments,
        }
    }
}

#[derive(Reconcile)]
pub(crate) struct LegacyEvent {
    id: Str,
    state: Str,
    observed_at: Millis,
    author: Str,
    device: Str,
    note: Option<Str>,
    supersedes: Option<Vec<Str>>,
    details: Option<BTreeMap<String, Str>>,
}

impl From<EpisodeEvent> for LegacyEvent {
    fn from(e: EpisodeEvent) -> Self {
        Self {
            id: e.id,
            state: e.state,
            observed_at: e.observed_at,
            author: e.author,
            device: e.device,
            note: e.note,
            supersedes: e.supersedes,
            details: e.details,
        }
    }
}

#[derive(Reconcile)]
pub(crate) struct LegacyEpisode {
    id: Str,
    opened_at: Millis,
    events: Vec<LegacyEvent>,
}

impl From<Episode> for LegacyEpisode {
    fn from(e: Episode) -> Self {
        Self {
            id: e.id,
            opened_at: e.opened_at,
            events: e.events.into_iter().map(LegacyEvent::from).collect(),
        }
    }
}

/// The case skeleton as shape v1 was first written, before the record logs: the fixture's
/// first change, which the seeds build on, must stay the same bytes.
#[derive(Reconcile)]
pub(crate) struct LegacySkeleton {
    schema_version: Whole,
    kind: Str,
    case_id: Str,
    organisation: Str,
    site: Str,
    jurisdiction: Option<Str>,
    created_at: Millis,
    profile: BTreeMap<String, Str>,
    observations: Vec<Observation>,
    episodes: Vec<Episode>,
    risk_assessments: Vec<RiskAssessment>,
    checklists: Vec<Checklist>,
    legal_bases: Vec<LegalBasis>,
    referrals: Vec<Referral>,
    attachments: Vec<AttachmentRef>,
}

impl From<CaseDocument> for LegacySkeleton {
    fn from(c: CaseDocument) -> Self {
        Self {
            schema_version: c.schema_version,
            kind: c.kind,
            case_id: c.case_id,
            organisation: c.organisation,
            site: c.site,
            jurisdiction: c.jurisdiction,
            created_at: c.created_at,
            profile: c.profile,
            observations: c.observations,
            episodes: c.episodes,
            risk_assessments: c.risk_assessments,
            checklists: c.checklists,
            legal_bases: c.legal_bases,
            referrals: c.referrals,
            attachments: c.attachments,
        }
    }
}
