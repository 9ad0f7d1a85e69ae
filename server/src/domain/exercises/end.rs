//! Ending an exercise: the scenario clock stops (its organisation's deadlines run no more),
//! and unless the trainer keeps it, the child's case and every other case the participants
//! opened are erased (with the erasure's tombstone in the audit trail), and the
//! participants' devices are revoked. The after-action report is read before: once erased,
//! there is nothing left to report.

use casesync_contract::wire::DocumentKind;
use casesync_schema::access::devices as device_access;
use casesync_schema::directory::documents;
use casesync_schema::exercises::{self, Exercise};
use serde_json::json;

use crate::domain::audit::{record, Actor, AuditAction, AuditEvent};
use crate::domain::error::DomainError;
use crate::domain::gdpr::erase::{erase, Holds};
use crate::feed::FeedEvent;
use crate::state::AppState;

/// What ending did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Ended {
    pub exercise: String,
    pub kept: bool,
    pub cases_erased: usize,
    pub devices_revoked: usize,
}

pub fn end(state: &AppState, id: &str, keep: bool) -> Result<Ended, DomainError> {
    let exercise: Exercise = {
        let mut conn = state.db()?;
        exercises::find(&mut conn, id)?
    }
    .ok_or_else(DomainError::not_found)?;
    if exercise.ended_at.is_some() {
        return Err(DomainError::invalid(format!(
            "exercise {id} has ended already"
        )));
    }
    let now = state.now();
    let actor = Actor::cli();
    {
        let mut conn = state.db()?;
        exercises::end(&mut conn, id, now, keep)?;
    }
    let (mut cases_erased, mut devices_revoked) = (0, 0);
    if !keep {
        let cases = {
            let mut conn = state.db()?;
            documents::of_organisation(&mut conn, &exercise.organisation_id, DocumentKind::Case)?
        };
        for row in cases {
            let Ok(case) = row.id.parse() else { continue };
            let why = json!({ "reason": "training_exercise_ended", "exercise": id });
            erase(state, &actor, &case, &row, why, Holds::Respect)?;
            cases_erased += 1;
        }
        let devices = {
            let mut conn = state.db()?;
            device_access::list(&mut conn, &exercise.organisation_id)?
        };
        for device in devices.into_iter().filter(|d| d.revoked_at.is_none()) {
            let mut conn = state.db()?;
            device_access::revoke(&mut conn, &device.id, now)?;
            state.feed.publish_event(FeedEvent::DeviceCut {
                device_id: device.id,
            });
            devices_revoked += 1;
        }
    }
    record(
        state,
        &actor,
        AuditEvent::new(AuditAction::Admin)
            .organisation(&exercise.organisation_id)
            .detail(json!({
                "exercise_ended": id, "kept": keep,
                "cases_erased": cases_erased, "devices_revoked": devices_revoked,
            })),
    )?;
    Ok(Ended {
        exercise: id.to_string(),
        kept: keep,
        cases_erased,
        devices_revoked,
    })
}
