//! Strategy meeting actions, watched by the escalation worker: an action still not done past
//! its due time alerts its owner and the coordinators, once; the alert stands down when the
//! action's `done` is written. The owner's role decides which alert document carries it: a
//! caseworker or coordinator reads the organisation's, centre staff their site's (which the
//! coordinators read too), so one alert reaches both.

use casesync_contract::alerts::{AlertKind, AlertMessage, Audience};
use casesync_contract::case::CaseDocument;
use casesync_contract::records::overdue_actions;
use casesync_contract::wire::case_reference;
use casesync_contract::{DocumentId, Role};

use super::raise::{raise, stand_down, NewAlert};
use super::rules::EscalationRules;
use crate::domain::error::DomainError;
use crate::state::AppState;

const KEY_PREFIX: &str = "meeting_action:";
const MINUTE: i64 = 60_000;

/// Raises what is overdue and stands down what was done. Returns how many alerts it raised.
pub fn watch(
    state: &AppState,
    id: &DocumentId,
    case: &CaseDocument,
    rules: &EscalationRules,
    now: i64,
) -> Result<usize, DomainError> {
    let overdue = overdue_actions(case, now, rules.overdue_grace_minutes);
    let key = |meeting: &str, action: &str| format!("{KEY_PREFIX}{id}:{meeting}:{action}");
    let due: Vec<String> = overdue.iter().map(|a| key(&a.meeting, &a.action)).collect();
    let open = {
        let mut conn = state.db()?;
        casesync_schema::alerts::open_for_case(&mut conn, &id.to_string())?
    };
    for row in open
        .iter()
        .filter(|r| r.dedupe_key.starts_with(KEY_PREFIX) && !due.contains(&r.dedupe_key))
    {
        stand_down(state, row)?;
    }
    let mut raised = 0;
    for (action, dedupe_key) in overdue.iter().zip(due) {
        let (owner, audience) = owner(state, &action.owner)?;
        let late = (now - action.due) / MINUTE;
        let message = AlertMessage::new("alert-meeting-action-overdue")
            .with("reference", case_reference(id))
            .with("action", &action.text)
            .with("owner", &owner)
            .with("minutes", late);
        let made = raise(
            state,
            NewAlert::of_case(
                id,
                case,
                AlertKind::OverdueStep,
                audience,
                dedupe_key,
                message,
            ),
        )?;
        raised += usize::from(made.is_some());
    }
    Ok(raised)
}

/// The owner's name, and the audience whose document their devices hold. An owner the
/// directory does not know (an id mistyped, a user erased) is named by id, and the alert
/// goes to the site, where the most people will see it.
fn owner(state: &AppState, user: &str) -> Result<(String, Audience), DomainError> {
    let mut conn = state.db()?;
    let Ok(found) = casesync_schema::directory::users::find(&mut conn, user) else {
        return Ok((user.to_string(), Audience::Site));
    };
    let audience = match found.role() {
        Ok(Role::Caseworker | Role::Coordinator) => Audience::Coordinators,
        _ => Audience::Site,
    };
    Ok((found.name, audience))
}
