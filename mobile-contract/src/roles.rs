//! The people who use casesync (DOMAIN.md, "Who uses it") and what they are.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// On the streets, offline for hours: new cases, observations, sightings, photos.
    OutreachWorker,
    /// At a reception centre: episodes, absence and missing checklists, police references.
    ReceptionStaff,
    /// Risk assessments, care plans, referrals, return interviews.
    Caseworker,
    /// All cases of the organisation: risk approval, closure, conflicts, reassignment.
    Coordinator,
    /// Users, devices, settings; no case content by default.
    OrgAdmin,
    /// Reads the audit log; writes nothing.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Self::OutreachWorker,
        Self::ReceptionStaff,
        Self::Caseworker,
        Self::Coordinator,
        Self::OrgAdmin,
        Self::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OutreachWorker => "outreach_worker",
            Self::ReceptionStaff => "reception_staff",
            Self::Caseworker => "caseworker",
            Self::Coordinator => "coordinator",
            Self::OrgAdmin => "org_admin",
            Self::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Roles that hold case content on a device.
    pub fn reads_cases(self) -> bool {
        !matches!(self, Self::OrgAdmin | Self::Auditor)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
