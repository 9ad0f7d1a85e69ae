//! Write permissions as data: which role may do what where in a case document. A device SDK
//! applies them before writing, the server at admission; a refused change names the rule.
//!
//! A location in the document is classified into a [`Zone`]; an edit there is an
//! [`Operation`]; the table [`RULES`] says which roles may do it. Append-only logs admit only
//! appends: nobody edits or deletes an entry once written, whoever wrote it.

use serde::{Deserialize, Serialize};

use crate::case::CaseLog;
use crate::Role;

/// Where in a case document an edit lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    /// Identity and ownership: written once when the case is created, then only by the server.
    Identity,
    /// A profile register.
    Profile,
    /// `jurisdiction`.
    Jurisdiction,
    Observations,
    Episodes,
    EpisodeEvents,
    RiskAssessments,
    /// Checklist instances (started by the server or a device when the anchor event arrives).
    Checklists,
    /// The status registers of checklist steps.
    ChecklistSteps,
    LegalBases,
    Referrals,
    Attachments,
    StrategyMeetings,
    /// The `done` register of a strategy meeting's action.
    MeetingActionDone,
    WellbeingChecks,
    ReturnInterviews,
    NrmReferrals,
    PoliceInstruments,
    Notifications,
    /// Anything the shape does not name.
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Add an entry to a log, or set a register for the first time.
    Append,
    /// Change a register, or anything inside an existing entry.
    Edit,
    /// Remove a value or an entry.
    Delete,
}

/// One line of the permission table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub name: &'static str,
    pub zone: Zone,
    pub operation: Operation,
    pub roles: &'static [Role],
}

use Role::*;

const FIELD: &[Role] = &[OutreachWorker, ReceptionStaff, Caseworker, Coordinator];
const CENTRE: &[Role] = &[ReceptionStaff, Caseworker, Coordinator];
const CASEWORK: &[Role] = &[Caseworker, Coordinator];
const NOBODY: &[Role] = &[];

/// The table. What is not listed is denied.
pub const RULES: &[Rule] = &[
    rule(
        "identity_server_owned",
        Zone::Identity,
        Operation::Edit,
        NOBODY,
    ),
    rule(
        "identity_server_owned",
        Zone::Identity,
        Operation::Delete,
        NOBODY,
    ),
    rule("profile_write", Zone::Profile, Operation::Append, FIELD),
    rule("profile_write", Zone::Profile, Operation::Edit, FIELD),
    rule("profile_clear", Zone::Profile, Operation::Delete, CASEWORK),
    rule(
        "jurisdiction_set",
        Zone::Jurisdiction,
        Operation::Edit,
        CASEWORK,
    ),
    rule(
        "observations_append",
        Zone::Observations,
        Operation::Append,
        FIELD,
    ),
    rule("episodes_open", Zone::Episodes, Operation::Append, CENTRE),
    rule(
        "episode_events_append",
        Zone::EpisodeEvents,
        Operation::Append,
        CENTRE,
    ),
    rule(
        "risk_assessments_append",
        Zone::RiskAssessments,
        Operation::Append,
        CASEWORK,
    ),
    rule(
        "checklists_start",
        Zone::Checklists,
        Operation::Append,
        CENTRE,
    ),
    rule(
        "checklist_steps_update",
        Zone::ChecklistSteps,
        Operation::Append,
        CENTRE,
    ),
    rule(
        "checklist_steps_update",
        Zone::ChecklistSteps,
        Operation::Edit,
        CENTRE,
    ),
    rule(
        "legal_bases_append",
        Zone::LegalBases,
        Operation::Append,
        CASEWORK,
    ),
    rule(
        "referrals_append",
        Zone::Referrals,
        Operation::Append,
        CASEWORK,
    ),
    rule(
        "attachments_append",
        Zone::Attachments,
        Operation::Append,
        FIELD,
    ),
    // Records (`crate::case::records`): who does what the flows ask, per DOMAIN.md's roles.
    rule(
        "strategy_meetings_append",
        Zone::StrategyMeetings,
        Operation::Append,
        CASEWORK,
    ),
    // Whoever owns an action may be centre staff: they, and casework, mark it done.
    rule(
        "meeting_action_done",
        Zone::MeetingActionDone,
        Operation::Append,
        CENTRE,
    ),
    rule(
        "meeting_action_done",
        Zone::MeetingActionDone,
        Operation::Edit,
        CENTRE,
    ),
    rule(
        "wellbeing_checks_append",
        Zone::WellbeingChecks,
        Operation::Append,
        CENTRE,
    ),
    rule(
        "return_interviews_append",
        Zone::ReturnInterviews,
        Operation::Append,
        CASEWORK,
    ),
    rule(
        "nrm_referrals_append",
        Zone::NrmReferrals,
        Operation::Append,
        CASEWORK,
    ),
    rule(
        "police_instruments_append",
        Zone::PoliceInstruments,
        Operation::Append,
        CENTRE,
    ),
    rule(
        "notifications_append",
        Zone::Notifications,
        Operation::Append,
        CENTRE,
    ),
];

