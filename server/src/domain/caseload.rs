//! The caseload document of a device: server-authored, it lists the case documents (and
//! alert documents) the device should hold, so a plain automerge-repo client discovers its
//! cases by syncing one document. It changes when cases are created, assigned or leave the
//! device's scope, and carries the remote-wipe order.
//!
//! Shape: `{kind: "caseload", schema_version: 1, device_id, wipe: bool,
//!          documents: {<document id>: {url, kind}}}`.

use automerge::transaction::Transactable;
use automerge::{ObjType, ReadDoc, ScalarValue, Value, ROOT};
use casesync_contract::wire::{DocumentKind, ScopeEntry};
use casesync_contract::DocumentId;
use casesync_schema::directory::AuthenticatedDevice;
use casesync_schema::live;
use casesync_sync::{DocumentMeta, Writer};

use super::scope;
use super::server_write::server_write;
use crate::domain::error::DomainError;
use crate::state::AppState;

/// The caseload document id of a device, created on first use.
pub fn caseload_id(
    state: &AppState,
    device: &AuthenticatedDevice,
) -> Result<DocumentId, DomainError> {
    let mut conn = state.db()?;
    if let Some(id) = live::caseload_of(&mut conn, &device.device_id)? {
        return Ok(id);
    }
    Ok(live::claim_caseload(
        &mut conn,
        &device.device_id,
        &DocumentId::random(),
    )?)
}

/// Brings the device's caseload in line with its scope. Returns its id.
pub fn refresh(state: &AppState, device: &AuthenticatedDevice) -> Result<DocumentId, DomainError> {
    let id = caseload_id(state, device)?;
    // A device under a wipe order holds nothing: its caseload lists no document.
    let wanted: Vec<ScopeEntry> = if device.wipe_requested {
        vec![]
    } else {
        let mut conn = state.db()?;
        let mut entries = scope::documents_in_scope(&mut conn, device)?;
        entries.extend(alert_documents(&mut conn, device)?);
        entries
    };
    let meta = DocumentMeta {
        kind: DocumentKind::Caseload,
        organisation: device.organisation_id.clone(),
        site: None,
    };
    let writer = Writer::server(&device.organisation_id);
    let device_id = device.device_id.clone();
    let wipe = device.wipe_requested;
    server_write::<automerge::AutomergeError>(
        state,
        &id,
        DocumentKind::Caseload,
        &writer,
        Some(&meta),
        |tx| {
            if tx.get(ROOT, "kind")?.is_none() {
                tx.put(ROOT, "kind", "caseload")?;
                tx.put(ROOT, "schema_version", 1)?;
                tx.put(ROOT, "device_id", device_id.as_str())?;
            }
            let docs = match tx.get(ROOT, "documents")? {
                Some((Value::Object(ObjType::Map), docs)) => docs,
                _ => tx.put_object(ROOT, "documents", ObjType::Map)?,
            };
            let held: Vec<String> = tx.keys(&docs).collect();
            for key in &held {
                if !wanted.iter().any(|e| &e.id.to_string() == key) {
                    tx.delete(&docs, key.as_str())?;
                }
            }
            for entry in &wanted {
                let key = entry.id.to_string();
                if !held.contains(&key) {
                    let obj = tx.put_object(&docs, key.as_str(), ObjType::Map)?;
                    tx.put(&obj, "url", entry.id.url())?;
                    tx.put(&obj, "kind", entry.kind.as_str())?;
                }
            }
            let current_wipe = matches!(
                tx.get(ROOT, "wipe")?,
                Some((Value::Scalar(s), _)) if matches!(s.as_ref(), ScalarValue::Boolean(true))
            );
            if current_wipe != wipe || tx.get(ROOT, "wipe")?.is_none() {
                tx.put(ROOT, "wipe", wipe)?;
            }
            Ok(())
        },
    )?;
    Ok(id)
}

/// The alert documents a device holds: its site's, and its organisation's coordinators' one
/// (coordinators and caseworkers hold every site's).
pub fn alert_documents(
    conn: &mut casesync_schema::DbConn,
    device: &AuthenticatedDevice,
) -> Result<Vec<ScopeEntry>, casesync_schema::DbError> {
    if !device.role.reads_cases() {
        return Ok(vec![]);
    }
    let all_sites = matches!(
        device.role,
        casesync_contract::Role::Coordinator | casesync_contract::Role::Caseworker
    );
    let ids = casesync_schema::alerts::documents_for(
        conn,
        &device.organisation_id,
        device.site_id.as_deref(),
        all_sites,
    )?;
    Ok(ids
        .into_iter()
        .filter_map(|id| id.parse().ok())
        .map(|id| ScopeEntry {
            id,
            kind: DocumentKind::Alerts,
        })
        .collect())
}
