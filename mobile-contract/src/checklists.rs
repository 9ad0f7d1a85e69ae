//! The handbook's checklists as versioned data [INT]: each step names the role that does it
//! and when it is due relative to the event that starts the checklist. Check these against
//! the Interact handbook before release; a change of wording or deadline bumps the version.
//!
//! A step has a deadline exactly when ../shared/DOMAIN.md gives it one: intake steps 1-4
//! within 24 h, the police report at once (T0), the return interview within 72 h. The others
//! are done as soon as possible with no clock on them; the decision on an absence is watched
//! by its own rule (`absence_decision_minutes`, per organisation), and the found-or-returned
//! escalations are raised by the server from the facts, not by a deadline.
//! Version 2 of the absence, missing and found templates: deadlines made to follow that rule
//! (version 1 had the absence search due after one minute, and deadlines DOMAIN.md does not
//! give). Deadlines are read from the current version for every instance.

use serde::Serialize;

use crate::Role;

/// What starts a checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    /// The case is opened (arrival or first contact).
    Intake,
    /// The first `late` or `absent` event of an episode: the child is not where expected.
    Absence,
    /// The first `missing` event of an episode: T0.
    Missing,
    /// The first `located` or `returned` event of an episode.
    Found,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StepTemplate {
    pub id: &'static str,
    pub text: &'static str,
    pub role: Role,
    /// Minutes after the anchor; `None`: no deadline.
    pub due_minutes: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ChecklistTemplate {
    pub id: &'static str,
    pub version: i64,
    pub title: &'static str,
    pub anchor: Anchor,
    pub steps: &'static [StepTemplate],
}

impl ChecklistTemplate {
    pub fn step(&self, id: &str) -> Option<&StepTemplate> {
        self.steps.iter().find(|s| s.id == id)
    }
}

const fn step(
    id: &'static str,
    role: Role,
    due_minutes: Option<i64>,
    text: &'static str,
) -> StepTemplate {
    StepTemplate {
        id,
        text,
        role,
        due_minutes,
    }
}

const HOUR: i64 = 60;

pub const INTAKE: ChecklistTemplate = ChecklistTemplate {
    id: "intake",
    version: 1,
    title: "Intake",
    anchor: Anchor::Intake,
    steps: &[
        step(
            "register_identify_photo",
            Role::ReceptionStaff,
            Some(24 * HOUR),
            "Register, identify, take a dated photo",
        ),
        step(
            "request_guardian",
            Role::ReceptionStaff,
            Some(24 * HOUR),
            "Request a guardian at once",
        ),
        step(
            "inform_rights_and_risks",
            Role::Caseworker,
            Some(24 * HOUR),
            "Inform the child of rights and the risks of leaving, in their language",
        ),
        step(
            "first_risk_assessment",
            Role::Caseworker,
            Some(24 * HOUR),
            "First risk assessment and review date",
        ),
        step(
            "map_family_and_plans",
            Role::Caseworker,
            None,
            "Map family and contacts, ask about plans to leave",
        ),
        step(
            "trafficking_referral",
            Role::Caseworker,
            None,
            "Strong trafficking signs: refer to the national referral mechanism",
        ),
        step(
            "missing_pack_part1",
            Role::ReceptionStaff,
            None,
            "Fill part 1 of the missing pack",
        ),
    ],
};

pub const ABSENCE: ChecklistTemplate = ChecklistTemplate {
    id: "absence",
    version: 2,
    title: "Absence",
    anchor: Anchor::Absence,
    steps: &[
        step(
            "search_and_call",
            Role::ReceptionStaff,
            None,
            "Search the premises, call the child's phone, contact friends and known places",
        ),
        step(
            "decide_absent_or_missing",
            Role::ReceptionStaff,
            None,
            "Whereabouts known: absent, keep checking. Unknown: missing, at once (no waiting period)",
        ),
    ],
};

pub const MISSING: ChecklistTemplate = ChecklistTemplate {
    id: "missing_first_hours",
    version: 2,
    title: "Missing, first hours",
    anchor: Anchor::Missing,
    steps: &[
        step(
            "report_police",
            Role::ReceptionStaff,
            Some(0),
            "Report to police at once, day or night",
        ),
        step(
            "hand_over_missing_pack",
            Role::ReceptionStaff,
            None,
            "Hand over the missing pack",
        ),
        step(
            "record_police_reference",
            Role::ReceptionStaff,
            None,
            "Record police reference and risk grade",
        ),
        step(
            "inform_guardian_social_worker",
            Role::ReceptionStaff,
            None,
            "Inform guardian and responsible social worker (optionally the 116 000 hotline)",
        ),
        step(
            "record_sis_interpol",
            Role::Coordinator,
            None,
            "Record SIS alert / Yellow Notice requests and references",
        ),
        step(
            "public_alert_decision",
            Role::Coordinator,
            None,
            "Public alert only if the criteria hold",
        ),
        step(
            "cross_border_notification",
            Role::Coordinator,
            None,
            "Notify the likely destination country; record legal basis and data categories",
        ),
    ],
};

pub const FOUND: ChecklistTemplate = ChecklistTemplate {
    id: "found_or_returned",
    version: 2,
    title: "Found or returned",
    anchor: Anchor::Found,
    steps: &[
        step(
            "safe_and_well_check",
            Role::ReceptionStaff,
            None,
            "Safe-and-well check",
        ),
        step(
            "return_interview",
            Role::Caseworker,
            Some(72 * HOUR),
            "Independent return interview within 72 hours",
        ),
        step(
            "new_risk_assessment",
            Role::Caseworker,
            None,
            "New risk assessment and updated plan",
        ),
        step(
            "escalation_review",
            Role::Coordinator,
            None,
            "Escalate: missing > 24 h, 2+ episodes, crime, mental health, exploitation risk",
        ),
        step(
            "tell_notified_parties",
            Role::Coordinator,
            None,
            "Tell every party that was notified; withdraw alerts and published photos",
        ),
    ],
};

pub const TEMPLATES: &[ChecklistTemplate] = &[INTAKE, ABSENCE, MISSING, FOUND];

pub fn template(id: &str) -> Option<&'static ChecklistTemplate> {
    TEMPLATES.iter().find(|t| t.id == id)
}

pub fn for_anchor(anchor: Anchor) -> &'static ChecklistTemplate {
    match anchor {
        Anchor::Intake => &INTAKE,
        Anchor::Absence => &ABSENCE,
        Anchor::Missing => &MISSING,
        Anchor::Found => &FOUND,
    }
}
