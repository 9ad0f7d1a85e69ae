//! The escalation worker: deadlines watched on the injected clock. Each rule raises its
//! alert through a dedupe key, so every instance may run the worker and each alert is still
//! raised once.

use casesync_contract::alerts::{AlertKind, AlertMessage, Audience};
use casesync_contract::case::{read_case_causal, CaseDocument, EpisodeState};
use casesync_contract::checklists::template;
use casesync_contract::deadlines;
use casesync_contract::views::episode_view;
use casesync_contract::wire::case_reference;
use casesync_contract::DocumentId;
use casesync_schema::directory::summaries;

use std::collections::HashMap;

use super::raise::{raise, NewAlert};
use super::rules::{rules_for, EscalationRules};
use crate::domain::error::DomainError;
use crate::domain::exercises::clock::{self as exercise_clock, ScenarioClock};
use crate::state::AppState;

const MINUTE: i64 = 60_000;

/// One pass over every case and open alert. Returns how many alerts it raised or re-sent.
pub fn tick(state: &AppState) -> Result<usize, DomainError> {
    let mut acted = 0;
    let mut clocks = Clocks::default();
    let cases = {
        let mut conn = state.db()?;
        summaries::all(&mut conn)?
    };
    for summary in cases {
        let Ok(id) = summary.document_id.parse::<DocumentId>() else {
            continue;
        };
        // Every case, each pass: read without keeping them in memory.
        let Some(Ok(case)) = state.engine.peek(&id, read_case_causal)? else {
            continue;
        };
        let rules = rules_for(state, &case.organisation.0)?;
        // A training exercise's case is judged on its scenario clock (identity otherwise).
        let clock = clocks.of(state, &case.organisation.0)?;
        let (case, now) = (clock.case(&case), clock.at(state.now()));
        acted += overdue_steps(state, &id, &case, &rules, now)?;
        acted += unresolved_absences(state, &id, &case, &rules, now)?;
        acted += super::risk_watch::watch(state, &id, &case, &rules, now)?;
        acted += super::action_watch::watch(state, &id, &case, &rules, now)?;
    }
    acted += unacknowledged(state, &mut clocks)?;
    Ok(acted)
}

/// Each organisation's clock, read once per pass.
#[derive(Default)]
struct Clocks(HashMap<String, ScenarioClock>);

impl Clocks {
    fn of(&mut self, state: &AppState, organisation: &str) -> Result<ScenarioClock, DomainError> {
        if let Some(clock) = self.0.get(organisation) {
            return Ok(*clock);
        }
        let clock = exercise_clock::for_organisation(state, organisation)?;
        self.0.insert(organisation.to_string(), clock);
        Ok(clock)
    }
}

/// Open steps past their deadline in a checklist still watched
/// (`casesync_contract::deadlines`): none once the child is back from the flow it serves.
fn overdue_steps(
    state: &AppState,
    id: &DocumentId,
    case: &CaseDocument,
    rules: &EscalationRules,
    now: i64,
) -> Result<usize, DomainError> {
    let mut raised = 0;
    for overdue in deadlines::overdue_steps(case, now, rules.overdue_grace_minutes) {
        let Some(tpl) = template(overdue.template) else {
            continue;
        };
        let late = (now - overdue.due_at) / MINUTE;
        let made = raise(
            state,
            NewAlert::of_case(
                id,
                case,
                AlertKind::OverdueStep,
                Audience::Coordinators,
                format!("overdue:{id}:{}:{}", overdue.checklist, overdue.step),
                AlertMessage::new("alert-overdue-step")
                    .with("reference", case_reference(id))
                    .with("step", &overdue.step)
                    .with("checklist", tpl.id)
                    .with("minutes", late),
            ),
        )?;
        raised += usize::from(made.is_some());
    }
    Ok(raised)
}

