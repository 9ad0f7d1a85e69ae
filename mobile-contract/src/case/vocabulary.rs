//! The words a case document may use. Kept as data so that the device SDK, the server and
//! the generated reference page read the same lists.

use serde::{Deserialize, Serialize};

/// Profile registers of shape v1, with what each holds.
pub const PROFILE_FIELDS: &[(&str, &str)] = &[
    ("given_name", "given name as the child gives it"),
    ("family_name", "family name"),
    ("aliases", "other names and spellings, comma separated"),
    ("sex", "as recorded"),
    ("date_of_birth", "YYYY-MM-DD, if known"),
    ("estimated_age", "years, when the date of birth is unknown"),
    ("nationality", "stated nationality"),
    ("languages", "languages spoken, comma separated"),
    ("physical_description", "height, build, hair, eyes"),
    ("marks", "scars, tattoos, other distinguishing marks"),
    (
        "photo",
        "SHA-256 of the current dated photo (an attachment)",
    ),
    ("phone_numbers", "the child's phone numbers"),
    ("social_media", "accounts the child uses"),
    (
        "family_and_associates",
        "family and contacts here and abroad",
    ),
    (
        "intended_destination",
        "where the child says they want to go",
    ),
    ("guardian", "name and contact of the appointed guardian"),
    ("social_worker", "responsible social worker"),
    ("asylum_status", "asylum procedure status"),
    ("dublin_status", "Dublin procedure status"),
    (
        "legal_identifiers",
        "police references, SIS alert and Yellow Notice references",
    ),
    ("arrived_at", "date of arrival at the site"),
];

pub fn is_profile_field(name: &str) -> bool {
    PROFILE_FIELDS.iter().any(|(field, _)| *field == name)
}

/// Kinds of observation.
pub const OBSERVATION_KINDS: &[&str] = &["sighting", "contact", "concern", "indicator", "note"];

/// Keys of an episode event's `details` that have a meaning: the facts the missing pack
/// reads (`last_seen_place` to `condition`), then the flags a found event (`located` or
/// `returned`) may carry, set to `yes` (`crate::views::found`). Other keys are kept but mean
/// nothing to the server, and no share ever carries them.
pub const EPISODE_DETAIL_KEYS: &[&str] = &[
    "last_seen_place",
    "last_seen_with",
    "clothing",
    "police_reference",
    "police_risk_grade",
    "found_place",
    "found_by",
    "condition",
    "victim_of_crime",
    "mental_health_needs",
    "sexual_exploitation_risk",
];

/// Risk levels a person may set (the instrument only advises).
pub const RISK_LEVELS: &[&str] = &["low", "medium", "high"];

/// Lawful bases of GDPR Art. 6 that the handbook uses.
pub const LEGAL_BASES: &[&str] = &[
    "legal_obligation",
    "public_task",
    "vital_interests",
    "consent",
    "legitimate_interest",
];

/// Outcomes of a safe-and-well check.
pub const WELLBEING_OUTCOMES: &[&str] = &["safe_and_well", "concerns", "needs_care"];

/// Police instruments a case records (`police_report` is the report to the police itself).
pub const POLICE_INSTRUMENTS: &[&str] = &["police_report", "sis_alert", "yellow_notice"];

/// Parties a notification may tell.
pub const NOTIFIED_PARTIES: &[&str] = &[
    "guardian",
    "social_worker",
    "hotline_116000",
    "destination_country",
    "police",
    "other",
];

/// What a notification is about.
pub const NOTIFICATION_SUBJECTS: &[&str] = &["missing", "found"];

/// Checklist step statuses.
pub const STEP_STATUSES: &[&str] = &["open", "done", "not_applicable"];

/// The states of an episode, in the order a child moves through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EpisodeState {
    Late,
    Absent,
    Missing,
    Located,
    Returned,
    Closed,
}

impl EpisodeState {
    pub const ALL: [EpisodeState; 6] = [
        Self::Late,
        Self::Absent,
        Self::Missing,
        Self::Located,
        Self::Returned,
        Self::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Late => "late",
            Self::Absent => "absent",
            Self::Missing => "missing",
            Self::Located => "located",
            Self::Returned => "returned",
            Self::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == s)
    }

    /// Whether the child's whereabouts are unknown or unconfirmed in this state.
    pub fn is_away(self) -> bool {
        matches!(self, Self::Late | Self::Absent | Self::Missing)
    }
}

impl std::fmt::Display for EpisodeState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
