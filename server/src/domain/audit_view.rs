//! The audit trail for auditors: `GET /v1/audit`, who saw a case and when. Auditors read
//! the entries of their own organisation (those about its cases, and those its people
//! made); reading the trail is itself recorded.

use casesync_contract::errors::ErrorCode;
use casesync_contract::wire::{AuditList, AuditRecord};
use casesync_contract::{DocumentId, Role};
use casesync_schema::access::audit::{self, AuditEntry, AuditQuery};
use casesync_schema::directory::AuthenticatedDevice;
use serde_json::json;

use super::access::require_role;
use super::audit::{record, Actor, AuditAction, AuditEvent};
use crate::domain::error::DomainError;
use crate::state::AppState;

pub const MAX_PAGE: i64 = 1_000;

pub fn record_view(e: AuditEntry) -> AuditRecord {
    AuditRecord {
        detail: serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::String(e.detail)),
        seq: e.seq,
        at: e.at,
        actor_kind: e.actor_kind,
        actor_user: e.actor_user,
        actor_device: e.actor_device,
        action: e.action,
        case_id: e.case_id,
        hash: e.hash,
    }
}

/// Entries for an auditor, optionally about one case. An unknown case id, or one of
/// another organisation, gives an empty list: the same as a case nobody touched.
pub fn list(
    state: &AppState,
    caller: &AuthenticatedDevice,
    case: Option<&str>,
    after: i64,
    limit: Option<i64>,
) -> Result<AuditList, DomainError> {
    require_role(caller, &[Role::Auditor], "read the audit trail")?;
    let case_id = match case {
        Some(text) => Some(
            text.parse::<DocumentId>()
                .map_err(|_| {
                    DomainError::new(ErrorCode::InvalidDocumentId, "case is not a case id")
                })?
                .to_string(),
        ),
        None => None,
    };
    let limit = limit.unwrap_or(100).clamp(1, MAX_PAGE);
    let mut conn = state.db()?;
    let entries = audit::query(
        &mut conn,
        &AuditQuery {
            organisation_id: caller.organisation_id.clone(),
            case_id: case_id.clone(),
            after: after.max(0),
            limit,
        },
    )?;
    drop(conn);
    record(
        state,
        &Actor::device(caller),
        AuditEvent::new(AuditAction::AuditQueried)
            .detail(json!({ "case": case_id, "after": after, "returned": entries.len() })),
    )?;
    let next_after = (entries.len() as i64 == limit)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    Ok(AuditList {
        entries: entries.into_iter().map(record_view).collect(),
        next_after,
    })
}
