//! Recording what people and devices do with cases: every case read (API, pages, sync to a
//! device), admitted write, export, share, override, enrolment and admin action goes into
//! the hash-chained audit trail (`casesync_schema::access::audit`).
//!
//! Entries carry ids only (user, device, case), never what a case says, so the trail stays
//! pseudonymous and outlives the erasure of a case. Each entry belongs to an organisation:
//! the one owning the case, else the actor's; its auditors read it.

use casesync_contract::DocumentId;
use casesync_schema::access::audit::{self, NewAuditEntry};
use casesync_schema::access::audit_key::ChainKey;
use casesync_schema::connection::write_tx;
use casesync_schema::directory::AuthenticatedDevice;
use casesync_schema::{DbConn, DbError};
use serde_json::Value;

use crate::domain::error::DomainError;
use crate::state::AppState;

/// What was done. The names are stable: auditors search by them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    CaseRead,
    CaseListed,
    CaseSynced,
    /// A live session sent a device an alert board or caseload (they name children).
    DocumentSynced,
    /// A photo or document attached to a case was downloaded, or its preview.
    BlobRead,
    CaseCreated,
    CaseWritten,
    CaseExported,
    CaseShared,
    CaseShareWithdrawn,
    CaseAssigned,
    CaseUnassigned,
    CaseErased,
    LegalHoldPlaced,
    LegalHoldReleased,
    RetentionSet,
    /// A person overrode something the system derived or proposed (risk level, conflict).
    CaseOverride,
    /// A referral or cross-border notification was recorded in a case.
    ReferralRecorded,
    EnrolmentCodeCreated,
    DeviceEnrolled,
    DeviceRevoked,
    DeviceWipeRequested,
    DeviceWipeDelivered,
    /// A person signed in to the coordinator pages.
    Login,
    AuditQueried,
    /// `casesync admin ...` and the admin API.
    Admin,
    /// A peer server was refused: a certificate no peering names, or a message for an
    /// organisation or legal basis its peering does not allow.
    PeerRefused,
    /// A peer's organisation shared a view with one of ours (first arrival).
    PeerViewReceived,
    /// A peer sent changes of a view (its updates, or a partner's contributions).
    PeerViewSynced,
    /// A peer withdrew a view: its copy here was erased.
    PeerViewErased,
    /// A peer confirmed it erased a view withdrawn here.
    PeerWithdrawalConfirmed,
    /// A peer raised (or stood down) a missing-child alert for one of our organisations.
    PeerAlertReceived,
    /// A peer's person acknowledged an alert raised here.
    PeerAlertAcknowledged,
}

impl AuditAction {
    /// Every action, for the labels the audit page shows (a test checks each has one in
    /// every language).
    pub const ALL: [AuditAction; 33] = [
        Self::CaseRead,
        Self::CaseListed,
        Self::CaseSynced,
        Self::DocumentSynced,
        Self::BlobRead,
        Self::CaseCreated,
        Self::CaseWritten,
        Self::CaseExported,
        Self::CaseShared,
        Self::CaseShareWithdrawn,
        Self::CaseAssigned,
        Self::CaseUnassigned,
        Self::CaseErased,
        Self::LegalHoldPlaced,
        Self::LegalHoldReleased,
        Self::RetentionSet,
        Self::CaseOverride,
        Self::ReferralRecorded,
        Self::EnrolmentCodeCreated,
        Self::DeviceEnrolled,
        Self::DeviceRevoked,
        Self::DeviceWipeRequested,
        Self::DeviceWipeDelivered,
        Self::Login,
        Self::AuditQueried,
        Self::Admin,
        Self::PeerRefused,
        Self::PeerViewReceived,
        Self::PeerViewSynced,
        Self::PeerViewErased,
        Self::PeerWithdrawalConfirmed,
        Self::PeerAlertReceived,
        Self::PeerAlertAcknowledged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CaseRead => "case.read",
            Self::CaseListed => "case.listed",
            Self::CaseSynced => "case.synced",
            Self::DocumentSynced => "document.synced",
            Self::BlobRead => "case.blob_read",
            Self::CaseCreated => "case.created",
            Self::CaseWritten => "case.written",
            Self::CaseExported => "case.exported",
            Self::CaseShared => "case.shared",
            Self::CaseShareWithdrawn => "case.share_withdrawn",
            Self::CaseAssigned => "case.assigned",
            Self::CaseUnassigned => "case.unassigned",
            Self::CaseErased => "case.erased",
            Self::LegalHoldPlaced => "case.legal_hold_placed",
            Self::LegalHoldReleased => "case.legal_hold_released",
            Self::RetentionSet => "case.retention_set",
            Self::CaseOverride => "case.override",
            Self::ReferralRecorded => "case.referral_recorded",
            Self::EnrolmentCodeCreated => "device.enrolment_code_created",
            Self::DeviceEnrolled => "device.enrolled",
            Self::DeviceRevoked => "device.revoked",
            Self::DeviceWipeRequested => "device.wipe_requested",
            Self::DeviceWipeDelivered => "device.wipe_delivered",
            Self::Login => "user.login",
            Self::AuditQueried => "audit.queried",
            Self::Admin => "admin",
            Self::PeerRefused => "federation.refused",
            Self::PeerViewReceived => "federation.view_received",
            Self::PeerViewSynced => "federation.view_synced",
            Self::PeerViewErased => "federation.view_erased",
            Self::PeerWithdrawalConfirmed => "federation.withdrawal_confirmed",
            Self::PeerAlertReceived => "federation.alert_received",
            Self::PeerAlertAcknowledged => "federation.alert_acknowledged",
        }
    }
}

