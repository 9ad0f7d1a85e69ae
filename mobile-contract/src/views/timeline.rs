//! One merged timeline per child: every device's entries of every kind, in observed-time
//! order, with who wrote them, from which device, and when the server received them.

use automerge::{Automerge, ObjId, ReadDoc};
use serde::{Deserialize, Serialize};

use super::provenance::{element_ids, list_element_ids, origin, Receipts};
use crate::case::{CaseDocument, Str};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Observation,
    EpisodeEvent,
    RiskAssessment,
    LegalBasis,
    Referral,
    Attachment,
}

impl EntryKind {
    /// The catalogue prefix of this kind's `label` values (`crate::i18n::Language::label`):
    /// an observation's kind, an episode event's state, a risk level, a legal basis (or
    /// `withdrawn`), a referral's kind. `None` for an attachment, whose label is its media
    /// type.
    pub fn label_prefix(self) -> Option<&'static str> {
        match self {
            Self::Observation => Some("observation-"),
            Self::EpisodeEvent => Some("state-"),
            Self::RiskAssessment => Some("risk-"),
            Self::LegalBasis => Some("legal-basis-"),
            Self::Referral => Some("referral-"),
            Self::Attachment => None,
        }
    }
}

impl TimelineEntry {
    /// `label` as people read it in `language`.
    pub fn label_in(&self, language: crate::i18n::Language) -> &str {
        match self.kind.label_prefix() {
            Some(prefix) => language.label(prefix, &self.label),
            None => &self.label,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineEntry {
    pub entry_id: String,
    pub kind: EntryKind,
    /// Observation kind, episode state, risk level, ...
    pub label: String,
    pub text: String,
    /// Device time of what happened.
    pub observed_at: i64,
    /// When the server stored it; `None` for entries it did not receive from a device.
    pub received_at: Option<i64>,
    pub author: String,
    /// The device the entry names as its own.
    pub device: String,
    /// The device that delivered it to the server, from the change receipts.
    pub delivered_by: Option<String>,
    pub episode_id: Option<String>,
    pub place: Option<String>,
}

/// Builds the timeline of a case. `doc` is the document `case` was read from.
pub fn timeline(
    doc: &Automerge,
    case: &CaseDocument,
    receipts: &dyn Receipts,
) -> Vec<TimelineEntry> {
    let mut entries = Vec::new();
    let mut push = |id: Option<&ObjId>, mut entry: TimelineEntry| {
        if let Some(receipt) = id
            .and_then(|id| origin(doc, id))
            .and_then(|h| receipts.receipt(&h))
        {
            entry.received_at = Some(receipt.received_at);
            entry.delivered_by = Some(receipt.device);
        }
        entries.push(entry);
    };
    let ids = list_element_ids(doc, "observations");
    for (i, obs) in case.observations.iter().enumerate() {
        push(
            ids.get(i),
            entry(
                EntryKind::Observation,
                &obs.id,
                &obs.kind,
                &obs.text,
                obs.observed_at.0,
            )
            .by(&obs.author, &obs.device)
            .at_place(obs.place.as_ref()),
        );
    }
    let episode_ids = list_element_ids(doc, "episodes");
    for (i, episode) in case.episodes.iter().enumerate() {
        let event_ids = episode_ids
            .get(i)
            .and_then(|ep| doc.get(ep, "events").ok().flatten())
            .map(|(_, events)| element_ids(doc, &events))
            .unwrap_or_default();
        for (j, event) in episode.events.iter().enumerate() {
            let text = event.note.clone().unwrap_or_default();
            let mut e = entry(
                EntryKind::EpisodeEvent,
                &event.id,
                &event.state,
                &text,
                event.observed_at.0,
            )
            .by(&event.author, &event.device);
            e.episode_id = Some(episode.id.0.clone());
            e.place = event
                .details
                .as_ref()
                .and_then(|d| d.get("last_seen_place").or_else(|| d.get("found_place")))
                .map(|p| p.0.clone());
            push(event_ids.get(j), e);
        }
    }
    let ids = list_element_ids(doc, "risk_assessments");
    for (i, ra) in case.risk_assessments.iter().enumerate() {
        let text = ra.reason.clone().unwrap_or_default();
        push(
            ids.get(i),
            entry(
                EntryKind::RiskAssessment,
                &ra.id,
                &ra.level,
                &text,
                ra.assessed_at.0,
            )
            .by(&ra.author, &ra.device),
        );
    }
    let ids = list_element_ids(doc, "legal_bases");
    for (i, lb) in case.legal_bases.iter().enumerate() {
        let label = if lb.withdraws.is_some() {
            "withdrawn"
        } else {
            lb.basis.as_str()
        };
        push(
            ids.get(i),
            entry(
                EntryKind::LegalBasis,
                &lb.id,
                &Str::from(label),
                &lb.purpose,
                lb.recorded_at.0,
            )
            .by(&lb.author, &lb.device),
        );
    }
    let ids = list_element_ids(doc, "referrals");
    for (i, r) in case.referrals.iter().enumerate() {
        let label = if r.cross_border {
            "cross_border"
        } else {
            "referral"
        };
        push(
            ids.get(i),
            entry(
                EntryKind::Referral,
                &r.id,
                &Str::from(label),
                &r.to,
                r.sent_at.0,
            )
            .by(&r.author, &r.device),
        );
    }
    let ids = list_element_ids(doc, "attachments");
    for (i, a) in case.attachments.iter().enumerate() {
        let caption = a.caption.clone().unwrap_or_default();
        push(
            ids.get(i),
            entry(
                EntryKind::Attachment,
                &a.sha256,
                &a.media_type,
                &caption,
                a.captured_at.0,
            )
            .by(&a.author, &a.device),
        );
    }
    entries.sort_by(|a, b| {
        (a.observed_at, a.received_at, &a.entry_id).cmp(&(
            b.observed_at,
            b.received_at,
            &b.entry_id,
        ))
    });
    entries
}

fn entry(kind: EntryKind, id: &Str, label: &Str, text: &Str, observed_at: i64) -> TimelineEntry {
    TimelineEntry {
        entry_id: id.0.clone(),
        kind,
        label: label.0.clone(),
        text: text.0.clone(),
        observed_at,
        received_at: None,
        author: String::new(),
        device: String::new(),
        delivered_by: None,
        episode_id: None,
        place: None,
    }
}

impl TimelineEntry {
    fn by(mut self, author: &Str, device: &Str) -> Self {
        self.author = author.0.clone();
        self.device = device.0.clone();
        self
    }

    fn at_place(mut self, place: Option<&Str>) -> Self {
        self.place = place.map(|p| p.0.clone());
        self
    }
}
