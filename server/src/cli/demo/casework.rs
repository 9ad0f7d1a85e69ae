//! The caseworker's and coordinator's entries the stories share: assignments, risk
//! assessments, legal bases and referrals, written as those people's devices write them.

use casesync_contract::case::{LegalBasis, Millis, Referral, RiskAssessment, Str, Whole};
use casesync_contract::risk;
use casesync_contract::wire::AssignCase;

use super::cast::Member;
use super::story::Story;
use super::DemoError;
use crate::domain::access::assignments;
use crate::state::AppState;

pub fn assign(
    state: &AppState,
    coordinator: &Member,
    story: &Story<'_>,
    to: &Member,
) -> Result<(), DemoError> {
    assignments::assign(
        state,
        &coordinator.device,
        &story.id.to_string(),
        AssignCase {
            user: to.device.user_id.clone(),
        },
    )?;
    Ok(())
}

pub fn risk(
    by: &Member,
    at: i64,
    answers: &[(&str, bool)],
    level: &str,
    reason: &str,
    next_review: i64,
) -> RiskAssessment {
    let answers: std::collections::BTreeMap<String, bool> =
        answers.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    // What the phone shows, from the instrument with the default thresholds; the server
    // computes its own with the organisation's.
    let advisory = risk::advisory_level(&answers, risk::DEFAULT_THRESHOLDS);
    RiskAssessment {
        id: Str(format!("ra-{}", uuid::Uuid::new_v4().simple())),
        instrument_version: Whole(risk::V1.version),
        answers,
        advisory_level: Str::from(advisory),
        level: Str::from(level),
        reason: (level != advisory).then(|| Str::from(reason)),
        next_review: Some(Millis(next_review)),
        confirms: None,
        assessed_at: Millis(at),
        author: Str(by.device.user_id.clone()),
        device: Str(by.device.device_id.clone()),
    }
}

/// A coordinator's confirmation of `assessment`: the same answers and level, naming it.
pub fn confirm(by: &Member, at: i64, assessment: &RiskAssessment) -> RiskAssessment {
    RiskAssessment {
        id: Str(format!("ra-{}", uuid::Uuid::new_v4().simple())),
        confirms: Some(assessment.id.clone()),
        assessed_at: Millis(at),
        author: Str(by.device.user_id.clone()),
        device: Str(by.device.device_id.clone()),
        ..assessment.clone()
    }
}

pub fn legal_basis(by: &Member, at: i64, purpose: &str, basis: &str, given_by: &str) -> LegalBasis {
    LegalBasis {
        id: Str(format!("lb-{}", uuid::Uuid::new_v4().simple())),
        purpose: Str::from(purpose),
        basis: Str::from(basis),
        given_by: Str::from(given_by),
        recorded_at: Millis(at),
        withdraws: None,
        author: Str(by.device.user_id.clone()),
        device: Str(by.device.device_id.clone()),
    }
}

/// A cross-border notification: to whom, on what basis, which data categories.
pub fn cross_border(by: &Member, at: i64, to: &str, basis: &str, categories: &[&str]) -> Referral {
    Referral {
        id: Str(format!("ref-{}", uuid::Uuid::new_v4().simple())),
        to: Str::from(to),
        sent_at: Millis(at),
        legal_basis: Str::from(basis),
        categories: categories.iter().map(|c| Str::from(*c)).collect(),
        cross_border: true,
        author: Str(by.device.user_id.clone()),
        device: Str(by.device.device_id.clone()),
    }
}
