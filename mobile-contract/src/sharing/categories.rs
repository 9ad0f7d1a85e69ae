//! The data categories a share names, and what of a case each one covers. The table is the
//! one place that says it: the projection applies it, the share form and the reference page
//! show it, and a test fails when a field of the case is covered by no category.

use serde::Serialize;

use crate::case::{AttachmentRef, Str};
use crate::views::missing_pack::IDENTITY_DOCUMENT_SENSITIVITY;

/// Which attachments a category covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentCover {
    None,
    /// Attachments whose media type is `image/*`, except scanned identity documents.
    Images,
    /// Every other attachment: documents of any media type, and images tagged
    /// `sensitivity: identity_document`.
    Documents,
}

impl AttachmentCover {
    /// The category kind an attachment belongs to. A scan of an identity card is an image
    /// file, but what it discloses is an identity document (numbers, a birth date, a
    /// nationality), so it goes with the documents, not with the photos of the child.
    pub fn of(attachment: &AttachmentRef) -> Self {
        let identity_document = attachment
            .sensitivity
            .as_ref()
            .is_some_and(|s| s.as_str() == IDENTITY_DOCUMENT_SENSITIVITY);
        if is_image(&attachment.media_type) && !identity_document {
            Self::Images
        } else {
            Self::Documents
        }
    }
}

fn is_image(media_type: &Str) -> bool {
    media_type
        .as_str()
        .trim()
        .get(..6)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("image/"))
}

/// What one data category covers of a case document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CategoryCover {
    pub category: &'static str,
    /// One line, for the docs and the share form.
    pub description: &'static str,
    /// A special category of GDPR Art. 9: sharing it needs a stronger justification.
    pub special: bool,
    /// Profile registers covered.
    pub profile: &'static [&'static str],
    /// Whole root logs covered: `episodes`, `risk_assessments`, `legal_bases`, `referrals`,
    /// `checklists`.
    pub logs: &'static [&'static str],
    /// Observations of these kinds.
    pub observation_kinds: &'static [&'static str],
    /// Keys of `EpisodeEvent.details`.
    pub episode_details: &'static [&'static str],
    pub attachments: AttachmentCover,
    /// Risk indicators (`risk_assessments[].answers`) that are data of this category. An
    /// answer to one of them travels with a shared risk assessment only when this category
    /// is shared too; answers to the other indicators travel with the assessment.
    pub risk_indicators: &'static [&'static str],
}

const fn category(category: &'static str, description: &'static str) -> CategoryCover {
    CategoryCover {
        category,
        description,
        special: false,
        profile: &[],
        logs: &[],
        observation_kinds: &[],
        episode_details: &[],
        attachments: AttachmentCover::None,
        risk_indicators: &[],
    }
}

