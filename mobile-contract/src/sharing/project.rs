//! The projection of a case onto the categories of a share: pure and deterministic (the
//! same case and categories give the same view, whatever order the case's logs are in), so
//! that the server can rewrite a view whenever its case changes and write nothing when
//! nothing it covers changed.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::categories::AttachmentCover;
use super::covered::Covered;
use super::view::{
    SharedAttachment, SharedCase, SharedChecklist, SharedChecklistStep, SharedEpisode,
    SharedEpisodeEvent, SharedFact, SharedLegalBasis, SharedObservation, SharedReferral,
    SharedRiskAssessment,
};
use crate::case::{CaseDocument, EpisodeEvent, Millis, Str};

/// What the categories cover of a case: its share's view, sorted by time then id.
pub fn project(case: &CaseDocument, categories: &[String]) -> SharedCase {
    let covered = Covered::of(categories);
    let mut attachments: Vec<SharedAttachment> = case
        .attachments
        .iter()
        .filter(|a| covered.attachment(AttachmentCover::of(a)))
        .map(|a| SharedAttachment {
            sha256: a.sha256.clone(),
            size: a.size,
            media_type: a.media_type.clone(),
            captured_at: a.captured_at,
            caption: a.caption.clone(),
        })
        .collect();
    sort_entries(&mut attachments, |e| (e.captured_at, &e.sha256));
    attachments.dedup();
    let carried: BTreeSet<String> = attachments
        .iter()
        .map(|a| a.sha256.as_str().to_ascii_lowercase())
        .collect();

    let mut observations: Vec<SharedObservation> = case
        .observations
        .iter()
        .filter(|o| covered.observation_kinds.contains(o.kind.as_str()))
        .map(|o| SharedObservation {
            id: o.id.clone(),
            kind: o.kind.clone(),
            text: o.text.clone(),
            observed_at: o.observed_at,
            place: o.place.clone(),
            attachments: o
                .attachments
                .as_ref()
                .map(|hashes| {
                    hashes
                        .iter()
                        .filter(|h| carried.contains(&h.as_str().to_ascii_lowercase()))
                        .cloned()
                        .collect::<Vec<_>>()
                })
                .filter(|hashes| !hashes.is_empty()),
        })
        .collect();
    sort_entries(&mut observations, |e| (e.observed_at, &e.id));

    let mut shared = SharedCase {
        profile: case
            .profile
            .iter()
            .filter(|(field, _)| covered.profile.contains(field.as_str()))
            .map(|(field, value)| (field.clone(), value.clone()))
            .collect(),
        observations,
        episodes: vec![],
        facts: facts(case, &covered),
        risk_assessments: vec![],
        attachments,
        checklists: vec![],
        legal_bases: vec![],
        referrals: vec![],
        records: super::records::shared_records(case, &covered),
    };
    if covered.log("episodes") {
        shared.episodes = episodes(case, &covered);
    }
    if covered.log("risk_assessments") {
        shared.risk_assessments = risk_assessments(case, &covered);
    }
    if covered.log("checklists") {
        shared.checklists = checklists(case);
    }
    if covered.log("legal_bases") {
        shared.legal_bases = legal_bases(case);
    }
    if covered.log("referrals") {
        shared.referrals = referrals(case);
    }
    shared
}

/// The newest non-blank value of each covered detail key across every event of every
/// episode (by observed time, then event id).
fn facts(case: &CaseDocument, covered: &Covered) -> BTreeMap<String, SharedFact> {
    let mut newest: BTreeMap<&str, (&EpisodeEvent, &Str)> = BTreeMap::new();
    for event in case.episodes.iter().flat_map(|e| &e.events) {
        let details = event.details.iter().flatten();
        for (key, value) in
            details.filter(|(key, _)| covered.episode_details.contains(key.as_str()))
        {
            if value.as_str().trim().is_empty() {
                continue;
            }
            let newer = newest.get(key.as_str()).is_none_or(|(held, _)| {
                (event.observed_at, &event.id) > (held.observed_at, &held.id)
            });
            if newer {
                newest.insert(key, (event, value));
            }
        }
    }
    newest
        .into_iter()
        .map(|(key, (event, value))| {
            let fact = SharedFact {
                value: value.clone(),
                observed_at: event.observed_at,
            };
            (key.to_string(), fact)
        })
        .collect()
}

