//! What the categories of a share cover, merged into one set per part of the case.

use std::collections::{BTreeMap, BTreeSet};

use super::categories::{cover, AttachmentCover, CategoryCover, CATEGORY_TABLE};
use crate::case::{EpisodeEvent, Str};

/// What the shared categories cover, merged. Category names the table does not know are
/// ignored: they cover nothing.
pub(super) struct Covered {
    pub(super) profile: BTreeSet<&'static str>,
    logs: BTreeSet<&'static str>,
    pub(super) observation_kinds: BTreeSet<&'static str>,
    pub(super) episode_details: BTreeSet<&'static str>,
    attachments: BTreeSet<AttachmentKind>,
    /// Indicators some category claims, and those of them the shared categories carry.
    claimed_indicators: BTreeSet<&'static str>,
    risk_indicators: BTreeSet<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum AttachmentKind {
    Images,
    Documents,
}

impl Covered {
    pub(super) fn of(categories: &[String]) -> Self {
        let shared: Vec<&CategoryCover> = categories.iter().filter_map(|c| cover(c)).collect();
        let all = |field: fn(&CategoryCover) -> &'static [&'static str]| -> BTreeSet<_> {
            shared
                .iter()
                .flat_map(|c| field(c).iter().copied())
                .collect()
        };
        Self {
            profile: all(|c| c.profile),
            logs: all(|c| c.logs),
            observation_kinds: all(|c| c.observation_kinds),
            episode_details: all(|c| c.episode_details),
            attachments: shared
                .iter()
                .filter_map(|c| match c.attachments {
                    AttachmentCover::None => None,
                    AttachmentCover::Images => Some(AttachmentKind::Images),
                    AttachmentCover::Documents => Some(AttachmentKind::Documents),
                })
                .collect(),
            claimed_indicators: CATEGORY_TABLE
                .iter()
                .flat_map(|c| c.risk_indicators.iter().copied())
                .collect(),
            risk_indicators: all(|c| c.risk_indicators),
        }
    }

    pub(super) fn log(&self, name: &str) -> bool {
        self.logs.contains(name)
    }

    pub(super) fn attachment(&self, cover: AttachmentCover) -> bool {
        match cover {
            AttachmentCover::None => false,
            AttachmentCover::Images => self.attachments.contains(&AttachmentKind::Images),
            AttachmentCover::Documents => self.attachments.contains(&AttachmentKind::Documents),
        }
    }

    pub(super) fn indicator(&self, id: &str) -> bool {
        !self.claimed_indicators.contains(id) || self.risk_indicators.contains(id)
    }

    /// An event's details, only the covered keys; `None` when none is left.
    pub(super) fn details(&self, event: &EpisodeEvent) -> Option<BTreeMap<String, Str>> {
        let kept: BTreeMap<String, Str> = event
            .details
            .as_ref()?
            .iter()
            .filter(|(key, _)| self.episode_details.contains(key.as_str()))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        (!kept.is_empty()).then_some(kept)
    }
}
