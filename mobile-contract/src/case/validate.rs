//! Whether a document still reads as a case document of a shape this build knows. The server
//! runs this after merging a device's changes and refuses the batch if it fails, so a broken
//! or foreign document can never be stored as a case.

use super::model::{CaseDocument, Provenance, CASE_KIND, SCHEMA_VERSION};
use super::vocabulary::{
    is_profile_field, EpisodeState, LEGAL_BASES, OBSERVATION_KINDS, RISK_LEVELS, STEP_STATUSES,
};

/// Why a document is not a valid case document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    #[error("the document does not have the case shape: {0}")]
    Unreadable(String),
    #[error("schema_version {0} is not supported (this server reads {SCHEMA_VERSION})")]
    UnsupportedVersion(i64),
    #[error("kind must be \"{CASE_KIND}\", found \"{0}\"")]
    WrongKind(String),
    #[error("{field}: \"{value}\" is not an allowed value")]
    NotAllowed { field: String, value: String },
    #[error("{0} must not be empty")]
    Empty(String),
    #[error("risk_assessments[].answers: {0}")]
    UnknownIndicator(String),
}

/// Reads and checks a case document.
pub fn read_case<D: autosurgeon::ReadDoc>(doc: &D) -> Result<CaseDocument, ShapeError> {
    let case: CaseDocument =
        autosurgeon::hydrate(doc).map_err(|e| ShapeError::Unreadable(e.to_string()))?;
    check_case(&case)?;
    Ok(case)
}

/// Checks a case already read from a document (the server checks the parts of a case that a
/// batch changed this way, without reading the rest again).
pub fn check_case(case: &CaseDocument) -> Result<(), ShapeError> {
    if case.schema_version.0 != SCHEMA_VERSION {
        return Err(ShapeError::UnsupportedVersion(case.schema_version.0));
    }
    if case.kind.as_str() != CASE_KIND {
        return Err(ShapeError::WrongKind(case.kind.0.clone()));
    }
    non_empty("case_id", case.case_id.as_str())?;
    non_empty("organisation", case.organisation.as_str())?;
    non_empty("site", case.site.as_str())?;
    for field in case.profile.keys() {
        allowed("profile", field, is_profile_field(field))?;
    }
    for obs in &case.observations {
        non_empty("observations[].id", obs.id.as_str())?;
        allowed(
            "observations[].kind",
            obs.kind.as_str(),
            OBSERVATION_KINDS.contains(&obs.kind.as_str()),
        )?;
        check_provenance("observations[].provenance", obs.provenance.as_ref())?;
    }
    for episode in &case.episodes {
        non_empty("episodes[].id", episode.id.as_str())?;
        for event in &episode.events {
            non_empty("episodes[].events[].id", event.id.as_str())?;
            let state = event.state.as_str();
            allowed(
                "episodes[].events[].state",
                state,
                EpisodeState::parse(state).is_some(),
            )?;
            check_provenance("episodes[].events[].provenance", event.provenance.as_ref())?;
        }
    }
    for assessment in &case.risk_assessments {
        for level in [&assessment.level, &assessment.advisory_level] {
            allowed(
                "risk_assessments[].level",
                level.as_str(),
                RISK_LEVELS.contains(&level.as_str()),
            )?;
        }
        // Indicators are vocabulary of their instrument version (crate::risk).
        if let Err(why) =
            crate::risk::check_answers(assessment.instrument_version.0, &assessment.answers)
        {
            return Err(ShapeError::UnknownIndicator(why));
        }
    }
    for checklist in &case.checklists {
        for step in checklist.steps.values() {
            let status = step.status.as_str();
            allowed(
                "checklists[].steps.status",
                status,
                STEP_STATUSES.contains(&status),
            )?;
        }
    }
    for basis in &case.legal_bases {
        allowed(
            "legal_bases[].basis",
            basis.basis.as_str(),
            LEGAL_BASES.contains(&basis.basis.as_str()),
        )?;
    }
    for referral in &case.referrals {
        allowed(
            "referrals[].legal_basis",
            referral.legal_basis.as_str(),
            LEGAL_BASES.contains(&referral.legal_basis.as_str()),
        )?;
    }
    for attachment in &case.attachments {
        let hash = attachment.sha256.as_str();
        let is_hex = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit());
        allowed("attachments[].sha256", hash, is_hex)?;
    }
    super::records::check_records(case)
}

/// A provenance names all of where an entry came from, or is absent.
fn check_provenance(field: &str, provenance: Option<&Provenance>) -> Result<(), ShapeError> {
    let Some(p) = provenance else {
        return Ok(());
    };
    for (key, value) in [
        ("organisation", &p.organisation),
        ("user", &p.user),
        ("device", &p.device),
        ("view", &p.view),
        ("contribution", &p.contribution),
    ] {
        non_empty(&format!("{field}.{key}"), value.as_str())?;
    }
    Ok(())
}

pub(crate) fn non_empty(field: &str, value: &str) -> Result<(), ShapeError> {
    if value.trim().is_empty() {
        return Err(ShapeError::Empty(field.to_string()));
    }
    Ok(())
}

pub(crate) fn allowed(field: &str, value: &str, ok: bool) -> Result<(), ShapeError> {
    if ok {
        return Ok(());
    }
    Err(ShapeError::NotAllowed {
        field: field.to_string(),
        value: value.to_string(),
    })
}

/// Whether a place reads as coarse (a neighbourhood, a station), as `place` must be: not
/// coordinates (two decimal numbers with three or more decimals, 100 m or finer, or
/// degrees with a `°`), not a plus code, not a `geo:` link. Case documents are not refused
/// for it (a device writes what its worker typed); partner contributions are.
pub fn is_coarse_place(place: &str) -> bool {
    let lower = place.to_ascii_lowercase();
    if lower.contains("geo:") || place.contains('°') {
        return false;
    }
    precise_numbers(place) < 2 && !place.split_whitespace().any(is_plus_code)
}

/// How many numbers in a text have three or more decimals, after a decimal point or a
/// decimal comma (`45.4642,9.1895` and `45,4642 9,1895` are two each).
fn precise_numbers(text: &str) -> usize {
    let bytes = text.as_bytes();
    let digits_from = |mut i: usize| {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        (i, i - start)
    };
    let (mut count, mut i) = (0, 0);
    while i < bytes.len() {
        let (after_whole, whole) = digits_from(i);
        if whole == 0 {
            i += 1;
            continue;
        }
        i = after_whole;
        if i < bytes.len() && matches!(bytes[i], b'.' | b',') {
            let (after_fraction, fraction) = digits_from(i + 1);
            if fraction >= 3 {
                count += 1;
            }
            i = after_fraction;
        }
    }
    count
}

/// An Open Location Code (`8FVC9G8F+6X`, or a short `9G8F+6X`): a precise place in disguise.
fn is_plus_code(token: &str) -> bool {
    const ALPHABET: &str = "23456789CFGHJMPQRVWX";
    let Some((head, tail)) = token.trim_matches(',').split_once('+') else {
        return false;
    };
    let in_alphabet = |s: &str| s.chars().all(|c| ALPHABET.contains(c.to_ascii_uppercase()));
    head.len() >= 4 && tail.len() >= 2 && in_alphabet(head) && in_alphabet(tail)
}