/// Episode states only some roles may record (closure is a coordinator's decision).
pub fn may_record_state(role: Role, state: &str) -> bool {
    match state {
        "closed" => role == Coordinator,
        _ => CENTRE.contains(&role),
    }
}

const fn rule(
    name: &'static str,
    zone: Zone,
    operation: Operation,
    roles: &'static [Role],
) -> Rule {
    Rule {
        name,
        zone,
        operation,
        roles,
    }
}

/// Why a write is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{role} may not {operation:?} in {zone:?} (rule {rule}) at {path}")]
pub struct Denial {
    pub rule: &'static str,
    pub role: Role,
    pub zone: Zone,
    pub operation: Operation,
    pub path: String,
}

/// Whether `role` may do `operation` in `zone`.
pub fn check(role: Role, zone: Zone, operation: Operation, path: &str) -> Result<(), Denial> {
    let deny = |rule: &'static str| Denial {
        rule,
        role,
        zone,
        operation,
        path: path.to_string(),
    };
    let matching = RULES
        .iter()
        .find(|r| r.zone == zone && r.operation == operation);
    match matching {
        Some(r) if r.roles.contains(&role) => Ok(()),
        Some(r) => Err(deny(r.name)),
        None if is_log(zone) => Err(deny("append_only")),
        None => Err(deny("not_writable")),
    }
}

fn is_log(zone: Zone) -> bool {
    CaseLog::ALL.iter().any(|log| log_zone(*log) == zone) || zone == Zone::EpisodeEvents
}

/// The zone of a root log.
pub fn log_zone(log: CaseLog) -> Zone {
    match log {
        CaseLog::Observations => Zone::Observations,
        CaseLog::Episodes => Zone::Episodes,
        CaseLog::RiskAssessments => Zone::RiskAssessments,
        CaseLog::Checklists => Zone::Checklists,
        CaseLog::LegalBases => Zone::LegalBases,
        CaseLog::Referrals => Zone::Referrals,
        CaseLog::Attachments => Zone::Attachments,
        CaseLog::StrategyMeetings => Zone::StrategyMeetings,
        CaseLog::WellbeingChecks => Zone::WellbeingChecks,
        CaseLog::ReturnInterviews => Zone::ReturnInterviews,
        CaseLog::NrmReferrals => Zone::NrmReferrals,
        CaseLog::PoliceInstruments => Zone::PoliceInstruments,
        CaseLog::Notifications => Zone::Notifications,
    }
}

/// The zone of a root key.
pub fn root_zone(key: &str) -> Zone {
    match key {
        "schema_version" | "kind" | "case_id" | "organisation" | "site" | "created_at" => {
            Zone::Identity
        }
        "profile" => Zone::Profile,
        "jurisdiction" => Zone::Jurisdiction,
        other => CaseLog::ALL
            .iter()
            .find(|log| log.key() == other)
            .map(|log| log_zone(*log))
            .unwrap_or(Zone::Unknown),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nobody_edits_a_log_entry() {
        for role in Role::ALL {
            let denial = check(role, Zone::Observations, Operation::Edit, "observations[0]")
                .expect_err("edit must be refused");
            assert_eq!(denial.rule, "append_only");
        }
    }

    #[test]
    fn outreach_appends_observations_but_not_legal_bases() {
        assert!(check(OutreachWorker, Zone::Observations, Operation::Append, "").is_ok());
        let denial = check(OutreachWorker, Zone::LegalBases, Operation::Append, "").unwrap_err();
        assert_eq!(denial.rule, "legal_bases_append");
    }

    #[test]
    fn only_coordinators_close() {
        assert!(may_record_state(Coordinator, "closed"));
        assert!(!may_record_state(ReceptionStaff, "closed"));
        assert!(may_record_state(ReceptionStaff, "missing"));
        assert!(!may_record_state(OutreachWorker, "missing"));
    }
}
