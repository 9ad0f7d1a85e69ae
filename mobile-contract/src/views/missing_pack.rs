//! The missing pack: the minimal set of facts handed to police when a child goes missing
//! (DOMAIN.md; Philomena Protocol). Part 1 is kept current in advance (identity, photo,
//! documents, guardian, description, contacts, likely destinations); part 2 is filled in at
//! the disappearance (clothes, last seen, police reference), from the episode events.
//!
//! A fixed projection of the case, never the whole case (minimisation): the same items in
//! the same order for every child, each saying whether it is present, missing or stale, so
//! that staff see at a glance what to fill in before handing it over. Where each item comes
//! from:
//!
//! | item | source |
//! |---|---|
//! | `identity` | profile: names, aliases, sex, date of birth or estimated age, nationality, languages |
//! | `photo` | the attachment whose hash `profile.photo` names; stale 6 months after `captured_at` [GR], or when undated |
//! | `identity_document` | the newest attachment with `sensitivity` `identity_document`, or a caption naming an asylum card, ID card, passport, residence permit or identity document |
//! | `guardian` | `profile.guardian` (and `profile.social_worker`) |
//! | `physical_description` | `profile.physical_description` (and `profile.marks`) |
//! | `family_and_contacts` | `profile.family_and_associates` |
//! | `possible_places` | `profile.intended_destination`, the newest `sighting` and `indicator` observations |
//! | `phone_and_social_media` | `profile.phone_numbers`, `profile.social_media` |
//! | `clothing` | `details.clothing` of the newest `late`/`absent`/`missing` event that has it |
//! | `last_seen` | `details.last_seen_place` / `last_seen_with` of the newest such event, at its `observed_at` |
//! | `police_report` | `details.police_reference` and `police_risk_grade` of the episode's newest events |
//!
//! Part 2 comes from the open episode (else the most recent one) and is required only while
//! the child is away (`late`, `absent`, `missing`); the police report only once missing.
//! Labels are English and kept in [`PackItemKind::label`] so pages can translate them.

mod facts;
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;

use serde::{Deserialize, Serialize};

use super::episode::{child_status, ChildStatus};
use crate::alerts::AlertPack;
use crate::case::CaseDocument;
use crate::i18n::Language;
use facts::{episode_facts, identity_document, non_empty, photo, ProfileText};

pub(crate) use facts::civil_from_days;
pub use facts::{utc_date, utc_minute, IDENTITY_DOCUMENT_SENSITIVITY};

/// A photo is stale six months after it was taken [GR]; counted as 183 days.
pub const PHOTO_STALE_AFTER_MS: i64 = 183 * 24 * 60 * 60 * 1000;

/// How many sightings and indicators the pack lists under possible places and reasons.
pub const RECENT_OBSERVATIONS: usize = 5;

/// The items of the pack, in the order they are handed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PackItemKind {
    Identity,
    Photo,
    IdentityDocument,
    Guardian,
    PhysicalDescription,
    FamilyAndContacts,
    PossiblePlaces,
    PhoneAndSocialMedia,
    Clothing,
    LastSeen,
    PoliceReport,
}

impl PackItemKind {
    pub const ALL: [PackItemKind; 11] = [
        Self::Identity,
        Self::Photo,
        Self::IdentityDocument,
        Self::Guardian,
        Self::PhysicalDescription,
        Self::FamilyAndContacts,
        Self::PossiblePlaces,
        Self::PhoneAndSocialMedia,
        Self::Clothing,
        Self::LastSeen,
        Self::PoliceReport,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Photo => "photo",
            Self::IdentityDocument => "identity_document",
            Self::Guardian => "guardian",
            Self::PhysicalDescription => "physical_description",
            Self::FamilyAndContacts => "family_and_contacts",
            Self::PossiblePlaces => "possible_places",
            Self::PhoneAndSocialMedia => "phone_and_social_media",
            Self::Clothing => "clothing",
            Self::LastSeen => "last_seen",
            Self::PoliceReport => "police_report",
        }
    }

    /// The English label; the one place to translate from.
    pub fn label(self) -> &'static str {
        match self {
            Self::Identity => "Name, aliases, age, nationality, languages",
            Self::Photo => "Dated photo (under 6 months)",
            Self::IdentityDocument => "Copy of asylum or ID card",
            Self::Guardian => "Guardian and social worker",
            Self::PhysicalDescription => "Physical description and marks",
            Self::FamilyAndContacts => "Family and contacts here and abroad",
            Self::PossiblePlaces => "Possible places and reasons",
            Self::PhoneAndSocialMedia => "Phone numbers and social media",
            Self::Clothing => "Clothes last worn",
            Self::LastSeen => "Last seen: where, when, with whom",
            Self::PoliceReport => "Police reference and risk grade",
        }
    }

    /// Part 2 is filled in when the child disappears; part 1 is kept current in advance.
    pub fn at_disappearance(self) -> bool {
        matches!(self, Self::Clothing | Self::LastSeen | Self::PoliceReport)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Present,
    Missing,
    /// Known, but too old to rely on (a photo older than six months).
    Stale,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PackItem {
    pub key: String,
    pub label: String,
    pub value: Option<String>,
    pub required: bool,
    pub status: ItemStatus,
}

/// The photo to print with the pack, fetched as a blob by those who may read the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PackPhoto {
    pub sha256: String,
    /// From the attachment entry; `None` when the case lists no attachment for the hash.
    pub media_type: Option<String>,
    pub captured_at: Option<i64>,
}