/// Who did it.
#[derive(Debug, Clone)]
pub enum Actor {
    /// A device and its user (every API caller is one).
    Device {
        device_id: String,
        user_id: String,
        organisation_id: String,
    },
    /// The server on its own (retention expiry, derived writes).
    Server,
    /// `casesync admin` on the server's machine, with the operating-system user if known.
    Cli { os_user: Option<String> },
    /// A peer server (federation), by the name its peering gives it, speaking for one of its
    /// organisations when it says which.
    Peer {
        server: String,
        organisation: Option<String>,
    },
}

impl Actor {
    pub fn device(caller: &AuthenticatedDevice) -> Self {
        Self::Device {
            device_id: caller.device_id.clone(),
            user_id: caller.user_id.clone(),
            organisation_id: caller.organisation_id.clone(),
        }
    }

    pub fn cli() -> Self {
        Self::Cli {
            os_user: std::env::var("SUDO_USER")
                .or_else(|_| std::env::var("USER"))
                .ok(),
        }
    }
}

/// One thing to record.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub action: AuditAction,
    pub case: Option<DocumentId>,
    /// The organisation owning the case (or concerned by the admin action); defaults to the
    /// actor's.
    pub organisation: Option<String>,
    pub detail: Value,
}

impl AuditEvent {
    pub fn new(action: AuditAction) -> Self {
        Self {
            action,
            case: None,
            organisation: None,
            detail: Value::Object(Default::default()),
        }
    }

    pub fn case(mut self, id: &DocumentId, organisation: &str) -> Self {
        self.case = Some(*id);
        self.organisation = Some(organisation.to_string());
        self
    }

    pub fn organisation(mut self, organisation: &str) -> Self {
        self.organisation = Some(organisation.to_string());
        self
    }

    pub fn detail(mut self, detail: Value) -> Self {
        self.detail = detail;
        self
    }

    /// The row to append.
    pub fn entry(&self, actor: &Actor, at: i64) -> NewAuditEntry {
        let (kind, user, device, actor_org) = match actor {
            Actor::Device {
                device_id,
                user_id,
                organisation_id,
            } => (
                "device",
                Some(user_id.clone()),
                Some(device_id.clone()),
                Some(organisation_id.clone()),
            ),
            Actor::Server => ("server", None, None, None),
            Actor::Cli { os_user } => ("cli", os_user.clone(), None, None),
            Actor::Peer {
                server,
                organisation,
            } => ("peer", Some(server.clone()), None, organisation.clone()),
        };
        NewAuditEntry {
            at,
            actor_kind: kind.to_string(),
            actor_user: user,
            actor_device: device,
            organisation_id: self.organisation.clone().or(actor_org),
            action: self.action.as_str().to_string(),
            case_id: self.case.map(|c| c.to_string()),
            detail: self.detail.to_string(),
        }
    }
}

/// Appends events inside the caller's write transaction (with the change they record).
pub fn record_in(
    conn: &mut DbConn,
    key: &ChainKey,
    actor: &Actor,
    events: &[AuditEvent],
    at: i64,
) -> Result<(), DbError> {
    let entries: Vec<NewAuditEntry> = events.iter().map(|e| e.entry(actor, at)).collect();
    audit::append_in(conn, key, &entries).map(|_| ())
}

/// Makes a change and records it in one transaction: `change` returns its result and the
/// events to record, and either both are committed or neither (an audit entry that cannot be
/// written fails the change).
pub fn audited<T>(
    state: &AppState,
    actor: &Actor,
    change: impl FnOnce(&mut DbConn) -> Result<(T, Vec<AuditEvent>), DbError>,
) -> Result<T, DomainError> {
    let mut conn = state.db()?;
    let at = state.now();
    Ok(write_tx(&mut conn, |conn| {
        let (result, events) = change(conn)?;
        record_in(conn, &state.audit_key, actor, &events, at)?;
        Ok(result)
    })?)
}

/// Appends events in a transaction of their own: reads (recorded before what was read is
/// served) and actions that change nothing else in the database.
pub fn record_all(
    state: &AppState,
    actor: &Actor,
    events: &[AuditEvent],
) -> Result<(), DomainError> {
    if events.is_empty() {
        return Ok(());
    }
    let entries: Vec<NewAuditEntry> = events.iter().map(|e| e.entry(actor, state.now())).collect();
    let mut conn = state.db()?;
    audit::append(&mut conn, &state.audit_key, &entries)?;
    Ok(())
}

/// Appends one event. A read that cannot be recorded is not served: callers return the
/// error instead of the data.
pub fn record(state: &AppState, actor: &Actor, event: AuditEvent) -> Result<(), DomainError> {
    record_all(state, actor, std::slice::from_ref(&event))
}

#[cfg(test)]
mod tests {
    use super::AuditAction;
    use casesync_contract::i18n::Language;

    /// The audit page names each action in the reader's language (the id stays beside it).
    #[test]
    fn every_action_and_actor_kind_has_a_label_in_every_language() {
        let ids: std::collections::BTreeSet<_> =
            AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(ids.len(), AuditAction::ALL.len(), "ids are distinct");
        for language in Language::ALL {
            for action in AuditAction::ALL {
                let key = format!("audit-action-{}", action.as_str().replace('.', "-"));
                assert!(language.lookup(&key).is_some(), "{language} lacks {key}");
            }
            for kind in ["server", "cli"] {
                let key = format!("audit-actor_kind-{kind}");
                assert!(language.lookup(&key).is_some(), "{language} lacks {key}");
            }
        }
    }
}
