//! Subject access export of a case (GDPR Art. 15): everything the service holds about the
//! child, who it was shared with and on what basis, and who accessed it, as JSON or as a
//! readable HTML page. Only coordinators of the owning organisation export; every export
//! is recorded.

use casesync_contract::case::{read_case_causal, CaseDocument};
use casesync_contract::views::{timeline, Receipt, TimelineEntry};
use casesync_contract::wire::{case_reference, AuditRecord, CaseShare};
use casesync_contract::DocumentId;
use casesync_schema::access::assignments::{self, Assignment};
use casesync_schema::access::audit::{self, AuditQuery};
use casesync_schema::access::holds::{self, LegalHold};
use casesync_schema::access::{retention, share_versions, shares};
use casesync_schema::directory::AuthenticatedDevice;
use serde::Serialize;
use serde_json::json;

use crate::domain::access::shares::view as share_view;
use crate::domain::access::{readable_case, require_owning_coordinator};
use crate::domain::audit::{record, Actor, AuditAction, AuditEvent};
use crate::domain::error::DomainError;
use crate::state::AppState;

/// Most access-log entries an export lists (the audit API pages through the rest).
const ACCESS_LOG_LIMIT: i64 = 10_000;

/// `GET /v1/cases/{id}/export`: what a subject access request is answered with.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubjectAccessExport {
    pub case_id: DocumentId,
    pub reference: String,
    pub organisation_id: String,
    pub site_id: Option<String>,
    pub exported_at: i64,
    pub exported_by: String,
    #[schema(schema_with = casesync_contract::openapi::case_document_ref)]
    pub case: CaseDocument,
    pub timeline: Vec<TimelineEntry>,
    pub assignments: Vec<Assignment>,
    /// Every share, active or withdrawn, with its legal basis and data categories.
    pub shares: Vec<CaseShare>,
    pub legal_hold: Option<LegalHold>,
    pub retention_class: String,
    /// Who read, wrote, synced, shared or exported the case, and when.
    pub access_log: Vec<AuditRecord>,
}

/// Builds the export; `format` (`json` or `html`) goes into the audit entry.
pub fn export_case(
    state: &AppState,
    caller: &AuthenticatedDevice,
    case: &str,
    format: &str,
) -> Result<SubjectAccessExport, DomainError> {
    let mut conn = state.db()?;
    let (id, row) = readable_case(&mut conn, caller, case)?;
    require_owning_coordinator(caller, &row, "export cases")?;
    let receipts = casesync_schema::store::receipts_of(&mut conn, &id)?;
    let assigned = assignments::of_document(&mut conn, &row.id)?;
    let shares = shares::of_document(&mut conn, &row.id)?;
    let share_ids: Vec<String> = shares.iter().map(|s| s.id.clone()).collect();
    let sent = share_versions::of_shares(&mut conn, &share_ids)?;
    let mut shared: Vec<_> = shares
        .into_iter()
        .map(|s| share_view(&id, s, &sent))
        .collect();
    for share in &mut shared {
        crate::federation::record::add_across(&mut conn, share)?;
    }
    let legal_hold = holds::active(&mut conn, &row.id)?;
    let class = retention::class_of(&mut conn, &row.id)?
        .unwrap_or_else(|| state.config.access.default_retention_class.clone());
    let access_log = audit::query(
        &mut conn,
        &AuditQuery {
            organisation_id: row.organisation_id.clone(),
            case_id: Some(row.id.clone()),
            after: 0,
            limit: ACCESS_LOG_LIMIT,
        },
    )?
    .into_iter()
    .map(crate::domain::audit_view::record_view)
    .collect();
    drop(conn);
    let lookup = |hash: &automerge::ChangeHash| {
        receipts.get(&hash.to_string()).map(|(device, at)| Receipt {
            device: device.clone(),
            received_at: *at,
        })
    };
    let (case, entries) = state
        .engine
        .read(&id, |doc| {
            read_case_causal(doc).map(|case| {
                let entries = timeline(doc, &case, &lookup);
                (case, entries)
            })
        })?
        .ok_or_else(DomainError::not_found)?
        .map_err(DomainError::internal)?;
    record(
        state,
        &Actor::device(caller),
        AuditEvent::new(AuditAction::CaseExported)
            .case(&id, &row.organisation_id)
            .detail(json!({ "format": format })),
    )?;
    Ok(SubjectAccessExport {
        case_id: id,
        reference: case_reference(&id),
        organisation_id: row.organisation_id,
        site_id: row.site_id,
        exported_at: state.now(),
        exported_by: caller.user_id.clone(),
        case,
        timeline: entries,
        assignments: assigned,
        shares: shared,
        legal_hold,
        retention_class: class,
        access_log,
    })
}
