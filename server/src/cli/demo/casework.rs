//! The caseworker's and coordinator's entries the stories share: assignments, risk
//! assessments, legal bases and referrals, written as those people's devices write them.

use casesync_contract::case::{LegalBasis, Millis, Referral, RiskAssessment, Str, Whole};
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
    RiskAssessment {
        id: Str(format!("ra-{}", uuid::Uuid::new_v4().simple())),
        instrument_version: Whole(1),
        answers: answers.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        advisory_level: Str::from(level),
        level: Str::from(level),
        reason: Some(Str::from(reason)),
        next_review: Some(Millis(next_review)),
        assessed_at: Millis(at),
        author: Str(by.device.user_id.clone()),
        device: Str(by.device.device_id.clone()),
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