fn unresolved_absences(
    state: &AppState,
    id: &DocumentId,
    case: &CaseDocument,
    rules: &EscalationRules,
    now: i64,
) -> Result<usize, DomainError> {
    let high_risk = case
        .risk_assessments
        .iter()
        .max_by_key(|a| a.assessed_at)
        .is_some_and(|a| a.level.as_str() == "high");
    let mut raised = 0;
    for episode in &case.episodes {
        let Some(view) = episode_view(episode) else {
            continue;
        };
        if !matches!(view.state, EpisodeState::Late | EpisodeState::Absent) {
            continue;
        }
        let too_long = now - view.since > rules.absence_decision_minutes * MINUTE;
        if !(too_long || high_risk) {
            continue;
        }
        let key = if high_risk {
            "alert-absence-high-risk"
        } else {
            "alert-absence-unresolved"
        };
        let made = raise(
            state,
            NewAlert::of_case(
                id,
                case,
                AlertKind::AbsenceDecision,
                Audience::Site,
                format!("absence:{id}:{}", episode.id),
                AlertMessage::new(key).with("reference", case_reference(id)),
            ),
        )?;
        raised += usize::from(made.is_some());
    }
    Ok(raised)
}

/// Missing alerts nobody acknowledged in time: sent again, and raised to coordinators once.
fn unacknowledged(state: &AppState, clocks: &mut Clocks) -> Result<usize, DomainError> {
    let now = state.now();
    let open = {
        let mut conn = state.db()?;
        casesync_schema::alerts::all_open(&mut conn)?
    };
    let mut acted = 0;
    for row in open
        .into_iter()
        .filter(|r| r.kind == AlertKind::Missing.as_str())
    {
        let rules = rules_for(state, &row.organisation_id)?;
        let acknowledged = {
            let mut conn = state.db()?;
            casesync_schema::alerts::deliveries(&mut conn, &row.id)?
                .iter()
                .any(|d| d.acknowledged_at.is_some())
        };
        let clock = clocks.of(state, &row.organisation_id)?;
        let waited = clock.at(now) - clock.at(row.last_sent_at);
        if acknowledged || waited <= rules.acknowledge_within_minutes * MINUTE {
            continue;
        }
        let resend = {
            let mut conn = state.db()?;
            casesync_schema::alerts::mark_resent(&mut conn, &row.id, row.last_sent_at, now)?
        };
        if resend {
            let doc: DocumentId = row
                .document_id
                .parse()
                .map_err(|_| DomainError::internal("alert document id"))?;
            // Writing the counter changes the document: every holder gets it pushed again.
            super::documents::update_entry(
                state,
                &doc,
                &row.organisation_id,
                &row.id,
                vec![("resent", i64::from(row.resent + 1).into())],
            )?;
            acted += 1;
        }
        let first_escalation = {
            let mut conn = state.db()?;
            casesync_schema::alerts::mark_escalated(&mut conn, &row.id, now)?
        };
        if first_escalation {
            let Ok(case_id) = row.case_id.parse::<DocumentId>() else {
                continue;
            };
            // An alert for a partner on a peer server, unacknowledged there: nobody here
            // reads that partner's board, so the case's own coordinators are told.
            let (organisation_id, site_id) = match partner_across_a_peering(state, &row, &case_id)?
            {
                Some(source) => (source, String::new()),
                None => (
                    row.organisation_id.clone(),
                    row.site_id.clone().unwrap_or_default(),
                ),
            };
            raise(
                state,
                NewAlert {
                    case_id,
                    organisation_id,
                    site_id,
                    kind: AlertKind::Unacknowledged,
                    audience: Audience::Coordinators,
                    dedupe_key: format!("unacknowledged:{}", row.id),
                    message: AlertMessage::new("alert-unacknowledged")
                        .with("reference", case_reference(&case_id))
                        .with("minutes", rules.acknowledge_within_minutes),
                    pack: None,
                },
            )?;
            acted += 1;
        }
    }
    Ok(acted)
}

/// The case's own organisation when `row` is an alert raised for an organisation a peer
/// server serves (federation); `None` otherwise.
fn partner_across_a_peering(
    state: &AppState,
    row: &casesync_schema::alerts::AlertRow,
    case_id: &DocumentId,
) -> Result<Option<String>, DomainError> {
    let mut conn = state.db()?;
    if casesync_schema::directory::organisations::peer_of(&mut conn, &row.organisation_id)?
        .is_none()
    {
        return Ok(None);
    }
    Ok(casesync_schema::directory::documents::find(&mut conn, case_id)?.map(|d| d.organisation_id))
}

/// How often the worker looks at deadlines.
const PERIOD: std::time::Duration = std::time::Duration::from_secs(30);

/// Runs [`tick`] periodically until the server stops.
pub fn spawn(state: AppState) {
    crate::domain::periodic::every(state, PERIOD, "escalation", tick);
}
