//! The risk instrument's follow-up, watched by the escalation worker: an assessment past its
//! `next_review`, and a level a caseworker set that no coordinator has confirmed, alert the
//! coordinators. Each alert stands down once what it asks for is done (a new assessment, or
//! the confirmation).

use std::collections::HashMap;

use casesync_contract::alerts::{AlertKind, AlertMessage, Audience};
use casesync_contract::case::CaseDocument;
use casesync_contract::risk::{risk_status, RiskStatus};
use casesync_contract::wire::case_reference;
use casesync_contract::{DocumentId, Role};

use super::raise::{raise, stand_down, NewAlert};
use super::rules::EscalationRules;
use crate::domain::error::DomainError;
use crate::state::AppState;

/// The case's risk status under its organisation's thresholds, with roles read from the
/// directory (the document names users, not roles).
pub fn status(
    state: &AppState,
    case: &CaseDocument,
    rules: &EscalationRules,
) -> Result<Option<RiskStatus>, DomainError> {
    let mut roles: HashMap<String, bool> = HashMap::new();
    {
        let mut conn = state.db()?;
        for author in case.risk_assessments.iter().map(|a| a.author.0.clone()) {
            if roles.contains_key(&author) {
                continue;
            }
            let coordinator = casesync_schema::directory::users::find(&mut conn, &author)
                .ok()
                .and_then(|u| u.role().ok())
                .is_some_and(|role| role == Role::Coordinator);
            roles.insert(author, coordinator);
        }
    }
    Ok(risk_status(
        &case.risk_assessments,
        rules.risk_thresholds(),
        |user| roles.get(user).copied().unwrap_or(false),
    ))
}

/// Raises what is due and stands down what was done. Returns how many alerts it raised.
pub fn watch(
    state: &AppState,
    id: &DocumentId,
    case: &CaseDocument,
    rules: &EscalationRules,
    now: i64,
) -> Result<usize, DomainError> {
    let Some(status) = status(state, case, rules)? else {
        return Ok(0);
    };
    let reference = case_reference(id);
    let review_key = format!("risk_review:{id}:{}", status.assessment_id);
    let confirm_key = format!("risk_confirm:{id}:{}", status.assessment_id);
    let review_due = status.next_review.is_some_and(|at| at < now);
    let mut due: Vec<(String, AlertMessage)> = Vec::new();
    if review_due {
        due.push((
            review_key,
            AlertMessage::new("alert-risk-review-due").with("reference", &reference),
        ));
    }
    if status.awaiting_confirmation {
        due.push((
            confirm_key,
            AlertMessage::new("alert-risk-confirm")
                .with("reference", &reference)
                .with("level", &status.level)
                .with("advisory", status.advisory),
        ));
    }
    // Alerts of this kind for the case that no longer apply: done.
    let open = {
        let mut conn = state.db()?;
        casesync_schema::alerts::open_for_case(&mut conn, &id.to_string())?
    };
    for row in open.iter().filter(|r| {
        (r.dedupe_key.starts_with("risk_review:") || r.dedupe_key.starts_with("risk_confirm:"))
            && !due.iter().any(|(key, _)| *key == r.dedupe_key)
    }) {
        stand_down(state, row)?;
    }
    let mut raised = 0;
    for (dedupe_key, message) in due {
        let made = raise(
            state,
            NewAlert {
                case_id: *id,
                organisation_id: case.organisation.0.clone(),
                site_id: case.site.0.clone(),
                kind: AlertKind::RiskReview,
                audience: Audience::Coordinators,
                dedupe_key,
                message,
                pack: None,
            },
        )?;
        raised += usize::from(made.is_some());
    }
    Ok(raised)
}