/// Sorts entries by time, then id, then content: the same entries in any order come out
/// in one order, even two with the same time and id (written concurrently by two devices).
fn sort_entries<T: Serialize>(entries: &mut [T], key: impl Fn(&T) -> (Millis, &Str)) {
    entries.sort_by_cached_key(|entry| {
        let (at, id) = key(entry);
        (
            at,
            id.clone(),
            serde_json::to_string(entry).unwrap_or_default(),
        )
    });
}

fn episodes(case: &CaseDocument, covered: &Covered) -> Vec<SharedEpisode> {
    let mut episodes: Vec<SharedEpisode> = case
        .episodes
        .iter()
        .map(|episode| {
            let mut events: Vec<SharedEpisodeEvent> = episode
                .events
                .iter()
                .map(|e| SharedEpisodeEvent {
                    id: e.id.clone(),
                    state: e.state.clone(),
                    observed_at: e.observed_at,
                    note: e.note.clone(),
                    supersedes: e.supersedes.clone(),
                    details: covered.details(e),
                })
                .collect();
            sort_entries(&mut events, |e| (e.observed_at, &e.id));
            SharedEpisode {
                id: episode.id.clone(),
                opened_at: episode.opened_at,
                events,
            }
        })
        .collect();
    sort_entries(&mut episodes, |e| (e.opened_at, &e.id));
    episodes
}

fn risk_assessments(case: &CaseDocument, covered: &Covered) -> Vec<SharedRiskAssessment> {
    let mut out: Vec<SharedRiskAssessment> = case
        .risk_assessments
        .iter()
        .map(|r| SharedRiskAssessment {
            id: r.id.clone(),
            instrument_version: r.instrument_version,
            answers: r
                .answers
                .iter()
                .filter(|(indicator, _)| covered.indicator(indicator))
                .map(|(indicator, answer)| (indicator.clone(), *answer))
                .collect(),
            advisory_level: r.advisory_level.clone(),
            level: r.level.clone(),
            reason: r.reason.clone(),
            next_review: r.next_review,
            confirms: r.confirms.clone(),
            assessed_at: r.assessed_at,
        })
        .collect();
    sort_entries(&mut out, |e| (e.assessed_at, &e.id));
    out
}

fn checklists(case: &CaseDocument) -> Vec<SharedChecklist> {
    let mut out: Vec<SharedChecklist> = case
        .checklists
        .iter()
        .map(|c| SharedChecklist {
            id: c.id.clone(),
            template: c.template.clone(),
            template_version: c.template_version,
            anchor: c.anchor.clone(),
            anchored_at: c.anchored_at,
            steps: c
                .steps
                .iter()
                .map(|(name, step)| {
                    let step = SharedChecklistStep {
                        status: step.status.clone(),
                        at: step.at,
                        note: step.note.clone(),
                    };
                    (name.clone(), step)
                })
                .collect(),
        })
        .collect();
    sort_entries(&mut out, |e| (e.anchored_at, &e.id));
    out
}

fn legal_bases(case: &CaseDocument) -> Vec<SharedLegalBasis> {
    let mut out: Vec<SharedLegalBasis> = case
        .legal_bases
        .iter()
        .map(|l| SharedLegalBasis {
            id: l.id.clone(),
            purpose: l.purpose.clone(),
            basis: l.basis.clone(),
            given_by: l.given_by.clone(),
            recorded_at: l.recorded_at,
            withdraws: l.withdraws.clone(),
        })
        .collect();
    sort_entries(&mut out, |e| (e.recorded_at, &e.id));
    out
}

fn referrals(case: &CaseDocument) -> Vec<SharedReferral> {
    let mut out: Vec<SharedReferral> = case
        .referrals
        .iter()
        .map(|r| SharedReferral {
            id: r.id.clone(),
            to: r.to.clone(),
            sent_at: r.sent_at,
            legal_basis: r.legal_basis.clone(),
            categories: r.categories.clone(),
            cross_border: r.cross_border,
        })
        .collect();
    sort_entries(&mut out, |e| (e.sent_at, &e.id));
    out
}