/// The categories, in the order the share form lists them (`wire::DATA_CATEGORIES`).
pub const CATEGORY_TABLE: &[CategoryCover] = &[
    CategoryCover {
        profile: &[
            "given_name",
            "family_name",
            "aliases",
            "sex",
            "date_of_birth",
            "estimated_age",
            "nationality",
            "languages",
            "legal_identifiers",
        ],
        ..category(
            "identity",
            "Who the child is: names, aliases, sex, date of birth or estimated age, \
             nationality, languages, police, SIS and Yellow Notice references",
        )
    },
    CategoryCover {
        profile: &["phone_numbers", "social_media"],
        ..category(
            "contact",
            "How to reach the child: phone numbers, social media accounts",
        )
    },
    CategoryCover {
        profile: &["physical_description", "marks"],
        episode_details: &["clothing"],
        ..category(
            "physical_description",
            "What the child looks like: description, distinguishing marks, clothes last worn",
        )
    },
    CategoryCover {
        profile: &["photo"],
        attachments: AttachmentCover::Images,
        ..category(
            "photos",
            "Photos: the current photo and every image attachment (a scanned identity \
             document is a document)",
        )
    },
    CategoryCover {
        profile: &["family_and_associates", "guardian", "social_worker"],
        episode_details: &["last_seen_with"],
        ..category(
            "family",
            "Family and associates, guardian, social worker; who the child was last seen with",
        )
    },
    CategoryCover {
        profile: &["intended_destination", "arrived_at"],
        observation_kinds: &["sighting"],
        episode_details: &["last_seen_place", "found_place"],
        ..category(
            "location",
            "Where the child is or may be: intended destination, date of arrival, sightings, \
             last-seen and found places",
        )
    },
    CategoryCover {
        profile: &["asylum_status", "dublin_status"],
        ..category("asylum_status", "Asylum and Dublin procedure status")
    },
    CategoryCover {
        logs: &["episodes"],
        episode_details: &["police_reference", "found_by"],
        ..category(
            "episodes",
            "The absences: every episode and its events (state, time, note), police \
             reference, who found the child",
        )
    },
    // The found flags `victim_of_crime` and `sexual_exploitation_risk` are safeguarding
    // risks that a partner acting on the child's risk must know, so they go with the risk
    // assessment rather than with health.
    CategoryCover {
        logs: &["risk_assessments"],
        observation_kinds: &["indicator", "concern"],
        episode_details: &[
            "police_risk_grade",
            "victim_of_crime",
            "sexual_exploitation_risk",
        ],
        ..category(
            "risk_assessment",
            "Risk: assessments (levels, reason, indicators but the health ones), indicators \
             and concerns observed, police risk grade, found flags for crime and exploitation",
        )
    },
    CategoryCover {
        observation_kinds: &["contact", "note"],
        ..category("observations", "Contacts with the child and workers' notes")
    },
    CategoryCover {
        attachments: AttachmentCover::Documents,
        ..category(
            "documents",
            "Documents: every attachment that is not a photo, scanned identity documents \
             included",
        )
    },
    CategoryCover {
        logs: &["checklists"],
        ..category(
            "response",
            "The response checklists (intake, absence, missing, found) and their steps",
        )
    },
    CategoryCover {
        logs: &["police_instruments", "notifications", "wellbeing_checks"],
        ..category(
            "response_records",
            "Records of the search and return: police report, SIS alert and Yellow Notice \
             references, who was notified, safe-and-well checks",
        )
    },
    CategoryCover {
        logs: &["strategy_meetings", "return_interviews", "nrm_referrals"],
        ..category(
            "casework_records",
            "Casework records: strategy meetings (decisions, actions), return interviews, \
             referrals to the national referral mechanism",
        )
    },
    CategoryCover {
        logs: &["legal_bases"],
        ..category(
            "legal_bases",
            "The legal bases recorded for each purpose, and their withdrawals",
        )
    },
    CategoryCover {
        logs: &["referrals"],
        ..category(
            "referrals",
            "Referrals and cross-border notifications made: to whom, on what basis, which \
             categories",
        )
    },
    // Substance misuse is data concerning health (Art. 4(15)), like the medication it goes
    // with in practice.
    CategoryCover {
        special: true,
        episode_details: &["condition", "mental_health_needs"],
        risk_indicators: &["health_needs_or_medication", "substance_misuse"],
        ..category(
            "health",
            "Health: the child's condition when found, mental health needs, the health \
             indicators of risk assessments (with risk_assessment)",
        )
    },
    CategoryCover {
        special: true,
        ..category(
            "ethnicity",
            "Ethnic origin: no field of shape v1 holds it; the category exists for \
             notifications that name it",
        )
    },
    CategoryCover {
        special: true,
        ..category(
            "religion",
            "Religion or belief: no field of shape v1 holds it; the category exists for \
             notifications that name it",
        )
    },
    CategoryCover {
        special: true,
        ..category(
            "biometrics",
            "Biometric data (fingerprints, facial templates): no field of shape v1 holds it; \
             the category exists for notifications that name it",
        )
    },
];

/// The cover of a category by name; `None` for a name the table does not know.
pub fn cover(category: &str) -> Option<&'static CategoryCover> {
    CATEGORY_TABLE.iter().find(|c| c.category == category)
}

/// Root keys of a case that say what the document is and whose it is. None is copied into a
/// view: the view's own header says what the partner may know of them (the sharing
/// organisation, never the case id, site or jurisdiction).
pub const HEADER_FIELDS: &[&str] = &[
    "schema_version",
    "kind",
    "case_id",
    "organisation",
    "site",
    "jurisdiction",
    "created_at",
];