/// `GET /v1/cases/{id}/missing-pack`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MissingPack {
    pub case_id: String,
    pub reference: String,
    pub name: String,
    pub status: ChildStatus,
    /// While the child is missing: since when (the episode's first `missing` event).
    pub missing_since: Option<i64>,
    /// The time the pack was drawn up: staleness is judged against it.
    pub generated_at: i64,
    pub photo: Option<PackPhoto>,
    pub items: Vec<PackItem>,
    /// Keys of required items with nothing recorded.
    pub missing_required: Vec<String>,
    /// Keys of items recorded but too old (the photo after six months).
    pub stale: Vec<String>,
}

impl MissingPack {
    pub fn item(&self, kind: PackItemKind) -> Option<&PackItem> {
        self.items.iter().find(|i| i.key == kind.key())
    }
}

/// Draws up the missing pack of a case as it stands at `now`, in English (the JSON API's
/// form).
pub fn missing_pack(case: &CaseDocument, reference: &str, now: i64) -> MissingPack {
    missing_pack_in(case, reference, now, Language::En)
}

/// The missing pack with its own words (item values around what people wrote) in
/// `language`, for the printed pack; dates stay `YYYY-MM-DD`, which every reader parses.
pub fn missing_pack_in(
    case: &CaseDocument,
    reference: &str,
    now: i64,
    language: Language,
) -> MissingPack {
    let profile = ProfileText(&case.profile, language);
    let (status, open) = child_status(&case.episodes);
    let facts = episode_facts(case, open.as_ref().map(|v| v.id.as_str()));
    let away = matches!(
        status,
        ChildStatus::Late | ChildStatus::Absent | ChildStatus::Missing
    );
    let photo = photo(case);
    let mut items = Vec::with_capacity(PackItemKind::ALL.len());
    for kind in PackItemKind::ALL {
        let (value, stale) = match kind {
            PackItemKind::Identity => (profile.identity(), false),
            PackItemKind::Photo => match &photo {
                None => (None, false),
                Some(p) => {
                    let stale = p
                        .captured_at
                        .is_none_or(|at| now - at > PHOTO_STALE_AFTER_MS);
                    let taken = p
                        .captured_at
                        .map(|at| language.fill("pack-fact-taken", &[("value", &utc_date(at))]))
                        .unwrap_or_else(|| language.t("pack-fact-date_unknown").to_string());
                    (Some(taken), stale)
                }
            },
            PackItemKind::IdentityDocument => (identity_document(case, language), false),
            PackItemKind::Guardian => (
                profile.guardian(),
                false, // present only with a guardian: the social worker does not replace one
            ),
            PackItemKind::PhysicalDescription => (profile.description(), false),
            PackItemKind::FamilyAndContacts => (
                profile.get("family_and_associates").map(str::to_string),
                false,
            ),
            PackItemKind::PossiblePlaces => (profile.possible_places(case), false),
            PackItemKind::PhoneAndSocialMedia => (profile.phones(), false),
            PackItemKind::Clothing => (facts.clothing.clone(), false),
            PackItemKind::LastSeen => (facts.last_seen_text(language), false),
            PackItemKind::PoliceReport => (facts.police_text(language), false),
        };
        let complete = match kind {
            PackItemKind::Guardian => profile.get("guardian").is_some(),
            PackItemKind::LastSeen => facts.last_seen_place.is_some(),
            PackItemKind::PoliceReport => {
                facts.police_reference.is_some() && facts.police_risk_grade.is_some()
            }
            _ => value.is_some(),
        };
        let required = match kind {
            PackItemKind::PoliceReport => status == ChildStatus::Missing,
            k if k.at_disappearance() => away,
            _ => true,
        };
        let status = match (complete, stale) {
            (false, _) => ItemStatus::Missing,
            (true, true) => ItemStatus::Stale,
            (true, false) => ItemStatus::Present,
        };
        items.push(PackItem {
            key: kind.key().to_string(),
            label: kind.label().to_string(),
            value,
            required,
            status,
        });
    }
    let keys = |wanted: fn(&PackItem) -> bool| -> Vec<String> {
        items
            .iter()
            .filter(|i| wanted(i))
            .map(|i| i.key.clone())
            .collect()
    };
    let missing_required = keys(|i| i.required && i.status == ItemStatus::Missing);
    let stale = keys(|i| i.status == ItemStatus::Stale);
    MissingPack {
        case_id: case.case_id.0.clone(),
        reference: reference.to_string(),
        name: profile.name().unwrap_or_else(|| reference.to_string()),
        status,
        missing_since: open
            .filter(|_| status == ChildStatus::Missing)
            .and_then(|v| v.missing_since),
        generated_at: now,
        photo,
        items,
        missing_required,
        stale,
    }
}

/// The pack's minimal fields as an alert carries them to every phone that must act: name,
/// photo reference, description, clothes, last seen where and when, and whom to call (the
/// guardian, else the social worker). Nothing else of the case.
pub fn alert_pack(case: &CaseDocument, reference: &str) -> AlertPack {
    // English: every phone reads the same alert; the words around the values are few.
    let profile = ProfileText(&case.profile, Language::En);
    let (_, open) = child_status(&case.episodes);
    let facts = episode_facts(case, open.as_ref().map(|v| v.id.as_str()));
    AlertPack {
        name: profile.name().unwrap_or_else(|| reference.to_string()),
        reference: reference.to_string(),
        photo: profile.get("photo").map(str::to_string),
        description: profile.description(),
        clothing: facts.clothing,
        last_seen_place: facts.last_seen_place,
        last_seen_at: facts.last_seen_at,
        contact: non_empty(profile.get("guardian"))
            .or_else(|| non_empty(profile.get("social_worker"))),
    }
}
