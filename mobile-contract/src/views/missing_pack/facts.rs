//! Where the pack's items come from in a case document (the table in the parent module).

use std::collections::BTreeMap;

use super::{PackPhoto, RECENT_OBSERVATIONS};
use crate::case::{CaseDocument, EpisodeEvent, EpisodeState, Str};
use crate::i18n::Language;

/// A value worth printing: trimmed, and not empty.
pub fn non_empty(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// The profile registers, read as the pack shows them, with the pack's own words in
/// `language` (`pack-fact-*`; what people wrote stays as written).
pub struct ProfileText<'a>(pub &'a BTreeMap<String, Str>, pub Language);

impl ProfileText<'_> {
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .get(field)
            .map(|v| v.as_str().trim())
            .filter(|v| !v.is_empty())
    }

    /// Given and family name, as coordinators see it in lists.
    pub fn name(&self) -> Option<String> {
        let parts: Vec<&str> = ["given_name", "family_name"]
            .iter()
            .filter_map(|f| self.get(f))
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    /// The pack's fragment `pack-fact-<key>` around `value`.
    fn fact(&self, key: &str, value: &str) -> String {
        self.1
            .fill(&format!("pack-fact-{key}"), &[("value", value)])
    }

    pub fn identity(&self) -> Option<String> {
        let name = self.name()?;
        let mut parts = vec![name];
        if let Some(aliases) = self.get("aliases") {
            parts.push(self.fact("aliases", aliases));
        }
        if let Some(sex) = self.get("sex") {
            parts.push(sex.to_string());
        }
        match (self.get("date_of_birth"), self.get("estimated_age")) {
            (Some(born), _) => parts.push(self.fact("born", born)),
            (None, Some(age)) if age.parse::<u32>().is_ok() => {
                parts.push(self.fact("about_age", age))
            }
            (None, Some(age)) => parts.push(self.fact("estimated_age", age)),
            (None, None) => {}
        }
        if let Some(nationality) = self.get("nationality") {
            parts.push(nationality.to_string());
        }
        if let Some(languages) = self.get("languages") {
            parts.push(self.fact("speaks", languages));
        }
        Some(parts.join("; "))
    }

    /// `label: value` for each of `fields` recorded, joined by `; `.
    fn labelled(&self, fields: &[&str]) -> Option<String> {
        let parts: Vec<String> = fields
            .iter()
            .filter_map(|field| self.get(field).map(|v| self.fact(field, v)))
            .collect();
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    pub fn guardian(&self) -> Option<String> {
        self.labelled(&["guardian", "social_worker"])
    }

    pub fn description(&self) -> Option<String> {
        match (self.get("physical_description"), self.get("marks")) {
            (Some(d), Some(m)) => Some(format!("{d}; {}", self.fact("marks", m))),
            (Some(d), None) => Some(d.to_string()),
            (None, Some(m)) => Some(self.fact("marks", m)),
            (None, None) => None,
        }
    }

    pub fn phones(&self) -> Option<String> {
        self.labelled(&["phone_numbers", "social_media"])
    }

    /// The intended destination and the newest sightings and risk indicators.
    pub fn possible_places(&self, case: &CaseDocument) -> Option<String> {
        let mut lines = Vec::new();
        if let Some(destination) = self.get("intended_destination") {
            lines.push(self.fact("intended_destination", destination));
        }
        let mut recent: Vec<_> = case
            .observations
            .iter()
            .filter(|o| matches!(o.kind.as_str(), "sighting" | "indicator"))
            .collect();
        recent.sort_by(|a, b| (b.observed_at, &b.id).cmp(&(a.observed_at, &a.id)));
        for obs in recent.into_iter().take(RECENT_OBSERVATIONS) {
            let place = obs
                .place
                .as_ref()
                .and_then(|p| non_empty(Some(p.as_str())))
                .map(|p| format!(", {p}"))
                .unwrap_or_default();
            lines.push(format!(
                "{} {}{place}: {}",
                self.1.label("observation-", obs.kind.as_str()),
                utc_minute(obs.observed_at.0),
                obs.text.as_str().trim()
            ));
        }
        (!lines.is_empty()).then(|| lines.join("\n"))
    }
}

/// What the episode events say about the disappearance.
#[derive(Debug, Default)]
pub struct EpisodeFacts {
    pub clothing: Option<String>,
    pub last_seen_place: Option<String>,
    pub last_seen_with: Option<String>,
    /// When the event that recorded the last-seen place was observed.
    pub last_seen_at: Option<i64>,
    pub police_reference: Option<String>,
    pub police_risk_grade: Option<String>,
}

impl EpisodeFacts {
    pub fn last_seen_text(&self, language: Language) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(place) = &self.last_seen_place {
            parts.push(place.clone());
        }
        if let Some(at) = self.last_seen_at {
            parts.push(utc_minute(at));
        }
        if let Some(with) = &self.last_seen_with {
            parts.push(language.fill("pack-fact-with", &[("value", with)]));
        }
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    pub fn police_text(&self, language: Language) -> Option<String> {
        let (key, reference, grade) = match (&self.police_reference, &self.police_risk_grade) {
            (Some(r), Some(g)) => ("pack-fact-police", r.as_str(), g.as_str()),
            (Some(r), None) => ("pack-fact-police_no_grade", r.as_str(), ""),
            (None, Some(g)) => ("pack-fact-police_no_reference", "", g.as_str()),
            (None, None) => return None,
        };
        Some(language.fill(key, &[("reference", reference), ("grade", grade)]))
    }
}

/// Facts of the open episode (by id), else of the most recently opened one.
pub fn episode_facts(case: &CaseDocument, open: Option<&str>) -> EpisodeFacts {
    let episode = match open {
        Some(id) => case.episodes.iter().find(|e| e.id.as_str() == id),
        None => case
            .episodes
            .iter()
            .max_by_key(|e| (e.opened_at, e.id.clone())),
    };
    let Some(episode) = episode else {
        return EpisodeFacts::default();
    };
    let away =
        |e: &EpisodeEvent| EpisodeState::parse(e.state.as_str()).is_some_and(|s| s.is_away());
    let any = |_: &EpisodeEvent| true;
    let newest = |key: &str, wanted: &dyn Fn(&EpisodeEvent) -> bool| {
        episode
            .events
            .iter()
            .filter(|e| wanted(e))
            .filter_map(|e| {
                let value = non_empty(e.details.as_ref()?.get(key).map(Str::as_str))?;
                Some((e, value))
            })
            .max_by_key(|(e, _)| (e.observed_at, e.id.clone()))
    };
    let (seen, last_seen_place) = newest("last_seen_place", &away).unzip();
    EpisodeFacts {
        clothing: newest("clothing", &away).map(|(_, v)| v),
        last_seen_with: seen
            .and_then(|e| non_empty(e.details.as_ref()?.get("last_seen_with").map(Str::as_str))),
        last_seen_at: seen.map(|e| e.observed_at.0),
        last_seen_place,
        police_reference: newest("police_reference", &any).map(|(_, v)| v),
        police_risk_grade: newest("police_risk_grade", &any).map(|(_, v)| v),
    }
}

/// The photo `profile.photo` names, dated by its attachment entry.
pub fn photo(case: &CaseDocument) -> Option<PackPhoto> {
    let sha256 = non_empty(case.profile.get("photo").map(Str::as_str))?;
    let attachment = case
        .attachments
        .iter()
        .filter(|a| a.sha256.as_str().eq_ignore_ascii_case(&sha256))
        .max_by_key(|a| a.captured_at);
    Some(PackPhoto {
        media_type: attachment.map(|a| a.media_type.0.clone()),
        captured_at: attachment.map(|a| a.captured_at.0),
        sha256,
    })
}

/// Words in a caption that name an identity document (lowercase).
const IDENTITY_DOCUMENT_WORDS: &[&str] = &[
    "asylum",
    "id card",
    "identity",
    "passport",
    "residence permit",
];

/// The sensitivity tag a device puts on a scanned identity document.
pub const IDENTITY_DOCUMENT_SENSITIVITY: &str = "identity_document";

/// The newest attachment that is a copy of an asylum or identity card.
pub fn identity_document(case: &CaseDocument, language: Language) -> Option<String> {
    let found = case
        .attachments
        .iter()
        .filter(|a| {
            let tagged = a
                .sensitivity
                .as_ref()
                .is_some_and(|s| s.as_str() == IDENTITY_DOCUMENT_SENSITIVITY);
            let caption = a
                .caption
                .as_ref()
                .map(|c| c.as_str().to_lowercase())
                .unwrap_or_default();
            tagged || IDENTITY_DOCUMENT_WORDS.iter().any(|w| caption.contains(w))
        })
        .max_by_key(|a| (a.captured_at, a.sha256.clone()))?;
    let caption = non_empty(found.caption.as_ref().map(Str::as_str))
        .unwrap_or_else(|| language.t("pack-fact-identity_document").to_string());
    Some(language.fill(
        "pack-fact-copied",
        &[
            ("caption", &caption),
            ("date", &utc_date(found.captured_at.0)),
            ("type", found.media_type.as_str()),
        ],
    ))
}

/// `YYYY-MM-DD` (UTC) of a time in milliseconds.
pub fn utc_date(ms: i64) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(86_400_000));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DD HH:MM UTC` of a time in milliseconds.
pub fn utc_minute(ms: i64) -> String {
    let minutes = ms.div_euclid(60_000).rem_euclid(24 * 60);
    format!(
        "{} {:02}:{:02} UTC",
        utc_date(ms),
        minutes / 60,
        minutes % 60
    )
}

/// The Gregorian date of a day number (days since 1970-01-01), by Howard Hinnant's
/// `civil_from_days`.
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}
